package nodes

// ManualTrigger is n8n's Manual Trigger: it starts a workflow run by hand
// and emits one empty item, or the items the run was started with.
type ManualTrigger struct{}

func init() {
	Register(ManualTrigger{})
	Register(Start{})
}

// Describe implements Node.
func (ManualTrigger) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.manualTrigger",
		DisplayName: "Manual Trigger",
		Summary:     "Runs the workflow when it is executed by hand or through the API.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Trigger:     true,
		Params:      struct{}{},
	}
}

// Validate implements Node.
func (ManualTrigger) Validate(*NodeInstance) error { return nil }

// Execute implements Node.
func (ManualTrigger) Execute(_ *Context, in [][]Item) ([][]Item, error) {
	return [][]Item{triggerItems(in)}, nil
}

// triggerItems returns the items a trigger was started with, or one empty
// item.
func triggerItems(in [][]Item) []Item {
	if len(in) > 0 && len(in[0]) > 0 {
		return in[0]
	}
	return []Item{NewItem(nil)}
}

// Start is the legacy Start node that old exports begin with; it behaves
// like the Manual Trigger.
type Start struct{}

// Describe implements Node.
func (Start) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.start",
		DisplayName: "Start",
		Summary:     "Legacy start node of older workflows; behaves as a Manual Trigger.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Trigger:     true,
		Params:      struct{}{},
	}
}

// Validate implements Node.
func (Start) Validate(*NodeInstance) error { return nil }

// Execute implements Node.
func (Start) Execute(_ *Context, in [][]Item) ([][]Item, error) {
	return [][]Item{triggerItems(in)}, nil
}

var (
	_ Node = ManualTrigger{}
	_ Node = Start{}
)
