package temporal

import (
	"context"
	"fmt"
	"sort"

	"go.temporal.io/sdk/temporal"

	"github.com/weft/weft/nodes"
)

// Retrying an execution (ExecutionInput.RetryOf) reuses what the failed
// execution did before it failed, as n8n's "retry with original workflow"
// does: the interpreter asks PlanRetry for a summary of the old runs (no
// items), drives a fresh scheduler over the same definition and, for each
// task the old execution completed successfully, feeds the recorded summary
// to the scheduler instead of running the node. The scheduler is
// deterministic, so the new execution asks for the old tasks in the old
// order; the first task without a reusable run (the failed one) and every
// task after it run for real. Before that first real task, CopyRuns copies
// the reused runs into the new execution's run data in one call.

// RetryRequest asks PlanRetry for the runs of the execution a retry
// starts from.
type RetryRequest struct {
	// ExecutionID is the retrying execution; RetryOf the retried one.
	ExecutionID string `json:"executionId"`
	RetryOf     string `json:"retryOf"`
}

// RetryPlan summarises the runs of a retried execution, by ascending
// execution index.
type RetryPlan struct {
	Runs []RetryRun `json:"runs"`
}

// RetryRun summarises one recorded run of a retried execution: what the
// scheduler needs to reproduce the task, never its items.
type RetryRun struct {
	Node           string `json:"node"`
	RunIndex       int    `json:"runIndex"`
	ExecutionIndex int    `json:"executionIndex"`
	Status         string `json:"status"`
	// Outputs and Source are set for successful runs only: the item
	// count of each main output and the run's input sources.
	Outputs []int              `json:"outputs,omitempty"`
	Source  []*nodes.SourceRef `json:"source,omitempty"`
}

// RunCopy asks CopyRuns to copy runs of one execution into another under
// the same node names and run indexes.
type RunCopy struct {
	From string   `json:"from"`
	To   string   `json:"to"`
	Runs []RunRef `json:"runs"`
}

// RunRef names one run of a node.
type RunRef struct {
	Node     string `json:"node"`
	RunIndex int    `json:"runIndex"`
}

// PlanRetry reads the run data of the execution a retry starts from and
// summarises its runs. It fails for good when that execution has no run
// data (deleted, or it never ran a node).
func (a *Activities) PlanRetry(ctx context.Context, req RetryRequest) (*RetryPlan, error) {
	rd, err := a.Store.LoadRunData(ctx, req.RetryOf)
	if err != nil {
		return nil, fmt.Errorf("load the run data of execution %s: %w", req.RetryOf, err)
	}
	plan := &RetryPlan{}
	for node, runs := range rd {
		for i, run := range runs {
			if run == nil {
				continue
			}
			r := RetryRun{Node: node, RunIndex: i, ExecutionIndex: run.ExecutionIndex, Status: run.ExecutionStatus}
			if run.ExecutionStatus == nodes.StatusSuccess {
				r.Outputs = nodes.RunResult(run).Outputs
				r.Source = run.Source
			}
			plan.Runs = append(plan.Runs, r)
		}
	}
	if len(plan.Runs) == 0 {
		msg := fmt.Sprintf("execution %s has no run data to retry from (it was deleted or never ran a node)", req.RetryOf)
		return nil, temporal.NewNonRetryableApplicationError(msg, "RetryDataGone", nil)
	}
	sort.Slice(plan.Runs, func(i, j int) bool {
		a, b := plan.Runs[i], plan.Runs[j]
		if a.ExecutionIndex != b.ExecutionIndex {
			return a.ExecutionIndex < b.ExecutionIndex
		}
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		return a.RunIndex < b.RunIndex
	})
	return plan, nil
}

// CopyRuns copies runs from one execution's run data to another's. It is
// idempotent: a copy saved again replaces itself. A run that is gone fails
// for good.
func (a *Activities) CopyRuns(ctx context.Context, c RunCopy) error {
	for _, r := range c.Runs {
		run, err := a.Store.LoadRun(ctx, c.From, r.Node, r.RunIndex)
		if err != nil {
			err = fmt.Errorf("load run %d of %q of execution %s: %w", r.RunIndex, r.Node, c.From, err)
			if nodes.ErrorCode(err) == nodes.CodeNotFound {
				return temporal.NewNonRetryableApplicationError(err.Error(), "RetryDataGone", err)
			}
			return err
		}
		if err := a.Store.SaveRun(ctx, c.To, r.Node, r.RunIndex, run); err != nil {
			return fmt.Errorf("save run %d of %q: %w", r.RunIndex, r.Node, err)
		}
	}
	return nil
}

// reuser decides, in workflow code, which tasks of a retry reuse a run of
// the retried execution. Tasks are matched by execution index: the old
// run with the task's index must be a successful run of the same node with
// the same run index and sources. An index the old execution skipped while
// it went on to later ones was a task whose node produced no data (no run
// is recorded for those); it is reproduced as such.
type reuser struct {
	byIndex map[int]*RetryRun
	last    int
	// copies are the runs reused so far, not yet copied.
	copies []RunRef
}

func newReuser(plan *RetryPlan) *reuser {
	r := &reuser{byIndex: make(map[int]*RetryRun, len(plan.Runs)), last: -1}
	for i := range plan.Runs {
		run := &plan.Runs[i]
		if _, dup := r.byIndex[run.ExecutionIndex]; !dup {
			r.byIndex[run.ExecutionIndex] = run
		}
		r.last = max(r.last, run.ExecutionIndex)
	}
	return r
}

// match returns the result to feed the scheduler for task when the old
// execution's run of it can be reused, recording the run to copy.
func (r *reuser) match(task *nodes.Task) (nodes.TaskResult, bool) {
	old, ok := r.byIndex[task.ExecutionIndex]
	if !ok {
		if task.ExecutionIndex < r.last {
			return nodes.TaskResult{Status: nodes.StatusSuccess, NoData: true}, true
		}
		return nodes.TaskResult{}, false
	}
	if old.Node != task.Node || old.RunIndex != task.RunIndex || old.Status != nodes.StatusSuccess ||
		!sameSources(old.Source, task.Sources()) {
		return nodes.TaskResult{}, false
	}
	r.copies = append(r.copies, RunRef{Node: old.Node, RunIndex: old.RunIndex})
	return nodes.TaskResult{Status: nodes.StatusSuccess, Outputs: old.Outputs}, true
}

// sameSources compares two runs' input sources; nil and empty are equal.
func sameSources(a, b []*nodes.SourceRef) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if (x == nil) != (y == nil) || (x != nil && *x != *y) {
			return false
		}
	}
	return true
}
