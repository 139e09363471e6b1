package nodes

// NoOp is n8n's No Operation node: it passes its items through unchanged.
type NoOp struct{}

func init() { Register(NoOp{}) }

// Describe implements Node.
func (NoOp) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.noOp",
		DisplayName: "No Operation, do nothing",
		Summary:     "Passes its input items through unchanged.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      struct{}{},
	}
}

// Validate implements Node.
func (NoOp) Validate(*NodeInstance) error { return nil }

// Execute implements Node.
func (NoOp) Execute(_ *Context, in [][]Item) ([][]Item, error) {
	if len(in) == 0 {
		return [][]Item{nil}, nil
	}
	return [][]Item{in[0]}, nil
}

var _ Node = NoOp{}
