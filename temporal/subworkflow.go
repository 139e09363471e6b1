package temporal

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/weft/weft/nodes"
)

// MaxSubWorkflowDepth bounds how deeply sub-workflows nest: an Execute
// Workflow node of an execution nested this deep fails.
const MaxSubWorkflowDepth = 10

// ParentExecution is what a sub-workflow's execution knows of its callers.
type ParentExecution struct {
	// ExecutionID and WorkflowID name the calling execution.
	ExecutionID string `json:"executionId"`
	WorkflowID  string `json:"workflowId"`
	// Depth is how deeply this execution is nested: 1 for a sub-workflow
	// of a top-level execution.
	Depth int `json:"depth"`
	// Chain lists the workflow ids of every caller, outermost first; an
	// Execute Workflow node calling one of them (or its own workflow) is
	// refused as recursion.
	Chain []string `json:"chain"`
}

// WorkflowSource resolves the workflows executions start themselves
// (sub-workflows, error workflows) and writes their execution rows.
// DBWorkflows implements it over the database, MemoryWorkflows in memory.
type WorkflowSource interface {
	// Workflow returns the current version of workflow id if it has the
	// same owner as workflow callerID. It returns an *Error with code
	// NOT_FOUND when there is no such workflow, it was deleted, or another
	// user owns it.
	Workflow(ctx context.Context, callerID, id string) (*WorkflowRef, error)
	// CreateExecution writes the row (status new) of an execution the
	// interpreter starts. A row with that id already there is left as it
	// is: activities are retried.
	CreateExecution(ctx context.Context, e NewExecution) error
}

// WorkflowRef is a saved workflow's current version.
type WorkflowRef struct {
	ID         string
	Name       string
	OwnerID    string
	VersionID  string
	Definition *nodes.Workflow
}

// NewExecution is the row of an execution the interpreter starts.
type NewExecution struct {
	ID, WorkflowID, VersionID, OwnerID, Mode string
	// ParentExecutionID is the caller (sub-workflow) or the failed
	// execution (error workflow).
	ParentExecutionID string
}

// SubWorkflowRequest asks PlanSubWorkflow to prepare an Execute Workflow
// node's sub-executions.
type SubWorkflowRequest struct {
	NodeRequest
	Parent *ParentExecution `json:"parent,omitempty"`
}

// SubWorkflowPlan is what PlanSubWorkflow prepared.
type SubWorkflowPlan struct {
	// NoData reports that the node has no input items.
	NoData bool `json:"noData,omitempty"`
	// Wait and Each are the node's waitForSubWorkflow option and mode.
	Wait bool `json:"wait"`
	Each bool `json:"each,omitempty"`
	// Children are the sub-executions to start, their rows written.
	Children []ChildStart `json:"children,omitempty"`
	// NodeError is why no sub-execution starts (no such workflow,
	// recursion, too deep): the node fails with it.
	NodeError *nodes.NodeError `json:"nodeError,omitempty"`
}

// ChildStart is one sub-execution to start.
type ChildStart struct {
	// Item is the input item it runs for (mode each); 0 otherwise.
	Item  int            `json:"item"`
	Input ExecutionInput `json:"input"`
}

// ChildRun is how one sub-execution went, as the workflow saw it.
type ChildRun struct {
	ExecutionID string `json:"executionId"`
	WorkflowID  string `json:"workflowId"`
	Item        int    `json:"item"`
	// LastNode is its last node executed, whose output is the result.
	LastNode string           `json:"lastNode,omitempty"`
	Error    *nodes.NodeError `json:"error,omitempty"`
}

// ControlRequest asks RunControlNode to record a control node's run with
// what the workflow code got for it.
type ControlRequest struct {
	NodeRequest
	// Resume is the item of the call that resumed a Wait node.
	Resume []nodes.Item `json:"resume,omitempty"`
	// Sub is the Execute Workflow node's outcome.
	Sub *SubOutcome `json:"sub,omitempty"`
}

// SubOutcome is an Execute Workflow node's sub-executions as the workflow
// saw them.
type SubOutcome struct {
	Wait     bool             `json:"wait"`
	Each     bool             `json:"each,omitempty"`
	Children []ChildRun       `json:"children,omitempty"`
	Error    *nodes.NodeError `json:"error,omitempty"`
}

// runSubWorkflow runs an Execute Workflow node: its sub-executions are
// child workflows (the interpreter again) with rows of their own, started
// one after the other; when the node waits for them, each is awaited
// before the next starts, as n8n does. The node's run is then recorded
// with their results.
func (ip *interpreter) runSubWorkflow(ctx workflow.Context, node *nodes.NodeInstance, req NodeRequest) (*NodeResult, error) {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: nodeTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: retryableAttempts},
	})
	var plan SubWorkflowPlan
	if err := ip.local(lctx, activities.PlanSubWorkflow, SubWorkflowRequest{NodeRequest: req, Parent: ip.in.Parent}).Get(ctx, &plan); err != nil {
		return nil, err
	}
	if plan.NoData {
		return &NodeResult{TaskResult: nodes.TaskResult{Status: nodes.StatusSuccess, NoData: true}}, nil
	}
	out := &SubOutcome{Wait: plan.Wait, Each: plan.Each, Error: plan.NodeError}
	for _, c := range plan.Children {
		policy := enums.PARENT_CLOSE_POLICY_REQUEST_CANCEL
		if !plan.Wait {
			policy = enums.PARENT_CLOSE_POLICY_ABANDON
		}
		f := workflow.ExecuteChildWorkflow(childContext(ctx, &c.Input, policy), WorkflowName, c.Input)
		run := ChildRun{ExecutionID: c.Input.ExecutionID, WorkflowID: c.Input.WorkflowID, Item: c.Item}
		var err error
		if plan.Wait {
			var res ExecutionResult
			if err = f.Get(ctx, &res); err == nil {
				run.LastNode = res.LastNodeExecuted
				if res.Status != nodes.StatusSuccess {
					run.Error = res.Error
					if run.Error == nil {
						run.Error = &nodes.NodeError{Message: "the sub-workflow ended with status " + res.Status}
					}
				}
			}
		} else {
			err = f.GetChildWorkflowExecution().Get(ctx, nil)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, temporal.NewCanceledError()
			}
			run.Error = &nodes.NodeError{Message: errorMessage(err)}
		}
		out.Children = append(out.Children, run)
		if run.Error != nil && node.ErrorMode() == nodes.OnErrorStop {
			break
		}
	}
	var res NodeResult
	err := ip.local(lctx, activities.RunControlNode, ControlRequest{NodeRequest: req, Sub: out}).Get(ctx, &res)
	return &res, err
}

// childContext returns the context that starts an execution as a child
// workflow: its workflow id, weft's search attributes and memo, and its
// workflow's executionTimeout.
func childContext(ctx workflow.Context, in *ExecutionInput, policy enums.ParentClosePolicy) workflow.Context {
	attrs := []temporal.SearchAttributeUpdate{SearchTriggerMode.ValueSet(in.Mode)}
	if in.WorkflowID != "" {
		attrs = append(attrs, SearchWorkflowID.ValueSet(in.WorkflowID))
	}
	if in.Workflow.Name != "" {
		attrs = append(attrs, SearchWorkflowName.ValueSet(in.Workflow.Name))
	}
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            WorkflowID(in.ExecutionID),
		ParentClosePolicy:     policy,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
		Memo:                  map[string]any{"workflowName": in.Workflow.Name, "versionId": in.VersionID, "mode": in.Mode},
	}
	if secs := in.Workflow.Settings.ExecutionTimeout; secs > 0 {
		opts.WorkflowRunTimeout = time.Duration(secs)*time.Second + runTimeoutGrace
	}
	return workflow.WithChildOptions(ctx, opts)
}

// childExecutionID derives a child execution's id from its parent's, so a
// retried activity writes the same row and never starts a second one.
func childExecutionID(parent string, parts ...string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(parent+"/"+strings.Join(parts, "/"))).String()
}

// PlanSubWorkflow evaluates an Execute Workflow node's parameters, refuses
// recursion and nesting deeper than MaxSubWorkflowDepth, resolves the
// sub-workflow (same owner only) and writes the rows of the sub-executions
// to start (mode integrated, linked to this execution).
func (a *Activities) PlanSubWorkflow(ctx context.Context, req SubWorkflowRequest) (*SubWorkflowPlan, error) {
	def, node, err := a.lookup(ctx, req.NodeRequest)
	if err != nil {
		return nil, err
	}
	nctx, err := a.nodeContext(ctx, def, node, req.NodeRequest)
	if err != nil {
		return nil, err
	}
	if node.ExecuteOnce {
		nctx.Inputs = [][]nodes.Item{nctx.InputItems(0)[:min(1, len(nctx.InputItems(0)))]}
	}
	items := nctx.InputItems(0)
	if len(items) == 0 {
		return &SubWorkflowPlan{NoData: true}, nil
	}
	fail := func(err error) (*SubWorkflowPlan, error) {
		ne := nodes.AsNodeError(err)
		ne.Node = node.Name
		ne.Timestamp = time.Now().UnixMilli()
		return &SubWorkflowPlan{NodeError: trimError(ne)}, nil
	}
	p := subParams()
	if err := nctx.Decode(0, &p); err != nil {
		return fail(err)
	}
	plan := &SubWorkflowPlan{Wait: p.WaitsForSubWorkflow(), Each: p.Mode == "each"}
	if a.Workflows == nil {
		return fail(nodes.NewNodeError("sub-workflows cannot run on this worker: it has no workflow store"))
	}
	depth, chain := 1, []string{req.WorkflowID}
	if req.Parent != nil {
		depth = req.Parent.Depth + 1
		chain = append(append([]string(nil), req.Parent.Chain...), req.WorkflowID)
	}
	if depth > MaxSubWorkflowDepth {
		return fail(nodes.NewNodeError("Sub-workflows nest too deeply: at most %d levels are allowed", MaxSubWorkflowDepth))
	}
	groups := [][]nodes.Item{items}
	if plan.Each {
		groups = make([][]nodes.Item, len(items))
		for i := range items {
			groups[i] = items[i : i+1]
		}
	}
	for i, group := range groups {
		if plan.Each && i > 0 {
			p = subParams()
			if err := nctx.Decode(i, &p); err != nil {
				return fail(err)
			}
		}
		id := p.TargetID()
		if id == "" {
			return fail(nodes.NewNodeError("No workflow ID given: set the id of the workflow to execute"))
		}
		for _, c := range chain {
			if c == id {
				return fail(nodes.NewNodeError("Recursion refused: workflow %s would call itself (%s → %s)", id, strings.Join(chain, " → "), id))
			}
		}
		ref, err := a.Workflows.Workflow(ctx, req.WorkflowID, id)
		if err != nil {
			if nodes.ErrorCode(err) == nodes.CodeNotFound {
				return fail(nodes.NewNodeError("Workflow %s does not exist", id))
			}
			return nil, err
		}
		start := triggerOfType(ref.Definition, nodes.ExecuteWorkflowTriggerType)
		if start == "" {
			return fail(nodes.NewNodeError("Workflow %s has no Execute Workflow Trigger node: a sub-workflow must start with one", id))
		}
		sent, err := nodes.SubWorkflowItems(nctx, group)
		if err != nil {
			return fail(err)
		}
		sub := ref.Definition
		if ref.Name != "" && ref.Name != sub.Name {
			sub = sub.Clone()
			sub.Name = ref.Name
		}
		in := ExecutionInput{
			ExecutionID: childExecutionID(req.ExecutionID, node.Name, strconv.Itoa(req.Task.RunIndex), strconv.Itoa(i)),
			WorkflowID:  ref.ID, VersionID: ref.VersionID, Mode: nodes.ModeIntegrated, Workflow: sub,
			TriggerItems: sent, StartNode: start, Chain: true,
			Parent: &ParentExecution{ExecutionID: req.ExecutionID, WorkflowID: req.WorkflowID, Depth: depth, Chain: chain},
		}
		if err := (&Client{Store: a.Store}).storeTrigger(ctx, &in); err != nil {
			return nil, err
		}
		if err := a.Workflows.CreateExecution(ctx, NewExecution{ID: in.ExecutionID, WorkflowID: ref.ID, VersionID: ref.VersionID,
			OwnerID: ref.OwnerID, Mode: nodes.ModeIntegrated, ParentExecutionID: req.ExecutionID}); err != nil {
			return nil, err
		}
		plan.Children = append(plan.Children, ChildStart{Item: i, Input: in})
	}
	return plan, nil
}

func subParams() nodes.ExecuteWorkflowParams {
	return nodes.ExecuteWorkflowParams{Source: "database", Mode: "once"}
}

// triggerOfType returns the first enabled node of a trigger type.
func triggerOfType(def *nodes.Workflow, typ string) string {
	for _, n := range def.Nodes {
		if n.Type == typ && !n.Disabled {
			return n.Name
		}
	}
	return ""
}

// RunControlNode runs a control node once the workflow code is done with
// it, handing it what that code got (nodes.Context.Control): the item of
// the call that resumed a Wait node, or the outcome of an Execute Workflow
// node's sub-executions, whose last nodes' outputs it loads from the run
// store. It saves the run as RunNode does, with n8n's metadata linking the
// sub-executions.
func (a *Activities) RunControlNode(ctx context.Context, req ControlRequest) (*NodeResult, error) {
	def, node, err := a.lookup(ctx, req.NodeRequest)
	if err != nil {
		return nil, err
	}
	nctx, err := a.nodeContext(ctx, def, node, req.NodeRequest)
	if err != nil {
		a.log(ctx, "loading a node's inputs failed", req.NodeRequest, err)
		return nil, err
	}
	var meta map[string]any
	switch {
	case req.Resume != nil:
		nctx.Control = req.Resume
	case req.Sub != nil:
		o, err := a.subOutcome(ctx, req.Sub)
		if err != nil {
			return nil, err
		}
		nctx.Control = o
		meta = subMetadata(req.Sub)
	}
	a.publish(ctx, Event{Type: EventNodeExecuting, ExecutionID: req.ExecutionID, WorkflowID: req.WorkflowID,
		Node: node.Name, RunIndex: req.Task.RunIndex})
	run := nodes.RunNode(nctx)
	if run == nil {
		return &NodeResult{TaskResult: nodes.TaskResult{Status: nodes.StatusSuccess, NoData: true}}, nil
	}
	run.ExecutionIndex = req.Task.ExecutionIndex
	run.Metadata = meta
	if err := a.Store.SaveRun(ctx, req.ExecutionID, node.Name, req.Task.RunIndex, run); err != nil {
		err = fmt.Errorf("save run %d of %q: %w", req.Task.RunIndex, node.Name, err)
		a.log(ctx, "saving a node run failed", req.NodeRequest, err)
		return nil, err
	}
	res := &NodeResult{TaskResult: nodes.RunResult(run), NodeError: trimError(run.Error)}
	a.publish(ctx, Event{Type: EventNodeCompleted, ExecutionID: req.ExecutionID, WorkflowID: req.WorkflowID,
		Node: node.Name, RunIndex: req.Task.RunIndex, Status: run.ExecutionStatus, Error: res.Error})
	return res, nil
}

// subOutcome loads the results of the sub-executions the node waited for:
// the main outputs of the last run of each one's last node (n8n's result
// of a sub-workflow).
func (a *Activities) subOutcome(ctx context.Context, s *SubOutcome) (*nodes.SubWorkflowOutcome, error) {
	o := &nodes.SubWorkflowOutcome{Wait: s.Wait, Each: s.Each, Error: s.Error}
	for _, c := range s.Children {
		r := nodes.SubExecutionResult{ExecutionID: c.ExecutionID, WorkflowID: c.WorkflowID, Item: c.Item, Error: c.Error}
		if s.Wait && c.Error == nil && c.LastNode != "" {
			rd, err := a.Store.LoadRunData(ctx, c.ExecutionID)
			if err != nil {
				return nil, fmt.Errorf("load the result of sub-execution %s: %w", c.ExecutionID, err)
			}
			if runs := rd[c.LastNode]; len(runs) > 0 && runs[len(runs)-1] != nil {
				r.Output = runs[len(runs)-1].Main()
			}
		}
		o.Runs = append(o.Runs, r)
	}
	return o, nil
}

// subMetadata is n8n's run metadata of an Execute Workflow node.
func subMetadata(s *SubOutcome) map[string]any {
	if len(s.Children) == 0 {
		return nil
	}
	if s.Each {
		return map[string]any{"subExecutionsCount": len(s.Children)}
	}
	c := s.Children[0]
	return map[string]any{
		"subExecution":       map[string]any{"executionId": c.ExecutionID, "workflowId": c.WorkflowID},
		"subExecutionsCount": 1,
	}
}

// ErrorWorkflowRequest asks PlanErrorWorkflow to prepare the error
// workflow of a failed execution.
type ErrorWorkflowRequest struct {
	ExecutionID     string           `json:"executionId"`
	WorkflowID      string           `json:"workflowId"`
	WorkflowName    string           `json:"workflowName"`
	Mode            string           `json:"mode"`
	RetryOf         string           `json:"retryOf,omitempty"`
	ErrorWorkflowID string           `json:"errorWorkflowId"`
	LastNode        string           `json:"lastNode,omitempty"`
	Error           *nodes.NodeError `json:"error,omitempty"`
}

// ErrorWorkflowPlan is the error workflow's execution to start, or why
// none starts.
type ErrorWorkflowPlan struct {
	Input *ExecutionInput `json:"input,omitempty"`
	Skip  string          `json:"skip,omitempty"`
}

// errorWorkflowOf returns the workflow to run when this execution fails,
// as n8n decides: settings.errorWorkflow, or the workflow itself when it
// holds an Error Trigger node. Manual executions run none (n8n's rule), nor
// do error workflows' own executions, so that two error workflows never
// call each other forever.
func (ip *interpreter) errorWorkflowOf() string {
	if ip.in.WorkflowID == "" || ip.in.Mode == nodes.ModeManual || ip.in.Mode == nodes.ModeError {
		return ""
	}
	if id := ip.in.Workflow.Settings.ErrorWorkflow; id != "" {
		return id
	}
	if triggerOfType(ip.in.Workflow, nodes.ErrorTriggerType) != "" {
		return ip.in.WorkflowID
	}
	return ""
}

// startErrorWorkflow starts the error workflow of a failed execution as a
// child workflow with parent close policy ABANDON: the child outlives this
// execution, which only waits for Temporal to have started it. A child
// (rather than an activity starting it through a client) keeps the start
// in this execution's history, exactly once, and needs nothing the worker
// does not already have. A failure to start it is logged; the execution's
// own status stays what it is.
func (ip *interpreter) startErrorWorkflow(ctx workflow.Context, res *ExecutionResult) {
	target := ip.errorWorkflowOf()
	if target == "" {
		return
	}
	req := ErrorWorkflowRequest{ExecutionID: ip.in.ExecutionID, WorkflowID: ip.in.WorkflowID, WorkflowName: ip.in.Workflow.Name,
		Mode: ip.in.Mode, RetryOf: ip.in.RetryOf, ErrorWorkflowID: target, LastNode: res.LastNodeExecuted, Error: res.Error}
	var plan ErrorWorkflowPlan
	if err := ip.local(ip.recordLocal(ctx), activities.PlanErrorWorkflow, req).Get(ctx, &plan); err != nil {
		workflow.GetLogger(ctx).Warn("preparing the error workflow failed", "errorWorkflow", target, "error", err)
		return
	}
	if plan.Input == nil {
		workflow.GetLogger(ctx).Warn("no error workflow runs", "errorWorkflow", target, "reason", plan.Skip)
		return
	}
	f := workflow.ExecuteChildWorkflow(childContext(ctx, plan.Input, enums.PARENT_CLOSE_POLICY_ABANDON), WorkflowName, *plan.Input)
	if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("starting the error workflow failed", "errorWorkflow", target, "error", err)
	}
}

// PlanErrorWorkflow resolves the error workflow of a failed execution (same
// owner only), builds its Error Trigger item in n8n's shape and writes the
// row of its execution (mode error).
func (a *Activities) PlanErrorWorkflow(ctx context.Context, req ErrorWorkflowRequest) (*ErrorWorkflowPlan, error) {
	if a.Workflows == nil {
		return &ErrorWorkflowPlan{Skip: "this worker has no workflow store"}, nil
	}
	ref, err := a.Workflows.Workflow(ctx, req.WorkflowID, req.ErrorWorkflowID)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			return &ErrorWorkflowPlan{Skip: fmt.Sprintf("error workflow %s does not exist", req.ErrorWorkflowID)}, nil
		}
		return nil, err
	}
	start := triggerOfType(ref.Definition, nodes.ErrorTriggerType)
	if start == "" {
		return &ErrorWorkflowPlan{Skip: fmt.Sprintf("error workflow %s has no Error Trigger node", ref.ID)}, nil
	}
	item, err := errorTriggerItem(req, a.PublicURL)
	if err != nil {
		return nil, err
	}
	def := ref.Definition
	if ref.Name != "" && ref.Name != def.Name {
		def = def.Clone()
		def.Name = ref.Name
	}
	in := &ExecutionInput{ExecutionID: childExecutionID(req.ExecutionID, "error"), WorkflowID: ref.ID, VersionID: ref.VersionID,
		Mode: nodes.ModeError, Workflow: def, TriggerItems: []nodes.Item{item}, StartNode: start, Chain: true}
	if err := a.Workflows.CreateExecution(ctx, NewExecution{ID: in.ExecutionID, WorkflowID: ref.ID, VersionID: ref.VersionID,
		OwnerID: ref.OwnerID, Mode: nodes.ModeError, ParentExecutionID: req.ExecutionID}); err != nil {
		return nil, err
	}
	return &ErrorWorkflowPlan{Input: in}, nil
}

// errorTriggerItem is the Error Trigger's item, n8n's shape and key order:
// {execution: {id, url, retryOf, error: {message}, lastNodeExecuted,
// mode}, workflow: {id, name}}.
func errorTriggerItem(req ErrorWorkflowRequest, base string) (nodes.Item, error) {
	type errorInfo struct {
		Message string `json:"message"`
		Name    string `json:"name,omitempty"`
		Node    string `json:"node,omitempty"`
	}
	type execution struct {
		ID               string     `json:"id"`
		URL              string     `json:"url"`
		RetryOf          string     `json:"retryOf,omitempty"`
		Error            *errorInfo `json:"error"`
		LastNodeExecuted string     `json:"lastNodeExecuted,omitempty"`
		Mode             string     `json:"mode"`
	}
	type wf struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	e := execution{ID: req.ExecutionID, URL: strings.TrimRight(orDefault(base, DefaultPublicURL), "/") + "/api/executions/" + req.ExecutionID,
		RetryOf: req.RetryOf, Error: &errorInfo{Message: "The execution failed"}, LastNodeExecuted: req.LastNode, Mode: req.Mode}
	if req.Error != nil {
		e.Error = &errorInfo{Message: req.Error.Message, Name: req.Error.Name, Node: req.Error.Node}
	}
	b, err := json.Marshal(map[string]any{"json": struct {
		Execution execution `json:"execution"`
		Workflow  wf        `json:"workflow"`
	}{e, wf{req.WorkflowID, req.WorkflowName}}})
	if err != nil {
		return nodes.Item{}, err
	}
	var it nodes.Item
	err = json.Unmarshal(b, &it)
	return it, err
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
