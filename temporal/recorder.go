package temporal

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/weft/weft/nodes"
)

// ExecutionRecord is the state of an execution the interpreter reports to
// the ExecutionRecorder.
type ExecutionRecord struct {
	ExecutionID string `json:"executionId"`
	WorkflowID  string `json:"workflowId"`
	VersionID   string `json:"versionId"`
	Mode        string `json:"mode"`
	// Status is running, waiting, success, error or canceled.
	Status string `json:"status"`
	// At is when the state was reached.
	At time.Time `json:"at"`
	// WaitTill is when a waiting execution resumes.
	WaitTill time.Time `json:"waitTill,omitzero"`
	// Resume is what a call of the resume URL must be, when a Wait node
	// waits for one.
	Resume *ResumeWait `json:"resume,omitempty"`
	// LastNodeExecuted and Error describe a finished execution.
	LastNodeExecuted string           `json:"lastNodeExecuted,omitempty"`
	Error            *nodes.NodeError `json:"error,omitempty"`
}

// ExecutionRecorder keeps the read model of executions current: the
// interpreter reports each change of state through local activities, so
// calls are at-least-once and must be idempotent. Persistence implements it
// over the executions table.
type ExecutionRecorder interface {
	// ExecutionStarted reports that an execution runs (first start, or
	// again after a wait).
	ExecutionStarted(ctx context.Context, rec ExecutionRecord) error
	// ExecutionWaiting reports that an execution waits until rec.WaitTill.
	ExecutionWaiting(ctx context.Context, rec ExecutionRecord) error
	// ExecutionFinished reports the final status (success, error,
	// canceled) with the last node executed and the error.
	ExecutionFinished(ctx context.Context, rec ExecutionRecord) error
}

// NopRecorder records nothing.
type NopRecorder struct{}

// ExecutionStarted implements ExecutionRecorder.
func (NopRecorder) ExecutionStarted(context.Context, ExecutionRecord) error { return nil }

// ExecutionWaiting implements ExecutionRecorder.
func (NopRecorder) ExecutionWaiting(context.Context, ExecutionRecord) error { return nil }

// ExecutionFinished implements ExecutionRecorder.
func (NopRecorder) ExecutionFinished(context.Context, ExecutionRecord) error { return nil }

// MemoryRecorder keeps every record it is given, for tests and `weft
// execute`. It is safe for concurrent use.
type MemoryRecorder struct {
	mu      sync.Mutex
	records map[string][]ExecutionRecord
}

// NewMemoryRecorder returns an empty MemoryRecorder.
func NewMemoryRecorder() *MemoryRecorder {
	return &MemoryRecorder{records: map[string][]ExecutionRecord{}}
}

func (m *MemoryRecorder) add(rec ExecutionRecord) error {
	m.mu.Lock()
	m.records[rec.ExecutionID] = append(m.records[rec.ExecutionID], rec)
	m.mu.Unlock()
	return nil
}

// ExecutionStarted implements ExecutionRecorder.
func (m *MemoryRecorder) ExecutionStarted(_ context.Context, rec ExecutionRecord) error {
	return m.add(rec)
}

// ExecutionWaiting implements ExecutionRecorder.
func (m *MemoryRecorder) ExecutionWaiting(_ context.Context, rec ExecutionRecord) error {
	return m.add(rec)
}

// ExecutionFinished implements ExecutionRecorder.
func (m *MemoryRecorder) ExecutionFinished(_ context.Context, rec ExecutionRecord) error {
	return m.add(rec)
}

// Records returns the records of one execution in the order they came.
func (m *MemoryRecorder) Records(executionID string) []ExecutionRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]ExecutionRecord(nil), m.records[executionID]...)
}

// Event types published while executions run.
const (
	EventNodeExecuting      = "node.executing"
	EventNodeCompleted      = "node.completed"
	EventExecutionStarted   = "execution.started"
	EventExecutionWaiting   = "execution.waiting"
	EventExecutionCompleted = "execution.completed"
	EventExecutionFailed    = "execution.failed"
	EventExecutionCanceled  = "execution.canceled"
)

// Event is one progress notice of an execution, relayed to WebSocket
// clients by the API.
type Event struct {
	Type        string `json:"type"`
	ExecutionID string `json:"executionId"`
	WorkflowID  string `json:"workflowId"`
	Node        string `json:"node,omitempty"`
	RunIndex    int    `json:"runIndex,omitempty"`
	Status      string `json:"status,omitempty"`
	Error       string `json:"error,omitempty"`
	// Mode is the execution's trigger mode (execution events).
	Mode string `json:"mode,omitempty"`
	// Items counts the items on each main output (node.completed).
	Items []int `json:"items,omitempty"`
	// Preview holds the first output items' JSON, as many as fit in
	// MaxPreviewBytes (node.completed); PreviewTruncated says items were
	// left out.
	Preview          []json.RawMessage `json:"preview,omitempty"`
	PreviewTruncated bool              `json:"previewTruncated,omitempty"`
	At               time.Time         `json:"at"`
}

// EventPublisher delivers events; it must not block for long, and a
// failure to publish never fails an execution.
type EventPublisher interface {
	Publish(ctx context.Context, e Event)
}

// NopPublisher drops every event.
type NopPublisher struct{}

// Publish implements EventPublisher.
func (NopPublisher) Publish(context.Context, Event) {}
