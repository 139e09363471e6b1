package nodes

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// Node is the behaviour of one node type. Implementations are stateless: the
// node instance, its parameters and its input arrive through the Context, so
// one value serves every execution. Register each in an init function of its
// own file.
type Node interface {
	// Describe returns the type's registration data. It is called once, at
	// registration.
	Describe() Description
	// Validate checks a node instance's parameters when a workflow is saved,
	// before anything runs. Expressions are not evaluated: a parameter that
	// holds one ("={{ ... }}") is accepted as it is. Errors name the
	// parameter path; the caller adds the node's name.
	Validate(n *NodeInstance) error
	// Execute runs the node once on its inputs (one slice of items per
	// input) and returns one slice of items per output. A returned error
	// fails the node; per-item failures that the node's onError setting
	// lets through are the node's to turn into items (see
	// Context.ContinueOnFail).
	Execute(ctx *Context, in [][]Item) ([][]Item, error)
}

// Kind says where the interpreter runs a node.
type Kind int

const (
	// KindPure nodes only transform items: no I/O, no clock. They run as
	// Temporal local activities.
	KindPure Kind = iota
	// KindIO nodes reach outside (HTTP, databases, mail). They run as
	// regular activities with the node's retry policy.
	KindIO
	// KindControl nodes are run by the interpreter's workflow code (Wait,
	// Execute Workflow, Respond to Webhook); their Execute prepares their
	// data.
	KindControl
)

func (k Kind) String() string {
	switch k {
	case KindPure:
		return "pure"
	case KindIO:
		return "io"
	case KindControl:
		return "control"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Description is a node type's registration data.
type Description struct {
	// Name is n8n's type name, e.g. "n8n-nodes-base.if".
	Name string
	// DisplayName is the editor's label ("If").
	DisplayName string
	// Summary is one sentence on what the node does.
	Summary string
	// Versions lists the typeVersions weft runs, ascending.
	Versions []float64
	// Kind says where the node runs.
	Kind Kind
	// KindFor, when set, gives an instance's kind where it differs from
	// Kind (the Code node runs Python as an activity).
	KindFor func(n *NodeInstance) Kind
	// Trigger marks nodes that start a workflow; a workflow needs one.
	Trigger bool
	// Inputs returns how many main inputs an instance has; nil means one
	// (none for triggers).
	Inputs func(n *NodeInstance) int
	// Outputs returns how many main outputs an instance has, not counting
	// the error output that onError=continueErrorOutput adds; nil means one.
	Outputs func(n *NodeInstance) int
	// RequiredInputs, for a node with several inputs, lists the inputs that
	// must have received items before the node may run with data missing
	// on its other inputs (n8n's requiredInputs: Merge in chooseBranch mode
	// needs both). nil means any input with items suffices. The Scheduler
	// asks it only when nothing else is left to run.
	RequiredInputs func(n *NodeInstance) []int
	// Schedules, set on schedule triggers, returns the schedules of an
	// instance, one per trigger rule; activation registers them with
	// Temporal (schedule.go).
	Schedules SchedulesFunc
	// Params is the zero value of the node's parameter struct. Its JSON tags
	// are the parameter names and its `doc` tags their documentation; the
	// node-types API is generated from it.
	Params any
}

// InstanceKind returns where instance n runs.
func (d *Description) InstanceKind(n *NodeInstance) Kind {
	if d.KindFor != nil {
		return d.KindFor(n)
	}
	return d.Kind
}

// InputCount returns the number of main inputs of n.
func (d *Description) InputCount(n *NodeInstance) int {
	if d.Inputs != nil {
		return d.Inputs(n)
	}
	if d.Trigger {
		return 0
	}
	return 1
}

// OutputCount returns the number of main outputs of n, including the error
// output when n's onError is continueErrorOutput.
func (d *Description) OutputCount(n *NodeInstance) int {
	c := 1
	if d.Outputs != nil {
		c = d.Outputs(n)
	}
	if n.ErrorMode() == OnErrorContinueErrorOutput {
		c++
	}
	return c
}

// HasVersion reports whether v is one of the type's versions.
func (d *Description) HasVersion(v float64) bool { return slices.Contains(d.Versions, v) }

// Registered is a node type in the registry.
type Registered struct {
	Description
	Node Node
}

var registry = struct {
	sync.RWMutex
	types map[string]*Registered
}{types: map[string]*Registered{}}

// Register adds a node type. It panics on a nil node, an empty name, no
// versions or a name registered twice: all programming errors found at
// start-up.
func Register(n Node) {
	if n == nil {
		panic("nodes: Register of nil node")
	}
	d := n.Describe()
	if d.Name == "" {
		panic(fmt.Sprintf("nodes: %T has no type name", n))
	}
	if len(d.Versions) == 0 {
		panic("nodes: " + d.Name + " has no versions")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.types[d.Name]; dup {
		panic("nodes: " + d.Name + " registered twice")
	}
	d.Versions = slices.Clone(d.Versions)
	slices.Sort(d.Versions)
	registry.types[d.Name] = &Registered{Description: d, Node: n}
}

// Lookup returns the registered type for a type name, or nil.
func Lookup(typeName string) *Registered {
	registry.RLock()
	defer registry.RUnlock()
	return registry.types[typeName]
}

// Types returns every registered type, sorted by name.
func Types() []*Registered {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]*Registered, 0, len(registry.types))
	for _, t := range registry.types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
