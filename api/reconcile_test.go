package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// TestReconcile brings rows that a crash left behind in line with a real
// Temporal: a row whose run never started is marked crashed with the
// reason; rows whose runs finished while their last write was lost get
// Temporal's status; a row still waiting and a row too young to judge are
// left alone.
func TestReconcile(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		stack := newStack(t, db)
		a := newTestAPI(t, db, stack.runner, nil)
		a.register("admin@example.com")
		bob := a.register("bob@example.com")
		ok := a.create(bob.AccessToken, exportWF("Quick"))
		fails := a.create(bob.AccessToken, chain("Fails", manualTrigger(), failNode()))
		waits := a.create(bob.AccessToken, chain("Waits", manualTrigger(), waitNode(60)))
		owner, err := db.GetWorkflow(ctx, persistence.Scope{Admin: true}, ok.ID)
		if err != nil {
			t.Fatal(err)
		}
		long := time.Now().Add(-10 * time.Minute)

		// Rows written just before a crash: the run was never started.
		neverStarted := &persistence.Execution{WorkflowID: ok.ID, VersionID: ok.VersionID, OwnerID: owner.OwnerID, Mode: nodes.ModeManual, StartedAt: long}
		tooYoung := &persistence.Execution{WorkflowID: ok.ID, VersionID: ok.VersionID, OwnerID: owner.OwnerID, Mode: nodes.ModeManual}
		for _, e := range []*persistence.Execution{neverStarted, tooYoung} {
			if err := db.CreateExecution(ctx, e); err != nil {
				t.Fatal(err)
			}
		}

		// Runs that finished, whose final write the read model lost.
		succeeded := a.execute(bob.AccessToken, ok.ID, "?wait=true", nil)
		failed := a.execute(bob.AccessToken, fails.ID, "?wait=true", nil)
		for _, id := range []string{succeeded.ID, failed.ID} {
			err := db.Gorm().Model(&persistence.Execution{}).Where("id = ?", id).Updates(map[string]any{
				"status": nodes.StatusRunning, "finished_at": nil, "execution_time_ms": nil, "error": nil, "started_at": long,
			}).Error
			if err != nil {
				t.Fatal(err)
			}
		}
		// A run that is still waiting on its timer.
		waiting := a.execute(bob.AccessToken, waits.ID, "", nil)
		a.awaitStatus(bob.AccessToken, waiting.ID, nodes.StatusWaiting)
		if err := db.Gorm().Model(&persistence.Execution{}).Where("id = ?", waiting.ID).Update("started_at", long).Error; err != nil {
			t.Fatal(err)
		}

		fixed, err := a.srv.Reconcile(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if fixed != 3 {
			t.Errorf("Reconcile fixed %d rows, want 3", fixed)
		}
		for _, c := range []struct {
			name, id, status, err string
		}{
			{"never started", neverStarted.ID, nodes.StatusCrashed, "never started"},
			{"too young to judge", tooYoung.ID, nodes.StatusNew, ""},
			{"finished with success", succeeded.ID, nodes.StatusSuccess, ""},
			{"finished with an error", failed.ID, nodes.StatusError, "failed"},
			{"still waiting", waiting.ID, nodes.StatusWaiting, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				e, err := db.GetExecution(ctx, persistence.Scope{Admin: true}, c.id)
				if err != nil {
					t.Fatal(err)
				}
				if e.Status != c.status {
					t.Fatalf("status %s, want %s", e.Status, c.status)
				}
				if final := persistence.Final(c.status); final != (e.FinishedAt != nil) || final != (e.ExecutionTimeMs != nil) {
					t.Errorf("finished_at %v, execution_time_ms %v for status %s", e.FinishedAt, e.ExecutionTimeMs, e.Status)
				}
				switch {
				case c.err == "" && e.Error != nil:
					t.Errorf("error %q", *e.Error)
				case c.err != "" && (e.Error == nil || !strings.Contains(*e.Error, c.err)):
					t.Errorf("error %v, want one saying %q", e.Error, c.err)
				}
			})
		}

		// Once in line, a second pass has nothing to do.
		if fixed, err := a.srv.Reconcile(ctx, time.Minute); err != nil || fixed != 0 {
			t.Fatalf("second Reconcile: %d, %v", fixed, err)
		}
		if err := stack.runner.Cancel(ctx, waiting.ID); err != nil {
			t.Fatal(err)
		}
	})
}
