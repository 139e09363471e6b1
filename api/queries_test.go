package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/weft/weft/persistence"
	"github.com/weft/weft/persistence/dbtest"
)

// TestWorkflowReadsHaveNoNPlusOne counts the SQL statements of listing and
// getting workflows: listing 3 or 12 workflows (each with tags and a
// definition) must take the same number, and each request only a few.
func TestWorkflowReadsHaveNoNPlusOne(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		tok := a.register("ann@example.com").AccessToken
		var id string
		for i := range 3 {
			id = a.create(tok, exportWF(fmt.Sprintf("wf %d", i))).ID
		}
		q := dbtest.CountQueries(t, db)
		count := func(url string) int {
			t.Helper()
			q.Reset()
			w, body := a.do("GET", url, tok, nil, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", url, w.Code, body)
			}
			return q.Count()
		}
		listFew, get := count("/api/workflows"), count("/api/workflows/"+id)
		for i := 3; i < 12; i++ {
			a.create(tok, exportWF(fmt.Sprintf("wf %d", i)))
		}
		listMany := count("/api/workflows")
		if listMany != listFew {
			t.Errorf("listing 3 workflows ran %d statements, 12 ran %d: one per workflow somewhere\n%s",
				listFew, listMany, strings.Join(q.SQL(), "\n"))
		}
		// Authentication (user and session), the rows with their tags, their
		// definitions (only those not cached yet).
		if listMany > 3 || get > 2 {
			t.Errorf("list ran %d statements, get %d; want at most 3 and 2", listMany, get)
		}
		// Definitions already encoded are not read again.
		if warm := count("/api/workflows"); warm > 2 {
			t.Errorf("listing again ran %d statements, want at most 2 (definitions are cached)\n%s",
				warm, strings.Join(q.SQL(), "\n"))
		}
		t.Logf("statements: list %d, get %d:\n%s", listMany, get, strings.Join(q.SQL(), "\n"))
	})
}

// TestHotLookupsUseIndexes checks SQLite's plan for the lookups every
// webhook call and every admin's workflow list make.
func TestHotLookupsUseIndexes(t *testing.T) {
	db := dbtest.SQLite(t)
	for q, index := range map[string]string{
		"SELECT * FROM webhooks WHERE is_test = false AND path = 'a/b' ORDER BY method":               "idx_webhooks_path",
		"SELECT * FROM workflows WHERE deleted_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 51": "idx_workflows_live_updated",
	} {
		var plan []struct {
			Detail string
		}
		if err := db.Gorm().Raw("EXPLAIN QUERY PLAN " + q).Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, p := range plan {
			details = append(details, p.Detail)
		}
		if !strings.Contains(strings.Join(details, "; "), index) {
			t.Errorf("%s\nplan %q does not use %s", q, details, index)
		}
	}
}
