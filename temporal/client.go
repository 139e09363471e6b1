package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/weft/weft/nodes"
)

// Custom search attributes of interpreter workflows, so operators can find
// an execution in the Temporal UI by workflow, name or trigger mode.
var (
	SearchWorkflowID   = temporal.NewSearchAttributeKeyKeyword("WeftWorkflowId")
	SearchWorkflowName = temporal.NewSearchAttributeKeyKeyword("WeftWorkflowName")
	SearchTriggerMode  = temporal.NewSearchAttributeKeyKeyword("WeftTriggerMode")
)

// SearchAttributes returns the custom search attributes weft needs in its
// namespace, by name.
func SearchAttributes() map[string]enums.IndexedValueType {
	return map[string]enums.IndexedValueType{
		SearchWorkflowID.GetName():   enums.INDEXED_VALUE_TYPE_KEYWORD,
		SearchWorkflowName.GetName(): enums.INDEXED_VALUE_TYPE_KEYWORD,
		SearchTriggerMode.GetName():  enums.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// RegisterSearchAttributes adds the search attributes weft needs to a
// namespace, leaving those that exist alone.
func RegisterSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range SearchAttributes() {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

// Client starts, cancels and awaits executions on Temporal.
type Client struct {
	// Temporal is the SDK client.
	Temporal client.Client
	// TaskQueue is where the interpreter's workers listen; empty is
	// DefaultTaskQueue.
	TaskQueue string
	// Store is the run store the workers use. With it, Start keeps
	// trigger items larger than InlineTriggerBytes there instead of in
	// the workflow input; without it they always go inline, and Temporal
	// refuses an input over its payload limit (2 MB by default).
	Store nodes.RunStore
	// InlineTriggerBytes is the largest encoded size of trigger items that
	// still travel inline; 0 means DefaultInlineTriggerBytes.
	InlineTriggerBytes int
	// ReplyGrace is how long StartWithReply waits for the local worker's
	// answer before it asks Temporal; 0 means 3 s.
	ReplyGrace time.Duration
}

// DefaultInlineTriggerBytes is the largest encoded size of trigger items
// Start passes inline in the workflow input (and the start node's activity
// request) when the client has a Store: well below Temporal's payload and
// history limits, and large enough that ordinary inputs stay visible in
// the history.
const DefaultInlineTriggerBytes = 64 << 10

// StartOptions are per-start options.
type StartOptions struct {
	// Memo entries are added beside weft's own (workflowName, versionId,
	// mode).
	Memo map[string]any
}

// runTimeoutGrace is added to a workflow's executionTimeout for the
// Temporal run timeout: the interpreter stops itself at the timeout and
// needs a moment to record that; the run timeout is the backstop.
const runTimeoutGrace = time.Minute

// Start starts the interpreter workflow for an execution, with workflow id
// WorkflowID(in.ExecutionID), weft's search attributes and memo, and the
// workflow's executionTimeout as run timeout. It fails if an execution with
// that id was started before. Trigger items too large to go inline (see
// InlineTriggerBytes) are first saved in the Store under the execution id
// (nodes.TriggerRunNode) and the input carries a TriggerRef instead; they
// stay there if the start then fails, and go with the execution's data.
func (c *Client) Start(ctx context.Context, in ExecutionInput, opts StartOptions) (client.WorkflowRun, error) {
	so, err := c.startOptions(ctx, &in, opts)
	if err != nil {
		return nil, err
	}
	run, err := c.Temporal.ExecuteWorkflow(ctx, so, WorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("start execution %s: %w", in.ExecutionID, err)
	}
	return run, nil
}

// startOptions checks in, stores its large trigger items and returns the
// options Start starts it with.
func (c *Client) startOptions(ctx context.Context, in *ExecutionInput, opts StartOptions) (client.StartWorkflowOptions, error) {
	if in.ExecutionID == "" {
		return client.StartWorkflowOptions{}, nodes.Errorf(nodes.CodeInvalid, "execution id is required")
	}
	if in.Workflow == nil {
		return client.StartWorkflowOptions{}, nodes.Errorf(nodes.CodeInvalid, "execution %s has no workflow definition", in.ExecutionID)
	}
	if in.Mode == "" {
		in.Mode = nodes.ModeManual
	}
	in.Chain = true
	if err := c.storeTrigger(ctx, in); err != nil {
		return client.StartWorkflowOptions{}, err
	}
	memo := map[string]any{"workflowName": in.Workflow.Name, "versionId": in.VersionID, "mode": in.Mode}
	for k, v := range opts.Memo {
		memo[k] = v
	}
	attrs := []temporal.SearchAttributeUpdate{SearchTriggerMode.ValueSet(in.Mode)}
	if in.WorkflowID != "" {
		attrs = append(attrs, SearchWorkflowID.ValueSet(in.WorkflowID))
	}
	if in.Workflow.Name != "" {
		attrs = append(attrs, SearchWorkflowName.ValueSet(in.Workflow.Name))
	}
	so := client.StartWorkflowOptions{
		ID:                                       WorkflowID(in.ExecutionID),
		TaskQueue:                                c.taskQueue(),
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes:                    temporal.NewSearchAttributes(attrs...),
		Memo:                                     memo,
		EnableEagerStart:                         true,
	}
	if secs := in.Workflow.Settings.ExecutionTimeout; secs > 0 {
		so.WorkflowRunTimeout = time.Duration(secs)*time.Second + runTimeoutGrace
	}
	return so, nil
}

// Cancel asks a running execution to stop; the interpreter records the
// running node and the execution as canceled.
func (c *Client) Cancel(ctx context.Context, executionID string) error {
	if err := c.Temporal.CancelWorkflow(ctx, WorkflowID(executionID), ""); err != nil {
		return fmt.Errorf("cancel execution %s: %w", executionID, err)
	}
	return nil
}

// Result waits for an execution to end and returns how it ended,
// following the runs it continued as new to the last. A canceled or
// timed-out run is a result with status canceled, not an error.
func (c *Client) Result(ctx context.Context, executionID string) (*ExecutionResult, error) {
	run := c.Temporal.GetWorkflow(ctx, WorkflowID(executionID), "")
	var res ExecutionResult
	err := run.Get(ctx, &res)
	if err == nil {
		return &res, nil
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return &ExecutionResult{Status: nodes.StatusCanceled, Error: &nodes.NodeError{Name: "ManualExecutionCancelledError", Message: msgCanceled}}, nil
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return &ExecutionResult{Status: nodes.StatusCanceled, Error: &nodes.NodeError{Name: "TimeoutExecutionCancelledError", Message: msgTimedOut}}, nil
	}
	var terminated *temporal.TerminatedError
	if errors.As(err, &terminated) {
		return &ExecutionResult{Status: nodes.StatusCrashed, Error: &nodes.NodeError{Message: "The execution was terminated"}}, nil
	}
	return nil, fmt.Errorf("execution %s: %w", executionID, err)
}

// Wait blocks until an execution has ended (however it ended) or ctx is
// done.
func (c *Client) Wait(ctx context.Context, executionID string) error {
	_, err := c.Result(ctx, executionID)
	return err
}

// Status returns Temporal's view of an execution as a weft status:
// running, waiting, success, error, canceled or crashed. It is an *Error
// with code NOT_FOUND when Temporal has no such execution.
func (c *Client) Status(ctx context.Context, executionID string) (string, error) {
	d, err := c.Temporal.DescribeWorkflowExecution(ctx, WorkflowID(executionID), "")
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return "", nodes.Errorf(nodes.CodeNotFound, "execution %s not found", executionID)
		}
		return "", fmt.Errorf("describe execution %s: %w", executionID, err)
	}
	switch d.GetWorkflowExecutionInfo().GetStatus() {
	case enums.WORKFLOW_EXECUTION_STATUS_RUNNING, enums.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		// With no run id Temporal describes the latest run, so a run that
		// continued as new is not seen here; were it, its successor runs.
		var live LiveStatus
		v, err := c.Temporal.QueryWorkflow(ctx, WorkflowID(executionID), "", QueryStatus)
		if err != nil || v.Get(&live) != nil || live.Status == "" {
			// No worker answers queries right now; it still runs.
			return nodes.StatusRunning, nil
		}
		return live.Status, nil
	case enums.WORKFLOW_EXECUTION_STATUS_COMPLETED, enums.WORKFLOW_EXECUTION_STATUS_CANCELED,
		enums.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, enums.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		res, err := c.Result(ctx, executionID)
		if err != nil {
			return "", err
		}
		return res.Status, nil
	}
	return nodes.StatusError, nil
}

// Ping checks that the Temporal server answers.
func (c *Client) Ping(ctx context.Context) error {
	if _, err := c.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal health check: %w", err)
	}
	return nil
}

// Run starts an execution and waits for its result.
func (c *Client) Run(ctx context.Context, in ExecutionInput, opts StartOptions) (*ExecutionResult, error) {
	if _, err := c.Start(ctx, in, opts); err != nil {
		return nil, err
	}
	return c.Result(ctx, in.ExecutionID)
}

// storeTrigger moves in's trigger items into the store when they are too
// large to go inline.
func (c *Client) storeTrigger(ctx context.Context, in *ExecutionInput) error {
	if c.Store == nil || len(in.TriggerItems) == 0 {
		return nil
	}
	b, err := json.Marshal(in.TriggerItems)
	if err != nil {
		return fmt.Errorf("encode the trigger items of execution %s: %w", in.ExecutionID, err)
	}
	limit := c.InlineTriggerBytes
	if limit <= 0 {
		limit = DefaultInlineTriggerBytes
	}
	if len(b) <= limit {
		return nil
	}
	run := &nodes.NodeRun{
		StartTime: time.Now().UnixMilli(), ExecutionStatus: nodes.StatusSuccess, Source: []*nodes.SourceRef{},
		Data: map[string][][]nodes.Item{nodes.ConnectionMain: {in.TriggerItems}},
	}
	if err := c.Store.SaveRun(ctx, in.ExecutionID, nodes.TriggerRunNode, 0, run); err != nil {
		return fmt.Errorf("store the trigger items of execution %s: %w", in.ExecutionID, err)
	}
	in.TriggerRef = &StoredItems{ExecutionID: in.ExecutionID, Count: len(in.TriggerItems), Bytes: len(b)}
	in.TriggerItems = nil
	return nil
}

func (c *Client) taskQueue() string {
	if c.TaskQueue == "" {
		return DefaultTaskQueue
	}
	return c.TaskQueue
}
