package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
)

// approval is Manual Trigger → Edit Fields keeping $execution.resumeUrl →
// Wait for a POST to the resume URL.
func approval() map[string]any {
	conn := func(to string) map[string]any {
		return map[string]any{"main": []any{[]any{map[string]any{"node": to, "type": "main", "index": 0}}}}
	}
	return map[string]any{
		"name": "Approval",
		"nodes": []any{
			map[string]any{"id": "t", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
			map[string]any{"id": "u", "name": "Url", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": []any{220, 0},
				"parameters": map[string]any{
					"assignments": map[string]any{"assignments": []any{
						map[string]any{"id": "a", "name": "url", "value": "={{ $execution.resumeUrl }}", "type": "string"},
					}},
					"options": map[string]any{},
				}},
			map[string]any{"id": "w", "name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "position": []any{440, 0},
				"parameters": map[string]any{"resume": "webhook", "httpMethod": "POST"}},
		},
		"connections": map[string]any{"Start": conn("Url"), "Url": conn("Wait")},
		"settings":    map[string]any{"executionOrder": "v1"},
	}
}

// TestResumeAfterRestart starts an execution that waits for a call of its
// resume URL, stops weft serve, starts it again on the same data and calls
// the URL: the execution completes with the call's body.
func TestResumeAfterRestart(t *testing.T) {
	eachDatabase(t, func(t *testing.T, cfg serveConfig) {
		p := startWeft(t, cfg)
		user := register(t, p.base, "resume@example.com")
		var wf struct {
			ID string `json:"id"`
		}
		user.must(http.StatusCreated, "POST", "/api/workflows", approval(), &wf)
		var x execution
		user.must(http.StatusCreated, "POST", "/api/workflows/"+wf.ID+"/execute", nil, &x)
		user.waitForExecutions(wf.ID, 1, 30*time.Second, func(x execution) bool { return x.Status == nodes.StatusWaiting })

		rd := user.runData(x.ID).RunData
		url, _ := rd["Url"][0].Output(0)[0].JSON["url"].(string)
		if url != "http://localhost:"+strconv.Itoa(cfg.port)+"/webhook-waiting/"+x.ID {
			t.Fatalf("$execution.resumeUrl is %q", url)
		}
		if code := p.signal(syscall.SIGKILL, 10*time.Second); code != -int(syscall.SIGKILL) {
			t.Fatalf("weft serve exited %d, not killed", code)
		}
		p = startWeft(t, cfg)
		user.base = p.base

		caller := &apiClient{t: t, base: p.base}
		status, body := caller.call("POST", "/webhook-waiting/"+x.ID, map[string]any{"decision": "yes"})
		if status != http.StatusOK || !strings.Contains(string(body), "Workflow was started") {
			t.Fatalf("resume call: %d %s", status, body)
		}
		xs := user.waitForExecutions(wf.ID, 1, 30*time.Second, func(x execution) bool { return persistenceFinal(x.Status) })
		if xs[0].Status != nodes.StatusSuccess {
			t.Fatalf("resumed execution %+v", xs[0])
		}
		wait := user.runData(x.ID).RunData["Wait"]
		if len(wait) != 1 {
			t.Fatalf("Wait ran %d times", len(wait))
		}
		got, _ := json.Marshal(wait[0].Output(0))
		if !strings.Contains(string(got), `"body":{"decision":"yes"}`) {
			t.Fatalf("Wait output %s", got)
		}
		status, body = caller.call("POST", "/webhook-waiting/"+x.ID, map[string]any{"decision": "again"})
		if status != http.StatusConflict || !strings.Contains(string(body), "finished already") {
			t.Fatalf("second call: %d %s", status, body)
		}
		if code := p.signal(syscall.SIGTERM, 20*time.Second); code != 0 {
			t.Fatalf("weft serve exited %d after SIGTERM", code)
		}
	})
}
