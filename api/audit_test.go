package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// TestAuditLog: the critical operations write audit entries with their
// actor and object, and admins read them back with filters and pages.
func TestAuditLog(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		stack := newStack(t, db)
		a := newTestAPI(t, db, stack.runner, nil)
		ann := a.register("ann@example.com") // the first user: admin
		bob := a.register("bob@example.com")
		annID, bobID := a.userID(ann.AccessToken), a.userID(bob.AccessToken)
		before := time.Now().UTC().Add(-time.Second)

		a.run([]scenario{
			{name: "failed login, unknown email", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "nobody@example.com", "password": "whatever1"}, status: 401},
			{name: "failed login, wrong password", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "bob@example.com", "password": "wrong password"}, status: 401},
			{name: "login", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "bob@example.com", "password": "correct horse battery"}, status: 200},
		})
		wf := a.create(bob.AccessToken, chain("Waits", manualTrigger(), waitNode(60)))
		a.run([]scenario{
			{name: "activate", method: "POST", url: "/api/workflows/" + wf.ID + "/activate", token: bob.AccessToken, status: 200},
			{name: "deactivate", method: "POST", url: "/api/workflows/" + wf.ID + "/deactivate", token: bob.AccessToken, status: 200},
		})
		x := a.execute(bob.AccessToken, wf.ID, "", nil)
		a.awaitStatus(bob.AccessToken, x.ID, nodes.StatusWaiting)
		a.run([]scenario{
			{name: "stop", method: "POST", url: "/api/executions/" + x.ID + "/stop", token: bob.AccessToken, status: 200},
			{name: "delete execution", method: "DELETE", url: "/api/executions/" + x.ID, token: bob.AccessToken, status: 204},
			{name: "delete workflow", method: "DELETE", url: "/api/workflows/" + wf.ID, token: bob.AccessToken, status: 204},
			{name: "logout", method: "POST", url: "/api/auth/logout", token: bob.AccessToken, body: map[string]any{"refresh_token": bob.RefreshToken}, status: 204},
			{name: "bad since", method: "GET", url: "/api/audit?since=yesterday", token: ann.AccessToken, status: 400, contains: []string{"since"}},
			{name: "bad limit", method: "GET", url: "/api/audit?limit=1000", token: ann.AccessToken, status: 400},
		})

		type entry struct {
			ActorID    *string        `json:"actor_id"`
			Action     string         `json:"action"`
			ObjectType string         `json:"object_type"`
			ObjectID   string         `json:"object_id"`
			Details    map[string]any `json:"details"`
			IP         string         `json:"ip"`
			CreatedAt  time.Time      `json:"created_at"`
		}
		list := func(query url.Values) ([]entry, string) {
			t.Helper()
			w, body := a.do("GET", "/api/audit?"+query.Encode(), ann.AccessToken, nil, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("GET /api/audit?%s: %d %s", query.Encode(), w.Code, body)
			}
			var out struct {
				Data       []entry `json:"data"`
				NextCursor string  `json:"next_cursor"`
			}
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			return out.Data, out.NextCursor
		}
		one := func(action, objectID string) entry {
			t.Helper()
			var es []entry
			all, _ := list(url.Values{"action": {action}, "object_id": {objectID}})
			for _, e := range all {
				if e.ObjectID == objectID { // an empty object_id filter matches all
					es = append(es, e)
				}
			}
			if len(es) != 1 {
				t.Fatalf("%s on %q: %d entries, want 1: %+v", action, objectID, len(es), es)
			}
			return es[0]
		}
		actor := func(e entry) string {
			if e.ActorID == nil {
				return ""
			}
			return *e.ActorID
		}
		for _, c := range []struct {
			action, objectType, objectID, actor string
		}{
			{persistence.AuditUserRegister, "user", annID, annID},
			{persistence.AuditUserRegister, "user", bobID, bobID},
			{persistence.AuditUserLogin, "user", bobID, bobID},
			{persistence.AuditUserLoginFailed, "user", bobID, bobID},
			{persistence.AuditUserLoginFailed, "user", "", ""},
			{persistence.AuditWorkflowActivate, "workflow", wf.ID, bobID},
			{persistence.AuditWorkflowDeactivate, "workflow", wf.ID, bobID},
			{persistence.AuditWorkflowDelete, "workflow", wf.ID, bobID},
			{persistence.AuditExecutionStop, "execution", x.ID, bobID},
			{persistence.AuditExecutionDelete, "execution", x.ID, bobID},
			{persistence.AuditUserLogout, "user", bobID, bobID},
		} {
			e := one(c.action, c.objectID)
			if e.ObjectType != c.objectType || actor(e) != c.actor || e.IP == "" || e.CreatedAt.Before(before.Add(-time.Minute)) {
				t.Errorf("%s: %+v", c.action, e)
			}
		}
		if e := one(persistence.AuditUserLoginFailed, ""); e.Details["email"] != "nobody@example.com" {
			t.Errorf("failed login details %v", e.Details)
		}
		if e := one(persistence.AuditUserLoginFailed, bobID); e.Details["password"] != nil || e.Details["email"] != "bob@example.com" {
			t.Errorf("failed login details %v", e.Details)
		}

		a.run([]scenario{{name: "members cannot read it", method: "GET", url: "/api/audit", token: a.login("bob@example.com"), status: 403}})

		// Filters: by actor, by object type, by time.
		mine, _ := list(url.Values{"actor_id": {bobID}, "limit": {"250"}})
		for _, e := range mine {
			if actor(e) != bobID {
				t.Errorf("actor filter returned %+v", e)
			}
		}
		if len(mine) < 8 {
			t.Errorf("bob's entries: %d", len(mine))
		}
		execs, _ := list(url.Values{"object_type": {"execution"}})
		if len(execs) != 2 || execs[0].Action != persistence.AuditExecutionDelete {
			t.Errorf("execution entries, newest first: %+v", execs)
		}
		if es, _ := list(url.Values{"since": {time.Now().Add(time.Hour).Format(time.RFC3339)}}); len(es) != 0 {
			t.Errorf("entries from the future: %+v", es)
		}

		// Pages of three walk every entry once.
		all, _ := list(url.Values{"limit": {"250"}})
		seen := 0
		q := url.Values{"limit": {"3"}}
		for range len(all) {
			es, next := list(q)
			seen += len(es)
			if next == "" {
				break
			}
			q.Set("cursor", next)
		}
		if seen != len(all) {
			t.Errorf("paged through %d entries, the whole list has %d", seen, len(all))
		}
	})
}

// userID returns the id of the token's user.
func (a *testAPI) userID(token string) string {
	a.t.Helper()
	w, body := a.do("GET", "/api/auth/me", token, nil, nil)
	var u struct {
		ID string `json:"id"`
	}
	if w.Code != http.StatusOK {
		a.t.Fatalf("me: %d %s", w.Code, body)
	}
	a.json(body, &u)
	return u.ID
}

// login logs a user in (password "correct horse battery") and returns the
// access token.
func (a *testAPI) login(email string) string {
	a.t.Helper()
	w, body := a.do("POST", "/api/auth/login", "", map[string]any{"email": email, "password": "correct horse battery"}, nil)
	if w.Code != http.StatusOK {
		a.t.Fatalf("login %s: %d %s", email, w.Code, body)
	}
	var p tokenPair
	a.json(body, &p)
	return p.AccessToken
}
