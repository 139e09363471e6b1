package dbtest

import (
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/weft/weft/persistence"
)

// Queries counts the SQL statements a DB runs, through GORM and through
// its hand-written reads, with their text, from CountQueries until Reset
// or the end of the test.
type Queries struct {
	mu   sync.Mutex
	sqls []string
}

// CountQueries starts counting db's statements. The callbacks are
// removed at the end of the test.
func CountQueries(t testing.TB, db *persistence.DB) *Queries {
	t.Helper()
	q := &Queries{}
	record := func(tx *gorm.DB) {
		q.mu.Lock()
		q.sqls = append(q.sqls, tx.Statement.SQL.String())
		q.mu.Unlock()
	}
	cb := db.Gorm().Callback()
	const name = "dbtest:count"
	for _, err := range []error{
		cb.Query().After("*").Register(name, record),
		cb.Create().After("*").Register(name, record),
		cb.Update().After("*").Register(name, record),
		cb.Delete().After("*").Register(name, record),
		cb.Row().After("*").Register(name, record),
		cb.Raw().After("*").Register(name, record),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	stop := db.ObserveStatements(func(sql string) {
		q.mu.Lock()
		q.sqls = append(q.sqls, sql)
		q.mu.Unlock()
	})
	t.Cleanup(func() {
		stop()
		_ = cb.Query().Remove(name)
		_ = cb.Create().Remove(name)
		_ = cb.Update().Remove(name)
		_ = cb.Delete().Remove(name)
		_ = cb.Row().Remove(name)
		_ = cb.Raw().Remove(name)
	})
	return q
}

// Reset forgets the statements counted so far.
func (q *Queries) Reset() {
	q.mu.Lock()
	q.sqls = nil
	q.mu.Unlock()
}

// Count returns how many statements ran since the last Reset.
func (q *Queries) Count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.sqls)
}

// SQL returns the statements since the last Reset, in order.
func (q *Queries) SQL() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.sqls...)
}
