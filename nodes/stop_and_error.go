package nodes

import (
	"encoding/json"
	"fmt"

	"github.com/weft/weft/nodes/expr"
)

// StopAndError is n8n's Stop and Error node: it fails the execution with a
// message or an error object.
type StopAndError struct{}

func init() { Register(StopAndError{}) }

// StopAndErrorParams are the Stop and Error node's parameters.
type StopAndErrorParams struct {
	ErrorType    string `json:"errorType" doc:"errorMessage (fail with a message) or errorObject (fail with a JSON object)." options:"errorMessage,errorObject" default:"errorMessage"`
	ErrorMessage string `json:"errorMessage" doc:"The message to fail with."`
	ErrorObject  any    `json:"errorObject" doc:"A JSON object describing the error; its message, description or error field becomes the message."`
}

// Describe implements Node.
func (StopAndError) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.stopAndError",
		DisplayName: "Stop and Error",
		Summary:     "Fails the workflow with a custom error.",
		Versions:    []float64{1},
		Kind:        KindPure,
		// n8n draws no output, but exports can carry a connection from
		// output 0 (the corpus has one) and n8n runs them; it is never
		// used since the node always fails.
		Params: StopAndErrorParams{},
	}
}

// Validate implements Node.
func (StopAndError) Validate(n *NodeInstance) error {
	t, ok := n.Parameters["errorType"]
	if !ok || expr.IsExpression(t) {
		return nil
	}
	switch t {
	case "errorMessage":
	case "errorObject":
		if s, ok := n.Parameters["errorObject"].(string); ok && !expr.IsExpression(s) {
			var obj map[string]any
			if err := json.Unmarshal([]byte(s), &obj); err != nil {
				return ParamErrorf("errorObject", "is not a JSON object: %v", err)
			}
		}
	default:
		return ParamErrorf("errorType", "%v is not errorMessage or errorObject", t)
	}
	return nil
}

// Execute implements Node. It always fails; parameters are read for the
// first item.
func (StopAndError) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	t, err := ctx.Param("errorType", 0, "errorMessage")
	if err != nil {
		return nil, condItemError(ctx, err, 0)
	}
	if t != "errorObject" {
		msg, err := ctx.Param("errorMessage", 0, "")
		if err != nil {
			return nil, condItemError(ctx, err, 0)
		}
		ne := NewNodeError("%s", jsToString(condNormalize(msg)))
		ne.Node = ctx.Node.Name
		return nil, ne
	}
	raw, err := ctx.Param("errorObject", 0, "")
	if err != nil {
		return nil, condItemError(ctx, err, 0)
	}
	var obj map[string]any
	switch x := raw.(type) {
	case map[string]any:
		obj = x
	case string:
		if err := json.Unmarshal([]byte(x), &obj); err != nil || obj == nil {
			ne := NewNodeError("Error Object is not valid JSON: %s", x)
			ne.Node = ctx.Node.Name
			return nil, ne
		}
	default:
		ne := NewNodeError("Error Object must be a JSON object")
		ne.Node = ctx.Node.Name
		return nil, ne
	}
	text := func(k string) string { s, _ := obj[k].(string); return s }
	msg := text("message")
	if msg == "" {
		msg = text("description")
	}
	if msg == "" {
		msg = text("error")
	}
	if msg == "" {
		msg = fmt.Sprintf("Error: %s", condJSONText(obj))
	}
	ne := NewNodeError("%s", msg)
	ne.Description = text("description")
	ne.Node = ctx.Node.Name
	return nil, ne
}

var _ Node = StopAndError{}
