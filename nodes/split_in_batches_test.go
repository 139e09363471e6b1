package nodes

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// loopDriver runs a Loop Over Items node run after run, storing its state
// through JSON between runs as the runner does.
type loopDriver struct {
	t     *testing.T
	node  *NodeInstance
	w     *Workflow
	state map[string]any
	run   int
}

func newLoop(t *testing.T, version float64, params string) *loopDriver {
	t.Helper()
	n := &NodeInstance{Name: "Loop", Type: "n8n-nodes-base.splitInBatches", TypeVersion: version, Parameters: map[string]any{}}
	if err := json.Unmarshal([]byte(params), &n.Parameters); err != nil {
		t.Fatal(err)
	}
	return &loopDriver{t: t, node: n, w: &Workflow{Nodes: []*NodeInstance{n}}}
}

// step runs the node once on items coming from node from.
func (d *loopDriver) step(from string, items string) [][]Item {
	d.t.Helper()
	in := decodeInputs(d.t, "["+items+"]")
	src := []*SourceRef{{PreviousNode: from}}
	ctx := mergeTestContext(d.w, d.node, d.run, in, src, d.state)
	out, err := (SplitInBatches{}).Execute(ctx, in)
	if err != nil {
		d.t.Fatalf("run %d: %v", d.run, err)
	}
	b, err := json.Marshal(ctx.State)
	if err != nil {
		d.t.Fatalf("run %d: state does not encode: %v", d.run, err)
	}
	d.state = nil
	if err := json.Unmarshal(b, &d.state); err != nil {
		d.t.Fatal(err)
	}
	d.run++
	return out
}

func TestLoopOverItemsV3(t *testing.T) {
	d := newLoop(t, 3, `{"batchSize":2,"options":{}}`)
	out := d.step("Data", `[{"n":1},{"n":2},{"n":3},{"n":4},{"n":5}]`)
	assertOutputs(t, out, `[[],[{"n":1},{"n":2}]]`)
	if got := out[LoopOutputLoop][1].PairedItem; !reflect.DeepEqual(got, PairedItems{{Item: 1}}) {
		t.Errorf("first batch pairing = %v", got)
	}
	if d.state["noItemsLeft"] != false || d.state["currentRunIndex"] != 0.0 || d.state["maxRunIndex"] != 3.0 {
		t.Errorf("state after run 0: %v", d.state)
	}

	out = d.step("Work", `[{"n":1,"sq":1},{"n":2,"sq":4}]`)
	assertOutputs(t, out, `[[],[{"n":3},{"n":4}]]`)
	// Held-back items point at the node they came from, not the loop body.
	want := PairedItems{{Item: 2, SourceOverwrite: &SourceRef{PreviousNode: "Data"}}}
	if got := out[LoopOutputLoop][0].PairedItem; !reflect.DeepEqual(got, want) {
		t.Errorf("second batch pairing = %+v, want %+v", got, want)
	}

	out = d.step("Work", `[{"n":3,"sq":9},{"n":4,"sq":16}]`)
	assertOutputs(t, out, `[[],[{"n":5}]]`)
	if d.state["noItemsLeft"] != true || d.state["currentRunIndex"] != 2.0 {
		t.Errorf("state after run 2: %v", d.state)
	}

	out = d.step("Work", `[{"n":5,"sq":25}]`)
	assertOutputs(t, out, `[[{"n":1,"sq":1},{"n":2,"sq":4},{"n":3,"sq":9},{"n":4,"sq":16},{"n":5,"sq":25}],[]]`)
	if d.state["done"] != true {
		t.Errorf("done not set: %v", d.state)
	}
	// Processed items are paired with the loop-back input of their run.
	want = PairedItems{{Item: 0, SourceOverwrite: &SourceRef{PreviousNode: "Work"}}}
	if got := out[LoopOutputDone][4].PairedItem; !reflect.DeepEqual(got, want) {
		t.Errorf("done pairing = %+v, want %+v", got, want)
	}

	// Without reset, a later run continues from the finished state: nothing
	// is left, so it is done again and adds its input to what was processed.
	out = d.step("Data", `[{"n":6}]`)
	if len(out[LoopOutputDone]) != 6 || len(out[LoopOutputLoop]) != 0 {
		t.Errorf("run after the end: %v", itemOutputs(out))
	}
}

func TestLoopOverItemsReset(t *testing.T) {
	d := newLoop(t, 3, `{"batchSize":1,"options":{"reset":true}}`)
	assertOutputs(t, d.step("Data", `[{"a":1},{"a":2}]`), `[[],[{"a":1}]]`)
	assertOutputs(t, d.step("Data", `[{"b":1},{"b":2}]`), `[[],[{"b":1}]]`)
	if d.state["currentRunIndex"] != 0.0 {
		t.Errorf("reset did not restart: %v", d.state)
	}
}

func TestLoopOverItemsResetNeedsTrue(t *testing.T) {
	d := newLoop(t, 3, `{"batchSize":1,"options":{"reset":"={{ 'true' }}"}}`)
	assertOutputs(t, d.step("Data", `[{"a":1},{"a":2}]`), `[[],[{"a":1}]]`)
	assertOutputs(t, d.step("Data", `[{"b":1}]`), `[[],[{"a":2}]]`)
	d = newLoop(t, 3, `{"batchSize":1,"options":{"reset":"={{ $runIndex > 0 }}"}}`)
	assertOutputs(t, d.step("Data", `[{"a":1},{"a":2}]`), `[[],[{"a":1}]]`)
	assertOutputs(t, d.step("Data", `[{"b":1},{"b":2}]`), `[[],[{"b":1}]]`)
}

func TestLoopOverItemsEdges(t *testing.T) {
	t.Run("empty input is done at once", func(t *testing.T) {
		d := newLoop(t, 3, `{"batchSize":2}`)
		assertOutputs(t, d.step("Data", `[]`), `[]`)
		if d.state["done"] != true || d.state["noItemsLeft"] != true {
			t.Errorf("state: %v", d.state)
		}
	})
	t.Run("default batch size is 1", func(t *testing.T) {
		d := newLoop(t, 3, `{}`)
		assertOutputs(t, d.step("Data", `[{"a":1},{"a":2}]`), `[[],[{"a":1}]]`)
	})
	t.Run("batch size from an expression", func(t *testing.T) {
		d := newLoop(t, 3, `{"batchSize":"={{ 1 + 2 }}"}`)
		assertOutputs(t, d.step("Data", `[{"a":1},{"a":2},{"a":3},{"a":4}]`), `[[],[{"a":1},{"a":2},{"a":3}]]`)
	})
	t.Run("batch larger than the input", func(t *testing.T) {
		d := newLoop(t, 3, `{"batchSize":10}`)
		assertOutputs(t, d.step("Data", `[{"a":1}]`), `[[],[{"a":1}]]`)
		assertOutputs(t, d.step("Body", `[{"a":1,"b":2}]`), `[[{"a":1,"b":2}]]`)
	})
	t.Run("version 2 swaps the outputs", func(t *testing.T) {
		d := newLoop(t, 2, `{"batchSize":1}`)
		assertOutputs(t, d.step("Data", `[{"a":1}]`), `[[{"a":1}]]`)
		assertOutputs(t, d.step("Body", `[{"a":2}]`), `[[],[{"a":2}]]`)
	})
	t.Run("version 1 has one output and stops", func(t *testing.T) {
		d := newLoop(t, 1, `{"batchSize":1}`)
		out := d.step("Data", `[{"a":1},{"a":2}]`)
		assertOutputs(t, out, `[[{"a":1}]]`)
		assertOutputs(t, d.step("Body", `[{"x":1}]`), `[[{"a":2}]]`)
		assertOutputs(t, d.step("Body", `[{"x":2}]`), `[]`)
		if _, ok := d.state["processedItems"]; ok {
			t.Errorf("version 1 keeps no processed items: %v", d.state)
		}
	})
	t.Run("binary data survives the state", func(t *testing.T) {
		d := newLoop(t, 3, `{"batchSize":1}`)
		in := decodeInputs(t, `[[{"a":1},{"a":2}]]`)
		in[0][1].Binary = map[string]*Binary{"data": {Data: "aGk=", MimeType: "text/plain"}}
		ctx := mergeTestContext(d.w, d.node, 0, in, nil, nil)
		if _, err := (SplitInBatches{}).Execute(ctx, in); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(ctx.State)
		var st map[string]any
		_ = json.Unmarshal(b, &st)
		ctx = mergeTestContext(d.w, d.node, 1, [][]Item{{}}, nil, st)
		out, err := (SplitInBatches{}).Execute(ctx, [][]Item{{}})
		if err != nil {
			t.Fatal(err)
		}
		if bin := out[LoopOutputLoop][0].Binary["data"]; bin == nil || bin.Data != "aGk=" {
			t.Fatalf("binary lost: %+v", out[LoopOutputLoop][0])
		}
	})
}

func TestLoopOverItemsValidate(t *testing.T) {
	runValidateCases(t, "n8n-nodes-base.splitInBatches", []validateCase{
		{"ok", 3, `{"batchSize":5}`, ""},
		{"expression", 3, `{"batchSize":"={{ $json.n }}"}`, ""},
		{"zero", 3, `{"batchSize":0}`, "batchSize"},
		{"not a number", 3, `{"batchSize":"lots"}`, "batchSize"},
	})
	d := Lookup("n8n-nodes-base.splitInBatches").Description
	for v, want := range map[float64]int{1: 1, 2: 2, 3: 2} {
		if got := d.OutputCount(&NodeInstance{TypeVersion: v}); got != want {
			t.Errorf("v%v has %d outputs, want %d", v, got, want)
		}
	}
}

// The loop's state keeps items as plain JSON values, directly or after a
// trip through storage, with their binary and pairing intact.
func TestLoopStateItemsRoundTrip(t *testing.T) {
	items := []Item{
		{JSON: map[string]any{"n": 1.0, "o": map[string]any{"a": []any{"x"}}}, PairedItem: PairedItems{{Item: 2, Input: 1}}},
		{JSON: map[string]any{}, Binary: map[string]*Binary{"data": {Data: "aGk=", MimeType: "text/plain", FileName: "a.txt"}},
			PairedItem: PairedItems{{Item: 0, SourceOverwrite: &SourceRef{PreviousNode: "Data", PreviousNodeRun: 1}}}},
	}
	state := itemsToState(items)
	items[0].JSON["n"] = 99.0 // the state holds copies
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	var stored any
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"in memory": state, "stored": stored} {
		got, err := itemsFromState(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 2 || got[0].JSON["n"] != 1.0 || got[0].PairedItem[0] != (PairedItem{Item: 2, Input: 1}) {
			t.Fatalf("%s: first item %+v", name, got[0])
		}
		if b := got[1].Binary["data"]; b == nil || b.Data != "aGk=" || b.FileName != "a.txt" {
			t.Fatalf("%s: binary %+v", name, got[1].Binary)
		}
		if so := got[1].PairedItem[0].SourceOverwrite; so == nil || so.PreviousNode != "Data" || so.PreviousNodeRun != 1 {
			t.Fatalf("%s: sourceOverwrite %+v", name, got[1].PairedItem)
		}
	}
	for _, bad := range []any{"items", []any{1.0}} {
		if _, err := itemsFromState(bad); err == nil || !strings.Contains(err.Error(), "unreadable") {
			t.Fatalf("%v: %v", bad, err)
		}
	}
}
