package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// testKeys encrypt the tests' credentials.
var testKeys = func() *persistence.Keyring {
	k, err := persistence.NewKeyring("api-test-key-0123456789abcdef0123456789")
	if err != nil {
		panic(err)
	}
	return k
}()

func (a *testAPI) createCredential(token string, body any) credentialView {
	a.t.Helper()
	w, b := a.do("POST", "/api/credentials", token, body, nil)
	if w.Code != http.StatusCreated {
		a.t.Fatalf("create credential: %d %s", w.Code, b)
	}
	var v credentialView
	a.json(b, &v)
	return v
}

func TestCredentialScenarios(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		ann := a.register("ann@example.com").AccessToken
		bob := a.register("bob@example.com").AccessToken
		cr := a.createCredential(ann, map[string]any{"name": "Ann basic", "type": "httpBasicAuth",
			"data": map[string]any{"user": "ann", "password": "hunter2-secret"}})
		if cr.Data["password"] != BlankValue || cr.Data["user"] != "ann" {
			t.Fatalf("create answer %v", cr.Data)
		}
		id := cr.ID
		a.run([]scenario{
			{name: "types list fields and secrets", method: "GET", url: "/api/credentials/types", token: ann, status: 200,
				contains: []string{`"name":"httpBasicAuth"`, `"name":"password","displayName":"Password","type":"string","secret":true`, `"name":"oAuth2Api"`, `"testable":true`}},
			{name: "read masks the secret", method: "GET", url: "/api/credentials/" + id, token: ann, status: 200,
				contains: []string{`"user":"ann"`, `"password":"` + BlankValue + `"`}, absent: []string{"hunter2"}},
			{name: "list has no data", method: "GET", url: "/api/credentials?type=httpBasicAuth", token: ann, status: 200,
				contains: []string{`"name":"Ann basic"`}, absent: []string{"hunter2", `"user"`}},
			{name: "bob lists nothing", method: "GET", url: "/api/credentials", token: bob, status: 200, contains: []string{`"data":[]`}},
			{name: "bob cannot read", method: "GET", url: "/api/credentials/" + id, token: bob, status: 404, contains: []string{"NOT_FOUND"}},
			{name: "bob cannot update", method: "PUT", url: "/api/credentials/" + id, token: bob, body: map[string]any{"name": "x"}, status: 404},
			{name: "bob cannot test", method: "POST", url: "/api/credentials/" + id + "/test", token: bob, status: 404},
			{name: "bob cannot delete", method: "DELETE", url: "/api/credentials/" + id, token: bob, status: 404},
			{name: "unknown type", method: "POST", url: "/api/credentials", token: ann, body: map[string]any{"name": "x", "type": "nope", "data": map[string]any{}},
				status: 400, contains: []string{"VALIDATION_ERROR", "unknown credential type"}},
			{name: "missing required field", method: "POST", url: "/api/credentials", token: ann, body: map[string]any{"name": "x", "type": "httpHeaderAuth", "data": map[string]any{"value": "v"}},
				status: 400, contains: []string{`"name":"is required"`}},
			{name: "wrong field type and unknown field", method: "POST", url: "/api/credentials", token: ann,
				body:   map[string]any{"name": "x", "type": "httpBasicAuth", "data": map[string]any{"user": 5, "pasword": "p"}},
				status: 400, contains: []string{`"user":"must be a string"`, `"pasword":"is not a field of httpBasicAuth"`}, absent: []string{`"p"`}},
			{name: "bad option", method: "POST", url: "/api/credentials", token: ann,
				body:   map[string]any{"name": "x", "type": "oAuth2Api", "data": map[string]any{"grantType": "password", "accessTokenUrl": "https://a", "clientId": "c", "clientSecret": "s"}},
				status: 400, contains: []string{`"grantType":"must be one of authorizationCode, clientCredentials"`}},
			{name: "sentinel refused on create", method: "POST", url: "/api/credentials", token: ann,
				body: map[string]any{"name": "x", "type": "httpBearerAuth", "data": map[string]any{"token": BlankValue}}, status: 400},
			{name: "name required", method: "POST", url: "/api/credentials", token: ann, body: map[string]any{"type": "httpBearerAuth", "data": map[string]any{"token": "t"}}, status: 400},
			{name: "generic types are not testable alone", method: "POST", url: "/api/credentials/" + id + "/test", token: ann, status: 200,
				contains: []string{`"status":"Skipped"`}},
		})

		// An update that sends the sentinel keeps the stored secret.
		w, b := a.do("PUT", "/api/credentials/"+id, ann, map[string]any{"name": "Ann renamed", "data": map[string]any{"user": "ann2", "password": BlankValue}}, nil)
		if w.Code != 200 || strings.Contains(string(b), "hunter2") {
			t.Fatalf("update: %d %s", w.Code, b)
		}
		got, err := db.Credentials(testKeys).Get(context.Background(), persistence.Scope{Admin: true}, id)
		if err != nil || got.Data["password"] != "hunter2-secret" || got.Data["user"] != "ann2" || got.Name != "Ann renamed" {
			t.Fatalf("stored after sentinel update: %v %v", got, err)
		}
		// A new secret replaces it.
		a.do("PUT", "/api/credentials/"+id, ann, map[string]any{"data": map[string]any{"user": "ann2", "password": "new-pass"}}, nil)
		got, _ = db.Credentials(testKeys).Get(context.Background(), persistence.Scope{Admin: true}, id)
		if got.Data["password"] != "new-pass" {
			t.Fatalf("stored after update: %v", got.Data)
		}
		if w, b := a.do("PUT", "/api/credentials/"+id, ann, map[string]any{"type": "httpBearerAuth"}, nil); w.Code != 400 {
			t.Fatalf("type change: %d %s", w.Code, b)
		}

		// Audit: create, update, no secrets.
		var n int64
		db.Gorm().Model(&persistence.AuditEntry{}).Where("object_id = ? AND action IN ?", id, []string{"credential.create", "credential.update"}).Count(&n)
		if n != 3 {
			t.Fatalf("audit entries: %d", n)
		}
		var leaked int64
		db.Gorm().Model(&persistence.AuditEntry{}).Where("details LIKE ?", "%pass%").Count(&leaked)
		if leaked != 0 {
			t.Fatal("audit details hold credential data")
		}

		// Workflows may only reference their owner's credentials.
		wf := func(credID string) map[string]any {
			h := node("HTTP", "n8n-nodes-base.httpRequest", 4.2, map[string]any{"url": "https://example.com",
				"authentication": "genericCredentialType", "genericAuthType": "httpBasicAuth"})
			h["credentials"] = map[string]any{"httpBasicAuth": map[string]any{"id": credID, "name": "c"}}
			return chain("uses creds", manualTrigger(), h)
		}
		a.run([]scenario{
			{name: "bob cannot save ann's credential", method: "POST", url: "/api/workflows", token: bob, body: wf(id), status: 404,
				contains: []string{"NOT_FOUND", `"node":"HTTP"`, `"credential_id":"` + id + `"`}},
			{name: "a missing credential is refused", method: "POST", url: "/api/workflows", token: ann, body: wf("nope"), status: 404,
				contains: []string{"nope"}},
		})
		mine := a.create(ann, wf(id))
		if w, b := a.do("PUT", "/api/workflows/"+mine.ID, bob, wf(id), nil); w.Code != 404 {
			t.Fatalf("bob updates ann's workflow: %d %s", w.Code, b)
		}
		bobs := a.create(bob, chain("bob's", manualTrigger()))
		if w, b := a.do("PUT", "/api/workflows/"+bobs.ID, bob, map[string]any{"nodes": wf(id)["nodes"], "connections": wf(id)["connections"]}, nil); w.Code != 404 {
			t.Fatalf("bob updates his workflow with ann's credential: %d %s", w.Code, b)
		}
		bearer := a.createCredential(ann, map[string]any{"name": "b", "type": "httpBearerAuth", "data": map[string]any{"token": "t"}})
		if w, b := a.do("POST", "/api/workflows", ann, wf(bearer.ID), nil); w.Code != 400 || !strings.Contains(string(b), "httpBearerAuth credential") {
			t.Fatalf("type mismatch: %d %s", w.Code, b)
		}

		// Deleting a credential in use is allowed; the workflow keeps its
		// reference.
		if w, _ := a.do("DELETE", "/api/credentials/"+id, ann, nil, nil); w.Code != 204 {
			t.Fatalf("delete: %d", w.Code)
		}
		if w, _ := a.do("GET", "/api/credentials/"+id, ann, nil, nil); w.Code != 404 {
			t.Fatalf("after delete: %d", w.Code)
		}
		db.Gorm().Model(&persistence.AuditEntry{}).Where("object_id = ? AND action = ?", id, "credential.delete").Count(&n)
		if n != 1 {
			t.Fatalf("delete audit entries: %d", n)
		}
	})
}

func TestCredentialTestEndpoint(t *testing.T) {
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, secret, _ := r.BasicAuth(); secret != "good-secret" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"x","expires_in":60}`))
	}))
	defer tokens.Close()
	a := newTestAPI(t, dbtestSQLite(t), nil, nil)
	ann := a.register("ann@example.com").AccessToken
	mk := func(secret, url string) string {
		return a.createCredential(ann, map[string]any{"name": "o", "type": "oAuth2Api", "data": map[string]any{"grantType": "clientCredentials",
			"accessTokenUrl": url, "clientId": "id", "clientSecret": secret}}).ID
	}
	// The API's requests pass the network policy too: the loopback token
	// server is refused until allowed.
	blocked := mk("good-secret", tokens.URL)
	a.run([]scenario{{name: "loopback refused by default", method: "POST", url: "/api/credentials/" + blocked + "/test", token: ann, status: 200,
		contains: []string{`"status":"Error"`, "loopback"}}})
	nodes.SetNetPolicy(nodes.NetPolicy{AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	defer nodes.SetNetPolicy(nodes.NetPolicy{})
	a.run([]scenario{
		{name: "good secret", method: "POST", url: "/api/credentials/" + mk("good-secret", tokens.URL) + "/test", token: ann, status: 200,
			contains: []string{`"status":"OK"`}},
		{name: "bad secret", method: "POST", url: "/api/credentials/" + mk("bad-secret-value", tokens.URL) + "/test", token: ann, status: 200,
			contains: []string{`"status":"Error"`, "invalid_client"}, absent: []string{"bad-secret-value"}},
	})
}

// TestNoSecretInHistory runs a workflow whose HTTP Request node uses a
// credential on real Temporal, then searches the execution's Temporal
// history, its run data and the audit log for the secret.
func TestNoSecretInHistory(t *testing.T) {
	const password = "pa55-SECRET-do-not-leak"
	const token = "tok-SECRET-9f8e7d"
	var sawAuth, sawBearer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/basic" {
			_, sawAuth, _ = r.BasicAuth()
		} else {
			sawBearer = r.Header.Get("Authorization")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	nodes.SetNetPolicy(nodes.NetPolicy{AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	defer nodes.SetNetPolicy(nodes.NetPolicy{})

	db := dbtestSQLite(t)
	st := newStack(t, db)
	a := newTestAPI(t, db, st.runner, nil)
	ann := a.register("ann@example.com").AccessToken
	basic := a.createCredential(ann, map[string]any{"name": "b", "type": "httpBasicAuth", "data": map[string]any{"user": "ann", "password": password}})
	bearer := a.createCredential(ann, map[string]any{"name": "t", "type": "httpBearerAuth", "data": map[string]any{"token": token}})
	h1 := node("Basic", "n8n-nodes-base.httpRequest", 4.2, map[string]any{"url": srv.URL + "/basic",
		"authentication": "genericCredentialType", "genericAuthType": "httpBasicAuth"})
	h1["credentials"] = map[string]any{"httpBasicAuth": map[string]any{"id": basic.ID, "name": "b"}}
	h2 := node("Bearer", "n8n-nodes-base.httpRequest", 4.2, map[string]any{"url": srv.URL + "/bearer",
		"authentication": "genericCredentialType", "genericAuthType": "httpBearerAuth",
		"options": map[string]any{"response": map[string]any{"response": map[string]any{"fullResponse": true}}}})
	h2["credentials"] = map[string]any{"httpBearerAuth": map[string]any{"id": bearer.ID, "name": "t"}}
	wf := a.create(ann, chain("secret use", manualTrigger(), h1, h2))
	ex := a.execute(ann, wf.ID, "?wait=true", nil)
	ex = a.awaitStatus(ann, ex.ID, "success")
	if sawAuth != password || sawBearer != "Bearer "+token {
		t.Fatalf("the server did not get the credentials: %q %q", sawAuth, sawBearer)
	}

	secrets := []string{password, token, base64.StdEncoding.EncodeToString([]byte("ann:" + password))}
	check := func(where string, b []byte) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Fatalf("%s holds secret %q", where, s)
			}
		}
	}
	// The whole history, every event in its wire encoding, where payload
	// bytes (JSON) appear as they are.
	iter := st.client.GetWorkflowHistory(context.Background(), "weft-exec-"+ex.ID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var all []byte
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("history event %d (%s)", ev.GetEventId(), ev.GetEventType()), b)
		all = append(all, b...)
	}
	// The search does see payload contents: node names and the workflow's
	// name are there.
	for _, want := range []string{`"Bearer"`, "secret use", wf.ID} {
		if !strings.Contains(string(all), want) {
			t.Fatalf("history lacks %q: the search would not find a secret either", want)
		}
	}
	_, data := a.do("GET", "/api/executions/"+ex.ID+"/data", ann, nil, nil)
	if !strings.Contains(string(data), `"statusCode":200`) {
		t.Fatalf("run data: %s", data)
	}
	check("run data", data)
	var audit []persistence.AuditEntry
	db.Gorm().Where("action = ?", "credential.use").Find(&audit)
	if len(audit) != 2 {
		t.Fatalf("credential.use audit entries: %d", len(audit))
	}
	for _, e := range audit {
		check("audit", []byte(e.Details))
	}
}

func TestDeletedCredentialFailsTheNode(t *testing.T) {
	nodes.SetNetPolicy(nodes.NetPolicy{AllowPrivate: true})
	defer nodes.SetNetPolicy(nodes.NetPolicy{})
	db := dbtestSQLite(t)
	st := newStack(t, db)
	a := newTestAPI(t, db, st.runner, nil)
	ann := a.register("ann@example.com").AccessToken
	cr := a.createCredential(ann, map[string]any{"name": "b", "type": "httpBearerAuth", "data": map[string]any{"token": "t0ken-value"}})
	h := node("HTTP", "n8n-nodes-base.httpRequest", 4.2, map[string]any{"url": "http://127.0.0.1:1/",
		"authentication": "genericCredentialType", "genericAuthType": "httpBearerAuth"})
	h["credentials"] = map[string]any{"httpBearerAuth": map[string]any{"id": cr.ID, "name": "b"}}
	wf := a.create(ann, chain("deleted cred", manualTrigger(), h))
	if w, _ := a.do("DELETE", "/api/credentials/"+cr.ID, ann, nil, nil); w.Code != 204 {
		t.Fatal(w.Code)
	}
	ex := a.execute(ann, wf.ID, "?wait=true", nil)
	a.awaitStatus(ann, ex.ID, "error")
	_, data := a.do("GET", "/api/executions/"+ex.ID+"/data", ann, nil, nil)
	if !strings.Contains(string(data), `Credential with ID \"`+cr.ID+`\" does not exist for type \"httpBearerAuth\"`) {
		t.Fatalf("run data: %s", data)
	}
}
