package api

import (
	"context"
	"errors"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

// TemporalRunner is the Runner over weft's interpreter on Temporal: what
// `weft serve` and `weft api` give the API.
type TemporalRunner struct {
	// Client starts, cancels and awaits interpreter workflows.
	Client *temporal.Client
}

// Start implements Runner.
func (r TemporalRunner) Start(ctx context.Context, req StartRequest) error {
	e := req.Execution
	def := req.Definition
	if req.WorkflowName != "" {
		def = def.Clone()
		def.Name = req.WorkflowName
	}
	_, err := r.Client.Start(ctx, temporal.ExecutionInput{
		ExecutionID: e.ID, WorkflowID: e.WorkflowID, VersionID: e.VersionID, Mode: e.Mode,
		Workflow: def, TriggerItems: req.TriggerItems,
	}, temporal.StartOptions{})
	return err
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

// Wait implements Runner.
func (r TemporalRunner) Wait(ctx context.Context, executionID string) error {
	_, err := r.Client.Result(ctx, executionID)
	return err
}

// Status implements Runner: Temporal's status of the execution's workflow
// as a weft status; a completed run's own result decides between success
// and error.
func (r TemporalRunner) Status(ctx context.Context, executionID string) (string, error) {
	d, err := r.Client.Temporal.DescribeWorkflowExecution(ctx, temporal.WorkflowID(executionID), "")
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
		res, err := r.Client.Result(ctx, executionID)
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

// Ping implements Runner.
func (r TemporalRunner) Ping(ctx context.Context) error {
	_, err := r.Client.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

var _ Runner = TemporalRunner{}
