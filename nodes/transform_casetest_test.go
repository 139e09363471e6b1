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
	for _, c := range mergeLoadCases(t, transformTypes...) {
		for _, n := range c.Workflow.Nodes {
			if !slices.Contains(transformTypes, n.Type) || n.Disabled {
				continue
			}
			ran[n.Type]++
			t.Run(c.Name+"/"+n.Name, func(t *testing.T) {
				reg := Lookup(n.Type)
				if err := reg.Node.Validate(n); err != nil {
					t.Fatalf("Validate: %v", err)
				}
				steps := c.stepsFor(t, n.Name)
				if len(steps) != len(c.Expected.Nodes[n.Name]) {
					t.Fatalf("%d runs in order, %d expected", len(steps), len(c.Expected.Nodes[n.Name]))
				}
				for _, st := range steps {
					ctx := mergeTestContext(c.Workflow, n, st.RunIndex, st.Inputs, st.Source, map[string]any{})
					out, err := reg.Node.Execute(ctx, st.Inputs)
					if st.Want.Status == StatusError {
						if err == nil {
							t.Fatalf("run %d: want an error, got %v", st.RunIndex, out)
						}
						continue
					}
					if err != nil {
						t.Fatalf("run %d: %v", st.RunIndex, err)
					}
					checkOutputs(t, out, st.Want)
				}
			})
		}
	}
	for _, typ := range transformTypes[:4] {
		if ran[typ] == 0 {
			t.Errorf("no corpus case ran %s", typ)
		}
	}
}
