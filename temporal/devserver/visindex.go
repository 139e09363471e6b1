package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	persistencespb "go.temporal.io/server/api/persistence/v1"
	"google.golang.org/protobuf/proto"
)

// keptVisibilityIndexes are the indexes of Temporal's visibility table that
// the embedded server keeps, besides one per custom search attribute a
// namespace uses: the Web UI's default list (default_idx, newest first), its
// filters by workflow id, type, status and execution time, the
// parent/child and root links of the relationships view, and the
// schedules pages (schedule workflows live in the TemporalScheduler
// division; a schedule's runs carry TemporalScheduledById).
var keptVisibilityIndexes = map[string]bool{
	"default_idx":                      true,
	"by_execution_time":                true,
	"by_workflow_id":                   true,
	"by_workflow_type":                 true,
	"by_status":                        true,
	"by_parent_workflow_id":            true,
	"by_root_workflow_id":              true,
	"by_temporal_scheduled_by_id":      true,
	"by_temporal_namespace_division":   true,
	"by_temporal_scheduled_start_time": true,
}

// trimVisibilityIndexes drops the visibility table's indexes nobody filters
// on, and creates the index of any custom search attribute column a
// namespace maps that lacks one.
//
// Temporal's SQLite schema indexes 58 columns of executions_visibility,
// every one of them ending in the row's close time, so recording an
// execution's close rewrites 58 index entries: the visibility store was a
// quarter of all CPU in `weft bench scenarios` scenario 1. Most of those
// columns are search-attribute slots no namespace here maps (Bool01, Int02,
// ...) or system columns the Web UI does not filter on (history length,
// task queue, pause info, ...). A list query on a dropped index still
// answers, with the same rows: it walks default_idx instead.
//
// main is the database file holding the namespaces (their search attribute
// to column mapping), vis the one holding the visibility rows. It is run at
// every start; a search attribute registered while the server runs gets its
// index at the next start.
func trimVisibilityIndexes(main, vis string) error {
	used, err := searchAttributeColumns(main)
	if err != nil {
		return fmt.Errorf("devserver: read search attributes of %s: %w", main, err)
	}
	db, err := sql.Open("sqlite", "file:"+vis+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("devserver: open %s: %w", vis, err)
	}
	defer func() { _ = db.Close() }()
	ctx := context.Background()
	existing, err := visibilityIndexes(ctx, db)
	if err != nil {
		return fmt.Errorf("devserver: list indexes of %s: %w", vis, err)
	}
	keep := make(map[string]bool, len(keptVisibilityIndexes)+len(used))
	for name := range keptVisibilityIndexes {
		keep[name] = true
	}
	for _, col := range used {
		name, ok := columnIndexName(col)
		if !ok {
			continue
		}
		keep[name] = true
		if !existing[name] {
			// The same shape as every other index of the table: the
			// column, then the default order.
			stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON executions_visibility (namespace_id, %s, (COALESCE(close_time, '9999-12-31 23:59:59+00:00')) DESC, start_time DESC, run_id)`, name, col)
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("devserver: create index %s in %s: %w", name, vis, err)
			}
		}
	}
	for name := range existing {
		if keep[name] {
			continue
		}
		if _, err := db.ExecContext(ctx, `DROP INDEX IF EXISTS "`+name+`"`); err != nil {
			return fmt.Errorf("devserver: drop index %s in %s: %w", name, vis, err)
		}
	}
	return nil
}

// visibilityIndexes returns the names of executions_visibility's own
// indexes (not the primary key's).
func visibilityIndexes(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master
		WHERE type = 'index' AND tbl_name = 'executions_visibility' AND sql IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			_ = rows.Close()
			return nil, err
		}
		out[name] = true
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// searchAttributeColumns returns the visibility columns (Keyword01, ...)
// that the namespaces in the database file main map custom search
// attributes to.
func searchAttributeColumns(main string) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+main+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer func() { _ = db.Close() }()
	rows, err := db.QueryContext(context.Background(), "SELECT data, data_encoding FROM namespaces")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var cols []string
	for rows.Next() {
		var data []byte
		var encoding string
		if err := rows.Scan(&data, &encoding); err != nil {
			_ = rows.Close()
			return nil, err
		}
		if !strings.EqualFold(encoding, "proto3") {
			_ = rows.Close()
			return nil, fmt.Errorf("namespace record encoded as %q", encoding)
		}
		var detail persistencespb.NamespaceDetail
		if err := proto.Unmarshal(data, &detail); err != nil {
			_ = rows.Close()
			return nil, err
		}
		for col := range detail.GetConfig().GetCustomSearchAttributeAliases() {
			if !seen[col] {
				seen[col] = true
				cols = append(cols, col)
			}
		}
	}
	return cols, errors.Join(rows.Err(), rows.Close())
}

// columnIndexName returns the name Temporal's schema gives the index of a
// custom search attribute column: Keyword07 is by_keyword_07. Text and
// KeywordList columns are searched through full-text tables, not indexes;
// they and anything else give false.
func columnIndexName(col string) (string, bool) {
	i := strings.IndexFunc(col, unicode.IsDigit)
	if i <= 0 || len(col)-i != 2 || col[i+1] < '0' || col[i+1] > '9' {
		return "", false
	}
	switch col[:i] {
	case "Bool", "Datetime", "Double", "Int", "Keyword":
		return "by_" + strings.ToLower(col[:i]) + "_" + col[i:], true
	}
	return "", false
}
