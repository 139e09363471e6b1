package nodes

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weft/weft/nodes/expr"
)

// Type names of the sub-workflow and error workflow nodes.
const (
	ExecuteWorkflowType        = "n8n-nodes-base.executeWorkflow"
	ExecuteWorkflowTriggerType = "n8n-nodes-base.executeWorkflowTrigger"
	ErrorTriggerType           = "n8n-nodes-base.errorTrigger"
)

// ExecuteWorkflow is n8n's Execute Workflow node. It is a control node: the
// interpreter resolves the sub-workflow (ResolveSubWorkflow), runs it as a
// Temporal child workflow of its own (once with all items, or once per
// item) and then records the node's run, whose Execute turns the
// sub-executions' outcome (Context.Control, a *SubWorkflowOutcome) into
// the node's output: the last node's output of each sub-execution, or the
// input items when the node does not wait for them.
type ExecuteWorkflow struct{}

// ExecuteWorkflowParams are the Execute Workflow node's parameters weft runs.
type ExecuteWorkflowParams struct {
	Source         string         `json:"source" doc:"Where the sub-workflow comes from: database (a saved workflow of the same owner, by id)."`
	WorkflowID     any            `json:"workflowId" doc:"Id of the workflow to run: a string, or n8n's resource locator {__rl, value, mode}."`
	Mode           string         `json:"mode" doc:"once: one sub-execution with all items; each: one sub-execution per item."`
	WorkflowInputs map[string]any `json:"workflowInputs" doc:"typeVersion 1.2: the sub-workflow's inputs ({mappingMode, value}); with values, each item sent is built from them."`
	Options        struct {
		WaitForSubWorkflow *bool `json:"waitForSubWorkflow" doc:"Wait for the sub-workflow to finish and output its result (default true); false continues with the input items."`
	} `json:"options" doc:"Options."`
}

func init() {
	Register(ExecuteWorkflow{})
	Register(ExecuteWorkflowTrigger{})
	Register(ErrorTrigger{})
}

// Describe implements Node.
func (ExecuteWorkflow) Describe() Description {
	return Description{
		Name:        ExecuteWorkflowType,
		DisplayName: "Execute Workflow",
		Summary:     "Runs another saved workflow of the same owner as a durable child execution and outputs its result.",
		Versions:    []float64{1, 1.1, 1.2},
		Kind:        KindControl,
		Params:      ExecuteWorkflowParams{},
	}
}

// Validate implements Node.
func (ExecuteWorkflow) Validate(n *NodeInstance) error {
	var p ExecuteWorkflowParams
	p.Source = "database"
	p.Mode = "once"
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.Source != "database" {
		return ParamErrorf("source", "source %q is not supported; weft runs saved workflows (source database)", p.Source)
	}
	if p.Mode != "once" && p.Mode != "each" {
		return ParamErrorf("mode", "unknown mode %q (once or each)", p.Mode)
	}
	raw, ok := n.Parameters["workflowId"]
	if !ok {
		return ParamErrorf("workflowId", "the id of the workflow to execute is required")
	}
	if id, static := SubWorkflowID(n); static && id == "" && !expr.IsExpression(raw) {
		return ParamErrorf("workflowId", "the id of the workflow to execute is required")
	}
	return nil
}

// SubWorkflowID returns the workflow id an Execute Workflow node names and
// whether it is static (no expression), for checks before anything runs.
func SubWorkflowID(n *NodeInstance) (string, bool) {
	v := n.Parameters["workflowId"]
	if m, ok := v.(map[string]any); ok {
		v = m["value"]
	}
	switch x := v.(type) {
	case string:
		if expr.IsExpression(x) {
			return "", false
		}
		return strings.TrimSpace(x), true
	case float64:
		return fmt.Sprint(x), true
	case nil:
		return "", true
	}
	return "", false
}

// WaitsForSubWorkflow reports whether an Execute Workflow node waits for
// its sub-executions (options.waitForSubWorkflow, default true), for item
// itemIndex.
func (p *ExecuteWorkflowParams) WaitsForSubWorkflow() bool {
	return p.Options.WaitForSubWorkflow == nil || *p.Options.WaitForSubWorkflow
}

// TargetID returns the workflow id of evaluated parameters.
func (p *ExecuteWorkflowParams) TargetID() string {
	v := p.WorkflowID
	if m, ok := v.(map[string]any); ok {
		v = m["value"]
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return fmt.Sprint(x)
	}
	return ""
}

// SubWorkflowOutcome is what the interpreter hands an Execute Workflow
// node's Execute through Context.Control once its sub-executions are over
// (or started, when it does not wait).
type SubWorkflowOutcome struct {
	// Wait tells whether the node waited for the sub-executions.
	Wait bool
	// Each tells whether there was one sub-execution per input item.
	Each bool
	// Runs are the sub-executions, in input order.
	Runs []SubExecutionResult
	// Error, when set, fails the node (the sub-workflow could not be
	// resolved or started).
	Error *NodeError
}

// SubExecutionResult is one sub-execution's outcome.
type SubExecutionResult struct {
	ExecutionID string
	WorkflowID  string
	// Item is the input item index it ran for (mode each).
	Item int
	// Output is the main output of the sub-execution's last node.
	Output [][]Item
	// Error is the sub-execution's error when it failed.
	Error *NodeError
}

// Execute implements Node.
func (ExecuteWorkflow) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	o, _ := ctx.Control.(*SubWorkflowOutcome)
	if o == nil {
		return nil, NewNodeError("the Execute Workflow node runs only in the interpreter")
	}
	if o.Error != nil {
		return failedSubWorkflow(ctx, o.Error, len(ctx.InputItems(0)))
	}
	items := ctx.InputItems(0)
	if !o.Wait {
		return [][]Item{items}, nil
	}
	if !o.Each {
		if len(o.Runs) != 1 {
			return nil, NewNodeError("expected one sub-execution, got %d", len(o.Runs))
		}
		r := o.Runs[0]
		if r.Error != nil {
			return failedSubWorkflow(ctx, r.Error, len(items))
		}
		out := r.Output
		if len(out) == 0 {
			out = [][]Item{{}}
		}
		for _, output := range out {
			same := len(output) == len(items)
			for i := range output {
				if len(output[i].PairedItem) > 0 {
					continue
				}
				if same {
					output[i].PairedItem = PairedItems{{Item: i}}
				} else {
					output[i].PairedItem = allPaired(len(items))
				}
			}
		}
		return out, nil
	}
	var out [][]Item
	for _, r := range o.Runs {
		if r.Error != nil {
			if ctx.ContinueOnFail() {
				for len(out) <= 0 {
					out = append(out, nil)
				}
				out[0] = append(out[0], Item{JSON: map[string]any{"error": r.Error.Message}, PairedItem: PairedItems{{Item: r.Item}}})
				continue
			}
			ne := NewNodeError("Error executing workflow with item at index %d", r.Item)
			ne.Description = r.Error.Message
			return nil, ne
		}
		for k, output := range r.Output {
			for len(out) <= k {
				out = append(out, []Item{})
			}
			for _, it := range output {
				it.PairedItem = PairedItems{{Item: r.Item}}
				out[k] = append(out[k], it)
			}
		}
	}
	if len(out) == 0 {
		out = [][]Item{{}}
	}
	return out, nil
}

// failedSubWorkflow fails the node with a sub-workflow's error, or, when
// the node continues on failure, outputs one item holding the message, as
// n8n does.
func failedSubWorkflow(ctx *Context, e *NodeError, n int) ([][]Item, error) {
	if ctx.ContinueOnFail() {
		return [][]Item{{{JSON: map[string]any{"error": e.Message}, PairedItem: allPaired(n)}}}, nil
	}
	c := *e
	c.Node = ""
	return nil, &c
}

// SubWorkflowItems returns the items an Execute Workflow node sends to a
// sub-execution for its input items: with typeVersion 1.2's workflowInputs
// values, each item is built from them (evaluated per item); otherwise the
// items go as they are. pairedItem is dropped: it points into the caller.
func SubWorkflowItems(ctx *Context, items []Item) ([]Item, error) {
	out := make([]Item, len(items))
	mapped, _ := ctx.Node.Parameters["workflowInputs"].(map[string]any)
	values, _ := mapped["value"].(map[string]any)
	for i, it := range items {
		if len(values) > 0 {
			v, err := ctx.Evaluate(values, i)
			if err != nil {
				return nil, err
			}
			m, _ := v.(map[string]any)
			out[i] = NewItem(m)
			continue
		}
		c := it
		c.PairedItem = nil
		c.Error = nil
		out[i] = c
	}
	return out, nil
}

// ExecuteWorkflowTrigger is n8n's Execute Workflow Trigger: a sub-workflow
// starts from it with the items its caller sent.
type ExecuteWorkflowTrigger struct{}

// ExecuteWorkflowTriggerParams are its parameters.
type ExecuteWorkflowTriggerParams struct {
	InputSource    string `json:"inputSource" doc:"typeVersion 1.1: workflowInputs (only the fields listed), jsonExample (only the example's fields) or passthrough (all data)."`
	WorkflowInputs struct {
		Values []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"values"`
	} `json:"workflowInputs" doc:"The input fields (inputSource workflowInputs)."`
	JSONExample string `json:"jsonExample" doc:"An example object whose keys are the input fields (inputSource jsonExample)."`
}

// Describe implements Node.
func (ExecuteWorkflowTrigger) Describe() Description {
	return Description{
		Name:        ExecuteWorkflowTriggerType,
		DisplayName: "Execute Workflow Trigger",
		Summary:     "Starts a sub-workflow with the items the calling Execute Workflow node sent.",
		Versions:    []float64{1, 1.1},
		Kind:        KindPure,
		Trigger:     true,
		Params:      ExecuteWorkflowTriggerParams{},
	}
}

// Validate implements Node.
func (ExecuteWorkflowTrigger) Validate(n *NodeInstance) error {
	var p ExecuteWorkflowTriggerParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	switch p.InputSource {
	case "", "passthrough", "workflowInputs":
	case "jsonExample":
		if _, err := exampleFields(p.JSONExample); err != nil {
			return ParamErrorf("jsonExample", "%v", err)
		}
	default:
		return ParamErrorf("inputSource", "unknown input source %q (workflowInputs, jsonExample or passthrough)", p.InputSource)
	}
	return nil
}

// exampleFields returns the keys of a JSON example object, in order.
func exampleFields(s string) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("the JSON example is not a JSON object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("the JSON example is not valid JSON: %v", err)
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, fmt.Errorf("the JSON example is not valid JSON: %v", err)
		}
	}
	return keys, nil
}

// Execute implements Node: the caller's items, cut down to the defined
// fields when the trigger defines them (typeVersion 1.1).
func (ExecuteWorkflowTrigger) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := triggerItems(in)
	if ctx.Node.TypeVersion < 1.1 {
		return [][]Item{items}, nil
	}
	var p ExecuteWorkflowTriggerParams
	p.InputSource = "passthrough"
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	var fields []string
	switch p.InputSource {
	case "workflowInputs":
		for _, v := range p.WorkflowInputs.Values {
			fields = append(fields, v.Name)
		}
	case "jsonExample":
		var err error
		if fields, err = exampleFields(p.JSONExample); err != nil {
			return nil, NewNodeError("%v", err)
		}
	}
	if len(fields) == 0 {
		return [][]Item{items}, nil
	}
	out := make([]Item, len(items))
	for i, it := range items {
		m := make(map[string]any, len(fields))
		for _, f := range fields {
			m[f] = it.JSON[f]
		}
		out[i] = Item{JSON: m, Binary: it.Binary, PairedItem: PairedItems{{Item: i}}}
	}
	return [][]Item{out}, nil
}

// ErrorTrigger is n8n's Error Trigger: an error workflow starts from it
// with one item describing the execution that failed ({execution: {id,
// url, retryOf, error: {message}, lastNodeExecuted, mode}, workflow: {id,
// name}}).
type ErrorTrigger struct{}

// Describe implements Node.
func (ErrorTrigger) Describe() Description {
	return Description{
		Name:        ErrorTriggerType,
		DisplayName: "Error Trigger",
		Summary:     "Starts an error workflow when a workflow naming it in settings.errorWorkflow fails.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Trigger:     true,
		Params:      struct{}{},
	}
}

// Validate implements Node.
func (ErrorTrigger) Validate(*NodeInstance) error { return nil }

// Execute implements Node.
func (ErrorTrigger) Execute(_ *Context, in [][]Item) ([][]Item, error) {
	return [][]Item{triggerItems(in)}, nil
}

var (
	_ Node = ExecuteWorkflow{}
	_ Node = ExecuteWorkflowTrigger{}
	_ Node = ErrorTrigger{}
)
