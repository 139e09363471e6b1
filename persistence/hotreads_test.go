package persistence

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseStrings checks the tags decoder against encoding/json, on what
// SQLite and PostgreSQL write and on what they never do.
func TestParseStrings(t *testing.T) {
	for _, in := range []string{
		`[]`, `["a"]`, `["b","a"]`, `["a", "b c", ""]`, ` [ "x" , "y" ] `, `["é", "\u00e9"]`,
		`["quote \" inside"]`, `["back\\slash"]`, `["a",]`, `["a" "b"]`, `[1]`, `["a"`, `{"a":1}`, `null`, `[,]`,
	} {
		var want []string
		wantErr := json.Unmarshal([]byte(in), &want)
		if want == nil {
			want = []string{}
		}
		got, err := parseStrings([]byte(in))
		if (err != nil) != (wantErr != nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("%s: got %q, %v; encoding/json: %q, %v", in, got, err, want, wantErr)
		}
	}
	if got, err := parseStrings(nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("NULL: %q %v", got, err)
	}
}

// TestParseStoredTime: the fast path gives exactly what parsing with the
// driver's layouts gives (location included), and odd text falls back.
func TestParseStoredTime(t *testing.T) {
	base := time.Date(2026, 11, 27, 11, 8, 31, 874125194, time.UTC)
	var in []string
	for _, tm := range []time.Time{
		base, base.Truncate(time.Second), base.Truncate(time.Millisecond), base.Truncate(100 * time.Millisecond),
		time.Date(2024, 2, 29, 23, 59, 59, 1, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), base.In(time.FixedZone("CEST", 2*3600)),
	} {
		in = append(in, tm.String())
	}
	in = append(in, "2023-02-29 10:00:00 +0000 UTC", "2026-13-01 10:00:00 +0000 UTC", "2026-11-27 24:00:00 +0000 UTC",
		"2026-11-27 11:08:31. +0000 UTC", "2026-11-27 11:08:31.1234567890 +0000 UTC", "2026-11-27 11:08:31 +0000 UTC m=+0.5",
		"2026-11-27 11:08:31", "2026-11-27T11:08:31Z", "2026-11-27", "yesterday", "2026-1a-27 11:08:31 +0000 UTC")
	for _, s := range in {
		want, wantErr := parseDriverTime(s)
		got, err := parseStoredTime(s)
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %v (%v), driver's way %v (%v)", s, got, err, want, wantErr)
		}
	}
	// The reference itself: time.Time.String() of a UTC time comes back
	// equal, in UTC.
	if got, err := parseDriverTime(base.String()); err != nil || !got.Equal(base) || got.Location() != time.UTC {
		t.Errorf("driver's way: %v %v", got, err)
	}
}

// TestHotReadsUseIndexes checks SQLite's plans for the hand-written reads:
// no full scan of workflows or users, whoever asks; an owner's list walks
// that owner's live workflows only, newest first.
func TestHotReadsUseIndexes(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "weft.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	texts := db.hot.texts
	for q, want := range map[string]string{
		texts.session:                           "USING INDEX sqlite_autoindex_users_1",
		texts.get[0]:                            "USING INDEX sqlite_autoindex_workflows_1",
		texts.get[1]:                            "USING INDEX sqlite_autoindex_workflows_1",
		texts.list[0] + "21":                    "USING INDEX idx_workflows_live_updated",
		texts.list[listOwner] + "21":            "SEARCH w USING INDEX idx_workflows_owner_live_updated",
		texts.list[listOwner|listCursor] + "21": "SEARCH w USING INDEX idx_workflows_owner_live_updated",
	} {
		rows, err := db.SQL().Query("EXPLAIN QUERY PLAN "+q, "a", "b", "c", "d", "e")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, want) || strings.Contains(joined, "SCAN w") {
			t.Errorf("%s\nplan %q, want %s", q, plan, want)
		}
	}
}
