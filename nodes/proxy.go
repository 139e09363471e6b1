package nodes

import (
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// This file is n8n's WorkflowDataProxy: the variables an expression or a Code
// node sees ($json, $input, $('Node'), $node, $items, $prevNode, ...).
//
// Everything that reads other nodes' data is lazy (expr.Getter, expr.Func):
// an expression pays only for what it touches. What does not change while a
// node runs (other nodes' runs, their items as JavaScript-ready values,
// resolved paired items, graph lookups) is cached on the Context and shared
// by the evaluations of all its items.

// scriptingNodeTypes are the node types n8n gives shorter paired-item error
// messages, because their errors point at code rather than at a parameter.
var scriptingNodeTypes = map[string]bool{
	"n8n-nodes-base.code":         true,
	"n8n-nodes-base.function":     true,
	"n8n-nodes-base.functionItem": true,
	"n8n-nodes-base.aiTransform":  true,
}

// Paired-item methods, named in n8n's error messages.
const (
	methodItem         = "item"
	methodPairedItem   = "pairedItem"
	methodItemMatching = "itemMatching"
	methodGetPaired    = "$getPairedItem"
)

// maxNestedResolve bounds parameters resolving other parameters
// ($parameter, $node[...].parameter, $evaluateExpression).
const maxNestedResolve = 10

// emptyExecutionID is n8n's placeholder for $execution.id outside an
// execution.
const emptyExecutionID = "__UNKNOWN__"

// ExprEnv returns the variables an expression evaluated for item itemIndex
// sees: n8n's workflow data proxy.
func (c *Context) ExprEnv(itemIndex int) expr.Env {
	return c.exprEnv(itemIndex, envOptions{runIndex: -1})
}

// envOptions vary the proxy the way n8n's constructor arguments do.
type envOptions struct {
	// runIndex is the run of other nodes $node[...] and $('X').all() read
	// by default; -1 is the last one (n8n's defaultReturnRunIndex).
	runIndex int
	// lenient makes $json and $binary undefined instead of an error when
	// the node has no input (the Code node's throwOnMissingExecutionData
	// false).
	lenient bool
}

// proxy builds the variables for one item.
type proxy struct {
	c         *Context
	cache     *proxyCache
	itemIndex int
	opts      envOptions
}

func (c *Context) exprEnv(itemIndex int, opts envOptions) expr.Env {
	return c.newProxy(itemIndex, opts).env()
}

func (c *Context) newProxy(itemIndex int, opts envOptions) *proxy {
	return &proxy{c: c, cache: c.proxyCache(), itemIndex: itemIndex, opts: opts}
}

// Env returns the variables for the JavaScript engine (expr.Scope).
func (p *proxy) Env() expr.Env { return p.env() }

// Lookup serves the expression engine's fast path (expr.Scope) the values
// the common expressions read, without building the whole environment:
// $json (and $data), $input.item.json, $('Node').item.json, $itemIndex and
// $runIndex. Each is what the corresponding variable of env() gives, read
// through the same methods; where those fail or find nothing, Lookup
// declines and the expression runs in JavaScript, which reports the error.
func (p *proxy) Lookup(r *expr.Ref) (any, int, bool) {
	itemJSON := len(r.Path) >= 2 && r.Path[0] == "item" && r.Path[1] == "json"
	if r.Call {
		if r.Var != "$" || !itemJSON || p.checkNodeRef(r.Arg) != nil {
			return nil, 0, false
		}
		w, err := p.nodeItem(r.Arg)
		if m, ok := w.(map[string]any); ok && err == nil {
			return m["json"], 2, true
		}
		return nil, 0, false
	}
	switch r.Var {
	case "$json", "$data":
		if w, err := p.current(); w != nil && err == nil {
			return w["json"], 0, true
		}
	case "$input":
		if !itemJSON {
			break
		}
		if items, _ := p.c.ConnectionInput(); len(items) == 0 {
			break
		}
		if w, _ := p.thisItem(); w != nil {
			return w.(map[string]any)["json"], 2, true
		}
	case "$itemIndex", "$position", "$thisItemIndex":
		return p.itemIndex, 0, true
	case "$runIndex", "$thisRunIndex":
		return p.c.RunIndex, 0, true
	}
	return nil, 0, false
}

func (p *proxy) env() expr.Env {
	c := p.c
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	t := now().In(loc)
	execID := c.Execution.ID
	if execID == "" {
		execID = emptyExecutionID
	}
	env := expr.Env{
		"$json":               expr.Getter(p.json),
		"$data":               expr.Getter(p.json),
		"$binary":             expr.Getter(p.binary),
		"$input":              lazy(func() any { return p.input() }),
		"$":                   expr.Func(p.nodeRef),
		"$node":               lazy(func() any { return p.nodeGetter() }),
		"$items":              expr.Func(p.items),
		"$item":               expr.Func(p.item),
		"$prevNode":           lazy(func() any { return p.prevNode() }),
		"$parameter":          lazy(func() any { return p.parameters(c.Node, true) }),
		"$rawParameter":       lazy(func() any { return p.parameters(c.Node, false) }),
		"$workflow":           lazy(func() any { return p.workflow() }),
		"$execution":          lazy(func() any { return p.execution(execID) }),
		"$vars":               map[string]any{},
		"$env":                expr.Getter(envDenied),
		"$self":               map[string]any{},
		"$itemIndex":          p.itemIndex,
		"$runIndex":           c.RunIndex,
		"$position":           p.itemIndex,
		"$mode":               c.Execution.Mode,
		"$now":                expr.Getter(func() (any, error) { return t, nil }),
		"$today":              expr.Getter(func() (any, error) { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), nil }),
		"$thisItem":           expr.Getter(p.thisItem),
		"$thisItemIndex":      p.itemIndex,
		"$thisRunIndex":       c.RunIndex,
		"$executionId":        execID,
		"$resumeWebhookUrl":   c.Execution.ResumeURL,
		"$evaluateExpression": expr.Func(p.evaluateExpression),
	}
	if c.Node != nil {
		env["$nodeVersion"] = c.Node.TypeVersion
		env["$nodeId"] = c.Node.ID
		env["$webhookId"] = c.Node.WebhookID
	}
	return env
}

// lazy is a variable built when a script first reads it and the same
// value after that (so that it is one object in the script).
func lazy(build func() any) expr.Getter {
	var v any
	done := false
	return func() (any, error) {
		if !done {
			v, done = build(), true
		}
		return v, nil
	}
}

func envDenied() (any, error) {
	return nil, &NodeError{Name: "ExpressionError", Message: "access to env vars denied",
		Description: "If you need access please contact the administrator to remove the environment variable ‘N8N_BLOCK_ENV_ACCESS_IN_NODE‘"}
}

// ConnectionInput returns the items expressions see as the node's input
// (n8n's connectionInputData) and the input they came from: with the v1
// execution order, the first input that has items, else input 0.
func (c *Context) ConnectionInput() (items []Item, input int) {
	for i, in := range c.Inputs {
		if len(in) > 0 {
			return in, i
		}
	}
	return c.InputItems(0), 0
}

// isScripting reports whether the running node is a Code-like node.
func (p *proxy) isScripting() bool {
	return p.c.Node != nil && scriptingNodeTypes[p.c.Node.Type]
}

func (p *proxy) nodeName() string {
	if p.c.Node == nil {
		return ""
	}
	return p.c.Node.Name
}

// exprError returns an ExpressionError; scriptMsg, when set, replaces msg in
// Code-like nodes as n8n's functionOverrides do.
func (p *proxy) exprError(msg, scriptMsg, desc string) *NodeError {
	if scriptMsg != "" && p.isScripting() {
		msg = scriptMsg
	}
	return &NodeError{Name: "ExpressionError", Message: msg, Description: desc, Node: p.nodeName()}
}

// notExecuted is the error for a node without runs, or the store's error if
// reading its runs failed.
func (p *proxy) notExecuted(node string) error {
	if err := p.cache.runErrs[node]; err != nil {
		return err
	}
	return notExecuted(node)
}

func notExecuted(node string) *NodeError {
	return &NodeError{Name: "ExpressionError", Message: fmt.Sprintf("Node '%s' hasn't been executed", node),
		Description: `An expression references this node, but the node is unexecuted. Consider re-wiring your nodes or checking for execution first, i.e. {{ $if( $("` + node + `").isExecuted, <action_if_executed>, "") }}`}
}

// --- the current item ---------------------------------------------------

// current returns the wrapper of the current input item, or nil when the
// node has no input and the proxy is lenient.
func (p *proxy) current() (map[string]any, error) {
	items, _ := p.c.ConnectionInput()
	if len(items) == 0 {
		if p.opts.lenient {
			return nil, nil
		}
		return nil, notExecuted(p.nodeName())
	}
	if p.itemIndex < 0 || p.itemIndex >= len(items) {
		return nil, &NodeError{Name: "ExpressionError", Message: fmt.Sprintf(
			"\"%s\" node has %d item(s) but you're trying to access item %d", p.nodeName(), len(items), p.itemIndex)}
	}
	return p.inputWrappers()[p.itemIndex].(map[string]any), nil
}

func (p *proxy) json() (any, error) {
	w, err := p.current()
	if w == nil || err != nil {
		return nil, err
	}
	return w["json"], nil
}

func (p *proxy) binary() (any, error) {
	items, _ := p.c.ConnectionInput()
	w, err := p.current()
	if w == nil || err != nil {
		return nil, err
	}
	return binaryMeta(items[p.itemIndex].Binary), nil
}

func (p *proxy) thisItem() (any, error) {
	w := p.inputWrappers()
	if p.itemIndex < 0 || p.itemIndex >= len(w) {
		return nil, nil
	}
	return w[p.itemIndex], nil
}

// binaryMeta is an item's binary data without the file contents, as $binary
// and $node[...].binary show it.
func binaryMeta(b map[string]*Binary) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		m, _ := NormalizeJSON(v).(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		delete(m, "data")
		out[k] = m
	}
	return out
}

// --- $input -------------------------------------------------------------

func (p *proxy) input() expr.Object {
	guard := func(f func() (any, error)) expr.Getter {
		return func() (any, error) {
			if items, _ := p.c.ConnectionInput(); len(items) == 0 {
				return nil, p.exprError("No execution data available", "", "")
			}
			return f()
		}
	}
	noArgs := func(name string, pick func(w []any) any) expr.Func {
		return func(args ...any) (any, error) {
			if len(args) > 0 {
				return nil, p.exprError("$input."+name+"() should have no arguments", "", "")
			}
			return pick(p.inputWrappers()), nil
		}
	}
	return expr.Object{
		"item": guard(p.thisItem),
		"all": guard(func() (any, error) {
			return expr.Func(func(...any) (any, error) { return p.inputWrappers(), nil }), nil
		}),
		"first": guard(func() (any, error) {
			return noArgs("first", func(w []any) any { return w[0] }), nil
		}),
		"last": guard(func() (any, error) {
			return noArgs("last", func(w []any) any { return w[len(w)-1] }), nil
		}),
		"context": guard(func() (any, error) {
			src, err := p.firstSource()
			if err != nil {
				return nil, err
			}
			return p.nodeContext(src.PreviousNode), nil
		}),
		"params": guard(func() (any, error) {
			src, err := p.firstSource()
			if err != nil {
				return nil, err
			}
			if n := p.c.Workflow.Node(src.PreviousNode); n != nil {
				return n.Parameters, nil
			}
			return nil, nil
		}),
	}
}

func (p *proxy) firstSource() (*SourceRef, error) {
	if len(p.c.Source) == 0 || p.c.Source[0] == nil {
		return nil, p.exprError("Can’t get data for expression", "Can’t get data",
			"Apologies, this is an internal error. See details for more information")
	}
	return p.c.Source[0], nil
}

// nodeContext is a node's context (n8n's getContext(..., 'node', node)):
// the running node's State, or what another node's last run left.
func (p *proxy) nodeContext(node string) map[string]any {
	if node == p.nodeName() {
		if p.c.State == nil {
			return map[string]any{}
		}
		return p.c.State
	}
	runs := p.runs(node)
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i] != nil && runs[i].State != nil {
			return runs[i].State
		}
	}
	return map[string]any{}
}

// --- $('Node') ------------------------------------------------------------

func (p *proxy) nodeRef(args ...any) (any, error) {
	name, _ := firstArg(args).(string)
	if err := p.checkNodeRef(name); err != nil {
		return nil, err
	}
	ensure := func() error {
		if p.runs(name) == nil {
			return p.notExecuted(name)
		}
		return nil
	}
	pairedFunc := func(method string) expr.Getter {
		return func() (any, error) {
			f, err := p.paired(name, method)
			if err != nil {
				return nil, err
			}
			return expr.Func(func(args ...any) (any, error) { return f(firstArg(args)) }), nil
		}
	}
	outputs := func(pick func(w []any) any) expr.Getter {
		return func() (any, error) {
			if err := ensure(); err != nil {
				return nil, err
			}
			return expr.Func(func(args ...any) (any, error) {
				branch, ok := toInt(argAt(args, 0))
				if !ok {
					branch = p.cache.connectionIndex(p.c, name)
					if branch < 0 {
						branch = 0
					}
				}
				run, ok := toInt(argAt(args, 1))
				if !ok {
					run = p.opts.runIndex
				}
				key, err := p.nodeOutput(name, branch, run)
				if err != nil {
					return nil, err
				}
				return pick(p.outputWrappers(key)), nil
			}), nil
		}
	}
	return expr.Object{
		"isExecuted":   expr.Getter(func() (any, error) { return p.runs(name) != nil, nil }),
		"item":         expr.Getter(func() (any, error) { return p.nodeItem(name) }),
		"pairedItem":   pairedFunc(methodPairedItem),
		"itemMatching": pairedFunc(methodItemMatching),
		"all":          outputs(func(w []any) any { return w }),
		"first": outputs(func(w []any) any {
			if len(w) == 0 {
				return nil
			}
			return w[0]
		}),
		"last": outputs(func(w []any) any {
			if len(w) == 0 {
				return nil
			}
			return w[len(w)-1]
		}),
		"context": expr.Getter(func() (any, error) { return p.nodeContext(name), nil }),
		"params":  expr.Getter(func() (any, error) { return p.c.Workflow.Node(name).Parameters, nil }),
	}, nil
}

// checkNodeRef fails $(name) for a missing or unknown node name.
func (p *proxy) checkNodeRef(name string) error {
	if name == "" {
		return p.exprError("When calling $(), please specify a node", "", "")
	}
	if p.c.Workflow.Node(name) == nil {
		return p.exprError("Referenced node doesn't exist", "", "")
	}
	return nil
}

// paired checks that node name can be reached by paired items and returns
// the function that resolves the current item (index nil) or item index
// back to it, by method (item, pairedItem, itemMatching).
func (p *proxy) paired(name, method string) (func(index any) (any, error), error) {
	if !p.cache.isAncestor(p.c, name) {
		return nil, p.exprError("Invalid expression", "", "No path back to referenced node")
	}
	if p.runs(name) == nil {
		return nil, p.notExecuted(name)
	}
	return func(index any) (any, error) {
		i := p.itemIndex
		if index != nil {
			n, ok := toInt(index)
			if !ok {
				return nil, p.exprError("Can’t get data for expression", "Can’t get data", "")
			}
			i = n
		} else if method == methodItemMatching {
			return nil, p.exprError("Missing item index for .itemMatching()", "", "")
		}
		ref, err := p.pairedItemOf(name, i, method)
		if err != nil {
			return nil, err
		}
		return p.wrapperOf(ref), nil
	}, nil
}

// nodeItem is $(name).item: the item of node name the current item comes
// from, as scripts see it.
func (p *proxy) nodeItem(name string) (any, error) {
	f, err := p.paired(name, methodItem)
	if err != nil {
		return nil, err
	}
	return f(nil)
}

// outputKey names one output of one run of a node.
type outputKey struct {
	node   string
	run    int
	output int
}

// nodeOutput picks a run's output as n8n's getNodeExecutionData does; run -1
// is the last run.
func (p *proxy) nodeOutput(node string, output, run int) (outputKey, error) {
	runs := p.runs(node)
	if runs == nil {
		return outputKey{}, p.notExecuted(node)
	}
	if run < 0 {
		run = len(runs) - 1
	}
	if run >= len(runs) {
		return outputKey{}, p.exprError(fmt.Sprintf("Run %d of node \"%s\" not found", run, node), "", "")
	}
	main := runs[run].Main()
	if len(main) == 0 {
		return outputKey{}, p.exprError("No data found from `main` input", "", "")
	}
	if output < 0 || output >= len(main) {
		return outputKey{}, p.exprError(fmt.Sprintf("Node \"%s\" has no branch with index %d.", node, output), "", "")
	}
	return outputKey{node: node, run: run, output: output}, nil
}

// --- paired items ---------------------------------------------------------

// itemRef names one item of one run's output.
type itemRef struct {
	outputKey
	index int
}

// pairedItemOf resolves input item i of the running node back to node dest:
// $('dest').item. The input items are paired with their own index, as n8n
// rewrites every input item's pairedItem before a node runs.
func (p *proxy) pairedItemOf(dest string, i int, method string) (itemRef, error) {
	items, input := p.c.ConnectionInput()
	if i < 0 || i >= len(items) {
		desc := fmt.Sprintf("Some intermediate nodes between ‘%s‘ and  ‘%s‘ have not executed yet.", dest, p.nodeName())
		return itemRef{}, p.exprError("Can’t get data for expression", "Can’t get data", desc)
	}
	if len(p.c.Source) == 0 {
		return itemRef{}, p.exprError("Can’t get data for expression", "Can’t get data",
			"Apologies, this is an internal error. See details for more information")
	}
	var src *SourceRef
	if input < len(p.c.Source) {
		src = p.c.Source[input]
	}
	if src == nil {
		src = p.c.Source[0]
	}
	return p.resolvePaired(dest, src, PairedItem{Item: i, Input: input}, method, "")
}

// ResolvePairedItem follows pairedItem links from item pi of the output src
// names back to node dest and returns that item (n8n's $getPairedItem). The
// runner uses it to merge a failed item with the input item it came from.
func (c *Context) ResolvePairedItem(dest string, src *SourceRef, pi PairedItem) (Item, error) {
	p := &proxy{c: c, cache: c.proxyCache(), opts: envOptions{runIndex: -1}}
	ref, err := p.resolvePaired(dest, src, pi, methodGetPaired, "")
	if err != nil {
		return Item{}, err
	}
	return p.runs(ref.node)[ref.run].Output(ref.output)[ref.index], nil
}

type pairedKey struct {
	dest, method string
	ref          itemRef
}

type pairedResult struct {
	ref itemRef
	err error
}

// resolvePaired is n8n's getPairedItem: from item pi of the output src names,
// walk the items' pairedItem links through each run's source back to dest.
func (p *proxy) resolvePaired(dest string, src *SourceRef, pi PairedItem, method, before string) (itemRef, error) {
	if src == nil {
		return itemRef{}, p.exprError("Paired item resolution failed", "Data not found",
			fmt.Sprintf("Could not trace back to node '%s'", dest))
	}
	key := pairedKey{dest: dest, method: method, ref: itemRef{
		outputKey: outputKey{node: src.PreviousNode, run: src.PreviousNodeRun, output: src.PreviousNodeOutput},
		index:     pi.Item,
	}}
	if r, ok := p.cache.paired[key]; ok {
		return r.ref, copyError(r.err)
	}
	ref, err := p.walkPaired(dest, src, pi, method, before)
	p.cache.paired[key] = pairedResult{ref: ref, err: copyError(err)}
	return ref, err
}

// copyError copies a *NodeError so that callers may change theirs (e.g.
// AtItem) without changing a cached one.
func copyError(err error) error {
	if ne, ok := err.(*NodeError); ok {
		c := *ne
		return &c
	}
	return err
}

func (p *proxy) walkPaired(dest string, src *SourceRef, pi PairedItem, method, before string) (itemRef, error) {
	runs := p.runs(src.PreviousNode)
	var run *NodeRun
	if src.PreviousNodeRun >= 0 && src.PreviousNodeRun < len(runs) {
		run = runs[src.PreviousNodeRun]
	}
	main := run.Main()
	if run == nil || src.PreviousNodeOutput < 0 || src.PreviousNodeOutput >= len(main) {
		return itemRef{}, p.exprError("Can’t get data for expression", "Missing output",
			fmt.Sprintf("Expected output #%d from node %s", src.PreviousNodeOutput, src.PreviousNode))
	}
	items := main[src.PreviousNodeOutput]
	ref := itemRef{outputKey: outputKey{node: src.PreviousNode, run: src.PreviousNodeRun, output: src.PreviousNodeOutput}, index: pi.Item}
	if pi.Item < 0 || pi.Item >= len(items) {
		return itemRef{}, p.exprError("Can't get data for expression", "Can't get data", "Expression info invalid")
	}
	if src.PreviousNode == dest {
		return ref, nil
	}
	next := items[pi.Item].PairedItem
	if len(next) == 0 {
		return itemRef{}, p.exprError(fmt.Sprintf(
			"Paired item data for %s from node '%s' is unavailable. Ensure '%s' is providing the required output.",
			method, src.PreviousNode, src.PreviousNode), "",
			fmt.Sprintf("Missing pairedItem data (node '%s' probably didn't supply it)", src.PreviousNode))
	}
	var (
		found    []itemRef
		firstErr error
		tried    bool
	)
	for _, np := range next {
		if np.Input < 0 || np.Input >= len(run.Source) {
			continue
		}
		tried = true
		r, err := p.resolvePaired(dest, run.Source[np.Input], np, method, src.PreviousNode)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		found = append(found, r)
	}
	switch {
	case !tried && len(run.Source) == 0:
		return itemRef{}, p.exprError("Invalid expression", "", "No path back to referenced node")
	case !tried:
		return itemRef{}, p.exprError("Branch not found", "Invalid branch reference",
			fmt.Sprintf("Item %d in node %s references a branch that doesn't exist.", pi.Item, src.PreviousNode))
	case len(found) == 0:
		return itemRef{}, firstErr
	}
	for _, r := range found[1:] {
		if r != found[0] {
			return itemRef{}, p.exprError("Multiple matches found", "Multiple matches",
				fmt.Sprintf("Multiple matching items for item [%d]", pi.Item))
		}
	}
	return found[0], nil
}

// --- $node["Node"] (legacy) ---------------------------------------------

// nodeGetter is $node: one property per node of the workflow.
func (p *proxy) nodeGetter() expr.Object {
	o := expr.Object{}
	for _, n := range p.c.Workflow.Nodes {
		name := n.Name
		o[name] = expr.Getter(func() (any, error) { return p.legacyNode(name), nil })
	}
	return o
}

func (p *proxy) legacyNode(name string) expr.Object {
	item := func() (Item, map[string]any, error) {
		out := p.cache.connectionIndex(p.c, name)
		if out < 0 {
			return Item{}, nil, p.exprError(fmt.Sprintf("connect \"%s\" to \"%s\"", p.nodeName(), name), "", "")
		}
		key, err := p.nodeOutput(name, out, p.opts.runIndex)
		if err != nil {
			return Item{}, nil, err
		}
		items := p.runs(name)[key.run].Output(key.output)
		if len(items) == 0 {
			return Item{}, nil, p.notExecuted(name)
		}
		if p.itemIndex < 0 || p.itemIndex >= len(items) {
			return Item{}, nil, &NodeError{Name: "ExpressionError", Message: fmt.Sprintf(
				"\"%s\" node has %d item(s) but you're trying to access item %d", name, len(items), p.itemIndex)}
		}
		return items[p.itemIndex], p.outputWrappers(key)[p.itemIndex].(map[string]any), nil
	}
	jsonGetter := expr.Getter(func() (any, error) {
		_, w, err := item()
		if err != nil {
			return nil, err
		}
		return w["json"], nil
	})
	return expr.Object{
		"json": jsonGetter,
		"data": jsonGetter,
		"binary": expr.Getter(func() (any, error) {
			it, _, err := item()
			if err != nil {
				return nil, err
			}
			return binaryMeta(it.Binary), nil
		}),
		"parameter": expr.Getter(func() (any, error) {
			return p.parameters(p.c.Workflow.Node(name), true), nil
		}),
		"runIndex": expr.Getter(func() (any, error) { return len(p.runs(name)) - 1, nil }),
		"context":  expr.Getter(func() (any, error) { return p.nodeContext(name), nil }),
	}
}

// --- $items, $item ------------------------------------------------------

func (p *proxy) items(args ...any) (any, error) {
	name, _ := firstArg(args).(string)
	if name == "" {
		w := p.inputWrappers()
		if len(p.c.Source) > 0 && p.c.Source[0] != nil {
			if n := p.c.Workflow.Node(p.c.Source[0].PreviousNode); n != nil && n.ExecuteOnce && len(w) > 1 {
				return w[:1], nil
			}
		}
		return w, nil
	}
	if p.c.Workflow.Node(name) == nil {
		return nil, p.exprError("Referenced node doesn't exist", "", "")
	}
	output, _ := toInt(argAt(args, 1))
	run, ok := toInt(argAt(args, 2))
	if !ok {
		run = -1
	}
	key, err := p.nodeOutput(name, output, run)
	if err != nil {
		return nil, err
	}
	return p.outputWrappers(key), nil
}

func (p *proxy) item(args ...any) (any, error) {
	i, ok := toInt(firstArg(args))
	if !ok {
		i = p.itemIndex
	}
	run, ok := toInt(argAt(args, 1))
	if !ok {
		run = -1
	}
	sub := &proxy{c: p.c, cache: p.cache, itemIndex: i, opts: envOptions{runIndex: run, lenient: p.opts.lenient}}
	return expr.Object(sub.env()), nil
}

// --- $prevNode, $workflow, $execution ------------------------------------

func (p *proxy) prevNode() expr.Object {
	var src *SourceRef
	if len(p.c.Source) > 0 {
		src = p.c.Source[0]
	}
	if src == nil {
		return expr.Object{"name": nil, "outputIndex": nil, "runIndex": nil}
	}
	return expr.Object{"name": src.PreviousNode, "outputIndex": src.PreviousNodeOutput, "runIndex": src.PreviousNodeRun}
}

func (p *proxy) workflow() expr.Object {
	w := p.c.Workflow
	return expr.Object{
		"id": expr.Getter(func() (any, error) {
			if w.ID == "" {
				return nil, &NodeError{Name: "ExpressionError", Message: "save workflow to view",
					Description: "Please save the workflow first to use $workflow"}
			}
			return w.ID, nil
		}),
		"name":   w.Name,
		"active": w.Active,
	}
}

func (p *proxy) execution(id string) expr.Object {
	mode := "production"
	if p.c.Execution.Mode == ModeManual {
		mode = "test"
	}
	return expr.Object{
		"id":         id,
		"mode":       mode,
		"resumeUrl":  p.c.Execution.ResumeURL,
		"customData": p.customData(),
	}
}

// Limits of $execution.customData, n8n's.
const (
	customDataMaxKeys  = 10
	customDataKeyLen   = 50
	customDataValueLen = 512
)

var customDataKey = regexp.MustCompile(`^[\p{L}\p{N}\p{M}_]*$`)

func (p *proxy) customData() expr.Object {
	ex := &p.c.Execution
	// Invalid data fails the node only when a person is watching (manual
	// runs); production runs ignore it, as n8n does.
	fail := func(err error) error {
		if ex.Mode == ModeManual {
			return err
		}
		return nil
	}
	set := func(k, v any) error {
		key, ok := k.(string)
		if ex.CustomData == nil {
			ex.CustomData = map[string]string{}
		}
		if _, exists := ex.CustomData[key]; (!ok || !exists) && len(ex.CustomData) >= customDataMaxKeys {
			return nil
		}
		if !ok {
			return NewNodeError("Custom data keys must be a string (key \"%v\")", k)
		}
		if !customDataKey.MatchString(key) {
			return NewNodeError("Custom data key can only contain letters, numbers, and underscores (key \"%s\")", key)
		}
		var val string
		switch x := v.(type) {
		case string:
			val = x
		case float64, int64, int:
			val = toText(x)
		default:
			return NewNodeError("Custom data values must be a string (key \"%s\")", key)
		}
		ex.CustomData[truncate(key, customDataKeyLen)] = truncate(val, customDataValueLen)
		return nil
	}
	return expr.Object{
		"set": expr.Func(func(args ...any) (any, error) {
			return nil, fail(set(argAt(args, 0), argAt(args, 1)))
		}),
		"setAll": expr.Func(func(args ...any) (any, error) {
			m, _ := firstArg(args).(map[string]any)
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var first error
			for _, k := range keys {
				if err := set(k, m[k]); err != nil && first == nil {
					first = err
				}
			}
			return nil, fail(first)
		}),
		"get": expr.Func(func(args ...any) (any, error) {
			v, ok := ex.CustomData[truncate(toText(firstArg(args)), customDataKeyLen)]
			if !ok {
				return nil, nil
			}
			return v, nil
		}),
		"getAll": expr.Func(func(...any) (any, error) {
			out := make(map[string]any, len(ex.CustomData))
			for k, v := range ex.CustomData {
				out[k] = v
			}
			return out, nil
		}),
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// --- $parameter, $evaluateExpression ----------------------------------

// parameters is $parameter (resolve true: expressions evaluated for the
// current item) or $rawParameter of node n.
func (p *proxy) parameters(n *NodeInstance, resolve bool) expr.Object {
	o := expr.Object{}
	if n == nil {
		return o
	}
	for k, v := range n.Parameters {
		if !resolve {
			o[k] = v
			continue
		}
		o[k] = expr.Getter(func() (any, error) {
			if s, ok := v.(string); ok && s == "={{ $parameter."+k+" }}" {
				return nil, nil
			}
			v := resourceLocatorValue(v)
			if s, ok := v.(string); ok && expr.IsExpression(s) {
				return p.resolve(s, p.itemIndex)
			}
			return v, nil
		})
	}
	return o
}

// resourceLocatorValue unwraps n8n's resource locator parameters
// ({"__rl": true, "value": ..., "mode": ...}) to their value.
func resourceLocatorValue(v any) any {
	m, ok := v.(map[string]any)
	if !ok || m["__rl"] != true {
		return v
	}
	val := m["value"]
	re, _ := m["__regex"].(string)
	s, isStr := val.(string)
	if re == "" || !isStr {
		return val
	}
	rx, err := regexp.Compile(re)
	if err != nil {
		return val
	}
	if g := rx.FindStringSubmatch(s); len(g) >= 2 {
		return g[1]
	}
	return val
}

// resolve evaluates an expression for item i from inside an expression,
// bounding how deep such evaluations nest.
func (p *proxy) resolve(s string, i int) (any, error) {
	if p.cache.depth >= maxNestedResolve {
		return nil, p.exprError("Circular reference in expression", "", "")
	}
	p.cache.depth++
	defer func() { p.cache.depth-- }()
	return p.c.Expr.ResolveScope(s, p.c.newProxy(i, p.opts))
}

func (p *proxy) evaluateExpression(args ...any) (any, error) {
	s, _ := firstArg(args).(string)
	i, ok := toInt(argAt(args, 1))
	if !ok || i == 0 {
		i = p.itemIndex
	}
	return p.resolve("="+s, i)
}

// --- run data and its JavaScript-ready views ------------------------------

// proxyCache is what a Context's proxies share while the node runs.
type proxyCache struct {
	runs      map[string][]*NodeRun
	runErrs   map[string]error
	outputs   map[outputKey][]any
	input     []any
	inputFor  *Item
	paired    map[pairedKey]pairedResult
	ancestors map[string]bool
	connIdx   map[string]int
	depth     int
}

// proxyCache returns the Context's cache, creating it on first use. A
// Context serves one node run on one goroutine.
func (c *Context) proxyCache() *proxyCache {
	if c.proxy == nil {
		c.proxy = &proxyCache{
			runs:    map[string][]*NodeRun{},
			runErrs: map[string]error{},
			outputs: map[outputKey][]any{},
			paired:  map[pairedKey]pairedResult{},
			connIdx: map[string]int{},
		}
	}
	return c.proxy
}

// runs returns a node's completed runs (nil if it has not run). If the store
// fails, the node reads as not executed and notExecuted reports the failure.
func (p *proxy) runs(node string) []*NodeRun {
	if r, ok := p.cache.runs[node]; ok {
		return r
	}
	var r []*NodeRun
	if p.c.Runs != nil {
		var err error
		r, err = p.c.Runs.Runs(node)
		if err != nil {
			p.cache.runErrs[node] = err
			r = nil
		}
	}
	if len(r) == 0 {
		r = nil
	}
	p.cache.runs[node] = r
	return r
}

// inputWrappers returns the connection input items as JavaScript-ready
// maps, each paired with its own index (n8n rewrites the input items'
// pairedItem before a node runs). The same slice is returned every time so
// that a script sees one array.
func (p *proxy) inputWrappers() []any {
	items, input := p.c.ConnectionInput()
	var first *Item
	if len(items) > 0 {
		first = &items[0]
	}
	if p.cache.input != nil && p.cache.inputFor == first && len(p.cache.input) == len(items) {
		return p.cache.input
	}
	w := make([]any, len(items))
	for i, it := range items {
		w[i] = itemWrapper(it, PairedItems{{Item: i, Input: input}})
	}
	p.cache.input, p.cache.inputFor = w, first
	return w
}

// outputWrappers returns one run output's items as JavaScript-ready maps.
func (p *proxy) outputWrappers(key outputKey) []any {
	if w, ok := p.cache.outputs[key]; ok {
		return w
	}
	items := p.runs(key.node)[key.run].Output(key.output)
	w := make([]any, len(items))
	for i, it := range items {
		w[i] = itemWrapper(it, it.PairedItem)
	}
	p.cache.outputs[key] = w
	return w
}

func (p *proxy) wrapperOf(ref itemRef) any {
	return p.outputWrappers(ref.outputKey)[ref.index]
}

// itemWrapper is an item as scripts see it: {json, binary?, pairedItem?}.
// json is the item's own map (in an expr.Ordered when the item has a key
// order); the engine copies it into JavaScript.
func itemWrapper(it Item, paired PairedItems) map[string]any {
	j := it.JSON
	if j == nil {
		j = map[string]any{}
	}
	m := map[string]any{"json": it.orderedJSON(j)}
	if it.Binary != nil {
		b := make(map[string]any, len(it.Binary))
		for k, v := range it.Binary {
			b[k] = NormalizeJSON(v)
		}
		m["binary"] = b
	}
	if pj := pairedJSON(paired); pj != nil {
		m["pairedItem"] = pj
	}
	return m
}

func pairedJSON(p PairedItems) any {
	one := func(pi PairedItem) map[string]any {
		m := map[string]any{"item": pi.Item}
		if pi.Input != 0 {
			m["input"] = pi.Input
		}
		return m
	}
	switch len(p) {
	case 0:
		return nil
	case 1:
		return one(p[0])
	}
	out := make([]any, len(p))
	for i, pi := range p {
		out[i] = one(pi)
	}
	return out
}

// isAncestor reports whether node is upstream of the running node.
func (pc *proxyCache) isAncestor(c *Context, node string) bool {
	if pc.ancestors == nil {
		pc.ancestors = map[string]bool{}
		if c.Node == nil {
			return false
		}
		stack := []string{c.Node.Name}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, par := range c.Workflow.Parents(n) {
				if !pc.ancestors[par.Node] {
					pc.ancestors[par.Node] = true
					stack = append(stack, par.Node)
				}
			}
		}
	}
	return pc.ancestors[node]
}

// connectionIndex is n8n's getNodeConnectionIndexes(running node, parent)
// .sourceIndex: the output of parent through which the running node is
// reached, searching breadth-first from the running node towards its
// ancestors and each node's inputs in order; -1 if parent is no ancestor.
func (pc *proxyCache) connectionIndex(c *Context, parent string) int {
	if i, ok := pc.connIdx[parent]; ok {
		return i
	}
	res := -1
	if c.Node != nil && c.Workflow.Node(parent) != nil {
		visited := map[string]bool{}
		queue := []string{c.Node.Name}
	search:
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			if visited[n] {
				continue
			}
			visited[n] = true
			ps := c.Workflow.Parents(n)
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].Input < ps[j].Input })
			for _, par := range ps {
				if par.Node == parent {
					res = par.Output
					break search
				}
				if !visited[par.Node] {
					queue = append(queue, par.Node)
				}
			}
		}
	}
	pc.connIdx[parent] = res
	return res
}

// --- small helpers --------------------------------------------------------

func firstArg(args []any) any { return argAt(args, 0) }

func argAt(args []any, i int) any {
	if i < 0 || i >= len(args) {
		return nil
	}
	return args[i]
}

func toText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}
