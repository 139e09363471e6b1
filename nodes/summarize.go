package nodes

import (
	"math"
	"strings"
)

// Summarize is n8n's Summarize node (n8n-nodes-base.summarize): pivot-table
// style aggregations (count, sum, average, ...) over items, optionally
// split into groups by field values.
type Summarize struct{}

func init() { Register(Summarize{}) }

// SummarizeParams are the Summarize node's parameters.
type SummarizeParams struct {
	FieldsToSummarize SummarizeFieldList `json:"fieldsToSummarize" doc:"the aggregations to compute"`
	FieldsToSplitBy   string             `json:"fieldsToSplitBy" doc:"comma-separated fields whose values split the items into groups"`
	Options           SummarizeOptions   `json:"options" doc:"options"`
}

// SummarizeFieldList is the fieldsToSummarize fixed collection.
type SummarizeFieldList struct {
	Values []SummarizeField `json:"values" doc:"one entry per aggregation"`
}

// SummarizeField is one aggregation.
type SummarizeField struct {
	Aggregation     string  `json:"aggregation" doc:"append, average, concatenate, count (default), countUnique, max, min or sum"`
	Field           string  `json:"field" doc:"the input field to summarize"`
	IncludeEmpty    bool    `json:"includeEmpty" doc:"include null, missing and empty-string values (append, concatenate, count, countUnique)"`
	SeparateBy      *string `json:"separateBy" doc:"concatenate's separator: ',' (default), ', ', newline, '', ' ' or other"`
	CustomSeparator string  `json:"customSeparator" doc:"the separator when separateBy is other"`
}

// SummarizeOptions are the Summarize node's options.
type SummarizeOptions struct {
	ContinueIfFieldNotFound bool   `json:"continueIfFieldNotFound" doc:"version 1: do not fail when a field is in no item"`
	DisableDotNotation      bool   `json:"disableDotNotation" doc:"treat field names as literal keys"`
	OutputFormat            string `json:"outputFormat" doc:"separateItems (default): one item per group; singleItem: all groups nested in one item"`
	SkipEmptySplitFields    bool   `json:"skipEmptySplitFields" doc:"ignore items whose split-by field is empty"`
}

// Describe implements Node.
func (Summarize) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.summarize",
		DisplayName: "Summarize",
		Summary:     "Sums, counts, averages, ... field values across items, optionally per group.",
		Versions:    []float64{1, 1.1},
		Kind:        KindPure,
		Params:      SummarizeParams{},
	}
}

var summarizePrefixes = map[string]string{
	"append":      "appended_",
	"average":     "average_",
	"concatenate": "concatenated_",
	"count":       "count_",
	"countUnique": "unique_count_",
	"max":         "max_",
	"min":         "min_",
	"sum":         "sum_",
}

// Validate implements Node.
func (Summarize) Validate(n *NodeInstance) error {
	return validateSummarize(n)
}

func validateSummarize(n *NodeInstance) error {
	var p SummarizeParams
	if err := StaticParams(n, &p); err != nil {
		return ParamErrorf("", "%v", err)
	}
	switch p.Options.OutputFormat {
	case "", "separateItems", "singleItem":
	default:
		return ParamErrorf("options.outputFormat", "unknown value %q (use separateItems or singleItem)", p.Options.OutputFormat)
	}
	whole, ok := n.Parameters["fieldsToSummarize"]
	if !ok {
		return ParamErrorf("fieldsToSummarize.values", "add at least one aggregation with a non-empty field")
	}
	if isExprValue(whole) {
		return nil
	}
	fc, _ := whole.(map[string]any)
	if isExprValue(fc["values"]) {
		return nil
	}
	entries, _ := fc["values"].([]any)
	hasField := false
	for i, e := range entries {
		m, _ := e.(map[string]any)
		if agg, ok := m["aggregation"].(string); ok && !isExprValue(agg) {
			if _, known := summarizePrefixes[agg]; !known {
				return ParamErrorf("fieldsToSummarize.values", "entry %d: unknown aggregation %q", i+1, agg)
			}
		}
		if f, ok := m["field"].(string); ok && f != "" {
			hasField = true
		}
	}
	if !hasField {
		return ParamErrorf("fieldsToSummarize.values", "add at least one aggregation with a non-empty field")
	}
	return nil
}

// groupingKind is how a summarizer turns split-by values into groups.
type groupingKind int

const (
	// groupTyped keeps values as they are (Summarize 1.1: a Map).
	groupTyped groupingKind = iota
	// groupString groups by String(value) (Summarize 1: a Map of strings).
	groupString
	// groupObjectKeys groups by object property keys (Item Lists).
	groupObjectKeys
)

// summarizeMode is where the Summarize node and Item Lists' versions of it
// differ.
type summarizeMode struct {
	grouping groupingKind
	// normalize rewrites output names: brackets and quotes dropped, spaces
	// and dots become underscores.
	normalize bool
	// mathMinMax computes min and max with Math.min/Math.max over the
	// number values (Item Lists 1 and 2) instead of comparing the non-empty
	// values of any type.
	mathMinMax bool
	// emptyCounts lets includeEmpty apply to count and countUnique.
	emptyCounts bool
}

// summarizeSpec is the summarizer's parameters, resolved.
type summarizeSpec struct {
	mode        summarizeMode
	fields      []SummarizeField
	splitBy     []string
	dotNotation bool
	singleItem  bool
	skipEmpty   bool
}

// summarizeSpecFrom reads the summarize parameters (from item 0) with n8n's
// defaults.
func summarizeSpecFrom(ctx *Context, mode summarizeMode) (summarizeSpec, SummarizeOptions, error) {
	var p SummarizeParams
	if err := ctx.Decode(0, &p); err != nil {
		return summarizeSpec{}, SummarizeOptions{}, err
	}
	fields := p.FieldsToSummarize.Values
	if _, set := ctx.RawParam("fieldsToSummarize"); !set {
		fields = []SummarizeField{{Aggregation: "count"}}
	}
	for i := range fields {
		if fields[i].Aggregation == "" {
			fields[i].Aggregation = "count"
		}
		if fields[i].SeparateBy == nil {
			comma := ","
			fields[i].SeparateBy = &comma
		}
	}
	spec := summarizeSpec{
		mode:        mode,
		fields:      fields,
		dotNotation: !p.Options.DisableDotNotation,
		singleItem:  p.Options.OutputFormat == "singleItem",
		skipEmpty:   p.Options.SkipEmptySplitFields,
	}
	for _, f := range strings.Split(p.FieldsToSplitBy, ",") {
		if f = strings.TrimSpace(f); f != "" {
			spec.splitBy = append(spec.splitBy, f)
		}
	}
	return spec, p.Options, nil
}

// summaryName is an aggregation's output field name.
func (s *summarizeSpec) summaryName(f SummarizeField) string {
	prefix, ok := summarizePrefixes[f.Aggregation]
	if !ok {
		prefix = "undefined"
	}
	return s.outName(prefix + f.Field)
}

func (s *summarizeSpec) outName(name string) string {
	if !s.mode.normalize {
		return name
	}
	name = strings.NewReplacer("[", "", "]", "", `"`, "").Replace(name)
	return strings.NewReplacer(" ", "_", ".", "_").Replace(name)
}

// checkSummarizeFields fails when a field to summarize is in no item.
func (s *summarizeSpec) checkFields(items []Item) error {
	for _, f := range s.fields {
		if f.Field == "" {
			continue
		}
		found := false
		for _, it := range items {
			if _, ok := lodashGet(it.JSON, f.Field, s.dotNotation); ok {
				found = true
				break
			}
		}
		if !found {
			return NewNodeError("The field '%s' does not exist in any items", f.Field)
		}
	}
	return nil
}

// sumItem is an input item with its index.
type sumItem struct {
	json  map[string]any
	index int
}

// sumGroup is one value of a split-by field and what it holds.
type sumGroup struct {
	// value is the group's value in output items (absent when !defined).
	value   any
	defined bool
	// key is the group's name in single-item output.
	key   string
	items []sumItem
	sub   *sumSplit
}

// sumSplit is the grouping of items by one split-by field.
type sumSplit struct {
	field  string
	groups []*sumGroup
}

// summarize computes the output items.
func (s *summarizeSpec) summarize(items []Item) []Item {
	in := make([]sumItem, len(items))
	for i, it := range items {
		j := it.JSON
		if j == nil {
			j = map[string]any{}
		}
		in[i] = sumItem{json: j, index: i}
	}
	if s.singleItem {
		var j map[string]any
		if len(s.splitBy) == 0 {
			j = s.aggregate(in)
		} else {
			j = s.nested(s.split(in, s.splitBy))
		}
		out := NewItem(j)
		out.PairedItem = allPaired(len(items))
		return []Item{out}
	}
	if len(s.splitBy) == 0 {
		out := NewItem(s.aggregate(in))
		out.PairedItem = sumPaired(in)
		return []Item{out}
	}
	var out []Item
	s.flatten(s.split(in, s.splitBy), nil, &out)
	if out == nil {
		out = []Item{}
	}
	return out
}

func sumPaired(items []sumItem) PairedItems {
	p := make(PairedItems, len(items))
	for i, it := range items {
		p[i] = PairedItem{Item: it.index}
	}
	return p
}

// groupIdentity identifies a group: the kind of value and its text.
type groupIdentity struct {
	kind byte
	text string
}

// split groups items by the first of keys, recursively by the rest.
func (s *summarizeSpec) split(items []sumItem, keys []string) *sumSplit {
	sp := &sumSplit{field: keys[0]}
	byID := map[groupIdentity]*sumGroup{}
	for _, it := range items {
		v, ok := lodashGet(it.json, keys[0], s.dotNotation)
		var g sumGroup
		var id groupIdentity
		switch s.mode.grouping {
		case groupTyped:
			if isJSONObject(v) {
				v = condJSONText(v)
			}
			if s.skipEmpty && !isNumber(v) && !jsTruthy(orUndef(v, ok)) {
				continue
			}
			g = sumGroup{value: v, defined: ok, key: groupKeyString(v, ok)}
			id = typedIdentity(v, ok)
		case groupString:
			if isJSONObject(v) {
				v = condJSONText(v)
			}
			k := groupKeyString(v, ok)
			if s.skipEmpty && k == "" {
				continue
			}
			g = sumGroup{value: k, defined: true, key: k}
			id = groupIdentity{text: k}
		case groupObjectKeys:
			if ok && (v == nil || isJSONObject(v)) {
				v = condJSONText(v)
			}
			if s.skipEmpty && !isNumber(v) && !jsTruthy(orUndef(v, ok)) {
				continue
			}
			k := groupKeyString(v, ok)
			g = sumGroup{value: k, defined: true, key: k}
			id = groupIdentity{text: k}
		}
		grp := byID[id]
		if grp == nil {
			grp = &g
			byID[id] = grp
			sp.groups = append(sp.groups, grp)
		}
		grp.items = append(grp.items, it)
	}
	if s.mode.grouping == groupObjectKeys {
		sp.groups = jsKeyOrderGroups(sp.groups)
	}
	if len(keys) > 1 {
		for _, g := range sp.groups {
			g.sub = s.split(g.items, keys[1:])
		}
	}
	return sp
}

// jsKeyOrderGroups orders groups as a JavaScript object orders its keys.
func jsKeyOrderGroups(groups []*sumGroup) []*sumGroup {
	keys := make([]string, len(groups))
	byKey := make(map[string]*sumGroup, len(groups))
	for i, g := range groups {
		keys[i] = g.key
		byKey[g.key] = g
	}
	out := make([]*sumGroup, len(groups))
	for i, k := range jsObjectKeyOrder(keys) {
		out[i] = byKey[k]
	}
	return out
}

func typedIdentity(v any, defined bool) groupIdentity {
	if !defined {
		return groupIdentity{kind: 'u'}
	}
	switch x := v.(type) {
	case nil:
		return groupIdentity{kind: 'n'}
	case bool:
		return groupIdentity{kind: 'b', text: jsToString(x)}
	case float64:
		return groupIdentity{kind: 'f', text: jsNumberString(x)}
	case string:
		return groupIdentity{kind: 's', text: x}
	}
	return groupIdentity{kind: 'o', text: condJSONText(v)}
}

// groupKeyString is String(value), "undefined" for a missing value.
func groupKeyString(v any, defined bool) string {
	if !defined {
		return "undefined"
	}
	return jsToString(v)
}

func isJSONObject(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

func isNumber(v any) bool {
	_, ok := v.(float64)
	return ok
}

// flatten appends one output item per leaf group, carrying the split-by
// values of its ancestors.
func (s *summarizeSpec) flatten(sp *sumSplit, prefix []splitValue, out *[]Item) {
	for _, g := range sp.groups {
		vals := append(append([]splitValue(nil), prefix...), splitValue{name: s.outName(sp.field), group: g})
		if g.sub != nil {
			s.flatten(g.sub, vals, out)
			continue
		}
		agg := s.aggregate(g.items)
		j := map[string]any{}
		if s.mode.grouping == groupObjectKeys {
			// {...previousStage, [field]: key, ...aggregations}
			for _, v := range vals {
				j[v.name] = v.group.value
			}
			for k, v := range agg {
				j[k] = v
			}
		} else {
			// The aggregations, then each split field from the innermost out.
			for k, v := range agg {
				j[k] = v
			}
			for i := len(vals) - 1; i >= 0; i-- {
				if vals[i].group.defined {
					j[vals[i].name] = vals[i].group.value
				} else {
					delete(j, vals[i].name)
				}
			}
		}
		it := NewItem(j)
		it.PairedItem = sumPaired(g.items)
		*out = append(*out, it)
	}
}

type splitValue struct {
	name  string
	group *sumGroup
}

// nested builds the single-item output: groups as nested objects keyed by
// their values.
func (s *summarizeSpec) nested(sp *sumSplit) map[string]any {
	out := map[string]any{}
	for _, g := range sp.groups {
		if g.sub != nil {
			out[g.key] = s.nested(g.sub)
		} else {
			out[g.key] = s.aggregate(g.items)
		}
	}
	return out
}

// aggregate computes every aggregation over items.
func (s *summarizeSpec) aggregate(items []sumItem) map[string]any {
	out := map[string]any{}
	for _, f := range s.fields {
		out[s.summaryName(f)] = NormalizeJSON(s.aggregateOne(items, f))
	}
	return out
}

type summaryValue struct {
	v       any
	defined bool
}

func (s *summarizeSpec) aggregateOne(items []sumItem, f SummarizeField) any {
	vals := make([]summaryValue, len(items))
	for i, it := range items {
		v, ok := lodashGet(it.json, f.Field, s.dotNotation)
		vals[i] = summaryValue{v, ok}
	}
	nonEmpty := func() []summaryValue {
		var out []summaryValue
		for _, fv := range vals {
			if !jsEmpty(fv.v, fv.defined) {
				out = append(out, fv)
			}
		}
		return out
	}
	numbers := func() []float64 {
		var out []float64
		for _, fv := range vals {
			if n, ok := fv.v.(float64); ok && fv.defined {
				out = append(out, n)
			}
		}
		return out
	}
	switch f.Aggregation {
	case "append":
		sel := vals
		if !f.IncludeEmpty {
			sel = nonEmpty()
		}
		list := make([]any, len(sel))
		for i, fv := range sel {
			list[i] = CloneJSON(fv.v)
		}
		return list
	case "concatenate":
		sel := vals
		if !f.IncludeEmpty {
			sel = nonEmpty()
		}
		sep := ","
		if f.SeparateBy != nil {
			sep = *f.SeparateBy
		}
		if sep == "other" {
			sep = f.CustomSeparator
		}
		parts := make([]string, len(sel))
		for i, fv := range sel {
			switch {
			case !fv.defined:
				parts[i] = "undefined"
			case fv.v == nil || isJSONObject(fv.v):
				parts[i] = condJSONText(fv.v)
			default:
				parts[i] = jsToString(fv.v)
			}
		}
		return strings.Join(parts, sep)
	case "average":
		nums := numbers()
		sum := 0.0
		for _, n := range nums {
			sum += n
		}
		return sum / float64(len(nums))
	case "sum":
		sum := 0.0
		for _, n := range numbers() {
			sum += n
		}
		return sum
	case "min", "max":
		if s.mode.mathMinMax {
			return mathMinMax(numbers(), f.Aggregation == "min")
		}
		var best summaryValue
		found := false
		for _, fv := range nonEmpty() {
			if !found {
				best, found = fv, true
				continue
			}
			if f.Aggregation == "min" && jsLess(fv.v, true, best.v, true) ||
				f.Aggregation == "max" && jsLess(best.v, true, fv.v, true) {
				best = fv
			}
		}
		if !found {
			return nil
		}
		return CloneJSON(best.v)
	case "countUnique":
		sel := vals
		if !(s.mode.emptyCounts && f.IncludeEmpty) {
			sel = nonEmpty()
		}
		seen := map[groupIdentity]bool{}
		objects := 0
		for _, fv := range sel {
			if fv.defined && isJSONObject(fv.v) {
				objects++
				continue
			}
			seen[typedIdentity(fv.v, fv.defined)] = true
		}
		return float64(len(seen) + objects)
	}
	if s.mode.emptyCounts && f.IncludeEmpty {
		return float64(len(vals))
	}
	return float64(len(nonEmpty()))
}

// mathMinMax is Item Lists 1 and 2's min and max: Math.min/Math.max over
// the number values (Infinity, so null, when there are none).
func mathMinMax(nums []float64, isMin bool) float64 {
	res := math.Inf(1)
	if !isMin {
		res = math.Inf(-1)
	}
	for _, n := range nums {
		if isMin && n < res || !isMin && n > res {
			res = n
		}
	}
	return res
}

// Execute implements Node.
func (Summarize) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	mode := summarizeMode{grouping: groupTyped, normalize: true, emptyCounts: true}
	if ctx.Node.TypeVersion < 1.1 {
		mode.grouping = groupString
	}
	spec, opts, err := summarizeSpecFrom(ctx, mode)
	if err != nil {
		return nil, err
	}
	if err := summarizeNeedsField(spec.fields); err != nil {
		return nil, err
	}
	items := firstInput(in)
	out := spec.summarize(items)
	if err := spec.checkFields(items); err != nil && ctx.Node.TypeVersion < 1.1 && !opts.ContinueIfFieldNotFound {
		return nil, err
	}
	return [][]Item{out}, nil
}

// summarizeNeedsField fails when no aggregation names a field.
func summarizeNeedsField(fields []SummarizeField) error {
	for _, f := range fields {
		if f.Field != "" {
			return nil
		}
	}
	return NewNodeError("You need to add at least one aggregation to 'Fields to Summarize' with non empty 'Field'")
}

var _ Node = Summarize{}
