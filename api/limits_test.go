package api

import (
	"net/http"
	"strings"
	"testing"
)

// A body over the limit is refused with 413 whether or not it declares its
// length, and nothing is written.
func TestBodyLimit(t *testing.T) {
	db := dbtestSQLite(t)
	a := newTestAPI(t, db, nil, func(c *Config) { c.MaxBodyBytes = 1024 })
	tok := a.register("ann@example.com").AccessToken
	big := `{"name": "` + strings.Repeat("x", 4096) + `"}`
	w, body := a.do("POST", "/api/workflows", tok, big, nil)
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), `"code":"VALIDATION_ERROR"`) {
		t.Fatalf("declared length: %d %s", w.Code, body)
	}
	// Without Content-Length (chunked), the reader stops at the limit.
	req, _ := http.NewRequest("POST", "/api/workflows", strings.NewReader(big))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := newRecorder()
	a.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: %d %s", rec.Code, rec.Body.String())
	}
	w, body = a.do("GET", "/api/workflows", tok, nil, nil)
	if w.Code != 200 || !strings.Contains(string(body), `"data":[]`) {
		t.Fatalf("a refused body left something behind: %s", body)
	}
}

// CORS answers preflights for allowed origins only.
func TestCORS(t *testing.T) {
	a := newTestAPI(t, dbtestSQLite(t), nil, nil)
	pre := func(origin string) http.Header {
		w, _ := a.do("OPTIONS", "/api/workflows", "", nil, map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST"})
		if w.Code != http.StatusNoContent {
			t.Fatalf("preflight status %d", w.Code)
		}
		return w.Header()
	}
	if h := pre("http://editor.local"); h.Get("Access-Control-Allow-Origin") != "http://editor.local" {
		t.Fatalf("allowed origin not echoed: %v", h)
	}
	if h := pre("http://evil.example"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin allowed: %v", h)
	}
}
