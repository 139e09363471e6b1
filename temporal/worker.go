package temporal

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register registers the interpreter workflow and its activities with a
// worker (or a replayer's registry).
func Register(r worker.Registry, a *Activities) {
	r.RegisterWorkflowWithOptions(InterpreterWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterActivity(a)
}
