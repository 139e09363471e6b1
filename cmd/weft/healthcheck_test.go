package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestHealthcheck: `weft healthcheck` exits 0 when the local /healthz
// answers 200, 1 otherwise, and refuses --worker without an external
// database and Temporal.
func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	t.Setenv("PORT", port)
	t.Setenv("DATABASE_URL", "")
	t.Setenv("DB_HOST", "")
	var out bytes.Buffer
	if code := Main(context.Background(), []string{"healthcheck"}, &out, &out); code != 0 {
		t.Fatalf("healthy: exit %d: %s", code, out.String())
	}
	status = http.StatusServiceUnavailable
	if code := Main(context.Background(), []string{"healthcheck"}, &out, &out); code != 1 {
		t.Fatalf("unhealthy: exit %d", code)
	}
	t.Setenv("PORT", strconv.Itoa(freePort(t)))
	if code := Main(context.Background(), []string{"healthcheck"}, &out, &out); code != 1 {
		t.Fatalf("nothing listening: exit %d", code)
	}
	if code := Main(context.Background(), []string{"healthcheck", "--worker"}, &out, &out); code != 1 {
		t.Fatalf("--worker without DATABASE_URL: exit %d", code)
	}
	if code := Main(context.Background(), []string{"healthcheck", "--nonsense"}, &out, &out); code != 2 {
		t.Fatalf("bad flag: exit %d", code)
	}
}
