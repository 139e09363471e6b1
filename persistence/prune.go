package persistence

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/weft/weft/nodes"
)

// PruneOptions is execution data retention, n8n's EXECUTIONS_DATA_MAX_AGE
// and EXECUTIONS_DATA_PRUNE_MAX_COUNT.
type PruneOptions struct {
	// MaxAge removes finished executions that finished longer ago than
	// this; 0 keeps them whatever their age.
	MaxAge time.Duration
	// MaxCount keeps at most this many executions (the newest, counting
	// every status); finished ones beyond it are removed. 0 is no limit.
	MaxCount int
	// BatchSize is how many executions one transaction removes (default
	// 500).
	BatchSize int
	// Now is the current time; zero means time.Now.
	Now time.Time
}

// PruneExecutions removes finished executions (success, error, canceled,
// crashed) that are too old or beyond the newest MaxCount, with their run
// data, in batches of one transaction each. Executions that are new,
// running or waiting are never removed, however old. It returns how many
// executions it removed.
func (db *DB) PruneExecutions(ctx context.Context, o PruneOptions) (int, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.Now.IsZero() {
		o.Now = now()
	}
	finished := []string{nodes.StatusSuccess, nodes.StatusError, nodes.StatusCanceled, nodes.StatusCrashed}
	total := 0
	// Each rule narrows the finished executions to those it removes.
	var rules []func(*gorm.DB) *gorm.DB
	if o.MaxAge > 0 {
		cut := o.Now.Add(-o.MaxAge).UTC()
		rules = append(rules, func(q *gorm.DB) *gorm.DB {
			return q.Where("COALESCE(finished_at, started_at) < ?", cut)
		})
	}
	if o.MaxCount > 0 {
		// The newest execution beyond the limit bounds the rest; it does
		// not move while older ones are removed.
		var edge Execution
		err := db.gorm.WithContext(ctx).Select("id", "started_at").Order("started_at DESC, id DESC").
			Offset(o.MaxCount).Limit(1).Take(&edge).Error
		switch {
		case err == nil:
			rules = append(rules, func(q *gorm.DB) *gorm.DB {
				return q.Where("(started_at < ?) OR (started_at = ? AND id <= ?)", edge.StartedAt, edge.StartedAt, edge.ID)
			})
		case err != gorm.ErrRecordNotFound:
			return 0, err
		}
	}
	for _, rule := range rules {
		for {
			n, err := db.pruneBatch(ctx, func(q *gorm.DB) *gorm.DB { return rule(q.Where("status IN ?", finished)) }, o.BatchSize)
			total += n
			if err != nil {
				return total, err
			}
			if n < o.BatchSize {
				break
			}
		}
	}
	return total, nil
}

// pruneBatch removes up to limit executions matched by where, and their
// run data, in one transaction.
func (db *DB) pruneBatch(ctx context.Context, where func(*gorm.DB) *gorm.DB, limit int) (int, error) {
	n := 0
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		if err := where(tx.Model(&Execution{})).Order("started_at, id").Limit(limit).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := tx.Where("execution_id IN ?", ids).Delete(&executionData{}).Error; err != nil {
			return err
		}
		res := tx.Where("id IN ?", ids).Delete(&Execution{})
		if res.Error != nil {
			return res.Error
		}
		n = int(res.RowsAffected)
		return nil
	})
	return n, err
}
