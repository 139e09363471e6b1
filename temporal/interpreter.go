// Package temporal runs weft workflows on Temporal: every user workflow runs
// as one generic interpreter workflow (InterpreterWorkflow) that walks the
// graph in n8n's v1 order with a nodes.Scheduler and runs each node as an
// activity (pure nodes as local activities). Items never travel through
// Temporal: activities read their inputs from a nodes.RunStore and save
// their runs there, and only counts come back to the workflow. Only small
// trigger items ride along in the workflow input; Client.Start stores
// larger ones and passes a reference (ExecutionInput.TriggerRef).
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
	// Resume is set while a Wait node waits for a call of the resume URL.
	Resume *ResumeWait `json:"resume,omitempty"`
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
	// means one empty item. Client.Start moves items too large to travel
	// through Temporal into the run store and sets TriggerRef instead.
	TriggerItems []nodes.Item `json:"triggerItems,omitempty"`
	// TriggerRef, when set, names the stored items the start node emits
	// in place of TriggerItems.
	TriggerRef *StoredItems `json:"triggerRef,omitempty"`
	// StartNode names the node to start from; empty picks the workflow's
	// start node (nodes.StartNode).
	StartNode string `json:"startNode,omitempty"`
	// RetryOf names a failed execution of the same workflow version that
	// this one retries (n8n's "retry with original workflow"): the tasks
	// that execution completed successfully, up to the first one it did
	// not, are not run again; their runs are copied from its run data.
	RetryOf string `json:"retryOf,omitempty"`
	// HistoryLimit is how many events the history of one run of the
	// interpreter may reach before it continues as new at the next safe
	// point between tasks; 0 means DefaultHistoryLimit. Temporal's own
	// suggestion to continue as new is followed whatever the limit.
	HistoryLimit int `json:"historyLimit,omitempty"`
	// Continued is set on the input of a run that an earlier run of the
	// same execution continued as new: where that run left off.
	Continued *Continuation `json:"continued,omitempty"`
	// Parent is set on a sub-workflow's execution: who called it, and how
	// deeply it is nested (subworkflow.go).
	Parent *ParentExecution `json:"parent,omitempty"`
	// Webhook is set when a webhook call started the execution.
	Webhook *WebhookTrigger `json:"webhook,omitempty"`
	// Chain runs consecutive pure nodes in one local activity (chain.go).
	// Every execution started now sets it; executions recorded before
	// chains existed lack it and replay node by node.
	Chain bool `json:"chain,omitempty"`
}

// StoredItems refers to items kept in the run store instead of travelling
// through Temporal: output 0 of run 0 of the pseudo-node
// nodes.TriggerRunNode of an execution.
type StoredItems struct {
	// ExecutionID is the execution the items are stored under.
	ExecutionID string `json:"executionId"`
	// Count and Bytes are how many items there are and their encoded
	// size, for whoever reads the history.
	Count int `json:"count"`
	Bytes int `json:"bytes"`
}

// DefaultHistoryLimit is the history length (in events) after which an
// execution continues as new, well below Temporal's hard limit of 51,200
// events.
const DefaultHistoryLimit = 10_000

// Continuation is what a run of the interpreter that continued as new
// hands to the next run of the same execution (same workflow id): no
// items, which stay in the run store, only the scheduler's state and the
// execution's bookkeeping. A run only continues as new between tasks,
// with no activity or timer in flight and no retry reuse pending, so
// nothing else is carried.
type Continuation struct {
	// State is the scheduler's state, but for its Order, which grows with
	// every run and which the interpreter does not read: the next run's
	// Order lists the runs made since it started (run data's execution
	// indexes give the whole order).
	State nodes.SchedulerState `json:"state"`
	// StartedAt is when the execution's first run started; the workflow's
	// executionTimeout counts from there.
	StartedAt time.Time `json:"startedAt"`
	// Runs counts the runs of the execution before this one.
	Runs int `json:"runs"`
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
	// TriggerItems are the start node's input when Task.Trigger is set;
	// TriggerRef names them instead when they are stored.
	TriggerItems []nodes.Item `json:"triggerItems,omitempty"`
	TriggerRef   *StoredItems `json:"triggerRef,omitempty"`
	// Runs counts the completed runs of every node so far; expressions
	// that read other nodes ($('Node')) see these.
	Runs map[string]int `json:"runs,omitempty"`
	// WebhookMethod is the method of the webhook call that started the
	// execution, on the start node's request only.
	WebhookMethod string `json:"webhookMethod,omitempty"`
}

// NodeResult is what a node activity returns: the summary the scheduler
// needs, and the node's error in full when the run failed.
type NodeResult struct {
	nodes.TaskResult
	NodeError *nodes.NodeError `json:"nodeError,omitempty"`
	// Response is a Respond to Webhook node's answer.
	Response *nodes.WebhookResponse `json:"response,omitempty"`
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
