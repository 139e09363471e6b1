package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes/corpus"
	"github.com/weft/weft/nodes/expr"
)

// This file runs single nodes of the n8n conformance corpus
// (../shared/conformance/cases, relative to the repository root): a node's
// run is fed the outputs its parents produced in real n8n, as the case's
// `expected` records them, and its output is compared with what n8n
// produced. It needs no interpreter, so every node type can be checked
// against n8n on its own:
//
//	c := loadCase(t, "code-each-item-mode")
//	r := c.prepare(t, "Each", 0)
//	out, err := r.run()
//	r.check(t, out, err)
//
// or, for every run of every node of some types in the corpus:
//
//	forEachCaseRun(t, func(n *NodeInstance) bool { return n.Type == "n8n-nodes-base.set" },
//		func(t *testing.T, r *caseRun) { out, err := r.run(); r.check(t, out, err) })
//
// What `expected` cannot tell: pairedItem links. The parents' items carry
// the pairing n8n's runner assigns to items that have none (one input item;
// as many outputs as inputs; one output item); a test of a node whose
// expressions walk through nodes that pair differently (Filter, If, ...) sets
// r.Runs.Run(node, run) items' PairedItem itself before calling run.

// confCase is one conformance case file, its workflow parsed.
type confCase struct {
	Name        string
	Description string
	Workflow    *Workflow
	Expected    corpus.Expected
}

// confRun is one run of a node as n8n recorded it.
type confRun = corpus.Run

// casesDir returns the corpus directory (corpus.Find).
func casesDir(t testing.TB) string {
	t.Helper()
	dir, err := corpus.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadCases reads every case of the corpus, sorted by name.
func loadCases(t testing.TB) []*confCase {
	t.Helper()
	raw, err := corpus.LoadDir(casesDir(t), "*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*confCase, len(raw))
	for i, rc := range raw {
		out[i] = parseCase(t, rc)
	}
	return out
}

// loadCase reads one case by name.
func loadCase(t testing.TB, name string) *confCase {
	t.Helper()
	rc, err := corpus.Load(filepath.Join(casesDir(t), name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return parseCase(t, rc)
}

func parseCase(t testing.TB, rc *corpus.Case) *confCase {
	t.Helper()
	w, err := ParseWorkflow(rc.Workflow)
	if err != nil {
		t.Fatalf("%s: %v", rc.File, err)
	}
	return &confCase{Name: rc.Name, Description: rc.Description, Workflow: w, Expected: rc.Expected}
}

// position returns the index in Order of node's run-th run, or -1.
func (c *confCase) position(node string, run int) int {
	seen := 0
	for i, n := range c.Expected.Order {
		if n != node {
			continue
		}
		if seen == run {
			return i
		}
		seen++
	}
	return -1
}

// runAt returns which run of its node the entry at position pos is.
func (c *confCase) runAt(pos int) int {
	run := 0
	for i := 0; i < pos; i++ {
		if c.Expected.Order[i] == c.Expected.Order[pos] {
			run++
		}
	}
	return run
}

// outputItems returns a recorded run's output as items.
func (c *confCase) outputItems(node string, run int) [][]Item {
	runs := c.Expected.Nodes[node]
	if run >= len(runs) {
		return nil
	}
	out := make([][]Item, len(runs[run].Output))
	for o, items := range runs[run].Output {
		out[o] = make([]Item, len(items))
		for i, j := range items {
			out[o][i] = NewItem(CloneJSON(NormalizeJSON(j)).(map[string]any))
		}
	}
	return out
}

// inputsAt works out the input of the run at position pos from the runs
// before it: each input takes the latest non-empty delivery on one of its
// connections since the node's previous run (n8n's v1 order runs a node
// once its inputs have data).
func (c *confCase) inputsAt(pos int) ([][]Item, []*SourceRef) {
	node := c.Expected.Order[pos]
	prev := -1
	for i := pos - 1; i >= 0; i-- {
		if c.Expected.Order[i] == node {
			prev = i
			break
		}
	}
	parents := c.Workflow.Parents(node)
	inputs := 1
	for _, p := range parents {
		inputs = max(inputs, p.Input+1)
	}
	if reg := Lookup(c.Workflow.Node(node).Type); reg != nil {
		inputs = max(inputs, reg.InputCount(c.Workflow.Node(node)))
	}
	in := make([][]Item, inputs)
	src := make([]*SourceRef, inputs)
	best := make([]int, inputs)
	for i := range best {
		best[i] = -1
	}
	for i := prev + 1; i < pos; i++ {
		for _, p := range parents {
			if c.Expected.Order[i] != p.Node {
				continue
			}
			run := c.runAt(i)
			out := c.outputItems(p.Node, run)
			if p.Output >= len(out) || len(out[p.Output]) == 0 || i < best[p.Input] {
				continue
			}
			best[p.Input] = i
			in[p.Input] = out[p.Output]
			src[p.Input] = &SourceRef{PreviousNode: p.Node, PreviousNodeOutput: p.Output, PreviousNodeRun: run}
		}
	}
	return in, src
}

// caseRuns is a RunReader over the runs a case recorded before some point.
type caseRuns struct {
	runs map[string][]*NodeRun
}

// Runs implements RunReader.
func (r *caseRuns) Runs(node string) ([]*NodeRun, error) { return r.runs[node], nil }

// Run returns one recorded run, for a test to adjust (e.g. its items'
// pairedItem).
func (r *caseRuns) Run(node string, run int) *NodeRun {
	if run < len(r.runs[node]) {
		return r.runs[node][run]
	}
	return nil
}

// history builds the runs recorded before position pos.
func (c *confCase) history(pos int) *caseRuns {
	h := &caseRuns{runs: map[string][]*NodeRun{}}
	for i := 0; i < pos; i++ {
		node := c.Expected.Order[i]
		run := c.runAt(i)
		rec := c.Expected.Nodes[node]
		if run >= len(rec) {
			continue
		}
		in, src := c.inputsAt(i)
		nr := &NodeRun{ExecutionStatus: rec[run].Status, Source: src}
		if rec[run].Status == StatusError {
			nr.Error = &NodeError{Message: rec[run].Error}
		} else {
			out := c.outputItems(node, run)
			autoPair(out, in)
			nr.Data = map[string][][]Item{ConnectionMain: out}
		}
		h.runs[node] = append(h.runs[node], nr)
	}
	return h
}

// autoPair gives items without pairedItem the pairing n8n's runner assigns
// (WorkflowExecute.assignPairedItems): one input item, as many output items
// as input items on a single input and output, or a single output item.
func autoPair(out, in [][]Item) {
	single := len(in) == 1 && len(in[0]) == 1
	same := len(out) == 1 && len(in) == 1 && len(in[0]) == len(out[0])
	one := len(out) == 1 && len(out[0]) == 1 && len(in) == 1 && len(in[0]) > 1
	for _, items := range out {
		for i := range items {
			if items[i].PairedItem != nil {
				continue
			}
			switch {
			case single, one:
				items[i].PairedItem = PairedItems{{Item: 0}}
			case same:
				items[i].PairedItem = PairedItems{{Item: i}}
			default:
				return
			}
		}
	}
}

// caseRun is one run of one node of a case, ready to execute.
type caseRun struct {
	Case *confCase
	Node *NodeInstance
	Run  int
	// Ctx is the context the node runs with; Ctx.Inputs its input.
	Ctx *Context
	// Runs are the runs recorded before this one.
	Runs *caseRuns
	// Want is what n8n recorded for the run.
	Want confRun
}

// caseNow is the clock of case runs.
var caseNow = time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)

// prepare builds run `run` of node `node`.
func (c *confCase) prepare(t testing.TB, node string, run int) *caseRun {
	t.Helper()
	n := c.Workflow.Node(node)
	if n == nil {
		t.Fatalf("%s: no node %q", c.Name, node)
	}
	pos := c.position(node, run)
	if pos < 0 || run >= len(c.Expected.Nodes[node]) {
		t.Fatalf("%s: node %q has no run %d", c.Name, node, run)
	}
	in, src := c.inputsAt(pos)
	h := c.history(pos)
	var state map[string]any
	if prev := h.runs[node]; len(prev) > 0 {
		state = prev[len(prev)-1].State
	}
	return &caseRun{
		Case: c, Node: n, Run: run, Runs: h, Want: c.Expected.Nodes[node][run],
		Ctx: &Context{
			Context:   context.Background(),
			Workflow:  c.Workflow,
			Node:      n,
			RunIndex:  run,
			Execution: ExecutionInfo{ID: "1", Mode: ModeManual},
			Inputs:    in,
			Source:    src,
			Runs:      h,
			Expr:      expr.New(expr.Options{}),
			Now:       func() time.Time { return caseNow },
			Location:  time.UTC,
			State:     state,
		},
	}
}

// run executes the node with the settings n8n's runner applies around a
// node (executeOnce, alwaysOutputData, the error output of
// onError=continueErrorOutput), as far as a single node can: a small
// stand-in for the interpreter's runner.
func (r *caseRun) run() ([][]Item, error) {
	reg := Lookup(r.Node.Type)
	if reg == nil {
		return nil, NewNodeError("node type %s is not registered", r.Node.Type)
	}
	in := r.Ctx.Inputs
	if r.Node.ExecuteOnce {
		for i := range in {
			if len(in[i]) > 1 {
				in[i] = in[i][:1]
			}
		}
	}
	out, err := reg.Node.Execute(r.Ctx, in)
	if err != nil {
		return nil, err
	}
	if r.Node.AlwaysOutputData && (len(out) == 0 || len(out[0]) == 0) {
		if len(out) == 0 {
			out = [][]Item{nil}
		}
		out[0] = []Item{NewItem(nil)}
	}
	if r.Node.ErrorMode() == OnErrorContinueErrorOutput {
		out = r.routeErrors(out, reg.OutputCount(r.Node))
	}
	return out, nil
}

// routeErrors moves failed items to the error output, the last one, merged
// with the input item they came from (n8n's handleNodeErrorOutput).
func (r *caseRun) routeErrors(out [][]Item, outputs int) [][]Item {
	for len(out) < outputs {
		out = append(out, nil)
	}
	var failed []Item
	for o := 0; o < outputs-1; o++ {
		var ok []Item
		for _, it := range out[o] {
			isErr := it.Error != nil
			if !isErr {
				_, has := it.JSON["error"]
				_, msg := it.JSON["message"]
				isErr = has && (len(it.JSON) == 1 || (msg && len(it.JSON) == 2))
			}
			if !isErr {
				ok = append(ok, it)
				continue
			}
			it.Error = nil
			if len(it.PairedItem) > 0 && len(r.Ctx.Source) > it.PairedItem[0].Input {
				src := r.Ctx.Source[it.PairedItem[0].Input]
				if src != nil {
					if orig, err := r.Ctx.ResolvePairedItem(src.PreviousNode, src, it.PairedItem[0]); err == nil {
						merged := CloneJSON(orig.JSON).(map[string]any)
						for k, v := range it.JSON {
							merged[k] = v
						}
						it.JSON = merged
					}
				}
			}
			failed = append(failed, it)
		}
		out[o] = ok
	}
	out[outputs-1] = failed
	return out
}

// diff returns how a run's result differs from what n8n recorded, or ""
// when it does not: the status, the error message, and per output the
// items' json (corpus.Outputs: trailing empty outputs count as absent).
func (r *caseRun) diff(out [][]Item, err error) string {
	if r.Want.Status == StatusError {
		if err == nil {
			return fmt.Sprintf("n8n failed with %q; got output %s", r.Want.Error, outputJSON(out))
		}
		if r.Want.Error != "" && err.Error() != r.Want.Error {
			return fmt.Sprintf("error = %q, n8n's: %q", err.Error(), r.Want.Error)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("n8n succeeded; got error %v", err)
	}
	got := itemOutputs(out)
	want := corpus.Outputs(r.Want.Output)
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("output differs\n got: %s\nwant: %s", mustJSON(got), mustJSON(want))
	}
	return ""
}

// check fails t where the run's result differs from what n8n recorded.
func (r *caseRun) check(t *testing.T, out [][]Item, err error) {
	t.Helper()
	if d := r.diff(out, err); d != "" {
		t.Error(d)
	}
}

// replay runs every recorded run of node in execution order, each prepared
// as prepare does, carrying the node's state (Context.State) from run to
// run through JSON as the runner stores it, and returns each run's diff.
func (c *confCase) replay(t *testing.T, node string) []string {
	t.Helper()
	runs := 0
	for _, n := range c.Expected.Order {
		if n == node {
			runs++
		}
	}
	if runs != len(c.Expected.Nodes[node]) {
		t.Fatalf("%s: %d runs of %q in order, %d expected", c.Name, runs, node, len(c.Expected.Nodes[node]))
	}
	diffs := make([]string, runs)
	var state map[string]any
	for run := range runs {
		r := c.prepare(t, node, run)
		if run > 0 {
			r.Ctx.State = state
		}
		out, err := r.run()
		diffs[run] = r.diff(out, err)
		state = nil
		if r.Ctx.State != nil {
			b, err := json.Marshal(r.Ctx.State)
			if err != nil {
				t.Fatalf("run %d: state does not encode: %v", run, err)
			}
			if err := json.Unmarshal(b, &state); err != nil {
				t.Fatal(err)
			}
		}
	}
	return diffs
}

// forEachCaseNode calls f in a subtest named case/node for every node of
// every case that match selects, and returns how many it selected.
func forEachCaseNode(t *testing.T, match func(c *confCase, n *NodeInstance) bool, f func(t *testing.T, c *confCase, n *NodeInstance)) int {
	t.Helper()
	count := 0
	for _, c := range loadCases(t) {
		for _, n := range c.Workflow.Nodes {
			if !match(c, n) {
				continue
			}
			count++
			t.Run(c.Name+"/"+n.Name, func(t *testing.T) { f(t, c, n) })
		}
	}
	return count
}

// forEachCaseRun calls f in a subtest for every recorded run of every node
// that match selects, in every case.
func forEachCaseRun(t *testing.T, match func(*NodeInstance) bool, f func(t *testing.T, r *caseRun)) int {
	t.Helper()
	count := 0
	for _, c := range loadCases(t) {
		for _, n := range c.Workflow.Nodes {
			if !match(n) {
				continue
			}
			for run := range c.Expected.Nodes[n.Name] {
				count++
				name := c.Name + "/" + n.Name
				if len(c.Expected.Nodes[n.Name]) > 1 {
					name += "#" + string(rune('0'+run))
				}
				t.Run(name, func(t *testing.T) { f(t, c.prepare(t, n.Name, run)) })
			}
		}
	}
	return count
}

// itemOutputs returns outputs in corpus.Outputs's form.
func itemOutputs(out [][]Item) []any {
	res := make([][]any, len(out))
	for o, items := range out {
		res[o] = make([]any, len(items))
		for i, it := range items {
			res[o][i] = NormalizeJSON(it.JSON)
		}
	}
	return corpus.Outputs(res)
}

// roundTrip passes a value through JSON so that Go and decoded values
// compare equal.
func roundTrip(v any) any {
	b, err := json.Marshal(NormalizeJSON(v))
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func outputJSON(out [][]Item) string { return mustJSON(itemOutputs(out)) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return strings.TrimSpace(err.Error())
	}
	return string(b)
}
