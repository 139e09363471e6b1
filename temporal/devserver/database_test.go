package devserver

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDatabaseWithHotJournal reopens a database as a process killed in the
// middle of a write transaction leaves it: the file and a hot rollback
// journal. Copying both while a transaction is open makes one (nobody holds
// the copy's lock). It runs in a fresh process, as weft does after a kill:
// once a Temporal server has run in a process, SQLite's process-wide state
// there no longer leaves the copied journal hot, so running it after the
// other tests (go test -count=2) would test nothing.
func TestDatabaseWithHotJournal(t *testing.T) {
	if os.Getenv("WEFT_HOT_JOURNAL_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDatabaseWithHotJournal$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "WEFT_HOT_JOURNAL_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestDatabaseWithHotJournal") {
			t.Fatalf("hot journal test in a fresh process: %v\n%s", err, out)
		}
		return
	}
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	db, err := sql.Open("sqlite", "file:"+live+"?mode=rwc")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		"PRAGMA journal_mode=DELETE",
		"CREATE TABLE namespaces (v TEXT)", "CREATE TABLE executions (v TEXT)", "CREATE TABLE executions_visibility (v TEXT)",
		"INSERT INTO namespaces VALUES ('" + strings.Repeat("a", 64<<10) + "')",
		// A tiny page cache makes the open transaction spill its pages
		// into the database file, with the originals in the journal.
		"PRAGMA cache_size=2",
		"BEGIN",
		"UPDATE namespaces SET v = '" + strings.Repeat("b", 64<<10) + "'",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	crashed := filepath.Join(dir, DBFileName)
	copyFile(t, live, crashed)
	copyFile(t, live+"-journal", crashed+"-journal")

	fresh, err := isNewDatabase(crashed)
	if err != nil || fresh {
		t.Fatalf("isNewDatabase = %v, %v; want an existing Temporal database", fresh, err)
	}
	if _, err := os.Stat(crashed + "-journal"); !os.IsNotExist(err) {
		t.Errorf("the hot journal is still there (%v): it was not rolled back", err)
	}
	check, err := sql.Open("sqlite", "file:"+crashed+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	var first string
	if err := check.QueryRow("SELECT substr(v, 1, 1) FROM namespaces").Scan(&first); err != nil || first != "a" {
		t.Fatalf("after recovery: %q, %v; want the committed row", first, err)
	}
}
