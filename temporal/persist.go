package temporal

import (
	"context"
	"encoding/json"

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
}

// ExecutionStarted implements ExecutionRecorder.
func (r DBRecorder) ExecutionStarted(ctx context.Context, rec ExecutionRecord) error {
	return r.DB.UpdateExecution(ctx, rec.ExecutionID, persistence.ExecutionUpdate{Status: nodes.StatusRunning})
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
	return r.DB.UpdateExecution(ctx, rec.ExecutionID, u)
}

var (
	_ Definitions       = (*DBDefinitions)(nil)
	_ ExecutionRecorder = DBRecorder{}
)
