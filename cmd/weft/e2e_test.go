package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal/conformance"
	"github.com/weft/weft/temporal/local"
)

// e2eCases are conformance cases run through the whole product: one per
// family of behaviour (a join, paired items through Code, branching, a
// loop, a failing execution).
var e2eCases = []string{
	"merge-combine-fields",
	"code-paired-item-auto",
	"if-number-gt",
	"loop-batches",
	"stop-and-error",
}

// corpusCase reads a conformance case and its workflow as n8n exported it.
func corpusCase(t *testing.T, name string) (*conformance.Case, json.RawMessage) {
	t.Helper()
	dir, err := conformance.FindCorpus(".")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".json")
	c, err := conformance.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Workflow json.RawMessage `json:"workflow"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return c, raw.Workflow
}

// runData reads GET /api/executions/:id/data.
func (c *apiClient) runData(id string) nodes.ResultData {
	c.t.Helper()
	var v struct {
		Data struct {
			ResultData nodes.ResultData `json:"resultData"`
		} `json:"data"`
	}
	c.must(http.StatusOK, "GET", "/api/executions/"+id+"/data", nil, &v)
	return v.Data.ResultData
}

// TestServeEndToEnd boots the weft binary, imports n8n workflows through
// the API, runs them and compares the run data with what n8n produced; then
// stops the process with SIGTERM.
func TestServeEndToEnd(t *testing.T) {
	eachDatabase(t, func(t *testing.T, cfg serveConfig) {
		// PostgreSQL is reached through a proxy, so the test can take it
		// away from the running process.
		var db *tcpProxy
		if cfg.databaseURL != "" {
			u, err := url.Parse(cfg.databaseURL)
			if err != nil {
				t.Fatal(err)
			}
			db = newTCPProxy(t, u.Host)
			u.Host = db.addr
			cfg.databaseURL = u.String()
		}
		p := startWeft(t, cfg)
		log := p.log.String()
		for _, addr := range []string{"http://localhost:" + strconv.Itoa(cfg.port), "http://127.0.0.1:" + strconv.Itoa(cfg.uiPort)} {
			if !strings.Contains(log, addr) {
				t.Errorf("startup log does not name %s:\n%s", addr, log)
			}
		}
		if resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(cfg.uiPort) + "/"); err != nil {
			t.Errorf("temporal UI: %v", err)
		} else {
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("temporal UI answers %d", resp.StatusCode)
			}
		}

		user := register(t, p.base, "e2e@example.com")
		for _, name := range e2eCases {
			t.Run(name, func(t *testing.T) {
				user := *user
				user.t = t
				c, wf := corpusCase(t, name)
				var created struct {
					ID string `json:"id"`
				}
				user.must(http.StatusCreated, "POST", "/api/workflows", wf, &created)
				var x execution
				user.must(http.StatusCreated, "POST", "/api/workflows/"+created.ID+"/execute?wait=true", nil, &x)
				if x.Status != c.Expected.Status || x.FinishedAt == nil || x.ExecutionTimeMs == nil || x.Mode != nodes.ModeManual {
					t.Fatalf("execution %+v, want status %s, finished", x, c.Expected.Status)
				}
				if (x.Status == nodes.StatusError) != (x.Error != nil) {
					t.Errorf("status %s with error %v", x.Status, x.Error)
				}
				rd := user.runData(x.ID)
				got := &conformance.Outcome{Status: x.Status, Order: local.Order(rd.RunData), RunData: rd.RunData}
				for _, d := range conformance.Compare(c, got) {
					t.Error(d)
				}
				if rd.LastNodeExecuted == "" || (x.Status == nodes.StatusError) != (rd.Error != nil) {
					t.Errorf("resultData: lastNodeExecuted %q, error %+v", rd.LastNodeExecuted, rd.Error)
				}
			})
		}

		if db != nil {
			t.Run("healthz while the database is down", func(t *testing.T) {
				db.cut()
				health := &apiClient{t: t, base: p.base}
				status, body := health.call("GET", "/healthz", nil)
				if status != http.StatusServiceUnavailable || !strings.Contains(string(body), `"database":"unreachable"`) {
					t.Fatalf("healthz: %d %s", status, body)
				}
				db.restore()
				// The pool reconnects on demand; an operator's probe sees
				// recovery within a few seconds.
				deadline := time.Now().Add(5 * time.Second)
				for {
					status, body := health.call("GET", "/healthz", nil)
					if status == http.StatusOK {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("healthz once the database is back: %d %s", status, body)
					}
					time.Sleep(100 * time.Millisecond)
				}
			})
		}

		if code := p.signal(syscall.SIGTERM, 10*time.Second); code != 0 {
			t.Fatalf("weft serve exited %d after SIGTERM:\n%s", code, p.log.String())
		}
		if !strings.Contains(p.log.String(), "weft stopped") {
			t.Errorf("no orderly shutdown in the log:\n%s", p.log.String())
		}
	})
}
