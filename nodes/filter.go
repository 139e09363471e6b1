package nodes

import "github.com/weft/weft/nodes/expr"

// Filter is n8n's Filter node: it keeps the items that meet its conditions.
// It has one output, but like n8n it returns the discarded items as a
// second output, which n8n records in the run data (no connection can
// leave from it). Versions 2–2.2 use the filter parameter; version 1 the
// legacy per-type condition lists.
type Filter struct{}

func init() { Register(Filter{}) }

// FilterParams are the Filter node's parameters.
type FilterParams struct {
	Conditions FilterValue `json:"conditions" doc:"Versions 2+: the filter parameter {options, conditions: [{leftValue, rightValue, operator: {type, operation}}], combinator: and|or}. Version 1: {boolean|dateTime|number|string: [{value1, operation, value2}]}."`
	// LooseTypeValidation converts values to the comparison's type.
	LooseTypeValidation bool `json:"looseTypeValidation" doc:"Versions 2.1+: convert values to the comparison's type where required instead of failing on a type mismatch."`
	// CombineConditions joins version-1 conditions.
	CombineConditions string `json:"combineConditions" doc:"Version 1: AND (every condition) or OR (one condition)." options:"AND,OR" default:"AND"`
	// Options tune the comparison.
	Options IfOptions `json:"options" doc:"Comparison options."`
}

// Describe implements Node.
func (Filter) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.filter",
		DisplayName: "Filter",
		Summary:     "Keeps the items that meet the conditions and drops the others.",
		Versions:    []float64{1, 2, 2.1, 2.2},
		Kind:        KindPure,
		Params:      FilterParams{},
	}
}

// Validate implements Node.
func (Filter) Validate(n *NodeInstance) error {
	if n.TypeVersion < 2 {
		if c, ok := n.Parameters["combineConditions"]; ok && !expr.IsExpression(c) && c != "AND" && c != "OR" {
			return ParamErrorf("combineConditions", "%v is not AND or OR", c)
		}
		return validateLegacyConditions(n.Parameters["conditions"], "conditions")
	}
	return ValidateFilterParam(n.Parameters["conditions"], "conditions")
}

// Execute implements Node. Output 0 holds the kept items, output 1 the
// discarded ones (and, with continue-on-fail, the items whose conditions
// failed to evaluate).
func (Filter) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	var kept, discarded []Item
	for i, it := range condFirstInput(in) {
		ok, err := filterPasses(ctx, i)
		if err != nil {
			if ctx.Node.TypeVersion >= 2 && ctx.ContinueOnFail() {
				discarded = append(discarded, it.Paired(i))
				continue
			}
			return nil, condItemError(ctx, err, i)
		}
		if ok {
			kept = append(kept, it.Paired(i))
		} else {
			discarded = append(discarded, it.Paired(i))
		}
	}
	return [][]Item{kept, discarded}, nil
}

func filterPasses(ctx *Context, i int) (bool, error) {
	if ctx.Node.TypeVersion < 2 {
		combine, err := ctx.Param("combineConditions", i, "AND")
		if err != nil {
			return false, err
		}
		conds, err := ctx.Param("conditions", i, nil)
		if err != nil {
			return false, err
		}
		return evaluateLegacyConditions(conds, combine == "AND", ctx.Location)
	}
	defaults, err := nodeFilterDefaults(ctx, i, 2.1, 2.2)
	if err != nil {
		return false, err
	}
	return evaluateFilterParam(ctx, "conditions", i, defaults)
}

var _ Node = Filter{}
