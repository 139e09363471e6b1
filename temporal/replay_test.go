package temporal_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/weft/weft/temporal"
)

// replayFixtures are the workflows whose recorded histories must replay
// against the current interpreter. A change that alters the commands the
// interpreter issues fails this test: put it behind workflow.GetVersion.
// Re-record (only for an intended change that is versioned) with
//
//	WEFT_RECORD_HISTORIES=1 go test ./temporal/ -run TestReplay
var replayFixtures = []string{"branching", "merge", "loop", "wait", "error", "continue"}

func historyPath(name string) string { return filepath.Join("testdata", "histories", name+".json") }

func TestReplay(t *testing.T) {
	if os.Getenv("WEFT_RECORD_HISTORIES") == "1" {
		for _, name := range replayFixtures {
			recordHistory(t, name)
		}
	}
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, name := range replayFixtures {
		t.Run(name, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(temporal.InterpreterWorkflow, workflow.RegisterOptions{Name: temporal.WorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(logger, historyPath(name)); err != nil {
				t.Fatalf("replaying %s: %v", name, err)
			}
		})
	}
}

func recordHistory(t *testing.T, name string) {
	t.Helper()
	x := execute(t, name)
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(&historypb.History{Events: history(t, x.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(historyPath(name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(historyPath(name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", historyPath(name))
}
