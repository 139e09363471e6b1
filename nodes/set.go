package nodes

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// Set is n8n's Edit Fields (Set) node. Versions 3–3.4 set typed fields
// ("manual" mode: assignments from 3.3, fields.values before) or merge a
// JSON object ("raw" mode) into each item, keeping all, some or none of the
// input fields. Versions 1 and 2 are the legacy Set node: string, number
// and boolean value lists and keepOnlySet.
type Set struct{}

func init() { Register(Set{}) }

// SetParams are the Edit Fields node's parameters.
type SetParams struct {
	Mode               string          `json:"mode" doc:"Versions 3+: manual (set fields one by one) or raw (a JSON object)." options:"manual,raw" default:"manual"`
	Assignments        SetAssignments  `json:"assignments" doc:"Versions 3.3+, manual mode: the fields to set."`
	Fields             SetFields       `json:"fields" doc:"Versions 3–3.2, manual mode: the fields to set."`
	JSONOutput         any             `json:"jsonOutput" doc:"Raw mode: the JSON object to merge into the item; {{ }} expressions inside the text are replaced by their values."`
	IncludeOtherFields bool            `json:"includeOtherFields" doc:"Versions 3.3+: keep input fields besides the ones set (off by default)."`
	Include            string          `json:"include" doc:"Which input fields to keep: all, selected, except, or none (versions 3–3.2)." options:"all,selected,except,none" default:"all"`
	IncludeFields      string          `json:"includeFields" doc:"With include=selected: comma-separated input fields to keep."`
	ExcludeFields      string          `json:"excludeFields" doc:"With include=except: comma-separated input fields to drop."`
	DuplicateItem      bool            `json:"duplicateItem" doc:"In manual executions, output each item duplicateCount extra times (for testing)."`
	DuplicateCount     float64         `json:"duplicateCount" doc:"How many extra copies duplicateItem makes."`
	Options            SetOptions      `json:"options" doc:"Further options: dot notation, binary handling, conversion errors."`
	KeepOnlySet        bool            `json:"keepOnlySet" doc:"Versions 1–2: drop the input fields and keep only the values set."`
	Values             SetLegacyValues `json:"values" doc:"Versions 1–2: the values to set, by type."`
}

// SetAssignments is n8n's assignment collection.
type SetAssignments struct {
	Assignments []SetAssignment `json:"assignments" doc:"The fields, in order."`
}

// SetAssignment is one field to set.
type SetAssignment struct {
	ID    string `json:"id" doc:"The assignment's id."`
	Name  string `json:"name" doc:"The field name; dots and [n] address nested fields unless dotNotation is off."`
	Value any    `json:"value" doc:"The value (usually an expression)."`
	Type  string `json:"type" doc:"The value's type; binary copies the input binary property the value names." options:"string,number,boolean,array,object,binary" default:"string"`
}

// SetFields is the versions 3–3.2 field collection.
type SetFields struct {
	Values []SetField `json:"values" doc:"The fields, in order."`
}

// SetField is one versions 3–3.2 field: the value sits under the key its
// type names (stringValue, numberValue, ...).
type SetField struct {
	Name         string `json:"name" doc:"The field name."`
	Type         string `json:"type" doc:"The value's type, and the key it sits under." options:"stringValue,numberValue,booleanValue,arrayValue,objectValue" default:"stringValue"`
	StringValue  any    `json:"stringValue,omitempty" doc:"The value of a string field."`
	NumberValue  any    `json:"numberValue,omitempty" doc:"The value of a number field."`
	BooleanValue any    `json:"booleanValue,omitempty" doc:"The value of a boolean field."`
	ArrayValue   any    `json:"arrayValue,omitempty" doc:"The value of an array field."`
	ObjectValue  any    `json:"objectValue,omitempty" doc:"The value of an object field."`
}

// SetOptions are the Edit Fields options.
type SetOptions struct {
	DotNotation            *bool `json:"dotNotation,omitempty" doc:"Read dots in field names as nesting; off sets literal keys such as \"a.b\"." default:"true"`
	IgnoreConversionErrors bool  `json:"ignoreConversionErrors,omitempty" doc:"Keep values that do not convert to the field's type instead of failing."`
	IncludeBinary          bool  `json:"includeBinary,omitempty" doc:"Versions 3–3.3: keep the input item's binary data."`
	StripBinary            bool  `json:"stripBinary,omitempty" doc:"Versions 3.4+: drop the input item's binary data (kept by default when input fields are kept)."`
}

// SetLegacyValues are the versions 1–2 values by type.
type SetLegacyValues struct {
	Boolean []SetLegacyValue `json:"boolean" doc:"Boolean values (any value is converted by truthiness)."`
	Number  []SetLegacyValue `json:"number" doc:"Number values (version 2 converts numeric strings)."`
	String  []SetLegacyValue `json:"string" doc:"String values."`
}

// SetLegacyValue is one versions 1–2 value.
type SetLegacyValue struct {
	Name  string `json:"name" doc:"The field name."`
	Value any    `json:"value" doc:"The value."`
}

// Describe implements Node.
func (Set) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.set",
		DisplayName: "Edit Fields (Set)",
		Summary:     "Adds, changes or removes item fields.",
		Versions:    []float64{1, 2, 3, 3.1, 3.2, 3.3, 3.4},
		Kind:        KindPure,
		Params:      SetParams{},
	}
}

var setAssignmentTypes = map[string]bool{"string": true, "number": true, "boolean": true, "array": true, "object": true, "binary": true}
var setFieldTypes = map[string]bool{"stringValue": true, "numberValue": true, "booleanValue": true, "arrayValue": true, "objectValue": true}

// Validate implements Node.
func (Set) Validate(n *NodeInstance) error {
	p := n.Parameters
	if n.TypeVersion < 3 {
		return validateSetLegacy(p)
	}
	mode := "manual"
	if m, ok := p["mode"]; ok {
		s, _ := m.(string)
		if s != "manual" && s != "raw" {
			return ParamErrorf("mode", "unknown mode %v (manual or raw)", m)
		}
		mode = s
	}
	if err := validateSetInclude(n); err != nil {
		return err
	}
	if mode == "raw" {
		if s, ok := p["jsonOutput"].(string); ok && !expr.IsExpression(s) {
			if _, err := parseSetJSON(s, 0, ""); err != nil {
				return ParamErrorf("jsonOutput", "%s", AsNodeError(err).Message)
			}
		}
		return nil
	}
	if n.TypeVersion >= 3.3 {
		a, ok := p["assignments"]
		if !ok || a == nil || expr.IsExpression(a) {
			return nil
		}
		am, ok := a.(map[string]any)
		if !ok {
			return ParamErrorf("assignments", "must be an object with a list of assignments")
		}
		list, ok := am["assignments"].([]any)
		if !ok {
			if am["assignments"] == nil {
				return nil
			}
			return ParamErrorf("assignments.assignments", "must be a list")
		}
		for i, e := range list {
			path := fmt.Sprintf("assignments.assignments[%d]", i)
			em, ok := e.(map[string]any)
			if !ok {
				return ParamErrorf(path, "must be an object with name, value and type")
			}
			if t, ok := em["type"]; ok && !expr.IsExpression(t) {
				if s, _ := t.(string); !setAssignmentTypes[s] {
					return ParamErrorf(path+".type", "unknown type %v", t)
				}
			}
		}
		return nil
	}
	f, ok := p["fields"]
	if !ok || f == nil || expr.IsExpression(f) {
		return nil
	}
	fm, ok := f.(map[string]any)
	if !ok {
		return ParamErrorf("fields", "must be an object with a list of values")
	}
	list, ok := fm["values"].([]any)
	if !ok && fm["values"] != nil {
		return ParamErrorf("fields.values", "must be a list")
	}
	for i, e := range list {
		path := fmt.Sprintf("fields.values[%d]", i)
		em, ok := e.(map[string]any)
		if !ok {
			return ParamErrorf(path, "must be an object")
		}
		if t, ok := em["type"]; ok && !expr.IsExpression(t) {
			if s, _ := t.(string); !setFieldTypes[s] {
				return ParamErrorf(path+".type", "unknown type %v", t)
			}
		}
	}
	return nil
}

func validateSetInclude(n *NodeInstance) error {
	inc, ok := n.Parameters["include"]
	if !ok || expr.IsExpression(inc) {
		return nil
	}
	switch inc {
	case "all", "selected", "except", "none":
		// From 3.3 the editor offers none through includeOtherFields, but
		// a stored "none" still runs in n8n.
	default:
		return ParamErrorf("include", "unknown include option %v (all, selected, except or none)", inc)
	}
	return nil
}

func validateSetLegacy(p map[string]any) error {
	v, ok := p["values"]
	if !ok || v == nil || expr.IsExpression(v) {
		return nil
	}
	vm, ok := v.(map[string]any)
	if !ok {
		return ParamErrorf("values", "must be an object of boolean, number and string lists")
	}
	for _, k := range sortedKeys(vm) {
		if k != "boolean" && k != "number" && k != "string" {
			return ParamErrorf("values."+k, "unknown value type %q", k)
		}
		if _, ok := vm[k].([]any); !ok && vm[k] != nil && !expr.IsExpression(vm[k]) {
			return ParamErrorf("values."+k, "must be a list")
		}
	}
	return nil
}

// setOptions are the resolved options of one item.
type setOptions struct {
	include                string
	dotNotation            bool
	ignoreConversionErrors bool
	includeBinary          bool
	stripBinary            bool
}

// Execute implements Node.
func (Set) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := condFirstInput(in)
	if ctx.Node.TypeVersion < 3 {
		return setLegacy(ctx, items)
	}
	mode, err := ctx.Param("mode", 0, "manual")
	if err != nil {
		return nil, condItemError(ctx, err, 0)
	}
	if mode != "manual" && mode != "raw" {
		return nil, condItemError(ctx, NewNodeError("The mode %q is not known!", jsToString(mode)), 0)
	}
	dup, err := ctx.Param("duplicateItem", 0, false)
	if err != nil {
		return nil, condItemError(ctx, err, 0)
	}
	duplicates := 0
	if condTruthy(dup) && ctx.Execution.Mode == ModeManual {
		c, err := ctx.Param("duplicateCount", 0, 0.0)
		if err != nil {
			return nil, condItemError(ctx, err, 0)
		}
		if n := jsNumber(condNormalize(c)); n > 0 {
			duplicates = int(n)
		}
	}
	rawData := setRawData(ctx, mode.(string))
	var out []Item
	for i, it := range items {
		opts, err := setItemOptions(ctx, i)
		if err != nil {
			return nil, condItemError(ctx, err, i)
		}
		var newItem Item
		if mode == "raw" {
			newItem, err = setRaw(ctx, it, i, opts, rawData)
		} else {
			newItem, err = setManual(ctx, it, i, opts, rawData)
		}
		if err != nil {
			return nil, condItemError(ctx, err, i)
		}
		for range duplicates + 1 {
			out = append(out, newItem)
		}
	}
	return [][]Item{out}, nil
}

// setRawData returns the raw (unevaluated) texts n8n evaluates piecewise:
// raw mode's jsonOutput and, before 3.3, objectValue fields, when they are
// expressions; "jsonOutput" or the field's name maps to the text without
// its leading "=".
func setRawData(ctx *Context, mode string) map[string]string {
	raw := map[string]string{}
	if mode == "raw" {
		if s, ok := ctx.Node.Parameters["jsonOutput"].(string); ok && strings.HasPrefix(s, "=") {
			raw["jsonOutput"] = strings.TrimLeft(s, "=")
		}
		return raw
	}
	if ctx.Node.TypeVersion >= 3.3 {
		return raw
	}
	fields, _ := ctx.RawParam("fields")
	fm, _ := fields.(map[string]any)
	list, _ := fm["values"].([]any)
	for _, e := range list {
		em, _ := e.(map[string]any)
		if em["type"] != "objectValue" {
			continue
		}
		if s, ok := em["objectValue"].(string); ok && strings.HasPrefix(s, "=") {
			name, _ := em["name"].(string)
			raw[name] = strings.TrimLeft(s, "=")
		}
	}
	return raw
}

func setItemOptions(ctx *Context, i int) (setOptions, error) {
	other, err := ctx.Param("includeOtherFields", i, false)
	if err != nil {
		return setOptions{}, err
	}
	include, err := ctx.Param("include", i, "all")
	if err != nil {
		return setOptions{}, err
	}
	o, err := ctx.Param("options", i, nil)
	if err != nil {
		return setOptions{}, err
	}
	om, _ := o.(map[string]any)
	opts := setOptions{
		include:                jsToString(include),
		dotNotation:            om["dotNotation"] != false,
		ignoreConversionErrors: condTruthy(om["ignoreConversionErrors"]),
		includeBinary:          condTruthy(om["includeBinary"]),
		stripBinary:            condTruthy(om["stripBinary"]),
	}
	if ctx.Node.TypeVersion >= 3.3 && !condTruthy(other) {
		opts.include = "none"
	}
	return opts, nil
}

// setFailure is the item a failing item becomes under continue-on-fail,
// or the node's error otherwise.
func setFailure(ctx *Context, err error, i int, raw bool) (Item, error) {
	if !ctx.ContinueOnFail() {
		return Item{}, err
	}
	msg := AsNodeError(err).Message
	if raw {
		return Item{JSON: map[string]any{"error": msg}, PairedItem: PairedItems{{Item: i}}}, nil
	}
	// n8n puts pairedItem inside the json here, so the item does not look
	// like an error item to continueErrorOutput.
	return Item{JSON: map[string]any{"error": msg, "pairedItem": map[string]any{"item": float64(i)}}}, nil
}

func setManual(ctx *Context, it Item, i int, opts setOptions, rawData map[string]string) (Item, error) {
	var fields []setEntry
	var binaries []setEntry
	var err error
	if ctx.Node.TypeVersion >= 3.3 {
		fields, binaries, err = setAssignmentEntries(ctx, i, opts)
	} else {
		fields, err = setFieldEntries(ctx, i, opts, rawData)
	}
	if err != nil {
		return setFailure(ctx, err, i, false)
	}
	out, err := composeSetItem(ctx, i, it, fields, opts)
	if err != nil {
		return setFailure(ctx, err, i, false)
	}
	for _, b := range binaries {
		prop := jsToString(b.value)
		bin, ok := it.Binary[prop]
		if !ok || bin == nil {
			return setFailure(ctx, NewNodeError("Item has no binary property called \"%s\"", prop).AtItem(i), i, false)
		}
		if out.Binary == nil {
			out.Binary = map[string]*Binary{}
		}
		cp := *bin
		out.Binary[b.name] = &cp
	}
	return out, nil
}

// setEntry is a field name and its converted value.
type setEntry struct {
	name  string
	value any
}

func setAssignmentEntries(ctx *Context, i int, opts setOptions) (fields, binaries []setEntry, err error) {
	a, err := ctx.Param("assignments", i, nil)
	if err != nil {
		return nil, nil, err
	}
	am, _ := a.(map[string]any)
	list, _ := am["assignments"].([]any)
	for _, e := range list {
		em, _ := e.(map[string]any)
		name := setName(em["name"])
		typ, _ := em["type"].(string)
		if typ == "" {
			typ = "string"
		}
		if typ == "binary" {
			binaries = append(binaries, setEntry{name, em["value"]})
			continue
		}
		v, err := validateSetEntry(name, typ, condNormalize(em["value"]), i, opts.ignoreConversionErrors, ctx.Node.TypeVersion)
		if err != nil {
			return nil, nil, err
		}
		fields = append(fields, setEntry{name, v})
	}
	return fields, binaries, nil
}

// setFieldDefaults are the values the versions 3–3.2 editor gives fields
// that leave them out.
var setFieldDefaults = map[string]any{"stringValue": "", "numberValue": "", "booleanValue": "true", "arrayValue": "", "objectValue": map[string]any{}}

func setFieldEntries(ctx *Context, i int, opts setOptions, rawData map[string]string) ([]setEntry, error) {
	f, err := ctx.Param("fields", i, nil)
	if err != nil {
		return nil, err
	}
	fm, _ := f.(map[string]any)
	list, _ := fm["values"].([]any)
	var fields []setEntry
	for _, e := range list {
		em, _ := e.(map[string]any)
		name := setName(em["name"])
		typ, _ := em["type"].(string)
		if typ == "" {
			typ = "stringValue"
		}
		value, ok := em[typ]
		if !ok {
			value = setFieldDefaults[typ]
		}
		value = condNormalize(value)
		if raw, ok := rawData[name]; ok && typ == "objectValue" && value != nil {
			text, err := resolveSetRawData(ctx, raw, i)
			if err != nil {
				return nil, err
			}
			obj, err := parseSetJSON(text, i, name)
			if err != nil {
				return nil, err
			}
			value = obj
		}
		v, err := validateSetEntry(name, strings.TrimSuffix(typ, "Value"), value, i, opts.ignoreConversionErrors, ctx.Node.TypeVersion)
		if err != nil {
			return nil, err
		}
		fields = append(fields, setEntry{name, v})
	}
	return fields, nil
}

func setName(v any) string {
	if v == nil {
		return "undefined"
	}
	return jsToString(condNormalize(v))
}

// validateSetEntry is n8n's validateEntry: it converts a field's value to
// its type, failing with "'name' expects a number but we got 'abc' [item
// 0]" unless conversion errors are ignored (the value is then kept as it
// is). From 3.2 a missing value is null whatever the type.
func validateSetEntry(name, typ string, value any, i int, ignoreErrors bool, version float64) (any, error) {
	if version >= 3.2 && value == nil {
		return nil, nil
	}
	description := fmt.Sprintf("To fix the error try to change the type for the field \"%s\" or activate the option “Ignore Type Conversion Errors” to apply a less strict type validation", name)
	if typ == "string" {
		switch x := value.(type) {
		case nil:
			if version > 3 {
				if ignoreErrors {
					return nil, nil
				}
				e := NewNodeError("'%s' expects a %s but we got 'undefined' [item %d]", name, typ, i)
				e.Description = description
				return nil, e
			}
			value = "undefined"
		case map[string]any, []any:
			value = condJSONText(x)
		case time.Time:
			// n8n's expressions hand a DateTime result over as ISO text.
			value = FormatISO(x)
		default:
			value = jsToString(value)
		}
	}
	v, ok := condValidateField(value, condFieldType(typ), condFieldValidation{})
	if !ok {
		if ignoreErrors {
			return value, nil
		}
		e := NewNodeError("'%s' expects a %s but we got %s [item %d]", name, typ, condValueDescription(value), i)
		e.Description = description
		return nil, e.AtItem(i)
	}
	return v, nil
}

// composeSetItem is n8n's composeReturnItem: the kept input fields, then
// each new field set in order.
func composeSetItem(ctx *Context, i int, in Item, fields []setEntry, opts setOptions) (Item, error) {
	out := Item{JSON: map[string]any{}, PairedItem: PairedItems{{Item: i}}}
	v := ctx.Node.TypeVersion
	if (v >= 3.4 && !opts.stripBinary && opts.include != "none") || (v < 3.4 && opts.includeBinary) {
		if in.Binary != nil {
			out.Binary = make(map[string]*Binary, len(in.Binary))
			for k, b := range in.Binary {
				out.Binary[k] = b
			}
		}
	}
	paths := setPathHelper{dots: opts.dotNotation}
	switch opts.include {
	case "all":
		out.JSON = CloneJSON(in.JSON).(map[string]any)
	case "selected":
		list, err := ctx.Param("includeFields", i, "")
		if err != nil {
			return Item{}, err
		}
		for _, key := range setSplitFields(list) {
			value := CloneJSON(paths.get(in.JSON, key))
			target := key
			if opts.dotNotation && strings.Contains(key, ".") {
				target = key[strings.LastIndex(key, ".")+1:]
			}
			paths.set(out.JSON, target, value)
		}
	case "except":
		list, err := ctx.Param("excludeFields", i, "")
		if err != nil {
			return Item{}, err
		}
		out.JSON = CloneJSON(in.JSON).(map[string]any)
		for _, key := range setSplitFields(list) {
			paths.unset(out.JSON, key)
		}
	case "none":
	default:
		return Item{}, NewNodeError("The include option \"%s\" is not known!", opts.include)
	}
	for _, f := range orderedSetEntries(fields) {
		paths.set(out.JSON, f.name, f.value)
	}
	out.JSON = NormalizeJSON(out.JSON).(map[string]any)
	return out, nil
}

func setSplitFields(v any) []string {
	var out []string
	for _, s := range strings.Split(jsToString(condNormalize(v)), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var setIndexPattern = regexp.MustCompile(`^(0|[1-9]\d*)$`)

// orderedSetEntries merges fields as Object.fromEntries does: a name set
// twice keeps its first place and its last value, and integer-like names
// come first in ascending order (JavaScript's property order).
func orderedSetEntries(fields []setEntry) []setEntry {
	pos := map[string]int{}
	var out []setEntry
	for _, f := range fields {
		if p, ok := pos[f.name]; ok {
			out[p].value = f.value
			continue
		}
		pos[f.name] = len(out)
		out = append(out, f)
	}
	sort.SliceStable(out, func(a, b int) bool {
		ia, ib := setIsIndexKey(out[a].name), setIsIndexKey(out[b].name)
		if ia && ib {
			na, _ := strconv.ParseUint(out[a].name, 10, 64)
			nb, _ := strconv.ParseUint(out[b].name, 10, 64)
			return na < nb
		}
		return ia && !ib
	})
	return out
}

func setIsIndexKey(s string) bool {
	if !setIndexPattern.MatchString(s) {
		return false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n < math.MaxUint32
}

// setRaw is raw (JSON) mode for one item.
func setRaw(ctx *Context, it Item, i int, opts setOptions, rawData map[string]string) (Item, error) {
	var obj map[string]any
	var err error
	if text, ok := rawData["jsonOutput"]; ok {
		text, err = resolveSetRawData(ctx, text, i)
		if err == nil {
			obj, err = parseSetJSON(text, i, "")
		}
	} else {
		var v any
		v, err = ctx.Param("jsonOutput", i, "{\n  \"my_field_1\": \"value\",\n  \"my_field_2\": 1\n}\n")
		if err == nil {
			obj, err = parseSetJSON(condNormalize(v), i, "")
		}
	}
	if err != nil {
		return setFailure(ctx, err, i, true)
	}
	fields := make([]setEntry, 0, len(obj))
	for _, k := range sortedKeys(obj) {
		fields = append(fields, setEntry{k, obj[k]})
	}
	out, err := composeSetItem(ctx, i, it, fields, opts)
	if err != nil {
		return setFailure(ctx, err, i, true)
	}
	return out, nil
}

var setResolvable = regexp.MustCompile(`\{\{[\s\S]*?\}\}`)

// resolveSetRawData is n8n's resolveRawData: every {{ … }} in the text is
// evaluated and replaced by its value, objects as JSON, everything else as
// text.
func resolveSetRawData(ctx *Context, text string, i int) (string, error) {
	var firstErr error
	out := setResolvable.ReplaceAllStringFunc(text, func(r string) string {
		if firstErr != nil {
			return r
		}
		v, err := ctx.Evaluate("="+r, i)
		if err != nil {
			firstErr = err
			return r
		}
		switch x := condNormalize(v).(type) {
		case map[string]any, []any:
			return condJSONText(x)
		case nil:
			return "null"
		default:
			return jsToString(x)
		}
	})
	return out, firstErr
}

var (
	setJSONRecoverKeys   = regexp.MustCompile(`(['"])?([a-zA-Z0-9_]+)(['"])?:`)
	setJSONRecoverCommas = regexp.MustCompile(`,\s*([\]}])`)
	setJSONRecoverTrail  = regexp.MustCompile(`,+$`)
)

// parseSetJSON is n8n's parseJsonParameter: a JSON object text (repaired
// like n8n does when it has single quotes, bare keys or trailing commas),
// or an object as it is. entry names the field for messages; "" means
// raw mode's JSON Output.
func parseSetJSON(v any, i int, entry string) (map[string]any, error) {
	location := "'JSON Output'"
	if entry != "" {
		location = fmt.Sprintf("entry \"%s\" inside 'Fields to Set'", entry)
	}
	var data any
	if s, ok := v.(string); ok {
		if err := json.Unmarshal([]byte(s), &data); err != nil {
			recovered := strings.ReplaceAll(s, "'", `"`)
			recovered = setJSONRecoverKeys.ReplaceAllString(recovered, `"$2":`)
			recovered = setJSONRecoverCommas.ReplaceAllString(recovered, "$1")
			recovered = setJSONRecoverTrail.ReplaceAllString(recovered, "")
			if err := json.Unmarshal([]byte(recovered), &data); err != nil {
				e := NewNodeError("The %s in item %d contains invalid JSON", location, i)
				e.Description = s
				return nil, e
			}
		}
	} else {
		data = v
	}
	m, ok := data.(map[string]any)
	if !ok {
		return nil, NewNodeError("The %s in item %d does not contain a valid JSON object", location, i)
	}
	return m, nil
}

// setLegacy is the Set node versions 1 and 2.
func setLegacy(ctx *Context, items []Item) ([][]Item, error) {
	if len(items) == 0 {
		items = []Item{NewItem(nil)}
	}
	out := make([]Item, 0, len(items))
	for i, it := range items {
		keep, err := ctx.Param("keepOnlySet", i, false)
		if err != nil {
			return nil, condItemError(ctx, err, i)
		}
		o, err := ctx.Param("options", i, nil)
		if err != nil {
			return nil, condItemError(ctx, err, i)
		}
		om, _ := o.(map[string]any)
		paths := setPathHelper{dots: om["dotNotation"] != false, literal: true}
		newItem := Item{JSON: map[string]any{}, PairedItem: PairedItems{{Item: i}}}
		if !condTruthy(keep) {
			if it.Binary != nil {
				newItem.Binary = make(map[string]*Binary, len(it.Binary))
				for k, b := range it.Binary {
					newItem.Binary[k] = b
				}
			}
			newItem.JSON = CloneJSON(it.JSON).(map[string]any)
		}
		for _, section := range []string{"boolean", "number", "string"} {
			list, err := ctx.Param("values."+section, i, nil)
			if err != nil {
				return nil, condItemError(ctx, err, i)
			}
			entries, _ := list.([]any)
			for _, e := range entries {
				em, _ := e.(map[string]any)
				name := "propertyName"
				if n, ok := em["name"]; ok {
					name = setName(n)
				}
				value := condNormalize(em["value"])
				switch section {
				case "boolean":
					value = condTruthy(value)
				case "number":
					if _, present := em["value"]; !present {
						value = 0.0
					}
					if s, ok := value.(string); ok && ctx.Node.TypeVersion >= 2 && !math.IsNaN(jsStringToNumber(s)) {
						value = jsStringToNumber(s)
					}
				case "string":
					if _, present := em["value"]; !present {
						value = ""
					}
				}
				paths.set(newItem.JSON, name, value)
			}
		}
		newItem.JSON = NormalizeJSON(newItem.JSON).(map[string]any)
		out = append(out, newItem)
	}
	return [][]Item{out}, nil
}

var _ Node = Set{}
