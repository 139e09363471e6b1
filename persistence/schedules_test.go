package persistence_test

import (
	"context"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// TestSchedules covers schedule rows (owner scope, run times) and the
// execution rows of scheduled runs: created once however often the run
// begins, and never for a workflow that is not active.
func TestSchedules(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann, bob := mustUser(t, db, "ann@example.com"), mustUser(t, db, "bob@example.com")
		w, err := db.CreateWorkflow(ctx, ann.ID, sampleWorkflow(t, "Nightly"), nil)
		if err != nil {
			t.Fatal(err)
		}
		row := &persistence.ScheduledWorkflow{WorkflowID: w.ID, OwnerID: ann.ID, NodeName: "Start", ScheduleID: "s-1", Spec: "{}", Timezone: "UTC"}
		if err := db.CreateSchedule(ctx, row); err != nil {
			t.Fatal(err)
		}
		dup := &persistence.ScheduledWorkflow{WorkflowID: w.ID, OwnerID: ann.ID, NodeName: "Start", ScheduleID: "s-1", Spec: "{}"}
		if err := db.CreateSchedule(ctx, dup); nodes.ErrorCode(err) != nodes.CodeConflict {
			t.Errorf("duplicate schedule id: %v, want CONFLICT", err)
		}
		if rows, _ := db.WorkflowSchedules(ctx, persistence.Scope{UserID: bob.ID}, w.ID); len(rows) != 0 {
			t.Errorf("bob sees %d of ann's schedules", len(rows))
		}
		next, last := time.Now().Add(time.Hour).UTC().Truncate(time.Second), time.Now().UTC().Truncate(time.Second)
		if err := db.SetScheduleTimes(ctx, "s-1", &next, &last); err != nil {
			t.Fatal(err)
		}
		if err := db.SetScheduleTimes(ctx, "nope", &next, nil); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Errorf("times of an unknown schedule: %v", err)
		}
		rows, err := db.WorkflowSchedules(ctx, persistence.Scope{UserID: ann.ID}, w.ID)
		if err != nil || len(rows) != 1 || !rows[0].NextRunAt.Equal(next) || !rows[0].LastRunAt.Equal(last) {
			t.Fatalf("rows %+v, %v", rows, err)
		}

		run := persistence.ScheduledRun{ExecutionID: "0b7f6f0e-8f43-5c2e-9d1a-3c1f0a9e0001", WorkflowID: w.ID, VersionID: w.VersionID, StartedAt: time.Now()}
		if _, err := db.BeginScheduledRun(ctx, run); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("run of an inactive workflow: %v, want NOT_FOUND", err)
		}
		if _, err := db.GetExecution(ctx, persistence.Scope{Admin: true}, run.ExecutionID); err == nil {
			t.Fatal("an inactive workflow's scheduled run wrote an execution")
		}
		if err := db.SetWorkflowActive(ctx, persistence.Scope{UserID: ann.ID}, w.ID, true, nil); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			def, err := db.BeginScheduledRun(ctx, run)
			if err != nil || def.Node("Start") == nil {
				t.Fatalf("begin: %v", err)
			}
		}
		e, err := db.GetExecution(ctx, persistence.Scope{UserID: ann.ID}, run.ExecutionID)
		if err != nil || e.Mode != nodes.ModeSchedule || e.VersionID != w.VersionID || e.Status != nodes.StatusNew {
			t.Fatalf("execution %+v, %v", e, err)
		}

		if err := db.DeleteWorkflowSchedules(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if rows, _ := db.WorkflowSchedules(ctx, persistence.Scope{Admin: true}, w.ID); len(rows) != 0 {
			t.Errorf("%d rows after delete", len(rows))
		}
	})
}
