package temporal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// Schedules. Activating a workflow creates one Temporal schedule per rule of
// each schedule trigger (Client.CreateSchedule). A schedule's action starts
// ScheduledRunWorkflow, whose workflow id Temporal makes unique per run by
// appending the scheduled time. That workflow derives the execution id from
// its own id (so a retry of any step finds the same execution), creates the
// execution row in mode schedule (ScheduleActivities.BeginScheduledRun) and
// runs the interpreter as its child workflow weft-exec-<execution id>, so a
// scheduled execution is started, cancelled and awaited like any other.
// Waiting for the child keeps the schedule's overlap policy meaningful: with
// SKIP, a tick while the previous run still runs starts nothing.

// ScheduledRunWorkflowName is the name ScheduledRunWorkflow is registered
// under.
const ScheduledRunWorkflowName = "weft.ScheduledRun"

// SchedulePrefix prefixes the ids of weft's Temporal schedules.
const SchedulePrefix = "weft-schedule-"

// scheduleCatchup is how late a missed tick may still run after an outage;
// older ones are dropped, as n8n drops the ticks it was down for.
const scheduleCatchup = time.Minute

// searchScheduledStart is the search attribute Temporal sets on workflows a
// schedule starts: the time the action was scheduled for.
var searchScheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// executionNamespace seeds the execution ids of scheduled runs.
var executionNamespace = uuid.MustParse("6c1f3a52-5a0e-4f4e-9b1a-2f0e5c7d9a11")

// ScheduleID returns the id of the Temporal schedule of rule rule of node
// node of workflow workflowID: the same for the same rule every time, so
// activating twice replaces a schedule instead of adding one.
func ScheduleID(workflowID, node string, rule int) string {
	sum := sha256.Sum256([]byte(node))
	return SchedulePrefix + workflowID + "-" + slug(node) + "-" + hex.EncodeToString(sum[:4]) + "-" + strconv.Itoa(rule)
}

// slug keeps a node name readable in an id: lower-case letters and digits,
// dashes for the rest, at most 32 characters.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 32 {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ScheduledExecutionID is the execution id of the scheduled run whose
// Temporal workflow id is runWorkflowID.
func ScheduledExecutionID(runWorkflowID string) string {
	return uuid.NewSHA1(executionNamespace, []byte(runWorkflowID)).String()
}

// ScheduleRequest describes one schedule to create.
type ScheduleRequest struct {
	// ID is the schedule id (ScheduleID).
	ID string
	// WorkflowID, VersionID and WorkflowName name what runs.
	WorkflowID   string
	VersionID    string
	WorkflowName string
	// Node is the schedule trigger node the runs start from.
	Node string
	// Schedule is when it fires; TimeZone the IANA zone its calendars are
	// read in.
	Schedule nodes.Schedule
	TimeZone string
}

// ScheduledRunInput is ScheduledRunWorkflow's input: the schedule action's
// fixed arguments.
type ScheduledRunInput struct {
	ScheduleID string `json:"scheduleId"`
	WorkflowID string `json:"workflowId"`
	VersionID  string `json:"versionId"`
	// Node is the schedule trigger the execution starts from.
	Node string `json:"node"`
}

// CreateSchedule creates the Temporal schedule req describes, replacing a
// schedule with the same id, and returns its next action time (zero if
// Temporal reports none). Its runs have overlap policy SKIP.
func (c *Client) CreateSchedule(ctx context.Context, req ScheduleRequest) (time.Time, error) {
	attrs := []temporal.SearchAttributeUpdate{SearchTriggerMode.ValueSet(nodes.ModeSchedule), SearchWorkflowID.ValueSet(req.WorkflowID)}
	if req.WorkflowName != "" {
		attrs = append(attrs, SearchWorkflowName.ValueSet(req.WorkflowName))
	}
	opts := client.ScheduleOptions{
		ID:            req.ID,
		Spec:          scheduleSpec(req.Schedule, req.TimeZone),
		Overlap:       enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: scheduleCatchup,
		Memo:          map[string]any{"workflowName": req.WorkflowName, "workflowId": req.WorkflowID, "node": req.Node},
		Action: &client.ScheduleWorkflowAction{
			ID:                    req.ID,
			Workflow:              ScheduledRunWorkflowName,
			Args:                  []any{ScheduledRunInput{ScheduleID: req.ID, WorkflowID: req.WorkflowID, VersionID: req.VersionID, Node: req.Node}},
			TaskQueue:             c.taskQueue(),
			TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
			Memo:                  map[string]any{"workflowName": req.WorkflowName, "versionId": req.VersionID, "mode": nodes.ModeSchedule},
		},
	}
	sc := c.Temporal.ScheduleClient()
	h, err := sc.Create(ctx, opts)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		// Left by an activation that did not finish: replace it.
		if err = c.DeleteSchedule(ctx, req.ID); err == nil {
			h, err = sc.Create(ctx, opts)
		}
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("create schedule %s: %w", req.ID, err)
	}
	d, err := h.Describe(ctx)
	if err != nil || len(d.Info.NextActionTimes) == 0 {
		return time.Time{}, nil
	}
	return d.Info.NextActionTimes[0], nil
}

// DeleteSchedule deletes a schedule; one that does not exist is no error.
func (c *Client) DeleteSchedule(ctx context.Context, id string) error {
	err := c.Temporal.ScheduleClient().GetHandle(ctx, id).Delete(ctx)
	if err == nil || scheduleGone(err) {
		return nil
	}
	return fmt.Errorf("delete schedule %s: %w", id, err)
}

// ScheduleTimes returns the next action time Temporal reports for a
// schedule and the time of its most recent action (zero when none).
func (c *Client) ScheduleTimes(ctx context.Context, id string) (next, last time.Time, err error) {
	d, err := c.Temporal.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		return next, last, fmt.Errorf("describe schedule %s: %w", id, err)
	}
	if n := d.Info.NextActionTimes; len(n) > 0 {
		next = n[0]
	}
	if r := d.Info.RecentActions; len(r) > 0 {
		last = r[len(r)-1].ScheduleTime
	}
	return next, last, nil
}

// scheduleGone reports an error of a schedule that does not exist (a
// deleted schedule's handle answers that its workflow has completed).
func scheduleGone(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// scheduleSpec is a nodes.Schedule as a Temporal spec in zone tz.
func scheduleSpec(s nodes.Schedule, tz string) client.ScheduleSpec {
	spec := client.ScheduleSpec{TimeZoneName: tz}
	for _, c := range s.Calendars {
		spec.Calendars = append(spec.Calendars, client.ScheduleCalendarSpec{
			Second: ranges(c.Second), Minute: ranges(c.Minute), Hour: ranges(c.Hour),
			DayOfMonth: ranges(c.DayOfMonth), Month: ranges(c.Month), DayOfWeek: ranges(c.DayOfWeek),
		})
	}
	for _, i := range s.Intervals {
		spec.Intervals = append(spec.Intervals, client.ScheduleIntervalSpec{Every: i.Every, Offset: i.Offset})
	}
	return spec
}

func ranges(rs []nodes.Range) []client.ScheduleRange {
	out := make([]client.ScheduleRange, len(rs))
	for i, r := range rs {
		out[i] = client.ScheduleRange{Start: r.Start, End: r.End, Step: r.Step}
	}
	return out
}

// ScheduleStore is what scheduled runs need from the database;
// *persistence.DB implements it.
type ScheduleStore interface {
	// BeginScheduledRun creates the run's execution row (idempotently) and
	// returns the definition it runs; NOT_FOUND when the workflow is gone
	// or inactive.
	BeginScheduledRun(ctx context.Context, r persistence.ScheduledRun) (*nodes.Workflow, error)
	// SetScheduleTimes records a schedule's next and last run times.
	SetScheduleTimes(ctx context.Context, scheduleID string, next, last *time.Time) error
}

// ScheduleActivities are the activities of ScheduledRunWorkflow.
type ScheduleActivities struct {
	// Store writes execution rows and schedule times.
	Store ScheduleStore
	// Client describes schedules, for their next run time; nil records
	// none.
	Client *Client
	// Logger logs what could not be recorded; nil logs nothing.
	Logger *zap.Logger
}

// BeginRequest asks to begin a scheduled run.
type BeginRequest struct {
	ScheduledRunInput
	ExecutionID string    `json:"executionId"`
	ScheduledAt time.Time `json:"scheduledAt"`
}

// BeginResult is the definition a scheduled run executes, or Skip when the
// workflow is no longer active.
type BeginResult struct {
	Workflow *nodes.Workflow `json:"workflow,omitempty"`
	Skip     bool            `json:"skip,omitempty"`
}

// BeginScheduledRun creates the execution row of a scheduled run and
// records the schedule's last and next run times.
func (a *ScheduleActivities) BeginScheduledRun(ctx context.Context, req BeginRequest) (*BeginResult, error) {
	def, err := a.Store.BeginScheduledRun(ctx, persistence.ScheduledRun{ExecutionID: req.ExecutionID,
		WorkflowID: req.WorkflowID, VersionID: req.VersionID, StartedAt: time.Now()})
	if nodes.ErrorCode(err) == nodes.CodeNotFound {
		a.log("a schedule fired for a workflow that is not active; skipped", req, err)
		return &BeginResult{Skip: true}, nil
	}
	if err != nil {
		return nil, err
	}
	last := req.ScheduledAt
	var next *time.Time
	if a.Client != nil {
		if n, _, err := a.Client.ScheduleTimes(ctx, req.ScheduleID); err == nil && !n.IsZero() {
			next = &n
		}
	}
	if err := a.Store.SetScheduleTimes(ctx, req.ScheduleID, next, &last); err != nil && nodes.ErrorCode(err) != nodes.CodeNotFound {
		a.log("recording a schedule's run times failed", req, err)
	}
	return &BeginResult{Workflow: def}, nil
}

func (a *ScheduleActivities) log(msg string, req BeginRequest, err error) {
	if a.Logger != nil {
		a.Logger.Warn(msg, zap.String("schedule_id", req.ScheduleID), zap.String("workflow_id", req.WorkflowID), zap.Error(err))
	}
}

// RegisterSchedules registers ScheduledRunWorkflow and its activities with
// a worker that also runs the interpreter (Register).
func RegisterSchedules(r worker.Registry, a *ScheduleActivities) {
	r.RegisterWorkflowWithOptions(ScheduledRunWorkflow, workflow.RegisterOptions{Name: ScheduledRunWorkflowName})
	r.RegisterActivity(a)
}

// scheduleActivities is the typed nil through which ScheduledRunWorkflow
// names its activities.
var scheduleActivities *ScheduleActivities

// ScheduledRunWorkflow runs one tick of a schedule: it creates the
// execution (mode schedule, id derived from this workflow's id) and runs
// the interpreter on it as a child workflow, from the schedule trigger, with
// the scheduled time as the trigger's input. A workflow that is no longer
// active runs nothing.
func ScheduledRunWorkflow(ctx workflow.Context, in ScheduledRunInput) (*ExecutionResult, error) {
	info := workflow.GetInfo(ctx)
	at, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(searchScheduledStart)
	if !ok {
		at = info.WorkflowStartTime
	}
	execID := ScheduledExecutionID(info.WorkflowExecution.ID)
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: recordTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	var begun BeginResult
	req := BeginRequest{ScheduledRunInput: in, ExecutionID: execID, ScheduledAt: at}
	if err := workflow.ExecuteLocalActivity(lctx, scheduleActivities.BeginScheduledRun, req).Get(ctx, &begun); err != nil {
		return nil, err
	}
	if begun.Skip || begun.Workflow == nil {
		return nil, nil
	}
	def := begun.Workflow
	attrs := []temporal.SearchAttributeUpdate{SearchTriggerMode.ValueSet(nodes.ModeSchedule), SearchWorkflowID.ValueSet(in.WorkflowID)}
	if def.Name != "" {
		attrs = append(attrs, SearchWorkflowName.ValueSet(def.Name))
	}
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            WorkflowID(execID),
		TaskQueue:             info.TaskQueueName,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
		Memo:                  map[string]any{"workflowName": def.Name, "versionId": in.VersionID, "mode": nodes.ModeSchedule, "scheduleId": in.ScheduleID},
	}
	if secs := def.Settings.ExecutionTimeout; secs > 0 {
		opts.WorkflowRunTimeout = time.Duration(secs)*time.Second + runTimeoutGrace
	}
	input := ExecutionInput{
		ExecutionID: execID, WorkflowID: in.WorkflowID, VersionID: in.VersionID, Mode: nodes.ModeSchedule,
		Workflow: def, StartNode: in.Node, Chain: true,
		TriggerItems: []nodes.Item{nodes.NewItem(map[string]any{"timestamp": at.UTC().Format(time.RFC3339Nano)})},
	}
	var res ExecutionResult
	err := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), WorkflowName, input).Get(ctx, &res)
	if err != nil {
		// The execution records how it ended; its failure is not this
		// run's, so the schedule does not count it as one.
		workflow.GetLogger(ctx).Warn("scheduled execution ended abnormally", "executionId", execID, "error", err)
		return nil, nil
	}
	return &res, nil
}
