package nodes

import (
	"fmt"
	"runtime/debug"
	"time"
)

// RunNode runs ctx.Node once on ctx.Inputs the way n8n's engine runs a node,
// and returns the run to record, or nil when the node produced no data at
// all (n8n's null output: nothing is recorded and the branch ends).
//
// It applies the node's settings around Node.Execute:
//   - disabled: input 0 passes through to output 0 unchanged;
//   - a node that is not a trigger runs only if one of its inputs has items;
//     a trigger whose input is empty gets one empty item;
//   - executeOnce: every input is cut to its first item;
//   - an error of Execute fails the run; with onError stopWorkflow the
//     execution stops, otherwise (continueRegularOutput,
//     continueErrorOutput) the failed run passes its input 0 through to
//     output 0, as n8n's engine does, and the workflow goes on;
//   - continueErrorOutput: output items that are errors (Item.Error set, or
//     json holding only "error", or "error" and "message") move to the extra
//     last output, merged into the json of the input item they pair with;
//   - output items without pairedItem are paired as n8n does: with the only
//     input item, or item i with input item i when the counts agree;
//   - alwaysOutputData: an empty output 0 becomes one empty item;
//   - item json is normalised (NormalizeJSON).
//
// The run carries its start time, duration, status, sources and ctx.State
// as the node left it. Execute receives copies of the input items, so it may
// change them freely.
func RunNode(ctx *Context) *NodeRun {
	start := time.Now()
	if ctx.Now == nil {
		ctx.Now = func() time.Time { return start }
	}
	n := ctx.Node
	run := &NodeRun{StartTime: start.UnixMilli(), ExecutionStatus: StatusSuccess, Source: ctx.Source}
	if run.Source == nil {
		run.Source = []*SourceRef{}
	}
	reg := Lookup(n.Type)
	trigger := reg != nil && reg.Trigger
	orig := ctx.Inputs
	inputs := cloneInputs(orig)
	if trigger && (len(inputs) == 0 || len(inputs[0]) == 0) {
		inputs = [][]Item{{NewItem(nil)}}
	}
	ctx.Inputs = inputs

	var out [][]Item
	var err error
	switch {
	case n.Disabled:
		if len(inputs) == 0 {
			return nil
		}
		out = [][]Item{inputs[0]}
	case !trigger && !hasItems(inputs):
		return nil
	case reg == nil:
		err = NewNodeError("Unrecognized node type: %s", n.Type)
	default:
		if n.ExecuteOnce {
			ctx.Inputs = firstItems(inputs)
		}
		out, err = execute(reg.Node, ctx)
	}
	run.State = ctx.State

	if err != nil {
		ne := nodeError(ctx, err)
		if n.ErrorMode() == OnErrorStop {
			run.ExecutionStatus = StatusError
			run.Error = ne
			run.ExecutionTime = time.Since(start).Milliseconds()
			return run
		}
		// n8n's engine: the run is recorded as failed, and the node's
		// input 0 passes through to output 0 so the workflow goes on.
		run.ExecutionStatus = StatusError
		run.Error = ne
		out = nil
		if len(orig) > 0 && orig[0] != nil {
			out = cloneInputs(orig[:1]) // Execute may have changed its copies
		}
	}
	if out != nil && n.OnError == OnErrorContinueErrorOutput && reg != nil {
		out = routeErrorItems(out, reg.OutputCount(n), inputs, ctx.Source)
	}
	assignPairedItems(out, inputs)
	inheritKeyOrders(out, inputs)
	if n.AlwaysOutputData && (len(out) == 0 || len(out[0]) == 0) {
		var paired PairedItems
		for k, in := range inputs {
			for i := range in {
				paired = append(paired, PairedItem{Item: i, Input: k})
			}
		}
		if len(out) == 0 {
			out = [][]Item{nil}
		}
		out[0] = []Item{{JSON: map[string]any{}, PairedItem: paired}}
	}
	if out == nil && run.Error == nil {
		return nil
	}
	for _, items := range out {
		for i := range items {
			normalizeItem(&items[i])
		}
	}
	run.Data = map[string][][]Item{ConnectionMain: out}
	run.ExecutionTime = time.Since(start).Milliseconds()
	return run
}

// execute calls Execute, turning a panic into a node error.
func execute(node Node, ctx *Context) (out [][]Item, err error) {
	defer func() {
		if r := recover(); r != nil {
			out = nil
			err = &NodeError{Name: "NodeOperationError", Message: fmt.Sprintf("internal error in node %q: %v", ctx.Node.Name, r),
				Description: string(debug.Stack())}
		}
	}()
	return node.Execute(ctx, ctx.Inputs)
}

// nodeError turns err into the NodeError recorded for ctx's node.
func nodeError(ctx *Context, err error) *NodeError {
	ne := AsNodeError(err)
	if ne.Node == "" {
		ne.Node = ctx.Node.Name
	}
	if ne.Timestamp == 0 {
		ne.Timestamp = ctx.Now().UnixMilli()
	}
	if ne.Name == "" {
		ne.Name = "NodeOperationError"
	}
	return ne
}

func hasItems(inputs [][]Item) bool {
	for _, in := range inputs {
		if len(in) > 0 {
			return true
		}
	}
	return false
}

func cloneInputs(inputs [][]Item) [][]Item {
	if inputs == nil {
		return nil
	}
	out := make([][]Item, len(inputs))
	for i, in := range inputs {
		if in == nil {
			continue
		}
		out[i] = make([]Item, len(in))
		for j, it := range in {
			out[i][j] = it.Clone()
		}
	}
	return out
}

func firstItems(inputs [][]Item) [][]Item {
	out := make([][]Item, len(inputs))
	for i, in := range inputs {
		if len(in) > 1 {
			in = in[:1]
		}
		out[i] = in
	}
	return out
}

// routeErrorItems moves the error items of every regular output to the
// error output, the last of nOutputs: n8n's handleNodeErrorOutput.
func routeErrorItems(out [][]Item, nOutputs int, inputs [][]Item, sources []*SourceRef) [][]Item {
	if nOutputs < 1 {
		return out
	}
	for len(out) < nOutputs {
		out = append(out, nil)
	}
	var errs []Item
	for o := 0; o < nOutputs-1; o++ {
		ok := []Item{}
		for _, it := range out[o] {
			if !isErrorItem(it) {
				ok = append(ok, it)
				continue
			}
			errs = append(errs, mergePairedInput(it, inputs, sources))
		}
		out[o] = ok
	}
	if errs == nil {
		errs = []Item{}
	}
	out[nOutputs-1] = errs
	return out
}

// isErrorItem reports whether n8n's error output takes the item: it carries
// an error, or its json is {error} or {error, message} with a truthy error.
func isErrorItem(it Item) bool {
	if it.Error != nil {
		return true
	}
	if !jsTruthy(it.JSON["error"]) {
		return false
	}
	for k := range it.JSON {
		if k != "error" && k != "message" {
			return false
		}
	}
	return true
}

// mergePairedInput returns the error item with the json of the input item
// it pairs with underneath its own.
func mergePairedInput(it Item, inputs [][]Item, sources []*SourceRef) Item {
	if len(it.PairedItem) == 0 || len(sources) == 0 {
		return it
	}
	p := it.PairedItem[0]
	if p.Input < 0 || p.Input >= len(inputs) || p.Input >= len(sources) || sources[p.Input] == nil ||
		p.Item < 0 || p.Item >= len(inputs[p.Input]) {
		return it
	}
	merged := CloneJSON(inputs[p.Input][p.Item].JSON).(map[string]any)
	if merged == nil {
		merged = map[string]any{}
	}
	for k, v := range it.JSON {
		merged[k] = v
	}
	it.JSON = merged
	return it
}

// assignPairedItems pairs output items that lack pairedItem, when n8n can
// tell which input item they came from; it stops at the first item it
// cannot pair.
func assignPairedItems(out [][]Item, inputs [][]Item) {
	if len(out) == 0 {
		return
	}
	single := len(inputs) == 1 && len(inputs[0]) == 1
	same := len(out) == 1 && len(inputs) == 1 && len(inputs[0]) == len(out[0])
	for _, items := range out {
		for i := range items {
			if items[i].PairedItem != nil {
				continue
			}
			switch {
			case single:
				items[i].PairedItem = PairedItems{{Item: 0}}
			case same:
				items[i].PairedItem = PairedItems{{Item: i}}
			default:
				return
			}
		}
	}
}

// inheritKeyOrders gives each output item that has no key order the order
// of the input item it is paired with (one pairing only), so that a node
// that rebuilds an item's json keeps the input's keys in the input's order
// (new keys follow sorted), as n8n's nodes that copy the input json do.
func inheritKeyOrders(out [][]Item, inputs [][]Item) {
	for _, items := range out {
		for i := range items {
			it := &items[i]
			if it.order != nil || len(it.PairedItem) != 1 || it.PairedItem[0].SourceOverwrite != nil {
				continue
			}
			p := it.PairedItem[0]
			if p.Input < 0 || p.Input >= len(inputs) || p.Item < 0 || p.Item >= len(inputs[p.Input]) {
				continue
			}
			it.order = inputs[p.Input][p.Item].order
		}
	}
}

// normalizeItem applies n8n's normalizeNodeErrors and makes the item's json
// plain JSON values.
func normalizeItem(it *Item) {
	if it.JSON == nil {
		it.JSON = map[string]any{}
	}
	if e, ok := it.JSON["$error"]; ok {
		if _, ok := it.JSON["$json"]; ok {
			msg := fmt.Sprint(e)
			if m, ok := e.(map[string]any); ok {
				if s, ok := m["message"].(string); ok {
					msg = s
				}
			}
			it.Error = &NodeError{Message: msg}
			it.JSON = map[string]any{"error": msg}
			return
		}
	}
	if it.Error != nil {
		it.JSON = map[string]any{"error": it.Error.Message}
		return
	}
	NormalizeJSON(it.JSON)
}
