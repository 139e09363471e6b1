package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/weft/weft/persistence"
)

// Execution data retention runs as a Temporal Schedule: every
// PruneInterval the schedule starts the workflow PruneWorkflowName on
// weft's task queue, whose one activity removes old finished executions
// from the database (persistence.PruneExecutions).
const (
	// PruneWorkflowName is the retention workflow's type name.
	PruneWorkflowName = "weft.Prune"
	// PruneActivityName is its activity's name.
	PruneActivityName = "weft.PruneExecutions"
	// PruneScheduleID is the id of the schedule that starts it.
	PruneScheduleID = "weft-prune"
	// PruneInterval is how often the schedule fires.
	PruneInterval = time.Hour
)

// Pruner is the retention activity's dependencies and settings, read by
// the worker from its environment.
type Pruner struct {
	DB *persistence.DB
	// Enabled is EXECUTIONS_DATA_PRUNE; when false the activity removes
	// nothing.
	Enabled bool
	// Options are the limits (MaxAge, MaxCount, BatchSize).
	Options persistence.PruneOptions
	// Logger receives one line per run that removed something.
	Logger *zap.Logger
}

// PruneExecutions is the retention activity: it returns how many
// executions it removed.
func (p *Pruner) PruneExecutions(ctx context.Context) (int, error) {
	if !p.Enabled || p.DB == nil {
		return 0, nil
	}
	o := p.Options
	o.Now = time.Time{}
	n, err := p.DB.PruneExecutions(ctx, o)
	if p.Logger != nil && (n > 0 || err != nil) {
		p.Logger.Info("pruned execution data", zap.Int("executions", n),
			zap.Duration("max_age", o.MaxAge), zap.Int("max_count", o.MaxCount), zap.Error(err))
	}
	if err != nil {
		return n, fmt.Errorf("prune executions (%d removed before the failure): %w", n, err)
	}
	return n, nil
}

// PruneWorkflow runs the retention activity once.
func PruneWorkflow(ctx workflow.Context) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3, InitialInterval: 10 * time.Second},
	})
	var n int
	err := workflow.ExecuteActivity(ctx, PruneActivityName).Get(ctx, &n)
	return n, err
}

// RegisterPrune registers the retention workflow and activity with a
// worker.
func RegisterPrune(r worker.Registry, p *Pruner) {
	r.RegisterWorkflowWithOptions(PruneWorkflow, workflow.RegisterOptions{Name: PruneWorkflowName})
	r.RegisterActivityWithOptions(p.PruneExecutions, activity.RegisterOptions{Name: PruneActivityName})
}

// EnsurePruneSchedule creates the retention schedule on taskQueue if it
// does not exist (several processes may start at once: the first one
// creates it, the others find it), or deletes it when enabled is false.
func EnsurePruneSchedule(ctx context.Context, c client.Client, taskQueue string, enabled bool) error {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	if !enabled {
		err := c.ScheduleClient().GetHandle(ctx, PruneScheduleID).Delete(ctx)
		var nf *serviceerror.NotFound
		if err != nil && !errors.As(err, &nf) {
			return fmt.Errorf("delete the retention schedule: %w", err)
		}
		return nil
	}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      PruneScheduleID,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: PruneInterval}}},
		Action:  &client.ScheduleWorkflowAction{ID: PruneScheduleID, Workflow: PruneWorkflowName, TaskQueue: taskQueue},
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note:    "weft: removes old finished executions (EXECUTIONS_DATA_MAX_AGE, EXECUTIONS_DATA_PRUNE_MAX_COUNT)",
	})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create the retention schedule: %w", err)
	}
	return nil
}
