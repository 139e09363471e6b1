package temporal

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/weft/weft/nodes"
)

// Timeouts of the interpreter's activities.
const (
	// nodeTimeout bounds one attempt of a node.
	nodeTimeout = 10 * time.Minute
	// recordTimeout bounds one attempt of a bookkeeping activity.
	recordTimeout = 30 * time.Second
)

// Execution error messages, n8n's.
const (
	msgCanceled = "The execution was cancelled"
	msgTimedOut = "The execution was cancelled because it timed out"
)

// InterpreterWorkflow runs one execution of a workflow definition: it asks
// a nodes.Scheduler which node runs next and runs it as an activity (pure
// nodes as local activities, I/O nodes as regular ones with the node's
// retry policy, Wait as a durable timer) until nothing is left to run or a
// node error stops it. Node failures end the execution with status error
// and a nil error; a cancellation records the running node as canceled and
// returns Temporal's canceled error. A retry (ExecutionInput.RetryOf)
// reuses the runs of the failed execution up to the task it did not
// complete (see retry.go). When the run's history grows past
// ExecutionInput.HistoryLimit (or Temporal suggests it), the interpreter
// continues as new between two tasks, carrying a Continuation, so long
// executions never reach Temporal's history limits.
//
// Workflow code only: no map iteration, clock, randomness or I/O here.
func InterpreterWorkflow(ctx workflow.Context, in ExecutionInput) (*ExecutionResult, error) {
	ip := &interpreter{in: in}
	return ip.run(ctx)
}

type interpreter struct {
	in    ExecutionInput
	sched *nodes.Scheduler
	live  LiveStatus

	// done counts the tasks this run finished.
	done int
	// seenLength is the history length the last continue-as-new check
	// saw; locals counts the local activities started since. Local
	// activities only reach the history when the workflow task ends,
	// which may be thousands of them later, so the check adds them.
	seenLength int
	locals     int

	// webhook is set while a webhook call waits for a Respond to
	// Webhook node (webhook.go).
	webhook *webhookState

	// startPending is set while the execution's start is still to be
	// recorded: a chained execution records it with its first chain, or
	// before its first task that is not one. finishRecorded is set when
	// the chain that ran the last task recorded the success (chain.go).
	startPending   bool
	finishRecorded bool
}

// activities is the typed nil through which the workflow names activities.
var activities *Activities

func (ip *interpreter) run(ctx workflow.Context) (*ExecutionResult, error) {
	cont := ip.in.Continued
	var sched *nodes.Scheduler
	if cont != nil {
		sched = nodes.RestoreScheduler(ip.in.Workflow, cont.State)
	} else {
		var err error
		sched, err = nodes.NewScheduler(ip.in.Workflow, ip.in.StartNode)
		if err != nil {
			res := &ExecutionResult{Status: nodes.StatusError, Error: &nodes.NodeError{Message: err.Error()}}
			ip.record(ctx, activities.ExecutionFinished, res.Status, res)
			return res, nil
		}
	}
	ip.sched = sched
	ip.live = LiveStatus{Status: nodes.StatusRunning}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (nodes.SchedulerState, error) {
		return ip.sched.State, nil
	}); err != nil {
		return nil, err
	}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (LiveStatus, error) {
		return ip.live, nil
	}); err != nil {
		return nil, err
	}
	if err := ip.setupWebhook(ctx); err != nil {
		return nil, err
	}
	if cont == nil {
		if ip.in.Chain && ip.in.RetryOf == "" {
			ip.startPending = true
		} else {
			ip.record(ctx, activities.ExecutionStarted, nodes.StatusRunning, nil)
		}
	}

	// Only a retry reaches the retry code: an execution without RetryOf
	// issues exactly the commands it did before retries existed. A run
	// never continues as new while reusing, so a continued run has no
	// reuse left.
	var reuse *reuser
	if ip.in.RetryOf != "" && cont == nil {
		plan, err := ip.planRetry(ctx)
		if err != nil {
			return ip.retryFailed(ctx, err)
		}
		reuse = newReuser(plan)
	}

	startedAt := workflow.GetInfo(ctx).WorkflowStartTime
	if cont != nil {
		startedAt = cont.StartedAt
	}
	var deadline time.Time
	if secs := ip.in.Workflow.Settings.ExecutionTimeout; secs > 0 {
		deadline = startedAt.Add(time.Duration(secs) * time.Second)
	}
	var lastErr *nodes.NodeError
	for {
		task, more := sched.Next()
		if !more {
			break
		}
		if !deadline.IsZero() && !workflow.Now(ctx).Before(deadline) {
			return ip.finish(ctx, nodes.StatusCanceled, &nodes.NodeError{Name: "TimeoutExecutionCancelledError", Message: msgTimedOut}), nil
		}
		if reuse != nil {
			if res, ok := reuse.match(task); ok {
				sched.Done(task, res)
				continue
			}
			// The first task the retried execution did not complete: it
			// and everything after it run for real, on the copied runs.
			if err := ip.copyReused(ctx, reuse); err != nil {
				return ip.retryFailed(ctx, err)
			}
			reuse = nil
		}
		if ip.continueNow(ctx) {
			return nil, ip.continueAsNew(ctx, startedAt, deadline)
		}
		started := workflow.Now(ctx)
		var res *NodeResult
		var chain []ChainStep
		var err error
		if node := ip.in.Workflow.Node(task.Node); ip.in.Chain && reuse == nil && nodeKind(node) == nodes.KindPure {
			if chain, err = ip.runChain(ctx, task, node, deadline); err == nil {
				res = &chain[0].Result
			}
		} else {
			ip.recordStart(ctx)
			res, err = ip.runTask(ctx, task)
		}
		if err != nil {
			if isCanceled(ctx, err) {
				return ip.canceled(ctx, task, started)
			}
			// The activity failed for good (not the node: the node's own
			// failures come back as results). Record the run as failed.
			ne := &nodes.NodeError{Name: "NodeOperationError", Message: errorMessage(err), Node: task.Node,
				Timestamp: workflow.Now(ctx).UnixMilli()}
			ip.recordRun(ctx, task, nodes.StatusError, started, ne)
			res = &NodeResult{TaskResult: nodes.TaskResult{Status: nodes.StatusError, Error: ne.Message}, NodeError: ne}
		}
		ip.apply(task, res, &lastErr)
		// The rest of a chain: the scheduler hands out the tasks the chain
		// ran, in the same order, and takes their results.
		for i := 1; i < len(chain); i++ {
			next, ok := sched.Next()
			if !ok || !sameTask(next, &chain[i].Task) {
				return nil, fmt.Errorf("execution %s: the chain ran node %q where the scheduler hands out %v", ip.in.ExecutionID, chain[i].Task.Node, next)
			}
			ip.apply(next, &chain[i].Result, &lastErr)
		}
	}
	if reuse != nil {
		if err := ip.copyReused(ctx, reuse); err != nil {
			return ip.retryFailed(ctx, err)
		}
	}
	if ctx.Err() != nil {
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		ip.finish(dctx, nodes.StatusCanceled, &nodes.NodeError{Name: "ManualExecutionCancelledError", Message: msgCanceled})
		return nil, temporal.NewCanceledError()
	}
	if sched.Failed() {
		if lastErr == nil || lastErr.Node != sched.State.FailedNode {
			lastErr = &nodes.NodeError{Message: sched.State.Error, Node: sched.State.FailedNode}
		}
		return ip.finish(ctx, nodes.StatusError, lastErr), nil
	}
	return ip.finish(ctx, nodes.StatusSuccess, nil), nil
}

// apply hands a finished task's result to the scheduler, keeping the last
// node error and a Respond to Webhook node's answer.
func (ip *interpreter) apply(task *nodes.Task, res *NodeResult, lastErr **nodes.NodeError) {
	if res.Status == nodes.StatusError {
		*lastErr = res.NodeError
		if *lastErr == nil {
			*lastErr = &nodes.NodeError{Message: res.Error, Node: task.Node}
		}
	}
	ip.noteResponse(res)
	ip.sched.Done(task, res.TaskResult)
	ip.done++
}

// runTask runs one task where its node belongs.
func (ip *interpreter) runTask(ctx workflow.Context, task *nodes.Task) (*NodeResult, error) {
	node := ip.in.Workflow.Node(task.Node)
	kind := nodeKind(node)
	req := ip.request(task)
	var res NodeResult
	switch {
	case kind == nodes.KindControl && node.Type == "n8n-nodes-base.wait":
		return ip.runWait(ctx, node, req)
	case kind == nodes.KindControl && node.Type == nodes.ExecuteWorkflowType:
		return ip.runSubWorkflow(ctx, node, req)
	case kind == nodes.KindIO:
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: nodeTimeout,
			RetryPolicy:         retryPolicy(node),
		})
		err := workflow.ExecuteActivity(actx, activities.RunNode, req).Get(ctx, &res)
		return &res, err
	default:
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: nodeTimeout,
			RetryPolicy:         retryPolicy(node),
		})
		err := ip.local(lctx, activities.RunNode, req).Get(ctx, &res)
		return &res, err
	}
}

// runWait evaluates a Wait node's parameters, waits on a durable timer and
// then records the node's run, which passes its input through.
func (ip *interpreter) runWait(ctx workflow.Context, node *nodes.NodeInstance, req NodeRequest) (*NodeResult, error) {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: nodeTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: retryableAttempts},
	})
	var plan WaitResult
	if err := ip.local(lctx, activities.PlanWait, req).Get(ctx, &plan); err != nil {
		return nil, err
	}
	if plan.NoData {
		return &NodeResult{TaskResult: nodes.TaskResult{Status: nodes.StatusSuccess, NoData: true}}, nil
	}
	if plan.NodeError != nil && node.ErrorMode() == nodes.OnErrorStop {
		ip.recordRun(ctx, &req.Task, nodes.StatusError, workflow.Now(ctx), plan.NodeError)
		return &NodeResult{TaskResult: nodes.TaskResult{Status: nodes.StatusError, Error: plan.NodeError.Message}, NodeError: plan.NodeError}, nil
	}
	if plan.NodeError == nil && plan.Webhook != nil {
		return ip.waitWebhook(ctx, lctx, req, plan)
	}
	if plan.NodeError == nil {
		d := plan.Duration
		if !plan.Until.IsZero() {
			d = plan.Until.Sub(workflow.Now(ctx))
		}
		if d > 0 {
			till := workflow.Now(ctx).Add(d)
			ip.live = LiveStatus{Status: nodes.StatusWaiting, WaitTill: till}
			ip.recordWaiting(ctx, till, nil)
			if err := workflow.NewTimer(ctx, d).Get(ctx, nil); err != nil {
				return nil, err
			}
			ip.live = LiveStatus{Status: nodes.StatusRunning}
			ip.record(ctx, activities.ExecutionStarted, nodes.StatusRunning, nil)
		}
	}
	var res NodeResult
	err := ip.local(lctx, activities.RunNode, req).Get(ctx, &res)
	return &res, err
}

// continueNow reports whether the run should continue as new before the
// next task: Temporal suggests it, or the history, counting the markers of
// local activities not yet in it, reached the limit. A run that finished no
// task yet does not, so a run always makes progress, and neither does a
// canceled one.
//
// It reads the workflow info only and issues no command, so histories
// recorded before it existed replay unchanged.
func (ip *interpreter) continueNow(ctx workflow.Context) bool {
	if ip.done == 0 || ctx.Err() != nil || ip.webhookPending(ctx) {
		return false
	}
	info := workflow.GetInfo(ctx)
	if n := info.GetCurrentHistoryLength(); n != ip.seenLength {
		ip.seenLength = n
		ip.locals = 0
	}
	return info.GetContinueAsNewSuggested() || ip.seenLength+ip.locals >= ip.historyLimit()
}

// historyLimit is the history length at which a run continues as new.
func (ip *interpreter) historyLimit() int {
	if ip.in.HistoryLimit > 0 {
		return ip.in.HistoryLimit
	}
	return DefaultHistoryLimit
}

// continueAsNew returns the error that ends this run and starts the next
// one of the execution where this one stops. The task Next handed out is
// in the state (Current), so the next run starts with it. The trigger
// items (or the reference to them) go along only while the start node has
// still to run.
func (ip *interpreter) continueAsNew(ctx workflow.Context, startedAt, deadline time.Time) error {
	next := ip.in
	state := ip.sched.State
	state.Order = nil
	runs := 0
	if ip.in.Continued != nil {
		runs = ip.in.Continued.Runs
	}
	next.Continued = &Continuation{State: state, StartedAt: startedAt, Runs: runs + 1}
	if !triggerPending(&state) {
		next.TriggerItems = nil
		next.TriggerRef = nil
	}
	if !deadline.IsZero() {
		// The run timeout stays the backstop of the execution's timeout.
		ctx = workflow.WithWorkflowRunTimeout(ctx, max(deadline.Sub(workflow.Now(ctx)), 0)+runTimeoutGrace)
	}
	return workflow.NewContinueAsNewError(ctx, WorkflowName, next)
}

// triggerPending reports whether the start node's task is still to run.
func triggerPending(st *nodes.SchedulerState) bool {
	if st.Current != nil && st.Current.Trigger {
		return true
	}
	for _, t := range st.Stack {
		if t.Trigger {
			return true
		}
	}
	return false
}

// local starts a local activity, counting it for continueNow.
func (ip *interpreter) local(ctx workflow.Context, fn, arg any) workflow.Future {
	ip.locals++
	return workflow.ExecuteLocalActivity(ctx, fn, arg)
}

// retryPolicy is the node's n8n retry settings as a Temporal policy: a
// fixed wait between tries. Failures that are not the node's get at least
// retryableAttempts tries; the activity itself stops retrying node
// failures after the node's tries.
func retryPolicy(node *nodes.NodeInstance) *temporal.RetryPolicy {
	wait := time.Duration(node.RetryWaitMillis()) * time.Millisecond
	if wait <= 0 {
		wait = time.Second
	}
	return &temporal.RetryPolicy{
		InitialInterval:    wait,
		BackoffCoefficient: 1,
		MaximumInterval:    wait,
		MaximumAttempts:    int32(max(node.Tries(), retryableAttempts)),
	}
}

func (ip *interpreter) request(task *nodes.Task) NodeRequest {
	req := NodeRequest{
		ExecutionID: ip.in.ExecutionID, WorkflowID: ip.in.WorkflowID, VersionID: ip.in.VersionID,
		Mode: ip.in.Mode, Task: *task,
	}
	req.Runs = maps.Clone(ip.sched.State.Runs)
	if task.Trigger {
		req.TriggerItems = ip.in.TriggerItems
		req.TriggerRef = ip.in.TriggerRef
		if ip.in.Webhook != nil {
			req.WebhookMethod = ip.in.Webhook.Method
		}
	}
	return req
}

// canceled records the running task as canceled and the execution as
// canceled, then returns Temporal's canceled error.
func (ip *interpreter) canceled(ctx workflow.Context, task *nodes.Task, started time.Time) (*ExecutionResult, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	ip.recordRun(dctx, task, nodes.StatusCanceled, started, nil)
	ip.finish(dctx, nodes.StatusCanceled, &nodes.NodeError{Name: "ManualExecutionCancelledError", Message: msgCanceled})
	return nil, temporal.NewCanceledError()
}

// planRetry summarises the runs of the retried execution.
func (ip *interpreter) planRetry(ctx workflow.Context) (*RetryPlan, error) {
	var plan RetryPlan
	req := RetryRequest{ExecutionID: ip.in.ExecutionID, RetryOf: ip.in.RetryOf}
	err := ip.local(retryLocal(ctx), activities.PlanRetry, req).Get(ctx, &plan)
	return &plan, err
}

// copyReused copies the runs reused so far into the execution's run data.
func (ip *interpreter) copyReused(ctx workflow.Context, r *reuser) error {
	if len(r.copies) == 0 {
		return nil
	}
	c := RunCopy{From: ip.in.RetryOf, To: ip.in.ExecutionID, Runs: r.copies}
	r.copies = nil
	return ip.local(retryLocal(ctx), activities.CopyRuns, c).Get(ctx, nil)
}

// retryLocal is the context of a retry's local activities: they read or
// copy a whole execution's items, so they get a node's time.
func retryLocal(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: nodeTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
}

// retryFailed ends a retry whose old run data could not be read or copied:
// an error no node made, or a cancellation.
func (ip *interpreter) retryFailed(ctx workflow.Context, err error) (*ExecutionResult, error) {
	if isCanceled(ctx, err) {
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		ip.finish(dctx, nodes.StatusCanceled, &nodes.NodeError{Name: "ManualExecutionCancelledError", Message: msgCanceled})
		return nil, temporal.NewCanceledError()
	}
	return ip.finish(ctx, nodes.StatusError, &nodes.NodeError{
		Message: "Cannot retry execution " + ip.in.RetryOf + ": " + errorMessage(err)}), nil
}

func isCanceled(ctx workflow.Context, err error) bool {
	var ce *temporal.CanceledError
	return errors.As(err, &ce) || ctx.Err() != nil
}

func (ip *interpreter) finish(ctx workflow.Context, status string, e *nodes.NodeError) *ExecutionResult {
	res := &ExecutionResult{Status: status, Error: e}
	if ip.sched != nil {
		res.LastNodeExecuted = ip.sched.State.LastNodeExecuted
	}
	ip.recordStart(ctx)
	if !ip.finishRecorded || status != nodes.StatusSuccess {
		ip.record(ctx, activities.ExecutionFinished, status, res)
	}
	ip.webhookEnded(ctx, status)
	if status == nodes.StatusError {
		ip.startErrorWorkflow(ctx, res)
	}
	return res
}

func (ip *interpreter) recordLocal(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: recordTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
}

// recordStart records the execution's start if a chain has not yet.
func (ip *interpreter) recordStart(ctx workflow.Context) {
	if ip.startPending {
		ip.startPending = false
		ip.record(ctx, activities.ExecutionStarted, nodes.StatusRunning, nil)
	}
}

// execRecord is the record of the execution's state.
func (ip *interpreter) execRecord(status string, res *ExecutionResult) ExecutionRecord {
	rec := ExecutionRecord{ExecutionID: ip.in.ExecutionID, WorkflowID: ip.in.WorkflowID, VersionID: ip.in.VersionID,
		Mode: ip.in.Mode, Status: status}
	if res != nil {
		rec.LastNodeExecuted = res.LastNodeExecuted
		rec.Error = res.Error
	}
	return rec
}

// record reports the execution's state; a recorder that keeps failing does
// not fail the execution.
func (ip *interpreter) record(ctx workflow.Context, fn any, status string, res *ExecutionResult) {
	rec := ip.execRecord(status, res)
	if err := ip.local(ip.recordLocal(ctx), fn, rec).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("recording execution state failed", "status", status, "error", err)
	}
}

// recordWaiting reports that the execution waits until till, for a call of
// its resume URL when resume is set.
func (ip *interpreter) recordWaiting(ctx workflow.Context, till time.Time, resume *ResumeWait) {
	rec := ip.execRecord(nodes.StatusWaiting, nil)
	rec.WaitTill, rec.Resume = till, resume
	if err := ip.local(ip.recordLocal(ctx), activities.ExecutionWaiting, rec).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("recording waiting state failed", "error", err)
	}
}

// recordRun saves a run the runner did not make.
func (ip *interpreter) recordRun(ctx workflow.Context, task *nodes.Task, status string, started time.Time, e *nodes.NodeError) {
	rec := RunRecord{ExecutionID: ip.in.ExecutionID, Node: task.Node, RunIndex: task.RunIndex,
		ExecutionIndex: task.ExecutionIndex, Status: status, StartTime: started, Source: task.Sources(), Error: e}
	if err := ip.local(ip.recordLocal(ctx), activities.RecordRun, rec).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("recording node run failed", "node", task.Node, "error", err)
	}
}
