package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/persistence"
)

// TestSecurityWebhooks: oversized bodies, JSON pretending to be an upload,
// path traversal in webhook paths and upload file names, and
// authentication bypass attempts are refused or harmless, each followed by
// a call that works.
func TestSecurityWebhooks(t *testing.T) {
	db := dbtestSQLite(t)
	a := newTestAPI(t, db, newStack(t, db).runner, func(c *Config) { c.MaxBodyBytes = 64 << 10; c.WebhookTimeout = 10 * time.Second })
	tok := a.register("hooks@example.com").AccessToken
	activate := func(wf map[string]any) workflowView {
		t.Helper()
		v := a.create(tok, wf)
		if w, body := a.do("POST", "/api/workflows/"+v.ID+"/activate", tok, nil, nil); w.Code != http.StatusOK {
			t.Fatalf("activate: %d %s", w.Code, body)
		}
		return v
	}
	echoWF := activate(webhookWorkflow("echo", map[string]any{"httpMethod": "POST", "path": "echo", "responseMode": "lastNode"}))
	activate(webhookWorkflow("basic", map[string]any{"httpMethod": "POST", "path": "basic", "authentication": "basicAuth", "responseMode": "lastNode",
		"httpBasicAuth": map[string]any{"user": "ann", "password": "s3cret"}}))
	activate(webhookWorkflow("blank", map[string]any{"httpMethod": "POST", "path": "blank", "authentication": "basicAuth",
		"httpBasicAuth": map[string]any{"user": "", "password": ""}}))
	activate(webhookWorkflow("header", map[string]any{"httpMethod": "POST", "path": "header", "authentication": "headerAuth",
		"httpHeaderAuth": map[string]any{"name": "X-Api-Key", "value": "k-123"}}))
	ok := scenario{name: "echo", method: "POST", url: "/webhook/echo", body: map[string]any{"a": 1}, contains: []string{`"body":{"a":1}`}}

	// Oversized bodies: 413 with and without a declared length.
	big := `{"x":"` + strings.Repeat("a", 100<<10) + `"}`
	a.runAttacks([]attack{
		{scenario: scenario{name: "oversized body", method: "POST", url: "/webhook/echo", body: big, status: 413}, then: ok},
	})
	srv := httptest.NewServer(a.srv.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/webhook/echo", struct{ *strings.Reader }{strings.NewReader(big)}) // no length: chunked
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 413 {
		t.Fatalf("chunked oversized body: %v %v", resp, err)
	}

	// A JSON body that pretends to be an upload: no file is ever read from
	// the server's disk, whatever the body names.
	secretFile := filepath.Join(t.TempDir(), "secret.txt")
	const secret = "TOP-SECRET-file-content-7f3a"
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := map[string]any{
		"files":    map[string]any{"data": map[string]any{"filepath": secretFile, "originalFilename": "x.txt", "mimetype": "text/plain", "size": 10}},
		"filepath": secretFile, "path": secretFile, "binary": map[string]any{"data": map[string]any{"filepath": secretFile}},
	}
	fakeJSON, _ := json.Marshal(fake)
	for _, ct := range []string{"application/json", "multipart/form-data; boundary=xyz", "multipart/form-data", "application/x-www-form-urlencoded", "text/plain"} {
		a.runAttacks([]attack{{
			scenario: scenario{name: "fake upload as " + ct, method: "POST", url: "/webhook/echo", body: string(fakeJSON), header: map[string]string{"Content-Type": ct},
				status: map[bool]int{true: 422, false: 200}[ct == "multipart/form-data"], absent: []string{secret}},
			then: ok,
		}})
	}
	// A real multipart upload whose file names are paths: the file's
	// content is what was sent, its name only the last element.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	names := map[string]string{"../../../../etc/passwd": "passwd", `..\..\windows\win.ini`: "win.ini", secretFile: "secret.txt", "..": ""}
	i := 0
	for name := range names {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="f%d"; filename=%q`, i, name))
		h.Set("Content-Type", "text/plain")
		part, _ := mw.CreatePart(h)
		_, _ = part.Write([]byte("sent by the client"))
		i++
	}
	_ = mw.Close()
	a.runAttacks([]attack{{
		scenario: scenario{name: "upload with path file names", method: "POST", url: "/webhook/echo", body: mp.Bytes(),
			header: map[string]string{"Content-Type": mw.FormDataContentType()}, status: 200, absent: []string{secret}},
		then: ok,
	}})
	// Every execution's data: no secret, and upload names are bare.
	var execs []persistence.Execution
	db.Gorm().Where("workflow_id = ?", echoWF.ID).Find(&execs)
	sawUpload := false
	for _, e := range execs {
		_, data := a.do("GET", "/api/executions/"+e.ID+"/data", tok, nil, nil)
		if strings.Contains(string(data), secret) || strings.Contains(string(data), base64.StdEncoding.EncodeToString([]byte(secret))) {
			t.Fatalf("execution %s holds the file's content", e.ID)
		}
		if strings.Contains(string(data), `"fileName"`) {
			sawUpload = true
			for _, bad := range []string{"etc/passwd", `windows`, `"fileName":".."`, filepath.Dir(secretFile)} {
				if strings.Contains(string(data), bad) {
					t.Fatalf("upload file name keeps %q: %s", bad, data)
				}
			}
			for _, want := range []string{`"fileName":"passwd"`, `"fileName":"win.ini"`, `"fileName":"secret.txt"`} {
				if !strings.Contains(string(data), want) {
					t.Fatalf("upload lacks %s: %s", want, data)
				}
			}
		}
	}
	if !sawUpload {
		t.Fatal("the upload's execution was not found")
	}

	// Path traversal: webhook paths never reach other routes, and a path
	// is matched as it is, not cleaned into another webhook's.
	for _, p := range []string{"/webhook/../api/workflows", "/webhook/%2e%2e/api/workflows", "/webhook/..%2fapi%2fworkflows", "/webhook/%2e%2e%2f%2e%2e%2fapi%2faudit",
		"/webhook/echo/../../api/credentials", "/webhook-test/../../api/audit", "/webhook/./echo/..", "/webhook/..;/api/workflows"} {
		a.runAttacks([]attack{{
			scenario: scenario{name: "traversal " + p, method: "POST", url: p, status: 404, contains: []string{`"code":"NOT_FOUND"`}, absent: []string{`"data":[`}},
			then:     ok,
		}})
	}
	w, body := a.do("POST", "/api/workflows", tok, webhookWorkflow("dots", map[string]any{"httpMethod": "GET", "path": "../../api/audit"}), nil)
	if w.Code == 201 {
		var v workflowView
		a.json(body, &v)
		a.do("POST", "/api/workflows/"+v.ID+"/activate", tok, nil, nil)
		if w, body := a.do("GET", "/api/audit", "", nil, nil); w.Code != 401 {
			t.Fatalf("a webhook path with dots reached the audit: %d %s", w.Code, body)
		}
	}

	// Authentication bypass attempts.
	basic := func(u, p string) map[string]string {
		return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))}
	}
	goodBasic := scenario{name: "right credentials", method: "POST", url: "/webhook/basic", body: map[string]any{"a": 1}, header: basic("ann", "s3cret"),
		contains: []string{`"body":{"a":1}`}, absent: []string{"s3cret"}}
	goodHeader := scenario{name: "right header", method: "POST", url: "/webhook/header", header: map[string]string{"X-Api-Key": "k-123"}, contains: []string{"Workflow was started"}}
	refuse := func(name, url string, h map[string]string, status int) attack {
		then := goodBasic
		if strings.Contains(url, "header") {
			then = goodHeader
		}
		return attack{scenario: scenario{name: name, method: "POST", url: url, header: h, body: map[string]any{"a": 1}, status: status, absent: []string{"s3cret", "k-123"}}, then: then}
	}
	a.runAttacks([]attack{
		refuse("basic: none", "/webhook/basic", nil, 401),
		refuse("basic: empty password", "/webhook/basic", basic("ann", ""), 403),
		refuse("basic: empty user and password", "/webhook/basic", basic("", ""), 403),
		refuse("basic: user in upper case", "/webhook/basic", basic("ANN", "s3cret"), 403),
		refuse("basic: password in upper case", "/webhook/basic", basic("ann", "S3CRET"), 403),
		refuse("basic: password prefix", "/webhook/basic", basic("ann", "s3cre"), 403),
		refuse("basic: password with a suffix", "/webhook/basic", basic("ann", "s3cret "), 403),
		refuse("basic: colon in the user", "/webhook/basic", basic("ann:s3cret", ""), 403),
		refuse("basic: not base64", "/webhook/basic", map[string]string{"Authorization": "Basic !!!"}, 401),
		refuse("basic: bearer scheme", "/webhook/basic", map[string]string{"Authorization": "Bearer s3cret"}, 401),
		refuse("basic: credential left blank", "/webhook/blank", basic("", ""), 403),
		refuse("basic: credential left blank, no header", "/webhook/blank", nil, 401),
		refuse("header: none", "/webhook/header", nil, 403),
		refuse("header: empty", "/webhook/header", map[string]string{"X-Api-Key": ""}, 403),
		refuse("header: value in upper case", "/webhook/header", map[string]string{"X-Api-Key": "K-123"}, 403),
		refuse("header: prefix", "/webhook/header", map[string]string{"X-Api-Key": "k-12"}, 403),
		refuse("header: injected line", "/webhook/header", map[string]string{"X-Api-Key": "k-999\r\nX-Api-Key: k-123"}, 403),
		refuse("header: list", "/webhook/header", map[string]string{"X-Api-Key": "k-999, k-123"}, 403),
		refuse("header: other header", "/webhook/header", map[string]string{"X-Api-Key2": "k-123"}, 403),
	})
	// The header name is case-insensitive (HTTP), the value is not.
	a.run([]scenario{{name: "header name in lower case", method: "POST", url: "/webhook/header", header: map[string]string{"x-api-key": "k-123"}, status: 200}})
	if !secretEqual("same", "same") || secretEqual("a", "ab") || secretEqual("", "x") {
		t.Fatal("secretEqual")
	}
}

// TestSecurityWebhookFlood: 2,000 concurrent calls of an onReceived
// webhook are all acknowledged, and every acknowledged call has exactly one
// execution, which runs once (against the real Temporal stack).
func TestSecurityWebhookFlood(t *testing.T) {
	floodOnReceived(t, 2000)
}
