package main

import (
	"context"
	"errors"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/weft/weft/api"
	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

// runner is the API's view of Temporal: api.Runner over the interpreter's
// client.
type runner struct {
	c *temporal.Client
}

// Start implements api.Runner.
func (r runner) Start(ctx context.Context, req api.StartRequest) error {
	e := req.Execution
	def := req.Definition
	if req.WorkflowName != "" {
		def = def.Clone()
		def.Name = req.WorkflowName
	}
	_, err := r.c.Start(ctx, temporal.ExecutionInput{
		ExecutionID: e.ID, WorkflowID: e.WorkflowID, VersionID: e.VersionID, Mode: e.Mode,
		Workflow: def, TriggerItems: req.TriggerItems,
	}, temporal.StartOptions{})
	return err
}

// Cancel implements api.Runner.
func (r runner) Cancel(ctx context.Context, executionID string) error {
	err := r.c.Cancel(ctx, executionID)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nodes.Errorf(nodes.CodeNotFound, "execution %s is not running", executionID)
	}
	return err
}

// Wait implements api.Runner.
func (r runner) Wait(ctx context.Context, executionID string) error {
	_, err := r.c.Result(ctx, executionID)
	return err
}

// Status implements api.Runner.
func (r runner) Status(ctx context.Context, executionID string) (string, error) {
	d, err := r.c.Temporal.DescribeWorkflowExecution(ctx, temporal.WorkflowID(executionID), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return "", nodes.Errorf(nodes.CodeNotFound, "temporal has no execution %s", executionID)
	}
	if err != nil {
		return "", err
	}
	switch d.GetWorkflowExecutionInfo().GetStatus() {
	case enums.WORKFLOW_EXECUTION_STATUS_RUNNING, enums.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return nodes.StatusRunning, nil
	case enums.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		res, err := r.c.Result(ctx, executionID)
		if err != nil {
			return "", err
		}
		return res.Status, nil
	case enums.WORKFLOW_EXECUTION_STATUS_CANCELED, enums.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return nodes.StatusCanceled, nil
	case enums.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return nodes.StatusCrashed, nil
	}
	return nodes.StatusError, nil
}

// Ping implements api.Runner.
func (r runner) Ping(ctx context.Context) error {
	_, err := r.c.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

var _ api.Runner = runner{}
