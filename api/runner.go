package api

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

// TemporalRunner is the Runner over weft's interpreter on Temporal: what
// `weft serve` and `weft api` give the API. The interpreter's client already
// has Wait, Status and Ping of the Runner's shape.
type TemporalRunner struct {
	// Client starts, cancels and awaits interpreter workflows.
	*temporal.Client
	// Replies, when set, is the Replies of a worker in this process:
	// webhook executions then start eagerly on it and hear their answer
	// from it (temporal.Replies).
	Replies *temporal.Replies
}

// Start implements Runner.
func (r TemporalRunner) Start(ctx context.Context, req StartRequest) error {
	_, err := r.Client.Start(ctx, executionInput(req), temporal.StartOptions{})
	return err
}

func executionInput(req StartRequest) temporal.ExecutionInput {
	e := req.Execution
	def := req.Definition
	if req.WorkflowName != "" && req.WorkflowName != def.Name {
		def = def.Clone()
		def.Name = req.WorkflowName
	}
	return temporal.ExecutionInput{
		ExecutionID: e.ID, WorkflowID: e.WorkflowID, VersionID: e.VersionID, Mode: e.Mode,
		Workflow: def, TriggerItems: req.TriggerItems, RetryOf: req.RetryOf,
		StartNode: req.StartNode, Webhook: req.Webhook,
	}
}

// StartForResponse implements Runner.
func (r TemporalRunner) StartForResponse(ctx context.Context, req StartRequest) (func(context.Context) (*temporal.WebhookReply, error), error) {
	if r.Replies != nil {
		return r.Client.StartWithReply(ctx, executionInput(req), temporal.StartOptions{}, r.Replies, true)
	}
	return r.Client.StartForResponse(ctx, executionInput(req), temporal.StartOptions{})
}

// StartForEnd implements Runner.
func (r TemporalRunner) StartForEnd(ctx context.Context, req StartRequest) (func(context.Context) error, error) {
	in := executionInput(req)
	if r.Replies != nil {
		wait, err := r.Client.StartWithReply(ctx, in, temporal.StartOptions{}, r.Replies, false)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			_, err := wait(ctx)
			return err
		}, nil
	}
	if _, err := r.Client.Start(ctx, in, temporal.StartOptions{}); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return r.Client.Wait(ctx, in.ExecutionID) }, nil
}

// Cancel implements Runner. An execution Temporal does not know is
// NOT_FOUND.
func (r TemporalRunner) Cancel(ctx context.Context, executionID string) error {
	err := r.Client.Cancel(ctx, executionID)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nodes.Errorf(nodes.CodeNotFound, "execution %s is not running", executionID)
	}
	return err
}

var _ Runner = TemporalRunner{}
