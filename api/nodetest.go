package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/weft/weft/nodes"
)

// nodeTestBody is the body of POST /api/nodes/:id/test: the items of the
// node's first input, or the items of each input.
type nodeTestBody struct {
	Items  []json.RawMessage   `json:"items"`
	Inputs [][]json.RawMessage `json:"inputs"`
}

// nodeTestView is one run of a node in n8n's run-data shape, plus the
// console lines a Code node logged.
type nodeTestView struct {
	*nodes.NodeRun
	Console []string `json:"console,omitempty"`
}

// maxTestConsole bounds the console lines a test run returns.
const maxTestConsole = 200

// testNode runs one node of a saved workflow on the given items, in the API
// process, without Temporal and without touching any execution: the editor's
// "test step". Expressions that read other nodes see no data. Nodes that the
// interpreter runs in workflow code (Wait) cannot run alone.
func (s *Server) testNode(c *gin.Context) {
	w, n, ok := s.nodeOwner(c)
	if !ok {
		return
	}
	var body nodeTestBody
	if !s.bind(c, &body) {
		return
	}
	raw := body.Inputs
	if len(raw) == 0 {
		raw = [][]json.RawMessage{body.Items}
	}
	inputs := make([][]nodes.Item, len(raw))
	for i, r := range raw {
		items, err := parseItems(r)
		if err != nil {
			s.writeError(c, err)
			return
		}
		inputs[i] = items
	}
	t := nodes.Lookup(n.Type)
	if t == nil {
		s.writeError(c, nodes.Errorf(nodes.CodeWorkflowInvalid, "node %q has unknown type %q", n.Name, n.Type))
		return
	}
	if t.Kind == nodes.KindControl {
		s.writeError(c, nodes.Errorf(nodes.CodeInvalid, "node %q (%s) runs inside an execution and cannot be tested alone", n.Name, t.DisplayName))
		return
	}
	if want := t.InputCount(n); !t.Trigger && len(inputs) > want {
		s.writeError(c, invalid("node %q has %d input(s), the body gives %d", n.Name, want, len(inputs)))
		return
	}
	loc := time.UTC
	if tz := w.Definition.Settings.Timezone; tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	now := time.Now()
	var console []string
	ctx := &nodes.Context{
		Context: c.Request.Context(), Workflow: w.Definition, Node: n,
		Execution: nodes.ExecutionInfo{ID: "test", Mode: nodes.ModeManual},
		Inputs:    inputs, Runs: noRuns{}, Expr: s.expr, Location: loc,
		Now: func() time.Time { return now }, State: map[string]any{},
		Console: func(line string) {
			if len(console) < maxTestConsole {
				console = append(console, line)
			}
		},
	}
	run := nodes.RunNode(ctx)
	if run == nil {
		run = &nodes.NodeRun{ExecutionStatus: nodes.StatusSuccess, Data: map[string][][]nodes.Item{nodes.ConnectionMain: {}}}
	}
	run.State = nil
	c.JSON(http.StatusOK, nodeTestView{NodeRun: run, Console: console})
}

// noRuns is the RunReader of a node tested alone: no other node has run.
type noRuns struct{}

func (noRuns) Runs(string) ([]*nodes.NodeRun, error) { return nil, nil }
