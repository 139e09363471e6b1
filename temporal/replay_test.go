package temporal_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/google/uuid"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/local"
)

// replayFixtures are the workflows whose recorded histories must replay
// against the current interpreter. A change that alters the commands the
// interpreter issues fails this test: put it behind workflow.GetVersion.
// Re-record (only for an intended change that is versioned) with
//
//	WEFT_RECORD_HISTORIES=1 go test ./temporal/ -run TestReplay
//
// or record some fixtures only (a new one) with a comma-separated list of
// names instead of 1. Each fixture is the workflow of that name in
// testdata/workflows, except "retried": a retry of retry-chain, the
// "continued-" ones: the first, second and last run of loop with a history
// limit low enough that it continues as new twice or more, and the
// "chained-" ones: the workflow named after the prefix.
//
// Every fixture but the chained- ones was recorded before executions ran
// consecutive pure nodes in one local activity (ExecutionInput.Chain), which
// every start sets now: they keep the node-by-node histories that
// executions started before chains have. Re-recording one of them turns it
// into a chained history and loses that check.
var replayFixtures = []string{"branching", "merge", "loop", "wait", "error", "continue", "retried",
	"continued-first", "continued-middle", "continued-last",
	"chained-branching", "chained-merge", "chained-loop", "chained-wait", "chained-error"}

func historyPath(name string) string { return filepath.Join("testdata", "histories", name+".json") }

func TestReplay(t *testing.T) {
	if record := os.Getenv("WEFT_RECORD_HISTORIES"); record != "" {
		for _, name := range replayFixtures {
			if record == "1" || slices.Contains(strings.Split(record, ","), name) {
				recordHistory(t, name)
			}
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
	var x *local.Execution
	var events []*historyEvent
	switch name {
	case "continued-first", "continued-middle", "continued-last":
		cx, runs := runChain(t, chainInput(t, loadWorkflow(t, "loop"), uuid.NewString(), 5))
		wantStatus(t, cx, nodes.StatusSuccess)
		if len(runs) < 3 {
			t.Fatalf("loop took %d runs, want 3 or more", len(runs))
		}
		events = map[string][]*historyEvent{"continued-first": runs[0], "continued-middle": runs[1],
			"continued-last": runs[len(runs)-1]}[name]
	case "retried":
		w, version, old := failing(t, "retry-chain", nil)
		x = runVersion(t, w, version, old.ID)
		wantStatus(t, x, nodes.StatusSuccess)
		events = history(t, x.ID)
	default:
		x = execute(t, strings.TrimPrefix(name, "chained-"))
		events = history(t, x.ID)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(&historypb.History{Events: events})
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
