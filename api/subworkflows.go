package api

import (
	"context"
	"strings"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// recursionCheck is the activator that refuses to activate a workflow
// whose Execute Workflow nodes call it again, directly or through other
// workflows, as far as their workflow ids are static (an id computed by an
// expression is checked when it runs). It registers nothing.
type recursionCheck struct{}

func (recursionCheck) register(ctx context.Context, tx *persistence.DB, w *persistence.Workflow) (func(context.Context), error) {
	chain, err := callsItself(ctx, tx, w)
	if err != nil || chain == nil {
		return nil, err
	}
	return nil, nodes.Errorf(nodes.CodeWorkflowInvalid, "the workflow calls itself through Execute Workflow nodes (%s); recursion is refused",
		strings.Join(chain, " → ")).WithDetail("chain", chain)
}

func (recursionCheck) unregister(context.Context, *persistence.DB, string) error { return nil }

// callsItself follows the static sub-workflow ids of w's Execute Workflow
// nodes through the current versions of the owner's workflows and returns
// the chain of workflow ids that leads back to w, or nil.
func callsItself(ctx context.Context, db *persistence.DB, w *persistence.Workflow) ([]string, error) {
	scope := persistence.Scope{UserID: w.OwnerID}
	seen := map[string]bool{w.ID: true}
	var walk func(def *nodes.Workflow, chain []string) ([]string, error)
	walk = func(def *nodes.Workflow, chain []string) ([]string, error) {
		for _, n := range def.Nodes {
			if n.Type != nodes.ExecuteWorkflowType || n.Disabled {
				continue
			}
			id, static := nodes.SubWorkflowID(n)
			if !static || id == "" {
				continue
			}
			if id == w.ID {
				return append(chain, id), nil
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			callee, err := db.GetWorkflow(ctx, scope, id)
			if nodes.ErrorCode(err) == nodes.CodeNotFound {
				continue // it fails when it runs, with its own message
			}
			if err != nil {
				return nil, err
			}
			found, err := walk(callee.Definition, append(chain, id))
			if found != nil || err != nil {
				return found, err
			}
		}
		return nil, nil
	}
	return walk(w.Definition, []string{w.ID})
}
