package persistence

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/weft/weft/nodes"
)

// Execution is an execution's row: the read model of one interpreter run,
// kept current by the interpreter's activities. Temporal is the source of
// truth while it runs.
type Execution struct {
	ID              string     `gorm:"primaryKey" json:"id"`
	WorkflowID      string     `json:"workflow_id"`
	VersionID       string     `json:"version_id"`
	OwnerID         string     `json:"-"`
	Status          string     `json:"status"`
	Mode            string     `json:"mode"`
	StartedAt       time.Time  `json:"started_at"`
	FinishedAt      *time.Time `json:"finished_at"`
	ExecutionTimeMs *int64     `json:"execution_time_ms"`
	Error           *string    `json:"error"`
	LastNode        *string    `json:"-"`
	RetryOf         *string    `json:"retry_of"`
	// WaitTill is when a waiting execution resumes at the latest; nil
	// while it does not wait, or waits for a call of its resume URL only.
	WaitTill *time.Time `json:"wait_till"`
	// ParentExecutionID is the execution that started this one: the
	// caller of a sub-workflow (mode integrated) or the failed execution
	// of an error workflow (mode error).
	ParentExecutionID *string `json:"parent_execution_id"`
	// WaitResume is, while a Wait node waits for a call of the resume
	// URL, what the call must be (JSON, the interpreter's).
	WaitResume    *string   `json:"-"`
	TemporalRunID *string   `json:"-"`
	CreatedAt     time.Time `json:"-"`
	UpdatedAt     time.Time `json:"-"`
}

// TableName implements gorm's Tabler.
func (Execution) TableName() string { return "executions" }

// Final reports whether a status is final.
func Final(status string) bool {
	switch status {
	case nodes.StatusSuccess, nodes.StatusError, nodes.StatusCanceled, nodes.StatusCrashed:
		return true
	}
	return false
}

// CreateExecution inserts an execution row in status "new".
func (db *DB) CreateExecution(ctx context.Context, e *Execution) error {
	if e.ID == "" {
		e.ID = newID()
	}
	t := now()
	if e.StartedAt.IsZero() {
		e.StartedAt = t
	}
	if e.Status == "" {
		e.Status = nodes.StatusNew
	}
	e.CreatedAt, e.UpdatedAt = t, t
	return translate(db.gorm.WithContext(ctx).Create(e).Error, "execution")
}

// GetExecution returns an execution; NOT_FOUND outside the scope.
func (db *DB) GetExecution(ctx context.Context, s Scope, id string) (*Execution, error) {
	var e Execution
	if err := s.apply(db.gorm.WithContext(ctx).Where("id = ?", id), "owner_id").Take(&e).Error; err != nil {
		return nil, translate(err, "execution")
	}
	return &e, nil
}

// ExecutionFilter narrows ListExecutions.
type ExecutionFilter struct {
	WorkflowID string
	Status     string
	Mode       string
	// StartedAfter and StartedBefore bound started_at (inclusive, exclusive).
	StartedAfter  *time.Time
	StartedBefore *time.Time
	Page
}

// ListExecutions returns a page of executions, newest first.
func (db *DB) ListExecutions(ctx context.Context, s Scope, f ExecutionFilter) ([]Execution, string, error) {
	q := s.apply(db.gorm.WithContext(ctx).Model(&Execution{}), "owner_id")
	if f.WorkflowID != "" {
		q = q.Where("workflow_id = ?", f.WorkflowID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Mode != "" {
		q = q.Where("mode = ?", f.Mode)
	}
	if f.StartedAfter != nil {
		q = q.Where("started_at >= ?", f.StartedAfter.UTC())
	}
	if f.StartedBefore != nil {
		q = q.Where("started_at < ?", f.StartedBefore.UTC())
	}
	q, err := applyCursor(q, f.Cursor, "started_at")
	if err != nil {
		return nil, "", err
	}
	var out []Execution
	if err := q.Order("started_at DESC, id DESC").Limit(f.limit() + 1).Find(&out).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.limit() {
		out = out[:f.limit()]
		last := out[len(out)-1]
		next = encodeCursor(last.StartedAt, last.ID)
	}
	return out, next, nil
}

// ExecutionUpdate is a status change of an execution.
type ExecutionUpdate struct {
	Status     string
	FinishedAt *time.Time
	Error      *string
	LastNode   *string
	RunID      *string
	// WaitTill and WaitResume are written with status waiting (nil: no
	// time limit, no resume call); any other status clears them.
	WaitTill   *time.Time
	WaitResume *string
}

// UpdateExecution writes a status change. A final status is never
// overwritten (activities are at-least-once and may report late), and the
// execution time is derived from started_at when a final status arrives.
func (db *DB) UpdateExecution(ctx context.Context, id string, u ExecutionUpdate) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e Execution
		if err := tx.Where("id = ?", id).Take(&e).Error; err != nil {
			return translate(err, "execution")
		}
		if Final(e.Status) {
			return nil
		}
		set := map[string]any{"status": u.Status, "updated_at": now()}
		if u.Error != nil {
			set["error"] = *u.Error
		}
		if u.LastNode != nil {
			set["last_node"] = *u.LastNode
		}
		if u.RunID != nil {
			set["temporal_run_id"] = *u.RunID
		}
		if u.Status == nodes.StatusWaiting && u.WaitTill != nil {
			set["wait_till"] = u.WaitTill.UTC()
		} else {
			set["wait_till"] = nil
		}
		if u.Status == nodes.StatusWaiting && u.WaitResume != nil {
			set["wait_resume"] = *u.WaitResume
		} else {
			set["wait_resume"] = nil
		}
		if Final(u.Status) {
			fin := now()
			if u.FinishedAt != nil {
				fin = u.FinishedAt.UTC()
			}
			set["finished_at"] = fin
			set["execution_time_ms"] = max(fin.Sub(e.StartedAt).Milliseconds(), 0)
		}
		return tx.Model(&Execution{}).Where("id = ?", id).Updates(set).Error
	})
}

// DeleteExecution removes an execution and its data; NOT_FOUND outside the
// scope.
func (db *DB) DeleteExecution(ctx context.Context, s Scope, id string) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := s.apply(tx.Where("id = ?", id), "owner_id").Delete(&Execution{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return notFound("execution")
		}
		return tx.Where("execution_id = ?", id).Delete(&executionData{}).Error
	})
}

// UnfinishedExecutions returns executions in a non-final status that started
// before the given time: the candidates for reconciliation with Temporal.
func (db *DB) UnfinishedExecutions(ctx context.Context, before time.Time, limit int) ([]Execution, error) {
	var out []Execution
	err := db.gorm.WithContext(ctx).Where("status IN ? AND started_at < ?",
		[]string{nodes.StatusNew, nodes.StatusRunning, nodes.StatusWaiting}, before.UTC()).
		Order("started_at").Limit(limit).Find(&out).Error
	return out, err
}

// executionData is one node run of an execution.
type executionData struct {
	ExecutionID string `gorm:"primaryKey"`
	NodeName    string `gorm:"primaryKey"`
	RunIndex    int    `gorm:"primaryKey"`
	Data        string
	CreatedAt   time.Time
}

func (executionData) TableName() string { return "execution_data" }

// RunStore returns the nodes.RunStore over the execution_data table.
func (db *DB) RunStore() nodes.RunStore { return runStore{db} }

type runStore struct{ db *DB }

// SaveRun implements nodes.RunStore: an upsert, so a retried activity
// replaces its earlier attempt.
func (s runStore) SaveRun(ctx context.Context, executionID, node string, runIndex int, run *nodes.NodeRun) error {
	b, err := nodes.EncodeRun(run)
	if err != nil {
		return err
	}
	row := executionData{ExecutionID: executionID, NodeName: node, RunIndex: runIndex, Data: string(b), CreatedAt: now()}
	return s.db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "execution_id"}, {Name: "node_name"}, {Name: "run_index"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "created_at"}),
	}).Create(&row).Error
}

// LoadRun implements nodes.RunStore.
func (s runStore) LoadRun(ctx context.Context, executionID, node string, runIndex int) (*nodes.NodeRun, error) {
	var row executionData
	err := s.db.gorm.WithContext(ctx).Where("execution_id = ? AND node_name = ? AND run_index = ?", executionID, node, runIndex).Take(&row).Error
	if err != nil {
		return nil, translate(err, "node run")
	}
	return nodes.DecodeRun([]byte(row.Data))
}

// LoadRunData implements nodes.RunStore: every run but the stored trigger
// items (nodes.TriggerRunNode).
func (s runStore) LoadRunData(ctx context.Context, executionID string) (nodes.RunData, error) {
	var rows []executionData
	if err := s.db.gorm.WithContext(ctx).Where("execution_id = ? AND node_name <> ?", executionID, nodes.TriggerRunNode).
		Order("node_name, run_index").Find(&rows).Error; err != nil {
		return nil, err
	}
	rd := nodes.RunData{}
	for _, row := range rows {
		run, err := nodes.DecodeRun([]byte(row.Data))
		if err != nil {
			return nil, err
		}
		runs := rd[row.NodeName]
		for len(runs) < row.RunIndex {
			runs = append(runs, nil)
		}
		rd[row.NodeName] = append(runs, run)
	}
	return rd, nil
}

// DeleteExecution implements nodes.RunStore.
func (s runStore) DeleteExecution(ctx context.Context, executionID string) error {
	return s.db.gorm.WithContext(ctx).Where("execution_id = ?", executionID).Delete(&executionData{}).Error
}
