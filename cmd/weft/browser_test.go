package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium: WEFT_CHROMIUM, or chromium /
// chromium-browser / google-chrome on PATH. .ci/run installs Debian's
// chromium package when it is missing.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WEFT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: install Debian's chromium package (apt-get install chromium; .ci/run does it as root) " +
		"or set WEFT_CHROMIUM to a Chromium binary; the browser test cannot run without one")
	return ""
}

// dumpDOM loads url in headless Chromium, lets its scripts run, and
// returns the page's DOM as HTML.
func dumpDOM(t *testing.T, browser, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--disable-extensions", "--user-data-dir="+filepath.Join(t.TempDir(), "profile"),
		"--virtual-time-budget=15000", "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	return string(out)
}

// TestBrowserRendersDocsAndTemporalUI: with `weft serve` running, headless
// Chromium opens the API docs page and the Temporal Web UI page of an
// execution, and both render what a person would look for.
func TestBrowserRendersDocsAndTemporalUI(t *testing.T) {
	browser := chromium(t)
	cfg := newServeConfig(t, "")
	p := startWeft(t, cfg)
	c := register(t, p.base, "ann@example.com")
	wf := map[string]any{"name": "browser check", "nodes": []any{
		map[string]any{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
	}, "connections": map[string]any{}}
	var created struct {
		ID string `json:"id"`
	}
	c.must(http.StatusCreated, "POST", "/api/workflows", wf, &created)
	var x struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		TemporalURL string `json:"temporal_ui_url"`
	}
	c.must(http.StatusCreated, "POST", "/api/workflows/"+created.ID+"/execute?wait=true", nil, &x)
	if x.Status != "success" || x.TemporalURL == "" {
		t.Fatalf("execution %+v", x)
	}

	docs := dumpDOM(t, browser, p.base+"/api/docs")
	// What the page's script rendered from /api/openapi.json (none of it
	// is in the page's source).
	if m := regexp.MustCompile(`<body data-endpoints="(\d+)"`).FindStringSubmatch(docs); m == nil || len(m[1]) < 2 {
		t.Errorf("the docs page did not render the endpoints:\n%.3000s", docs)
	}
	for _, want := range []string{`class="path">/api/workflows/{id}/execute<`, `class="path">/api/executions/{id}/stop<`,
		`<h2>Workflows</h2>`, `<h4>Try it</h4>`, `class="path">/api/credentials/{id}/test<`,
		`<span class="method ANY">ANY</span><span class="path">/webhook/{path}<`, `<h4>WebSocket messages (subprotocol weft)</h4>`} {
		if !strings.Contains(docs, want) {
			t.Errorf("the docs page lacks %q:\n%.3000s", want, docs)
		}
	}

	// The Temporal UI renders the execution's workflow as its heading and
	// the run as completed.
	ui := dumpDOM(t, browser, x.TemporalURL)
	for _, want := range []string{">weft-exec-" + x.ID + "<", "weft-exec-" + x.ID + ": Completed"} {
		if !strings.Contains(ui, want) {
			t.Errorf("the Temporal UI page %s lacks %q:\n%.3000s", x.TemporalURL, want, ui)
		}
	}
}
