package nodes

import "github.com/weft/weft/nodes/expr"

// If is n8n's If node: it routes each item to output 0 (true) or 1 (false)
// by its conditions. Versions 2–2.2 use the filter parameter (see
// FilterValue); version 1 the legacy per-type condition lists.
type If struct{}

func init() { Register(If{}) }

// IfParams are the If node's parameters.
type IfParams struct {
	Conditions FilterValue `json:"conditions" doc:"Versions 2+: the filter parameter {options, conditions: [{leftValue, rightValue, operator: {type, operation}}], combinator: and|or}. Version 1: {boolean|dateTime|number|string: [{value1, operation, value2}]}."`
	// LooseTypeValidation converts values to the comparison's type.
	LooseTypeValidation bool `json:"looseTypeValidation" doc:"Versions 2.1+: convert values to the comparison's type where required instead of failing on a type mismatch."`
	// CombineOperation joins version-1 conditions.
	CombineOperation string `json:"combineOperation" doc:"Version 1: all (every condition) or any (one condition)." options:"all,any" default:"all"`
	// Options tune the comparison.
	Options IfOptions `json:"options" doc:"Comparison options."`
}

// IfOptions are the If node's options.
type IfOptions struct {
	IgnoreCase          bool `json:"ignoreCase" doc:"Compare strings ignoring letter case."`
	LooseTypeValidation bool `json:"looseTypeValidation" doc:"Version 2.0: convert values to the comparison's type where required."`
}

// Describe implements Node.
func (If) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.if",
		DisplayName: "If",
		Summary:     "Routes items to the true or the false output by conditions.",
		Versions:    []float64{1, 2, 2.1, 2.2},
		Kind:        KindPure,
		Outputs:     func(*NodeInstance) int { return 2 },
		Params:      IfParams{},
	}
}

// Validate implements Node.
func (If) Validate(n *NodeInstance) error {
	if n.TypeVersion < 2 {
		if c, ok := n.Parameters["combineOperation"]; ok && !expr.IsExpression(c) && c != "all" && c != "any" {
			return ParamErrorf("combineOperation", "%v is not all or any", c)
		}
		return validateLegacyConditions(n.Parameters["conditions"], "conditions")
	}
	return ValidateFilterParam(n.Parameters["conditions"], "conditions")
}

// Execute implements Node.
func (If) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	var pass, fail []Item
	for i, it := range condFirstInput(in) {
		ok, err := ifPasses(ctx, i)
		if err != nil {
			if ctx.Node.TypeVersion >= 2 && ctx.ContinueOnFail() {
				fail = append(fail, it.Paired(i))
				continue
			}
			return nil, condItemError(ctx, err, i)
		}
		if ok {
			pass = append(pass, it.Paired(i))
		} else {
			fail = append(fail, it.Paired(i))
		}
	}
	return [][]Item{pass, fail}, nil
}

func ifPasses(ctx *Context, i int) (bool, error) {
	if ctx.Node.TypeVersion < 2 {
		combine, err := ctx.Param("combineOperation", i, "all")
		if err != nil {
			return false, err
		}
		conds, err := ctx.Param("conditions", i, nil)
		if err != nil {
			return false, err
		}
		return evaluateLegacyConditions(conds, combine == "all", ctx.Location)
	}
	defaults, err := nodeFilterDefaults(ctx, i, 2.1, 2.2)
	if err != nil {
		return false, err
	}
	return evaluateFilterParam(ctx, "conditions", i, defaults)
}

var _ Node = If{}
