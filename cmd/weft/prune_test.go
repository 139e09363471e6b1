package main

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// TestRetentionSchedule: a worker creates the retention schedule at start
// (idempotently), and a run of it removes old finished executions only.
func TestRetentionSchedule(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := loadConfig(envOf(map[string]string{"WEFT_DATA_DIR": t.TempDir(), "WEFT_TEMPORAL_PORT": "0",
		"WEFT_TEMPORAL_UI_PORT": "0", "EXECUTIONS_DATA_MAX_AGE": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := start(ctx, cfg, zap.NewNop(), roles{worker: true, embedded: true})
	if s != nil {
		defer s.stop()
	}
	if err != nil {
		t.Fatal(err)
	}
	// A second process starting finds the schedule and leaves it.
	if err := temporal.EnsurePruneSchedule(ctx, s.tclient, temporal.DefaultTaskQueue, true); err != nil {
		t.Fatal(err)
	}
	h := s.tclient.ScheduleClient().GetHandle(ctx, temporal.PruneScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("the retention schedule does not exist: %v", err)
	}
	if iv := desc.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != temporal.PruneInterval {
		t.Fatalf("schedule spec %+v", desc.Schedule.Spec)
	}

	u := &persistence.User{Email: "ops@example.com", PasswordHash: "x", Active: true}
	if err := s.db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	def, err := nodes.ParseWorkflow([]byte(`{"name":"w","nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"position":[0,0],"parameters":{}}],"connections":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.db.CreateWorkflow(ctx, u.ID, def, nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(status string, ago time.Duration) string {
		e := &persistence.Execution{WorkflowID: w.ID, VersionID: w.VersionID, OwnerID: u.ID, Mode: nodes.ModeManual, StartedAt: time.Now().Add(-ago)}
		if err := s.db.CreateExecution(ctx, e); err != nil {
			t.Fatal(err)
		}
		if err := s.db.UpdateExecution(ctx, e.ID, persistence.ExecutionUpdate{Status: status}); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	old := mk(nodes.StatusSuccess, 0)
	// finished_at is now; make it old the way time would.
	if err := s.db.Gorm().WithContext(ctx).Model(&persistence.Execution{}).Where("id = ?", old).
		Update("finished_at", time.Now().UTC().Add(-3*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	waiting := mk(nodes.StatusWaiting, 5*time.Hour)
	fresh := mk(nodes.StatusSuccess, 0)

	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	scope := persistence.Scope{Admin: true}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := s.db.GetExecution(ctx, scope, old)
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the old execution is still there after the schedule ran (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, id := range []string{waiting, fresh} {
		if _, err := s.db.GetExecution(ctx, scope, id); err != nil {
			t.Errorf("execution %s was removed: %v", id, err)
		}
	}
}
