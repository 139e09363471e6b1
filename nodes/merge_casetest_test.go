package nodes

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// conformanceCase is one file of the n8n conformance corpus
// (../shared/conformance/cases, format in its README).
type conformanceCase struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	RawWorkflow json.RawMessage `json:"workflow"`
	Expected    struct {
		Status string                    `json:"status"`
		Order  []string                  `json:"order"`
		Nodes  map[string][]mergeCaseRun `json:"nodes"`
	} `json:"expected"`

	File     string    `json:"-"`
	Workflow *Workflow `json:"-"`
}

// mergeCaseRun is one expected run of a node: status and, per output, the items'
// json.
type mergeCaseRun struct {
	Status string             `json:"status"`
	Output [][]map[string]any `json:"output"`
	Error  string             `json:"error"`
}

// corpusDir finds the conformance cases: ../shared/conformance/cases from the
// repository root (the directory holding go.mod).
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	cases := filepath.Join(dir, "..", "shared", "conformance", "cases")
	if _, err := os.Stat(cases); err != nil {
		t.Fatalf("conformance corpus missing: %v", err)
	}
	return cases
}

// mergeLoadCases reads every case of the corpus whose workflow has a node of one
// of the given types (all cases when none is given).
func mergeLoadCases(t *testing.T, types ...string) []*conformanceCase {
	t.Helper()
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var out []*conformanceCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := &conformanceCase{File: filepath.Base(f)}
		if err := json.Unmarshal(b, c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.Workflow, err = ParseWorkflow(c.RawWorkflow); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(types) == 0 || slices.ContainsFunc(c.Workflow.Nodes, func(n *NodeInstance) bool { return slices.Contains(types, n.Type) }) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no conformance case has a node of types %v", types)
	}
	return out
}

// caseStep is one run of a node in a case's execution order, with the inputs
// its parents' expected outputs give it.
type caseStep struct {
	Node     *NodeInstance
	RunIndex int
	Inputs   [][]Item
	Source   []*SourceRef
	Want     mergeCaseRun
}

// stepsFor replays a case's execution order and returns the runs of the
// named node: each input gets the output of the parent that most recently
// ran before it (for a loop node, the outside input on the first run and the
// loop body afterwards).
func (c *conformanceCase) stepsFor(t *testing.T, name string) []caseStep {
	t.Helper()
	w := c.Workflow
	node := w.Node(name)
	if node == nil {
		t.Fatalf("%s: no node %q", c.File, name)
	}
	nIn := Lookup(node.Type).InputCount(node)
	type edge struct {
		from   string
		output int
	}
	parents := make([][]edge, nIn)
	for _, src := range sortedConnSources(w) {
		for o, targets := range w.Connections[src][ConnectionMain] {
			for _, tg := range targets {
				if tg.Node == name && tg.Index < nIn {
					parents[tg.Index] = append(parents[tg.Index], edge{src, o})
				}
			}
		}
	}
	ran := map[string]int{}
	last := map[string]int{}
	var steps []caseStep
	for pos, n := range c.Expected.Order {
		if n == name {
			run := ran[n]
			runs := c.Expected.Nodes[n]
			if run >= len(runs) {
				t.Fatalf("%s: order lists more runs of %q than expected has", c.File, n)
			}
			st := caseStep{Node: node, RunIndex: run, Want: runs[run], Inputs: make([][]Item, nIn), Source: make([]*SourceRef, nIn)}
			for k, es := range parents {
				best, bestPos := -1, -1
				for i, e := range es {
					if p, ok := last[e.from]; ok && p > bestPos {
						best, bestPos = i, p
					}
				}
				st.Inputs[k] = []Item{}
				if best < 0 {
					continue
				}
				e := es[best]
				prun := ran[e.from] - 1
				out := c.Expected.Nodes[e.from][prun].Output
				if e.output < len(out) {
					for _, j := range out[e.output] {
						st.Inputs[k] = append(st.Inputs[k], NewItem(NormalizeJSON(CloneJSON(j)).(map[string]any)))
					}
				}
				st.Source[k] = &SourceRef{PreviousNode: e.from, PreviousNodeOutput: e.output, PreviousNodeRun: prun}
			}
			steps = append(steps, st)
		}
		ran[n]++
		last[n] = pos
	}
	return steps
}

func sortedConnSources(w *Workflow) []string {
	srcs := make([]string, 0, len(w.Connections))
	for s := range w.Connections {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	return srcs
}

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

// outputsJSON reduces node outputs to their items' json, dropping trailing
// empty outputs (the corpus's comparison rule).
func outputsJSON(t *testing.T, outs [][]Item) []any {
	t.Helper()
	res := make([]any, len(outs))
	for i, items := range outs {
		list := make([]any, len(items))
		for k, it := range items {
			list[k] = it.JSON
		}
		res[i] = list
	}
	return trimEmpty(jsonRoundTrip(t, res).([]any))
}

func trimEmpty(outs []any) []any {
	for len(outs) > 0 {
		if l, ok := outs[len(outs)-1].([]any); ok && len(l) == 0 {
			outs = outs[:len(outs)-1]
			continue
		}
		break
	}
	return outs
}

func jsonRoundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkOutputs compares a run's outputs with the expected run.
func checkOutputs(t *testing.T, got [][]Item, want mergeCaseRun) {
	t.Helper()
	g := outputsJSON(t, got)
	w := trimEmpty(jsonRoundTrip(t, want.Output).([]any))
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		t.Fatalf("outputs differ\n got: %s\nwant: %s", gb, wb)
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
// expected outputs and compares each run with n8n's. Runs of one node are
// driven in order, its state carried from run to run through JSON as the
// runner stores it.
func TestCorpusDataNodes(t *testing.T) {
	for _, c := range mergeLoadCases(t, myTypes...) {
		for _, n := range c.Workflow.Nodes {
			if !slices.Contains(myTypes, n.Type) {
				continue
			}
			t.Run(c.Name+"/"+n.Name, func(t *testing.T) {
				reg := Lookup(n.Type)
				if err := reg.Node.Validate(n); err != nil {
					t.Fatalf("Validate: %v", err)
				}
				steps := c.stepsFor(t, n.Name)
				if len(steps) != len(c.Expected.Nodes[n.Name]) {
					t.Fatalf("%d runs in order, %d expected", len(steps), len(c.Expected.Nodes[n.Name]))
				}
				var state map[string]any
				for _, st := range steps {
					ctx := mergeTestContext(c.Workflow, n, st.RunIndex, st.Inputs, st.Source, state)
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
					state = nil
					if ctx.State != nil {
						b, err := json.Marshal(ctx.State)
						if err != nil {
							t.Fatalf("run %d: state does not encode: %v", st.RunIndex, err)
						}
						if err := json.Unmarshal(b, &state); err != nil {
							t.Fatal(err)
						}
					}
				}
			})
		}
	}
}
