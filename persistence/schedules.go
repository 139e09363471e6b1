package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/weft/weft/nodes"
)

// ScheduledWorkflow mirrors one Temporal schedule of an active workflow:
// one per rule of a schedule trigger node. NextRunAt and LastRunAt are what
// Temporal last reported.
type ScheduledWorkflow struct {
	ID         string     `gorm:"primaryKey" json:"id"`
	WorkflowID string     `json:"workflow_id"`
	OwnerID    string     `json:"-"`
	NodeName   string     `json:"node_name"`
	ScheduleID string     `json:"schedule_id"`
	Spec       string     `json:"-"`
	Timezone   string     `json:"timezone"`
	NextRunAt  *time.Time `json:"next_run_at"`
	LastRunAt  *time.Time `json:"last_run_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (ScheduledWorkflow) TableName() string { return "scheduled_workflows" }

// CreateSchedule inserts a schedule's row; CONFLICT when its schedule id
// has one.
func (db *DB) CreateSchedule(ctx context.Context, s *ScheduledWorkflow) error {
	if s.ID == "" {
		s.ID = newID()
	}
	t := now()
	s.CreatedAt, s.UpdatedAt = t, t
	return translate(db.gorm.WithContext(ctx).Create(s).Error, "schedule")
}

// WorkflowSchedules returns a workflow's schedules by node and schedule id;
// the scope applies to the owner (a workflow outside it has none).
func (db *DB) WorkflowSchedules(ctx context.Context, s Scope, workflowID string) ([]ScheduledWorkflow, error) {
	var out []ScheduledWorkflow
	err := s.apply(db.gorm.WithContext(ctx).Where("workflow_id = ?", workflowID), "owner_id").
		Order("node_name, schedule_id").Find(&out).Error
	return out, err
}

// DeleteWorkflowSchedules removes a workflow's schedule rows.
func (db *DB) DeleteWorkflowSchedules(ctx context.Context, workflowID string) error {
	return db.gorm.WithContext(ctx).Where("workflow_id = ?", workflowID).Delete(&ScheduledWorkflow{}).Error
}

// SetScheduleTimes records the next and last run times Temporal reports
// for a schedule (nil leaves one as it is); a schedule without a row is
// NOT_FOUND.
func (db *DB) SetScheduleTimes(ctx context.Context, scheduleID string, next, last *time.Time) error {
	set := map[string]any{"updated_at": now()}
	if next != nil {
		set["next_run_at"] = next.UTC()
	}
	if last != nil {
		set["last_run_at"] = last.UTC()
	}
	res := db.gorm.WithContext(ctx).Model(&ScheduledWorkflow{}).Where("schedule_id = ?", scheduleID).Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return notFound("schedule")
	}
	return nil
}

// ScheduledRun describes a run a schedule started.
type ScheduledRun struct {
	// ExecutionID is the id of the run's execution row.
	ExecutionID string
	// WorkflowID and VersionID name the workflow and the version the
	// schedule was activated with.
	WorkflowID string
	VersionID  string
	// StartedAt is when the run began.
	StartedAt time.Time
}

// BeginScheduledRun creates the execution row of a scheduled run, in mode
// schedule and owned by the workflow's owner, and returns the definition
// it runs. A row that exists already (the call is retried) is kept. A
// workflow that is gone or no longer active is NOT_FOUND, and no row is
// written: its schedule outlived it and the run must not happen.
func (db *DB) BeginScheduledRun(ctx context.Context, r ScheduledRun) (*nodes.Workflow, error) {
	var w WorkflowRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", r.WorkflowID).Take(&w).Error; err != nil {
		return nil, translate(err, "workflow")
	}
	if !w.Active {
		return nil, nodes.Errorf(nodes.CodeNotFound, "workflow %s is not active", r.WorkflowID)
	}
	_, def, err := db.Version(ctx, r.VersionID)
	if err != nil {
		return nil, err
	}
	e := &Execution{ID: r.ExecutionID, WorkflowID: r.WorkflowID, VersionID: r.VersionID, OwnerID: w.OwnerID,
		Mode: nodes.ModeSchedule, StartedAt: r.StartedAt.UTC()}
	err = db.CreateExecution(ctx, e)
	if nodes.ErrorCode(err) == nodes.CodeConflict {
		var have Execution
		if terr := db.gorm.WithContext(ctx).Where("id = ?", r.ExecutionID).Take(&have).Error; terr == nil && have.WorkflowID == r.WorkflowID {
			err = nil
		} else if !errors.Is(terr, gorm.ErrRecordNotFound) && terr != nil {
			err = terr
		}
	}
	if err != nil {
		return nil, err
	}
	if w.Name != "" && w.Name != def.Name {
		def = def.Clone()
		def.Name = w.Name
	}
	return def, nil
}
