package temporal_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/local"
)

// runVersion runs w, stored as version, once; when retryOf is set the
// execution retries that one.
func runVersion(t *testing.T, w *nodes.Workflow, version, retryOf string) *local.Execution {
	t.Helper()
	ctx := testContext(t)
	engine.Definitions.Put(version, w)
	in := temporal.ExecutionInput{ExecutionID: uuid.NewString(), WorkflowID: w.ID, VersionID: version,
		Mode: nodes.ModeManual, Workflow: w, RetryOf: retryOf}
	if retryOf != "" {
		in.Mode = nodes.ModeRetry
	}
	res, err := engine.Client.Run(ctx, in, temporal.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := engine.Store.LoadRunData(ctx, in.ExecutionID)
	if err != nil {
		t.Fatal(err)
	}
	return &local.Execution{ID: in.ExecutionID, Result: res, RunData: rd}
}

// failing loads a retry fixture under a fresh workflow id (the calls
// counters are per workflow id), runs it once and checks that it failed.
func failing(t *testing.T, name string, change func(w *nodes.Workflow)) (w *nodes.Workflow, version string, x *local.Execution) {
	t.Helper()
	w = loadWorkflow(t, name)
	w.ID = uuid.NewString()
	if change != nil {
		change(w)
	}
	version = uuid.NewString()
	x = runVersion(t, w, version, "")
	wantStatus(t, x, nodes.StatusError)
	return w, version, x
}

func wantCalls(t *testing.T, w *nodes.Workflow, want map[string]int) {
	t.Helper()
	for node, n := range want {
		if got := callCount(w.ID, node); got != n {
			t.Errorf("%s ran %d times, want %d", node, got, n)
		}
	}
}

// wantCopied checks that the retry's runs of node are the old execution's.
func wantCopied(t *testing.T, retry, old *local.Execution, node string) {
	t.Helper()
	if len(old.RunData[node]) == 0 || !reflect.DeepEqual(retry.RunData[node], old.RunData[node]) {
		t.Fatalf("%s runs were not copied:\nretry %+v\nold   %+v", node, retry.RunData[node], old.RunData[node])
	}
}

func TestRetry(t *testing.T) {
	t.Run("reuses the runs before the failed node", func(t *testing.T) {
		w, version, old := failing(t, "retry-chain", nil)
		wantOrder(t, old, "Start", "A", "B")
		x := runVersion(t, w, version, old.ID)
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "A", "B", "C")
		wantCalls(t, w, map[string]int{"A": 1, "B": 2, "C": 1})
		wantCopied(t, x, old, "Start")
		wantCopied(t, x, old, "A")
		if got := outputs(t, x, "C", 0); got != `[[{"A":1,"B":2,"C":1}]]` {
			t.Fatalf("C output %s", got)
		}
		b := x.RunData["B"][0]
		if b.ExecutionStatus != nodes.StatusSuccess || b.ExecutionIndex != 2 || len(b.Source) != 1 || b.Source[0].PreviousNode != "A" {
			t.Fatalf("B run %+v", b)
		}
		if x.Result.LastNodeExecuted != "C" {
			t.Fatalf("last node %q", x.Result.LastNodeExecuted)
		}
		// The retried execution keeps its own run data.
		rd, err := engine.Store.LoadRunData(testContext(t), old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rd, old.RunData) {
			t.Fatal("retrying changed the old execution's run data")
		}
	})
	t.Run("a retry of a retry reuses the copied runs", func(t *testing.T) {
		w, version, old := failing(t, "retry-chain", func(w *nodes.Workflow) {
			w.Node("B").Parameters["failAt"] = []any{1.0, 2.0}
		})
		first := runVersion(t, w, version, old.ID)
		wantStatus(t, first, nodes.StatusError)
		second := runVersion(t, w, version, first.ID)
		wantStatus(t, second, nodes.StatusSuccess)
		wantCalls(t, w, map[string]int{"A": 1, "B": 3, "C": 1})
		wantCopied(t, second, old, "A")
	})
	t.Run("a failed first node runs everything", func(t *testing.T) {
		w, version, old := failing(t, "retry-first", nil)
		wantOrder(t, old, "Hook")
		x := runVersion(t, w, version, old.ID)
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Hook", "A")
		wantCalls(t, w, map[string]int{"Hook": 2, "A": 1})
		if got := outputs(t, x, "A", 0); got != `[[{"A":1,"Hook":2}]]` {
			t.Fatalf("A output %s", got)
		}
	})
	t.Run("a node that produced no data is not run again", func(t *testing.T) {
		w, version, old := failing(t, "retry-nodata", nil)
		wantOrder(t, old, "Start", "A", "B")
		wantCalls(t, w, map[string]int{"Nothing": 1})
		x := runVersion(t, w, version, old.ID)
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "A", "B")
		wantCalls(t, w, map[string]int{"Nothing": 1, "A": 1, "B": 2})
		if b := x.RunData["B"][0]; b.ExecutionIndex != 3 {
			t.Fatalf("B has execution index %d, want 3 (after Start, Nothing and A)", b.ExecutionIndex)
		}
	})
	t.Run("a loop resumes at the failed iteration", func(t *testing.T) {
		w, version, old := failing(t, "retry-loop", nil)
		wantOrder(t, old, "Start", "Data", "Loop", "Body", "Loop", "Body")
		x := runVersion(t, w, version, old.ID)
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "Data", "Loop", "Body", "Loop", "Body", "Loop", "Body", "Loop", "Done")
		wantCalls(t, w, map[string]int{"Body": 4})
		for run, want := range []string{`[[{"Body":1,"n":1}]]`, `[[{"Body":3,"n":2}]]`, `[[{"Body":4,"n":3}]]`} {
			if got := outputs(t, x, "Body", run); got != want {
				t.Errorf("Body run %d output %s, want %s", run, got, want)
			}
		}
		if got := outputs(t, x, "Done", 0); got != `[[{"Body":1,"n":1},{"Body":3,"n":2},{"Body":4,"n":3}]]` {
			t.Fatalf("Done output %s", got)
		}
	})
	t.Run("fails clearly when the old run data is gone", func(t *testing.T) {
		w, version, old := failing(t, "retry-chain", nil)
		if err := engine.Store.DeleteExecution(testContext(t), old.ID); err != nil {
			t.Fatal(err)
		}
		x := runVersion(t, w, version, old.ID)
		wantStatus(t, x, nodes.StatusError)
		want := "Cannot retry execution " + old.ID + ": execution " + old.ID + " has no run data to retry from"
		if x.Result.Error == nil || !strings.HasPrefix(x.Result.Error.Message, want) {
			t.Fatalf("error %+v, want %q…", x.Result.Error, want)
		}
		if len(x.RunData) != 0 {
			t.Fatalf("run data %v", x.RunData)
		}
		wantCalls(t, w, map[string]int{"A": 1, "B": 1, "C": 0})
		recs := engine.Recorder.Records(x.ID)
		if last := recs[len(recs)-1]; last.Status != nodes.StatusError || last.Error == nil || !strings.HasPrefix(last.Error.Message, want) {
			t.Fatalf("last record %+v", last)
		}
	})
}
