package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/weft/weft/persistence/dbtest"
)

// benchServe sends one request through the whole handler stack.
func benchServe(b *testing.B, h http.Handler, method, url, token string, body any) *httptest.ResponseRecorder {
	b.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			b.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, url, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// BenchmarkWorkflowReads measures listing 20 workflows and getting one
// through the whole handler stack (middleware, authentication, SQLite),
// without the network: what scenario 4 of `weft bench scenarios` costs
// per request on the server side.
func BenchmarkWorkflowReads(b *testing.B) {
	db := dbtest.SQLite(b)
	srv := New(Config{JWTSecret: []byte("test-secret-test-secret-test-secret"), EncryptionKeys: testKeys,
		RateLimitRequests: 1 << 30}, db, nil, zap.NewNop())
	h := srv.Handler()
	w := benchServe(b, h, "POST", "/api/auth/register", "", map[string]any{"email": "ann@example.com", "password": "correct horse battery"})
	var pair tokenPair
	if err := json.Unmarshal(w.Body.Bytes(), &pair); err != nil || w.Code != http.StatusCreated {
		b.Fatalf("register: %d %s", w.Code, w.Body)
	}
	var ids []string
	for i := range 50 {
		w := benchServe(b, h, "POST", "/api/workflows", pair.AccessToken, exportWF(fmt.Sprintf("bench %d", i)))
		var v workflowView
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
		ids = append(ids, v.ID)
	}
	for _, c := range []struct {
		name string
		url  func(i int) string
	}{
		{"list20", func(int) string { return "/api/workflows?limit=20" }},
		{"get", func(i int) string { return "/api/workflows/" + ids[i%len(ids)] }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				if w := benchServe(b, h, "GET", c.url(i), pair.AccessToken, nil); w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
			// CPU time of the whole process (GC included) per request:
			// steadier than wall time on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
