package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/weft/weft/persistence"
)

// TestOpenAPIMatchesRouter: every route the router serves is documented in
// apiOperations, and every documented operation is a route.
func TestOpenAPIMatchesRouter(t *testing.T) {
	a := newTestAPI(t, dbtestSQLite(t), nil, nil)
	served := map[string]bool{}
	for _, r := range a.srv.engine.Routes() {
		served[r.Method+" "+r.Path] = true
	}
	documented := map[string]bool{}
	for _, op := range apiOperations {
		for _, m := range op.methods() {
			key := m + " " + op.Path
			if documented[key] {
				t.Errorf("%s is documented twice in apiOperations", key)
			}
			documented[key] = true
		}
	}
	var missing, stale []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, k := range missing {
		t.Errorf("route %s is not documented: add its entry to apiOperations (api/openapi.go)", k)
	}
	for _, k := range stale {
		t.Errorf("apiOperations documents %s, which the router does not serve", k)
	}
}

// TestOpenAPIDocument: the document is served without a token, is OpenAPI
// 3 JSON, every $ref resolves, every path parameter is declared, and the
// main shapes are there (error, workflow, execution, token pair, list).
func TestOpenAPIDocument(t *testing.T) {
	a := newTestAPI(t, dbtestSQLite(t), nil, nil)
	w, body := a.do("GET", "/api/openapi.json", "", nil, nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/openapi.json: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	a.json(body, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) == 0 {
		t.Fatalf("not an OpenAPI 3 document: %.200s", body)
	}
	for _, name := range []string{"Error", "Workflow", "Execution", "TokenPair", "User", "AuditEntry"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s is missing", name)
		}
	}
	errProps, _ := doc.Components.Schemas["Error"]["properties"].(map[string]any)
	for _, f := range []string{"code", "message", "details"} {
		if errProps[f] == nil {
			t.Errorf("Error schema lacks %s", f)
		}
	}
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`).FindAllSubmatch(body, -1) {
		if doc.Components.Schemas[string(m[1])] == nil {
			t.Errorf("$ref to unknown schema %s", m[1])
		}
	}
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		want := regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1)
		for method, op := range ops {
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or not unique", method, path, id)
			}
			ids[id] = true
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				pm := p.(map[string]any)
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			for _, w := range want {
				if !declared[w[1]] {
					t.Errorf("%s %s: path parameter %s not declared", method, path, w[1])
				}
			}
			if _, ok := op["responses"].(map[string]any); !ok {
				t.Errorf("%s %s: no responses", method, path)
			}
		}
	}
	list := doc.Paths["/api/workflows"]["get"]["responses"].(map[string]any)["200"]
	if b, _ := json.Marshal(list); !strings.Contains(string(b), `"next_cursor"`) || !strings.Contains(string(b), `"#/components/schemas/Workflow"`) {
		t.Errorf("the workflow list is not {data: [Workflow], next_cursor}: %s", b)
	}
	if b, _ := json.Marshal(doc.Paths["/api/audit"]["get"]); !strings.Contains(string(b), persistence.AuditExecutionStop) {
		t.Errorf("the audit filter does not list the actions: %s", b)
	}
	if sec, ok := doc.Paths["/api/auth/login"]["post"]["security"].([]any); !ok || len(sec) != 0 {
		t.Errorf("login should need no token: %v", doc.Paths["/api/auth/login"]["post"]["security"])
	}

	// Routes that answer any method: one operation per method OpenAPI
	// can describe (not CONNECT), the catch-all marked as spanning slashes.
	for _, path := range []string{"/webhook/{path}", "/webhook-test/{path}", "/webhook-waiting/{id}", "/webhook-waiting/{id}/{suffix}"} {
		var got []string
		for m, op := range doc.Paths[path] {
			got = append(got, m)
			if op["x-weft-any-method"] != true || op["security"] == nil {
				t.Errorf("%s %s: not marked as an any-method public route: %v", m, path, op)
			}
		}
		sort.Strings(got)
		if want := "delete get head options patch post put trace"; strings.Join(got, " ") != want {
			t.Errorf("%s documents %v, want %s", path, got, want)
		}
	}
	catchAll := func(path, method, name string) {
		t.Helper()
		params, _ := doc.Paths[path][method]["parameters"].([]any)
		for _, p := range params {
			if pm := p.(map[string]any); pm["name"] == name {
				if pm["x-weft-catch-all"] != true || !strings.Contains(pm["description"].(string), "slashes included") {
					t.Errorf("%s %s: parameter %s is not documented as a catch-all: %v", method, path, name, pm)
				}
				return
			}
		}
		t.Errorf("%s %s: no parameter %s", method, path, name)
	}
	catchAll("/webhook/{path}", "post", "path")
	catchAll("/webhook-waiting/{id}/{suffix}", "get", "suffix")
	if b, _ := json.Marshal(doc.Paths["/webhook/{path}"]["post"]["requestBody"]); !strings.Contains(string(b), `"*/*"`) {
		t.Errorf("the webhook call takes any body: %s", b)
	}
	ws := doc.Paths["/api/ws"]["get"]
	if b, _ := json.Marshal(ws); !strings.Contains(string(b), `"101"`) || !strings.Contains(string(b), `"#/components/schemas/WsServerMessage"`) ||
		!strings.Contains(string(b), `"name":"token"`) {
		t.Errorf("/api/ws is not documented as a WebSocket with its messages: %s", b)
	}
	if b, _ := json.Marshal(doc.Paths["/api/credentials/{id}"]["patch"]); !strings.Contains(string(b), `"#/components/schemas/CredentialUpdate"`) {
		t.Errorf("PATCH /api/credentials/{id}: %s", b)
	}
	for _, name := range []string{"Credential", "CredentialType", "Webhook", "Schedule", "WsClientMessage", "ExecutionEvent"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s is missing", name)
		}
	}

	w, page := a.do("GET", "/api/docs", "", nil, nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page), "/api/openapi.json") {
		t.Fatalf("GET /api/docs: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestOpenAPIPath(t *testing.T) {
	for in, want := range map[string]string{"/api/workflows/:id": "/api/workflows/{id}", "/api/nodes/:id/test": "/api/nodes/{id}/test", "/healthz": "/healthz",
		"/webhook/*path": "/webhook/{path}", "/webhook-waiting/:id/*suffix": "/webhook-waiting/{id}/{suffix}"} {
		if got := openAPIPath(in); got != want {
			t.Errorf("openAPIPath(%q) = %q, want %q", in, got, want)
		}
	}
}
