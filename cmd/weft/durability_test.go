package main

import (
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
)

// waitThenDouble is Manual Trigger → Wait 5 s → Edit Fields setting
// double = n * 2.
func waitThenDouble() map[string]any {
	conn := func(to string) map[string]any {
		return map[string]any{"main": []any{[]any{map[string]any{"node": to, "type": "main", "index": 0}}}}
	}
	return map[string]any{
		"name": "Wait then double",
		"nodes": []any{
			map[string]any{"id": "t", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
			map[string]any{"id": "w", "name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "position": []any{220, 0},
				"parameters": map[string]any{"resume": "timeInterval", "amount": 5, "unit": "seconds"}},
			map[string]any{"id": "s", "name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": []any{440, 0},
				"parameters": map[string]any{
					"assignments": map[string]any{"assignments": []any{
						map[string]any{"id": "a", "name": "double", "value": "={{ $json.n * 2 }}", "type": "number"},
					}},
					"includeOtherFields": true,
					"options":            map[string]any{},
				}},
		},
		"connections": map[string]any{"Start": conn("Wait"), "Wait": conn("Set")},
		"settings":    map[string]any{"executionOrder": "v1"},
	}
}

// listExecutions reads every execution of a workflow (one page of up to
// 250).
func (c *apiClient) listExecutions(workflowID string) []execution {
	c.t.Helper()
	var l struct {
		Data       []execution `json:"data"`
		NextCursor string      `json:"next_cursor"`
	}
	c.must(http.StatusOK, "GET", "/api/executions?limit=250&workflow_id="+workflowID, nil, &l)
	if l.NextCursor != "" {
		c.t.Fatal("more executions than one page holds")
	}
	return l.Data
}

// waitForExecutions polls the workflow's executions until ok accepts every
// one of them (and there are want), or fails after limit.
func (c *apiClient) waitForExecutions(workflowID string, want int, limit time.Duration, ok func(execution) bool) []execution {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		xs := c.listExecutions(workflowID)
		n := 0
		for _, x := range xs {
			if ok(x) {
				n++
			}
		}
		if n == want && len(xs) == want {
			return xs
		}
		if time.Now().After(deadline) {
			counts := map[string]int{}
			for _, x := range xs {
				counts[x.Status]++
			}
			c.t.Fatalf("after %s: %d executions, statuses %v", limit, len(xs), counts)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestDurabilityAcrossKill starts executions that wait on a timer, kills
// the process with SIGKILL while they wait, starts it again on the same
// data and checks that every execution finishes once, with its own result.
func TestDurabilityAcrossKill(t *testing.T) {
	const executions = 20
	eachDatabase(t, func(t *testing.T, cfg serveConfig) {
		p := startWeft(t, cfg)
		user := register(t, p.base, "durable@example.com")
		var wf struct {
			ID string `json:"id"`
		}
		user.must(http.StatusCreated, "POST", "/api/workflows", waitThenDouble(), &wf)
		n := map[string]int{} // execution id → its input n
		for i := range executions {
			var x execution
			user.must(http.StatusCreated, "POST", "/api/workflows/"+wf.ID+"/execute",
				map[string]any{"items": []any{map[string]any{"n": 100 + i}}}, &x)
			n[x.ID] = 100 + i
		}
		user.waitForExecutions(wf.ID, executions, 30*time.Second, func(x execution) bool {
			return x.Status == nodes.StatusWaiting || x.Status == nodes.StatusRunning
		})
		if code := p.signal(syscall.SIGKILL, 10*time.Second); code != -int(syscall.SIGKILL) {
			t.Fatalf("weft serve exited %d, not killed", code)
		}

		killed := time.Now()
		p = startWeft(t, cfg)
		t.Logf("restarted in %s", time.Since(killed))
		user.base = p.base
		xs := user.waitForExecutions(wf.ID, executions, 60*time.Second, func(x execution) bool {
			return persistenceFinal(x.Status)
		})
		t.Logf("all finished %s after the kill", time.Since(killed))
		for _, x := range xs {
			t.Run(x.ID, func(t *testing.T) {
				user := *user
				user.t = t
				want, ok := n[x.ID]
				if !ok {
					t.Fatal("an execution nobody started")
				}
				if x.Status != nodes.StatusSuccess || x.FinishedAt == nil {
					t.Fatalf("status %s (error %v), finished %v", x.Status, x.Error, x.FinishedAt)
				}
				rd := user.runData(x.ID).RunData
				for node, runs := range map[string]int{"Start": 1, "Wait": 1, "Set": 1} {
					if len(rd[node]) != runs {
						t.Errorf("%s ran %d times, want %d", node, len(rd[node]), runs)
					}
				}
				set := rd["Set"]
				if len(set) != 1 {
					return
				}
				out := set[0].Output(0)
				if len(out) != 1 || out[0].JSON["n"] != float64(want) || out[0].JSON["double"] != float64(2*want) {
					t.Errorf("Set output %v, want n=%d double=%d", fmt.Sprint(out), want, 2*want)
				}
			})
		}
		if code := p.signal(syscall.SIGTERM, 20*time.Second); code != 0 {
			t.Fatalf("weft serve exited %d after SIGTERM", code)
		}
	})
}

// persistenceFinal reports whether an execution status is final.
func persistenceFinal(status string) bool {
	switch status {
	case nodes.StatusSuccess, nodes.StatusError, nodes.StatusCanceled, nodes.StatusCrashed:
		return true
	}
	return false
}
