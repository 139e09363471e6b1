package temporal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/weft/weft/nodes"
)

// SignalResume is the signal a call of an execution's resume URL
// (/webhook-waiting/<execution id>) sends its interpreter, with a
// ResumeSignal.
const SignalResume = "weft.resume"

// DefaultPublicURL is the base of resume URLs when none is configured.
const DefaultPublicURL = "http://localhost:8080"

// ResumeURL returns the resume URL of an execution, n8n's
// $execution.resumeUrl: <base>/webhook-waiting/<execution id>.
func ResumeURL(base, executionID string) string {
	if base == "" {
		base = DefaultPublicURL
	}
	return strings.TrimRight(base, "/") + "/webhook-waiting/" + executionID
}

// ResumeSignal is what a call of the resume URL hands the waiting
// interpreter.
type ResumeSignal struct {
	// Key names the wait the call was made for (ResumeWait.Key); the
	// interpreter drops a signal meant for another wait, so a late or
	// repeated call never resumes a later wait.
	Key string `json:"key"`
	// Item is the call as n8n's Wait node outputs it: {headers, params,
	// query, body}.
	Item nodes.Item `json:"item"`
}

// ResumeWait describes, in LiveStatus, a Wait node waiting for a call of
// the resume URL.
type ResumeWait struct {
	// Key identifies this wait: the node and its run index.
	Key string `json:"key"`
	// Node is the waiting Wait node.
	Node string `json:"node"`
	nodes.WaitWebhookPlan
}

// waitWebhook waits for a call of the execution's resume URL (a
// SignalResume for this wait), at most until the plan's time limit, then
// runs the node: with the call's item as output, or, when the limit came
// first, with its input passed through. Stopping the execution ends the
// wait as a cancellation.
func (ip *interpreter) waitWebhook(ctx, lctx workflow.Context, req NodeRequest, plan WaitResult) (*NodeResult, error) {
	key := fmt.Sprintf("%s#%d", req.Task.Node, req.Task.RunIndex)
	limit := plan.Duration
	if !plan.Until.IsZero() {
		limit = max(plan.Until.Sub(workflow.Now(ctx)), time.Millisecond)
	}
	var till time.Time
	if limit > 0 {
		till = workflow.Now(ctx).Add(limit)
	}
	ip.live = LiveStatus{Status: nodes.StatusWaiting, WaitTill: till,
		Resume: &ResumeWait{Key: key, Node: req.Task.Node, WaitWebhookPlan: *plan.Webhook}}
	ip.recordWaiting(ctx, till, ip.live.Resume)

	var got *ResumeSignal
	expired := false
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalResume), func(c workflow.ReceiveChannel, _ bool) {
		var s ResumeSignal
		c.Receive(ctx, &s)
		if s.Key == key {
			got = &s
		}
	})
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
	tctx, stopTimer := workflow.WithCancel(ctx)
	if limit > 0 {
		sel.AddFuture(workflow.NewTimer(tctx, limit), func(workflow.Future) { expired = true })
	}
	for got == nil && !expired && ctx.Err() == nil {
		sel.Select(ctx)
	}
	if ctx.Err() != nil {
		return nil, temporal.NewCanceledError()
	}
	stopTimer()
	ip.live = LiveStatus{Status: nodes.StatusRunning}
	ip.record(ctx, activities.ExecutionStarted, nodes.StatusRunning, nil)

	var res NodeResult
	if got == nil {
		err := ip.local(lctx, activities.RunNode, req).Get(ctx, &res)
		return &res, err
	}
	err := ip.local(lctx, activities.RunControlNode, ControlRequest{NodeRequest: req, Resume: []nodes.Item{got.Item}}).Get(ctx, &res)
	return &res, err
}

// Live returns what a running execution is doing (QueryStatus): running,
// or waiting and for what. It is an *Error with code NOT_FOUND when
// Temporal has no such execution.
func (c *Client) Live(ctx context.Context, executionID string) (LiveStatus, error) {
	var live LiveStatus
	v, err := c.Temporal.QueryWorkflow(ctx, WorkflowID(executionID), "", QueryStatus)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return live, nodes.Errorf(nodes.CodeNotFound, "execution %s not found", executionID)
		}
		return live, fmt.Errorf("query execution %s: %w", executionID, err)
	}
	if err := v.Get(&live); err != nil {
		return live, fmt.Errorf("query execution %s: %w", executionID, err)
	}
	return live, nil
}

// Resume signals a waiting execution that its resume URL was called. It
// is an *Error with code NOT_FOUND when Temporal has no such running
// execution.
func (c *Client) Resume(ctx context.Context, executionID string, s ResumeSignal) error {
	err := c.Temporal.SignalWorkflow(ctx, WorkflowID(executionID), "", SignalResume, s)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nodes.Errorf(nodes.CodeNotFound, "execution %s is not running", executionID)
		}
		return fmt.Errorf("resume execution %s: %w", executionID, err)
	}
	return nil
}
