package temporal_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

// TestReplies checks how a webhook call hears its answer: from the worker
// in the process (the Respond to Webhook node's answer while the execution
// goes on, or its end), and through Temporal when the worker that runs
// the execution is not the local one (the update while it runs, its run
// data once it has ended).
func TestReplies(t *testing.T) {
	local := temporal.NewReplies()
	engine.Activities.Replies = local
	t.Cleanup(func() { engine.Activities.Replies = nil })
	// A Replies no worker delivers to: a process whose worker did not run
	// the execution.
	elsewhere := temporal.NewReplies()
	fast := *engine.Client
	fast.ReplyGrace = 100 * time.Millisecond
	// A client that never asks Temporal within the test: only the local
	// worker can answer it.
	localOnly := *engine.Client
	localOnly.ReplyGrace = time.Hour
	within := func(t *testing.T) context.Context {
		ctx, cancel := context.WithTimeout(testContext(t), 10*time.Second)
		t.Cleanup(cancel)
		return ctx
	}

	respondThen := func(after string) *nodes.Workflow {
		return line(t, "Start:n8n-nodes-base.manualTrigger", `Respond:n8n-nodes-base.respondToWebhook|{"respondWith":"firstIncomingItem"}`, after)
	}
	input := func(w *nodes.Workflow, mode string) temporal.ExecutionInput {
		version := uuid.NewString()
		engine.Definitions.Put(version, w)
		return temporal.ExecutionInput{ExecutionID: uuid.NewString(), WorkflowID: w.ID, VersionID: version, Mode: nodes.ModeWebhook,
			Workflow: w, TriggerItems: []nodes.Item{nodes.NewItem(map[string]any{"order": 7.0})},
			Webhook: &temporal.WebhookTrigger{Node: "Start", Method: "POST", ResponseMode: mode}}
	}
	wantBody := func(t *testing.T, r *temporal.WebhookReply) {
		t.Helper()
		if r == nil || r.Response == nil {
			t.Fatalf("reply %+v, want the Respond node's answer", r)
		}
		var got map[string]any
		if err := json.Unmarshal(r.Response.Body, &got); err != nil || got["order"] != 7.0 {
			t.Fatalf("answer %s (%v)", r.Response.Body, err)
		}
	}
	// answer starts in with c and returns the answer it hears.
	answer := func(t *testing.T, c *temporal.Client, ctx context.Context, in temporal.ExecutionInput, replies *temporal.Replies, wantResponse bool) *temporal.WebhookReply {
		t.Helper()
		await, err := c.StartWithReply(testContext(t), in, temporal.StartOptions{}, replies, wantResponse)
		if err != nil {
			t.Fatal(err)
		}
		r, err := await(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	running := func(t *testing.T, id string) {
		t.Helper()
		if st, err := engine.Client.Status(testContext(t), id); err != nil || st != nodes.StatusRunning {
			t.Fatalf("the execution is %q (%v) when its answer came, want running", st, err)
		}
	}

	t.Run("the local worker answers while the execution goes on", func(t *testing.T) {
		in := input(respondThen(`After:weft-test.sleep|{"ms":2000}`), nodes.ResponseNode)
		r := answer(t, &localOnly, within(t), in, local, true)
		wantBody(t, r)
		running(t, in.ExecutionID)
	})
	t.Run("lastNode waits for the end, not for Respond to Webhook", func(t *testing.T) {
		in := input(respondThen(`After:weft-test.sleep|{"ms":300}`), nodes.ResponseLastNode)
		r := answer(t, &localOnly, within(t), in, local, false)
		if !r.Ended || r.Status != nodes.StatusSuccess || r.Response != nil {
			t.Fatalf("reply %+v, want the end", r)
		}
		recs := engine.Recorder.Records(in.ExecutionID)
		if len(recs) == 0 || recs[len(recs)-1].Status != nodes.StatusSuccess {
			t.Fatalf("answered before the end was recorded: %+v", recs)
		}
	})
	t.Run("another worker: the update answers while the execution goes on", func(t *testing.T) {
		in := input(respondThen(`After:weft-test.sleep|{"ms":3000}`), nodes.ResponseNode)
		r := answer(t, &fast, testContext(t), in, elsewhere, true)
		wantBody(t, r)
		running(t, in.ExecutionID)
	})
	t.Run("another worker: the run data answers once the execution has ended", func(t *testing.T) {
		fast := fast
		fast.ReplyGrace = time.Second
		in := input(respondThen("After:n8n-nodes-base.noOp"), nodes.ResponseNode)
		r := answer(t, &fast, testContext(t), in, elsewhere, true)
		wantBody(t, r)
	})
	t.Run("another worker: an execution that ends without answering", func(t *testing.T) {
		w := line(t, "Start:n8n-nodes-base.manualTrigger", `Fail:weft-test.fail|{"message":"boom"}`)
		in := input(w, nodes.ResponseNode)
		r := answer(t, &fast, testContext(t), in, elsewhere, true)
		if !r.Ended || r.Status != nodes.StatusError || r.Response != nil {
			t.Fatalf("reply %+v, want the end with status error", r)
		}
	})
}
