package temporal_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/local"
)

// triggerItems returns n items of about size bytes each.
func triggerItems(n, size int) []nodes.Item {
	out := make([]nodes.Item, n)
	for i := range out {
		out[i] = nodes.NewItem(map[string]any{"i": float64(i), "text": strings.Repeat("x", size)})
	}
	return out
}

// itemsJSON returns the json of items as outputs() shows one output.
func itemsJSON(t *testing.T, items []nodes.Item) string {
	t.Helper()
	js := make([]map[string]any, len(items))
	for i, it := range items {
		js[i] = it.JSON
	}
	b, err := json.Marshal([][]map[string]any{js})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runOn runs in on c to its end and returns the execution and the
// histories of its runs, first run first.
func runOn(t *testing.T, c *temporal.Client, in temporal.ExecutionInput) (*local.Execution, [][]*historyEvent) {
	t.Helper()
	ctx := testContext(t)
	engine.Definitions.Put(in.VersionID, in.Workflow)
	run, err := c.Start(ctx, in, temporal.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Result(ctx, in.ExecutionID)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := engine.Store.LoadRunData(ctx, in.ExecutionID)
	if err != nil {
		t.Fatal(err)
	}
	return &local.Execution{ID: in.ExecutionID, Result: res, RunData: rd}, runHistories(t, in.ExecutionID, run.GetRunID())
}

// startedInput decodes the input a run's history started with.
func startedInput(t *testing.T, events []*historyEvent) temporal.ExecutionInput {
	t.Helper()
	var in temporal.ExecutionInput
	payloads := events[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
	if err := converter.GetDefaultDataConverter().FromPayloads(payloads, &in); err != nil {
		t.Fatal(err)
	}
	return in
}

func historySize(events []*historyEvent) int {
	size := 0
	for _, e := range events {
		size += proto.Size(e)
	}
	return size
}

func newInput(w *nodes.Workflow, items []nodes.Item) temporal.ExecutionInput {
	return temporal.ExecutionInput{ExecutionID: uuid.NewString(), WorkflowID: w.ID, VersionID: uuid.NewString(),
		Mode: nodes.ModeManual, Workflow: w, TriggerItems: items}
}

func TestStoredTriggerItems(t *testing.T) {
	// small stores any trigger items over 256 bytes.
	small := *engine.Client
	small.InlineTriggerBytes = 256
	for _, tc := range []struct {
		name   string
		client *temporal.Client
		items  []nodes.Item
		stored bool
	}{
		{"3 MB of items go through the store", engine.Client, triggerItems(3000, 1000), true},
		{"small items go inline", engine.Client, triggerItems(3, 10), false},
		{"items over the client's limit are stored", &small, triggerItems(3, 100), true},
		{"items under the client's limit go inline", &small, triggerItems(1, 10), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, runs := runOn(t, tc.client, newInput(loadWorkflow(t, "trigger"), tc.items))
			wantStatus(t, x, nodes.StatusSuccess)
			wantOrder(t, x, "Start", "Next")
			want := itemsJSON(t, tc.items)
			for _, node := range []string{"Start", "Next"} {
				if got := outputs(t, x, node, 0); got != want {
					t.Fatalf("%s output is %d bytes, want the %d bytes of the trigger items", node, len(got), len(want))
				}
			}
			if _, ok := x.RunData[nodes.TriggerRunNode]; ok || len(x.RunData) != 2 {
				t.Fatalf("run data has nodes %v", x.Order())
			}
			in := startedInput(t, runs[0])
			if tc.stored {
				encoded, err := json.Marshal(tc.items)
				if err != nil {
					t.Fatal(err)
				}
				if len(in.TriggerItems) != 0 || in.TriggerRef == nil || in.TriggerRef.Count != len(tc.items) ||
					in.TriggerRef.Bytes != len(encoded) || in.TriggerRef.ExecutionID != x.ID {
					t.Fatalf("started with %d inline items, ref %+v", len(in.TriggerItems), in.TriggerRef)
				}
			} else if in.TriggerRef != nil || len(in.TriggerItems) != len(tc.items) {
				t.Fatalf("started with %d inline items, ref %+v; want them inline", len(in.TriggerItems), in.TriggerRef)
			}
			if size := historySize(runs[0]); size > 64<<10 {
				t.Fatalf("history is %d bytes", size)
			}
		})
	}
	t.Run("a retry copies the trigger's run", func(t *testing.T) {
		w := loadWorkflow(t, "retry-chain")
		w.ID = uuid.NewString()
		items := triggerItems(5, 100)
		in := newInput(w, items)
		old, _ := runOn(t, &small, in)
		wantStatus(t, old, nodes.StatusError)
		retry := temporal.ExecutionInput{ExecutionID: uuid.NewString(), WorkflowID: w.ID, VersionID: in.VersionID,
			Mode: nodes.ModeRetry, Workflow: w, RetryOf: old.ID}
		x, _ := runOn(t, &small, retry)
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "A", "B", "C")
		wantCopied(t, x, old, "Start")
		if got := outputs(t, x, "Start", 0); got != itemsJSON(t, items) {
			t.Fatalf("Start output %s", got)
		}
		if n := len(x.RunData["C"][0].Output(0)); n != len(items) {
			t.Fatalf("C has %d items", n)
		}
	})
	t.Run("a continued run carries no trigger items", func(t *testing.T) {
		items := triggerItems(5, 100)
		in := newInput(loadWorkflow(t, "trigger"), items)
		in.HistoryLimit = 1
		x, runs := runOn(t, &small, in)
		wantStatus(t, x, nodes.StatusSuccess)
		if len(runs) != 2 {
			t.Fatalf("%d runs, want one per task", len(runs))
		}
		if first := startedInput(t, runs[0]); first.TriggerRef == nil {
			t.Fatal("the first run did not get the stored items")
		}
		for i, c := range continuedInputs(t, runs) {
			if c.TriggerRef != nil || len(c.TriggerItems) != 0 {
				t.Fatalf("run %d continued with trigger ref %+v and %d items", i+1, c.TriggerRef, len(c.TriggerItems))
			}
		}
		if got := outputs(t, x, "Next", 0); got != itemsJSON(t, items) {
			t.Fatalf("Next output %s", got)
		}
	})
	t.Run("stored items that are gone fail the trigger", func(t *testing.T) {
		in := newInput(loadWorkflow(t, "trigger"), nil)
		in.TriggerRef = &temporal.StoredItems{ExecutionID: uuid.NewString(), Count: 1}
		x, _ := runOn(t, engine.Client, in)
		wantStatus(t, x, nodes.StatusError)
		if e := x.Result.Error; e == nil || e.Node != "Start" || !strings.Contains(e.Message, "trigger items") {
			t.Fatalf("error %+v", e)
		}
	})
}
