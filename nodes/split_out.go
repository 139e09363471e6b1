package nodes

import (
	"sort"
	"strings"
)

// SplitOut is n8n's Split Out node (n8n-nodes-base.splitOut): it turns a
// list (or an object's values) inside each item into separate items.
type SplitOut struct{}

func init() { Register(SplitOut{}) }

// Split Out's include modes, n8n's parameter values.
const (
	includeNoOtherFields       = "noOtherFields"
	includeAllOtherFields      = "allOtherFields"
	includeSelectedOtherFields = "selectedOtherFields"
)

// SplitOutParams are the Split Out node's parameters.
type SplitOutParams struct {
	FieldToSplitOut any             `json:"fieldToSplitOut" doc:"comma-separated fields to split out; $binary splits the item's binary data"`
	Include         string          `json:"include" doc:"noOtherFields (default), allOtherFields or selectedOtherFields"`
	FieldsToInclude any             `json:"fieldsToInclude" doc:"comma-separated fields copied into each new item (include=selectedOtherFields)"`
	Options         SplitOutOptions `json:"options" doc:"options"`
}

// SplitOutOptions are the Split Out node's options.
type SplitOutOptions struct {
	DisableDotNotation   bool   `json:"disableDotNotation" doc:"treat field names as literal keys"`
	DestinationFieldName string `json:"destinationFieldName" doc:"comma-separated output field names, one per field split out"`
	IncludeBinary        bool   `json:"includeBinary" doc:"copy the item's binary data to each new item"`
}

// Describe implements Node.
func (SplitOut) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.splitOut",
		DisplayName: "Split Out",
		Summary:     "Turns a list inside item(s) into separate items.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      SplitOutParams{},
	}
}

// Validate implements Node.
func (SplitOut) Validate(n *NodeInstance) error {
	var p SplitOutParams
	if err := StaticParams(n, &p); err != nil {
		return ParamErrorf("", "%v", err)
	}
	return validateSplitOut(n.Parameters, p.FieldToSplitOut, p.Include, p.Options.DestinationFieldName)
}

// validateSplitOut checks what Split Out and Item Lists' split out share.
func validateSplitOut(params map[string]any, field any, include, destinations string) error {
	raw, set := params["fieldToSplitOut"]
	if !set || (!isExprValue(raw) && len(splitFieldList(field)) == 0) {
		return ParamErrorf("fieldToSplitOut", "required: name the field(s) to split out")
	}
	switch include {
	case "", includeNoOtherFields, includeAllOtherFields, includeSelectedOtherFields:
	default:
		return ParamErrorf("include", "unknown value %q (use noOtherFields, allOtherFields or selectedOtherFields)", include)
	}
	if s, ok := field.(string); ok && destinations != "" {
		if d := len(splitFieldList(destinations)); d > 0 && d != len(strings.Split(s, ",")) {
			return ParamErrorf("options.destinationFieldName", "if multiple fields to split out are given, the same number of destination fields must be given")
		}
	}
	return nil
}

// isExprValue reports whether a raw parameter value is an expression.
func isExprValue(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "=")
}

// splitOutSpec is one item's Split Out parameters, resolved.
type splitOutSpec struct {
	fields       []string
	destinations []string
	include      string
	// selected is the fields copied with include=selectedOtherFields.
	selected      []string
	dotNotation   bool
	includeBinary bool
	// binarySplit allows "$binary" (the Split Out node only).
	binarySplit bool
	// missingIsError and nonObjectIsError are Item Lists 2.0 and < 2.2.
	missingIsError   bool
	nonObjectIsError bool
}

// splitFieldsToSplitOut reads the fields to split out: a comma-separated
// string (or a list), each name trimmed; prefix is removed from names
// ("$json." for the Split Out node).
func splitFieldsToSplitOut(v any, prefix string) ([]string, error) {
	var raw []string
	switch x := v.(type) {
	case string:
		raw = strings.Split(x, ",")
	case []any:
		for _, e := range x {
			raw = append(raw, jsToString(e))
		}
	case nil:
		raw = []string{""}
	default:
		return nil, NewNodeError("The 'Fields To Split Out' parameter must be a string of fields separated by commas or an array of strings.")
	}
	out := make([]string, len(raw))
	for i, f := range raw {
		f = strings.TrimSpace(f)
		if prefix != "" {
			f = strings.TrimPrefix(f, prefix)
		}
		out[i] = f
	}
	return out, nil
}

func splitDestinations(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// splitOutItem splits one input item (index i) into new items.
func splitOutItem(it Item, i int, spec splitOutSpec) ([]Item, error) {
	if len(spec.destinations) > 0 && len(spec.destinations) != len(spec.fields) {
		return nil, NewNodeError("If multiple fields to split out are given, the same number of destination fields must be given")
	}
	multi := len(spec.fields) > 1
	src := it.JSON
	if src == nil {
		src = map[string]any{}
	}
	var entries []Item
	entry := func(idx int) *Item {
		for len(entries) <= idx {
			e := NewItem(nil)
			e.PairedItem = PairedItems{{Item: i}}
			entries = append(entries, e)
		}
		return &entries[idx]
	}
	for fi, field := range spec.fields {
		dest := ""
		if fi < len(spec.destinations) {
			dest = spec.destinations[fi]
		}
		if spec.binarySplit && field == "$binary" {
			keys := make([]string, 0, len(it.Binary))
			for k := range it.Binary {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for idx, k := range keys {
				e := entry(idx)
				if e.Binary == nil {
					e.Binary = map[string]*Binary{}
				}
				e.Binary[k] = it.Binary[k]
			}
			continue
		}
		v, ok := lodashGet(src, field, spec.dotNotation)
		var elems []any
		switch {
		case !ok:
			if spec.missingIsError {
				return nil, missingSplitField(field, spec.dotNotation, i)
			}
		default:
			switch x := v.(type) {
			case []any:
				elems = x
			case map[string]any:
				elems = objectValues(x)
			default:
				if spec.nonObjectIsError {
					return nil, NewNodeError("The provided field '%s' is not an array or object", field).AtItem(i)
				}
				elems = []any{v}
			}
		}
		name := dest
		if name == "" {
			name = field
		}
		for idx, el := range elems {
			e := entry(idx)
			_, isObj := el.(map[string]any)
			_, isArr := el.([]any)
			if (isObj || isArr) && spec.include == includeNoOtherFields && dest == "" && !multi {
				spreadObject(e.JSON, CloneJSON(el))
				continue
			}
			e.JSON[name] = CloneJSON(el)
		}
	}
	out := make([]Item, 0, len(entries))
	for _, e := range entries {
		switch spec.include {
		case includeAllOtherFields:
			rest := CloneJSON(src).(map[string]any)
			for _, f := range spec.fields {
				lodashUnset(rest, f, spec.dotNotation)
			}
			for k, v := range e.JSON {
				rest[k] = v
			}
			e.JSON = rest
		case includeSelectedOtherFields:
			if len(spec.selected) == 0 {
				err := NewNodeError("No fields specified")
				err.Description = "Please add a field to include"
				return nil, err
			}
			for _, f := range spec.selected {
				if v, ok := lodashGet(src, f, spec.dotNotation); ok {
					e.JSON[f] = CloneJSON(v)
				} else {
					delete(e.JSON, f)
				}
			}
		}
		if spec.includeBinary && it.Binary != nil && e.Binary == nil {
			e.Binary = it.Binary
		}
		out = append(out, e)
	}
	return out, nil
}

func missingSplitField(field string, dotNotation bool, i int) error {
	e := NewNodeError("Couldn't find the field '%s' in the input data", field)
	if strings.Contains(field, ".") && !dotNotation {
		e.Description = "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options"
		return e
	}
	return e.AtItem(i)
}

// objectValues is Object.values on a JSON object, in JavaScript's key order
// (index-like keys first, then the rest sorted, as items keep no order).
func objectValues(m map[string]any) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	keys = jsObjectKeyOrder(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// Execute implements Node.
func (SplitOut) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := firstInput(in)
	out := []Item{}
	for i, it := range items {
		p := SplitOutParams{Include: includeNoOtherFields}
		if err := ctx.Decode(i, &p); err != nil {
			return nil, err
		}
		fields, err := splitFieldsToSplitOut(p.FieldToSplitOut, "$json.")
		if err != nil {
			return nil, err
		}
		spec := splitOutSpec{
			fields:        fields,
			destinations:  splitDestinations(p.Options.DestinationFieldName),
			include:       p.Include,
			dotNotation:   !p.Options.DisableDotNotation,
			includeBinary: p.Options.IncludeBinary,
			binarySplit:   true,
		}
		if p.Include == includeSelectedOtherFields {
			spec.selected = splitFieldList(p.FieldsToInclude)
		}
		split, err := splitOutItem(it, i, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, split...)
	}
	return [][]Item{out}, nil
}

var _ Node = SplitOut{}
