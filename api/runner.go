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
	return r.Client.StartForResponse(ctx, executionInput(req), temporal.StartOptions{})
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
