package temporal

import (
	"context"
	"encoding/json"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// DBDefinitions loads definition snapshots from workflow_versions, keeping
// recently used ones in memory (versions never change).
type DBDefinitions struct {
	DB    *persistence.DB
	cache *MemoryDefinitions
}

// NewDBDefinitions returns Definitions over db.
func NewDBDefinitions(db *persistence.DB) *DBDefinitions {
	return &DBDefinitions{DB: db, cache: NewMemoryDefinitions()}
}

// Definition implements Definitions.
func (d *DBDefinitions) Definition(ctx context.Context, versionID string) (*nodes.Workflow, error) {
	if w, err := d.cache.Definition(ctx, versionID); err == nil {
		return w, nil
	}
	_, w, err := d.DB.Version(ctx, versionID)
	if err != nil {
		return nil, err
	}
	d.cache.Put(versionID, w)
	return w, nil
}

// DBRecorder keeps the executions table in step with the interpreter.
type DBRecorder struct {
	DB *persistence.DB
	// Metrics, when set, counts executions started and finished. The row
	// is read first, so a resume after a wait or a repeated report (the
	// recorder is at-least-once) is not counted again.
	Metrics *Metrics
}

// row returns the execution's row when metrics are counted.
func (r DBRecorder) row(ctx context.Context, id string) *persistence.Execution {
	if r.Metrics == nil {
		return nil
	}
	e, err := r.DB.GetExecution(ctx, persistence.Scope{Admin: true}, id)
	if err != nil {
		return nil
	}
	return e
}

// ExecutionStarted implements ExecutionRecorder.
func (r DBRecorder) ExecutionStarted(ctx context.Context, rec ExecutionRecord) error {
	before := r.row(ctx, rec.ExecutionID)
	if err := r.DB.UpdateExecution(ctx, rec.ExecutionID, persistence.ExecutionUpdate{Status: nodes.StatusRunning}); err != nil {
		return err
	}
	if before != nil && before.Status == nodes.StatusNew {
		r.Metrics.executionStarted(rec.Mode)
	}
	return nil
}

// ExecutionWaiting implements ExecutionRecorder.
func (r DBRecorder) ExecutionWaiting(ctx context.Context, rec ExecutionRecord) error {
	u := persistence.ExecutionUpdate{Status: nodes.StatusWaiting}
	if !rec.WaitTill.IsZero() {
		u.WaitTill = &rec.WaitTill
	}
	if rec.Resume != nil {
		b, err := json.Marshal(rec.Resume)
		if err != nil {
			return err
		}
		s := string(b)
		u.WaitResume = &s
	}
	return r.DB.UpdateExecution(ctx, rec.ExecutionID, u)
}

// ExecutionFinished implements ExecutionRecorder.
func (r DBRecorder) ExecutionFinished(ctx context.Context, rec ExecutionRecord) error {
	u := persistence.ExecutionUpdate{Status: rec.Status}
	if !rec.At.IsZero() {
		at := rec.At.UTC()
		u.FinishedAt = &at
	}
	if rec.LastNodeExecuted != "" {
		last := rec.LastNodeExecuted
		u.LastNode = &last
	}
	if rec.Error != nil && rec.Status != nodes.StatusSuccess {
		msg := rec.Error.Message
		u.Error = &msg
	}
	before := r.row(ctx, rec.ExecutionID)
	if err := r.DB.UpdateExecution(ctx, rec.ExecutionID, u); err != nil {
		return err
	}
	if before != nil && !persistence.Final(before.Status) {
		end := rec.At
		if end.IsZero() {
			end = time.Now()
		}
		r.Metrics.executionFinished(rec.Status, rec.Mode, end.Sub(before.StartedAt))
	}
	return nil
}

var (
	_ Definitions       = (*DBDefinitions)(nil)
	_ ExecutionRecorder = DBRecorder{}
)
