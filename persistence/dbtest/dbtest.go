// Package dbtest opens the real databases persistence tests run against.
package dbtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/weft/weft/persistence"
)

// PostgresEnv names the variable that points tests at a PostgreSQL
// server (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
const PostgresEnv = "WEFT_TEST_POSTGRES_URL"

// DBs opens the databases tests run against, migrated and empty: a
// SQLite file in t.TempDir() always, and PostgreSQL (in a schema of its own,
// dropped at cleanup) when WEFT_TEST_POSTGRES_URL is set. The map is keyed
// by dialect.
func DBs(t testing.TB) map[string]*persistence.DB {
	t.Helper()
	out := map[string]*persistence.DB{"sqlite": SQLite(t)}
	if pg := Postgres(t); pg != nil {
		out["postgres"] = pg
	}
	return out
}

// SQLite opens a migrated SQLite database in t.TempDir().
func SQLite(t testing.TB) *persistence.DB {
	t.Helper()
	db, err := persistence.Open(context.Background(), filepath.Join(t.TempDir(), "weft.db"), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Postgres opens a migrated PostgreSQL database in a fresh schema, or
// returns nil when WEFT_TEST_POSTGRES_URL is unset.
func Postgres(t testing.TB) *persistence.DB {
	t.Helper()
	dsn := PostgresURL(t)
	if dsn == "" {
		return nil
	}
	ctx := context.Background()
	db, err := persistence.Open(ctx, dsn, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// PostgresURL creates a fresh, empty schema on the PostgreSQL server that
// WEFT_TEST_POSTGRES_URL names and returns a URL whose connections use it
// (for tests that hand a DATABASE_URL to a weft process). The schema is
// dropped at cleanup. It returns "" when the variable is unset.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		return ""
	}
	ctx := context.Background()
	admin, err := persistence.Open(ctx, base, persistence.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("%s is set but PostgreSQL is unreachable: %v", PostgresEnv, err)
	}
	schema := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	if err := admin.Gorm().Exec("CREATE SCHEMA " + schema).Error; err != nil {
		_ = admin.Close()
		t.Fatal(err)
	}
	// Registered first, so it runs after the cleanups of whoever uses the
	// schema (cleanups run last-in, first-out).
	t.Cleanup(func() {
		_ = admin.Gorm().Exec(fmt.Sprintf("DROP SCHEMA %s CASCADE", schema)).Error
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
