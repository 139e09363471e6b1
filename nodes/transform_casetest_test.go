package nodes

import (
	"slices"
	"testing"
	"time"
)

// transformTypes are the node types the transform corpus test runs.
var transformTypes = []string{
	"n8n-nodes-base.aggregate",
	"n8n-nodes-base.splitOut",
	"n8n-nodes-base.summarize",
	"n8n-nodes-base.renameKeys",
	"n8n-nodes-base.itemLists",
	"n8n-nodes-base.dateTime",
}

// newCaseContext is testContext for one run on inputs in, with the clock at
// 2024-03-15T10:30:00Z (the time the table tests' expectations use).
func newCaseContext(w *Workflow, n *NodeInstance, in [][]Item) *Context {
	ctx := mergeTestContext(w, n, 0, in, nil, map[string]any{})
	now := time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC)
	ctx.Now = func() time.Time { return now }
	return ctx
}

// TestTransformCorpus runs every node of a transform type in the corpus on
// the expected outputs of its parents and compares with n8n's output.
func TestTransformCorpus(t *testing.T) {
	ran := map[string]int{}
	forEachCaseNode(t, func(_ *confCase, n *NodeInstance) bool { return slices.Contains(transformTypes, n.Type) && !n.Disabled },
		func(t *testing.T, c *confCase, n *NodeInstance) {
			ran[n.Type]++
			if err := Lookup(n.Type).Node.Validate(n); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			for run, d := range c.replay(t, n.Name) {
				if d != "" {
					t.Fatalf("run %d: %s", run, d)
				}
			}
		})
	for _, typ := range transformTypes[:4] {
		if ran[typ] == 0 {
			t.Errorf("no corpus case ran %s", typ)
		}
	}
}
