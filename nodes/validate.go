package nodes

import (
	"errors"
	"fmt"
	"sort"
)

// loopTypes are the node types through which a connection may lead back
// to an earlier node.
var loopTypes = map[string]bool{"n8n-nodes-base.splitInBatches": true}

// ValidateWorkflow checks a workflow definition before it is saved or run:
// node names, types and versions, every node's parameters, connections,
// the presence of a trigger, and cycles. The error is an *Error with code
// WORKFLOW_INVALID whose message names the node, and whose details carry
// "node" (and "parameter" where a node's Validate named one).
// A workflow without nodes is valid: there is nothing to run yet.
func ValidateWorkflow(w *Workflow) error {
	if w == nil {
		return Errorf(CodeWorkflowInvalid, "workflow is empty")
	}
	if len(w.Nodes) == 0 {
		return nil
	}
	byName := make(map[string]*NodeInstance, len(w.Nodes))
	hasTrigger := false
	for i, n := range w.Nodes {
		if n == nil {
			return Errorf(CodeWorkflowInvalid, "node %d is null", i)
		}
		if n.Name == "" {
			return Errorf(CodeWorkflowInvalid, "node %d has no name", i)
		}
		if _, dup := byName[n.Name]; dup {
			return invalidNode(n.Name, "", "two nodes are named %q", n.Name)
		}
		byName[n.Name] = n
		t := Lookup(n.Type)
		if t == nil {
			return invalidNode(n.Name, "", "node %q has unknown type %q", n.Name, n.Type)
		}
		if !t.HasVersion(n.TypeVersion) {
			return invalidNode(n.Name, "", "node %q: %s has no version %v (supported: %v)", n.Name, n.Type, n.TypeVersion, t.Versions)
		}
		switch n.OnError {
		case "", OnErrorStop, OnErrorContinueRegularOutput, OnErrorContinueErrorOutput:
		default:
			return invalidNode(n.Name, "onError", "node %q: onError %q is not one of stopWorkflow, continueRegularOutput, continueErrorOutput", n.Name, n.OnError)
		}
		if n.Parameters == nil {
			n.Parameters = map[string]any{}
		}
		if err := t.Node.Validate(n); err != nil {
			param := ""
			var pe *ParamError
			if errors.As(err, &pe) {
				param = pe.Path
			}
			return invalidNode(n.Name, param, "node %q: %s", n.Name, err.Error())
		}
		if t.Trigger && !n.Disabled {
			hasTrigger = true
		}
	}
	if err := validateConnections(w, byName); err != nil {
		return err
	}
	if !hasTrigger {
		return Errorf(CodeWorkflowInvalid, "workflow has no trigger node: add a Manual Trigger, Webhook or Schedule Trigger")
	}
	return validateCycles(w, byName)
}

func invalidNode(node, param, format string, args ...any) error {
	e := Errorf(CodeWorkflowInvalid, format, args...).WithDetail("node", node)
	if param != "" {
		e.WithDetail("parameter", param)
	}
	return e
}

// ParamError is a parameter validation failure naming the parameter path.
type ParamError struct {
	Path    string
	Message string
}

func (e *ParamError) Error() string { return fmt.Sprintf("parameter %q: %s", e.Path, e.Message) }

// ParamErrorf returns a *ParamError for path.
func ParamErrorf(path, format string, args ...any) error {
	return &ParamError{Path: path, Message: fmt.Sprintf(format, args...)}
}

func validateConnections(w *Workflow, byName map[string]*NodeInstance) error {
	srcs := make([]string, 0, len(w.Connections))
	for s := range w.Connections {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		n, ok := byName[src]
		if !ok {
			return invalidNode(src, "", "connections start at node %q, which does not exist", src)
		}
		t := Lookup(n.Type)
		for ctype, outs := range w.Connections[src] {
			if ctype != ConnectionMain {
				return invalidNode(src, "", "node %q: connection type %q is not supported (only main)", src, ctype)
			}
			nOut := t.OutputCount(n)
			for oi, targets := range outs {
				if len(targets) > 0 && oi >= nOut {
					return invalidNode(src, "", "node %q has no output %d (it has %d)", src, oi, nOut)
				}
				for _, tg := range targets {
					dst, ok := byName[tg.Node]
					if !ok {
						return invalidNode(src, "", "node %q connects to node %q, which does not exist", src, tg.Node)
					}
					dt := Lookup(dst.Type)
					if nIn := dt.InputCount(dst); tg.Index < 0 || tg.Index >= nIn {
						return invalidNode(tg.Node, "", "node %q connects to input %d of node %q, which has %d", src, tg.Index, tg.Node, nIn)
					}
				}
			}
		}
	}
	return nil
}

// validateCycles refuses cycles unless they pass through a loop node
// (Loop Over Items), using Tarjan's strongly connected components.
func validateCycles(w *Workflow, byName map[string]*NodeInstance) error {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	succ := func(n string) []string {
		var out []string
		for _, targets := range w.Connections[n][ConnectionMain] {
			for _, t := range targets {
				out = append(out, t.Node)
			}
		}
		return out
	}
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var bad []string
	next := 0
	var strong func(v string)
	strong = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		selfLoop := false
		for _, u := range succ(v) {
			if u == v {
				selfLoop = true
			}
			if _, seen := index[u]; !seen {
				strong(u)
				low[v] = min(low[v], low[u])
			} else if onStack[u] {
				low[v] = min(low[v], index[u])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[u] = false
			comp = append(comp, u)
			if u == v {
				break
			}
		}
		if len(comp) == 1 && !selfLoop {
			return
		}
		for _, u := range comp {
			if loopTypes[byName[u].Type] {
				return
			}
		}
		if bad == nil {
			sort.Strings(comp)
			bad = comp
		}
	}
	for _, n := range names {
		if _, seen := index[n]; !seen {
			strong(n)
		}
	}
	if bad != nil {
		return invalidNode(bad[0], "", "nodes %v form a cycle that does not pass through a Loop Over Items node", bad)
	}
	return nil
}
