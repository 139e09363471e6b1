package temporal

import (
	"context"
	"sync"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// DBWorkflows is the WorkflowSource over weft's database.
type DBWorkflows struct {
	DB *persistence.DB
}

// Workflow implements WorkflowSource.
func (d DBWorkflows) Workflow(ctx context.Context, callerID, id string) (*WorkflowRef, error) {
	caller, err := d.DB.GetWorkflowRow(ctx, persistence.Scope{Admin: true}, callerID)
	if err != nil {
		return nil, err
	}
	w, err := d.DB.GetWorkflow(ctx, persistence.Scope{UserID: caller.OwnerID}, id)
	if err != nil {
		return nil, err
	}
	return &WorkflowRef{ID: w.ID, Name: w.Name, OwnerID: w.OwnerID, VersionID: w.VersionID, Definition: w.Definition}, nil
}

// CreateExecution implements WorkflowSource.
func (d DBWorkflows) CreateExecution(ctx context.Context, e NewExecution) error {
	if _, err := d.DB.GetExecution(ctx, persistence.Scope{Admin: true}, e.ID); err == nil {
		return nil
	} else if nodes.ErrorCode(err) != nodes.CodeNotFound {
		return err
	}
	row := &persistence.Execution{ID: e.ID, WorkflowID: e.WorkflowID, VersionID: e.VersionID, OwnerID: e.OwnerID, Mode: e.Mode}
	if e.ParentExecutionID != "" {
		p := e.ParentExecutionID
		row.ParentExecutionID = &p
	}
	err := d.DB.CreateExecution(ctx, row)
	if nodes.ErrorCode(err) == nodes.CodeConflict {
		return nil // a concurrent attempt wrote it
	}
	return err
}

// MemoryWorkflows is a WorkflowSource in memory, for the local engine and
// tests: workflows put in it are visible to the other workflows of the same
// owner, and the executions it is asked to create are listed.
type MemoryWorkflows struct {
	defs *MemoryDefinitions

	mu         sync.Mutex
	workflows  map[string]*WorkflowRef
	executions []NewExecution
}

// NewMemoryWorkflows returns an empty MemoryWorkflows that puts the
// versions of its workflows in defs, where activities load them.
func NewMemoryWorkflows(defs *MemoryDefinitions) *MemoryWorkflows {
	return &MemoryWorkflows{defs: defs, workflows: map[string]*WorkflowRef{}}
}

// Put saves w as the current version versionID of workflow w.ID owned by
// owner.
func (m *MemoryWorkflows) Put(owner, versionID string, w *nodes.Workflow) {
	m.defs.Put(versionID, w)
	m.mu.Lock()
	m.workflows[w.ID] = &WorkflowRef{ID: w.ID, Name: w.Name, OwnerID: owner, VersionID: versionID, Definition: w}
	m.mu.Unlock()
}

// Workflow implements WorkflowSource.
func (m *MemoryWorkflows) Workflow(_ context.Context, callerID, id string) (*WorkflowRef, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	caller, target := m.workflows[callerID], m.workflows[id]
	if caller == nil || target == nil || caller.OwnerID != target.OwnerID {
		return nil, nodes.Errorf(nodes.CodeNotFound, "workflow %s not found", id)
	}
	c := *target
	return &c, nil
}

// CreateExecution implements WorkflowSource.
func (m *MemoryWorkflows) CreateExecution(_ context.Context, e NewExecution) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.executions {
		if x.ID == e.ID {
			return nil
		}
	}
	m.executions = append(m.executions, e)
	return nil
}

// Executions returns the executions created so far, in order.
func (m *MemoryWorkflows) Executions() []NewExecution {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]NewExecution(nil), m.executions...)
}

var (
	_ WorkflowSource = DBWorkflows{}
	_ WorkflowSource = (*MemoryWorkflows)(nil)
)
