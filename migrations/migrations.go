// Package migrations holds weft's versioned SQL migrations, embedded in the
// binary. The same files run on SQLite and PostgreSQL: they use only the
// types both understand (TEXT, BIGINT, BOOLEAN, TIMESTAMP, BLOB/BYTEA via
// TEXT), ids are UUID strings and JSON is stored as TEXT.
//
// Files are named NNNN_description.sql; each runs in one transaction and
// is recorded in schema_migrations by its number. Never edit a migration
// that has shipped: add a new one.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS

// Dialects Apply knows.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Migration is one numbered migration file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// All returns the embedded migrations in version order.
func All() ([]Migration, error) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, name, v)
		}
		seen[v] = name
		b, err := FS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Statements splits a migration into statements: each ends with ";" at the
// end of a line. Lines starting with "--" are comments.
func (m Migration) Statements() []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(m.SQL, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// lockID is the PostgreSQL advisory lock that serialises concurrent
// migrators (several API replicas starting at once).
const lockID = 0x77656674 // "weft"

// Apply runs every migration not yet recorded in schema_migrations, each in
// its own transaction together with its record, and returns the versions it
// applied. On PostgreSQL an advisory lock makes concurrent callers wait for
// each other, so each migration runs exactly once.
func Apply(ctx context.Context, db *sql.DB, dialect string) ([]int, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL
)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range all {
		done, err := applyOne(ctx, db, dialect, m)
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

func applyOne(ctx context.Context, db *sql.DB, dialect string, m Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }()
	ph := "?"
	if dialect == Postgres {
		ph = "$1"
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lockID)); err != nil {
			return false, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = "+ph, m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	for _, stmt := range m.Statements() {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("%w\n%s", err, stmt)
		}
	}
	ins := "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
	if dialect == Postgres {
		ins = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"
	}
	if _, err := tx.ExecContext(ctx, ins, m.Version, m.Name, time.Now().UTC()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
