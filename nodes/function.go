package nodes

import (
	"encoding/json"
	"fmt"

	"github.com/weft/weft/nodes/expr"
)

// Function is n8n's legacy Function node (n8n-nodes-base.function), the Code
// node's predecessor kept for old workflows: the code runs once, gets the
// input as `items` (copies, each with its `index`) and returns the output
// items.
type Function struct{}

// FunctionItem is n8n's legacy Function Item node
// (n8n-nodes-base.functionItem): the code runs once per item, gets the
// item's json as `item` and returns the output item's json.
type FunctionItem struct{}

// FunctionParams are the legacy Function nodes' parameters.
type FunctionParams struct {
	FunctionCode string `json:"functionCode" doc:"The JavaScript code: the body of an async function. Function returns the output items; Function Item returns the item's new json."`
}

func init() {
	Register(Function{})
	Register(FunctionItem{})
}

// Describe implements Node.
func (Function) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.function",
		DisplayName: "Function",
		Summary:     "Legacy: runs JavaScript once over all items (use the Code node).",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      FunctionParams{},
	}
}

// Validate implements Node.
func (Function) Validate(*NodeInstance) error { return nil }

// encodeValue hands the result back as JSON, undefined as no value.
const encodeValue = "return JSON.stringify({v: __weftR});\n"

// Execute implements Node.
func (Function) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	code, _ := ctx.RawParam("functionCode")
	src, _ := code.(string)
	s := &codeRun{ctx: ctx, code: src}
	in, input := ctx.ConnectionInput()
	env := s.legacyEnv(0)
	copies := make([]any, len(in))
	for i, it := range in {
		w := itemWrapper(it, PairedItems{{Item: i, Input: input}})
		w["json"] = it.orderedJSON(CloneJSON(itemJSONOrEmpty(it)))
		w["index"] = i
		copies[i] = w
	}
	env["items"] = copies
	out, err := s.functionResult(env)
	if err != nil {
		if ctx.ContinueOnFail() {
			return [][]Item{{NewItem(map[string]any{"error": err.Message})}}, nil
		}
		if err.LineNumber > 0 {
			err.Message += fmt.Sprintf(" [Line %d]", err.LineNumber)
		}
		return nil, err
	}
	return [][]Item{out}, nil
}

// functionResult runs a Function node's code and checks what it returned.
func (s *codeRun) functionResult(env expr.Env) ([]Item, *NodeError) {
	v, err := s.legacyRun(env)
	if err != nil {
		return nil, err
	}
	var list []any
	switch x := v.(type) {
	case nil, undefinedResult:
		return nil, s.nodeError("No data got returned. Always return an Array of items!")
	case map[string]any:
		if jsTruthy(x["json"]) {
			list = []any{x}
		} else {
			list = []any{map[string]any{"json": x}}
		}
	case []any:
		list = x
	default:
		return nil, s.nodeError("Always an Array of items has to be returned!")
	}
	for _, e := range list {
		if _, ok := e.(map[string]any); !ok {
			return nil, s.nodeError(`All returned items have to contain a property named "json"!`)
		}
	}
	norm, _, nerr := normalizeItems(list, make([]*KeyOrder, len(list)))
	if nerr != nil {
		return nil, AsNodeError(nerr)
	}
	out := make([]Item, len(norm))
	for i, m := range norm {
		j, present := m["json"]
		if !present {
			return nil, s.nodeError(`All returned items have to contain a property named "json"!`)
		}
		jm, ok := j.(map[string]any)
		if !ok {
			return nil, s.nodeError("The json-property has to be an object!")
		}
		it := Item{JSON: jm}
		if b, present := m["binary"]; present {
			bm, ok := b.(map[string]any)
			if !ok {
				return nil, s.nodeError("The binary-property has to be an object!")
			}
			bin, err := decodeBinary(bm)
			if err != nil {
				return nil, s.nodeError("The binary-property has to be an object!")
			}
			it.Binary = bin
		}
		if pi, present := m["pairedItem"]; present {
			if p, err := ParsePairedItems(pi); err == nil {
				it.PairedItem = p
			}
		}
		out[i] = it
	}
	return out, nil
}

// Describe implements Node.
func (FunctionItem) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.functionItem",
		DisplayName: "Function Item",
		Summary:     "Legacy: runs JavaScript once per item (use the Code node).",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      FunctionParams{},
	}
}

// Validate implements Node.
func (FunctionItem) Validate(*NodeInstance) error { return nil }

// Execute implements Node.
func (FunctionItem) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	code, _ := ctx.RawParam("functionCode")
	src, _ := code.(string)
	s := &codeRun{ctx: ctx, code: src}
	in, _ := ctx.ConnectionInput()
	out := make([]Item, 0, len(in))
	for i, it := range in {
		res, err := s.functionItem(it, i)
		if err != nil {
			if ctx.ContinueOnFail() {
				out = append(out, NewItem(map[string]any{"error": err.Message}))
				continue
			}
			return nil, err
		}
		out = append(out, res)
	}
	return [][]Item{out}, nil
}

// functionItem runs a Function Item node's code for input item i.
func (s *codeRun) functionItem(it Item, i int) (Item, *NodeError) {
	env := s.legacyEnv(i)
	env["item"] = it.orderedJSON(CloneJSON(it.JSON))
	if it.JSON == nil {
		env["item"] = map[string]any{}
	}
	binary := it.Clone().Binary
	env["getBinaryData"] = expr.Func(func(...any) (any, error) {
		if binary == nil {
			return nil, nil
		}
		return NormalizeJSON(binary), nil
	})
	env["setBinaryData"] = expr.Func(func(args ...any) (any, error) {
		m, ok := firstArg(args).(map[string]any)
		if !ok {
			return nil, s.nodeError("The binary-property has to be an object!")
		}
		b, err := decodeBinary(m)
		if err != nil {
			return nil, err
		}
		binary = b
		return nil, nil
	})
	v, err := s.legacyRun(env)
	if err != nil {
		if s.ctx.ContinueOnFail() {
			return Item{}, err
		}
		if err.LineNumber > 0 {
			err.Message += fmt.Sprintf(" [Line %d | Item Index: %d]", err.LineNumber, i)
		} else {
			err.Message += fmt.Sprintf(" [Item Index: %d]", i)
		}
		return Item{}, err.AtItem(i)
	}
	var j map[string]any
	switch x := v.(type) {
	case undefinedResult:
		return Item{}, s.nodeError("No data got returned. Always an object has to be returned!")
	case nil:
		return Item{}, s.nodeError("Cannot convert undefined or null to object")
	case map[string]any:
		j = x
	default:
		return Item{}, s.nodeError("The json-property has to be an object!")
	}
	out := Item{JSON: j, PairedItem: PairedItems{{Item: i}}}
	if len(binary) > 0 {
		out.Binary = binary
	}
	return out, nil
}

// legacyEnv is the data proxy for item i with the legacy nodes' helpers.
func (s *codeRun) legacyEnv(i int) expr.Env {
	env := s.ctx.exprEnv(i, envOptions{runIndex: -1, lenient: true})
	env["console"] = s.console()
	env["getNodeParameter"] = expr.Func(func(args ...any) (any, error) {
		name, _ := firstArg(args).(string)
		idx, ok := toInt(argAt(args, 1))
		if !ok {
			idx = i
		}
		return s.ctx.Param(name, idx, argAt(args, 2))
	})
	return env
}

// legacyRun runs a legacy node's code and returns its result (JSON values,
// undefinedResult for undefined) or the error, its LineNumber set to the
// innermost frame in the code.
func (s *codeRun) legacyRun(env expr.Env) (any, *NodeError) {
	out, ok, err := s.script(env, encodeValue)
	if err != nil {
		ee, isExpr := err.(*expr.Error)
		if !isExpr {
			return nil, AsNodeError(err)
		}
		var ne *NodeError
		if cause, isNode := ee.Err.(*NodeError); isNode {
			c := *cause
			ne = &c
		} else {
			ne = s.nodeError(ee.Message)
		}
		ne.LineNumber = ee.Line
		return nil, ne
	}
	if !ok {
		return undefinedResult{}, nil
	}
	var box map[string]any
	if err := json.Unmarshal([]byte(out), &box); err != nil {
		return nil, AsNodeError(err)
	}
	v, has := box["v"]
	if !has {
		return undefinedResult{}, nil
	}
	return v, nil
}

func (s *codeRun) nodeError(msg string) *NodeError {
	return &NodeError{Name: "NodeOperationError", Message: msg, Node: s.ctx.Node.Name}
}

var (
	_ Node = Function{}
	_ Node = FunctionItem{}
)
