package devserver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives/timestamp"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// prepareDatabase returns the SQLite persistence configs for dataDir, the
// default store's and the visibility store's (one database in memory when
// dataDir is empty), creating the schema when the database is new and the
// namespaces when they are missing.
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
func prepareDatabase(dataDir string, namespaces []string, attrs map[string]enums.IndexedValueType, sync string) (conf, vis *config.SQL, err error) {
	conf = &config.SQL{PluginName: sqliteplugin.PluginName}
	vis = conf
	if dataDir == "" {
		// The plugin creates the schema itself when it first opens an
		// in-memory database. The name only has to be unique in the process.
		conf.DatabaseName = "weft-" + rand.Text()
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
	} else {
		path, err := dbPath(dataDir)
		if err != nil {
			return nil, nil, err
		}
		conf.DatabaseName = path
		conf.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": sync, "busy_timeout": "10000"}
		fresh, err := isNewDatabase(path)
		if err != nil {
			return nil, nil, err
		}
		if fresh {
			if err := sqliteschema.SetupSchema(conf); err != nil {
				// A half-made schema would pass for a complete one next
				// time; start from nothing instead.
				removeDatabase(path)
				return nil, nil, fmt.Errorf("devserver: create schema in %s: %w", path, err)
			}
		}
		vis, err = prepareVisibility(conf, !fresh)
		if err != nil {
			return nil, nil, err
		}
	}

	var configs []*sqliteschema.NamespaceConfig
	for _, ns := range namespaces {
		nc, err := sqliteschema.NewNamespaceConfig(clusterName, ns, false, attrs)
		if err != nil {
			return nil, nil, fmt.Errorf("devserver: namespace %q: %w", ns, err)
		}
		nc.Detail.Config.Retention = timestamp.DurationPtr(DefaultRetention)
		configs = append(configs, nc)
	}
	// Namespaces that exist already are left as they are; search attributes
	// added since are registered through the operator API once the server runs.
	if err := sqliteschema.CreateNamespaces(conf, configs...); err != nil {
		return nil, nil, fmt.Errorf("devserver: create namespaces: %w", err)
	}
	if dataDir != "" {
		if err := trimVisibilityIndexes(conf.DatabaseName, vis.DatabaseName); err != nil {
			return nil, nil, err
		}
	}
	return conf, vis, nil
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

// VisibilityFileName is the SQLite file, next to DBFileName, that holds
// Temporal's visibility store: the executions_visibility table the Web UI and
// list queries read. Search attributes live in DBFileName (cluster metadata
// and namespaces); this file only holds the rows.
const VisibilityFileName = "temporal-visibility.db"

// prepareVisibility returns the config of the visibility store's own file
// next to main's, creating it when missing.
//
// Its own file is its own connection and its own writer: the visibility
// rows the history service writes at every start and close (a row with
// dozens of indexes, 14 % of CPU in `weft bench scenarios` scenario 1) no
// longer queue behind the executions' transactions on the single
// connection of DBFileName. Both files keep the same journal and
// synchronous settings, so each commit is as durable as before.
//
// A data directory from before this split has its rows in DBFileName's
// executions_visibility table: they are copied into a new file first, so
// executions listed before are listed after. The copy is built under a
// temporary name and renamed into place, so a crash midway leaves the
// directory as it was. The old table's rows stay behind, unused. With a new
// main file (migrate false), a visibility file left from an earlier one is
// replaced.
func prepareVisibility(main *config.SQL, migrate bool) (*config.SQL, error) {
	dir := filepath.Dir(main.DatabaseName)
	path := filepath.Join(dir, VisibilityFileName)
	vis := &config.SQL{PluginName: main.PluginName, DatabaseName: path, ConnectAttributes: maps.Clone(main.ConnectAttributes)}
	if !migrate {
		// A new main file: records left from an earlier one would list
		// executions that no longer exist.
		removeDatabase(path)
	}
	fresh, err := isNewDatabase(path)
	if err != nil || !fresh {
		return vis, err
	}
	// Left by a start that crashed while building.
	if old, err := filepath.Glob(path + ".new-*"); err == nil {
		for _, f := range old {
			_ = os.Remove(f)
		}
	}
	// The plugin keeps a connection to every file it opened for the life of
	// the process, so each build gets a name of its own. A rollback journal
	// while building: one file to rename afterwards.
	tmp := path + ".new-" + rand.Text()
	tmpConf := &config.SQL{PluginName: main.PluginName, DatabaseName: tmp, ConnectAttributes: map[string]string{"mode": "rwc"}}
	if err := sqliteschema.SetupSchema(tmpConf); err != nil {
		removeDatabase(tmp)
		return nil, fmt.Errorf("devserver: create schema in %s: %w", tmp, err)
	}
	if migrate {
		if err := copyVisibility(main.DatabaseName, tmp); err != nil {
			removeDatabase(tmp)
			return nil, fmt.Errorf("devserver: copy visibility records into %s: %w", path, err)
		}
	}
	if err := syncFile(tmp); err != nil {
		removeDatabase(tmp)
		return nil, err
	}
	removeDatabase(path)
	if err := os.Rename(tmp, path); err != nil {
		removeDatabase(tmp)
		return nil, fmt.Errorf("devserver: %w", err)
	}
	return vis, syncFile(dir)
}

// copyVisibility copies every row of from's executions_visibility table into
// to's, column by column (generated columns are computed again).
func copyVisibility(from, to string) error {
	db, err := sql.Open("sqlite", "file:"+to+"?mode=rw")
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	// One connection: ATTACH is per connection.
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "ATTACH DATABASE ? AS old", "file:"+from+"?mode=ro"); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_table_info('executions_visibility', 'old')")
	if err != nil {
		return err
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			_ = rows.Close()
			return err
		}
		cols = append(cols, `"`+strings.ReplaceAll(c, `"`, `""`)+`"`)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if len(cols) == 0 {
		return errors.New("no executions_visibility table")
	}
	list := strings.Join(cols, ", ")
	_, err = db.ExecContext(ctx, "INSERT INTO main.executions_visibility ("+list+") SELECT "+list+" FROM old.executions_visibility")
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "DETACH DATABASE old")
	return err
}

// syncFile flushes a file or directory to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("devserver: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("devserver: sync %s: %w", path, err)
	}
	return nil
}
