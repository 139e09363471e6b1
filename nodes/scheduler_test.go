package nodes_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/corpus"
)

// mergeType is n8n's Merge node, whose chooseBranch mode needs both inputs
// (Description.RequiredInputs).
const mergeType = "n8n-nodes-base.merge"

// schedulerCase is a corpus case with its workflow parsed.
type schedulerCase struct {
	Name     string
	Workflow *nodes.Workflow
	Expected corpus.Expected
}

// schedulerCases loads every corpus case.
func schedulerCases(t *testing.T) []*schedulerCase {
	t.Helper()
	dir, err := corpus.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := corpus.LoadDir(dir, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*schedulerCase, len(raw))
	for i, rc := range raw {
		w, err := nodes.ParseWorkflow(rc.Workflow)
		if err != nil {
			t.Fatalf("%s: %v", rc.Name, err)
		}
		out[i] = &schedulerCase{Name: rc.Name, Workflow: w, Expected: rc.Expected}
	}
	return out
}

// TestSchedulerCorpusOrder drives the scheduler over every corpus case,
// answering each task with the item counts n8n's run produced, and checks
// that the runs come in n8n's order.
func TestSchedulerCorpusOrder(t *testing.T) {
	cases := schedulerCases(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			s, err := nodes.NewScheduler(c.Workflow, "")
			if err != nil {
				t.Fatal(err)
			}
			for {
				task, ok := s.Next()
				if !ok {
					break
				}
				runs := c.Expected.Nodes[task.Node]
				if task.RunIndex >= len(runs) {
					t.Fatalf("scheduler asks for run %d of %s; n8n ran it %d times (order so far %v)", task.RunIndex, task.Node, len(runs), s.State.Order)
				}
				want := runs[task.RunIndex]
				if err := checkSources(c, task); err != nil {
					t.Fatal(err)
				}
				res := nodes.TaskResult{Status: want.Status, Error: want.Error}
				for _, out := range want.Output {
					res.Outputs = append(res.Outputs, len(out))
				}
				s.Done(task, res)
			}
			if !slices.Equal(s.State.Order, c.Expected.Order) {
				t.Fatalf("order\n got %v\nwant %v", s.State.Order, c.Expected.Order)
			}
			if failed := s.Failed(); failed != (c.Expected.Status == nodes.StatusError) {
				t.Fatalf("failed = %v, n8n status %s", failed, c.Expected.Status)
			}
		})
	}
}

// checkSources checks that a task's input counts agree with n8n's outputs.
func checkSources(c *schedulerCase, task *nodes.Task) error {
	for i, in := range task.Inputs {
		if in == nil {
			continue
		}
		src := c.Expected.Nodes[in.Node]
		if in.Run >= len(src) || in.Output >= len(src[in.Run].Output) {
			return fmt.Errorf("%s input %d reads %s run %d output %d, which n8n did not produce", task.Node, i, in.Node, in.Run, in.Output)
		}
		if n := len(src[in.Run].Output[in.Output]); n != in.Count {
			return fmt.Errorf("%s input %d: count %d, source has %d", task.Node, i, in.Count, n)
		}
	}
	return nil
}

// graph builds a workflow from a compact description: nodes as
// "Name:type@x,y" (type defaults to noOp, position to 0,0) and edges as
// "From:out->To:in" (out and in default to 0).
func graph(t *testing.T, nodeSpecs []string, edges ...string) *nodes.Workflow {
	t.Helper()
	w := &nodes.Workflow{Name: "g", Connections: nodes.Connections{}}
	for _, spec := range nodeSpecs {
		n := &nodes.NodeInstance{Type: "n8n-nodes-base.noOp", TypeVersion: 1, Parameters: map[string]any{}}
		name, rest, _ := strings.Cut(spec, ":")
		n.Name = name
		if rest != "" {
			typ, pos, hasPos := strings.Cut(rest, "@")
			if typ != "" {
				n.Type = typ
			}
			if hasPos {
				if _, err := fmt.Sscanf(pos, "%g,%g", &n.Position[0], &n.Position[1]); err != nil {
					t.Fatalf("position %q: %v", pos, err)
				}
			}
		}
		if name == "Start" {
			n.Type = "n8n-nodes-base.manualTrigger"
		}
		w.Nodes = append(w.Nodes, n)
	}
	for _, e := range edges {
		from, to, ok := strings.Cut(e, "->")
		if !ok {
			t.Fatalf("edge %q", e)
		}
		src, out := endpoint(t, from)
		dst, in := endpoint(t, to)
		if w.Connections[src] == nil {
			w.Connections[src] = map[string][][]nodes.Connection{}
		}
		outs := w.Connections[src][nodes.ConnectionMain]
		for len(outs) <= out {
			outs = append(outs, nil)
		}
		outs[out] = append(outs[out], nodes.Connection{Node: dst, Type: nodes.ConnectionMain, Index: in})
		w.Connections[src][nodes.ConnectionMain] = outs
	}
	return w
}

func endpoint(t *testing.T, s string) (string, int) {
	t.Helper()
	name, idx, ok := strings.Cut(s, ":")
	if !ok {
		return name, 0
	}
	var i int
	if _, err := fmt.Sscanf(idx, "%d", &i); err != nil {
		t.Fatalf("endpoint %q: %v", s, err)
	}
	return name, i
}

// script answers tasks: per node, per run, the result. A missing run
// answers one item on output 0.
type script map[string][]nodes.TaskResult

func ok(counts ...int) nodes.TaskResult {
	return nodes.TaskResult{Status: nodes.StatusSuccess, Outputs: counts}
}

func failed(msg string) nodes.TaskResult {
	return nodes.TaskResult{Status: nodes.StatusError, Error: msg}
}

var noData = nodes.TaskResult{Status: nodes.StatusSuccess, NoData: true}

// drive runs the scheduler to its end, answering from sc, and returns the
// tasks it handed out as "Node#run(inputs)" strings.
func drive(t *testing.T, w *nodes.Workflow, s *nodes.Scheduler, sc script) []string {
	t.Helper()
	var got []string
	for steps := 0; ; steps++ {
		if steps > 1000 {
			t.Fatal("scheduler does not end")
		}
		task, more := s.Next()
		if !more {
			return got
		}
		got = append(got, describe(task))
		res := ok(1)
		if rs := sc[task.Node]; task.RunIndex < len(rs) {
			res = rs[task.RunIndex]
		}
		// Round-trip the state through JSON at every step: the scheduler
		// must be able to continue from its serialised form.
		b, err := json.Marshal(s.State)
		if err != nil {
			t.Fatal(err)
		}
		var st nodes.SchedulerState
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		s = nodes.RestoreScheduler(w, st)
		task, _ = s.Next()
		s.Done(task, res)
	}
}

func describe(t *nodes.Task) string {
	var ins []string
	for _, in := range t.Inputs {
		if in == nil {
			ins = append(ins, "-")
			continue
		}
		ins = append(ins, fmt.Sprintf("%s.%d.%d=%d", in.Node, in.Output, in.Run, in.Count))
	}
	return fmt.Sprintf("%s#%d(%s)", t.Node, t.RunIndex, strings.Join(ins, " "))
}

func TestSchedulerGraphs(t *testing.T) {
	merge := func(name, pos string) string { return name + ":" + mergeType + "@" + pos }
	cases := []struct {
		name   string
		nodes  []string
		edges  []string
		script script
		want   []string
		fail   string
	}{
		{
			name:  "chain",
			nodes: []string{"Start", "A", "B"},
			edges: []string{"Start->A", "A->B"},
			want:  []string{"Start#0()", "A#0(Start.0.0=1)", "B#0(A.0.0=1)"},
		},
		{
			name:   "empty output ends the branch",
			nodes:  []string{"Start", "A", "B"},
			edges:  []string{"Start->A", "A->B"},
			script: script{"A": {ok(0)}},
			want:   []string{"Start#0()", "A#0(Start.0.0=1)"},
		},
		{
			name:   "no data ends the branch and records nothing",
			nodes:  []string{"Start", "A", "B"},
			edges:  []string{"Start->A", "A->B"},
			script: script{"A": {noData}},
			want:   []string{"Start#0()", "A#0(Start.0.0=1)"},
		},
		{
			name:   "two outputs, upper child first",
			nodes:  []string{"Start", "If", "T:@400,-100", "F:@400,100"},
			edges:  []string{"Start->If", "If:0->F", "If:1->T"},
			script: script{"If": {ok(2, 3)}},
			want:   []string{"Start#0()", "If#0(Start.0.0=1)", "T#0(If.1.0=3)", "F#0(If.0.0=2)"},
		},
		{
			name:   "same height: left child first",
			nodes:  []string{"Start", "A", "R:@500,0", "L:@300,0"},
			edges:  []string{"Start->A", "A->R", "A->L"},
			script: script{},
			want:   []string{"Start#0()", "A#0(Start.0.0=1)", "L#0(A.0.0=1)", "R#0(A.0.0=1)"},
		},
		{
			name:   "both outputs into one single-input node run it twice",
			nodes:  []string{"Start", "If", "X"},
			edges:  []string{"Start->If", "If:0->X", "If:1->X"},
			script: script{"If": {ok(1, 2)}},
			want:   []string{"Start#0()", "If#0(Start.0.0=1)", "X#0(If.1.0=2)", "X#1(If.0.0=1)"},
		},
		{
			name:   "error stops the execution",
			nodes:  []string{"Start", "A", "B"},
			edges:  []string{"Start->A", "A->B"},
			script: script{"A": {failed("boom")}},
			want:   []string{"Start#0()", "A#0(Start.0.0=1)"},
			fail:   "boom",
		},
		{
			name:  "merge waits for both inputs",
			nodes: []string{"Start", "A:@200,-100", "A2:@400,-100", "B:@200,100", merge("M", "600,0"), "End:@800,0"},
			edges: []string{"Start->A", "Start->B", "A->A2", "A2->M:0", "B->M:1", "M->End"},
			want: []string{"Start#0()", "A#0(Start.0.0=1)", "A2#0(A.0.0=1)", "B#0(Start.0.0=1)",
				"M#0(A2.0.0=1 B.0.0=1)", "End#0(M.0.0=1)"},
		},
		{
			name:   "merge runs with one input when the other branch ends empty",
			nodes:  []string{"Start", "A:@200,-100", "B:@200,100", merge("M", "600,0")},
			edges:  []string{"Start->A", "Start->B", "A->M:0", "B->M:1"},
			script: script{"B": {ok(0)}},
			want:   []string{"Start#0()", "A#0(Start.0.0=1)", "B#0(Start.0.0=1)", "M#0(A.0.0=1 -)"},
		},
		{
			name:   "merge on input 1 only",
			nodes:  []string{"Start", "B", merge("M", "600,0")},
			edges:  []string{"Start->B", "B->M:1"},
			script: script{},
			want:   []string{"Start#0()", "B#0(Start.0.0=1)", "M#0(- B.0.0=1)"},
		},
		{
			name:   "merge fed twice on one input: pending runs pair up in order",
			nodes:  []string{"Start", "If:@200,0", "A:@400,-100", "B:@400,100", merge("M", "600,0")},
			edges:  []string{"Start->If", "If:0->A", "If:1->A", "A->M:0", "If:0->B", "B->M:1"},
			script: script{"If": {ok(1, 1)}},
			want: []string{"Start#0()", "If#0(Start.0.0=1)", "A#0(If.1.0=1)", "A#1(If.0.0=1)", "B#0(If.0.0=1)",
				"M#0(A.0.0=1 B.0.0=1)", "M#1(A.0.1=1 -)"},
		},
		{
			name:  "waiting merge does not run before a waiting ancestor",
			nodes: []string{"Start", "A:@200,100", "B:@200,-100", merge("M1", "400,0"), "C:@400,200", merge("M2", "600,0")},
			edges: []string{"Start->A", "Start->B", "A->M1:0", "B->M2:1", "M1->M2:0", "C->M1:1"},
			want: []string{"Start#0()", "B#0(Start.0.0=1)", "A#0(Start.0.0=1)", "M1#0(A.0.0=1 -)",
				"M2#0(M1.0.0=1 B.0.0=1)"},
		},
		{
			name:   "loop over items",
			nodes:  []string{"Start", "Loop:n8n-nodes-base.splitInBatches@200,0", "Body:@400,100", "Done:@400,-100"},
			edges:  []string{"Start->Loop", "Loop:0->Done", "Loop:1->Body", "Body->Loop"},
			script: script{"Loop": {ok(0, 2), ok(0, 1), ok(3, 0)}, "Body": {ok(2), ok(1)}},
			want: []string{"Start#0()", "Loop#0(Start.0.0=1)", "Body#0(Loop.1.0=2)", "Loop#1(Body.0.0=2)",
				"Body#1(Loop.1.1=1)", "Loop#2(Body.0.1=1)", "Done#0(Loop.0.2=3)"},
		},
		{
			name:   "error output branch",
			nodes:  []string{"Start", "A", "Ok:@400,-100", "Bad:@400,100"},
			edges:  []string{"Start->A", "A:0->Ok", "A:1->Bad"},
			script: script{"A": {ok(2, 1)}},
			want:   []string{"Start#0()", "A#0(Start.0.0=1)", "Ok#0(A.0.0=2)", "Bad#0(A.1.0=1)"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := graph(t, c.nodes, c.edges...)
			s, err := nodes.NewScheduler(w, "")
			if err != nil {
				t.Fatal(err)
			}
			got := drive(t, w, s, c.script)
			if !slices.Equal(got, c.want) {
				t.Fatalf("tasks\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestSchedulerStopsOnErrorOnlyForStopWorkflow(t *testing.T) {
	for _, mode := range []string{nodes.OnErrorStop, nodes.OnErrorContinueRegularOutput, nodes.OnErrorContinueErrorOutput} {
		t.Run(mode, func(t *testing.T) {
			w := graph(t, []string{"Start", "A", "B"}, "Start->A", "A->B")
			w.Node("A").OnError = mode
			s, err := nodes.NewScheduler(w, "")
			if err != nil {
				t.Fatal(err)
			}
			for {
				task, more := s.Next()
				if !more {
					break
				}
				res := ok(1)
				if task.Node == "A" {
					res = nodes.TaskResult{Status: nodes.StatusError, Outputs: []int{1}, Error: "bad"}
				}
				s.Done(task, res)
			}
			wantFail := mode == nodes.OnErrorStop
			if s.Failed() != wantFail {
				t.Fatalf("failed = %v", s.Failed())
			}
			wantOrder := []string{"Start", "A", "B"}
			if wantFail {
				wantOrder = wantOrder[:2]
				if s.State.FailedNode != "A" || s.State.Error != "bad" {
					t.Fatalf("failed node %q error %q", s.State.FailedNode, s.State.Error)
				}
			}
			if !slices.Equal(s.State.Order, wantOrder) {
				t.Fatalf("order %v", s.State.Order)
			}
		})
	}
}

func TestSchedulerStart(t *testing.T) {
	w := graph(t, []string{"A", "Start", "B"}, "Start->B")
	s, err := nodes.NewScheduler(w, "")
	if err != nil {
		t.Fatal(err)
	}
	task, _ := s.Next()
	if task.Node != "Start" || !task.Trigger || task.Sources() != nil {
		t.Fatalf("first task %+v", task)
	}
	if again, _ := s.Next(); again != task {
		t.Fatal("Next before Done must return the pending task")
	}
	if _, err := nodes.NewScheduler(w, "Ghost"); err == nil {
		t.Fatal("unknown start node accepted")
	}
	w.Node("Start").Disabled = true
	if _, err := nodes.NewScheduler(w, ""); err == nil {
		t.Fatal("workflow without enabled trigger accepted")
	}
}

func TestTaskSources(t *testing.T) {
	task := &nodes.Task{Node: "M", Inputs: []*nodes.TaskInput{nil, {Node: "B", Output: 1, Run: 2, Count: 3}}}
	got := task.Sources()
	if len(got) != 2 || got[0] != nil || *got[1] != (nodes.SourceRef{PreviousNode: "B", PreviousNodeOutput: 1, PreviousNodeRun: 2}) {
		t.Fatalf("sources %+v", got)
	}
}

func TestRunResult(t *testing.T) {
	if r := nodes.RunResult(nil); !r.NoData {
		t.Fatalf("nil run: %+v", r)
	}
	run := &nodes.NodeRun{ExecutionStatus: nodes.StatusSuccess, Data: map[string][][]nodes.Item{
		nodes.ConnectionMain: {{nodes.NewItem(nil), nodes.NewItem(nil)}, nil},
	}}
	if r := nodes.RunResult(run); !slices.Equal(r.Outputs, []int{2, 0}) || r.Status != nodes.StatusSuccess {
		t.Fatalf("result %+v", r)
	}
	run = &nodes.NodeRun{ExecutionStatus: nodes.StatusError, Error: &nodes.NodeError{Message: "x"}}
	if r := nodes.RunResult(run); r.Error != "x" || r.Status != nodes.StatusError {
		t.Fatalf("result %+v", r)
	}
}

// TestSchedulerCorpusGraphs drives the scheduler over every corpus graph
// with made-up item counts and checks what must hold whatever the counts:
// it ends, every task reads outputs of runs recorded before it with the
// counts they had, run indexes count up per node, continuing from the
// JSON form of the state changes nothing, and a failing node stops the
// execution right there.
func TestSchedulerCorpusGraphs(t *testing.T) {
	cases := schedulerCases(t)
	patterns := map[string]func(w *nodes.Workflow, node string, run int) nodes.TaskResult{
		"rotating": pattern,
		// Only the trigger emits anything.
		"dry": func(w *nodes.Workflow, node string, run int) nodes.TaskResult {
			if w.Node(node).Type == "n8n-nodes-base.manualTrigger" {
				return ok(1)
			}
			return ok(0)
		},
	}
	for _, c := range cases {
		for pname, pattern := range patterns {
			t.Run(c.Name+"/"+pname, func(t *testing.T) {
				answer := func(task *nodes.Task) nodes.TaskResult { return pattern(c.Workflow, task.Node, task.RunIndex) }
				plain := driveChecked(t, c.Workflow, answer, false)
				viaJSON := driveChecked(t, c.Workflow, answer, true)
				if !slices.Equal(plain, viaJSON) {
					t.Fatalf("restoring from JSON changed the tasks\n plain %q\n  json %q", plain, viaJSON)
				}
			})
		}
		t.Run(c.Name+"/failing", func(t *testing.T) {
			for _, victim := range c.Expected.Order[1:] {
				answer := func(task *nodes.Task) nodes.TaskResult {
					if task.Node == victim {
						return failed("victim")
					}
					return pattern(c.Workflow, task.Node, task.RunIndex)
				}
				tasks := driveChecked(t, c.Workflow, answer, false)
				at := slices.IndexFunc(tasks, func(s string) bool { return strings.HasPrefix(s, victim+"#") })
				if at >= 0 && at != len(tasks)-1 && c.Workflow.Node(victim).ErrorMode() == nodes.OnErrorStop {
					t.Fatalf("failing %s: execution went on to %s", victim, tasks[at+1])
				}
			}
		})
	}
}

// pattern gives items to one output only, a different one on each run of a
// node, so that loops end.
func pattern(w *nodes.Workflow, node string, run int) nodes.TaskResult {
	n := max(len(w.Connections[node][nodes.ConnectionMain]), 1)
	counts := make([]int, n)
	counts[(run+1)%n] = run + 1
	return ok(counts...)
}

// driveChecked runs a scheduler to its end, checking every task against
// the runs recorded so far, and returns the tasks it handed out.
func driveChecked(t *testing.T, w *nodes.Workflow, answer func(*nodes.Task) nodes.TaskResult, viaJSON bool) []string {
	t.Helper()
	s, err := nodes.NewScheduler(w, "")
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string][]nodes.TaskResult{}
	var tasks []string
	for {
		if len(tasks) > 2000 {
			t.Fatal("scheduler does not end")
		}
		task, more := s.Next()
		if !more {
			break
		}
		if task.RunIndex != len(recorded[task.Node]) {
			t.Fatalf("%s gets run index %d after %d runs", task.Node, task.RunIndex, len(recorded[task.Node]))
		}
		for i, in := range task.Inputs {
			if in == nil {
				continue
			}
			runs := recorded[in.Node]
			if in.Run >= len(runs) {
				t.Fatalf("%s input %d reads run %d of %s, which has not run", task.Node, i, in.Run, in.Node)
			}
			if outs := runs[in.Run].Outputs; in.Output >= len(outs) || outs[in.Output] != in.Count || in.Count == 0 {
				t.Fatalf("%s input %d reads %s.%d.%d with count %d; that output had %v", task.Node, i, in.Node, in.Output, in.Run, in.Count, outs)
			}
		}
		tasks = append(tasks, describe(task))
		res := answer(task)
		recorded[task.Node] = append(recorded[task.Node], res)
		if viaJSON {
			b, err := json.Marshal(s.State)
			if err != nil {
				t.Fatal(err)
			}
			var st nodes.SchedulerState
			if err := json.Unmarshal(b, &st); err != nil {
				t.Fatal(err)
			}
			s = nodes.RestoreScheduler(w, st)
			task, _ = s.Next()
		}
		s.Done(task, res)
	}
	return tasks
}

// TestSchedulerStateClone checks, at every step of every corpus case, that
// a scheduler restored from a Clone of the state hands out the same tasks
// to the end as the original does, and that driving it leaves the original
// state untouched.
func TestSchedulerStateClone(t *testing.T) {
	answer := func(c *schedulerCase, task *nodes.Task) nodes.TaskResult {
		want := c.Expected.Nodes[task.Node][task.RunIndex]
		res := nodes.TaskResult{Status: want.Status, Error: want.Error}
		for _, out := range want.Output {
			res.Outputs = append(res.Outputs, len(out))
		}
		return res
	}
	drive := func(c *schedulerCase, s *nodes.Scheduler) []string {
		var got []string
		for {
			task, ok := s.Next()
			if !ok {
				return got
			}
			got = append(got, fmt.Sprintf("%s#%d/%d", task.Node, task.RunIndex, task.ExecutionIndex))
			s.Done(task, answer(c, task))
		}
	}
	for _, c := range schedulerCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			s, err := nodes.NewScheduler(c.Workflow, "")
			if err != nil {
				t.Fatal(err)
			}
			for step := 0; ; step++ {
				task, ok := s.Next()
				if !ok {
					break
				}
				before, _ := json.Marshal(s.State)
				clone := nodes.RestoreScheduler(c.Workflow, s.State.Clone())
				if len(clone.State.Order) != 0 {
					t.Fatalf("step %d: the clone carries the order", step)
				}
				fromClone := drive(c, clone)
				if after, _ := json.Marshal(s.State); string(after) != string(before) {
					t.Fatalf("step %d: driving the clone changed the original state\nbefore %s\nafter  %s", step, before, after)
				}
				rest := nodes.RestoreScheduler(c.Workflow, mustRoundTrip(t, s.State))
				if fromOriginal := drive(c, rest); !slices.Equal(fromClone, fromOriginal) {
					t.Fatalf("step %d: clone ran\n%v\noriginal\n%v", step, fromClone, fromOriginal)
				}
				s.Done(task, answer(c, task))
			}
		})
	}
}

// mustRoundTrip copies a state through JSON, as continue-as-new does.
func mustRoundTrip(t *testing.T, st nodes.SchedulerState) nodes.SchedulerState {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var out nodes.SchedulerState
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
