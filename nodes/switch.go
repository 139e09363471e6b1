package nodes

import (
	"fmt"
	"math"

	"github.com/weft/weft/nodes/expr"
)

// Switch is n8n's Switch node: it routes each item to the output of the
// first rule it matches (or of every rule, with allMatchingOutputs), or to
// the output an expression computes. Versions 3–3.2 use filter conditions;
// versions 1 (four outputs) and 2 (one output per rule) compare one value
// against each rule's value with the legacy operations.
type Switch struct{}

func init() { Register(Switch{}) }

// SwitchParams are the Switch node's parameters.
type SwitchParams struct {
	Mode                string        `json:"mode" doc:"rules (one output per rule) or expression (the output index is computed per item)." options:"rules,expression" default:"rules"`
	NumberOutputs       float64       `json:"numberOutputs" doc:"Expression mode: how many outputs the node has." default:"4"`
	Output              any           `json:"output" doc:"Expression mode: the output index (from 0) to send the item to."`
	Rules               SwitchRules   `json:"rules" doc:"Rules mode: the routing rules, one output each."`
	DataType            string        `json:"dataType" doc:"Versions 1–2, rules mode: the type of value1 and the rules' value2." options:"boolean,dateTime,number,string" default:"number"`
	Value1              any           `json:"value1" doc:"Versions 1–2, rules mode: the value each rule compares."`
	OutputsAmount       float64       `json:"outputsAmount" doc:"Version 2, expression mode: how many outputs the node has." default:"4"`
	FallbackOutputIndex float64       `json:"fallbackOutput" doc:"Versions 1–2: the output items matching no rule go to; -1 drops them." default:"-1"`
	LooseTypeValidation bool          `json:"looseTypeValidation" doc:"Versions 3.1+: convert values to the comparison's type where required."`
	Options             SwitchOptions `json:"options" doc:"Routing options: fallback output, all matching outputs, case and type handling."`
}

// SwitchRules holds the routing rules.
type SwitchRules struct {
	Values []SwitchRule       `json:"values" doc:"Versions 3+: the rules, in output order."`
	Rules  []SwitchLegacyRule `json:"rules" doc:"Versions 1–2: the rules."`
}

// SwitchLegacyRule is a versions 1–2 rule.
type SwitchLegacyRule struct {
	Operation string  `json:"operation" doc:"The legacy comparison of value1 with value2 (equal, smaller, contains, regex, after, ...)."`
	Value2    any     `json:"value2" doc:"The value compared with."`
	Output    float64 `json:"output" doc:"Version 1: the output (0–3) matching items go to."`
	OutputKey string  `json:"outputKey" doc:"Version 2: the output's name."`
}

// SwitchRule is one routing rule.
type SwitchRule struct {
	Conditions   FilterValue `json:"conditions" doc:"The filter parameter the item must pass."`
	RenameOutput bool        `json:"renameOutput" doc:"Whether the output has a name."`
	OutputKey    string      `json:"outputKey" doc:"The output's name."`
}

// SwitchOptions are the Switch node's rules-mode options.
type SwitchOptions struct {
	FallbackOutput       any    `json:"fallbackOutput" doc:"Where items matching no rule go: none (dropped), extra (an extra last output) or a rule's output index." default:"none"`
	RenameFallbackOutput string `json:"renameFallbackOutput" doc:"The extra fallback output's name."`
	AllMatchingOutputs   bool   `json:"allMatchingOutputs" doc:"Send an item to every matching rule's output, not only the first."`
	IgnoreCase           bool   `json:"ignoreCase" doc:"Compare strings ignoring letter case."`
	LooseTypeValidation  bool   `json:"looseTypeValidation" doc:"Version 3.0: convert values to the comparison's type where required."`
}

// Describe implements Node.
func (Switch) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.switch",
		DisplayName: "Switch",
		Summary:     "Routes items to outputs by rules or by an expression.",
		Versions:    []float64{1, 2, 3, 3.1, 3.2},
		Kind:        KindPure,
		Outputs:     switchOutputs,
		Params:      SwitchParams{},
	}
}

// switchOutputs counts a Switch's outputs: numberOutputs in expression
// mode (4 when it is not a number), else one per rule plus the extra
// fallback output. A missing rules parameter is n8n's default of one rule.
func switchOutputs(n *NodeInstance) int {
	if n.TypeVersion < 3 {
		return switchLegacyOutputs(n)
	}
	if n.Parameters["mode"] == "expression" {
		if f, ok := condGoNumber(n.Parameters["numberOutputs"]); ok && f >= 0 {
			return int(f)
		}
		return 4
	}
	count := 1
	if rules, ok := n.Parameters["rules"].(map[string]any); ok {
		list, _ := rules["values"].([]any)
		count = len(list)
	}
	if o, ok := n.Parameters["options"].(map[string]any); ok && o["fallbackOutput"] == "extra" {
		count++
	}
	return count
}

// defaultSwitchRules is n8n's default rules parameter: one rule whose
// condition compares two empty strings.
func defaultSwitchRules() []any {
	return []any{map[string]any{"conditions": map[string]any{
		"options":    map[string]any{"caseSensitive": true, "leftValue": "", "typeValidation": "strict"},
		"conditions": []any{map[string]any{"leftValue": "", "rightValue": "", "operator": map[string]any{"type": "string", "operation": "equals"}}},
		"combinator": "and",
	}}}
}

// Validate implements Node.
func (Switch) Validate(n *NodeInstance) error {
	mode, hasMode := n.Parameters["mode"]
	if !hasMode {
		mode = "rules"
	}
	if n.TypeVersion < 3 {
		return validateSwitchLegacy(n, mode)
	}
	switch mode {
	case "expression":
		if v, ok := n.Parameters["numberOutputs"]; ok && !expr.IsExpression(v) {
			if f, ok := condGoNumber(v); !ok || f < 0 || f != math.Trunc(f) {
				return ParamErrorf("numberOutputs", "must be a whole number of outputs, not %v", v)
			}
		}
		return nil
	case "rules":
	default:
		return ParamErrorf("mode", "unknown mode %v (rules or expression)", mode)
	}
	list := defaultSwitchRules()
	if rules, ok := n.Parameters["rules"]; ok && rules != nil {
		rm, ok := rules.(map[string]any)
		if !ok {
			return ParamErrorf("rules", "must be an object with values")
		}
		list, ok = rm["values"].([]any)
		if !ok && rm["values"] != nil {
			return ParamErrorf("rules.values", "must be a list of rules")
		}
	}
	for i, r := range list {
		rule, ok := r.(map[string]any)
		if !ok {
			return ParamErrorf(fmt.Sprintf("rules.values[%d]", i), "must be an object")
		}
		if err := ValidateFilterParam(rule["conditions"], fmt.Sprintf("rules.values[%d].conditions", i)); err != nil {
			return err
		}
	}
	if o, ok := n.Parameters["options"].(map[string]any); ok {
		fb := o["fallbackOutput"]
		switch x := fb.(type) {
		case nil:
		case string:
			if x != "none" && x != "extra" && !expr.IsExpression(x) {
				return ParamErrorf("options.fallbackOutput", "%q is not none, extra or an output index", x)
			}
		default:
			// An index past the rules fails only when an item falls back
			// (as in n8n), so only the shape is checked here.
			if f, ok := condGoNumber(fb); !ok || f < 0 || f != math.Trunc(f) {
				return ParamErrorf("options.fallbackOutput", "%v is not an output index", fb)
			}
		}
	}
	return nil
}

// Execute implements Node.
func (Switch) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := condFirstInput(in)
	if ctx.Node.TypeVersion < 3 {
		return switchLegacy(ctx, items)
	}
	mode, err := ctx.Param("mode", 0, "rules")
	if err != nil {
		return nil, condItemError(ctx, err, 0)
	}
	var out [][]Item
	for i, it := range items {
		it = it.Paired(i)
		var err error
		if mode == "expression" {
			out, err = switchByExpression(ctx, out, it, i)
		} else {
			out, err = switchByRules(ctx, out, it, i)
		}
		if err != nil {
			if ctx.ContinueOnFail() {
				if len(out) == 0 {
					out = [][]Item{nil}
				}
				out[0] = append(out[0], Item{JSON: map[string]any{"error": AsNodeError(err).Message}})
				continue
			}
			return nil, condItemError(ctx, err, i)
		}
	}
	if len(out) == 0 {
		return [][]Item{nil}, nil
	}
	return out, nil
}

// switchIndexError is n8n's checkIndexRange for an output index.
func switchIndexError(outputs int, index float64) error {
	if index == float64(outputs) {
		return NewNodeError("The ouput %s is not allowed. ", jsNumberString(index))
	}
	if index < 0 || index > float64(outputs) || index != math.Trunc(index) {
		return NewNodeError("The ouput %s is not allowed", jsNumberString(index))
	}
	return nil
}

func switchByExpression(ctx *Context, out [][]Item, it Item, i int) ([][]Item, error) {
	n, err := ctx.Param("numberOutputs", i, 4.0)
	if err != nil {
		return out, err
	}
	if i == 0 || out == nil {
		count := jsNumber(n)
		if math.IsNaN(count) || count < 0 {
			count = 0
		}
		out = make([][]Item, int(count))
	}
	v, err := ctx.Param("output", i, nil)
	if err != nil {
		return out, err
	}
	v = condNormalize(v)
	idx, ok := condValidateField(v, condFieldNumber, condFieldValidation{})
	if !ok || v == nil {
		return out, NewNodeError("Invalid input for 'Output Index' [item %d]", i)
	}
	index := idx.(float64)
	if err := switchIndexError(len(out), index); err != nil {
		return out, err
	}
	out[int(index)] = append(out[int(index)], it)
	return out, nil
}

func switchByRules(ctx *Context, out [][]Item, it Item, i int) ([][]Item, error) {
	raw, err := ctx.Param("rules.values", i, nil)
	if err != nil {
		return out, err
	}
	rules, _ := raw.([]any)
	if _, set := ctx.RawParam("rules.values"); !set {
		rules = defaultSwitchRules()
	}
	if len(rules) == 0 {
		return out, nil
	}
	o, err := ctx.Param("options", i, nil)
	if err != nil {
		return out, err
	}
	options, _ := o.(map[string]any)
	fallback := options["fallbackOutput"]
	if i == 0 || out == nil {
		out = make([][]Item, len(rules))
		if fallback == "extra" {
			out = append(out, nil)
		}
	}
	defaults, err := nodeFilterDefaults(ctx, i, 3.1, 3.2)
	if err != nil {
		return out, err
	}
	matched := false
	for r, rule := range rules {
		rm, _ := rule.(map[string]any)
		f, err := DecodeFilter(rm["conditions"], defaults)
		if err != nil {
			return out, NewNodeError("parameter rules.values[%d].conditions: %v", r, err)
		}
		pass, err := f.Evaluate(i)
		if err != nil {
			return out, err
		}
		if !pass {
			continue
		}
		matched = true
		if r >= len(out) {
			return out, switchIndexError(len(out), float64(r))
		}
		out[r] = append(out[r], it)
		if !condTruthy(options["allMatchingOutputs"]) {
			return out, nil
		}
	}
	if matched || fallback == nil || fallback == "none" {
		return out, nil
	}
	if fallback == "extra" {
		out[len(out)-1] = append(out[len(out)-1], it)
		return out, nil
	}
	index := jsNumber(condNormalize(fallback))
	if err := switchIndexError(len(out), index); err != nil {
		return out, err
	}
	out[int(index)] = append(out[int(index)], it)
	return out, nil
}

// switchLegacyOutputs counts a version 1–2 Switch's outputs: four in
// version 1; in version 2 one per rule, or outputsAmount in expression
// mode.
func switchLegacyOutputs(n *NodeInstance) int {
	if n.TypeVersion < 2 {
		return 4
	}
	if n.Parameters["mode"] == "expression" {
		if f, ok := condGoNumber(n.Parameters["outputsAmount"]); ok && f >= 0 {
			return int(f)
		}
		return 4
	}
	rules, _ := n.Parameters["rules"].(map[string]any)
	list, _ := rules["rules"].([]any)
	return len(list)
}

func validateSwitchLegacy(n *NodeInstance, mode any) error {
	switch mode {
	case "expression":
		return nil
	case "rules":
	default:
		return ParamErrorf("mode", "unknown mode %v (rules or expression)", mode)
	}
	dataType := "number"
	if d, ok := n.Parameters["dataType"]; ok {
		s, _ := d.(string)
		if _, known := legacyOperations[s]; !known {
			return ParamErrorf("dataType", "unknown data type %v", d)
		}
		dataType = s
	}
	rules, _ := n.Parameters["rules"].(map[string]any)
	list, _ := rules["rules"].([]any)
	for i, r := range list {
		rm, ok := r.(map[string]any)
		if !ok {
			return ParamErrorf(fmt.Sprintf("rules.rules[%d]", i), "must be an object")
		}
		op, present := rm["operation"]
		if !present || expr.IsExpression(op) {
			continue
		}
		s, _ := op.(string)
		known := false
		for _, o := range legacyOperations[dataType] {
			known = known || o == s
		}
		if !known {
			return ParamErrorf(fmt.Sprintf("rules.rules[%d].operation", i), "unknown %s operation %v", dataType, op)
		}
	}
	return nil
}

// switchLegacyDefaults are the editor defaults of value1 and value2 by data
// type.
var switchLegacyDefaults = map[string][2]any{
	"boolean": {false, false}, "dateTime": {"", 0.0}, "number": {0.0, 0.0}, "string": {"", ""},
}

// switchLegacy runs versions 1 and 2.
func switchLegacy(ctx *Context, items []Item) ([][]Item, error) {
	v := ctx.Node.TypeVersion
	var out [][]Item
	if v < 2 {
		out = make([][]Item, 4)
	}
	rangeError := func(index float64) error {
		if index < 0 || index >= float64(len(out)) || index != math.Trunc(index) {
			return NewNodeError("The ouput %s is not allowed. It has to be between 0 and %d!", jsNumberString(index), len(out)-1)
		}
		return nil
	}
	route := func(i int, it Item) error {
		mode, err := ctx.Param("mode", i, "rules")
		if err != nil {
			return err
		}
		if mode == "expression" {
			if v >= 2 && i == 0 {
				n, err := ctx.Param("outputsAmount", i, 4.0)
				if err != nil {
					return err
				}
				out = make([][]Item, max(int(jsNumber(condNormalize(n))), 0))
			}
			o, err := ctx.Param("output", i, 0.0)
			if err != nil {
				return err
			}
			index := jsNumber(condNormalize(o))
			if err := rangeError(index); err != nil {
				return err
			}
			out[int(index)] = append(out[int(index)], it)
			return nil
		}
		raw, err := ctx.Param("rules.rules", i, nil)
		if err != nil {
			return err
		}
		rules, _ := raw.([]any)
		if v >= 2 && i == 0 {
			out = make([][]Item, len(rules))
		}
		dt, err := ctx.Param("dataType", 0, "number")
		if err != nil {
			return err
		}
		dataType, _ := dt.(string)
		value1, err := ctx.Param("value1", i, switchLegacyDefaults[dataType][0])
		if err != nil {
			return err
		}
		value1 = condNormalize(value1)
		if dataType == "dateTime" {
			if value1, err = legacyDateTime(value1, ctx.Location); err != nil {
				return err
			}
		}
		for r, rule := range rules {
			rm, _ := rule.(map[string]any)
			value2, present := rm["value2"]
			if !present {
				value2 = switchLegacyDefaults[dataType][1]
			}
			value2 = condNormalize(value2)
			if dataType == "dateTime" {
				if value2, err = legacyDateTime(value2, ctx.Location); err != nil {
					return err
				}
			}
			op, _ := rm["operation"].(string)
			if op == "" {
				op = legacyDefaultOperation[dataType]
			}
			ok, err := legacyCompare(op, value1, value2)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			index := float64(r)
			if v < 2 {
				index = jsNumber(condNormalize(rm["output"]))
			}
			if err := rangeError(index); err != nil {
				return err
			}
			out[int(index)] = append(out[int(index)], it)
			return nil
		}
		fb, err := ctx.Param("fallbackOutput", i, -1.0)
		if err != nil {
			return err
		}
		if index := jsNumber(condNormalize(fb)); index != -1 {
			if err := rangeError(index); err != nil {
				return err
			}
			out[int(index)] = append(out[int(index)], it)
		}
		return nil
	}
	for i, it := range items {
		if err := route(i, it.Paired(i)); err != nil {
			if !ctx.ContinueOnFail() {
				return nil, condItemError(ctx, err, i)
			}
			if len(out) == 0 {
				out = [][]Item{nil}
			}
			out[0] = append(out[0], Item{JSON: map[string]any{"error": AsNodeError(err).Message}})
		}
	}
	if len(out) == 0 {
		return [][]Item{nil}, nil
	}
	return out, nil
}

var _ Node = Switch{}
