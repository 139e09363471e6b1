package nodes

import "math"

// Limit is n8n's Limit node: it keeps the first (or last) maxItems items.
type Limit struct{}

// LimitParams are the Limit node's parameters.
type LimitParams struct {
	MaxItems any    `json:"maxItems" doc:"The most items to keep (at least 1); if there are fewer, all are kept."`
	Keep     string `json:"keep" doc:"Which items to keep when removing some: firstItems (default) or lastItems."`
}

func init() { Register(Limit{}) }

// Describe implements Node.
func (Limit) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.limit",
		DisplayName: "Limit",
		Summary:     "Restricts the number of items, keeping the first or the last ones.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      LimitParams{},
	}
}

// Validate implements Node.
func (Limit) Validate(n *NodeInstance) error {
	var p LimitParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.MaxItems != nil {
		f, ok := toNumberParam(p.MaxItems)
		if !ok {
			return ParamErrorf("maxItems", "must be a number, got %v", p.MaxItems)
		}
		if f < 1 {
			return ParamErrorf("maxItems", "must be at least 1, got %v", f)
		}
	}
	switch p.Keep {
	case "", "firstItems", "lastItems":
	default:
		return ParamErrorf("keep", "%q is not one of firstItems, lastItems", p.Keep)
	}
	return nil
}

// Execute implements Node.
func (Limit) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := pairedInputs(in, 1)[0]
	p := LimitParams{MaxItems: 1.0, Keep: "firstItems"}
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	maxItems, ok := toNumberParam(p.MaxItems)
	if !ok {
		return nil, NewNodeError("Max Items must be a number, got %v", p.MaxItems)
	}
	n := len(items)
	if maxItems > float64(n) {
		return [][]Item{items}, nil
	}
	// Array.prototype.slice semantics for the bounds n8n computes.
	if p.Keep == "lastItems" {
		return [][]Item{items[jsSliceIndex(float64(n)-maxItems, n):]}, nil
	}
	return [][]Item{items[:jsSliceIndex(maxItems, n)]}, nil
}

// jsSliceIndex resolves a slice bound as Array.prototype.slice does:
// truncated, negative counts from the end, clamped to [0, n].
func jsSliceIndex(f float64, n int) int {
	if math.IsNaN(f) {
		return 0
	}
	f = math.Trunc(f)
	if f < 0 {
		f += float64(n)
	}
	return int(math.Max(0, math.Min(f, float64(n))))
}

var _ Node = Limit{}
