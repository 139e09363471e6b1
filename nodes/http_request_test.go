package nodes_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
)

const httpType = "n8n-nodes-base.httpRequest"

// allowLoopback lets requests reach the tests' httptest servers.
var allowLoopback = nodes.NetPolicy{AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// memCreds is a CredentialSource over a map, recording updates.
type memCreds struct {
	mu      sync.Mutex
	data    map[string]map[string]any
	updates int
}

func (m *memCreds) Credential(_ context.Context, _, typ string, ref nodes.CredentialRef) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.data[ref.ID]
	if !ok {
		return nil, nodes.Errorf(nodes.CodeNotFound, "credential %s not found", ref.ID)
	}
	return nodes.CloneJSON(d).(map[string]any), nil
}

func (m *memCreds) UpdateCredential(_ context.Context, _, _ string, ref nodes.CredentialRef, data map[string]any) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[ref.ID] = data
	m.updates++
	return nil
}

type httpCase struct {
	params  map[string]any
	inputs  []nodes.Item
	creds   *memCreds
	credTyp string
	policy  *nodes.NetPolicy
	onError string
}

func runHTTP(t *testing.T, c httpCase) *nodes.NodeRun {
	t.Helper()
	n := nodes.NodeInstance{Name: "HTTP", Type: httpType, TypeVersion: 4.2, Parameters: c.params, OnError: c.onError}
	if c.credTyp != "" {
		n.Credentials = map[string]nodes.CredentialRef{c.credTyp: {ID: "cred-1", Name: "c"}}
	}
	if reg := nodes.Lookup(httpType); reg != nil {
		if err := reg.Node.Validate(&n); err != nil {
			t.Fatalf("validate: %v", err)
		}
	}
	policy := allowLoopback
	if c.policy != nil {
		policy = *c.policy
	}
	in := c.inputs
	if in == nil {
		in = []nodes.Item{nodes.NewItem(nil)}
	}
	ctx := &nodes.Context{Context: nodes.WithNetPolicy(context.Background(), policy), Workflow: &nodes.Workflow{Nodes: []*nodes.NodeInstance{&n}},
		Node: &n, Inputs: [][]nodes.Item{in}, Expr: expr.New(expr.Options{}), Runs: noRuns{}}
	if c.creds != nil {
		ctx.Credentials = c.creds
	}
	return nodes.RunNode(ctx)
}

func mustOK(t *testing.T, run *nodes.NodeRun) []nodes.Item {
	t.Helper()
	if run == nil || run.ExecutionStatus != nodes.StatusSuccess {
		t.Fatalf("run failed: %+v", run.Error)
	}
	return run.Main()[0]
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// echo answers with what it received.
func echo(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "ctype": r.Header.Get("Content-Type"),
			"body": string(body), "x": r.Header.Get("X-Test"), "auth": r.Header.Get("Authorization"), "user": user, "pass": pass,
			"key": r.Header.Get("X-Key"),
		})
	}))
	t.Cleanup(s.Close)
	return s
}

func pairs(kv ...any) map[string]any {
	var ps []any
	for i := 0; i < len(kv); i += 2 {
		ps = append(ps, map[string]any{"name": kv[i], "value": kv[i+1]})
	}
	return map[string]any{"parameters": ps}
}

func TestHTTPRequestBodies(t *testing.T) {
	s := echo(t)
	bin := nodes.NewItem(map[string]any{"n": 1.0})
	bin.Binary = map[string]*nodes.Binary{"file": {Data: base64.StdEncoding.EncodeToString([]byte("PNGDATA")), MimeType: "image/png", FileName: "a.png"}}
	cases := []struct {
		name   string
		params map[string]any
		check  func(r map[string]any) bool
	}{
		{"get with query and headers", map[string]any{"url": s.URL + "/x", "sendQuery": true, "queryParameters": pairs("a", "1", "b", "={{ $json.n + 1 }}"),
			"sendHeaders": true, "headerParameters": pairs("X-Test", "yes")},
			func(r map[string]any) bool { return r["method"] == "GET" && r["query"] == "a=1&b=2" && r["x"] == "yes" }},
		{"json query and headers", map[string]any{"url": s.URL, "sendQuery": true, "specifyQuery": "json", "jsonQuery": `{"q":"z"}`,
			"sendHeaders": true, "specifyHeaders": "json", "jsonHeaders": `{"X-Test":"j"}`},
			func(r map[string]any) bool { return r["query"] == "q=z" && r["x"] == "j" }},
		{"json body from pairs", map[string]any{"method": "POST", "url": s.URL, "sendBody": true, "bodyParameters": pairs("a", "b", "n", "={{ $json.n }}")},
			func(r map[string]any) bool { return r["ctype"] == "application/json" && r["body"] == `{"a":"b","n":1}` }},
		{"json body as JSON", map[string]any{"method": "PUT", "url": s.URL, "sendBody": true, "specifyBody": "json", "jsonBody": `={"v": {{ $json.n }} }`},
			func(r map[string]any) bool { return r["method"] == "PUT" && r["body"] == `{"v":1}` }},
		{"form urlencoded", map[string]any{"method": "POST", "url": s.URL, "sendBody": true, "contentType": "form-urlencoded", "bodyParameters": pairs("a", "x y", "b", "2")},
			func(r map[string]any) bool {
				return r["ctype"] == "application/x-www-form-urlencoded" && r["body"] == "a=x+y&b=2"
			}},
		{"multipart with a file", map[string]any{"method": "POST", "url": s.URL, "sendBody": true, "contentType": "multipart-form-data",
			"bodyParameters": map[string]any{"parameters": []any{
				map[string]any{"name": "field", "value": "v"},
				map[string]any{"name": "upload", "parameterType": "formBinaryData", "inputDataFieldName": "file"}}}},
			func(r map[string]any) bool {
				b := r["body"].(string)
				return strings.HasPrefix(r["ctype"].(string), "multipart/form-data; boundary=") && strings.Contains(b, `name="field"`) &&
					strings.Contains(b, `filename="a.png"`) && strings.Contains(b, "PNGDATA") && strings.Contains(b, "Content-Type: image/png")
			}},
		{"raw", map[string]any{"method": "POST", "url": s.URL, "sendBody": true, "contentType": "raw", "rawContentType": "text/csv", "body": "a,b"},
			func(r map[string]any) bool { return r["ctype"] == "text/csv" && r["body"] == "a,b" }},
		{"binary body", map[string]any{"method": "POST", "url": s.URL, "sendBody": true, "contentType": "binaryData", "inputDataFieldName": "file"},
			func(r map[string]any) bool { return r["ctype"] == "image/png" && r["body"] == "PNGDATA" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := mustOK(t, runHTTP(t, httpCase{params: c.params, inputs: []nodes.Item{bin}}))
			if len(out) != 1 || !c.check(out[0].JSON) {
				t.Fatalf("server saw %s", jsonOf(out[0].JSON))
			}
		})
	}
}

func TestHTTPRequestAuth(t *testing.T) {
	s := echo(t)
	cases := []struct {
		typ   string
		data  map[string]any
		check func(r map[string]any) bool
	}{
		{"httpBasicAuth", map[string]any{"user": "ann", "password": "s3cret!"}, func(r map[string]any) bool { return r["user"] == "ann" && r["pass"] == "s3cret!" }},
		{"httpHeaderAuth", map[string]any{"name": "X-Key", "value": "k-123"}, func(r map[string]any) bool { return r["key"] == "k-123" }},
		{"httpQueryAuth", map[string]any{"name": "api_key", "value": "q-456"}, func(r map[string]any) bool { return r["query"] == "api_key=q-456&page=1" }},
		{"httpBearerAuth", map[string]any{"token": "tok-789"}, func(r map[string]any) bool { return r["auth"] == "Bearer tok-789" }},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL, "authentication": "genericCredentialType", "genericAuthType": c.typ,
				"sendQuery": true, "queryParameters": pairs("page", "1")},
				creds: &memCreds{data: map[string]map[string]any{"cred-1": c.data}}, credTyp: c.typ}))
			if !c.check(out[0].JSON) {
				t.Fatalf("server saw %s", jsonOf(out[0].JSON))
			}
		})
	}
	t.Run("missing credential", func(t *testing.T) {
		run := runHTTP(t, httpCase{params: map[string]any{"url": s.URL, "authentication": "genericCredentialType", "genericAuthType": "httpBasicAuth"}})
		if run.Error == nil || !strings.Contains(run.Error.Message, "has no credentials of type httpBasicAuth") {
			t.Fatalf("error %+v", run.Error)
		}
	})
}

func TestHTTPRequestOAuth2(t *testing.T) {
	var mu sync.Mutex
	issued := 0
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, _ := r.BasicAuth()
		if id != "client" || secret != "client-secret" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		mu.Lock()
		issued++
		n := issued
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"bearer","expires_in":3600,"grant":%q}`, n, r.Form.Get("grant_type"))
	}))
	defer tokens.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at-2" { // the first token is "revoked"
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer api.Close()
	creds := &memCreds{data: map[string]map[string]any{"cred-1": {"grantType": "clientCredentials", "accessTokenUrl": tokens.URL,
		"clientId": "client", "clientSecret": "client-secret", "authentication": "header"}}}
	out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": api.URL, "authentication": "genericCredentialType", "genericAuthType": "oAuth2Api"},
		creds: creds, credTyp: "oAuth2Api"}))
	if out[0].JSON["ok"] != true || issued != 2 || creds.updates != 2 {
		t.Fatalf("out %v, tokens issued %d, stored %d", out[0].JSON, issued, creds.updates)
	}
	if tok := creds.data["cred-1"]["oauthTokenData"].(map[string]any); tok["access_token"] != "at-2" || tok["expires_at"] == nil {
		t.Fatalf("stored token %v", tok)
	}
	// The stored fresh token is used as it is.
	mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": api.URL, "authentication": "genericCredentialType", "genericAuthType": "oAuth2Api"},
		creds: creds, credTyp: "oAuth2Api"}))
	if issued != 2 {
		t.Fatalf("a fresh token was renewed: %d issued", issued)
	}
	// The credential test fetches a token; a wrong secret fails without
	// showing it.
	ct := nodes.LookupCredentialType("oAuth2Api")
	ctx := nodes.WithNetPolicy(context.Background(), allowLoopback)
	if err := ct.Test(ctx, creds.data["cred-1"]); err != nil {
		t.Fatal(err)
	}
	bad := nodes.CloneJSON(creds.data["cred-1"]).(map[string]any)
	bad["clientSecret"] = "wrong-secret-value"
	if err := ct.Test(ctx, bad); err == nil || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("test with a wrong secret: %v", err)
	}
	// Refresh-token grant: an expired token is refreshed and the refresh
	// token kept.
	refresh := &memCreds{data: map[string]map[string]any{"cred-1": {"grantType": "authorizationCode", "accessTokenUrl": tokens.URL,
		"clientId": "client", "clientSecret": "client-secret", "oauthTokenData": map[string]any{"access_token": "old", "refresh_token": "rt", "expires_at": 1.0}}}}
	run := runHTTP(t, httpCase{params: map[string]any{"url": api.URL, "authentication": "genericCredentialType", "genericAuthType": "oAuth2Api"},
		creds: refresh, credTyp: "oAuth2Api", onError: nodes.OnErrorContinueRegularOutput})
	tok := refresh.data["cred-1"]["oauthTokenData"].(map[string]any)
	if tok["grant"] != "refresh_token" || tok["refresh_token"] != "rt" || refresh.updates == 0 {
		t.Fatalf("refreshed token %v (run %+v)", tok, run.Error)
	}
}

func TestHTTPRequestResponses(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/list":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write([]byte(`[{"id":1},{"id":2}]`))
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("hello"))
		case "/file/report.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			_, _ = w.Write([]byte("%PDF-1.4 data"))
		case "/missing":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(404)
			_, _ = w.Write([]byte("no such thing"))
		case "/badjson":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("{nope"))
		}
	}))
	defer s.Close()
	opt := func(resp map[string]any) map[string]any {
		return map[string]any{"response": map[string]any{"response": resp}}
	}
	t.Run("json array becomes items", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/list"}}))
		if jsonOf([]any{out[0].JSON, out[1].JSON}) != `[{"id":1},{"id":2}]` || out[1].PairedItem[0].Item != 0 {
			t.Fatalf("%v", out)
		}
	})
	t.Run("text", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/text"}}))
		if jsonOf(out[0].JSON) != `{"data":"hello"}` {
			t.Fatal(jsonOf(out[0].JSON))
		}
		out = mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/list", "options": opt(map[string]any{"responseFormat": "text", "outputPropertyName": "raw"})}}))
		if out[0].JSON["raw"] != `[{"id":1},{"id":2}]` {
			t.Fatal(jsonOf(out[0].JSON))
		}
	})
	t.Run("file", func(t *testing.T) {
		in := nodes.NewItem(map[string]any{"keep": true})
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/file/report.pdf"}, inputs: []nodes.Item{in}}))
		b := out[0].Binary["data"]
		if b == nil || b.Data != base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 data")) || b.MimeType != "application/pdf" ||
			b.FileName != "report.pdf" || b.FileExtension != "pdf" || b.FileSize != "13 B" || out[0].JSON["keep"] != true {
			t.Fatalf("binary %+v json %v", b, out[0].JSON)
		}
		out = mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/text", "options": opt(map[string]any{"responseFormat": "file", "outputPropertyName": "f"})}}))
		if out[0].Binary["f"] == nil || out[0].Binary["f"].MimeType != "text/plain" {
			t.Fatalf("%+v", out[0].Binary)
		}
	})
	t.Run("full response", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/list", "options": opt(map[string]any{"fullResponse": true})}}))
		j := out[0].JSON
		if len(out) != 1 || j["statusCode"] != 200.0 || j["statusMessage"] != "OK" || jsonOf(j["body"]) != `[{"id":1},{"id":2}]` ||
			j["headers"].(map[string]any)["content-type"] != "application/json; charset=utf-8" {
			t.Fatal(jsonOf(j))
		}
	})
	t.Run("error status", func(t *testing.T) {
		run := runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/missing"}})
		if run.Error == nil || run.Error.Message != `404 - "no such thing"` || run.Error.HTTPCode != "404" || run.Error.Name != "NodeApiError" ||
			run.Error.Description != "The resource you are requesting could not be found" {
			t.Fatalf("%+v", run.Error)
		}
	})
	t.Run("never error", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/missing", "options": opt(map[string]any{"neverError": true, "fullResponse": true})}}))
		if out[0].JSON["statusCode"] != 404.0 || out[0].JSON["body"] != "no such thing" {
			t.Fatal(jsonOf(out[0].JSON))
		}
	})
	t.Run("continue on fail", func(t *testing.T) {
		run := runHTTP(t, httpCase{params: map[string]any{"url": "=" + s.URL + "{{ $json.p }}"}, onError: nodes.OnErrorContinueRegularOutput,
			inputs: []nodes.Item{nodes.NewItem(map[string]any{"p": "/missing"}), nodes.NewItem(map[string]any{"p": "/text"})}})
		out := run.Main()[0]
		if len(out) != 2 || out[0].JSON["error"] != `404 - "no such thing"` || out[1].JSON["data"] != "hello" {
			t.Fatalf("%s", jsonOf(out))
		}
	})
	t.Run("invalid json", func(t *testing.T) {
		run := runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/badjson"}})
		if run.Error == nil || !strings.Contains(run.Error.Message, "not valid JSON") {
			t.Fatalf("%+v", run.Error)
		}
	})
	t.Run("unreachable server is retryable", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		_ = l.Close()
		run := runHTTP(t, httpCase{params: map[string]any{"url": "http://" + addr + "/"}})
		if run.Error == nil || !strings.Contains(run.Error.Message, "refused the connection") || !run.Error.Retryable {
			t.Fatalf("%+v", run.Error)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		run := runHTTP(t, httpCase{params: map[string]any{"url": slow.URL, "options": map[string]any{"timeout": 100.0}}})
		if run.Error == nil || !strings.Contains(run.Error.Message, "timed out") {
			t.Fatalf("%+v", run.Error)
		}
	})
	t.Run("redirects", func(t *testing.T) {
		r := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/go" {
				http.Redirect(w, r, "/text", http.StatusFound)
				return
			}
			http.Redirect(w, r, s.URL+"/text", http.StatusFound)
		}))
		defer r.Close()
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": r.URL + "/elsewhere"}}))
		if out[0].JSON["data"] != "hello" {
			t.Fatal(jsonOf(out[0].JSON))
		}
		out = mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": r.URL + "/go", "options": map[string]any{
			"redirect": map[string]any{"redirect": map[string]any{"followRedirects": false}},
			"response": map[string]any{"response": map[string]any{"fullResponse": true, "neverError": true}}}}}))
		if out[0].JSON["statusCode"] != 302.0 {
			t.Fatal(jsonOf(out[0].JSON))
		}
	})
}

func TestHTTPRequestPagination(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/pages":
			switch page {
			case "0", "1":
				fmt.Fprintf(w, `[{"p":%s,"a":1},{"p":%s,"a":2}]`, page, page)
			default:
				_, _ = w.Write([]byte(`[]`))
			}
		case "/next":
			n := 0
			_, _ = fmt.Sscan(page, &n)
			next := fmt.Sprintf("/next?page=%d", n+1)
			if n >= 2 {
				next = ""
			}
			fmt.Fprintf(w, `{"n":%d,"next":%q}`, n, next)
		case "/codes":
			if page == "2" {
				w.WriteHeader(404)
				return
			}
			fmt.Fprintf(w, `{"page":%q}`, page)
		}
	}))
	defer s.Close()
	pg := func(m map[string]any) map[string]any {
		return map[string]any{"pagination": map[string]any{"pagination": m}}
	}
	t.Run("update a parameter until empty", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/pages", "options": pg(map[string]any{
			"parameters": map[string]any{"parameters": []any{map[string]any{"type": "qs", "name": "page", "value": "={{ $pageCount }}"}}}})}}))
		if len(out) != 4 || out[3].JSON["p"] != 1.0 {
			t.Fatal(jsonOf(out))
		}
	})
	t.Run("next URL with a page limit", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/next?page=0", "options": pg(map[string]any{
			"paginationMode": "responseContainsNextURL", "nextURL": "={{ $response.body.next }}",
			"paginationCompleteWhen": "other", "completeExpression": "={{ !$response.body.next }}"})}}))
		if jsonOf(out) != `[{"json":{"n":0,"next":"/next?page=1"},"pairedItem":{"item":0}},{"json":{"n":1,"next":"/next?page=2"},"pairedItem":{"item":0}},{"json":{"n":2,"next":""},"pairedItem":{"item":0}}]` {
			t.Fatal(jsonOf(out))
		}
		out = mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/next?page=0", "options": pg(map[string]any{
			"paginationMode": "responseContainsNextURL", "nextURL": "={{ $response.body.next }}", "limitPagesFetched": true, "maxRequests": 2.0,
			"paginationCompleteWhen": "other", "completeExpression": "={{ !$response.body.next }}"})}}))
		if len(out) != 2 {
			t.Fatal(jsonOf(out))
		}
	})
	t.Run("status code completes", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL + "/codes", "options": pg(map[string]any{
			"parameters":             map[string]any{"parameters": []any{map[string]any{"name": "page", "value": "={{ $pageCount }}"}}},
			"paginationCompleteWhen": "receiveSpecificStatusCodes", "statusCodesWhenComplete": "404"})}}))
		if len(out) != 2 || out[1].JSON["page"] != "1" {
			t.Fatal(jsonOf(out))
		}
	})
}

func TestHTTPRequestBatching(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":1}`))
	}))
	defer s.Close()
	in := []nodes.Item{nodes.NewItem(nil), nodes.NewItem(nil), nodes.NewItem(nil)}
	out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL, "options": map[string]any{
		"batching": map[string]any{"batch": map[string]any{"batchSize": 2.0, "batchInterval": 150.0}}}}, inputs: in}))
	if len(out) != 3 || len(times) != 3 {
		t.Fatalf("%d items, %d requests", len(out), len(times))
	}
	if gap := times[2].Sub(times[1]); gap < 150*time.Millisecond {
		t.Fatalf("the second batch came %v after the first", gap)
	}
}

// TestSecuritySSRF runs HTTP Request against every spelling of an internal
// address under the default policy: each is a node error (not retryable),
// the internal server never sees a request, and an allowed request made
// right after works.
func TestSecuritySSRF(t *testing.T) {
	strict := nodes.NetPolicy{}
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"internal":"secret"}`))
	}))
	defer s.Close()
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	for _, u := range []string{
		"http://127.0.0.1:" + port, "http://localhost:" + port, "http://2130706433:" + port, "http://0x7f000001:" + port,
		"http://0177.0.0.1:" + port, "http://127.1:" + port, "http://[::1]:" + port, "http://[::ffff:127.0.0.1]:" + port,
		"http://0.0.0.0:" + port, "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/",
		"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd00:ec2::254]/",
		"http://metadata.google.internal/", "http://[2002:7f00:1::]/", "ftp://example.com/", "file:///etc/passwd",
		"gopher://127.0.0.1:" + port + "/_GET%20/", "http://10.255.255.254/", "http://172.31.255.254/", "http://192.168.255.254/",
		"http://[fdff:ffff::1]/", "http://127.0.0.1.:" + port, "http://LOCALHOST:" + port, "HTTP://127.0.0.1:" + port,
	} {
		t.Run(u, func(t *testing.T) {
			run := runHTTP(t, httpCase{params: map[string]any{"url": "={{ $json.u }}"}, policy: &strict,
				inputs: []nodes.Item{nodes.NewItem(map[string]any{"u": u})}})
			if run.Error == nil || !strings.Contains(run.Error.Message, "refused") || run.Error.Retryable {
				t.Fatalf("not refused: %+v", run.Error)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the internal server got %d requests", n)
	}
	t.Run("follow-up allowed request", func(t *testing.T) {
		out := mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL}, policy: &nodes.NetPolicy{AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}))
		if len(out) != 1 || out[0].JSON["internal"] != "secret" || hits.Load() != 1 {
			t.Fatalf("allowed request: %v", out)
		}
	})
	t.Run("metadata stays refused with allow private", func(t *testing.T) {
		run := runHTTP(t, httpCase{params: map[string]any{"url": "http://169.254.169.254/"}, policy: &nodes.NetPolicy{AllowPrivate: true}})
		if run.Error == nil || !strings.Contains(run.Error.Message, "cloud metadata") {
			t.Fatalf("%+v", run.Error)
		}
	})
	t.Run("allow private permits loopback", func(t *testing.T) {
		mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": "http://localhost:" + port}, policy: &nodes.NetPolicy{AllowPrivate: true}}))
	})
	// A redirect from an allowed host to an internal one: refused whether
	// the target is an address or a name resolving to loopback.
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer redir.Close()
	onlyHost := nodes.NetPolicy{AllowHosts: []string{"127.0.0.1"}}
	for _, to := range []string{"http://127.0.0.2:" + port + "/", "http://localhost:" + port + "/", "http://169.254.169.254/"} {
		t.Run("redirect to "+to, func(t *testing.T) {
			run := runHTTP(t, httpCase{params: map[string]any{"url": redir.URL + "/?to=" + to}, policy: &onlyHost})
			if run.Error == nil || !strings.Contains(run.Error.Message, "refused") {
				t.Fatalf("followed: %+v", run.Error)
			}
		})
	}
	t.Run("allow list entries", func(t *testing.T) {
		p, err := nodes.ParseNetPolicy("false", "127.0.0.0/8, api.internal, *.corp.example, 10.0.0.5")
		if err != nil || len(p.AllowNets) != 2 || len(p.AllowHosts) != 2 {
			t.Fatalf("%+v %v", p, err)
		}
		if _, err := nodes.ParseNetPolicy("maybe", ""); err == nil {
			t.Fatal("bad WEFT_HTTP_ALLOW_PRIVATE accepted")
		}
		mustOK(t, runHTTP(t, httpCase{params: map[string]any{"url": s.URL}, policy: &p}))
	})
}
