package nodes_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
)

func items(js ...map[string]any) []nodes.Item {
	out := make([]nodes.Item, len(js))
	for i, j := range js {
		out[i] = nodes.NewItem(j)
	}
	return out
}

func obj(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// outputJSON returns a run's outputs as JSON text for comparison.
func outputJSON(t *testing.T, run *nodes.NodeRun) string {
	t.Helper()
	var out [][]map[string]any
	for _, o := range run.Main() {
		js := []map[string]any{}
		for _, it := range o {
			js = append(js, it.JSON)
		}
		out = append(out, js)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	codeType   = "n8n-nodes-base.code"
	filterType = "n8n-nodes-base.filter"
	noOpType   = "n8n-nodes-base.noOp"
	mergeT     = "n8n-nodes-base.merge"
)

func code(js string) nodes.NodeInstance {
	return nodes.NodeInstance{Type: codeType, TypeVersion: 2, Parameters: obj("jsCode", js)}
}

// badLanguage is a Code node whose Execute fails: an unknown language.
func badLanguage() nodes.NodeInstance {
	return nodes.NodeInstance{Type: codeType, TypeVersion: 2, Parameters: obj("language", "ruby", "pythonCode", "return []")}
}

// nothingPasses is a Filter that discards every item onto its second
// output.
func nothingPasses() nodes.NodeInstance {
	return nodes.NodeInstance{Type: filterType, TypeVersion: 2.2, Parameters: obj("conditions", obj(
		"options", obj("caseSensitive", true, "leftValue", "", "typeValidation", "strict", "version", 2.0),
		"combinator", "and",
		"conditions", []any{obj("id", "1", "leftValue", "={{ $json.n }}", "rightValue", 100.0,
			"operator", obj("type", "number", "operation", "gt"))},
	))}
}

func TestRunNode(t *testing.T) {
	three := items(obj("n", 1.0), obj("n", 2.0), obj("n", 3.0))
	src := []*nodes.SourceRef{{PreviousNode: "P"}}
	with := func(n nodes.NodeInstance, f func(*nodes.NodeInstance)) nodes.NodeInstance { f(&n); return n }
	cases := []struct {
		name   string
		node   nodes.NodeInstance
		inputs [][]nodes.Item
		status string // "" for a nil run (no data)
		output string
		paired string // pairedItem of every output item, as JSON
		errMsg string // substring of the run's error
	}{
		{name: "pass", node: nodes.NodeInstance{Type: noOpType, TypeVersion: 1}, inputs: [][]nodes.Item{three},
			status: nodes.StatusSuccess, output: `[[{"n":1},{"n":2},{"n":3}]]`, paired: `[[{"item":0},{"item":1},{"item":2}]]`},
		{name: "disabled passes input 0 through", node: with(code("throw new Error('ran')"), func(n *nodes.NodeInstance) { n.Disabled = true }),
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[{"n":1},{"n":2},{"n":3}]]`},
		{name: "no input items: no data", node: code("throw new Error('ran')"), inputs: [][]nodes.Item{{}, nil}},
		{name: "runs on its second input", node: nodes.NodeInstance{Type: mergeT, TypeVersion: 3.2}, inputs: [][]nodes.Item{{}, three[:1]},
			status: nodes.StatusSuccess, output: `[[{"n":1}]]`},
		{name: "execute once", node: with(code("return [{json: {seen: $input.all().length}}]"), func(n *nodes.NodeInstance) { n.ExecuteOnce = true }),
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[{"seen":1}]]`},
		{name: "stop on error", node: code("throw new Error('it broke')"), inputs: [][]nodes.Item{three},
			status: nodes.StatusError, output: `null`, errMsg: "it broke"},
		{name: "unknown type", node: nodes.NodeInstance{Type: "weft-test.nope", TypeVersion: 1}, inputs: [][]nodes.Item{three},
			status: nodes.StatusError, output: `null`, errMsg: "Unrecognized node type: weft-test.nope"},
		{name: "execute error, continue regular output", node: with(badLanguage(), func(n *nodes.NodeInstance) { n.OnError = nodes.OnErrorContinueRegularOutput }),
			inputs: [][]nodes.Item{three}, status: nodes.StatusError, output: `[[{"n":1},{"n":2},{"n":3}]]`, errMsg: "Unsupported language: ruby"},
		{name: "execute error, legacy continueOnFail", node: with(badLanguage(), func(n *nodes.NodeInstance) { n.ContinueOnFail = true }),
			inputs: [][]nodes.Item{three}, status: nodes.StatusError, output: `[[{"n":1},{"n":2},{"n":3}]]`, errMsg: "Unsupported language: ruby"},
		{name: "execute error, continue error output", node: with(badLanguage(), func(n *nodes.NodeInstance) { n.OnError = nodes.OnErrorContinueErrorOutput }),
			inputs: [][]nodes.Item{three}, status: nodes.StatusError, output: `[[{"n":1},{"n":2},{"n":3}],[]]`, errMsg: "Unsupported language: ruby"},
		{name: "error-like items routed and merged with their input item",
			node: with(code(`return [
				{json: {error: 'alone'}, pairedItem: 0},
				{json: {error: 'x', message: 'y'}, pairedItem: 1},
				{json: {error: 'z', other: 1}, pairedItem: 2},
				{json: {error: ''}, pairedItem: 2},
				{json: {error: 'unpaired'}},
			]`), func(n *nodes.NodeInstance) { n.OnError = nodes.OnErrorContinueErrorOutput }),
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess,
			output: `[[{"error":"z","other":1},{"error":""}],[{"error":"alone","n":1},{"error":"x","message":"y","n":2},{"error":"unpaired"}]]`},
		{name: "error-like items stay without continueErrorOutput", node: code(`return [{json: {error: 'alone'}}]`),
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[{"error":"alone"}]]`},
		{name: "error output present and empty", node: nodes.NodeInstance{Type: noOpType, TypeVersion: 1, OnError: nodes.OnErrorContinueErrorOutput},
			inputs: [][]nodes.Item{three[:1]}, status: nodes.StatusSuccess, output: `[[{"n":1}],[]]`},
		{name: "paired with the only input item", node: code("return [{json: {}}, {json: {}}, {json: {}}]"), inputs: [][]nodes.Item{three[:1]},
			status: nodes.StatusSuccess, output: `[[{},{},{}]]`, paired: `[[{"item":0},{"item":0},{"item":0}]]`},
		{name: "paired by position", node: code("return $input.all().map((it, i) => ({json: {i}}))"), inputs: [][]nodes.Item{three},
			status: nodes.StatusSuccess, output: `[[{"i":0},{"i":1},{"i":2}]]`, paired: `[[{"item":0},{"item":1},{"item":2}]]`},
		{name: "not paired when the counts differ", node: code("return [{json: {n: 3}}]"), inputs: [][]nodes.Item{three},
			status: nodes.StatusSuccess, output: `[[{"n":3}]]`, paired: `[[null]]`},
		{name: "always output data", node: with(nothingPasses(), func(n *nodes.NodeInstance) { n.AlwaysOutputData = true }),
			inputs: [][]nodes.Item{three[:2]}, status: nodes.StatusSuccess, output: `[[{}],[{"n":1},{"n":2}]]`},
		{name: "always output data off", node: nothingPasses(),
			inputs: [][]nodes.Item{three[:2]}, status: nodes.StatusSuccess, output: `[[],[{"n":1},{"n":2}]]`},
		{name: "trigger without items gets one empty item", node: nodes.NodeInstance{Type: "n8n-nodes-base.manualTrigger", TypeVersion: 1},
			status: nodes.StatusSuccess, output: `[[{}]]`},
		{name: "trigger items", node: nodes.NodeInstance{Type: "n8n-nodes-base.manualTrigger", TypeVersion: 1},
			inputs: [][]nodes.Item{three[:2]}, status: nodes.StatusSuccess, output: `[[{"n":1},{"n":2}]]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := c.node
			n.Name = "N"
			if n.Parameters == nil {
				n.Parameters = map[string]any{}
			}
			ctx := &nodes.Context{Context: context.Background(), Workflow: &nodes.Workflow{Nodes: []*nodes.NodeInstance{&n}},
				Node: &n, Inputs: c.inputs, Source: src, Expr: expr.New(expr.Options{}), Runs: noRuns{}}
			run := nodes.RunNode(ctx)
			if c.status == "" {
				if run != nil {
					t.Fatalf("want no data, got %+v", run)
				}
				return
			}
			if run == nil {
				t.Fatal("want a run, got no data")
			}
			if run.ExecutionStatus != c.status {
				t.Fatalf("status %s (error %v)", run.ExecutionStatus, run.Error)
			}
			if got := outputJSON(t, run); got != c.output {
				t.Fatalf("output\n got %s\nwant %s", got, c.output)
			}
			if c.paired != "" {
				var ps [][]any
				for _, o := range run.Main() {
					var p []any
					for _, it := range o {
						if it.PairedItem == nil {
							p = append(p, nil)
						} else {
							p = append(p, it.PairedItem)
						}
					}
					ps = append(ps, p)
				}
				b, _ := json.Marshal(ps)
				if string(b) != c.paired {
					t.Fatalf("pairedItem\n got %s\nwant %s", b, c.paired)
				}
			}
			if c.errMsg != "" {
				if run.Error == nil || !strings.Contains(run.Error.Message, c.errMsg) || run.Error.Node != "N" || run.Error.Timestamp == 0 {
					t.Fatalf("error %+v", run.Error)
				}
			}
			if run.StartTime == 0 || run.Source == nil {
				t.Fatalf("run metadata %+v", run)
			}
		})
	}
}

// noRuns is a RunReader of an execution where nothing else ran.
type noRuns struct{}

func (noRuns) Runs(string) ([]*nodes.NodeRun, error) { return nil, nil }

func TestRunNodeCopiesInputs(t *testing.T) {
	n := code("for (const it of $input.all()) { it.json.touched = true }; return $input.all()")
	n.Name = "N"
	in := items(obj("n", 1.0))
	run := nodes.RunNode(&nodes.Context{Context: context.Background(), Workflow: &nodes.Workflow{Nodes: []*nodes.NodeInstance{&n}},
		Node: &n, Inputs: [][]nodes.Item{in}, Expr: expr.New(expr.Options{}), Runs: noRuns{}})
	if _, touched := in[0].JSON["touched"]; touched {
		t.Fatal("Execute changed the caller's item")
	}
	if got := outputJSON(t, run); got != `[[{"n":1,"touched":true}]]` {
		t.Fatalf("output %s", got)
	}
}

// TestRunNodeState runs Loop Over Items three times, passing each run's
// state to the next as the interpreter does.
func TestRunNodeState(t *testing.T) {
	n := &nodes.NodeInstance{Name: "Loop", Type: "n8n-nodes-base.splitInBatches", TypeVersion: 3, Parameters: obj("batchSize", 2.0, "options", obj())}
	w := &nodes.Workflow{Nodes: []*nodes.NodeInstance{n}}
	inputs := [][]nodes.Item{items(obj("n", 1.0), obj("n", 2.0), obj("n", 3.0))}
	var state map[string]any
	var got []string
	for run := 0; run < 3; run++ {
		r := nodes.RunNode(&nodes.Context{Context: context.Background(), Workflow: w, Node: n, RunIndex: run, State: state,
			Inputs: inputs, Source: []*nodes.SourceRef{{PreviousNode: "P"}}, Expr: expr.New(expr.Options{}), Runs: noRuns{}})
		if r == nil || r.ExecutionStatus != nodes.StatusSuccess {
			t.Fatalf("run %d: %+v", run, r)
		}
		got = append(got, outputJSON(t, r))
		// The state goes through the store as JSON.
		b, err := json.Marshal(r.State)
		if err != nil {
			t.Fatal(err)
		}
		state = nil
		if err := json.Unmarshal(b, &state); err != nil {
			t.Fatal(err)
		}
		inputs = [][]nodes.Item{r.Output(1)}
	}
	want := []string{`[[],[{"n":1},{"n":2}]]`, `[[],[{"n":3}]]`, `[[{"n":1},{"n":2},{"n":3}],[]]`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("outputs\n got %v\nwant %v", got, want)
	}
}
