package temporal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

// chain builds a workflow whose nodes run one after the other; each node
// is {name, type, typeVersion, parameters}.
func chain(t *testing.T, id, name string, ns ...*nodes.NodeInstance) *nodes.Workflow {
	t.Helper()
	w := &nodes.Workflow{ID: id, Name: name, Connections: nodes.Connections{}, Settings: nodes.Settings{ExecutionOrder: "v1"}}
	for i, n := range ns {
		n.Position = [2]float64{float64(i) * 200, 0}
		if n.Parameters == nil {
			n.Parameters = map[string]any{}
		}
		w.Nodes = append(w.Nodes, n)
		if i > 0 {
			w.Connections[ns[i-1].Name] = map[string][][]nodes.Connection{
				nodes.ConnectionMain: {{{Node: n.Name, Type: nodes.ConnectionMain}}}}
		}
	}
	if err := nodes.ValidateWorkflow(w); err != nil {
		t.Fatal(err)
	}
	return w
}

func node(name, typ string, version float64, params map[string]any) *nodes.NodeInstance {
	return &nodes.NodeInstance{Name: name, Type: typ, TypeVersion: version, Parameters: params}
}

// startOn starts w as a new execution and returns its id.
func startOn(t *testing.T, ctx context.Context, w *nodes.Workflow, mode string, items []nodes.Item) string {
	t.Helper()
	version := uuid.NewString()
	engine.Definitions.Put(version, w)
	id := uuid.NewString()
	in := temporal.ExecutionInput{ExecutionID: id, WorkflowID: w.ID, VersionID: version, Mode: mode, Workflow: w, TriggerItems: items}
	if _, err := engine.Client.Start(ctx, in, temporal.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	return id
}

// waitLive polls an execution's live status until it waits for a resume
// call.
func waitLive(t *testing.T, ctx context.Context, id string) temporal.LiveStatus {
	t.Helper()
	for {
		live, err := engine.Client.Live(ctx, id)
		if err == nil && live.Resume != nil {
			return live
		}
		select {
		case <-ctx.Done():
			t.Fatalf("execution %s never waited for a call (last %+v, %v)", id, live, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func webhookWait(extra map[string]any) *nodes.NodeInstance {
	p := map[string]any{"resume": "webhook", "httpMethod": "POST"}
	for k, v := range extra {
		p[k] = v
	}
	return node("Wait", "n8n-nodes-base.wait", 1.1, p)
}

func TestWaitWebhookResume(t *testing.T) {
	ctx := testContext(t)
	w := chain(t, "", "resume",
		node("Start", "n8n-nodes-base.manualTrigger", 1, nil),
		webhookWait(map[string]any{"options": map[string]any{"webhookSuffix": "approve"}}),
		node("After", "n8n-nodes-base.noOp", 1, nil))
	id := startOn(t, ctx, w, nodes.ModeManual, nil)
	live := waitLive(t, ctx, id)
	if live.Status != nodes.StatusWaiting || !live.WaitTill.IsZero() || live.Resume.Method != "POST" || live.Resume.Suffix != "approve" || live.Resume.Node != "Wait" {
		t.Fatalf("live status %+v", live)
	}
	if st, err := engine.Client.Status(ctx, id); err != nil || st != nodes.StatusWaiting {
		t.Fatalf("status %q %v", st, err)
	}
	// A signal for another wait is dropped; the right one resumes.
	stale := temporal.ResumeSignal{Key: "Wait#7", Item: nodes.NewItem(map[string]any{"body": "stale"})}
	if err := engine.Client.Resume(ctx, id, stale); err != nil {
		t.Fatal(err)
	}
	call := nodes.NewItem(map[string]any{"headers": map[string]any{}, "params": map[string]any{}, "query": map[string]any{},
		"body": map[string]any{"approved": true}})
	if err := engine.Client.Resume(ctx, id, temporal.ResumeSignal{Key: live.Resume.Key, Item: call}); err != nil {
		t.Fatal(err)
	}
	res, err := engine.Client.Result(ctx, id)
	if err != nil || res.Status != nodes.StatusSuccess {
		t.Fatalf("result %+v %v", res, err)
	}
	rd, err := engine.Store.LoadRunData(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	x := executionOf(id, res, rd)
	if got := outputs(t, x, "After", 0); !strings.Contains(got, `"body":{"approved":true}`) {
		t.Fatalf("After got %s", got)
	}
	if err := engine.Client.Resume(ctx, id, temporal.ResumeSignal{Key: live.Resume.Key, Item: call}); nodes.ErrorCode(err) != nodes.CodeNotFound {
		t.Fatalf("resuming a finished execution: %v", err)
	}
	recs := engine.Recorder.Records(id)
	var waited bool
	for _, r := range recs {
		waited = waited || (r.Status == nodes.StatusWaiting && r.WaitTill.IsZero())
	}
	if !waited {
		t.Fatalf("no waiting record without a limit: %+v", recs)
	}
}

func TestWaitWebhookTimeLimit(t *testing.T) {
	ctx := testContext(t)
	w := chain(t, "", "limit",
		node("Start", "n8n-nodes-base.manualTrigger", 1, nil),
		webhookWait(map[string]any{"limitWaitTime": true, "limitType": "afterTimeInterval", "resumeAmount": 1, "resumeUnit": "seconds"}),
		node("After", "n8n-nodes-base.noOp", 1, nil))
	id := startOn(t, ctx, w, nodes.ModeManual, []nodes.Item{nodes.NewItem(map[string]any{"n": 1.0})})
	live := waitLive(t, ctx, id)
	if live.WaitTill.IsZero() {
		t.Fatalf("no wait till with a limit: %+v", live)
	}
	res, err := engine.Client.Result(ctx, id)
	if err != nil || res.Status != nodes.StatusSuccess {
		t.Fatalf("result %+v %v", res, err)
	}
	rd, _ := engine.Store.LoadRunData(ctx, id)
	if got := outputs(t, executionOf(id, res, rd), "Wait", 0); got != `[[{"n":1}]]` {
		t.Fatalf("Wait output after the limit %s, want its input", got)
	}
}

func TestWaitWebhookStop(t *testing.T) {
	ctx := testContext(t)
	w := chain(t, "", "stop",
		node("Start", "n8n-nodes-base.manualTrigger", 1, nil),
		webhookWait(nil),
		node("After", "n8n-nodes-base.noOp", 1, nil))
	id := startOn(t, ctx, w, nodes.ModeManual, nil)
	waitLive(t, ctx, id)
	if err := engine.Client.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	res, err := engine.Client.Result(ctx, id)
	if err != nil || res.Status != nodes.StatusCanceled {
		t.Fatalf("result %+v %v", res, err)
	}
	rd, _ := engine.Store.LoadRunData(ctx, id)
	if runs := rd["Wait"]; len(runs) != 1 || runs[0].ExecutionStatus != nodes.StatusCanceled {
		t.Fatalf("Wait runs %+v", runs)
	}
	if _, ran := rd["After"]; ran {
		t.Fatal("After ran after the stop")
	}
}
