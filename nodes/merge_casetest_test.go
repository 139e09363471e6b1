package nodes

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// noRuns is a RunReader for tests: no other node has run.
type noRuns struct{}

func (noRuns) Runs(string) ([]*NodeRun, error) { return nil, nil }

// testContext builds the Context a runner would give a node run.
func mergeTestContext(w *Workflow, n *NodeInstance, run int, inputs [][]Item, source []*SourceRef, state map[string]any) *Context {
	return &Context{
		Context:   context.Background(),
		Workflow:  w,
		Node:      n,
		RunIndex:  run,
		Execution: ExecutionInfo{ID: "test", Mode: ModeManual},
		Inputs:    inputs,
		Source:    source,
		Runs:      noRuns{},
		Expr:      expr.New(expr.Options{}),
		Now:       func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
		Location:  time.UTC,
		State:     state,
	}
}

// myTypes are the node types this file's corpus test covers.
var myTypes = []string{
	"n8n-nodes-base.merge",
	"n8n-nodes-base.splitInBatches",
	"n8n-nodes-base.limit",
	"n8n-nodes-base.sort",
	"n8n-nodes-base.removeDuplicates",
	"n8n-nodes-base.compareDatasets",
}

// TestCorpusDataNodes runs every Merge, Loop Over Items, Limit, Sort, Remove
// Duplicates and Compare Datasets node of the corpus on its parents'
// expected outputs and compares each run with n8n's (confCase.replay: runs
// of one node are driven in order, its state carried from run to run
// through JSON as the runner stores it).
func TestCorpusDataNodes(t *testing.T) {
	n := forEachCaseNode(t, func(_ *confCase, n *NodeInstance) bool { return slices.Contains(myTypes, n.Type) },
		func(t *testing.T, c *confCase, n *NodeInstance) {
			if err := Lookup(n.Type).Node.Validate(n); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			for run, d := range c.replay(t, n.Name) {
				if d != "" {
					t.Fatalf("run %d: %s", run, d)
				}
			}
		})
	if n == 0 {
		t.Fatalf("no conformance case has a node of types %v", myTypes)
	}
}
