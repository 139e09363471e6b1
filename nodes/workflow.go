package nodes

import (
	"encoding/json"
	"sort"
)

// ConnectionMain is the only connection type weft runs: n8n's "main".
const ConnectionMain = "main"

// Workflow is a workflow definition in n8n's export shape. An n8n export
// decodes into it and encodes back with the same field names.
type Workflow struct {
	// ID is the workflow's id; empty for an unsaved export.
	ID string `json:"id,omitempty"`
	// Name is the workflow's display name.
	Name string `json:"name"`
	// Nodes are the node instances on the canvas.
	Nodes []*NodeInstance `json:"nodes"`
	// Connections maps a source node name to its outputs by connection type.
	Connections Connections `json:"connections"`
	// Settings are the workflow's settings (execution order, timezone, ...).
	Settings Settings `json:"settings"`
	// Active tells whether the workflow's triggers are live.
	Active bool `json:"active,omitempty"`
	// PinData, Meta and StaticData are kept as they came so an export
	// round-trips; weft does not interpret them.
	PinData    json.RawMessage `json:"pinData,omitempty"`
	Meta       json.RawMessage `json:"meta,omitempty"`
	StaticData json.RawMessage `json:"staticData,omitempty"`
}

// NodeInstance is one node on a workflow's canvas.
type NodeInstance struct {
	ID          string         `json:"id,omitempty"`
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	TypeVersion float64        `json:"typeVersion"`
	Position    [2]float64     `json:"position"`
	Parameters  map[string]any `json:"parameters"`
	// Credentials maps a credential type to the credential used for it.
	Credentials map[string]CredentialRef `json:"credentials,omitempty"`
	WebhookID   string                   `json:"webhookId,omitempty"`
	Disabled    bool                     `json:"disabled,omitempty"`
	Notes       string                   `json:"notes,omitempty"`
	NotesInFlow bool                     `json:"notesInFlow,omitempty"`
	// RetryOnFail, MaxTries and WaitBetweenTries (ms) become the activity's
	// retry policy.
	RetryOnFail      bool `json:"retryOnFail,omitempty"`
	MaxTries         int  `json:"maxTries,omitempty"`
	WaitBetweenTries int  `json:"waitBetweenTries,omitempty"`
	// OnError is stopWorkflow (default), continueRegularOutput or
	// continueErrorOutput. ContinueOnFail is the legacy spelling of
	// continueRegularOutput.
	OnError          string `json:"onError,omitempty"`
	ContinueOnFail   bool   `json:"continueOnFail,omitempty"`
	AlwaysOutputData bool   `json:"alwaysOutputData,omitempty"`
	ExecuteOnce      bool   `json:"executeOnce,omitempty"`
}

// CredentialRef names a stored credential from a node.
type CredentialRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OnError values.
const (
	OnErrorStop                  = "stopWorkflow"
	OnErrorContinueRegularOutput = "continueRegularOutput"
	OnErrorContinueErrorOutput   = "continueErrorOutput"
)

// ErrorMode returns the node's effective onError setting.
func (n *NodeInstance) ErrorMode() string {
	switch {
	case n.OnError == OnErrorContinueRegularOutput || n.OnError == OnErrorContinueErrorOutput:
		return n.OnError
	case n.OnError == "" && n.ContinueOnFail:
		return OnErrorContinueRegularOutput
	}
	return OnErrorStop
}

// Tries returns how many attempts the node gets: 1 unless retryOnFail is set,
// then maxTries (default 3) bounded to 2..5, as n8n's engine bounds it.
func (n *NodeInstance) Tries() int {
	if !n.RetryOnFail {
		return 1
	}
	t := n.MaxTries
	if t == 0 {
		t = 3
	}
	return min(max(t, 2), 5)
}

// RetryWaitMillis returns the wait between tries in milliseconds (n8n's
// default 1000, bounded to 0..5000).
func (n *NodeInstance) RetryWaitMillis() int {
	if n.WaitBetweenTries == 0 && n.RetryOnFail {
		return 1000
	}
	return min(max(n.WaitBetweenTries, 0), 5000)
}

// Connections maps source node name → connection type → output index → targets.
type Connections map[string]map[string][][]Connection

// Connection is one edge's target.
type Connection struct {
	Node  string `json:"node"`
	Type  string `json:"type"`
	Index int    `json:"index"`
}

// Settings are a workflow's settings. Unknown settings are kept in Extra.
type Settings struct {
	// ExecutionOrder is "v1" (the only order weft runs; "v0" is accepted and
	// run as v1).
	ExecutionOrder string `json:"executionOrder,omitempty"`
	// Timezone is the IANA zone expressions and schedules use.
	Timezone string `json:"timezone,omitempty"`
	// ExecutionTimeout bounds a run in seconds; -1 or 0 means none.
	ExecutionTimeout int `json:"executionTimeout,omitempty"`
	// ErrorWorkflow is the id of the workflow run when this one fails.
	ErrorWorkflow string `json:"errorWorkflow,omitempty"`
	// SaveDataErrorExecution, SaveDataSuccessExecution and
	// SaveManualExecutions are n8n's data-saving settings.
	SaveDataErrorExecution   string `json:"saveDataErrorExecution,omitempty"`
	SaveDataSuccessExecution string `json:"saveDataSuccessExecution,omitempty"`
	SaveManualExecutions     *bool  `json:"saveManualExecutions,omitempty"`
	// CallerPolicy says which workflows may call this one as a sub-workflow.
	CallerPolicy string `json:"callerPolicy,omitempty"`
	// Extra holds settings weft does not interpret.
	Extra map[string]json.RawMessage `json:"-"`
}

var knownSettings = map[string]bool{
	"executionOrder": true, "timezone": true, "executionTimeout": true, "errorWorkflow": true,
	"saveDataErrorExecution": true, "saveDataSuccessExecution": true, "saveManualExecutions": true,
	"callerPolicy": true,
}

// UnmarshalJSON keeps unknown settings in Extra.
func (s *Settings) UnmarshalJSON(b []byte) error {
	type plain Settings
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		if !knownSettings[k] {
			if p.Extra == nil {
				p.Extra = map[string]json.RawMessage{}
			}
			p.Extra[k] = v
		}
	}
	*s = Settings(p)
	return nil
}

// MarshalJSON writes Extra back beside the known settings.
func (s Settings) MarshalJSON() ([]byte, error) {
	type plain Settings
	b, err := json.Marshal(plain(s))
	if err != nil || len(s.Extra) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range s.Extra {
		if _, ok := all[k]; !ok {
			all[k] = v
		}
	}
	return json.Marshal(all)
}

// ParseWorkflow decodes an n8n workflow export.
func ParseWorkflow(b []byte) (*Workflow, error) {
	var w Workflow
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, Errorf(CodeInvalid, "workflow is not valid JSON: %v", err)
	}
	for _, n := range w.Nodes {
		if n != nil && n.Parameters == nil {
			n.Parameters = map[string]any{}
		}
	}
	if w.Connections == nil {
		w.Connections = Connections{}
	}
	return &w, nil
}

// Node returns the node with the given name, or nil.
func (w *Workflow) Node(name string) *NodeInstance {
	for _, n := range w.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Children returns the targets connected to a node's output, in the order the
// connections list them.
func (w *Workflow) Children(node string, output int) []Connection {
	outs := w.Connections[node][ConnectionMain]
	if output < 0 || output >= len(outs) {
		return nil
	}
	return outs[output]
}

// Parent is one incoming edge of a node.
type Parent struct {
	Node   string // source node
	Output int    // source output index
	Input  int    // target input index
}

// Parents returns the incoming main edges of a node, sorted by source name,
// output and input so that callers iterate deterministically.
func (w *Workflow) Parents(node string) []Parent {
	var ps []Parent
	for src, byType := range w.Connections {
		for out, targets := range byType[ConnectionMain] {
			for _, t := range targets {
				if t.Node == node {
					ps = append(ps, Parent{Node: src, Output: out, Input: t.Index})
				}
			}
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		if a.Output != b.Output {
			return a.Output < b.Output
		}
		return a.Input < b.Input
	})
	return ps
}

// Clone returns a deep copy of the workflow, made through JSON.
func (w *Workflow) Clone() *Workflow {
	b, err := json.Marshal(w)
	if err != nil {
		panic(err) // a Workflow always marshals
	}
	c, err := ParseWorkflow(b)
	if err != nil {
		panic(err)
	}
	return c
}
