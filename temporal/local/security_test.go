package local_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
)

func codeWorkflow(id, code string) *nodes.Workflow {
	return &nodes.Workflow{
		ID: id, Name: id,
		Nodes: []*nodes.NodeInstance{
			{Name: "Start", Type: "n8n-nodes-base.manualTrigger", TypeVersion: 1},
			{Name: "Code", Type: "n8n-nodes-base.code", TypeVersion: 2, Parameters: map[string]any{"jsCode": code}},
		},
		Connections: nodes.Connections{"Start": {nodes.ConnectionMain: {{{Node: "Code", Type: nodes.ConnectionMain}}}}},
	}
}

// TestSecurityWorkerKeepsServing runs, on real Temporal, an execution whose
// Code node loops forever next to ordinary executions: the ordinary ones
// finish promptly while the loop runs, and the loop fails with the time
// limit (the engine's default, 5 s) as a node error.
func TestSecurityWorkerKeepsServing(t *testing.T) {
	ctx := testContext(t)
	bad := codeWorkflow("sec-loop", "while (true) {}")
	if err := nodes.ValidateWorkflow(bad); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	var badDone time.Duration
	go func() {
		defer wg.Done()
		x, err := engine.Execute(ctx, bad, nil)
		badDone = time.Since(start)
		if err != nil {
			t.Errorf("looping execution: %v", err)
			return
		}
		if x.Result.Status != nodes.StatusError || x.Result.Error == nil ||
			!strings.Contains(x.Result.Error.Message, "timed out after 5s") || x.Result.LastNodeExecuted != "Code" {
			t.Errorf("looping execution ended %s: %+v", x.Result.Status, x.Result.Error)
		}
	}()
	// Let the loop start, then run ordinary executions while it spins.
	time.Sleep(300 * time.Millisecond)
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		x, err := engine.Execute(ctx, codeWorkflow("sec-ok", "return [{json: {sum: [1, 2, 3].reduce((a, b) => a + b)}}]"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if x.Result.Status != nodes.StatusSuccess {
			t.Fatalf("ordinary execution %d: %s %+v", i, x.Result.Status, x.Result.Error)
		}
		if got := x.RunData["Code"][0].Main()[0][0].JSON["sum"]; got != 6.0 {
			t.Fatalf("ordinary execution %d output %v", i, got)
		}
		if took := time.Since(t0); took > 3*time.Second {
			t.Fatalf("ordinary execution %d took %v while the loop ran", i, took)
		}
	}
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Fatalf("the ordinary executions were not served meanwhile (%v)", elapsed)
	}
	wg.Wait()
	if badDone < 5*time.Second || badDone > 20*time.Second {
		t.Fatalf("the looping execution ended after %v; want just over its 5 s limit", badDone)
	}
}
