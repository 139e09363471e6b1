package nodes

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// Execution modes, n8n's names.
const (
	ModeManual     = "manual"
	ModeTrigger    = "trigger"
	ModeWebhook    = "webhook"
	ModeSchedule   = "schedule"
	ModeRetry      = "retry"
	ModeIntegrated = "integrated"
	ModeError      = "error"
	ModeCLI        = "cli"
)

// ExecutionInfo describes the execution a node runs in.
type ExecutionInfo struct {
	ID string
	// WorkflowID is the id of the saved workflow that runs.
	WorkflowID string
	Mode       string
	ResumeURL  string
	// CustomData is n8n's $execution.customData, set by nodes.
	CustomData map[string]string
	// WebhookMethod is the HTTP method of the webhook call that started
	// the execution, seen by its trigger node only.
	WebhookMethod string
}

// Context is what a node sees while it runs.
type Context struct {
	context.Context
	// Workflow is the definition snapshot being executed.
	Workflow *Workflow
	// Node is the instance running.
	Node *NodeInstance
	// RunIndex counts this node's earlier runs in the execution.
	RunIndex int
	// Execution describes the execution.
	Execution ExecutionInfo
	// Inputs are the node's input items, one slice per input.
	Inputs [][]Item
	// Source names where each input came from (nil entries for none).
	Source []*SourceRef
	// Runs reads other nodes' runs for expressions like $('Node').
	Runs RunReader
	// Expr evaluates expressions and Code-node scripts.
	Expr *expr.Engine
	// Now returns the current time (the run's start, fixed per node run so
	// that every item sees the same $now).
	Now func() time.Time
	// Location is the workflow's timezone.
	Location *time.Location
	// State is the node's context: what its previous run in this execution
	// left (empty on the first run). A node may change it; the runner stores
	// it with the run.
	State map[string]any
	// Console receives the lines a Code node script logs with console.log
	// (nil discards them).
	Console func(line string)
	// Credentials loads the decrypted data of the credentials the node
	// references; nil means none are available.
	Credentials CredentialSource
	// Control is what the interpreter hands a control node (KindControl)
	// for this run: the items of the call that resumed a Wait node
	// ([]Item), a sub-workflow's outcome (*SubWorkflowOutcome). Nil
	// otherwise.
	Control any

	// proxy caches the expression data proxy's lookups for this run
	// (proxy.go).
	proxy *proxyCache
}

// CredentialSource loads credential data for a running node. The worker's
// implementation decrypts the credential by id, checks it belongs to the
// workflow's owner and has the given type; the data it returns must never
// reach run data, logs, errors or Temporal history.
type CredentialSource interface {
	// Credential returns the decrypted data of credential ref for a node
	// of workflow workflowID, which must be of type typ.
	Credential(ctx context.Context, workflowID, typ string, ref CredentialRef) (map[string]any, error)
}

// CredentialUpdater is implemented by credential sources that can store a
// node's change to its credential back (OAuth2 token refresh).
type CredentialUpdater interface {
	// UpdateCredential replaces the data of credential ref, checked like
	// Credential, and stores it encrypted.
	UpdateCredential(ctx context.Context, workflowID, typ string, ref CredentialRef, data map[string]any) error
}

// UpdateCredential stores new data for the node's credential of type typ,
// when the source can (see CredentialUpdater); otherwise it does nothing.
func (c *Context) UpdateCredential(typ string, data map[string]any) error {
	u, ok := c.Credentials.(CredentialUpdater)
	if !ok {
		return nil
	}
	return u.UpdateCredential(c, c.Execution.WorkflowID, typ, c.Node.Credentials[typ], data)
}

// Credential returns the decrypted data of the node's credential of type
// typ (n8n's "credentials": {"<type>": {"id", "name"}}). A node that
// references none, or a worker with no credential source, gets a node error
// naming the type.
func (c *Context) Credential(typ string) (map[string]any, error) {
	ref, ok := c.Node.Credentials[typ]
	if !ok || (ref.ID == "" && ref.Name == "") {
		return nil, NewNodeError("Node %q has no credentials of type %s set", c.Node.Name, typ)
	}
	if c.Credentials == nil {
		return nil, NewNodeError("credentials of type %s are not available on this worker", typ)
	}
	return c.Credentials.Credential(c, c.Execution.WorkflowID, typ, ref)
}

// ContinueOnFail reports whether per-item failures should become output
// items instead of failing the node (onError is not stopWorkflow).
func (c *Context) ContinueOnFail() bool { return c.Node.ErrorMode() != OnErrorStop }

// InputItems returns the items of input i, or nil.
func (c *Context) InputItems(i int) []Item {
	if i < 0 || i >= len(c.Inputs) {
		return nil
	}
	return c.Inputs[i]
}

// RawParam returns a parameter by dotted path ("options.ignoreCase") without
// evaluating it, and whether it is set.
func (c *Context) RawParam(path string) (any, bool) {
	return lookupPath(c.Node.Parameters, path)
}

// Param returns a parameter by dotted path with its expressions evaluated
// for item itemIndex; def is returned when the parameter is not set.
func (c *Context) Param(path string, itemIndex int, def any) (any, error) {
	v, ok := c.RawParam(path)
	if !ok {
		return def, nil
	}
	return c.Evaluate(v, itemIndex)
}

// Evaluate resolves every expression inside a parameter value (strings that
// start with "=", at any depth) for item itemIndex.
func (c *Context) Evaluate(v any, itemIndex int) (any, error) {
	switch x := v.(type) {
	case string:
		if !expr.IsExpression(x) {
			return x, nil
		}
		r, err := c.Expr.ResolveScope(x, c.newProxy(itemIndex, envOptions{runIndex: -1}))
		if err != nil {
			return nil, c.exprError(err, itemIndex)
		}
		return r, nil
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			r, err := c.Evaluate(e, itemIndex)
			if err != nil {
				return nil, err
			}
			m[k] = r
		}
		return m, nil
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			r, err := c.Evaluate(e, itemIndex)
			if err != nil {
				return nil, err
			}
			s[i] = r
		}
		return s, nil
	}
	return v, nil
}

// Decode evaluates all parameters for item itemIndex and decodes them into
// dst, a pointer to the node's parameter struct. Fields of dst keep their
// values where the parameter is not set, so callers preset defaults.
func (c *Context) Decode(itemIndex int, dst any) error {
	v, err := c.Evaluate(c.Node.Parameters, itemIndex)
	if err != nil {
		return err
	}
	return DecodeParams(v, dst)
}

// DecodeParams decodes a parameter tree into dst through JSON.
func DecodeParams(params any, dst any) error {
	b, err := json.Marshal(NormalizeJSON(params))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return NewNodeError("invalid parameters: %v", err)
	}
	return nil
}

// StaticParams decodes a node's parameters into dst for validation, leaving
// out every parameter that holds an expression so that only static values are
// checked.
func StaticParams(n *NodeInstance, dst any) error {
	return DecodeParams(dropExpressions(n.Parameters), dst)
}

func dropExpressions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if expr.IsExpression(e) {
				continue
			}
			m[k] = dropExpressions(e)
		}
		return m
	case []any:
		s := make([]any, 0, len(x))
		for _, e := range x {
			if expr.IsExpression(e) {
				s = append(s, nil)
				continue
			}
			s = append(s, dropExpressions(e))
		}
		return s
	}
	return v
}

func (c *Context) exprError(err error, itemIndex int) error {
	ne := &NodeError{Name: "ExpressionError", Message: err.Error(), Node: c.Node.Name}
	if ee, ok := err.(*expr.Error); ok {
		ne.LineNumber = ee.Line
		if cause, ok := ee.Err.(*NodeError); ok {
			ne.Description = cause.Description
		}
	}
	return ne.AtItem(itemIndex)
}

func lookupPath(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = mm[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}
