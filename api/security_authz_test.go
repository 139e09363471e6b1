package api

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/weft/weft/persistence"
)

// publicIDRoutes are the routes with a path parameter that are not owned
// objects, and why.
var publicIDRoutes = map[string]string{
	"/webhook/*path":               "public webhook calls, matched by path and authenticated by the Webhook node's own options",
	"/webhook-test/*path":          "public test webhook calls, as /webhook",
	"/webhook-waiting/:id":         "a waiting execution's resume URL ($execution.resumeUrl), public as in n8n: the unguessable execution id is the capability, and only an execution waiting for a call resumes",
	"/webhook-waiting/:id/*suffix": "as /webhook-waiting/:id",
	"/api/credentials/types":       "static",
	"/api/nodes/types":             "static",
}

// TestSecurityObjectAuthorization: for every route that takes an id, user
// B gets 404 for user A's objects, whatever the verb, and A's objects are
// unchanged afterwards. The routes are enumerated from the router: a new
// route with an id fails this test until it has a case here.
// Lists filtered by someone else's id, WebSocket subscriptions, the audit
// log and saving a workflow that references someone else's credential are
// covered too.
func TestSecurityObjectAuthorization(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		st := newStack(t, db)
		a := newTestAPI(t, db, st.runner, nil)
		a.register("admin@example.com")
		ann := a.register("ann@example.com").AccessToken
		bob := a.register("bob@example.com").AccessToken

		// Ann's objects: a workflow with a connection she added, an
		// execution, a credential, an active webhook.
		wf := a.create(ann, exportWF("Ann's"))
		_, body := a.do("GET", "/api/workflows/"+wf.ID+"/nodes", ann, nil, nil)
		var nl list[map[string]any]
		a.json(body, &nl)
		ids := map[string]string{}
		for _, n := range nl.Data {
			ids[n["name"].(string)] = n["id"].(string)
		}
		w, body := a.do("POST", "/api/workflows/"+wf.ID+"/nodes", ann, map[string]any{"name": "Extra", "type": "n8n-nodes-base.noOp", "typeVersion": 1}, nil)
		if w.Code != 201 {
			t.Fatalf("add node: %d %s", w.Code, body)
		}
		var extra map[string]any
		a.json(body, &extra)
		nodeID := extra["id"].(string)
		w, body = a.do("POST", "/api/workflows/"+wf.ID+"/connections", ann, map[string]any{"source_node_id": ids["Pass"], "target_node_id": nodeID}, nil)
		if w.Code != 201 {
			t.Fatalf("add connection: %d %s", w.Code, body)
		}
		var conn connectionView
		a.json(body, &conn)
		ex := a.execute(ann, wf.ID, "?wait=true", nil)
		cred := a.createCredential(ann, map[string]any{"name": "ann's token", "type": "httpBearerAuth", "data": map[string]any{"token": "ann-token-secret"}})
		hookWF := a.create(ann, webhookWorkflow("annhook", map[string]any{"httpMethod": "POST", "path": "ann-hook"}))
		if w, body := a.do("POST", "/api/workflows/"+hookWF.ID+"/activate", ann, nil, nil); w.Code != 200 {
			t.Fatalf("activate: %d %s", w.Code, body)
		}
		var hooks list[webhookView]
		_, body = a.do("GET", "/api/webhooks?workflow_id="+hookWF.ID, ann, nil, nil)
		a.json(body, &hooks)
		if len(hooks.Data) != 1 {
			t.Fatalf("ann's webhooks: %s", body)
		}
		hookID := hooks.Data[0].ID
		// Bob's own workflow, for the bodies that name another object.
		bobWF := a.create(bob, exportWF("Bob's"))

		credRef := map[string]any{"httpBearerAuth": map[string]any{"id": cred.ID, "name": "ann's token"}}
		// Each route with an id: Bob's request (path with Ann's id, body).
		cases := map[string]struct {
			url  string
			body any
		}{
			"GET /api/workflows/:id":               {url: "/api/workflows/" + wf.ID},
			"PUT /api/workflows/:id":               {url: "/api/workflows/" + wf.ID, body: map[string]any{"name": "pwned"}},
			"PATCH /api/workflows/:id":             {url: "/api/workflows/" + wf.ID, body: map[string]any{"name": "pwned"}},
			"DELETE /api/workflows/:id":            {url: "/api/workflows/" + wf.ID},
			"POST /api/workflows/:id/activate":     {url: "/api/workflows/" + hookWF.ID + "/activate"},
			"POST /api/workflows/:id/deactivate":   {url: "/api/workflows/" + hookWF.ID + "/deactivate"},
			"POST /api/workflows/:id/duplicate":    {url: "/api/workflows/" + wf.ID + "/duplicate"},
			"GET /api/workflows/:id/nodes":         {url: "/api/workflows/" + wf.ID + "/nodes"},
			"POST /api/workflows/:id/nodes":        {url: "/api/workflows/" + wf.ID + "/nodes", body: map[string]any{"name": "Evil", "type": "n8n-nodes-base.noOp", "typeVersion": 1}},
			"POST /api/workflows/:id/connections":  {url: "/api/workflows/" + wf.ID + "/connections", body: map[string]any{"source_node_id": ids["Start"], "target_node_id": nodeID}},
			"POST /api/workflows/:id/execute":      {url: "/api/workflows/" + wf.ID + "/execute"},
			"GET /api/workflows/:id/executions":    {url: "/api/workflows/" + wf.ID + "/executions"},
			"GET /api/workflows/:id/schedules":     {url: "/api/workflows/" + wf.ID + "/schedules"},
			"POST /api/workflows/:id/test-webhook": {url: "/api/workflows/" + hookWF.ID + "/test-webhook"},
			"GET /api/nodes/:id":                   {url: "/api/nodes/" + nodeID},
			"PUT /api/nodes/:id":                   {url: "/api/nodes/" + nodeID, body: map[string]any{"name": "pwned"}},
			"DELETE /api/nodes/:id":                {url: "/api/nodes/" + nodeID},
			"POST /api/nodes/:id/test":             {url: "/api/nodes/" + nodeID + "/test", body: map[string]any{}},
			"DELETE /api/connections/:id":          {url: "/api/connections/" + conn.ID},
			"GET /api/executions/:id":              {url: "/api/executions/" + ex.ID},
			"GET /api/executions/:id/data":         {url: "/api/executions/" + ex.ID + "/data"},
			"POST /api/executions/:id/stop":        {url: "/api/executions/" + ex.ID + "/stop"},
			"POST /api/executions/:id/retry":       {url: "/api/executions/" + ex.ID + "/retry"},
			"DELETE /api/executions/:id":           {url: "/api/executions/" + ex.ID},
			"GET /api/credentials/:id":             {url: "/api/credentials/" + cred.ID},
			"PUT /api/credentials/:id":             {url: "/api/credentials/" + cred.ID, body: map[string]any{"name": "pwned", "data": map[string]any{"token": "x"}}},
			"PATCH /api/credentials/:id":           {url: "/api/credentials/" + cred.ID, body: map[string]any{"name": "pwned"}},
			"DELETE /api/credentials/:id":          {url: "/api/credentials/" + cred.ID},
			"POST /api/credentials/:id/test":       {url: "/api/credentials/" + cred.ID + "/test"},
			"DELETE /api/webhooks/:id":             {url: "/api/webhooks/" + hookID},
			"GET /api/executions?workflow_id":      {url: "/api/executions?workflow_id=" + wf.ID},
			"GET /api/webhooks?workflow_id":        {url: "/api/webhooks?workflow_id=" + hookWF.ID},
			"POST /api/webhooks (Ann's workflow)":  {url: "/api/webhooks", body: map[string]any{"workflow_id": hookWF.ID, "node": "Hook"}},
		}
		// Lists that may answer 200 but must not show Ann's objects.
		listOnly := map[string]bool{"GET /api/executions?workflow_id": true, "GET /api/webhooks?workflow_id": true}

		covered := map[string]bool{}
		for _, r := range a.srv.engine.Routes() {
			if !strings.ContainsAny(r.Path, ":*") {
				continue
			}
			key := r.Method + " " + r.Path
			if _, ok := publicIDRoutes[r.Path]; ok {
				continue
			}
			if _, ok := cases[key]; !ok {
				t.Errorf("route %s takes an id and has no object-authorization case: add one to TestSecurityObjectAuthorization", key)
			}
			covered[key] = true
		}
		names := make([]string, 0, len(cases))
		for k := range cases {
			if strings.Contains(k, ":id") && !covered[k] {
				t.Errorf("case %s names no route", k)
			}
			names = append(names, k)
		}
		sort.Strings(names)
		secrets := []string{"ann-token-secret", "Ann's", `"Pass"`}
		for _, name := range names {
			c := cases[name]
			method := strings.Fields(name)[0]
			t.Run(name, func(t *testing.T) {
				w, body := a.do(method, c.url, bob, c.body, nil)
				if listOnly[name] {
					if w.Code >= 500 {
						t.Fatalf("%d %s", w.Code, body)
					}
				} else if w.Code != http.StatusNotFound {
					t.Fatalf("Bob's %s %s: %d %s, want 404", method, c.url, w.Code, body)
				}
				for _, s := range append(secrets, wf.ID, ex.ID, hookID) {
					if w.Code != http.StatusNotFound && strings.Contains(string(body), s) {
						t.Fatalf("Bob's answer shows %q: %s", s, body)
					}
				}
			})
		}
		// Saving a workflow or a node that references Ann's credential is
		// refused for Bob, and Bob's workflow stays as it was.
		_, body = a.do("GET", "/api/workflows/"+bobWF.ID+"/nodes", bob, nil, nil)
		a.json(body, &nl)
		bobNode := nl.Data[0]["id"].(string)
		evil := exportWF("steals")
		evil["nodes"].([]any)[1].(map[string]any)["credentials"] = credRef
		a.runAttacks([]attack{
			{scenario: scenario{name: "create with Ann's credential", method: "POST", url: "/api/workflows", token: bob, body: evil, status: 404, contains: []string{cred.ID, "not the workflow owner"}},
				then: scenario{name: "Bob's workflow", method: "GET", url: "/api/workflows/" + bobWF.ID, token: bob, absent: []string{cred.ID}}},
			{scenario: scenario{name: "update with Ann's credential", method: "PUT", url: "/api/workflows/" + bobWF.ID, token: bob, body: evil, status: 404},
				then: scenario{name: "Bob's workflow unchanged", method: "GET", url: "/api/workflows/" + bobWF.ID, token: bob, contains: []string{`"name":"Bob's"`}, absent: []string{cred.ID}}},
			{scenario: scenario{name: "node with Ann's credential", method: "POST", url: "/api/workflows/" + bobWF.ID + "/nodes", token: bob,
				body: map[string]any{"name": "Steal", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": map[string]any{"url": "http://example.com",
					"authentication": "genericCredentialType", "genericAuthType": "httpBearerAuth"}, "credentials": credRef}, status: 404},
				then: scenario{name: "Bob's workflow unchanged", method: "GET", url: "/api/workflows/" + bobWF.ID, token: bob, absent: []string{"Steal", cred.ID}}},
			{scenario: scenario{name: "node update with Ann's credential", method: "PUT", url: "/api/nodes/" + bobNode, token: bob, body: map[string]any{"credentials": credRef}, status: 404},
				then: scenario{name: "Bob's workflow unchanged", method: "GET", url: "/api/workflows/" + bobWF.ID, token: bob, absent: []string{cred.ID}}},
			{scenario: scenario{name: "audit for members", method: "GET", url: "/api/audit", token: bob, status: 403},
				then: scenario{name: "Bob's lists", method: "GET", url: "/api/workflows", token: bob, contains: []string{bobWF.ID}, absent: []string{wf.ID}}},
		})
		for _, url := range []string{"/api/workflows", "/api/executions", "/api/credentials", "/api/webhooks"} {
			_, body := a.do("GET", url, bob, nil, nil)
			for _, s := range []string{wf.ID, ex.ID, cred.ID, hookID, hookWF.ID} {
				if strings.Contains(string(body), s) {
					t.Errorf("Bob's %s lists Ann's %s", url, s)
				}
			}
		}

		// WebSocket: Bob cannot subscribe to Ann's workflow or execution;
		// his own subscription works on the same connection.
		srv := httptest.NewServer(a.srv.Handler())
		defer srv.Close()
		ws := dialWS(t, srv, bob)
		for key, id := range map[string]string{"workflow_id": wf.ID, "execution_id": ex.ID} {
			if m := subscribe(t, ws, key, id); m.Type != "error" || !strings.Contains(string(m.Data), "NOT_FOUND") {
				t.Fatalf("Bob subscribing to Ann's %s: %s %s", key, m.Type, m.Data)
			}
		}
		if m := subscribe(t, ws, "workflow_id", bobWF.ID); m.Type != "subscribed" {
			t.Fatalf("Bob's own subscription: %s %s", m.Type, m.Data)
		}

		// Ann's objects are all as they were.
		a.run([]scenario{
			{name: "Ann's workflow", method: "GET", url: "/api/workflows/" + wf.ID, token: ann, status: 200, contains: []string{`"name":"Ann's"`, `"Extra"`}, absent: []string{"pwned", "Evil"}},
			{name: "Ann's node", method: "GET", url: "/api/nodes/" + nodeID, token: ann, status: 200, contains: []string{`"name":"Extra"`}},
			{name: "Ann's connection", method: "DELETE", url: "/api/connections/" + conn.ID, token: ann, status: 204},
			{name: "Ann's execution", method: "GET", url: "/api/executions/" + ex.ID + "/data", token: ann, status: 200},
			{name: "Ann's credential", method: "GET", url: "/api/credentials/" + cred.ID, token: ann, status: 200, contains: []string{`"name":"ann's token"`}},
			{name: "Ann's webhook", method: "GET", url: "/api/webhooks", token: ann, status: 200, contains: []string{hookID}},
			{name: "Ann's active workflow", method: "GET", url: "/api/workflows/" + hookWF.ID, token: ann, status: 200, contains: []string{`"active":true`}},
			{name: "Ann's executions", method: "GET", url: "/api/workflows/" + wf.ID + "/executions", token: ann, status: 200, contains: []string{ex.ID}},
		})
	})
}
