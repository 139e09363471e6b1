package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/persistence"
)

// TestWorkflowReadsFromCacheMatchFreshEncoding checks that list and get,
// answered from the cache of encoded definitions, write exactly the bytes
// a fresh decode and encode of the stored workflows gives, on a cold and
// a warm cache, and that an update (a new version) shows at once.
func TestWorkflowReadsFromCacheMatchFreshEncoding(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		tok := a.register("ann@example.com").AccessToken
		var ids []string
		for i := range 4 {
			wf := exportWF(fmt.Sprintf("wf <%d> & \"quoted\"", i))
			switch i {
			case 1:
				wf["pinData"] = map[string]any{"Start": []any{map[string]any{"json": map[string]any{"html": "<b>&</b>", "n": 1.5}}}}
				wf["meta"] = map[string]any{"instanceId": "x"}
			case 2:
				delete(wf, "tags")
				wf["staticData"] = map[string]any{"global": map[string]any{"k": "v\u2028"}}
			case 3:
				delete(wf, "settings")
			}
			ids = append(ids, a.create(tok, wf).ID)
		}
		// What the API answered before the cache: decode and encode.
		fresh := func() (string, map[string]string) {
			t.Helper()
			u, err := db.UserByEmail(t.Context(), "ann@example.com")
			if err != nil {
				t.Fatal(err)
			}
			s := persistence.Scope{UserID: u.ID}
			ws, next, err := db.ListWorkflows(t.Context(), s, persistence.WorkflowFilter{})
			if err != nil {
				t.Fatal(err)
			}
			l := list[workflowView]{Data: make([]workflowView, len(ws)), NextCursor: next}
			for i, w := range ws {
				l.Data[i] = viewWorkflow(w)
			}
			lb, _ := json.Marshal(l)
			gets := map[string]string{}
			for _, id := range ids {
				w, err := db.GetWorkflow(t.Context(), s, id)
				if err != nil {
					t.Fatal(err)
				}
				gb, _ := json.Marshal(viewWorkflow(w))
				gets[id] = string(gb)
			}
			return string(lb), gets
		}
		check := func(when string) {
			t.Helper()
			wantList, wantGets := fresh()
			for range 2 { // cold, then warm
				w, body := a.do("GET", "/api/workflows", tok, nil, nil)
				if w.Code != http.StatusOK || string(body) != wantList {
					t.Fatalf("%s: list answered %d\n%s\nwant\n%s", when, w.Code, body, wantList)
				}
				if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Fatalf("content type %q", ct)
				}
				for id, want := range wantGets {
					w, body := a.do("GET", "/api/workflows/"+id, tok, nil, nil)
					if w.Code != http.StatusOK || string(body) != want {
						t.Fatalf("%s: get answered %d\n%s\nwant\n%s", when, w.Code, body, want)
					}
				}
			}
		}
		check("after create")
		if !strings.Contains(mustGet(t, a, tok, ids[1]), `\u003cb\u003e`) {
			t.Fatal("HTML characters are not escaped as before")
		}
		w, body := a.do("PATCH", "/api/workflows/"+ids[0], tok, map[string]any{"name": "renamed",
			"nodes":       []any{map[string]any{"id": "z", "name": "Only", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}}},
			"connections": map[string]any{}}, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("update: %d %s", w.Code, body)
		}
		check("after update")
		if got := mustGet(t, a, tok, ids[0]); !strings.Contains(got, `"Only"`) || strings.Contains(got, `"Pass"`) {
			t.Fatalf("get after update shows the old definition: %s", got)
		}
		// An empty page, and a workflow out of scope, answer as before.
		w, body = a.do("GET", "/api/workflows?search=nothing-matches", tok, nil, nil)
		if w.Code != http.StatusOK || string(body) != `{"data":[],"next_cursor":""}` {
			t.Fatalf("empty list: %d %s", w.Code, body)
		}
		other := a.register("bob@example.com").AccessToken
		if w, _ := a.do("GET", "/api/workflows/"+ids[1], other, nil, nil); w.Code != http.StatusNotFound {
			t.Fatalf("another user's workflow answered %d", w.Code)
		}
	})
}

func mustGet(t *testing.T, a *testAPI, tok, id string) string {
	t.Helper()
	w, body := a.do("GET", "/api/workflows/"+id, tok, nil, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("get %s: %d %s", id, w.Code, body)
	}
	return string(body)
}

// TestDefCacheStaysWithinBudget checks the cache's byte bound and its
// least-recently-used eviction.
func TestDefCacheStaysWithinBudget(t *testing.T) {
	c := newDefCache(800)
	part := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	for i := range 10 {
		c.put(fmt.Sprint(i), part(100))
		if i == 7 {
			c.get("0") // recently used: survives the next evictions
		}
	}
	if c.size > 800 {
		t.Fatalf("cache holds %d bytes, budget 800", c.size)
	}
	if _, ok := c.get("0"); !ok {
		t.Error("the recently used entry was evicted")
	}
	if _, ok := c.get("1"); ok {
		t.Error("the least recently used entry was kept")
	}
	if _, ok := c.get("9"); !ok {
		t.Error("the newest entry is missing")
	}
	c.put("big", part(101)) // over an eighth of the budget: not kept
	if _, ok := c.get("big"); ok {
		t.Error("an entry over an eighth of the budget was cached")
	}
}

// TestAppendTimeIsMarshalJSON: the answers' timestamps are what
// time.Time's MarshalJSON writes, errors included.
func TestAppendTimeIsMarshalJSON(t *testing.T) {
	base := time.Date(2026, 11, 27, 11, 8, 31, 874125194, time.UTC)
	for _, tm := range []time.Time{
		base, base.Truncate(time.Second), base.Truncate(time.Millisecond), base.Round(10 * time.Microsecond),
		base.In(time.FixedZone("X", 5*3600+30*60)), base.In(time.FixedZone("Y", -7*3600)),
		base.In(time.FixedZone("odd", 3600+7)), base.In(time.FixedZone("far", 24*3600)),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), {},
	} {
		want, wantErr := tm.MarshalJSON()
		var buf bytes.Buffer
		err := appendTime(&buf, tm)
		if (err != nil) != (wantErr != nil) || (err == nil && buf.String() != string(want)) {
			t.Errorf("%v: %s %v, MarshalJSON %s %v", tm, buf.String(), err, want, wantErr)
		}
	}
}
