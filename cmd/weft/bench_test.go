package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestBenchWebhook drives an httptest server: every request arrives with
// the method, body and headers asked for, and the table counts the
// failures the server gives.
func TestBenchWebhook(t *testing.T) {
	var calls, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPut || string(body) != `{"a":1}` || r.Header.Get("X-Bench") != "yes" {
			bad.Add(1)
		}
		if calls.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"bench", "webhook", "--url", srv.URL, "--concurrency", "4",
		"--duration", "300ms", "--method", "PUT", "--body", `{"a":1}`, "--header", "X-Bench: yes"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if bad.Load() != 0 {
		t.Errorf("%d requests were not the ones asked for", bad.Load())
	}
	for _, want := range []string{"requests/s", "p50", "p90", "p99", "max", "errors", "500 Internal Server Error"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "errors" && calls.Load() >= 10 && f[1] == "0" {
			t.Errorf("the server's 500s were not counted:\n%s", out.String())
		}
	}

	if code := Main(context.Background(), []string{"bench", "webhook"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("without --url: exit %d, want 2", code)
	}
}

// TestBenchScenariosQuick runs the standard scenarios in their smoke-test
// size: each must finish and print its rows. Timings are not asserted.
func TestBenchScenariosQuick(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	if code := Main(ctx, []string{"bench", "scenarios", "--quick"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out.String(), errOut.String())
	}
	rows := []string{
		"responseNode, 20 clients: executions/s", "responseNode, 20 clients: p50 / p90 / p99 / max",
		"lastNode, 20 clients: executions/s", "lastNode, 1 client: p50 / p99",
		"10 pure nodes, manual, end to end: p50 / p99",
		"all done after", "latest finish after its timer", "peak RSS (whole process)",
		"list 20 workflows, 20 clients: p50 / p99", "get one workflow, 20 clients: p50 / p99",
		"expression {{ $json.id + 1 }} per item, 1 core", "Code node over 1000 items, 1 core",
		"MB of items (100) through 3 nodes",
	}
	for _, r := range rows {
		if !strings.Contains(out.String(), r) {
			t.Errorf("no row %q:\n%s", r, out.String())
		}
	}
	if strings.Contains(out.String(), "failed") {
		t.Errorf("a scenario failed:\n%s", out.String())
	}
}
