package persistence_test

import (
	"context"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// TestPruneExecutions: retention removes finished executions that are too
// old or beyond the newest MaxCount, with their run data, and never an
// execution that is new, running or waiting.
func TestPruneExecutions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann := mustUser(t, db, "ann@x.io")
		w, err := db.CreateWorkflow(ctx, ann.ID, sampleWorkflow(t, "wf"), nil)
		if err != nil {
			t.Fatal(err)
		}
		ref := time.Now().UTC()
		day := 24 * time.Hour
		mk := func(status string, startedAgo time.Duration) string {
			t.Helper()
			e := &persistence.Execution{WorkflowID: w.ID, VersionID: w.VersionID, OwnerID: ann.ID, Mode: nodes.ModeManual,
				StartedAt: ref.Add(-startedAgo)}
			if err := db.CreateExecution(ctx, e); err != nil {
				t.Fatal(err)
			}
			if status != nodes.StatusNew {
				fin := ref.Add(-startedAgo + time.Minute)
				if err := db.UpdateExecution(ctx, e.ID, persistence.ExecutionUpdate{Status: status, FinishedAt: &fin}); err != nil {
					t.Fatal(err)
				}
			}
			run := &nodes.NodeRun{StartTime: 1, ExecutionStatus: nodes.StatusSuccess}
			if err := db.RunStore().SaveRun(ctx, e.ID, "Do", 0, run); err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		oldSuccess := mk(nodes.StatusSuccess, 30*day)
		oldError := mk(nodes.StatusError, 20*day)
		oldCanceled := mk(nodes.StatusCanceled, 15*day)
		oldRunning := mk(nodes.StatusRunning, 40*day)
		oldWaiting := mk(nodes.StatusWaiting, 40*day)
		oldNew := mk(nodes.StatusNew, 40*day)
		recent := []string{mk(nodes.StatusSuccess, 5*time.Hour), mk(nodes.StatusError, 4*time.Hour),
			mk(nodes.StatusSuccess, 3*time.Hour), mk(nodes.StatusSuccess, 2*time.Hour)}
		runningNow := mk(nodes.StatusRunning, time.Hour)

		exists := func(id string) bool {
			t.Helper()
			_, err := db.GetExecution(ctx, persistence.Scope{Admin: true}, id)
			if err != nil && nodes.ErrorCode(err) != nodes.CodeNotFound {
				t.Fatal(err)
			}
			if err != nil {
				if _, rerr := db.RunStore().LoadRun(ctx, id, "Do", 0); nodes.ErrorCode(rerr) != nodes.CodeNotFound {
					t.Errorf("execution %s is gone but its run data stayed (%v)", id, rerr)
				}
			}
			return err == nil
		}
		check := func(stage string, gone, kept []string) {
			t.Helper()
			for _, id := range gone {
				if exists(id) {
					t.Errorf("%s: execution %s was kept", stage, id)
				}
			}
			for _, id := range kept {
				if !exists(id) {
					t.Errorf("%s: execution %s was removed", stage, id)
				}
			}
		}

		// Age: 14 days (n8n's default 336 hours), batches of one.
		n, err := db.PruneExecutions(ctx, persistence.PruneOptions{MaxAge: 336 * time.Hour, BatchSize: 1, Now: ref})
		if err != nil || n != 3 {
			t.Fatalf("age prune removed %d (%v), want 3", n, err)
		}
		unfinished := []string{oldRunning, oldWaiting, oldNew, runningNow}
		check("age", []string{oldSuccess, oldError, oldCanceled}, append(append([]string{}, recent...), unfinished...))

		// Nothing more to do: idempotent.
		if n, err := db.PruneExecutions(ctx, persistence.PruneOptions{MaxAge: 336 * time.Hour, Now: ref}); err != nil || n != 0 {
			t.Fatalf("second prune removed %d (%v)", n, err)
		}

		// Count: keep the newest 3 (runningNow and the two newest recent);
		// the two older finished ones go, the old unfinished ones stay.
		n, err = db.PruneExecutions(ctx, persistence.PruneOptions{MaxCount: 3, BatchSize: 1, Now: ref})
		if err != nil || n != 2 {
			t.Fatalf("count prune removed %d (%v), want 2", n, err)
		}
		check("count", recent[:2], append(append([]string{}, recent[2:]...), unfinished...))

		// No limits: nothing goes.
		if n, err := db.PruneExecutions(ctx, persistence.PruneOptions{}); err != nil || n != 0 {
			t.Fatalf("prune without limits removed %d (%v)", n, err)
		}
	})
}
