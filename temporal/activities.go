package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
)

// Activities are the interpreter's activities. Register one value with a
// worker (Register); the workflow calls its methods through a nil
// *Activities.
type Activities struct {
	// Store keeps node runs; wrap it in a CachedRunStore for a worker.
	Store nodes.RunStore
	// Definitions loads workflow definitions by version id.
	Definitions Definitions
	// Expr evaluates expressions and Code node scripts.
	Expr *expr.Engine
	// Recorder keeps the executions read model; nil records nothing.
	Recorder ExecutionRecorder
	// Events receives progress events; nil publishes nothing.
	Events EventPublisher
	// Logger logs activity failures; nil logs nothing.
	Logger *zap.Logger
	// Location is the timezone of workflows that name none; nil is UTC.
	Location *time.Location
	// Credentials decrypts the credentials nodes reference; nil means
	// nodes that need one fail with a node error.
	Credentials nodes.CredentialSource
	// Workflows resolves sub-workflows and error workflows and writes the
	// rows of their executions; nil means Execute Workflow nodes fail and
	// no error workflow runs.
	Workflows WorkflowSource
	// PublicURL is the base of resume URLs ($execution.resumeUrl) and
	// execution links; empty is DefaultPublicURL.
	PublicURL string
	// Metrics counts node durations; nil counts nothing.
	Metrics *Metrics
	// Replies hands webhook answers to requests waiting in this process;
	// nil hands none (replies.go).
	Replies *Replies
}

// retryableAttempts is how many times an activity is attempted for failures
// that are not the node's own (store unavailable, worker crash) or that the
// node marks Retryable, when the node's retry settings allow fewer.
const retryableAttempts = 3

// maxErrorDescription bounds the error description returned to the
// workflow, so a stack trace does not bloat the history.
const maxErrorDescription = 2048

// RunNode runs one node task: it loads the inputs and the node's previous
// state from the store, runs the node with nodes.RunNode, saves the run
// (idempotently: a retry replaces it) and returns its summary. A node
// failure is returned as a failed result, not an error, once the node's
// tries are used up; before that the activity fails so Temporal retries it
// after the node's waitBetweenTries.
func (a *Activities) RunNode(ctx context.Context, req NodeRequest) (*NodeResult, error) {
	return a.runNode(ctx, req, activity.GetInfo(ctx).Attempt)
}

// runNode runs a node task as its try number attempt.
func (a *Activities) runNode(ctx context.Context, req NodeRequest, attempt int32) (*NodeResult, error) {
	def, node, err := a.lookup(ctx, req)
	if err != nil {
		return nil, err
	}
	nctx, err := a.nodeContext(ctx, def, node, req)
	if err != nil {
		a.log(ctx, "loading a node's inputs failed", req, err)
		return nil, err
	}
	a.publish(ctx, Event{Type: EventNodeExecuting, ExecutionID: req.ExecutionID, WorkflowID: req.WorkflowID,
		Node: node.Name, RunIndex: req.Task.RunIndex})
	started := time.Now()
	run := nodes.RunNode(nctx)
	a.Metrics.nodeRan(node.Type, runStatus(run), time.Since(started))
	if err := retryError(node, run, attempt); err != nil {
		return nil, err
	}
	if run == nil {
		a.publish(ctx, Event{Type: EventNodeCompleted, ExecutionID: req.ExecutionID, WorkflowID: req.WorkflowID,
			Node: node.Name, RunIndex: req.Task.RunIndex, Status: nodes.StatusSuccess})
		return &NodeResult{TaskResult: nodes.TaskResult{Status: nodes.StatusSuccess, NoData: true}}, nil
	}
	run.ExecutionIndex = req.Task.ExecutionIndex
	if err := a.Store.SaveRun(ctx, req.ExecutionID, node.Name, req.Task.RunIndex, run); err != nil {
		err = fmt.Errorf("save run %d of %q: %w", req.Task.RunIndex, node.Name, err)
		a.log(ctx, "saving a node run failed", req, err)
		return nil, err
	}
	res := &NodeResult{TaskResult: nodes.RunResult(run), NodeError: trimError(run.Error)}
	if res.Response, err = a.webhookResponse(ctx, req, node, run); err != nil {
		return nil, err
	}
	if res.Response != nil {
		a.Replies.deliver(req.ExecutionID, &WebhookReply{Response: res.Response})
	}
	done := Event{Type: EventNodeCompleted, ExecutionID: req.ExecutionID, WorkflowID: req.WorkflowID,
		Node: node.Name, RunIndex: req.Task.RunIndex, Status: run.ExecutionStatus, Error: res.Error, Items: res.Outputs}
	done.Preview, done.PreviewTruncated = preview(run)
	a.publish(ctx, done)
	return res, nil
}

// runStatus is a run's status for metrics; a run without data succeeded.
func runStatus(run *nodes.NodeRun) string {
	if run == nil {
		return nodes.StatusSuccess
	}
	return run.ExecutionStatus
}

// retryError returns the error that makes Temporal try the node again, or
// nil when the run is final. n8n retries a node that threw, and one whose
// first output item carries an error when retryOnFail is on.
func retryError(node *nodes.NodeInstance, run *nodes.NodeRun, attempt int32) error {
	if run == nil {
		return nil
	}
	failed := run.ExecutionStatus == nodes.StatusError
	if node.RetryOnFail && !failed {
		if first := run.Output(0); len(first) > 0 && truthyError(first[0].JSON["error"]) {
			failed = true
		}
	}
	if !failed {
		return nil
	}
	tries := node.Tries()
	if run.Error != nil && run.Error.Retryable && tries < retryableAttempts {
		tries = retryableAttempts
	}
	if int(attempt) >= tries {
		return nil
	}
	msg := "node failed"
	if run.Error != nil {
		msg = run.Error.Message
	} else if first := run.Output(0); len(first) > 0 {
		msg = fmt.Sprint(first[0].JSON["error"])
	}
	return temporal.NewApplicationError(msg, "NodeFailed")
}

func truthyError(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	}
	return true
}

func trimError(e *nodes.NodeError) *nodes.NodeError {
	if e == nil {
		return nil
	}
	c := *e
	if len(c.Description) > maxErrorDescription {
		c.Description = c.Description[:maxErrorDescription] + "…"
	}
	return &c
}

// PlanWait evaluates a Wait node's parameters for its first input item and
// returns how long to wait.
func (a *Activities) PlanWait(ctx context.Context, req NodeRequest) (*WaitResult, error) {
	def, node, err := a.lookup(ctx, req)
	if err != nil {
		return nil, err
	}
	nctx, err := a.nodeContext(ctx, def, node, req)
	if err != nil {
		return nil, err
	}
	if !req.Task.Trigger && !hasItems(nctx.Inputs) {
		return &WaitResult{NoData: true}, nil
	}
	if nctx.Now == nil {
		start := time.Now()
		nctx.Now = func() time.Time { return start }
	}
	plan, err := nodes.Wait{}.Plan(nctx)
	if err != nil {
		ne := nodes.AsNodeError(err)
		ne.Node = node.Name
		ne.Timestamp = time.Now().UnixMilli()
		return &WaitResult{NodeError: trimError(ne)}, nil
	}
	return &WaitResult{WaitPlan: plan}, nil
}

func hasItems(inputs [][]nodes.Item) bool {
	for _, in := range inputs {
		if len(in) > 0 {
			return true
		}
	}
	return false
}

// RecordRun saves a run the runner did not make: the node's activity
// failed for good, or the execution was canceled while it ran.
func (a *Activities) RecordRun(ctx context.Context, rec RunRecord) error {
	now := time.Now()
	start := rec.StartTime
	if start.IsZero() {
		start = now
	}
	run := &nodes.NodeRun{
		StartTime: start.UnixMilli(), ExecutionTime: max(now.Sub(start).Milliseconds(), 0),
		ExecutionIndex: rec.ExecutionIndex, ExecutionStatus: rec.Status, Source: rec.Source, Error: rec.Error,
	}
	if run.Source == nil {
		run.Source = []*nodes.SourceRef{}
	}
	return a.Store.SaveRun(ctx, rec.ExecutionID, rec.Node, rec.RunIndex, run)
}

// ExecutionStarted reports to the recorder that an execution runs.
func (a *Activities) ExecutionStarted(ctx context.Context, rec ExecutionRecord) error {
	rec.At = time.Now()
	a.publish(ctx, Event{Type: EventExecutionStarted, ExecutionID: rec.ExecutionID, WorkflowID: rec.WorkflowID, Status: rec.Status})
	return a.recorder().ExecutionStarted(ctx, rec)
}

// ExecutionWaiting reports to the recorder that an execution waits.
func (a *Activities) ExecutionWaiting(ctx context.Context, rec ExecutionRecord) error {
	rec.At = time.Now()
	a.publish(ctx, Event{Type: EventExecutionWaiting, ExecutionID: rec.ExecutionID, WorkflowID: rec.WorkflowID, Status: rec.Status})
	return a.recorder().ExecutionWaiting(ctx, rec)
}

// ExecutionFinished reports to the recorder how an execution ended.
func (a *Activities) ExecutionFinished(ctx context.Context, rec ExecutionRecord) error {
	rec.At = time.Now()
	typ := EventExecutionCompleted
	switch rec.Status {
	case nodes.StatusError:
		typ = EventExecutionFailed
	case nodes.StatusCanceled:
		typ = EventExecutionCanceled
	}
	e := Event{Type: typ, ExecutionID: rec.ExecutionID, WorkflowID: rec.WorkflowID, Status: rec.Status}
	if rec.Error != nil {
		e.Error = rec.Error.Message
	}
	a.publish(ctx, e)
	if err := a.recorder().ExecutionFinished(ctx, rec); err != nil {
		return err
	}
	a.Replies.deliver(rec.ExecutionID, &WebhookReply{Ended: true, Status: rec.Status})
	return nil
}

func (a *Activities) log(ctx context.Context, msg string, req NodeRequest, err error) {
	if a.Logger == nil {
		return
	}
	a.Logger.Error(msg, zap.String("execution_id", req.ExecutionID), zap.String("workflow_id", req.WorkflowID),
		zap.String("node", req.Task.Node), zap.Int("run", req.Task.RunIndex), zap.Error(err))
}

func (a *Activities) recorder() ExecutionRecorder {
	if a.Recorder == nil {
		return NopRecorder{}
	}
	return a.Recorder
}

func (a *Activities) publish(ctx context.Context, e Event) {
	if a.Events == nil {
		return
	}
	e.At = time.Now()
	a.Events.Publish(ctx, e)
}

// lookup loads the definition and the task's node; a missing one is a
// failure no retry mends.
func (a *Activities) lookup(ctx context.Context, req NodeRequest) (*nodes.Workflow, *nodes.NodeInstance, error) {
	def, err := a.Definitions.Definition(ctx, req.VersionID)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			return nil, nil, temporal.NewNonRetryableApplicationError(err.Error(), "DefinitionNotFound", err)
		}
		return nil, nil, err
	}
	node := def.Node(req.Task.Node)
	if node == nil {
		msg := fmt.Sprintf("workflow version %s has no node %q", req.VersionID, req.Task.Node)
		return nil, nil, temporal.NewNonRetryableApplicationError(msg, "NodeNotFound", nil)
	}
	return def, node, nil
}

// nodeContext builds what the node sees: its inputs read from the store,
// its previous run's state, and a reader for other nodes' runs.
func (a *Activities) nodeContext(ctx context.Context, def *nodes.Workflow, node *nodes.NodeInstance, req NodeRequest) (*nodes.Context, error) {
	t := req.Task
	var inputs [][]nodes.Item
	if t.Trigger {
		items, err := a.triggerItems(ctx, req)
		if err != nil {
			return nil, err
		}
		inputs = [][]nodes.Item{items}
	} else {
		inputs = make([][]nodes.Item, len(t.Inputs))
		for i, in := range t.Inputs {
			if in == nil {
				continue
			}
			run, err := a.Store.LoadRun(ctx, req.ExecutionID, in.Node, in.Run)
			if err != nil {
				return nil, fmt.Errorf("load input %d of %q (run %d of %q): %w", i, node.Name, in.Run, in.Node, err)
			}
			inputs[i] = run.Output(in.Output)
		}
	}
	var state map[string]any
	if t.RunIndex > 0 {
		prev, err := a.Store.LoadRun(ctx, req.ExecutionID, node.Name, t.RunIndex-1)
		if err != nil {
			return nil, fmt.Errorf("load previous run of %q: %w", node.Name, err)
		}
		state, _ = nodes.CloneJSON(prev.State).(map[string]any)
	}
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	if tz := def.Settings.Timezone; tz != "" && tz != "DEFAULT" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	engine := a.Expr
	if engine == nil {
		engine = expr.New(expr.Options{Location: loc})
	}
	return &nodes.Context{
		Context:     ctx,
		Workflow:    def,
		Node:        node,
		RunIndex:    t.RunIndex,
		Execution:   nodes.ExecutionInfo{ID: req.ExecutionID, WorkflowID: req.WorkflowID, Mode: req.Mode, ResumeURL: ResumeURL(a.PublicURL, req.ExecutionID), WebhookMethod: req.WebhookMethod},
		Inputs:      inputs,
		Source:      t.Sources(),
		Runs:        &storeReader{ctx: ctx, store: a.Store, execution: req.ExecutionID, counts: req.Runs, loaded: map[string][]*nodes.NodeRun{}},
		Expr:        engine,
		Location:    loc,
		State:       state,
		Credentials: a.Credentials,
	}, nil
}

// triggerItems returns the start node's input: the request's items, or the
// stored items it refers to. Stored items that are gone fail for good.
func (a *Activities) triggerItems(ctx context.Context, req NodeRequest) ([]nodes.Item, error) {
	ref := req.TriggerRef
	if ref == nil {
		return req.TriggerItems, nil
	}
	run, err := a.Store.LoadRun(ctx, ref.ExecutionID, nodes.TriggerRunNode, 0)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			msg := fmt.Sprintf("the trigger items of execution %s are gone", ref.ExecutionID)
			return nil, temporal.NewNonRetryableApplicationError(msg, "TriggerItemsGone", nil)
		}
		return nil, fmt.Errorf("load the trigger items of execution %s: %w", ref.ExecutionID, err)
	}
	return run.Output(0), nil
}

// errorMessage returns the message of an activity's failure as the
// workflow sees it, without Temporal's wrapping.
func errorMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "node timed out (" + timeout.TimeoutType().String() + ")"
	}
	return err.Error()
}
