package main

import (
	"context"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/devserver"
)

// TestSplitRoles runs `weft worker` and `weft api` as two processes against
// one Temporal server (started by the test, as an external one would be)
// and one database: an execution started through the API process runs on
// the worker process, since nothing else polls the task queue.
func TestSplitRoles(t *testing.T) {
	srv, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, SearchAttributes: temporal.SearchAttributes()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	eachDatabase(t, func(t *testing.T, cfg serveConfig) {
		external := []string{"TEMPORAL_ADDRESS=" + srv.FrontendHostPort()}
		worker := startRole(t, cfg, "worker", external)
		api := startRole(t, cfg, "api", external)
		if strings.Contains(api.log.String(), "temporal_ui") {
			t.Fatal("weft api started an embedded Temporal server")
		}
		c := register(t, api.base, "ann@example.com")
		wf := map[string]any{"name": "split", "nodes": []any{
			map[string]any{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
			map[string]any{"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": []any{200, 0},
				"parameters": map[string]any{"jsCode": "return [{json: {pid: 'worker', n: 41 + 1}}];"}},
		}, "connections": map[string]any{"Start": map[string]any{"main": []any{[]any{map[string]any{"node": "Code", "type": "main", "index": 0}}}}}}
		var created struct {
			ID string `json:"id"`
		}
		c.must(http.StatusCreated, "POST", "/api/workflows", wf, &created)
		var x execution
		c.must(http.StatusCreated, "POST", "/api/workflows/"+created.ID+"/execute?wait=true", nil, &x)
		if x.Status != "success" {
			t.Fatalf("execution %+v\nworker log:\n%s", x, worker.log.String())
		}
		rd := c.runData(x.ID)
		if got := rd.RunData["Code"][0].Output(0); len(got) != 1 || got[0].JSON["n"] != 42.0 {
			t.Fatalf("Code output %+v", got)
		}
		if code := api.signal(syscall.SIGTERM, 10*time.Second); code != 0 {
			t.Fatalf("weft api exit %d", code)
		}
		if code := worker.signal(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Fatalf("weft worker exit %d", code)
		}
	})
}
