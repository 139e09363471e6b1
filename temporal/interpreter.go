// Package temporal runs weft workflows on Temporal: every user workflow runs
// as one generic interpreter workflow (InterpreterWorkflow) that walks the
// graph in n8n's v1 order with a nodes.Scheduler and runs each node as an
// activity (pure nodes as local activities). Items never travel through
// Temporal: activities read their inputs from a nodes.RunStore and save
// their runs there, and only counts come back to the workflow.
package temporal

import (
	"time"

	"github.com/weft/weft/nodes"
)

// WorkflowName is the name the interpreter workflow is registered under.
const WorkflowName = "weft.Interpreter"

// DefaultTaskQueue is the task queue weft's workers poll.
const DefaultTaskQueue = "weft"

// WorkflowIDPrefix prefixes the Temporal workflow id of an execution:
// "weft-exec-<execution id>".
const WorkflowIDPrefix = "weft-exec-"

// WorkflowID returns the Temporal workflow id of an execution.
func WorkflowID(executionID string) string { return WorkflowIDPrefix + executionID }

// QueryState is the query that returns the interpreter's scheduler state
// (nodes.SchedulerState) of a running or finished execution.
const QueryState = "weft.state"

// QueryStatus is the query that returns a running execution's
// LiveStatus: running, or waiting and until when.
const QueryStatus = "weft.status"

// LiveStatus is what QueryStatus answers.
type LiveStatus struct {
	// Status is running or waiting.
	Status string `json:"status"`
	// WaitTill is when a waiting execution resumes.
	WaitTill time.Time `json:"waitTill,omitzero"`
}

// ExecutionInput is the interpreter workflow's input.
type ExecutionInput struct {
	// ExecutionID identifies the execution (its executions row).
	ExecutionID string `json:"executionId"`
	// WorkflowID and VersionID name the workflow and the saved version
	// whose definition runs; activities load the definition by VersionID.
	WorkflowID string `json:"workflowId"`
	VersionID  string `json:"versionId"`
	// Mode is n8n's execution mode: manual, trigger, webhook, ...
	Mode string `json:"mode"`
	// Workflow is the definition snapshot the scheduler walks. It must be
	// the definition of VersionID.
	Workflow *nodes.Workflow `json:"workflow"`
	// TriggerItems are the items the start node emits (its input 0); none
	// means one empty item.
	TriggerItems []nodes.Item `json:"triggerItems,omitempty"`
	// StartNode names the node to start from; empty picks the workflow's
	// start node (nodes.StartNode).
	StartNode string `json:"startNode,omitempty"`
	// RetryOf names a failed execution of the same workflow version that
	// this one retries (n8n's "retry with original workflow"): the tasks
	// that execution completed successfully, up to the first one it did
	// not, are not run again; their runs are copied from its run data.
	RetryOf string `json:"retryOf,omitempty"`
}

// ExecutionResult is how an execution ended.
type ExecutionResult struct {
	// Status is success, error or canceled.
	Status string `json:"status"`
	// LastNodeExecuted is the node of the last recorded run.
	LastNodeExecuted string `json:"lastNodeExecuted,omitempty"`
	// Error is the error that ended the execution, if any.
	Error *nodes.NodeError `json:"error,omitempty"`
}

// NodeRequest asks an activity to run one node task of an execution.
type NodeRequest struct {
	ExecutionID string `json:"executionId"`
	WorkflowID  string `json:"workflowId"`
	VersionID   string `json:"versionId"`
	Mode        string `json:"mode"`
	// Task is what the scheduler asked for.
	Task nodes.Task `json:"task"`
	// TriggerItems are the start node's input when Task.Trigger is set.
	TriggerItems []nodes.Item `json:"triggerItems,omitempty"`
	// Runs counts the completed runs of every node so far; expressions
	// that read other nodes ($('Node')) see these.
	Runs map[string]int `json:"runs,omitempty"`
}

// NodeResult is what a node activity returns: the summary the scheduler
// needs, and the node's error in full when the run failed.
type NodeResult struct {
	nodes.TaskResult
	NodeError *nodes.NodeError `json:"nodeError,omitempty"`
}

// RunRecord asks to record a run the runner did not make: a node whose
// activity failed or was canceled.
type RunRecord struct {
	ExecutionID    string             `json:"executionId"`
	Node           string             `json:"node"`
	RunIndex       int                `json:"runIndex"`
	ExecutionIndex int                `json:"executionIndex"`
	Status         string             `json:"status"`
	StartTime      time.Time          `json:"startTime"`
	Source         []*nodes.SourceRef `json:"source"`
	Error          *nodes.NodeError   `json:"error,omitempty"`
}

// WaitResult is a Wait node's plan, or why it will not wait.
type WaitResult struct {
	nodes.WaitPlan
	// NoData reports that the node has no input items, so it does not run.
	NoData bool `json:"noData,omitempty"`
	// NodeError is set when the parameters could not be evaluated.
	NodeError *nodes.NodeError `json:"nodeError,omitempty"`
}
