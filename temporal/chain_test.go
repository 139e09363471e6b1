package temporal_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/weft/weft/nodes"
)

// localActivities lists the activity types of an execution's local
// activities, in history order.
func localActivities(t *testing.T, executionID string) []string {
	t.Helper()
	var out []string
	for _, e := range history(t, executionID) {
		m := e.GetMarkerRecordedEventAttributes()
		if m == nil || m.GetMarkerName() != "LocalActivity" {
			continue
		}
		var data struct{ ActivityType string }
		payloads := m.GetDetails()["data"].GetPayloads()
		if len(payloads) == 0 || json.Unmarshal(payloads[0].GetData(), &data) != nil {
			t.Fatalf("local activity marker without readable data: %v", m)
		}
		out = append(out, data.ActivityType)
	}
	return out
}

// line builds a workflow of nodes connected one after the other: each spec
// is "Name:type" with optional ",retry" (retryOnFail, 3 tries) and
// parameters as JSON after "|".
func line(t *testing.T, specs ...string) *nodes.Workflow {
	t.Helper()
	var ns []string
	conns := map[string]any{}
	prev := ""
	for i, spec := range specs {
		spec, params, _ := strings.Cut(spec, "|")
		if params == "" {
			params = "{}"
		}
		name, typ, _ := strings.Cut(spec, ":")
		typ, retry := strings.CutSuffix(typ, ",retry")
		extra := ""
		if retry {
			extra = `,"retryOnFail":true,"maxTries":3,"waitBetweenTries":0`
		}
		ns = append(ns, fmt.Sprintf(`{"name":%q,"type":%q,"typeVersion":1,"position":[%d,0],"parameters":%s%s}`, name, typ, i*200, params, extra))
		if prev != "" {
			conns[prev] = map[string]any{"main": [][]map[string]any{{{"node": name, "type": "main", "index": 0}}}}
		}
		prev = name
	}
	c, _ := json.Marshal(conns)
	raw := fmt.Sprintf(`{"name":"line","nodes":[%s],"connections":%s}`, strings.Join(ns, ","), c)
	w, err := nodes.ParseWorkflow([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	w.ID = uuid.NewString()
	return w
}

// TestChains checks which nodes share a local activity: consecutive pure
// nodes do; an I/O node, a pure node with retry on fail, a failure and a
// Respond to Webhook node end a chain; the results are those of running
// each node on its own.
func TestChains(t *testing.T) {
	const finished, chain = "ExecutionFinished", "RunChain"
	t.Run("ten pure nodes are one local activity", func(t *testing.T) {
		x := execute(t, "chain10")
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9")
		// The chain records the start and the end too.
		if got, want := localActivities(t, x.ID), []string{chain}; !slices.Equal(got, want) {
			t.Fatalf("local activities %v, want %v", got, want)
		}
		wantRecorded(t, x.ID, "running", "success")
		if recs := engine.Recorder.Records(x.ID); recs[1].LastNodeExecuted != "N9" {
			t.Fatalf("recorded end %+v, want N9 as the last node", recs[1])
		}
		for i, node := range x.Order() {
			if r := x.RunData[node][0]; r.ExecutionIndex != i || r.ExecutionStatus != nodes.StatusSuccess {
				t.Fatalf("%s: execution index %d, status %s", node, r.ExecutionIndex, r.ExecutionStatus)
			}
		}
	})
	t.Run("an I/O node and retry on fail end a chain", func(t *testing.T) {
		w := line(t, "Start:n8n-nodes-base.manualTrigger", "A:n8n-nodes-base.noOp", `B:weft-test.flaky|{"failures":0}`,
			"C:n8n-nodes-base.noOp", `D:weft-test.flakyPure,retry|{"failures":1}`, "E:n8n-nodes-base.noOp")
		x, err := engine.Execute(testContext(t), w, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "A", "B", "C", "D", "E")
		// The start, Start and A; then B as a regular activity; C alone (D
		// cannot follow it); then D with its retry, E after it and the end.
		if got, want := localActivities(t, x.ID), []string{chain, chain, chain}; !slices.Equal(got, want) {
			t.Fatalf("local activities %v, want %v", got, want)
		}
		if n := flakyAttempts(x.ID, "D", 0); n != 2 {
			t.Fatalf("D ran %d times, want 2 (one failure, one success)", n)
		}
	})
	t.Run("a failure ends a chain and the execution", func(t *testing.T) {
		w := line(t, "Start:n8n-nodes-base.manualTrigger", "A:n8n-nodes-base.noOp", `Fail:weft-test.fail|{"message":"boom"}`, "B:n8n-nodes-base.noOp")
		x, err := engine.Execute(testContext(t), w, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, x, nodes.StatusError)
		wantOrder(t, x, "Start", "A", "Fail")
		if x.Result.Error == nil || x.Result.Error.Message != "boom" || x.Result.LastNodeExecuted != "Fail" {
			t.Fatalf("result %+v", x.Result)
		}
		// A failure is recorded by the interpreter, after the chain.
		if got, want := localActivities(t, x.ID), []string{chain, finished}; !slices.Equal(got, want) {
			t.Fatalf("local activities %v, want %v", got, want)
		}
		wantRecorded(t, x.ID, "running", "error")
	})
	t.Run("an execution that ends on an I/O node records its end on its own", func(t *testing.T) {
		w := line(t, "Start:n8n-nodes-base.manualTrigger", `B:weft-test.flaky|{"failures":0}`)
		x, err := engine.Execute(testContext(t), w, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, x, nodes.StatusSuccess)
		if got, want := localActivities(t, x.ID), []string{chain, finished}; !slices.Equal(got, want) {
			t.Fatalf("local activities %v, want %v", got, want)
		}
		wantRecorded(t, x.ID, "running", "success")
	})
	t.Run("Respond to Webhook ends a chain", func(t *testing.T) {
		w := line(t, "Start:n8n-nodes-base.manualTrigger", `Respond:n8n-nodes-base.respondToWebhook|{"respondWith":"firstIncomingItem"}`,
			"After:n8n-nodes-base.noOp")
		x, err := engine.Execute(testContext(t), w, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "Respond", "After")
		if got, want := localActivities(t, x.ID), []string{chain, chain}; !slices.Equal(got, want) {
			t.Fatalf("local activities %v, want %v", got, want)
		}
	})
}

// wantRecorded checks the states an execution recorded, in order.
func wantRecorded(t *testing.T, executionID string, want ...string) {
	t.Helper()
	if got := recordedStatuses(executionID); !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
}
