package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// Scheduler creates and deletes the Temporal schedules of schedule
// triggers. TemporalRunner implements it (through temporal.Client); a Runner
// without it cannot activate workflows that have schedule triggers.
type Scheduler interface {
	// CreateSchedule creates (or replaces) a schedule and returns its next
	// action time.
	CreateSchedule(ctx context.Context, req temporal.ScheduleRequest) (time.Time, error)
	// DeleteSchedule deletes a schedule; a missing one is no error.
	DeleteSchedule(ctx context.Context, id string) error
}

var _ Scheduler = TemporalRunner{}

func (s *Server) scheduleRoutes(r *gin.RouterGroup) {
	r.GET("/workflows/:id/schedules", s.listSchedules)
}

// scheduleView is a schedule as the API shows it.
type scheduleView struct {
	persistence.ScheduledWorkflow
	// Spec is when the schedule fires (nodes.Schedule).
	Spec json.RawMessage `json:"spec"`
}

// listSchedules answers the Temporal schedules of a workflow's schedule
// triggers, one per rule, with the next and last run times Temporal last
// reported: {"data": [...]}. An inactive workflow has none.
func (s *Server) listSchedules(c *gin.Context) {
	ctx := c.Request.Context()
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	rows, err := s.db.WorkflowSchedules(ctx, scopeOf(c), w.ID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := list[scheduleView]{Data: make([]scheduleView, len(rows))}
	for i, r := range rows {
		out.Data[i] = scheduleView{ScheduledWorkflow: r, Spec: json.RawMessage(r.Spec)}
	}
	c.JSON(http.StatusOK, out)
}

// scheduleActivator registers one Temporal schedule per rule of every
// enabled schedule trigger (Schedule Trigger, Cron) of a workflow, and a
// scheduled_workflows row for each.
type scheduleActivator struct{ s *Server }

// timezone is the zone a workflow's schedules fire in: its
// settings.timezone, else the server's default, else UTC.
func (a scheduleActivator) timezone(def *nodes.Workflow) (string, *time.Location, error) {
	tz := def.Settings.Timezone
	if tz == "" || tz == "DEFAULT" {
		tz = a.s.cfg.DefaultTimezone
	}
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return "", nil, invalid("settings.timezone %q is not a known IANA time zone", tz).
			WithDetail("fields", map[string]any{"settings.timezone": "unknown time zone"})
	}
	return tz, loc, nil
}

func (a scheduleActivator) register(ctx context.Context, tx *persistence.DB, w *persistence.Workflow) (func(context.Context), error) {
	def := w.Definition
	var triggers []*nodes.NodeInstance
	for _, n := range def.Nodes {
		if t := nodes.Lookup(n.Type); t != nil && t.Schedules != nil && !n.Disabled {
			triggers = append(triggers, n)
		}
	}
	if len(triggers) == 0 {
		return nil, nil
	}
	sch, ok := a.s.runner.(Scheduler)
	if !ok {
		return nil, nodes.Errorf(nodes.CodeInternal, "this server cannot create schedules")
	}
	tz, loc, err := a.timezone(def)
	if err != nil {
		return nil, err
	}
	var created []string
	undo := func(ctx context.Context) {
		for _, id := range created {
			if err := sch.DeleteSchedule(ctx, id); err != nil {
				a.s.log.Error("remove a schedule of a failed activation", zap.String("schedule_id", id), zap.Error(err))
			}
		}
	}
	fail := func(err error) (func(context.Context), error) {
		undo(context.WithoutCancel(ctx))
		return nil, err
	}
	now := time.Now()
	for _, n := range triggers {
		rules, err := nodes.Lookup(n.Type).Schedules(n, loc, now)
		if err != nil {
			e := nodes.Errorf(nodes.CodeWorkflowInvalid, "node %q: %s", n.Name, err.Error()).WithDetail("node", n.Name)
			var pe *nodes.ParamError
			if errors.As(err, &pe) {
				e.WithDetail("parameter", pe.Path)
			}
			return fail(e)
		}
		for i, rule := range rules {
			id := temporal.ScheduleID(w.ID, n.Name, i)
			next, err := sch.CreateSchedule(ctx, temporal.ScheduleRequest{ID: id, WorkflowID: w.ID, VersionID: w.VersionID,
				WorkflowName: w.Name, Node: n.Name, Schedule: rule, TimeZone: tz})
			if err != nil {
				a.s.log.Error("create schedule", zap.String("schedule_id", id), zap.Error(err))
				return fail(nodes.Errorf(nodes.CodeInternal, "the schedule of node %q could not be created", n.Name))
			}
			created = append(created, id)
			spec, _ := json.Marshal(rule)
			row := &persistence.ScheduledWorkflow{WorkflowID: w.ID, OwnerID: w.OwnerID, NodeName: n.Name, ScheduleID: id,
				Spec: string(spec), Timezone: tz}
			if !next.IsZero() {
				row.NextRunAt = &next
			}
			if err := tx.CreateSchedule(ctx, row); err != nil {
				return fail(err)
			}
		}
	}
	return undo, nil
}

func (a scheduleActivator) unregister(ctx context.Context, tx *persistence.DB, workflowID string) error {
	rows, err := tx.WorkflowSchedules(ctx, persistence.Scope{Admin: true}, workflowID)
	if err != nil || len(rows) == 0 {
		return err
	}
	sch, ok := a.s.runner.(Scheduler)
	if !ok {
		return nodes.Errorf(nodes.CodeInternal, "this server cannot remove schedules")
	}
	for _, r := range rows {
		if err := sch.DeleteSchedule(ctx, r.ScheduleID); err != nil {
			a.s.log.Error("delete schedule", zap.String("schedule_id", r.ScheduleID), zap.Error(err))
			return nodes.Errorf(nodes.CodeInternal, "the schedules of the workflow could not be removed")
		}
	}
	return tx.DeleteWorkflowSchedules(ctx, workflowID)
}
