package temporal

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/weft/weft/nodes"
)

// UpdateWebhookResponse is the Update a webhook call in responseNode mode
// sends with the execution's start (Update-with-Start): the interpreter
// answers it with the first Respond to Webhook node's response, or, when
// the execution ends without one, with WebhookReply.Ended set.
const UpdateWebhookResponse = "weft.webhookResponse"

// WebhookTrigger describes the webhook call that started an execution.
type WebhookTrigger struct {
	// Node is the Webhook node called.
	Node string `json:"node"`
	// Method is the call's HTTP method; a Webhook node that listens to
	// several methods sends the item to that method's output.
	Method string `json:"method"`
	// ResponseMode is the node's responseMode; with responseNode the
	// interpreter answers UpdateWebhookResponse.
	ResponseMode string `json:"responseMode"`
}

// WebhookReply is what UpdateWebhookResponse returns.
type WebhookReply struct {
	// Response is the Respond to Webhook node's answer.
	Response *nodes.WebhookResponse `json:"response,omitempty"`
	// Ended is set when the execution ended before any Respond to Webhook
	// node answered; Status is how it ended.
	Ended  bool   `json:"ended,omitempty"`
	Status string `json:"status,omitempty"`
}

// InlineResponseBytes is the largest response body that travels inline
// through Temporal; larger ones are kept in the run store and passed by
// reference (nodes.WebhookBodyRef).
const InlineResponseBytes = 256 << 10

// webhookResponseNode is the pseudo-node under which large response bodies
// are stored.
const webhookResponseNode = "$webhookResponse"

// webhookState is the interpreter's side of a responseNode call.
type webhookState struct {
	reply *WebhookReply
}

// setupWebhook registers the UpdateWebhookResponse handler when the
// execution answers a webhook call through a Respond to Webhook node.
// Registering a handler issues no command, and executions started
// otherwise never reach it, so older histories replay unchanged.
func (ip *interpreter) setupWebhook(ctx workflow.Context) error {
	if ip.in.Webhook == nil || ip.in.Webhook.ResponseMode != nodes.ResponseNode {
		return nil
	}
	ip.webhook = &webhookState{}
	return workflow.SetUpdateHandler(ctx, UpdateWebhookResponse, func(ctx workflow.Context) (*WebhookReply, error) {
		if err := workflow.Await(ctx, func() bool { return ip.webhook.reply != nil }); err != nil {
			return nil, err
		}
		return ip.webhook.reply, nil
	})
}

// noteResponse keeps the first answer of a Respond to Webhook node.
func (ip *interpreter) noteResponse(res *NodeResult) {
	if ip.webhook == nil || ip.webhook.reply != nil || res == nil || res.Response == nil {
		return
	}
	ip.webhook.reply = &WebhookReply{Response: res.Response}
}

// webhookEnded answers a call still waiting when the execution ends, and
// lets its update handler return before the workflow completes.
func (ip *interpreter) webhookEnded(ctx workflow.Context, status string) {
	if ip.webhook == nil {
		return
	}
	if ip.webhook.reply == nil {
		ip.webhook.reply = &WebhookReply{Ended: true, Status: status}
	}
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// webhookPending reports whether a webhook call still waits for its answer
// from this run: the run must not continue as new before it has it.
func (ip *interpreter) webhookPending(ctx workflow.Context) bool {
	return ip.webhook != nil && (ip.webhook.reply == nil || !workflow.AllHandlersFinished(ctx))
}

// webhookResponse returns the answer a Respond to Webhook run left, with
// a body too large to travel inline moved into the store. Other nodes'
// runs give nil.
func (a *Activities) webhookResponse(ctx context.Context, req NodeRequest, node *nodes.NodeInstance, run *nodes.NodeRun) (*nodes.WebhookResponse, error) {
	if node.Type != nodes.RespondToWebhookType || run == nil || run.ExecutionStatus != nodes.StatusSuccess {
		return nil, nil
	}
	r := nodes.WebhookResponseOf(run)
	if r == nil || len(r.Body) <= InlineResponseBytes {
		return r, nil
	}
	it := nodes.NewItem(nil)
	it.Binary = map[string]*nodes.Binary{"data": {Data: base64.StdEncoding.EncodeToString(r.Body)}}
	stored := &nodes.NodeRun{StartTime: time.Now().UnixMilli(), ExecutionStatus: nodes.StatusSuccess, Source: []*nodes.SourceRef{},
		Data: map[string][][]nodes.Item{nodes.ConnectionMain: {{it}}}}
	if err := a.Store.SaveRun(ctx, req.ExecutionID, webhookResponseNode, 0, stored); err != nil {
		return nil, fmt.Errorf("store the webhook response of execution %s: %w", req.ExecutionID, err)
	}
	r.BodyRef = &nodes.WebhookBodyRef{ExecutionID: req.ExecutionID, Node: webhookResponseNode, Bytes: len(r.Body)}
	r.Body = nil
	return r, nil
}

// ResponseBody returns a response's body, reading it from the store when it
// was kept there.
func ResponseBody(ctx context.Context, store nodes.RunStore, r *nodes.WebhookResponse) ([]byte, error) {
	if r.BodyRef == nil {
		return r.Body, nil
	}
	run, err := store.LoadRun(ctx, r.BodyRef.ExecutionID, r.BodyRef.Node, 0)
	if err != nil {
		return nil, fmt.Errorf("load the webhook response of execution %s: %w", r.BodyRef.ExecutionID, err)
	}
	out := run.Output(0)
	if len(out) == 0 || out[0].Binary["data"] == nil {
		return nil, fmt.Errorf("the webhook response of execution %s is empty", r.BodyRef.ExecutionID)
	}
	return base64.StdEncoding.DecodeString(out[0].Binary["data"].Data)
}

// StartForResponse starts an execution whose webhook call waits for a
// Respond to Webhook node, with Temporal's Update-with-Start: the start and
// the UpdateWebhookResponse update go in one request, so the answer comes
// from the workflow itself, whichever worker runs it. It returns once
// Temporal has started the execution and accepted the update; the returned
// function then waits for the answer until its ctx ends.
func (c *Client) StartForResponse(ctx context.Context, in ExecutionInput, opts StartOptions) (func(context.Context) (*WebhookReply, error), error) {
	so, err := c.startOptions(ctx, &in, opts)
	if err != nil {
		return nil, err
	}
	// Update-with-Start needs a conflict policy; a start retried after a
	// lost answer joins the execution it started.
	so.WorkflowIDConflictPolicy = enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	so.WorkflowExecutionErrorWhenAlreadyStarted = false
	so.EnableEagerStart = false
	op := c.Temporal.NewWithStartWorkflowOperation(so, WorkflowName, in)
	h, err := c.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   UpdateWebhookResponse,
			WaitForStage: client.WorkflowUpdateStageAccepted,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("start execution %s: %w", in.ExecutionID, err)
	}
	return func(ctx context.Context) (*WebhookReply, error) {
		var reply WebhookReply
		if err := h.Get(ctx, &reply); err != nil {
			return nil, err
		}
		return &reply, nil
	}, nil
}
