package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/weft/weft/persistence"
	"github.com/weft/weft/persistence/dbtest"
)

// scenario is one API call and what must come back (PocketBase's
// ApiScenario habit).
type scenario struct {
	name   string
	method string
	url    string
	token  string
	body   any
	header map[string]string
	status int
	// contains are fragments the body must hold; absent must not appear.
	contains []string
	absent   []string
}

// testAPI is a Server on a real database with helpers to call it.
type testAPI struct {
	t   *testing.T
	srv *Server
	db  *persistence.DB
}

func newTestAPI(t *testing.T, db *persistence.DB, runner Runner, mutate func(*Config)) *testAPI {
	t.Helper()
	cfg := Config{JWTSecret: []byte("test-secret-test-secret-test-secret"), AllowedOrigins: []string{"http://editor.local"},
		EncryptionKeys: testKeys}
	if mutate != nil {
		mutate(&cfg)
	}
	return &testAPI{t: t, srv: New(cfg, db, runner, zap.NewNop()), db: db}
}

// eachDB runs f once per configured database (SQLite, and PostgreSQL when
// WEFT_TEST_POSTGRES_URL is set).
func eachDB(t *testing.T, f func(t *testing.T, db *persistence.DB)) {
	t.Helper()
	for name, db := range dbtest.DBs(t) {
		t.Run(name, func(t *testing.T) { f(t, db) })
	}
}

func (a *testAPI) do(method, url, token string, body any, header map[string]string) (*httptest.ResponseRecorder, []byte) {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(enc)
	}
	req := httptest.NewRequest(method, url, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	a.srv.Handler().ServeHTTP(w, req)
	return w, w.Body.Bytes()
}

func (a *testAPI) run(scenarios []scenario) {
	a.t.Helper()
	for _, sc := range scenarios {
		a.t.Run(sc.name, func(t *testing.T) {
			w, body := a.do(sc.method, sc.url, sc.token, sc.body, sc.header)
			if w.Code != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", sc.method, sc.url, w.Code, sc.status, body)
			}
			for _, frag := range sc.contains {
				if !strings.Contains(string(body), frag) {
					t.Errorf("body lacks %q: %s", frag, body)
				}
			}
			for _, frag := range sc.absent {
				if strings.Contains(string(body), frag) {
					t.Errorf("body has %q: %s", frag, body)
				}
			}
			if w.Code >= 400 {
				var e errorBody
				if err := json.Unmarshal(body, &e); err != nil || e.Code == "" || e.Message == "" || e.Details == nil {
					t.Errorf("error body is not {code, message, details}: %s", body)
				}
			}
		})
	}
}

// json decodes a response body into v.
func (a *testAPI) json(body []byte, v any) {
	a.t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		a.t.Fatalf("decode %s: %v", body, err)
	}
}

// register signs a user up and returns the token pair.
func (a *testAPI) register(email string) tokenPair {
	a.t.Helper()
	w, body := a.do("POST", "/api/auth/register", "", map[string]any{"email": email, "password": "correct horse battery"}, nil)
	if w.Code != http.StatusCreated {
		a.t.Fatalf("register %s: %d %s", email, w.Code, body)
	}
	var p tokenPair
	a.json(body, &p)
	return p
}

// create posts a workflow and returns its view.
func (a *testAPI) create(token string, wf any) workflowView {
	a.t.Helper()
	w, body := a.do("POST", "/api/workflows", token, wf, nil)
	if w.Code != http.StatusCreated {
		a.t.Fatalf("create workflow: %d %s", w.Code, body)
	}
	var v workflowView
	a.json(body, &v)
	return v
}

func dbtestSQLite(t *testing.T) *persistence.DB {
	t.Helper()
	return dbtest.SQLite(t)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
