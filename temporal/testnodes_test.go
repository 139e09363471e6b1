package temporal_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weft/weft/nodes"
)

// Test-only node types, registered under "weft-test." names so they never
// clash with real ones.

// emitNode emits the items of its "items" parameter (a list of objects),
// or "count" items {i, pad} with a "pad" string of "bytes" characters.
type emitNode struct{}

func (emitNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.emit", Versions: []float64{1}, Kind: nodes.KindPure}
}
func (emitNode) Validate(*nodes.NodeInstance) error { return nil }
func (emitNode) Execute(ctx *nodes.Context, _ [][]nodes.Item) ([][]nodes.Item, error) {
	var out []nodes.Item
	if list, ok := ctx.Node.Parameters["items"].([]any); ok {
		for _, v := range list {
			m, _ := nodes.CloneJSON(v).(map[string]any)
			out = append(out, nodes.NewItem(m))
		}
		return [][]nodes.Item{out}, nil
	}
	count, _ := ctx.Node.Parameters["count"].(float64)
	size, _ := ctx.Node.Parameters["bytes"].(float64)
	pad := strings.Repeat("x", int(size))
	for i := 0; i < int(count); i++ {
		out = append(out, nodes.NewItem(map[string]any{"i": float64(i), "pad": pad}))
	}
	return [][]nodes.Item{out}, nil
}

// branchNode sends items whose json "flag" is true to output 0, others to
// output 1, like If.
type branchNode struct{}

func (branchNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.branch", Versions: []float64{1}, Kind: nodes.KindPure,
		Outputs: func(*nodes.NodeInstance) int { return 2 }}
}
func (branchNode) Validate(*nodes.NodeInstance) error { return nil }
func (branchNode) Execute(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
	out := [][]nodes.Item{{}, {}}
	for i, it := range in[0] {
		o := 1
		if it.JSON["flag"] == true {
			o = 0
		}
		out[o] = append(out[o], it.Paired(i))
	}
	return out, nil
}

// appendNode has two inputs and outputs input 0's items then input 1's.
type appendNode struct{}

func (appendNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.append", Versions: []float64{1}, Kind: nodes.KindPure,
		Inputs: func(*nodes.NodeInstance) int { return 2 }}
}
func (appendNode) Validate(*nodes.NodeInstance) error { return nil }
func (appendNode) Execute(_ *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
	var out []nodes.Item
	for _, items := range in {
		out = append(out, items...)
	}
	return [][]nodes.Item{out}, nil
}

// batchNode is a small Loop Over Items: it keeps the items still to do in
// its state, sends batches of "batchSize" to output 1 and, when none are
// left, everything its loop gave back to output 0.
type batchNode struct{}

func (batchNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.batch", Versions: []float64{1}, Kind: nodes.KindPure,
		Outputs: func(*nodes.NodeInstance) int { return 2 }}
}
func (batchNode) Validate(*nodes.NodeInstance) error { return nil }
func (batchNode) Execute(ctx *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
	size := 1
	if s, ok := ctx.Node.Parameters["batchSize"].(float64); ok {
		size = int(s)
	}
	var todo, done []any
	if ctx.State == nil {
		for _, it := range in[0] {
			todo = append(todo, it.JSON)
		}
	} else {
		todo, _ = ctx.State["todo"].([]any)
		done, _ = ctx.State["done"].([]any)
		for _, it := range in[0] {
			done = append(done, it.JSON)
		}
	}
	if len(todo) == 0 {
		ctx.State = map[string]any{"todo": []any{}, "done": done}
		out := make([]nodes.Item, len(done))
		for i, j := range done {
			out[i] = nodes.NewItem(j.(map[string]any))
		}
		return [][]nodes.Item{out, {}}, nil
	}
	n := min(size, len(todo))
	batch := make([]nodes.Item, n)
	for i := range batch {
		batch[i] = nodes.NewItem(todo[i].(map[string]any))
	}
	ctx.State = map[string]any{"todo": todo[n:], "done": done}
	return [][]nodes.Item{{}, batch}, nil
}

// flakyNode is an I/O node that fails its first "failures" attempts of
// every run and then passes its input through. It counts attempts per
// execution, node and run.
type flakyNode struct{}

var flaky = struct {
	sync.Mutex
	attempts map[string]int
}{attempts: map[string]int{}}

func flakyAttempts(execution, node string, run int) int {
	flaky.Lock()
	defer flaky.Unlock()
	return flaky.attempts[fmt.Sprintf("%s/%s/%d", execution, node, run)]
}

func (flakyNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.flaky", Versions: []float64{1}, Kind: nodes.KindIO}
}
func (flakyNode) Validate(*nodes.NodeInstance) error { return nil }
func (flakyNode) Execute(ctx *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
	key := fmt.Sprintf("%s/%s/%d", ctx.Execution.ID, ctx.Node.Name, ctx.RunIndex)
	flaky.Lock()
	flaky.attempts[key]++
	n := flaky.attempts[key]
	flaky.Unlock()
	failures, _ := ctx.Node.Parameters["failures"].(float64)
	if n <= int(failures) {
		return nil, nodes.NewNodeError("flaky failure %d", n)
	}
	return [][]nodes.Item{in[0]}, nil
}

// flakyPureNode is flakyNode as a pure node, run as a local activity.
type flakyPureNode struct{ flakyNode }

func (flakyPureNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.flakyPure", Versions: []float64{1}, Kind: nodes.KindPure}
}

// failNode fails with its "message" parameter.
type failNode struct{}

func (failNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.fail", Versions: []float64{1}, Kind: nodes.KindPure}
}
func (failNode) Validate(*nodes.NodeInstance) error { return nil }
func (failNode) Execute(ctx *nodes.Context, _ [][]nodes.Item) ([][]nodes.Item, error) {
	msg, _ := ctx.Node.Parameters["message"].(string)
	return nil, nodes.NewNodeError("%s", msg)
}

// peekNode reports what the run reader shows of the node named in its
// "node" parameter: how many runs it had and its last run's first item.
type peekNode struct{}

func (peekNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.peek", Versions: []float64{1}, Kind: nodes.KindPure}
}
func (peekNode) Validate(*nodes.NodeInstance) error { return nil }
func (peekNode) Execute(ctx *nodes.Context, _ [][]nodes.Item) ([][]nodes.Item, error) {
	name, _ := ctx.Node.Parameters["node"].(string)
	runs, err := ctx.Runs.Runs(name)
	if err != nil {
		return nil, err
	}
	j := map[string]any{"runs": float64(len(runs))}
	if len(runs) > 0 {
		if first := runs[len(runs)-1].Output(0); len(first) > 0 {
			j["first"] = nodes.CloneJSON(first[0].JSON)
		}
	}
	return [][]nodes.Item{{nodes.NewItem(j)}}, nil
}

// sleepNode is an I/O node that waits "ms" milliseconds or until canceled.
type sleepNode struct{}

func (sleepNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.sleep", Versions: []float64{1}, Kind: nodes.KindIO}
}
func (sleepNode) Validate(*nodes.NodeInstance) error { return nil }
func (sleepNode) Execute(ctx *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
	ms, _ := ctx.Node.Parameters["ms"].(float64)
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	return [][]nodes.Item{in[0]}, nil
}

// callsNode is an I/O node that counts its calls per workflow id and
// node, across executions, so a test can see which nodes a retry ran
// again. Call n fails when n is in its "failAt" parameter; otherwise it
// passes its input through with the call number under the node's name in
// every item, or, with "noData", produces no data at all.
type callsNode struct{}

var calls = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

// callCount returns how many times node of the workflow with this id ran.
func callCount(workflowID, node string) int {
	calls.Lock()
	defer calls.Unlock()
	return calls.n[workflowID+"/"+node]
}

func (callsNode) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.calls", Versions: []float64{1}, Kind: nodes.KindIO}
}
func (callsNode) Validate(*nodes.NodeInstance) error { return nil }
func (callsNode) Execute(ctx *nodes.Context, in [][]nodes.Item) ([][]nodes.Item, error) {
	calls.Lock()
	key := ctx.Workflow.ID + "/" + ctx.Node.Name
	calls.n[key]++
	n := calls.n[key]
	calls.Unlock()
	failAt, _ := ctx.Node.Parameters["failAt"].([]any)
	if slices.Contains(failAt, any(float64(n))) {
		return nil, nodes.NewNodeError("%s fails on call %d", ctx.Node.Name, n)
	}
	if ctx.Node.Parameters["noData"] == true {
		return nil, nil
	}
	out := make([]nodes.Item, len(in[0]))
	for i, it := range in[0] {
		if it.JSON == nil {
			it.JSON = map[string]any{}
		}
		it.JSON[ctx.Node.Name] = float64(n)
		out[i] = it.Paired(i)
	}
	return [][]nodes.Item{out}, nil
}

// callsTrigger is callsNode as a trigger, to start a workflow with.
type callsTrigger struct{ callsNode }

func (callsTrigger) Describe() nodes.Description {
	return nodes.Description{Name: "weft-test.callsTrigger", Versions: []float64{1}, Kind: nodes.KindIO, Trigger: true}
}

func init() {
	for _, n := range []nodes.Node{emitNode{}, branchNode{}, appendNode{}, batchNode{}, flakyNode{}, flakyPureNode{}, failNode{}, peekNode{}, sleepNode{},
		callsNode{}, callsTrigger{}} {
		nodes.Register(n)
	}
}
