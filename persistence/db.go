// Package persistence stores weft's definitions and read models in a SQL
// database through GORM: PostgreSQL in production, SQLite (a file in the data
// directory) when weft runs embedded. One file per table family; every query
// that touches a user's objects is scoped by owner (admins excepted).
//
// Schema changes live in package migrations and are applied by Migrate; there
// is no AutoMigrate.
package persistence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/weft/weft/migrations"
	"github.com/weft/weft/nodes"

	// The pure-Go SQLite driver, registered as "sqlite". The embedded
	// Temporal server links the same one, so the binary has one SQLite.
	_ "modernc.org/sqlite"
)

// DB is weft's database: a GORM handle and the dialect behind it.
type DB struct {
	gorm *gorm.DB
	// prep is gorm with prepared statements, for lookups made often
	// (SQLite otherwise parses each statement anew). Nil in transaction
	// copies (see reads).
	prep *gorm.DB
	// hot runs the hand-written reads of every API request (hotreads.go);
	// shared with transaction copies.
	hot *hotReads
	// tx is set on a transaction's copy: gorm is the transaction.
	tx      bool
	dialect string
	// dsn opens the dedicated connection of Listen (PostgreSQL).
	dsn string
}

// Options tune the connection pool.
type Options struct {
	// MaxOpenConns bounds open connections (default 20 for PostgreSQL,
	// 8 for SQLite).
	MaxOpenConns int
	// MaxIdleConns bounds idle connections (default MaxOpenConns).
	MaxIdleConns int
	// ConnMaxLifetime recycles connections (default 30 minutes).
	ConnMaxLifetime time.Duration
}

// Open connects to the database a DSN names: "postgres://…" or
// "postgresql://…" for PostgreSQL, "sqlite://PATH" or a plain file path for
// SQLite (":memory:" for a private in-memory database).
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	var (
		dialector gorm.Dialector
		dialect   string
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = migrations.Postgres
		dialector = postgres.Open(dsn)
		if opts.MaxOpenConns == 0 {
			opts.MaxOpenConns = 20
		}
	default:
		dialect = migrations.SQLite
		path := strings.TrimPrefix(dsn, "sqlite://")
		d, err := sqliteDSN(path)
		if err != nil {
			return nil, err
		}
		dialector = sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: d})
		if opts.MaxOpenConns == 0 {
			opts.MaxOpenConns = 8
		}
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         true,
		// Bounds the statements hot prepares (it is the only user).
		PrepareStmtMaxSize: 256,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if opts.MaxIdleConns == 0 {
		opts.MaxIdleConns = opts.MaxOpenConns
	}
	if opts.ConnMaxLifetime == 0 {
		opts.ConnMaxLifetime = 30 * time.Minute
	}
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(opts.ConnMaxLifetime)
	db := &DB{gorm: g, prep: g.Session(&gorm.Session{PrepareStmt: true}), hot: newHotReads(sqlDB, dialect), dialect: dialect, dsn: dsn}
	if err := db.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return db, nil
}

// reads returns the handle for frequent read-only lookups: prepared
// statements when this DB is not a transaction's copy.
func (db *DB) reads() *gorm.DB {
	if db.prep != nil {
		return db.prep
	}
	return db.gorm
}

// inTx returns a copy of db whose statements run in the transaction tx.
func (db *DB) inTx(tx *gorm.DB) *DB {
	return &DB{gorm: tx, hot: db.hot, tx: true, dialect: db.dialect, dsn: db.dsn}
}

// sqliteDSN builds the modernc DSN: WAL, a busy timeout, foreign keys on and
// immediate transactions (so two writers queue instead of deadlocking).
func sqliteDSN(path string) (string, error) {
	q := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if path == ":memory:" {
		// A named shared-cache memory database, so every pooled connection
		// sees the same data.
		return "file:" + uuid.NewString() + "?mode=memory&cache=shared&" + q, nil
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("create database directory: %w", err)
		}
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=journal_mode(WAL)&" + q, nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Gorm returns the GORM handle for packages that need a query this package
// does not offer (tests, mostly).
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// SQL returns the underlying *sql.DB.
func (db *DB) SQL() *sql.DB {
	s, _ := db.gorm.DB()
	return s
}

// Ping checks the database answers.
//
// A connection the server dropped while idle fails the first ping it is
// used for and is then discarded, so one failure is retried once: after the
// database comes back, the first health check already reports it.
func (db *DB) Ping(ctx context.Context) error {
	err := db.SQL().PingContext(ctx)
	if err != nil && ctx.Err() == nil {
		err = db.SQL().PingContext(ctx)
	}
	return err
}

// Close closes the connection pool.
func (db *DB) Close() error {
	db.hot.close()
	return db.SQL().Close()
}

// Migrate applies pending migrations and returns their versions.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	return migrations.Apply(ctx, db.SQL(), db.dialect)
}

// Scope is who is asking: queries on owned objects return only the user's
// own unless the user is an admin.
type Scope struct {
	UserID string
	Admin  bool
}

func (s Scope) apply(q *gorm.DB, column string) *gorm.DB {
	if s.Admin {
		return q
	}
	return q.Where(column+" = ?", s.UserID)
}

// notFound returns the NOT_FOUND error for a kind of object.
func notFound(kind string) error { return nodes.Errorf(nodes.CodeNotFound, "%s not found", kind) }

// translate maps GORM errors onto weft's codes.
func translate(err error, kind string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return notFound(kind)
	case isUniqueViolation(err):
		return nodes.Errorf(nodes.CodeConflict, "%s already exists", kind)
	}
	return err
}

// isUniqueViolation recognises a unique-constraint failure from either
// driver: PostgreSQL's SQLSTATE 23505, or the SQLite driver's message (GORM's
// SQLite error translator only knows the cgo driver's error type).
func isUniqueViolation(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func newID() string { return uuid.NewString() }

func now() time.Time { return time.Now().UTC() }

// Advisory lock keys for transactions that read then write a decision.
const (
	lockUsers int64 = 0x77656674_0001
)

// lockTx serialises transactions on key: a transaction-scoped advisory lock
// on PostgreSQL; on SQLite every write transaction is already exclusive
// (_txlock=immediate).
func (db *DB) lockTx(tx *gorm.DB, key int64) error {
	if db.dialect != migrations.Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", key).Error
}
