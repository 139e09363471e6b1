package nodes_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/weft/weft/nodes"
)

// fnNode is a test-only node type whose behaviour is picked by its "fn"
// parameter from runnerFns, with as many outputs as its "outputs" parameter
// says (default 1).
type fnNode struct{}

const fnType = "weft-test.runnerFn"

var runnerFns = map[string]func(ctx *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error){
	"pass": func(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) { return [][]nodes.Item{in[0]}, nil },
	"fail": func(*nodes.Context, [][]nodes.Item) ([][]nodes.Item, error) {
		return nil, nodes.NewNodeError("it broke")
	},
	"plainError": func(*nodes.Context, [][]nodes.Item) ([][]nodes.Item, error) { return nil, errors.New("plain") },
	"panic":      func(*nodes.Context, [][]nodes.Item) ([][]nodes.Item, error) { panic("oops") },
	"null":       func(*nodes.Context, [][]nodes.Item) ([][]nodes.Item, error) { return nil, nil },
	"count": func(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
		return [][]nodes.Item{{nodes.NewItem(map[string]any{"n": len(in[0])})}}, nil
	},
	"mutate": func(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
		for _, it := range in[0] {
			it.JSON["touched"] = true
		}
		return [][]nodes.Item{in[0]}, nil
	},
	"fresh": func(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
		out := make([]nodes.Item, len(in[0]))
		for i := range out {
			out[i] = nodes.NewItem(map[string]any{"i": i})
		}
		return [][]nodes.Item{out}, nil
	},
	"three": func(*nodes.Context, [][]nodes.Item) ([][]nodes.Item, error) {
		return [][]nodes.Item{{nodes.NewItem(nil), nodes.NewItem(nil), nodes.NewItem(nil)}}, nil
	},
	"errorItems": func(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
		return [][]nodes.Item{{
			nodes.NewItem(map[string]any{"error": "alone"}).Paired(0),
			nodes.NewItem(map[string]any{"error": "x", "message": "y"}).Paired(1),
			nodes.NewItem(map[string]any{"error": "z", "other": 1}).Paired(2),
			nodes.NewItem(map[string]any{"error": ""}).Paired(2),
			{JSON: map[string]any{"a": 1}, Error: &nodes.NodeError{Message: "flagged"}, PairedItem: nodes.PairedItems{{Item: 0}}},
			nodes.NewItem(map[string]any{"error": "unpaired"}),
		}}, nil
	},
	"filter": func(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
		return [][]nodes.Item{{}, in[0]}, nil
	},
	"state": func(ctx *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
		n, _ := ctx.State["calls"].(float64)
		ctx.State = map[string]any{"calls": n + 1}
		return [][]nodes.Item{in[0]}, nil
	},
	"ints": func(*nodes.Context, [][]nodes.Item) ([][]nodes.Item, error) {
		return [][]nodes.Item{{nodes.NewItem(map[string]any{"n": 3, "list": []any{int64(1)}})}}, nil
	},
}

func (fnNode) Describe() nodes.Description {
	return nodes.Description{
		Name: fnType, Versions: []float64{1}, Kind: nodes.KindPure,
		Outputs: func(n *nodes.NodeInstance) int {
			if o, ok := n.Parameters["outputs"].(float64); ok {
				return int(o)
			}
			return 1
		},
	}
}
func (fnNode) Validate(*nodes.NodeInstance) error { return nil }
func (fnNode) Execute(ctx *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
	name, _ := ctx.Node.Parameters["fn"].(string)
	return runnerFns[name](ctx, in)
}

func init() { nodes.Register(fnNode{}) }

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

func TestRunNode(t *testing.T) {
	three := items(obj("n", 1.0), obj("n", 2.0), obj("n", 3.0))
	src := []*nodes.SourceRef{{PreviousNode: "P"}}
	cases := []struct {
		name   string
		node   nodes.NodeInstance
		inputs [][]nodes.Item
		status string // "" for a nil run (no data)
		output string
		paired string // pairedItem of every output item, as JSON
		errMsg string
	}{
		{name: "pass", node: nodes.NodeInstance{Parameters: obj("fn", "pass")}, inputs: [][]nodes.Item{three},
			status: nodes.StatusSuccess, output: `[[{"n":1},{"n":2},{"n":3}]]`, paired: `[[{"item":0},{"item":1},{"item":2}]]`},
		{name: "disabled passes input 0 through", node: nodes.NodeInstance{Parameters: obj("fn", "fail", "outputs", 2.0), Disabled: true},
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[{"n":1},{"n":2},{"n":3}]]`},
		{name: "no input items: no data", node: nodes.NodeInstance{Parameters: obj("fn", "fail")}, inputs: [][]nodes.Item{{}, nil}},
		{name: "second input only", node: nodes.NodeInstance{Parameters: obj("fn", "count")}, inputs: [][]nodes.Item{{}, three},
			status: nodes.StatusSuccess, output: `[[{"n":0}]]`},
		{name: "execute once", node: nodes.NodeInstance{Parameters: obj("fn", "count"), ExecuteOnce: true}, inputs: [][]nodes.Item{three},
			status: nodes.StatusSuccess, output: `[[{"n":1}]]`},
		{name: "null output", node: nodes.NodeInstance{Parameters: obj("fn", "null")}, inputs: [][]nodes.Item{three}},
		{name: "stop on error", node: nodes.NodeInstance{Parameters: obj("fn", "fail")}, inputs: [][]nodes.Item{three},
			status: nodes.StatusError, output: `null`, errMsg: "it broke"},
		{name: "panic", node: nodes.NodeInstance{Parameters: obj("fn", "panic")}, inputs: [][]nodes.Item{three},
			status: nodes.StatusError, output: `null`, errMsg: `internal error in node "N": oops`},
		{name: "unknown type", node: nodes.NodeInstance{Type: "weft-test.nope"}, inputs: [][]nodes.Item{three},
			status: nodes.StatusError, output: `null`, errMsg: "Unrecognized node type: weft-test.nope"},
		{name: "continue regular output", node: nodes.NodeInstance{Parameters: obj("fn", "plainError"), OnError: nodes.OnErrorContinueRegularOutput},
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[{"error":"plain"}]]`},
		{name: "legacy continueOnFail", node: nodes.NodeInstance{Parameters: obj("fn", "fail"), ContinueOnFail: true},
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[{"error":"it broke"}]]`},
		{name: "continue error output", node: nodes.NodeInstance{Parameters: obj("fn", "fail"), OnError: nodes.OnErrorContinueErrorOutput},
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[],[{"error":"it broke"}]]`},
		{name: "error items routed", node: nodes.NodeInstance{Parameters: obj("fn", "errorItems"), OnError: nodes.OnErrorContinueErrorOutput},
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess,
			output: `[[{"error":"z","other":1},{"error":""}],[{"error":"alone","n":1},{"error":"x","message":"y","n":2},{"error":"flagged"},{"error":"unpaired"}]]`},
		{name: "error items stay without continueErrorOutput", node: nodes.NodeInstance{Parameters: obj("fn", "errorItems")},
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess,
			output: `[[{"error":"alone"},{"error":"x","message":"y"},{"error":"z","other":1},{"error":""},{"error":"flagged"},{"error":"unpaired"}]]`},
		{name: "error output kept empty", node: nodes.NodeInstance{Parameters: obj("fn", "pass"), OnError: nodes.OnErrorContinueErrorOutput},
			inputs: [][]nodes.Item{three}, status: nodes.StatusSuccess, output: `[[{"n":1},{"n":2},{"n":3}],[]]`},
		{name: "paired with the only input item", node: nodes.NodeInstance{Parameters: obj("fn", "three")}, inputs: [][]nodes.Item{three[:1]},
			status: nodes.StatusSuccess, output: `[[{},{},{}]]`, paired: `[[{"item":0},{"item":0},{"item":0}]]`},
		{name: "paired by position", node: nodes.NodeInstance{Parameters: obj("fn", "fresh")}, inputs: [][]nodes.Item{three},
			status: nodes.StatusSuccess, output: `[[{"i":0},{"i":1},{"i":2}]]`, paired: `[[{"item":0},{"item":1},{"item":2}]]`},
		{name: "not paired when counts differ", node: nodes.NodeInstance{Parameters: obj("fn", "count")}, inputs: [][]nodes.Item{three},
			status: nodes.StatusSuccess, output: `[[{"n":3}]]`, paired: `[[null]]`},
		{name: "always output data", node: nodes.NodeInstance{Parameters: obj("fn", "filter", "outputs", 2.0), AlwaysOutputData: true},
			inputs: [][]nodes.Item{three[:2]}, status: nodes.StatusSuccess, output: `[[{}],[{"n":1},{"n":2}]]`,
			paired: `[[[{"item":0},{"item":1}]],[null,null]]`},
		{name: "always output data on null", node: nodes.NodeInstance{Parameters: obj("fn", "null"), AlwaysOutputData: true},
			inputs: [][]nodes.Item{three[:1]}, status: nodes.StatusSuccess, output: `[[{}]]`},
		{name: "json normalised", node: nodes.NodeInstance{Parameters: obj("fn", "ints")}, inputs: [][]nodes.Item{three[:1]},
			status: nodes.StatusSuccess, output: `[[{"list":[1],"n":3}]]`},
		{name: "trigger without items gets one empty item", node: nodes.NodeInstance{Type: "n8n-nodes-base.manualTrigger", TypeVersion: 1},
			status: nodes.StatusSuccess, output: `[[{}]]`},
		{name: "trigger items", node: nodes.NodeInstance{Type: "n8n-nodes-base.manualTrigger", TypeVersion: 1},
			inputs: [][]nodes.Item{three[:2]}, status: nodes.StatusSuccess, output: `[[{"n":1},{"n":2}]]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := c.node
			n.Name = "N"
			if n.Type == "" {
				n.Type = fnType
				n.TypeVersion = 1
			}
			ctx := &nodes.Context{Context: context.Background(), Workflow: &nodes.Workflow{Nodes: []*nodes.NodeInstance{&n}},
				Node: &n, Inputs: c.inputs, Source: src}
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
				if run.Error == nil || run.Error.Message != c.errMsg || run.Error.Node != "N" || run.Error.Timestamp == 0 {
					t.Fatalf("error %+v", run.Error)
				}
			}
			if run.StartTime == 0 || run.Source == nil {
				t.Fatalf("run metadata %+v", run)
			}
		})
	}
}

func TestRunNodeCopiesInputs(t *testing.T) {
	n := &nodes.NodeInstance{Name: "N", Type: fnType, TypeVersion: 1, Parameters: obj("fn", "mutate")}
	in := items(obj("n", 1.0))
	run := nodes.RunNode(&nodes.Context{Context: context.Background(), Node: n, Inputs: [][]nodes.Item{in}})
	if _, touched := in[0].JSON["touched"]; touched {
		t.Fatal("Execute changed the caller's item")
	}
	if got := outputJSON(t, run); got != `[[{"n":1,"touched":true}]]` {
		t.Fatalf("output %s", got)
	}
}

func TestRunNodeState(t *testing.T) {
	n := &nodes.NodeInstance{Name: "N", Type: fnType, TypeVersion: 1, Parameters: obj("fn", "state")}
	var state map[string]any
	for i := 1; i <= 3; i++ {
		run := nodes.RunNode(&nodes.Context{Context: context.Background(), Node: n, RunIndex: i - 1, State: state,
			Inputs: [][]nodes.Item{items(obj())}})
		state = run.State
		if want := map[string]any{"calls": float64(i)}; !reflect.DeepEqual(state, want) {
			t.Fatalf("run %d state %v", i, state)
		}
	}
}
