package devserver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives/timestamp"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// prepareDatabase returns the SQLite persistence config for dataDir (in memory
// when empty), creating the schema when the database is new and the namespaces
// when they are missing.
//
// The schema is created only for a new file: it fixes the number of history
// shards, and the server itself never creates or checks it.
//
// A file is opened in WAL mode: the plugin's default, a rollback journal,
// writes and syncs the journal and the database on every commit, and made
// every persistence call of the single connection several times slower
// (`weft bench scenarios`: 12 webhook executions/s with 20 clients, 44
// with WAL). synchronous is FULL unless Options.SQLiteSync says NORMAL: with
// FULL a commit is on disk when it returns (one sync of the WAL), so a
// started or completed execution survives a power loss; NORMAL survives a
// crash of the process but may lose the last commits on power loss.
func prepareDatabase(dataDir string, namespaces []string, attrs map[string]enums.IndexedValueType, sync string) (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName}
	if dataDir == "" {
		// The plugin creates the schema itself when it first opens an
		// in-memory database. The name only has to be unique in the process.
		conf.DatabaseName = "weft-" + rand.Text()
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
	} else {
		path, err := dbPath(dataDir)
		if err != nil {
			return nil, err
		}
		conf.DatabaseName = path
		conf.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": sync, "busy_timeout": "10000"}
		fresh, err := isNewDatabase(path)
		if err != nil {
			return nil, err
		}
		if fresh {
			if err := sqliteschema.SetupSchema(conf); err != nil {
				// A half-made schema would pass for a complete one next
				// time; start from nothing instead.
				removeDatabase(path)
				return nil, fmt.Errorf("devserver: create schema in %s: %w", path, err)
			}
		}
	}

	var configs []*sqliteschema.NamespaceConfig
	for _, ns := range namespaces {
		nc, err := sqliteschema.NewNamespaceConfig(clusterName, ns, false, attrs)
		if err != nil {
			return nil, fmt.Errorf("devserver: namespace %q: %w", ns, err)
		}
		nc.Detail.Config.Retention = timestamp.DurationPtr(DefaultRetention)
		configs = append(configs, nc)
	}
	// Namespaces that exist already are left as they are; search attributes
	// added since are registered through the operator API once the server runs.
	if err := sqliteschema.CreateNamespaces(conf, configs...); err != nil {
		return nil, fmt.Errorf("devserver: create namespaces: %w", err)
	}
	return conf, nil
}

// dbPath creates dataDir if needed and returns the absolute path of the
// database file in it.
func dbPath(dataDir string) (string, error) {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("devserver: data dir: %w", err)
	}
	// The plugin pastes the path into a "file:" URI without escaping it.
	if strings.ContainsAny(dir, "?#%") {
		return "", fmt.Errorf("devserver: data dir %q: the characters ? # %% are not supported", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("devserver: data dir: %w", err)
	}
	return filepath.Join(dir, DBFileName), nil
}

// isNewDatabase reports whether path holds no database yet: no file, or a file
// without any tables. A file with some tables but not Temporal's is an error.
func isNewDatabase(path string) (bool, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("devserver: %w", err)
	}
	// "sqlite" is modernc.org/sqlite, which the server's plugin registers.
	// Read-write, not read-only: a process killed in a write transaction
	// leaves a hot journal, which the first reader must roll back, and a
	// read-only connection cannot (SQLITE_READONLY_ROLLBACK).
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw")
	if err != nil {
		return false, fmt.Errorf("devserver: open %s: %w", path, err)
	}
	defer func() { _ = db.Close() }()
	var tables, temporalTables int
	err = db.QueryRowContext(context.Background(), `SELECT count(*),
		count(CASE WHEN name IN ('namespaces', 'executions', 'executions_visibility') THEN 1 END)
		FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &temporalTables)
	if err != nil {
		return false, fmt.Errorf("devserver: read %s: %w", path, err)
	}
	switch {
	case tables == 0:
		return true, nil
	case temporalTables < 3:
		return false, fmt.Errorf("devserver: %s is not a Temporal database", path)
	}
	return false, nil
}

// removeDatabase deletes the database file and SQLite's side files.
func removeDatabase(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}
