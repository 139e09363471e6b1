package nodes

import (
	"slices"
	"sort"
	"strconv"
)

// Task is one node run the Scheduler asks for. It says where the run's input
// items come from, never the items themselves: those live in a RunStore.
type Task struct {
	// Node is the name of the node to run.
	Node string `json:"node"`
	// RunIndex is the index the run gets among the node's runs.
	RunIndex int `json:"runIndex"`
	// ExecutionIndex numbers the tasks of the execution in the order Next
	// handed them out (n8n's executionIndex).
	ExecutionIndex int `json:"executionIndex"`
	// Inputs has one entry per input of the node (index = input index);
	// an entry is nil where the input received no data (n8n's null source).
	Inputs []*TaskInput `json:"inputs,omitempty"`
	// Trigger marks the run of the start node: its input is the execution's
	// trigger items.
	Trigger bool `json:"trigger,omitempty"`
}

// TaskInput names the node output one input of a Task reads.
type TaskInput struct {
	// Node, Output and Run name the source: run Run of node Node, main
	// output Output.
	Node   string `json:"node"`
	Output int    `json:"output"`
	Run    int    `json:"run"`
	// Count is how many items that output holds.
	Count int `json:"count"`
}

// Sources returns the task's inputs as n8n's per-input source references
// (nil entries for inputs without data). A trigger task has none.
func (t *Task) Sources() []*SourceRef {
	if len(t.Inputs) == 0 {
		return nil
	}
	out := make([]*SourceRef, len(t.Inputs))
	for i, in := range t.Inputs {
		if in != nil {
			out[i] = &SourceRef{PreviousNode: in.Node, PreviousNodeOutput: in.Output, PreviousNodeRun: in.Run}
		}
	}
	return out
}

// TaskResult summarises a finished Task for the Scheduler: no items, only
// how many each output got.
type TaskResult struct {
	// Status is the run's executionStatus (success, error, canceled).
	Status string `json:"status"`
	// Outputs holds the number of items on each main output.
	Outputs []int `json:"outputs,omitempty"`
	// NoData reports that the node produced no data at all (n8n's null
	// output): no run is recorded and the branch ends there.
	NoData bool `json:"noData,omitempty"`
	// Error is the failure's message when Status is error.
	Error string `json:"error,omitempty"`
}

// RunResult summarises a node run as a TaskResult; a nil run is one that
// produced no data.
func RunResult(run *NodeRun) TaskResult {
	if run == nil {
		return TaskResult{Status: StatusSuccess, NoData: true}
	}
	res := TaskResult{Status: run.ExecutionStatus}
	for _, out := range run.Main() {
		res.Outputs = append(res.Outputs, len(out))
	}
	if run.Error != nil {
		res.Error = run.Error.Message
	}
	return res
}

// SchedulerState is everything a Scheduler remembers between tasks. It has
// only exported fields and round-trips through JSON, so an interpreter can
// carry it across continue-as-new.
type SchedulerState struct {
	// Stack holds the tasks ready to run; the first runs next.
	Stack []*Task `json:"stack"`
	// Waiting holds multi-input nodes that received data on some inputs
	// only, in the order n8n's waitingExecution object lists them.
	Waiting []*WaitingNode `json:"waiting,omitempty"`
	// Runs counts the recorded runs of each node.
	Runs map[string]int `json:"runs"`
	// Order lists the node of every recorded run, in execution order.
	Order []string `json:"order"`
	// Tasks counts the tasks handed out by Next.
	Tasks int `json:"tasks"`
	// Current is the task handed out by Next and not yet Done.
	Current *Task `json:"current,omitempty"`
	// LastNodeExecuted is the node of the latest recorded run.
	LastNodeExecuted string `json:"lastNodeExecuted,omitempty"`
	// FailedNode and Error are set when a node error stopped the execution.
	FailedNode string `json:"failedNode,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Clone returns a deep copy of the state but for Order, which it leaves
// out (it only grows, and a copy is made to run the scheduler further
// elsewhere, where the order so far is not needed).
func (st *SchedulerState) Clone() SchedulerState {
	out := *st
	out.Order = nil
	out.Stack = make([]*Task, len(st.Stack))
	for i, t := range st.Stack {
		out.Stack[i] = t.clone()
	}
	if st.Waiting != nil {
		out.Waiting = make([]*WaitingNode, len(st.Waiting))
		for i, w := range st.Waiting {
			cw := &WaitingNode{Node: w.Node, Entries: make([]*WaitingEntry, len(w.Entries))}
			for j, e := range w.Entries {
				cw.Entries[j] = &WaitingEntry{Index: e.Index, Inputs: cloneTaskInputs(e.Inputs)}
			}
			out.Waiting[i] = cw
		}
	}
	out.Runs = make(map[string]int, len(st.Runs))
	for k, v := range st.Runs {
		out.Runs[k] = v
	}
	out.Current = st.Current.clone()
	return out
}

func (t *Task) clone() *Task {
	if t == nil {
		return nil
	}
	c := *t
	c.Inputs = cloneTaskInputs(t.Inputs)
	return &c
}

func cloneTaskInputs(in []*TaskInput) []*TaskInput {
	if in == nil {
		return nil
	}
	out := make([]*TaskInput, len(in))
	for i, x := range in {
		if x != nil {
			c := *x
			out[i] = &c
		}
	}
	return out
}

// WaitingNode is a multi-input node waiting for data on some inputs.
type WaitingNode struct {
	Node string `json:"node"`
	// Entries are the node's pending runs by ascending Index.
	Entries []*WaitingEntry `json:"entries"`
}

// WaitingEntry is one pending run of a waiting node: the inputs received so
// far (nil where none arrived yet).
type WaitingEntry struct {
	Index  int          `json:"index"`
	Inputs []*TaskInput `json:"inputs"`
}

// Scheduler decides which node runs next, following n8n's v1 execution
// order: a stack of nodes ready to run, a finished node's children pushed on
// top so that branches run depth first, the top-most (then left-most) child
// on the canvas first; a node with one input runs once per parent run that
// gave it items, a node with several inputs waits until every input got data
// or until nothing else can run. A branch whose output has no items stops.
// It is deterministic and holds no items, only counts, so Temporal workflow
// code can drive it:
//
//	for {
//		task, ok := sched.Next()
//		if !ok {
//			break
//		}
//		sched.Done(task, run(task))
//	}
type Scheduler struct {
	// State is the scheduler's serialisable state.
	State SchedulerState

	def      *Workflow
	inputs   map[string]int      // number of input slots by connections
	parents  map[string][]string // direct main parents, sorted
	ancestor map[string]map[string]bool
}

// NewScheduler returns a Scheduler for one execution of def starting at the
// node named start; an empty start picks the workflow's start node (see
// StartNode). The start node's task is marked Trigger.
func NewScheduler(def *Workflow, start string) (*Scheduler, error) {
	if start == "" {
		start = StartNode(def)
		if start == "" {
			return nil, Errorf(CodeWorkflowInvalid, "workflow has no enabled trigger node to start from")
		}
	}
	if def.Node(start) == nil {
		return nil, Errorf(CodeWorkflowInvalid, "start node %q does not exist", start)
	}
	s := RestoreScheduler(def, SchedulerState{})
	s.State.Stack = []*Task{{Node: start, Trigger: true}}
	return s, nil
}

// RestoreScheduler returns a Scheduler for def continuing from state.
func RestoreScheduler(def *Workflow, state SchedulerState) *Scheduler {
	s := &Scheduler{State: state, def: def, inputs: map[string]int{}, parents: map[string][]string{}, ancestor: map[string]map[string]bool{}}
	if s.State.Runs == nil {
		s.State.Runs = map[string]int{}
	}
	srcs := make([]string, 0, len(def.Connections))
	for src := range def.Connections {
		srcs = append(srcs, src)
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		for _, targets := range def.Connections[src][ConnectionMain] {
			for _, t := range targets {
				s.inputs[t.Node] = max(s.inputs[t.Node], t.Index+1)
				if !slices.Contains(s.parents[t.Node], src) {
					s.parents[t.Node] = append(s.parents[t.Node], src)
				}
			}
		}
	}
	return s
}

// StartNode returns the node an execution starts from when none is named:
// the first enabled Manual Trigger (or legacy Start) node, else the first
// enabled trigger of any type; "" if there is none.
func StartNode(def *Workflow) string {
	var other string
	for _, n := range def.Nodes {
		if n.Disabled {
			continue
		}
		switch n.Type {
		case "n8n-nodes-base.manualTrigger", "n8n-nodes-base.start":
			return n.Name
		}
		if t := Lookup(n.Type); other == "" && t != nil && t.Trigger {
			other = n.Name
		}
	}
	return other
}

// Next returns the next task to run, or false when the execution is over
// (nothing left to run, or a node error stopped it). Calling Next again
// before Done returns the same task.
func (s *Scheduler) Next() (*Task, bool) {
	st := &s.State
	if st.Current != nil {
		return st.Current, true
	}
	if st.Error != "" || len(st.Stack) == 0 {
		return nil, false
	}
	t := st.Stack[0]
	st.Stack = st.Stack[1:]
	t.RunIndex = st.Runs[t.Node]
	t.ExecutionIndex = st.Tasks
	st.Tasks++
	st.Current = t
	return t, true
}

// Failed reports whether a node error stopped the execution.
func (s *Scheduler) Failed() bool { return s.State.Error != "" }

// Done records the result of the task Next returned and schedules what
// follows from it.
func (s *Scheduler) Done(t *Task, res TaskResult) {
	st := &s.State
	st.Current = nil
	if res.NoData && res.Status != StatusError {
		// n8n ends the branch without recording a run and without looking
		// at waiting nodes.
		return
	}
	st.Runs[t.Node]++
	st.Order = append(st.Order, t.Node)
	st.LastNodeExecuted = t.Node
	if res.Status == StatusError && s.stops(t.Node) {
		st.FailedNode = t.Node
		st.Error = res.Error
		if st.Error == "" {
			st.Error = "node " + t.Node + " failed"
		}
		return
	}
	if res.Status == StatusCanceled {
		st.Stack = nil
		st.Waiting = nil
		return
	}
	s.addChildren(t, res.Outputs)
	if len(st.Stack) == 0 && len(st.Waiting) > 0 {
		s.runWaiting()
	}
}

// stops reports whether an error of node stops the execution.
func (s *Scheduler) stops(node string) bool {
	n := s.def.Node(node)
	return n == nil || n.ErrorMode() == OnErrorStop
}

type childEdge struct {
	conn   Connection
	output int
	pos    [2]float64
}

// addChildren queues the children connected to the outputs that got items,
// the top-most, then left-most, on the canvas to run first.
func (s *Scheduler) addChildren(t *Task, outputs []int) {
	var edges []childEdge
	for out, targets := range s.def.Connections[t.Node][ConnectionMain] {
		if out >= len(outputs) || outputs[out] == 0 {
			continue
		}
		for _, c := range targets {
			n := s.def.Node(c.Node)
			if n == nil {
				continue
			}
			edges = append(edges, childEdge{conn: c, output: out, pos: n.Position})
		}
	}
	// n8n sorts the children bottom-right first and then puts each on top of
	// the stack, so the top-left one ends up running first.
	sort.SliceStable(edges, func(i, j int) bool {
		a, b := edges[i].pos, edges[j].pos
		if a[1] != b[1] {
			return a[1] > b[1]
		}
		return a[0] > b[0]
	})
	for _, e := range edges {
		s.add(e.conn, &TaskInput{Node: t.Node, Output: e.output, Run: t.RunIndex, Count: outputs[e.output]})
	}
}

// add hands one parent output to a child: n8n's addNodeToBeExecuted in v1.
func (s *Scheduler) add(c Connection, in *TaskInput) {
	st := &s.State
	n := s.inputs[c.Node]
	if n <= 1 {
		inputs := make([]*TaskInput, c.Index+1)
		inputs[c.Index] = in
		st.Stack = append([]*Task{{Node: c.Node, Inputs: inputs}}, st.Stack...)
		return
	}
	w := s.waiting(c.Node)
	if w == nil {
		w = &WaitingNode{Node: c.Node}
		st.Waiting = append(st.Waiting, w)
	}
	var e *WaitingEntry
	for _, cand := range w.Entries {
		if cand.Inputs[c.Index] == nil {
			e = cand
			break
		}
	}
	if e == nil {
		// n8n numbers a new pending run by the number of pending runs,
		// replacing one with that number if it exists.
		idx := len(w.Entries)
		e = &WaitingEntry{Index: idx, Inputs: make([]*TaskInput, n)}
		w.put(e)
	}
	e.Inputs[c.Index] = in
	for _, x := range e.Inputs {
		if x == nil {
			return
		}
	}
	st.Stack = append([]*Task{{Node: c.Node, Inputs: e.Inputs}}, st.Stack...)
	s.removeEntry(w, e.Index)
}

// runWaiting is what n8n does when the stack is empty but nodes still wait
// for data: the first waiting node whose ancestors are not waiting and
// whose required inputs have data runs with what it has.
func (s *Scheduler) runWaiting() {
	st := &s.State
	names := s.waitingOrder()
	for i := 0; i < len(names); i++ {
		name := names[i]
		w := s.waiting(name)
		n := s.def.Node(name)
		if w == nil || n == nil {
			continue
		}
		if s.ancestorWaiting(name, names) {
			continue
		}
		e := w.first()
		var have []int
		hasItems := false
		for idx, in := range e.Inputs {
			if in != nil {
				have = append(have, idx)
				if in.Count > 0 {
					hasItems = true
				}
			}
		}
		if !requirementMet(n, have) {
			continue
		}
		if hasItems {
			st.Stack = append(st.Stack, &Task{Node: name, Inputs: e.Inputs})
		}
		s.removeEntry(w, e.Index)
		if hasItems {
			return
		}
		names = s.waitingOrder()
		i = -1
	}
}

// requirementMet applies a node type's RequiredInputs.
func requirementMet(n *NodeInstance, have []int) bool {
	t := Lookup(n.Type)
	if t == nil || t.RequiredInputs == nil {
		return true
	}
	for _, r := range t.RequiredInputs(n) {
		if !slices.Contains(have, r) {
			return false
		}
	}
	return true
}

func (s *Scheduler) waiting(node string) *WaitingNode {
	for _, w := range s.State.Waiting {
		if w.Node == node {
			return w
		}
	}
	return nil
}

func (s *Scheduler) removeEntry(w *WaitingNode, index int) {
	w.Entries = slices.DeleteFunc(w.Entries, func(e *WaitingEntry) bool { return e.Index == index })
	if len(w.Entries) == 0 {
		s.State.Waiting = slices.DeleteFunc(s.State.Waiting, func(x *WaitingNode) bool { return x == w })
	}
}

// put stores e, replacing an entry with the same index, keeping the entries
// sorted by index.
func (w *WaitingNode) put(e *WaitingEntry) {
	for i, x := range w.Entries {
		if x.Index == e.Index {
			w.Entries[i] = e
			return
		}
	}
	w.Entries = append(w.Entries, e)
	sort.Slice(w.Entries, func(i, j int) bool { return w.Entries[i].Index < w.Entries[j].Index })
}

// first returns the entry n8n picks when forcing a waiting node: the
// smallest index compared as text, as JavaScript's default sort does.
func (w *WaitingNode) first() *WaitingEntry {
	best := w.Entries[0]
	for _, e := range w.Entries[1:] {
		if strconv.Itoa(e.Index) < strconv.Itoa(best.Index) {
			best = e
		}
	}
	return best
}

// waitingOrder lists the waiting nodes in the order JavaScript lists the
// keys of n8n's waitingExecution object: names that are array indexes
// first, ascending, then the others in insertion order.
func (s *Scheduler) waitingOrder() []string {
	var idx []string
	var rest []string
	for _, w := range s.State.Waiting {
		if isArrayIndex(w.Node) {
			idx = append(idx, w.Node)
		} else {
			rest = append(rest, w.Node)
		}
	}
	sort.Slice(idx, func(i, j int) bool {
		a, _ := strconv.ParseUint(idx[i], 10, 32)
		b, _ := strconv.ParseUint(idx[j], 10, 32)
		return a < b
	})
	return append(idx, rest...)
}

func isArrayIndex(s string) bool {
	v, err := strconv.ParseUint(s, 10, 32)
	return err == nil && v < 1<<32-1 && strconv.FormatUint(v, 10) == s
}

// ancestorWaiting reports whether any ancestor of node is in waiting.
func (s *Scheduler) ancestorWaiting(node string, waiting []string) bool {
	anc := s.ancestors(node)
	for _, w := range waiting {
		if anc[w] {
			return true
		}
	}
	return false
}

// ancestors returns every node upstream of node, not counting node itself
// even when it sits on a loop.
func (s *Scheduler) ancestors(node string) map[string]bool {
	if a, ok := s.ancestor[node]; ok {
		return a
	}
	seen := map[string]bool{}
	stack := []string{node}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range s.parents[cur] {
			if p == node || seen[p] {
				continue
			}
			seen[p] = true
			stack = append(stack, p)
		}
	}
	s.ancestor[node] = seen
	return seen
}
