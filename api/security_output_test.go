package api

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/persistence"
)

// TestSecurityMassAssignment: fields the server owns (id, role, owner,
// active, versions, timestamps) sent in register, workflow, node and
// credential bodies are ignored; users have no route that updates their
// own role.
func TestSecurityMassAssignment(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		admin := a.register("admin@example.com")
		ann := a.register("ann@example.com").AccessToken
		bob := a.register("bob@example.com").AccessToken
		me := func(tok string) scenario {
			return scenario{name: "me", method: "GET", url: "/api/auth/me", token: tok, contains: []string{`"role":"member"`, `"active":true`}}
		}
		const forcedID = "00000000-0000-4000-8000-000000000001"
		w, body := a.do("POST", "/api/auth/register", "", map[string]any{"email": "eve@example.com", "password": "long enough pw",
			"role": "admin", "id": forcedID, "active": false, "created_at": "2000-01-01T00:00:00Z", "password_hash": "x"}, nil)
		if w.Code != 201 || strings.Contains(string(body), forcedID) || !strings.Contains(string(body), `"role":"member"`) || !strings.Contains(string(body), `"active":true`) {
			t.Fatalf("register with server-owned fields: %d %s", w.Code, body)
		}
		var eve tokenPair
		a.json(body, &eve)
		a.runAttacks([]attack{
			{scenario: scenario{name: "no self-update of role", method: "PATCH", url: "/api/auth/me", token: eve.AccessToken, body: map[string]any{"role": "admin"}, status: 405},
				then: me(eve.AccessToken)},
			{scenario: scenario{name: "no self-update of role with PUT", method: "PUT", url: "/api/auth/me", token: eve.AccessToken, body: map[string]any{"role": "admin"}, status: 405},
				then: me(eve.AccessToken)},
			{scenario: scenario{name: "audit stays admin-only", method: "GET", url: "/api/audit", token: eve.AccessToken, status: 403},
				then: scenario{name: "admin reads the audit", method: "GET", url: "/api/audit", token: admin.AccessToken}},
		})

		// Workflows: id, active, owner and version from the body are ignored.
		body0 := exportWF("Ann's")
		body0["owner_id"] = "whoever"
		body0["ownerId"] = "whoever"
		body0["created_at"] = "2000-01-01T00:00:00Z"
		wf := a.create(ann, body0)
		if wf.ID == "attacker-chosen-id" || wf.Active || wf.VersionID == "v-x" || wf.CreatedAt.Year() == 2000 {
			t.Fatalf("create took server-owned fields: %+v", wf)
		}
		_, body = a.do("GET", "/api/auth/me", bob, nil, nil)
		var bobUser userView
		a.json(body, &bobUser)
		a.runAttacks([]attack{
			{scenario: scenario{name: "update with owner, id and active", method: "PUT", url: "/api/workflows/" + wf.ID, token: ann,
				body: map[string]any{"name": "renamed", "owner_id": bobUser.ID, "ownerId": bobUser.ID, "id": "other-id", "active": true, "version_id": "v-forged"}, status: 200,
				contains: []string{`"name":"renamed"`, `"active":false`, `"id":"` + wf.ID + `"`}, absent: []string{"v-forged"}},
				then: scenario{name: "still Ann's", method: "GET", url: "/api/workflows/" + wf.ID, token: ann, contains: []string{`"name":"renamed"`, `"active":false`}}},
			{scenario: scenario{name: "Bob still cannot see it", method: "GET", url: "/api/workflows/" + wf.ID, token: bob, status: 404},
				then: scenario{name: "Ann can", method: "GET", url: "/api/workflows/" + wf.ID, token: ann}},
			{scenario: scenario{name: "no workflow under the forged id", method: "GET", url: "/api/workflows/other-id", token: ann, status: 404},
				then: scenario{name: "Ann's list", method: "GET", url: "/api/workflows", token: ann, contains: []string{wf.ID}}},
		})

		// Credentials: id and owner from the body are ignored.
		cr := a.createCredential(ann, map[string]any{"name": "c", "type": "httpBearerAuth", "data": map[string]any{"token": "t-1"},
			"id": forcedID, "owner_id": bobUser.ID, "ownerId": bobUser.ID, "user_id": bobUser.ID})
		if cr.ID == forcedID {
			t.Fatalf("credential took the id from the body")
		}
		a.runAttacks([]attack{
			{scenario: scenario{name: "Bob cannot read Ann's credential", method: "GET", url: "/api/credentials/" + cr.ID, token: bob, status: 404},
				then: scenario{name: "Ann can", method: "GET", url: "/api/credentials/" + cr.ID, token: ann}},
			{scenario: scenario{name: "update with owner", method: "PATCH", url: "/api/credentials/" + cr.ID, token: ann, body: map[string]any{"name": "c2", "owner_id": bobUser.ID, "id": forcedID}, status: 200},
				then: scenario{name: "still Ann's", method: "GET", url: "/api/credentials/" + cr.ID, token: ann, contains: []string{`"name":"c2"`}}},
			{scenario: scenario{name: "Bob still cannot read it", method: "GET", url: "/api/credentials/" + cr.ID, token: bob, status: 404},
				then: scenario{name: "Bob's list is empty", method: "GET", url: "/api/credentials", token: bob, contains: []string{`"data":[]`}}},
		})
	})
}

// TestSecurityOutput: names and notes holding markup come back as JSON
// with a JSON content type, escaped; every answer carries the security
// headers; the docs page's policy allows exactly its own inline script and
// style; CORS answers only ALLOWED_ORIGINS; HSTS is sent when configured.
func TestSecurityOutput(t *testing.T) {
	db := dbtestSQLite(t)
	a := newTestAPI(t, db, nil, nil)
	tok := a.register("ann@example.com").AccessToken
	const xss = `<script>alert(document.cookie)</script><img src=x onerror=alert(1)>`
	wf := exportWF(xss)
	wf["nodes"].([]any)[1].(map[string]any)["notes"] = xss
	wf["nodes"].([]any)[1].(map[string]any)["notesInFlow"] = true
	v := a.create(tok, wf)
	for _, url := range []string{"/api/workflows/" + v.ID, "/api/workflows", "/api/workflows/" + v.ID + "/nodes"} {
		w, body := a.do("GET", url, tok, nil, nil)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%s: %d %s", url, w.Code, w.Header().Get("Content-Type"))
		}
		if strings.Contains(string(body), "<script>") || strings.Contains(string(body), "<img") || !strings.Contains(string(body), `\u003cscript\u003e`) {
			t.Fatalf("%s: markup not escaped: %s", url, body)
		}
	}
	// An error echoing the path is JSON too.
	w, body := a.do("GET", "/api/<script>alert(1)</script>", tok, nil, nil)
	if w.Code != 404 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") || strings.Contains(string(body), "<script>") {
		t.Fatalf("404 echoing markup: %s %s", w.Header().Get("Content-Type"), body)
	}

	// The security headers, on answers of every kind.
	for _, r := range []struct{ method, url, token string }{
		{"GET", "/api/workflows", tok}, {"GET", "/api/workflows", ""}, {"GET", "/api/nope", tok}, {"DELETE", "/api/auth/login", ""},
		{"GET", "/healthz", ""}, {"GET", "/api/openapi.json", ""}, {"GET", "/api/docs", ""}, {"POST", "/webhook/none", ""},
		{"GET", "/metrics", ""}, {"POST", "/api/auth/login", ""},
	} {
		w, _ := a.do(r.method, r.url, r.token, nil, nil)
		h := w.Header()
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s (%d) lacks security headers: %v", r.method, r.url, w.Code, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS sent without HSTS_MAX_AGE", r.method, r.url)
		}
		csp := h.Get("Content-Security-Policy")
		switch {
		case strings.HasPrefix(r.url, "/webhook"):
			if !strings.HasPrefix(csp, "sandbox") {
				t.Errorf("webhook answer CSP %q is not a sandbox", csp)
			}
		case r.url != "/api/docs":
			if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s CSP %q", r.url, csp)
			}
		}
	}
	// The docs page: the policy lists the hashes of its inline script and
	// style, and nothing unsafe.
	w, body = a.do("GET", "/api/docs", "", nil, nil)
	csp := w.Header().Get("Content-Security-Policy")
	if w.Code != 200 || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("docs CSP %q", csp)
	}
	for _, tag := range []string{"script", "style"} {
		m := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllSubmatch(body, -1)
		if len(m) == 0 {
			t.Fatalf("docs page has no inline %s", tag)
		}
		for _, x := range m {
			sum := sha256.Sum256(x[1])
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, tag+"-src "+h) && !strings.Contains(csp, " "+h) {
				t.Fatalf("docs CSP %q lacks the hash %s of its inline %s", csp, h, tag)
			}
		}
	}

	// CORS: a disallowed origin gets no Access-Control-Allow-Origin, on a
	// preflight or a plain request; the allowed one does.
	a.runAttacks([]attack{
		{scenario: scenario{name: "preflight from a foreign origin", method: "OPTIONS", url: "/api/workflows",
			header: map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "DELETE"}, status: 204},
			then: scenario{name: "list", method: "GET", url: "/api/workflows", token: tok}},
	})
	for _, origin := range []string{"http://evil.example", "http://editor.local.evil.example", "null", "http://EDITOR.local.", "https://editor.local"} {
		for _, m := range []string{"OPTIONS", "GET"} {
			w, _ := a.do(m, "/api/workflows", tok, nil, map[string]string{"Origin": origin, "Access-Control-Request-Method": "GET"})
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" || w.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("%s from %q: Access-Control-Allow-Origin %q", m, origin, got)
			}
		}
	}
	w, _ = a.do("OPTIONS", "/api/workflows", "", nil, map[string]string{"Origin": "http://editor.local", "Access-Control-Request-Method": "GET"})
	if w.Header().Get("Access-Control-Allow-Origin") != "http://editor.local" {
		t.Fatalf("allowed origin: %v", w.Header())
	}

	// HSTS when configured.
	h := newTestAPI(t, db, nil, func(c *Config) { c.HSTSMaxAge = 365 * 24 * time.Hour })
	w, _ = h.do("GET", "/healthz", "", nil, nil)
	if got := w.Header().Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
		t.Fatalf("HSTS %q", got)
	}
	if w, _ = h.do("GET", "/api/workflows", tok, nil, nil); w.Code != http.StatusOK {
		t.Fatalf("follow-up: %d", w.Code)
	}
}
