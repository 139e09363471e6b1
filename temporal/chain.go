package temporal

import (
	"context"
	"fmt"
	"maps"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/weft/weft/nodes"
)

// Consecutive pure nodes run in one local activity, a chain: RunChain runs
// the task the interpreter handed it, then asks its own copy of the
// scheduler for the next task and runs that too while it is a pure node,
// and returns every task it ran with its result. The interpreter then
// replays those results into its scheduler, which hands out the same tasks
// in the same order (the scheduler is deterministic and holds only counts),
// and goes on from there. A workflow of pure nodes costs one local activity
// and one history event instead of one per node.
//
// Executions whose input sets ExecutionInput.Chain run this way; histories
// recorded before chains existed have no such input and replay node by node
// as they ran. (workflow.GetVersion would do as well, but it upserts the
// TemporalChangeVersion search attribute on every execution, one more write
// of the visibility record each time.)

// Bounds of one chain: how many tasks at most, and after how long no
// further task starts. They bound the history event holding the results
// and how long a cancellation or a continue-as-new waits for the chain.
const (
	maxChainTasks = 100
	chainBudget   = time.Second
)

// ChainRequest asks RunChain to run a task and the pure tasks after it.
type ChainRequest struct {
	// Head is the request of the first task; it runs whatever follows.
	Head NodeRequest `json:"head"`
	// State is the interpreter's scheduler state with Head's task handed
	// out (its Current), less the order of past runs.
	State nodes.SchedulerState `json:"state"`
	// Deadline is when the execution times out: no task starts after it.
	Deadline time.Time `json:"deadline,omitzero"`
	// MaxTasks bounds the chain's length below maxChainTasks.
	MaxTasks int `json:"maxTasks,omitempty"`
	// Start, when set, is recorded (ExecutionStarted) before the head
	// runs: the first chain of an execution records its start.
	Start *ExecutionRecord `json:"start,omitempty"`
	// Finish, when set, is recorded (ExecutionFinished, status success,
	// with the last node executed) when the chain runs the execution's
	// last task without a failure, and ChainResult.Finished says so.
	Finish *ExecutionRecord `json:"finish,omitempty"`
}

// ChainStep is a task RunChain ran and its result.
type ChainStep struct {
	Task   nodes.Task `json:"task"`
	Result NodeResult `json:"result"`
}

// ChainResult lists the tasks RunChain ran, in order; the first is the
// request's Head.
type ChainResult struct {
	Steps []ChainStep `json:"steps"`
	// Finished reports that the chain recorded the execution's success.
	Finished bool `json:"finished,omitempty"`
}

// RunChain runs req.Head like RunNode, and the pure tasks that follow it
// until one is not pure, retries on failure, or the chain reaches its
// bounds. A task after the head that fails in a way that wants another
// try, or whose run cannot be saved, is left out: the chain ends before it
// and the interpreter runs it as the head of the next one, with its
// retries. Only the head's failure fails the activity.
func (a *Activities) RunChain(ctx context.Context, req ChainRequest) (*ChainResult, error) {
	began := time.Now()
	if req.Start != nil {
		// As the interpreter's own record: a failure is logged, not fatal.
		if err := a.ExecutionStarted(ctx, *req.Start); err != nil {
			a.log(ctx, "recording the execution's start failed", req.Head, err)
		}
	}
	head, err := a.RunNode(ctx, req.Head)
	if err != nil {
		return nil, err
	}
	out := &ChainResult{Steps: []ChainStep{{Task: req.Head.Task, Result: *head}}}
	def, err := a.Definitions.Definition(ctx, req.Head.VersionID)
	if err != nil {
		return out, nil
	}
	sched := nodes.RestoreScheduler(def, req.State)
	task, res := sched.State.Current, head
	if task == nil || !sameTask(task, &req.Head.Task) {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("chain of execution %s: the scheduler state does not hand out the task of node %q", req.Head.ExecutionID, req.Head.Task.Node),
			"ChainState", nil)
	}
	limit := maxChainTasks
	if req.MaxTasks > 0 {
		limit = min(limit, req.MaxTasks)
	}
	for len(out.Steps) < limit && chainGoesOn(res) {
		sched.Done(task, res.TaskResult)
		next, ok := sched.Next()
		switch {
		case !ok:
			if req.Finish != nil && !sched.Failed() && ctx.Err() == nil {
				rec := *req.Finish
				rec.Status, rec.LastNodeExecuted = nodes.StatusSuccess, sched.State.LastNodeExecuted
				if err := a.ExecutionFinished(ctx, rec); err != nil {
					a.log(ctx, "recording the execution's end failed", req.Head, err)
				} else {
					out.Finished = true
				}
			}
			return out, nil
		case !chainable(def.Node(next.Node)), ctx.Err() != nil, time.Since(began) >= chainBudget:
			return out, nil
		case !req.Deadline.IsZero() && !time.Now().Before(req.Deadline):
			return out, nil
		}
		nreq := NodeRequest{ExecutionID: req.Head.ExecutionID, WorkflowID: req.Head.WorkflowID, VersionID: req.Head.VersionID,
			Mode: req.Head.Mode, Task: *next, Runs: maps.Clone(sched.State.Runs)}
		r, err := a.runNode(ctx, nreq, 1)
		if err != nil {
			return out, nil
		}
		out.Steps = append(out.Steps, ChainStep{Task: *next, Result: *r})
		task, res = next, r
	}
	return out, nil
}

// chainGoesOn reports whether the chain may run another task after one
// with this result: not after a failure, which the interpreter handles, nor
// after a Respond to Webhook node, whose answer should not wait.
func chainGoesOn(res *NodeResult) bool {
	return res.Status == nodes.StatusSuccess && res.Response == nil
}

// nodeKind is where a node runs: disabled nodes and unknown types pass
// their input through, as pure nodes.
func nodeKind(node *nodes.NodeInstance) nodes.Kind {
	if t := nodes.Lookup(node.Type); t != nil && !node.Disabled {
		return t.InstanceKind(node)
	}
	return nodes.KindPure
}

// chainable reports whether a node may run inside a chain after its head:
// a pure node without n8n's retry on fail, whose tries the chain would not
// count.
func chainable(node *nodes.NodeInstance) bool {
	return node != nil && nodeKind(node) == nodes.KindPure && node.Tries() <= 1
}

// runChain runs task as the head of a chain (see RunChain).
//
// A chain is one history event whatever its length, but the run's history
// budget (continueNow) counts every task it ran, and a chain runs no more
// tasks than the budget has left: a run continues as new after as many
// tasks as it did when each node was an event of its own, which bounds
// the work and the scheduler state one run accumulates.
func (ip *interpreter) runChain(ctx workflow.Context, task *nodes.Task, node *nodes.NodeInstance, deadline time.Time) ([]ChainStep, error) {
	req := ChainRequest{Head: ip.request(task), State: ip.sched.State.Clone(), Deadline: deadline,
		MaxTasks: max(ip.historyLimit()-ip.seenLength-ip.locals, 1)}
	if ip.startPending {
		rec := ip.execRecord(nodes.StatusRunning, nil)
		req.Start = &rec
	}
	fin := ip.execRecord(nodes.StatusSuccess, nil)
	req.Finish = &fin
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: nodeTimeout + chainBudget,
		RetryPolicy:         retryPolicy(node),
	})
	var res ChainResult
	if err := ip.local(lctx, activities.RunChain, req).Get(ctx, &res); err != nil {
		return nil, err
	}
	if len(res.Steps) == 0 || !sameTask(&res.Steps[0].Task, task) {
		return nil, fmt.Errorf("the chain of node %q did not start with it", task.Node)
	}
	ip.locals += len(res.Steps) - 1
	ip.startPending = false
	ip.finishRecorded = res.Finished
	return res.Steps, nil
}

// sameTask reports whether a chain step's task is the one the scheduler
// handed out.
func sameTask(a, b *nodes.Task) bool {
	return a.Node == b.Node && a.RunIndex == b.RunIndex && a.ExecutionIndex == b.ExecutionIndex
}
