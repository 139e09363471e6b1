package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// testNetContext is a context whose network policy lets the service nodes
// reach the loopback httptest servers (the default policy refuses them).
func testNetContext() context.Context {
	return WithNetPolicy(context.Background(), NetPolicy{AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
}

// testCreds is a CredentialSource with plain data by type.
type testCreds map[string]map[string]any

func (c testCreds) Credential(_ context.Context, _, typ string, ref CredentialRef) (map[string]any, error) {
	d, ok := c[typ]
	if !ok || ref.ID == "" {
		return nil, NewNodeError("credential %s not found", typ)
	}
	return d, nil
}

// runService runs a node of type typ with parameters (JSON) and credentials
// on items.
func runService(t *testing.T, typ string, version float64, params string, creds testCreds, onError string, items ...Item) ([][]Item, error) {
	t.Helper()
	return runServiceIn(t, testNetContext(), typ, version, params, creds, onError, items...)
}

// runServiceIn is runService under ctx (and its network policy).
func runServiceIn(t *testing.T, goctx context.Context, typ string, version float64, params string, creds testCreds, onError string, items ...Item) ([][]Item, error) {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		t.Fatal(err)
	}
	n := &NodeInstance{Name: "N", Type: typ, TypeVersion: version, Parameters: p, OnError: onError, Credentials: map[string]CredentialRef{}}
	for k := range creds {
		n.Credentials[k] = CredentialRef{ID: "1", Name: k}
	}
	reg := Lookup(n.Type)
	if err := reg.Node.Validate(n); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if len(items) == 0 {
		items = []Item{NewItem(map[string]any{})}
	}
	in := [][]Item{items}
	ctx := newCaseContext(&Workflow{Nodes: []*NodeInstance{n}}, n, in)
	ctx.Context = goctx
	ctx.Credentials = creds
	return reg.Node.Execute(ctx, in)
}

// apiServer is an httptest server whose handler records failed checks.
type apiServer struct {
	*httptest.Server
	t *testing.T
}

func newAPIServer(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body []byte) error) *apiServer {
	s := &apiServer{t: t}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := h(w, r, body); err != nil {
			t.Errorf("%s %s: %v", r.Method, r.URL, err)
			http.Error(w, err.Error(), http.StatusTeapot)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func mustJSONText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantHeader(r *http.Request, name, want string) error {
	if got := r.Header.Get(name); got != want {
		return fmt.Errorf("header %s = %q, want %q", name, got, want)
	}
	return nil
}

const slackToken = "xoxb-secret-slack-token"

// slackServer speaks Slack's Web API methods chat.postMessage,
// chat.postEphemeral, chat.update and auth.test.
func slackServer(t *testing.T) *apiServer {
	return newAPIServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) error {
		if r.Method != http.MethodPost {
			return fmt.Errorf("method %s", r.Method)
		}
		if r.Header.Get("Authorization") != "Bearer "+slackToken {
			return writeJSON(w, 200, map[string]any{"ok": false, "error": "invalid_auth"})
		}
		if r.URL.Path == "/api/auth.test" {
			return writeJSON(w, 200, map[string]any{"ok": true, "url": "https://team.slack.com/", "team": "Team", "user": "bot", "team_id": "T1", "user_id": "U1"})
		}
		if err := wantHeader(r, "Content-Type", "application/json; charset=utf-8"); err != nil {
			return err
		}
		var req map[string]any
		if err := json.Unmarshal(body, &req); err != nil {
			return err
		}
		if req["channel"] == "C404" {
			return writeJSON(w, 200, map[string]any{"ok": false, "error": "channel_not_found"})
		}
		switch r.URL.Path {
		case "/api/chat.postMessage":
			return writeJSON(w, 200, map[string]any{"ok": true, "channel": req["channel"], "ts": "1503435956.000247",
				"message": map[string]any{"text": req["text"], "username": "ecto1", "bot_id": "B123ABC456", "type": "message", "subtype": "bot_message", "ts": "1503435956.000247"},
				"echo":    req})
		case "/api/chat.update":
			return writeJSON(w, 200, map[string]any{"ok": true, "channel": req["channel"], "ts": req["ts"], "text": req["text"],
				"message": map[string]any{"text": req["text"], "user": "U34567890"}})
		}
		return writeJSON(w, 200, map[string]any{"ok": false, "error": "unknown_method"})
	})
}

func TestSlackPostAndUpdate(t *testing.T) {
	srv := slackServer(t)
	t.Setenv(slackAPIEnv, srv.URL+"/api")
	creds := testCreds{"slackApi": {"accessToken": slackToken}}
	out, err := runService(t, "n8n-nodes-base.slack", 2.2, `{"resource":"message","operation":"post","select":"channel",
		"channelId":{"__rl":true,"mode":"id","value":"C123"},"text":"={{ 'hello ' + $json.name }}",
		"otherOptions":{"mrkdwn":true,"thread_ts":{"replyValues":{"thread_ts":"1.2","reply_broadcast":true}},"includeLinkToWorkflow":false}}`,
		creds, "", NewItem(map[string]any{"name": "ann"}), NewItem(map[string]any{"name": "bob"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(out[0]) != 2 {
		t.Fatalf("%d items", len(out[0]))
	}
	j := out[0][1].JSON
	echo, _ := j["echo"].(map[string]any)
	if j["ok"] != true || j["message_timestamp"] != "1503435956.000247" || j["ts"] != nil || j["channel"] != "C123" ||
		echo["text"] != "hello bob" || echo["mrkdwn"] != true || echo["thread_ts"] != "1.2" || echo["reply_broadcast"] != true ||
		echo["includeLinkToWorkflow"] != nil || out[0][1].PairedItem[0].Item != 1 {
		t.Fatalf("output %s", mustJSONText(t, j))
	}

	out, err = runService(t, "n8n-nodes-base.slack", 2.3, `{"resource":"message","operation":"update",
		"channelId":{"__rl":true,"mode":"list","value":"C123"},"ts":"1503435956.000247","text":"edited"}`, creds, "")
	if err != nil {
		t.Fatal(err)
	}
	if j := out[0][0].JSON; j["message_timestamp"] != "1503435956.000247" || j["text"] != "edited" {
		t.Fatalf("update output %s", mustJSONText(t, j))
	}
}

func TestSlackErrors(t *testing.T) {
	srv := slackServer(t)
	t.Setenv(slackAPIEnv, srv.URL+"/api")
	creds := testCreds{"slackApi": {"accessToken": slackToken}}
	params := `{"resource":"message","operation":"post","channelId":{"__rl":true,"mode":"id","value":"C404"},"text":"x"}`
	_, err := runService(t, "n8n-nodes-base.slack", 2.2, params, creds, "")
	if ne := AsNodeError(err); ne == nil || ne.Message != `Slack error response: "channel_not_found"` || ne.ItemIndex == nil {
		t.Fatalf("error %+v", err)
	}
	out, err := runService(t, "n8n-nodes-base.slack", 2.2, params, creds, OnErrorContinueRegularOutput)
	if err != nil || len(out[0]) != 1 || out[0][0].JSON["error"] != `Slack error response: "channel_not_found"` {
		t.Fatalf("continueOnFail: %v %v", out, err)
	}
	bad := testCreds{"slackApi": {"accessToken": "xoxb-wrong-token"}}
	_, err = runService(t, "n8n-nodes-base.slack", 2.2, params, bad, "")
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xoxb") {
		t.Fatalf("error %v", err)
	}
	// Credential test: auth.test.
	ct := LookupCredentialType("slackApi")
	if err := ct.Test(testNetContext(), map[string]any{"accessToken": slackToken}); err != nil {
		t.Fatal(err)
	}
	if err := ct.Test(testNetContext(), map[string]any{"accessToken": "nope"}); err == nil || strings.Contains(err.Error(), "nope") {
		t.Fatalf("test of a bad token: %v", err)
	}
}

const githubToken = "ghp_secretgithubtoken"

func githubIssue(n int, title string) map[string]any {
	return map[string]any{
		"url": fmt.Sprintf("https://api.github.com/repos/octo/hello/issues/%d", n), "id": float64(1000 + n), "number": float64(n),
		"title": title, "state": "open", "labels": []any{}, "assignees": []any{},
		"user": map[string]any{"login": "octocat", "id": 1.0}, "body": "text", "created_at": "2011-04-22T13:33:48Z",
	}
}

// githubServer speaks the REST endpoints the node uses.
func githubServer(t *testing.T) *apiServer {
	var srv *apiServer
	srv = newAPIServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) error {
		if r.Header.Get("Authorization") != "token "+githubToken {
			return writeJSON(w, 401, map[string]any{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		}
		switch {
		case r.Method == "GET" && r.URL.Path == "/user":
			return writeJSON(w, 200, map[string]any{"login": "octocat", "id": 1})
		case r.Method == "POST" && r.URL.Path == "/repos/octo/hello/issues":
			if err := wantHeader(r, "Content-Type", "application/json; charset=utf-8"); err != nil {
				return err
			}
			var req map[string]any
			if err := json.Unmarshal(body, &req); err != nil {
				return err
			}
			if mustJSONText(t, req["labels"]) != `["bug","ui"]` || mustJSONText(t, req["assignees"]) != `["octocat"]` || req["body"] != "It broke" {
				return fmt.Errorf("body %s", body)
			}
			is := githubIssue(7, req["title"].(string))
			is["labels"] = []any{map[string]any{"name": "bug"}, map[string]any{"name": "ui"}}
			return writeJSON(w, 201, is)
		case r.Method == "GET" && r.URL.Path == "/repos/octo/hello":
			return writeJSON(w, 200, map[string]any{"id": 1296269.0, "name": "hello", "full_name": "octo/hello", "private": false, "owner": map[string]any{"login": "octo"}})
		case r.Method == "GET" && r.URL.Path == "/repos/octo/hello/issues":
			q := r.URL.Query()
			if q.Get("state") != "closed" {
				return fmt.Errorf("query %s", r.URL.RawQuery)
			}
			if q.Get("page") == "" {
				if q.Get("per_page") != "2" {
					return fmt.Errorf("query %s", r.URL.RawQuery)
				}
				return writeJSON(w, 200, []any{githubIssue(1, "a"), githubIssue(2, "b")})
			}
			if q.Get("per_page") != "100" {
				return fmt.Errorf("query %s", r.URL.RawQuery)
			}
			if q.Get("page") == "1" {
				w.Header().Set("Link", fmt.Sprintf(`<%s/repos/octo/hello/issues?page=2&per_page=100&state=closed>; rel="next", <%s/repos/octo/hello/issues?page=2&per_page=100&state=closed>; rel="last"`, srv.URL, srv.URL))
				return writeJSON(w, 200, []any{githubIssue(1, "a"), githubIssue(2, "b")})
			}
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/octo/hello/issues?page=1&per_page=100&state=closed>; rel="first"`, srv.URL))
			return writeJSON(w, 200, []any{githubIssue(3, "c")})
		}
		return writeJSON(w, 404, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
	})
	return srv
}

func TestGitHub(t *testing.T) {
	srv := githubServer(t)
	creds := testCreds{"githubApi": {"server": srv.URL, "user": "octocat", "accessToken": githubToken}}
	out, err := runService(t, "n8n-nodes-base.github", 1.1, `{"resource":"issue","operation":"create",
		"owner":{"__rl":true,"mode":"url","value":"https://github.com/octo"},"repository":{"__rl":true,"mode":"list","value":"hello"},
		"title":"Crash","body":"It broke","labels":[{"label":"bug"},{"label":"ui"}],"assignees":[{"assignee":"octocat"}]}`, creds, "")
	if err != nil {
		t.Fatal(err)
	}
	if j := out[0][0].JSON; j["number"] != 7.0 || j["title"] != "Crash" {
		t.Fatalf("create: %s", mustJSONText(t, j))
	}
	out, err = runService(t, "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"get","owner":"octo","repository":"hello"}`, creds, "")
	if err != nil || out[0][0].JSON["full_name"] != "octo/hello" {
		t.Fatalf("get: %v %v", out, err)
	}
	out, err = runService(t, "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"getIssues","owner":"octo","repository":"hello",
		"limit":2,"getRepositoryIssuesFilters":{"state":"closed"}}`, creds, "")
	if err != nil || len(out[0]) != 2 {
		t.Fatalf("getIssues limit: %v %v", out, err)
	}
	out, err = runService(t, "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"getIssues","owner":"octo","repository":"hello",
		"returnAll":true,"getRepositoryIssuesFilters":{"state":"closed"}}`, creds, "")
	if err != nil || len(out[0]) != 3 || out[0][2].JSON["title"] != "c" {
		t.Fatalf("getIssues returnAll: %v %v", out, err)
	}
	_, err = runService(t, "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"get","owner":"octo","repository":"missing"}`, creds, "")
	ne := AsNodeError(err)
	if ne == nil || ne.Name != "NodeApiError" || ne.Message != "The resource you are requesting could not be found" || ne.Description != "Not Found" || ne.HTTPCode != "404" {
		t.Fatalf("404: %+v", ne)
	}
	bad := testCreds{"githubApi": {"server": srv.URL, "accessToken": "ghp_wrong"}}
	out, err = runService(t, "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"get","owner":"octo","repository":"hello"}`, bad, OnErrorContinueErrorOutput)
	if err != nil || out[0][0].JSON["error"] != "Authorization failed - please check your credentials" || out[0][0].Error == nil {
		t.Fatalf("401 continue: %v %v", out, err)
	}
	ct := LookupCredentialType("githubApi")
	if err := ct.Test(testNetContext(), creds["githubApi"]); err != nil {
		t.Fatal(err)
	}
	if err := ct.Test(testNetContext(), bad["githubApi"]); err == nil || strings.Contains(err.Error(), "ghp_") {
		t.Fatalf("bad token test: %v", err)
	}
	// An unreachable server is a retryable node error.
	down := testCreds{"githubApi": {"server": "http://127.0.0.1:1", "accessToken": githubToken}}
	_, err = runService(t, "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"get","owner":"octo","repository":"hello"}`, down, "")
	if ne := AsNodeError(err); ne == nil || !ne.Retryable || !strings.Contains(ne.Message, "refused") || strings.Contains(ne.Error(), githubToken) {
		t.Fatalf("unreachable: %+v", ne)
	}
}
