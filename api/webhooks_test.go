package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/weft/weft/nodes/corpus"
	"github.com/weft/weft/persistence"
)

// webhookCase is one file of shared/conformance/webhooks.
type webhookCase struct {
	Name     string          `json:"name"`
	Workflow json.RawMessage `json:"workflow"`
	Requests []struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Headers map[string]string `json:"headers"`
		Query   map[string]string `json:"query"`
		Body    json.RawMessage   `json:"body"`
	} `json:"requests"`
	Expected []struct {
		Status      int               `json:"status"`
		ContentType string            `json:"content_type"`
		Headers     map[string]string `json:"headers"`
		Body        json.RawMessage   `json:"body"`
	} `json:"expected"`
}

// webhookDeviations are the answers where weft differs from n8n on purpose:
// a registered path called with another method is 405 with Allow (the
// issue's rule) where n8n says 404.
var webhookDeviations = map[string]int{
	"get-onreceived-default#2": http.StatusMethodNotAllowed,
	"not-found-wrong-method#2": http.StatusMethodNotAllowed,
	"not-found-wrong-method#6": http.StatusMethodNotAllowed,
}

// TestWebhookConformance creates and activates every workflow of the
// webhook corpus, sends its requests over real HTTP and compares the
// answers with what n8n gave.
func TestWebhookConformance(t *testing.T) {
	cases, err := corpus.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(filepath.Dir(cases), "webhooks")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no webhook cases in %s: %v", dir, err)
	}
	// Both ways a webhook call hears its answer: from the worker in the
	// process (`weft serve`) and through Temporal (`weft api`).
	for _, split := range []bool{false, true} {
		name := map[bool]string{false: "local worker", true: "through Temporal"}[split]
		t.Run(name, func(t *testing.T) { webhookConformance(t, files, split) })
	}
}

func webhookConformance(t *testing.T, files []string, split bool) {
	db := dbtestSQLite(t)
	stack := newStack(t, db)
	runner := stack.runner
	if split {
		runner = stack.split()
	}
	a := newTestAPI(t, db, runner, func(c *Config) { c.WebhookTimeout = 20 * time.Second })
	srv := httptest.NewServer(a.srv.Handler())
	defer srv.Close()
	tok := a.register("hooks@example.com").AccessToken
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wc webhookCase
		if err := json.Unmarshal(raw, &wc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Run(wc.Name, func(t *testing.T) {
			v := a.create(tok, wc.Workflow)
			if w, body := a.do("POST", "/api/workflows/"+v.ID+"/activate", tok, nil, nil); w.Code != http.StatusOK {
				t.Fatalf("activate: %d %s", w.Code, body)
			}
			for i, req := range wc.Requests {
				exp := wc.Expected[i]
				u := srv.URL + req.Path
				if len(req.Query) > 0 {
					q := url.Values{}
					for k, v := range req.Query {
						q.Set(k, v)
					}
					sep := "?"
					if strings.Contains(u, "?") {
						sep = "&"
					}
					u += sep + q.Encode()
				}
				var body *bytes.Reader
				switch {
				case len(req.Body) == 0 || string(req.Body) == "null":
					body = bytes.NewReader(nil)
				case req.Body[0] == '"':
					var s string
					_ = json.Unmarshal(req.Body, &s)
					body = bytes.NewReader([]byte(s))
				default:
					body = bytes.NewReader(req.Body)
				}
				hr, _ := http.NewRequest(req.Method, u, body)
				for k, v := range req.Headers {
					hr.Header.Set(k, v)
				}
				resp, err := client.Do(hr)
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				_, _ = got.ReadFrom(resp.Body)
				resp.Body.Close()
				want := exp.Status
				if d, ok := webhookDeviations[fmt.Sprintf("%s#%d", wc.Name, i)]; ok {
					want = d
				}
				if resp.StatusCode != want {
					t.Errorf("request %d %s %s: status %d, want %d; body %s", i, req.Method, req.Path, resp.StatusCode, want, got.String())
					continue
				}
				if want >= 400 {
					if want == http.StatusMethodNotAllowed && resp.Header.Get("Allow") == "" {
						t.Errorf("request %d: 405 without Allow", i)
					}
					continue
				}
				if ct := resp.Header.Get("Content-Type"); !sameMediaType(ct, exp.ContentType) {
					t.Errorf("request %d %s %s: Content-Type %q, want %q", i, req.Method, req.Path, ct, exp.ContentType)
				}
				for k, v := range exp.Headers {
					if g := resp.Header.Get(k); g != v {
						t.Errorf("request %d: header %s = %q, want %q", i, k, g, v)
					}
				}
				if !sameBody(got.Bytes(), exp.Body, exp.ContentType) {
					t.Errorf("request %d %s %s: body %s, want %s", i, req.Method, req.Path, got.String(), exp.Body)
				}
			}
		})
	}

	// Every call was counted by its outcome.
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var metrics bytes.Buffer
	_, _ = metrics.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, outcome := range []string{"responded", "not_found", "method_not_allowed"} {
		if !strings.Contains(metrics.String(), `weft_webhook_requests_total{outcome="`+outcome+`"}`) {
			t.Errorf("no webhook outcome %q in /metrics", outcome)
		}
	}
}

func sameMediaType(got, want string) bool {
	if want == "" {
		return got == ""
	}
	gm, gp, err1 := mime.ParseMediaType(got)
	wm, wp, err2 := mime.ParseMediaType(want)
	return err1 == nil && err2 == nil && gm == wm && reflect.DeepEqual(gp, wp)
}

// sameBody compares a body with the expected one: JSON as JSON, text as
// text (the corpus keeps text bodies as JSON strings).
func sameBody(got []byte, want json.RawMessage, ctype string) bool {
	var ws string
	if json.Unmarshal(want, &ws) == nil {
		if ws == "" {
			return len(got) == 0
		}
		if !strings.Contains(ctype, "json") {
			return string(got) == ws
		}
	}
	var g, w any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil {
		return false
	}
	return reflect.DeepEqual(g, w)
}

// webhookWorkflow is a workflow of a Webhook node (with params) followed
// by the given nodes in a chain.
func webhookWorkflow(name string, params map[string]any, rest ...map[string]any) map[string]any {
	hook := node("Hook", "n8n-nodes-base.webhook", 2.1, params)
	hook["webhookId"] = "hook-" + name
	return chain(name, append([]map[string]any{hook}, rest...)...)
}

// TestWebhookRegistration covers activation (409 on a clash, rows removed
// on deactivate, save and delete), 404, 405 with Allow, 413, the webhook
// API and test webhooks, on every database; no execution runs.
func TestWebhookRegistration(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, func(c *Config) { c.MaxBodyBytes = 1024 })
		a.register("admin@example.com") // the first user is the admin
		ann := a.register("ann@example.com").AccessToken
		bob := a.register("bob@example.com").AccessToken
		w1 := a.create(ann, webhookWorkflow("w1", map[string]any{"httpMethod": "POST", "path": "orders"}))
		w2 := a.create(bob, webhookWorkflow("w2", map[string]any{"httpMethod": "POST", "path": "/orders/"}))
		w3 := a.create(bob, webhookWorkflow("w3", map[string]any{"multipleMethods": true, "httpMethod": []any{"GET", "PUT"}, "path": "items/:id"}))
		a.run([]scenario{
			{name: "activate w1", method: "POST", url: "/api/workflows/" + w1.ID + "/activate", token: ann, status: 200, contains: []string{`"active":true`}},
			{name: "clash is 409 naming path, method and workflow", method: "POST", url: "/api/workflows/" + w2.ID + "/activate", token: bob, status: 409,
				contains: []string{`"code":"CONFLICT"`, `orders`, `POST`, w1.ID}},
			{name: "the refused workflow stays inactive", method: "GET", url: "/api/workflows/" + w2.ID, token: bob, status: 200, contains: []string{`"active":false`}},
			{name: "activate w3", method: "POST", url: "/api/workflows/" + w3.ID + "/activate", token: bob, status: 200},
			{name: "unknown path 404", method: "POST", url: "/webhook/nothing/here", status: 404, contains: []string{`"code":"NOT_FOUND"`, `nothing/here`}},
			{name: "wrong method 405", method: "GET", url: "/webhook/orders", status: 405, contains: []string{`POST`}},
			{name: "parameterised path wrong method 405", method: "POST", url: "/webhook/hook-w3/items/7", status: 405, contains: []string{`GET or PUT`}},
			{name: "parameterised path needs the webhookId", method: "GET", url: "/webhook/items/7", status: 404},
			{name: "body over the limit 413", method: "POST", url: "/webhook/orders", body: strings.Repeat("x", 2048), status: 413},
			{name: "bob lists his webhooks only", method: "GET", url: "/api/webhooks", token: bob, status: 200, contains: []string{`"method":"GET"`, `"method":"PUT"`, `hook-w3/items/:id`}, absent: []string{w1.ID}},
			{name: "ann sees hers", method: "GET", url: "/api/webhooks", token: ann, status: 200, contains: []string{w1.ID, `"url":"/webhook/orders"`}},
			{name: "webhook routes need no token but the API does", method: "GET", url: "/api/webhooks", status: 401},
			{name: "test webhook for someone else's workflow is 404", method: "POST", url: "/api/workflows/" + w1.ID + "/test-webhook", token: bob, status: 404},
		})
		w := a.allow405(t)
		if got := w.Header().Get("Allow"); got != "POST" {
			t.Errorf("Allow = %q, want POST", got)
		}

		// DELETE one, POST it back.
		var hooks list[webhookView]
		_, body := a.do("GET", "/api/webhooks?workflow_id="+w3.ID, bob, nil, nil)
		a.json(body, &hooks)
		if len(hooks.Data) != 2 {
			t.Fatalf("w3 has %d webhooks, want 2", len(hooks.Data))
		}
		var put webhookView
		for _, h := range hooks.Data {
			if h.Method == "PUT" {
				put = h
			}
		}
		a.run([]scenario{
			{name: "ann cannot delete bob's webhook", method: "DELETE", url: "/api/webhooks/" + put.ID, token: ann, status: 404},
			{name: "bob deletes it", method: "DELETE", url: "/api/webhooks/" + put.ID, token: bob, status: 204},
			{name: "PUT is gone", method: "PUT", url: "/webhook/hook-w3/items/7", status: 405, contains: []string{`GET`}},
			{name: "POST needs the method of a multi-method node", method: "POST", url: "/api/webhooks", token: bob, body: map[string]any{"workflow_id": w3.ID, "node": "Hook"}, status: 400},
			{name: "POST registers it again", method: "POST", url: "/api/webhooks", token: bob, body: map[string]any{"workflow_id": w3.ID, "node": "Hook", "method": "put"}, status: 201, contains: []string{`"method":"PUT"`}},
			{name: "POST again is idempotent", method: "POST", url: "/api/webhooks", token: bob, body: map[string]any{"workflow_id": w3.ID, "node": "Hook", "method": "PUT"}, status: 200},
			{name: "POST for an inactive workflow is 409", method: "POST", url: "/api/webhooks", token: bob, body: map[string]any{"workflow_id": w2.ID, "node": "Hook"}, status: 409},
			{name: "POST for a node that is no webhook is 400", method: "POST", url: "/api/webhooks", token: bob, body: map[string]any{"workflow_id": w3.ID, "node": "Nope"}, status: 400},
			// Saving an active workflow moves its webhooks to the new path.
			{name: "save w3 with a new path", method: "PUT", url: "/api/workflows/" + w3.ID, token: bob,
				body: map[string]any{"nodes": []any{map[string]any{"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2.1, "position": []any{0, 0},
					"webhookId": "hook-w3", "parameters": map[string]any{"httpMethod": "GET", "path": "things"}}}, "connections": map[string]any{}}, status: 200},
			{name: "old path gone", method: "GET", url: "/webhook/hook-w3/items/7", status: 404},
			{name: "new path registered", method: "GET", url: "/api/webhooks?workflow_id=" + w3.ID, token: bob, status: 200, contains: []string{`"path":"things"`}, absent: []string{"items"}},
			// Saving onto a taken path: 409, and the workflow is deactivated.
			{name: "save w3 onto ann's path", method: "PUT", url: "/api/workflows/" + w3.ID, token: bob,
				body: map[string]any{"nodes": []any{map[string]any{"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2.1, "position": []any{0, 0},
					"parameters": map[string]any{"httpMethod": "POST", "path": "orders"}}}, "connections": map[string]any{}}, status: 409, contains: []string{w1.ID}},
			{name: "w3 deactivated", method: "GET", url: "/api/workflows/" + w3.ID, token: bob, status: 200, contains: []string{`"active":false`}},
			{name: "w3's webhooks gone", method: "GET", url: "/api/webhooks?workflow_id=" + w3.ID, token: bob, status: 200, contains: []string{`"data":[]`}},
			// Deactivating and deleting free the path.
			{name: "deactivate w1", method: "POST", url: "/api/workflows/" + w1.ID + "/deactivate", token: ann, status: 200},
			{name: "w1's path is free", method: "POST", url: "/webhook/orders", status: 404},
			{name: "w2 takes it", method: "POST", url: "/api/workflows/" + w2.ID + "/activate", token: bob, status: 200},
			{name: "delete w2", method: "DELETE", url: "/api/workflows/" + w2.ID, token: bob, status: 204},
			{name: "deleted workflow answers no webhook", method: "POST", url: "/webhook/orders", status: 404},
			// Test webhooks.
			{name: "register test webhook", method: "POST", url: "/api/workflows/" + w1.ID + "/test-webhook", token: ann, status: 200, contains: []string{`"url":"/webhook-test/orders"`, `"expires_at"`}},
			{name: "test URL wrong method 405", method: "GET", url: "/webhook-test/orders", status: 405},
			{name: "production URL of an inactive workflow 404", method: "POST", url: "/webhook/orders", status: 404},
		})
	})
}

// allow405 calls a webhook with the wrong method and returns the answer.
func (a *testAPI) allow405(t *testing.T) *httptest.ResponseRecorder {
	t.Helper()
	w, body := a.do("GET", "/webhook/orders", "", nil, nil)
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /webhook/orders: %d %s", w.Code, body)
	}
	return w
}

// TestWebhookExecutions runs webhook calls on a real Temporal stack: auth
// refusals and acceptances, a test webhook's one call, the timeout and
// modes and binary answers not in the corpus.
func TestWebhookExecutions(t *testing.T) {
	db := dbtestSQLite(t)
	a := newTestAPI(t, db, newStack(t, db).runner, func(c *Config) { c.WebhookTimeout = 3 * time.Second })
	tok := a.register("exec@example.com").AccessToken
	activate := func(wf map[string]any) workflowView {
		t.Helper()
		v := a.create(tok, wf)
		if w, body := a.do("POST", "/api/workflows/"+v.ID+"/activate", tok, nil, nil); w.Code != http.StatusOK {
			t.Fatalf("activate: %d %s", w.Code, body)
		}
		return v
	}
	activate(webhookWorkflow("basic", map[string]any{"httpMethod": "POST", "path": "basic", "authentication": "basicAuth", "responseMode": "lastNode",
		"httpBasicAuth": map[string]any{"user": "ann", "password": "s3cret"}}))
	activate(webhookWorkflow("header", map[string]any{"httpMethod": "GET", "path": "header", "authentication": "headerAuth",
		"httpHeaderAuth": map[string]any{"name": "X-Api-Key", "value": "k-123"}}))
	activate(webhookWorkflow("jwt", map[string]any{"httpMethod": "GET", "path": "jwt", "authentication": "jwtAuth", "responseMode": "lastNode",
		"jwtAuth": map[string]any{"keyType": "passphrase", "secret": "jwt-secret-jwt-secret", "algorithm": "HS256"}}))
	activate(webhookWorkflow("ip", map[string]any{"httpMethod": "GET", "path": "ip", "options": map[string]any{"ipWhitelist": "10.9.9.9, 192.0.2.0/24"}}))
	activate(webhookWorkflow("ip2", map[string]any{"httpMethod": "GET", "path": "ip2", "options": map[string]any{"ipWhitelist": "10.9.9.9"}}))
	activate(webhookWorkflow("slow", map[string]any{"httpMethod": "GET", "path": "slow", "responseMode": "lastNode"}, waitNode(5)))
	activate(webhookWorkflow("slowrespond", map[string]any{"httpMethod": "GET", "path": "slow-respond", "responseMode": "responseNode"}, waitNode(5),
		node("Respond", "n8n-nodes-base.respondToWebhook", 1.5, map[string]any{"respondWith": "text", "responseBody": "late"})))
	activate(webhookWorkflow("bin", map[string]any{"httpMethod": "POST", "path": "bin", "responseMode": "responseNode"},
		node("Respond", "n8n-nodes-base.respondToWebhook", 1.5, map[string]any{"respondWith": "binary"})))
	activate(webhookWorkflow("raw", map[string]any{"httpMethod": "POST", "path": "raw", "responseMode": "lastNode", "responseData": "firstEntryBinary"}))

	good, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "kim"}).SignedString([]byte("jwt-secret-jwt-secret"))
	bad, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "kim"}).SignedString([]byte("another-secret-entirely"))
	basic := func(u, p string) map[string]string {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetBasicAuth(u, p)
		return map[string]string{"Authorization": r.Header.Get("Authorization")}
	}
	a.run([]scenario{
		{name: "basic: none is 401", method: "POST", url: "/webhook/basic", body: map[string]any{"a": 1}, status: 401, contains: []string{"Authorization is required"}},
		{name: "basic: wrong is 403", method: "POST", url: "/webhook/basic", body: map[string]any{"a": 1}, header: basic("ann", "nope"), status: 403},
		{name: "basic: right runs", method: "POST", url: "/webhook/basic", body: map[string]any{"a": 1}, header: basic("ann", "s3cret"), status: 200,
			contains: []string{`"body":{"a":1}`, `"executionMode":"production"`}, absent: []string{"s3cret"}},
		{name: "header: missing is 403", method: "GET", url: "/webhook/header", status: 403},
		{name: "header: wrong is 403", method: "GET", url: "/webhook/header", header: map[string]string{"X-Api-Key": "k-999"}, status: 403},
		{name: "header: right", method: "GET", url: "/webhook/header", header: map[string]string{"X-Api-Key": "k-123"}, status: 200, contains: []string{"Workflow was started"}},
		{name: "jwt: none is 401", method: "GET", url: "/webhook/jwt", status: 401},
		{name: "jwt: bad signature is 403", method: "GET", url: "/webhook/jwt", header: map[string]string{"Authorization": "Bearer " + bad}, status: 403},
		{name: "jwt: good token, payload in the item", method: "GET", url: "/webhook/jwt", header: map[string]string{"Authorization": "Bearer " + good}, status: 200,
			contains: []string{`"jwtPayload":{"sub":"kim"}`}},
		// httptest requests come from 192.0.2.1.
		{name: "ip allowed by range", method: "GET", url: "/webhook/ip", status: 200},
		{name: "ip not allowed is 403", method: "GET", url: "/webhook/ip2", status: 403, contains: []string{"whitelisted"}},
		{name: "X-Forwarded-For does not get around it", method: "GET", url: "/webhook/ip2", header: map[string]string{"X-Forwarded-For": "10.9.9.9"}, status: 403},
		{name: "no answer in time is 504", method: "GET", url: "/webhook/slow", status: 504, contains: []string{`"code":"TIMEOUT"`}},
		{name: "no Respond to Webhook in time is 504", method: "GET", url: "/webhook/slow-respond", status: 504, contains: []string{`"code":"TIMEOUT"`, `"execution_id"`}},
		{name: "binary body in, binary answer out", method: "POST", url: "/webhook/raw", body: []byte{0, 1, 2, 250}, header: map[string]string{"Content-Type": "application/octet-stream"}, status: 200},
	})

	// Both executions that timed out carry on after the 504 and succeed.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var out list[executionView]
		_, body := a.do("GET", "/api/executions?status=success&mode=webhook", tok, nil, nil)
		a.json(body, &out)
		waited := 0
		for _, e := range out.Data {
			_, b := a.do("GET", "/api/executions/"+e.ID+"/data", tok, nil, nil)
			if strings.Contains(string(b), `"Wait"`) {
				waited++
			}
		}
		if waited == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the 2 executions that timed out finished", waited)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Binary answers.
	w, body := a.do("POST", "/webhook/raw", "", []byte{0, 1, 2, 250}, map[string]string{"Content-Type": "application/octet-stream"})
	if w.Code != 200 || !bytes.Equal(body, []byte{0, 1, 2, 250}) || w.Header().Get("Content-Type") != "application/octet-stream" {
		t.Errorf("firstEntryBinary: %d %q %q", w.Code, w.Header().Get("Content-Type"), body)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 kB: passed by reference
	w, body = a.do("POST", "/webhook/bin", "", big, map[string]string{"Content-Type": "image/png"})
	if w.Code != 200 || !bytes.Equal(body, big) || w.Header().Get("Content-Type") != "image/png" {
		t.Errorf("Respond binary: %d %q %d bytes", w.Code, w.Header().Get("Content-Type"), len(body))
	}

	// A test webhook answers one call, runs the saved (inactive) version
	// in manual mode, and is gone after.
	v := a.create(tok, webhookWorkflow("trial", map[string]any{"httpMethod": "POST", "path": "trial", "responseMode": "lastNode"}))
	a.run([]scenario{
		{name: "before listening: 404", method: "POST", url: "/webhook-test/trial", status: 404},
		{name: "listen", method: "POST", url: "/api/workflows/" + v.ID + "/test-webhook", token: tok, status: 200},
		{name: "one call", method: "POST", url: "/webhook-test/trial", body: map[string]any{"x": 1}, status: 200, contains: []string{`"executionMode":"test"`, `/webhook-test/trial`}},
		{name: "a second call: 404", method: "POST", url: "/webhook-test/trial", body: map[string]any{"x": 2}, status: 404},
		{name: "the run is manual", method: "GET", url: "/api/executions?workflow_id=" + v.ID, token: tok, status: 200, contains: []string{`"mode":"manual"`}},
	})
	// An expired registration answers nothing.
	a.run([]scenario{{name: "listen again", method: "POST", url: "/api/workflows/" + v.ID + "/test-webhook", token: tok, status: 200}})
	if err := db.Gorm().Model(&persistence.Webhook{}).Where("workflow_id = ?", v.ID).
		Update("created_at", time.Now().UTC().Add(-3*time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	a.run([]scenario{{name: "expired: 404", method: "POST", url: "/webhook-test/trial", status: 404}})
}

// floodOnReceived sends calls onReceived calls at once over real HTTP:
// every one is acknowledged and runs exactly once
// (TestSecurityWebhookFlood sends 2,000).
func floodOnReceived(t *testing.T, calls int) {
	t.Helper()
	db := dbtestSQLite(t)
	a := newTestAPI(t, db, newStack(t, db).runner, nil)
	srv := httptest.NewServer(a.srv.Handler())
	defer srv.Close()
	tok := a.register("load@example.com").AccessToken
	v := a.create(tok, webhookWorkflow("load", map[string]any{"httpMethod": "POST", "path": "load"},
		node("Echo", "n8n-nodes-base.set", 3.4, map[string]any{"assignments": map[string]any{"assignments": []any{
			map[string]any{"name": "n", "value": "={{ $json.body.n }}", "type": "number"}}}})))
	if w, body := a.do("POST", "/api/workflows/"+v.ID+"/activate", tok, nil, nil); w.Code != http.StatusOK {
		t.Fatalf("activate: %d %s", w.Code, body)
	}
	var wg sync.WaitGroup
	errs := make(chan string, calls)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	sem := make(chan struct{}, 100)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			resp, err := client.Post(srv.URL+"/webhook/load", "application/json", strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)))
			if err != nil {
				errs <- err.Error()
				return
			}
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(b.String(), "Workflow was started") {
				errs <- fmt.Sprintf("call %d: %d %s", i, resp.StatusCode, b.String())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	// Every acknowledged call has its execution row, and each finishes.
	deadline := time.Now().Add(60*time.Second + time.Duration(calls)*50*time.Millisecond)
	for {
		var total, done int64
		db.Gorm().Model(&persistence.Execution{}).Where("workflow_id = ?", v.ID).Count(&total)
		db.Gorm().Model(&persistence.Execution{}).Where("workflow_id = ? AND status = ?", v.ID, "success").Count(&done)
		if total != int64(calls) {
			t.Fatalf("%d executions for %d calls", total, calls)
		}
		if done == int64(calls) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d executions succeeded", done, calls)
		}
		time.Sleep(250 * time.Millisecond)
	}
	// Each call ran exactly once: every n appears in exactly one run.
	var ids []string
	db.Gorm().Model(&persistence.Execution{}).Where("workflow_id = ?", v.ID).Pluck("id", &ids)
	seen := map[float64]int{}
	for _, id := range ids {
		rd, err := db.RunStore().LoadRunData(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		runs := rd["Echo"]
		if len(runs) != 1 {
			t.Fatalf("execution %s ran Echo %d times", id, len(runs))
		}
		for _, it := range runs[0].Output(0) {
			n, _ := it.JSON["n"].(float64)
			seen[n]++
		}
	}
	var dup []float64
	for n, c := range seen {
		if c != 1 {
			dup = append(dup, n)
		}
	}
	sort.Float64s(dup)
	if len(seen) != calls || len(dup) > 0 {
		t.Fatalf("%d distinct calls ran; repeated: %v", len(seen), dup)
	}
	// The server still serves.
	resp, err := client.Post(srv.URL+"/webhook/load", "application/json", strings.NewReader(`{"n":-1}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("follow-up call: %v %v", resp, err)
	}
	resp.Body.Close()
}
