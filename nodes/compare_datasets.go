package nodes

import (
	"slices"
	"strings"

	"github.com/weft/weft/nodes/expr"
)

// CompareDatasets is n8n's Compare Datasets node: it pairs the items of two
// inputs by matching fields and sorts them into four outputs: in A only,
// same, different, in B only.
type CompareDatasets struct{}

// CompareDatasetsParams are the Compare Datasets node's parameters.
type CompareDatasetsParams struct {
	MergeByFields struct {
		Values []FieldPair `json:"values" doc:"Pairs of fields, one from each input, whose values must match."`
	} `json:"mergeByFields" doc:"The fields to match items on."`
	Resolve       string `json:"resolve" doc:"What the Different output holds: preferInput1, preferInput2, mix or includeBoth (default preferInput2 before version 2.1, includeBoth since)."`
	FuzzyCompare  bool   `json:"fuzzyCompare" doc:"Version 2 on: tolerate small type differences (3 equals \"3\")."`
	PreferWhenMix string `json:"preferWhenMix" doc:"resolve mix: the input whose version is used (input1 or input2)."`
	ExceptWhenMix any    `json:"exceptWhenMix" doc:"resolve mix: comma-separated fields taken from the other input."`
	Options       struct {
		SkipFields         any    `json:"skipFields" doc:"Comma-separated fields not compared."`
		FuzzyCompare       bool   `json:"fuzzyCompare" doc:"Version 1: tolerate small type differences."`
		DisableDotNotation bool   `json:"disableDotNotation" doc:"Treat field names as plain keys instead of parent.child paths."`
		MultipleMatches    string `json:"multipleMatches" doc:"first (default) or all: how many input B items an input A item is paired with."`
	} `json:"options" doc:"Options."`
}

// FieldPair names a field of input 1 (A) and one of input 2 (B).
type FieldPair struct {
	Field1 string `json:"field1" doc:"The field of input 1 (A)."`
	Field2 string `json:"field2" doc:"The field of input 2 (B)."`
}

func init() { Register(CompareDatasets{}) }

// Describe implements Node.
func (CompareDatasets) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.compareDatasets",
		DisplayName: "Compare Datasets",
		Summary:     "Compares two inputs: items only in A, the same in both, different, only in B.",
		Versions:    []float64{1, 2, 2.1, 2.2, 2.3},
		Kind:        KindPure,
		Inputs:      func(*NodeInstance) int { return 2 },
		Outputs:     func(*NodeInstance) int { return 4 },
		Params:      CompareDatasetsParams{},
	}
}

// Validate implements Node.
func (CompareDatasets) Validate(n *NodeInstance) error {
	var p CompareDatasetsParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if err := validateFieldPairs(n.Parameters, "mergeByFields", p.MergeByFields.Values); err != nil {
		return err
	}
	switch p.Resolve {
	case "", "preferInput1", "preferInput2", "includeBoth":
	case "mix":
		switch p.PreferWhenMix {
		case "", "input1", "input2":
		default:
			return ParamErrorf("preferWhenMix", "%q is not one of input1, input2", p.PreferWhenMix)
		}
	default:
		return ParamErrorf("resolve", "%q is not one of preferInput1, preferInput2, mix, includeBoth", p.Resolve)
	}
	switch p.Options.MultipleMatches {
	case "", "first", "all":
	default:
		return ParamErrorf("options.multipleMatches", "%q is not one of first, all", p.Options.MultipleMatches)
	}
	if p.Options.DisableDotNotation {
		for _, f := range splitSkipFields(p.Options.SkipFields) {
			if strings.Contains(f, ".") {
				return ParamErrorf("options.skipFields", "dot notation is disabled, but field to skip comparing %q contains a dot", f)
			}
		}
	}
	return nil
}

// validateFieldPairs checks a fixedCollection of field1/field2 pairs at
// param.values.
func validateFieldPairs(params map[string]any, param string, pairs []FieldPair) error {
	raw, _ := lookupPath(params, param+".values")
	if expr.IsExpression(raw) || expr.IsExpression(params[param]) {
		return nil
	}
	list, _ := raw.([]any)
	if len(pairs) == 0 {
		return ParamErrorf(param, "define at least one pair of fields to match on")
	}
	for i, pr := range pairs {
		var rawPair map[string]any
		if i < len(list) {
			rawPair, _ = list[i].(map[string]any)
		}
		for _, f := range []struct{ name, v string }{{"field1", pr.Field1}, {"field2", pr.Field2}} {
			if f.v == "" && (rawPair == nil || !expr.IsExpression(rawPair[f.name])) {
				return ParamErrorf(param+".values["+itoa(i)+"]."+f.name, "both fields of pair %d must be set", i+1)
			}
		}
	}
	return nil
}

func splitSkipFields(v any) []string {
	if v == nil {
		return []string{""}
	}
	s, ok := v.(string)
	if !ok {
		return splitFieldList(v)
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Execute implements Node.
func (CompareDatasets) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	inputs := pairedInputs(in, 2)
	version := ctx.Node.TypeVersion
	p := CompareDatasetsParams{Resolve: "preferInput2", PreferWhenMix: "input1"}
	if version >= 2.1 {
		p.Resolve = "includeBoth"
	}
	p.Options.MultipleMatches = "first"
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	pairs := p.MergeByFields.Values
	if err := checkFieldPairs(pairs); err != nil {
		return nil, err
	}
	fuzzy := p.Options.FuzzyCompare
	if version >= 2 {
		fuzzy = p.FuzzyCompare
	}
	noDots := p.Options.DisableDotNotation
	input1 := dropEmptyItems(inputs[0])
	input2 := dropEmptyItems(inputs[1])
	if version < 2.2 {
		if len(input1) > 0 {
			if err := requireFieldsPresent(input1, pairs, true, noDots, "Input A"); err != nil {
				return nil, err
			}
		}
		if len(input2) > 0 {
			if err := requireFieldsPresent(input2, pairs, false, noDots, "Input B"); err != nil {
				return nil, err
			}
		}
	}
	c := datasetComparer{
		version:  version,
		resolve:  p.Resolve,
		fuzzy:    fuzzy,
		equal:    fuzzyComparer(fuzzy, version),
		noDots:   noDots,
		skip:     splitSkipFields(p.Options.SkipFields),
		pairs:    pairs,
		prefer:   p.PreferWhenMix,
		except:   p.ExceptWhenMix,
		multiple: p.Options.MultipleMatches,
	}
	return c.compare(input1, input2)
}

// checkFieldPairs is n8n's checkMatchFieldsInput.
func checkFieldPairs(pairs []FieldPair) error {
	if len(pairs) == 0 || (len(pairs) == 1 && pairs[0].Field1 == "" && pairs[0].Field2 == "") {
		return NewNodeError(`You need to define at least one pair of fields in "Fields to Match" to match on`)
	}
	for i, pr := range pairs {
		if pr.Field1 == "" || pr.Field2 == "" {
			return NewNodeError("You need to define both fields in \"Fields to Match\" for pair %d,\n field 1 = '%s'\n field 2 = '%s'", i+1, pr.Field1, pr.Field2)
		}
	}
	return nil
}

// dropEmptyItems leaves out items whose json is empty.
func dropEmptyItems(items []Item) []Item {
	out := make([]Item, 0, len(items))
	for _, it := range items {
		if len(it.JSON) > 0 {
			out = append(out, it)
		}
	}
	return out
}

// requireFieldsPresent fails when a match field is absent from every item
// (n8n's checkInput; Compare Datasets skips it for an empty input).
func requireFieldsPresent(items []Item, pairs []FieldPair, first, noDots bool, label string) error {
	for _, pr := range pairs {
		field := pr.Field2
		if first {
			field = pr.Field1
		}
		present := false
		for _, it := range items {
			if noDots {
				_, present = it.JSON[field]
			} else {
				present = !isUndef(loGet(it.JSON, field))
			}
			if present {
				break
			}
		}
		if !present {
			return NewNodeError("Field '%s' is not present in any of items in '%s'", field, label)
		}
	}
	return nil
}

// fieldLookup is the values an input-1 item needs in input 2, keyed by the
// input-2 field (later pairs naming the same field win, as in n8n).
type fieldLookup struct {
	fields []string
	values []any
}

func (l *fieldLookup) set(field string, v any) {
	if i := slices.Index(l.fields, field); i >= 0 {
		l.values[i] = v
		return
	}
	l.fields = append(l.fields, field)
	l.values = append(l.values, v)
}

func lookupFor(it Item, pairs []FieldPair, noDots bool) (fieldLookup, bool) {
	var l fieldLookup
	for _, pr := range pairs {
		l.set(pr.Field2, fieldValue(it.JSON, pr.Field1, noDots))
	}
	for _, v := range l.values {
		if isUndef(v) {
			return l, false
		}
	}
	return l, true
}

// matchByFields finds, for each input-1 item, the indexes of the input-2
// items whose fields equal its own (none when one of its fields is
// missing), all of them or the first only, and reports which input-2 items
// matched some input-1 item (n8n's findMatches, shared by Merge and Compare
// Datasets).
func matchByFields(input1, input2 []Item, pairs []FieldPair, noDots bool, equal func(a, b any) bool, all bool) (found [][]int, used []bool) {
	found = make([][]int, len(input1))
	used = make([]bool, len(input2))
	for e, entry := range input1 {
		l, ok := lookupFor(entry, pairs, noDots)
		if !ok {
			continue
		}
		found[e] = findMatchesIn(input2, l, noDots, equal, all)
		for _, i := range found[e] {
			used[i] = true
		}
	}
	return found, used
}

// findMatchesIn returns the indexes of input-2 items matching a lookup: all
// of them, or the first only.
func findMatchesIn(items []Item, l fieldLookup, noDots bool, equal func(a, b any) bool, all bool) []int {
	var out []int
	for i, it := range items {
		ok := true
		for k, f := range l.fields {
			if !equal(l.values[k], fieldValue(it.JSON, f, noDots)) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
			if !all {
				break
			}
		}
	}
	return out
}

type datasetComparer struct {
	version  float64
	resolve  string
	fuzzy    bool
	equal    func(a, b any) bool
	noDots   bool
	skip     []string
	pairs    []FieldPair
	prefer   string
	except   any
	multiple string
}

func (c *datasetComparer) compare(input1, input2 []Item) ([][]Item, error) {
	if c.noDots {
		for _, f := range c.skip {
			if strings.Contains(f, ".") {
				return nil, NewNodeError("Dot notation is disabled, but field to skip comparing '%s' contains dot", f)
			}
		}
	}
	type matched struct {
		entry   Item
		matches []Item
	}
	var all []matched
	onlyA, onlyB := []Item{}, []Item{}
	found, used := matchByFields(input1, input2, c.pairs, c.noDots, c.equal, c.multiple == "all")
	for e, entry := range input1 {
		if len(found[e]) == 0 {
			onlyA = append(onlyA, entry)
			continue
		}
		m := matched{entry: entry}
		for _, i := range found[e] {
			m.matches = append(m.matches, input2[i])
		}
		all = append(all, m)
	}
	for i, it := range input2 {
		if !used[i] {
			onlyB = append(onlyB, it)
		}
	}
	same, different := []Item{}, []Item{}
	skipDots := slices.ContainsFunc(c.skip, func(f string) bool { return strings.Contains(f, ".") })
	for _, m := range all {
		var sameItem *Item
		for _, match := range m.matches {
			a, b := m.entry.JSON, match.JSON
			if len(c.skip) > 0 {
				a, b = CloneJSON(a).(map[string]any), CloneJSON(b).(map[string]any)
				for _, f := range c.skip {
					if c.noDots || !skipDots {
						delete(a, f)
						delete(b, f)
					} else {
						loUnset(a, f)
						loUnset(b, f)
					}
				}
			}
			equalItems := true
			if c.fuzzy {
				for k, v := range a {
					w, ok := b[k]
					if !ok {
						w = undef
					}
					if !c.equal(v, w) {
						equalItems = false
						break
					}
				}
			} else {
				equalItems = jsEqual(a, b)
			}
			if equalItems {
				if sameItem == nil {
					if c.fuzzy && c.resolve == "preferInput2" {
						sameItem = &match
					} else {
						sameItem = &m.entry
					}
				}
				continue
			}
			switch c.resolve {
			case "preferInput1":
				different = append(different, m.entry)
			case "preferInput2":
				different = append(different, match)
			case "mix":
				different = append(different, c.combine(m.entry, match))
			default:
				it, err := c.describeDifferences(m.entry, match)
				if err != nil {
					return nil, err
				}
				different = append(different, it)
			}
		}
		if sameItem != nil {
			same = append(same, *sameItem)
		}
	}
	return [][]Item{onlyA, same, different, onlyB}, nil
}

// combine is resolve=mix: one input's version with the except fields taken
// from the other.
func (c *datasetComparer) combine(item1, item2 Item) Item {
	entry, match := item2, item1
	if c.prefer == "input1" {
		entry, match = item1, item2
	}
	out := entry
	out.JSON = CloneJSON(entry.JSON).(map[string]any)
	for _, field := range splitSkipFields(c.except) {
		if c.except == nil || c.except == "" {
			break
		}
		if c.noDots {
			if v, ok := match.JSON[field]; ok {
				out.JSON[field] = CloneJSON(v)
			} else {
				delete(out.JSON, field)
			}
			continue
		}
		// n8n first copies the field as a plain key, then sets the path
		// to the other input's value or null when that is falsy.
		if v, ok := match.JSON[field]; ok {
			out.JSON[field] = CloneJSON(v)
		} else {
			delete(out.JSON, field)
		}
		v := loGet(match.JSON, field)
		if !jsTruthy(v) {
			v = nil
		}
		loSet(out.JSON, field, CloneJSON(v))
	}
	return out
}

// jsTruthy is JavaScript's truthiness for JSON values.
func jsTruthy(v any) bool {
	switch x := v.(type) {
	case nil, jsUndefined:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && x == x
	case string:
		return x != ""
	}
	return true
}

// describeDifferences is resolve=includeBoth: an item listing the match
// keys, the fields that are the same and, per differing field, both
// versions.
func (c *datasetComparer) describeDifferences(item1, item2 Item) (Item, error) {
	keys := map[string]any{}
	for _, pr := range c.pairs {
		if v, ok := item1.JSON[pr.Field1]; ok {
			keys[pr.Field1] = CloneJSON(v)
		}
	}
	keys1, keys2 := sortedKeys(item1.JSON), sortedKeys(item2.JSON)
	union := append([]string(nil), keys1...)
	for _, k := range keys2 {
		if !slices.Contains(union, k) {
			union = append(union, k)
		}
	}
	toCompare := union
	if !(c.fuzzy && c.version >= 2.1) {
		toCompare = nil
		for _, k := range keys1 {
			if _, ok := item2.JSON[k]; ok {
				toCompare = append(toCompare, k)
			}
		}
	}
	get := func(m map[string]any, k string) any {
		if v, ok := m[k]; ok {
			return v
		}
		return undef
	}
	nullish := func(v any) any {
		if c.version >= 2 {
			if isUndef(v) {
				return nil
			}
			return CloneJSON(v)
		}
		if !jsTruthy(v) {
			return nil
		}
		return CloneJSON(v)
	}
	same := map[string]any{}
	for _, k := range toCompare {
		if c.equal(get(item1.JSON, k), get(item2.JSON, k)) {
			if v := get(item1.JSON, k); !isUndef(v) {
				same[k] = CloneJSON(v)
			} else {
				same[k] = nil
			}
		}
	}
	nameA, nameB := "input1", "input2"
	if c.version >= 2 {
		nameA, nameB = "inputA", "inputB"
	}
	different := map[string]any{}
	skipped := map[string]any{}
	i := 0
	for _, k := range union {
		if _, ok := same[k]; ok {
			continue
		}
		in1, in2 := nullish(get(item1.JSON, k)), nullish(get(item2.JSON, k))
		switch c.resolve {
		case "preferInput1":
			different[k] = in1
		case "preferInput2":
			different[k] = in2
		default:
			if c.version >= 2.1 && !c.noDots && !slices.Contains(c.skip, k) {
				var nested []string
				for _, f := range c.skip {
					if strings.HasPrefix(f, k) && strings.Contains(f, ".") {
						nested = append(nested, f)
					}
				}
				if len(nested) > 0 && (!isJSObjectOrNull(in1) || !isJSObjectOrNull(in2)) {
					return Item{}, NewNodeError("The field '%s' in item %d is not an object. It is not possible to use dot notation.", k, i)
				}
				if len(nested) > 0 {
					if _, ok := skipped[k]; !ok {
						skipped[k] = map[string]any{nameA: map[string]any{}, nameB: map[string]any{}}
					}
					sk := skipped[k].(map[string]any)
					for _, f := range nested {
						sub := strings.Replace(f, k+".", "", 1)
						setKeepingPath(sk[nameA].(map[string]any), sub, loGet(in1, sub))
						setKeepingPath(sk[nameB].(map[string]any), sub, loGet(in2, sub))
						loUnset(in1, sub)
						loUnset(in2, sub)
					}
				}
				different[k] = map[string]any{nameA: in1, nameB: in2}
			} else if slices.Contains(c.skip, k) {
				skipped[k] = map[string]any{nameA: in1, nameB: in2}
			} else {
				different[k] = map[string]any{nameA: in1, nameB: in2}
			}
		}
		i++
	}
	out := map[string]any{"keys": keys, "same": same, "different": different}
	if len(skipped) > 0 {
		out["skipped"] = skipped
	}
	return Item{JSON: out}, nil
}

// isJSObjectOrNull is typeof v === 'object'.
func isJSObjectOrNull(v any) bool { return jsTypeof(v) == "object" }

// setKeepingPath is lodash's set with a value that may be undefined: the
// intermediate objects are created even when the value itself is not.
func setKeepingPath(m map[string]any, p string, v any) {
	if !isUndef(v) {
		loSet(m, p, CloneJSON(v))
		return
	}
	keys := castPath(m, p)
	cur := m
	for _, k := range keys[:max(len(keys)-1, 0)] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
}

var _ Node = CompareDatasets{}
