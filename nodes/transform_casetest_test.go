package nodes

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// conformanceCase is one file of the n8n conformance corpus.
type conformanceCase struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Workflow    json.RawMessage `json:"workflow"`
	Expected    struct {
		Status string                   `json:"status"`
		Order  []string                 `json:"order"`
		Nodes  map[string][]expectedRun `json:"nodes"`
	} `json:"expected"`
}

// expectedRun is one run of a node as n8n recorded it.
type expectedRun struct {
	Status string             `json:"status"`
	Output [][]map[string]any `json:"output"`
	Error  string             `json:"error"`
}

// corpusDir finds the conformance cases: shared/conformance/cases next to
// the repository root (or next to the directory holding the worktree).
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
			t.Fatal("repository root (go.mod) not found")
		}
		dir = parent
	}
	for up := filepath.Dir(dir); ; up = filepath.Dir(up) {
		cases := filepath.Join(up, "shared", "conformance", "cases")
		if st, err := os.Stat(cases); err == nil && st.IsDir() {
			return cases
		}
		if filepath.Dir(up) == up {
			t.Fatalf("conformance corpus shared/conformance/cases not found above %s", dir)
		}
	}
}

// loadCases reads every case of the corpus.
func loadCases(t *testing.T) []conformanceCase {
	t.Helper()
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in %s: %v", dir, err)
	}
	sort.Strings(files)
	out := make([]conformanceCase, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c conformanceCase
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.Name == "" {
			c.Name = strings.TrimSuffix(filepath.Base(f), ".json")
		}
		out = append(out, c)
	}
	return out
}

// caseRuns serves the expected runs of a case to expressions ($('Node')).
type caseRuns struct {
	c *conformanceCase
}

func (r caseRuns) Runs(node string) ([]*NodeRun, error) {
	var out []*NodeRun
	for _, run := range r.c.Expected.Nodes[node] {
		out = append(out, &NodeRun{ExecutionStatus: run.Status, Data: map[string][][]Item{ConnectionMain: itemsOf(run.Output)}})
	}
	return out, nil
}

func itemsOf(outputs [][]map[string]any) [][]Item {
	out := make([][]Item, len(outputs))
	for i, o := range outputs {
		out[i] = make([]Item, len(o))
		for j, js := range o {
			out[i][j] = NewItem(CloneJSON(js).(map[string]any))
		}
	}
	return out
}

// caseInputs builds a node's inputs for run r from its parents' expected
// outputs (run r of each parent, or its last run).
func caseInputs(c *conformanceCase, w *Workflow, node string, nInputs, r int) [][]Item {
	in := make([][]Item, nInputs)
	srcs := make([]string, 0, len(w.Connections))
	for s := range w.Connections {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		for outIdx, targets := range w.Connections[src][ConnectionMain] {
			for _, tg := range targets {
				if tg.Node != node || tg.Index >= nInputs {
					continue
				}
				runs := c.Expected.Nodes[src]
				if len(runs) == 0 {
					continue
				}
				run := runs[min(r, len(runs)-1)]
				if outIdx < len(run.Output) {
					in[tg.Index] = append(in[tg.Index], itemsOf(run.Output)[outIdx]...)
				}
			}
		}
	}
	return in
}

// newCaseContext returns a Context running node of w at a fixed time in UTC.
func newCaseContext(w *Workflow, n *NodeInstance, runs RunReader, in [][]Item, runIndex int) *Context {
	now := time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC)
	return &Context{
		Context:   context.Background(),
		Workflow:  w,
		Node:      n,
		RunIndex:  runIndex,
		Execution: ExecutionInfo{ID: "test", Mode: ModeManual},
		Inputs:    in,
		Runs:      runs,
		Expr:      expr.New(expr.Options{}),
		Now:       func() time.Time { return now },
		Location:  time.UTC,
		State:     map[string]any{},
	}
}

// outputJSON normalizes outputs for comparison: item json only, trailing
// empty outputs dropped.
func outputJSON(outs [][]Item) [][]any {
	res := make([][]any, len(outs))
	for i, o := range outs {
		res[i] = make([]any, len(o))
		for j, it := range o {
			js := it.JSON
			if js == nil {
				js = map[string]any{}
			}
			res[i][j] = NormalizeJSON(CloneJSON(js))
		}
	}
	for len(res) > 0 && len(res[len(res)-1]) == 0 {
		res = res[:len(res)-1]
	}
	return res
}

func expectedJSON(outs [][]map[string]any) [][]any {
	res := make([][]any, len(outs))
	for i, o := range outs {
		res[i] = make([]any, len(o))
		for j, js := range o {
			res[i][j] = NormalizeJSON(CloneJSON(js))
		}
	}
	for len(res) > 0 && len(res[len(res)-1]) == 0 {
		res = res[:len(res)-1]
	}
	return res
}

// transformTypes are the node types this file's corpus test runs.
var transformTypes = map[string]bool{
	"n8n-nodes-base.aggregate":  true,
	"n8n-nodes-base.splitOut":   true,
	"n8n-nodes-base.summarize":  true,
	"n8n-nodes-base.renameKeys": true,
	"n8n-nodes-base.itemLists":  true,
	"n8n-nodes-base.dateTime":   true,
}

// TestTransformCorpus runs every node of a transform type in the corpus on
// the expected outputs of its parents and compares with n8n's output.
func TestTransformCorpus(t *testing.T) {
	ran := map[string]int{}
	for _, c := range loadCases(t) {
		c := c
		w, err := ParseWorkflow(c.Workflow)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for _, n := range w.Nodes {
			if !transformTypes[n.Type] || n.Disabled {
				continue
			}
			reg := Lookup(n.Type)
			if reg == nil {
				t.Fatalf("%s: %s is not registered", c.Name, n.Type)
			}
			for r, want := range c.Expected.Nodes[n.Name] {
				t.Run(c.Name+"/"+n.Name, func(t *testing.T) {
					if err := reg.Node.Validate(n); err != nil {
						t.Fatalf("Validate: %v", err)
					}
					in := caseInputs(&c, w, n.Name, reg.InputCount(n), r)
					ctx := newCaseContext(w, n, caseRuns{&c}, in, r)
					got, err := reg.Node.Execute(ctx, in)
					if want.Status == StatusError {
						if err == nil {
							t.Fatalf("want error %q, got output %v", want.Error, outputJSON(got))
						}
						return
					}
					if err != nil {
						t.Fatalf("Execute: %v", err)
					}
					if g, e := outputJSON(got), expectedJSON(want.Output); !reflect.DeepEqual(g, e) {
						gb, _ := json.MarshalIndent(g, "", " ")
						eb, _ := json.MarshalIndent(e, "", " ")
						t.Fatalf("output differs\ngot:  %s\nwant: %s", gb, eb)
					}
				})
				ran[n.Type]++
			}
		}
	}
	for _, typ := range []string{"n8n-nodes-base.aggregate", "n8n-nodes-base.splitOut", "n8n-nodes-base.summarize", "n8n-nodes-base.renameKeys"} {
		if ran[typ] == 0 {
			t.Errorf("no corpus case ran %s", typ)
		}
	}
}
