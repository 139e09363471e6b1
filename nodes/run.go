package nodes

import "context"

// Execution statuses of a node run and of a whole execution, n8n's names.
const (
	StatusSuccess  = "success"
	StatusError    = "error"
	StatusWaiting  = "waiting"
	StatusCanceled = "canceled"
	StatusRunning  = "running"
	StatusNew      = "new"
	StatusCrashed  = "crashed"
)

// NodeRun is one run of a node in n8n's runData shape (ITaskData).
type NodeRun struct {
	// StartTime is the run's start in Unix milliseconds.
	StartTime int64 `json:"startTime"`
	// ExecutionTime is the run's duration in milliseconds.
	ExecutionTime int64 `json:"executionTime"`
	// ExecutionIndex numbers the node runs of an execution in the order
	// they started (n8n's executionIndex); sorting all runs by it gives the
	// execution order.
	ExecutionIndex int `json:"executionIndex"`
	// ExecutionStatus is success, error, waiting or canceled.
	ExecutionStatus string `json:"executionStatus"`
	// Source names, per input, the node output the input came from.
	Source []*SourceRef `json:"source"`
	// Data is the run's output by connection type: {"main": [[items]...]}.
	Data map[string][][]Item `json:"data,omitempty"`
	// Error is set when the run failed.
	Error *NodeError `json:"error,omitempty"`
	// Hints are n8n's non-fatal notices about the run.
	Hints []map[string]any `json:"hints,omitempty"`
	// Metadata is n8n's ITaskMetadata: for an Execute Workflow node, the
	// sub-execution it started ({"subExecution": {"executionId",
	// "workflowId"}, "subExecutionsCount": n}).
	Metadata map[string]any `json:"metadata,omitempty"`
	// State is the node's context after the run (n8n's node context, e.g.
	// Loop Over Items' remaining items). The next run of the same node
	// starts from it. It is stored with the run but is not part of n8n's
	// runData: StripState removes it before run data is shown.
	State map[string]any `json:"state,omitempty"`
}

// StripState returns a copy of rd without node state, as n8n shows run data.
func (rd RunData) StripState() RunData {
	out := make(RunData, len(rd))
	for node, runs := range rd {
		cp := make([]*NodeRun, len(runs))
		for i, r := range runs {
			c := *r
			c.State = nil
			cp[i] = &c
		}
		out[node] = cp
	}
	return out
}

// Main returns the run's main outputs (nil if it has none).
func (r *NodeRun) Main() [][]Item {
	if r == nil || r.Data == nil {
		return nil
	}
	return r.Data[ConnectionMain]
}

// Output returns the items of one main output (nil if absent).
func (r *NodeRun) Output(i int) []Item {
	m := r.Main()
	if i < 0 || i >= len(m) {
		return nil
	}
	return m[i]
}

// SourceRef names the node output that one input of a run came from, n8n's
// ISourceData.
type SourceRef struct {
	PreviousNode       string `json:"previousNode"`
	PreviousNodeOutput int    `json:"previousNodeOutput,omitempty"`
	PreviousNodeRun    int    `json:"previousNodeRun,omitempty"`
}

// RunData is the run data of an execution: node name → runs in order.
type RunData map[string][]*NodeRun

// ResultData is n8n's IRunExecutionData.resultData, what `weft execute`
// prints and the executions API serves.
type ResultData struct {
	RunData          RunData    `json:"runData"`
	LastNodeExecuted string     `json:"lastNodeExecuted,omitempty"`
	Error            *NodeError `json:"error,omitempty"`
}

// TriggerRunNode is the node name under which a RunStore keeps an
// execution's trigger items when they are too large to travel through
// Temporal: run 0 of this pseudo-node holds them as its output 0. It is the
// empty name, which ValidateWorkflow refuses for a real node, so it never
// clashes with one; it is not run data, and LoadRunData leaves it out.
const TriggerRunNode = ""

// RunStore keeps the node runs of executions. The interpreter passes run
// references through Temporal and keeps the items here, so payloads stay
// small whatever the data size. Writes are idempotent: saving the same run
// index again replaces it (activities are retried).
type RunStore interface {
	// SaveRun records run index runIndex of node in an execution.
	SaveRun(ctx context.Context, executionID, node string, runIndex int, run *NodeRun) error
	// LoadRun returns one run; an *Error with CodeNotFound if it is absent.
	LoadRun(ctx context.Context, executionID, node string, runIndex int) (*NodeRun, error)
	// LoadRunData returns every run of an execution, leaving out the
	// trigger items stored under TriggerRunNode.
	LoadRunData(ctx context.Context, executionID string) (RunData, error)
	// DeleteExecution removes an execution's runs.
	DeleteExecution(ctx context.Context, executionID string) error
}

// RunReader gives a running node the runs of other nodes in its execution,
// loading them on demand. Only runs the interpreter has completed are seen.
// The runs are shared values: callers read them and must not change them (the
// data proxy hands JavaScript copies to expressions).
type RunReader interface {
	// Runs returns a node's completed runs; nil if it has not run.
	Runs(node string) ([]*NodeRun, error)
}
