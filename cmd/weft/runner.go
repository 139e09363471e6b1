package main

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"

	"github.com/weft/weft/api"
	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

// runner is the API's view of Temporal: api.Runner over the interpreter's
// client, which already has Wait, Status and Ping of that shape.
type runner struct {
	*temporal.Client
}

// Start implements api.Runner.
func (r runner) Start(ctx context.Context, req api.StartRequest) error {
	e := req.Execution
	def := req.Definition
	if req.WorkflowName != "" && req.WorkflowName != def.Name {
		def = def.Clone()
		def.Name = req.WorkflowName
	}
	_, err := r.Client.Start(ctx, temporal.ExecutionInput{
		ExecutionID: e.ID, WorkflowID: e.WorkflowID, VersionID: e.VersionID, Mode: e.Mode,
		Workflow: def, TriggerItems: req.TriggerItems, RetryOf: req.RetryOf,
	}, temporal.StartOptions{})
	return err
}

// Cancel implements api.Runner: NOT_FOUND when Temporal has no such run.
func (r runner) Cancel(ctx context.Context, executionID string) error {
	err := r.Client.Cancel(ctx, executionID)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nodes.Errorf(nodes.CodeNotFound, "execution %s is not running", executionID)
	}
	return err
}

var _ api.Runner = runner{}
