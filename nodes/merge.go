package nodes

import (
	"strconv"
	"strings"

	"github.com/weft/weft/nodes/expr"
)

// Merge is n8n's Merge node (versions 2, 2.1, 3, 3.1, 3.2): it appends its
// inputs, combines their items (by matching fields, by position, or every
// pairing), or passes on the data of one chosen input.
//
// Whether Merge runs at all when an input has no data is the interpreter's
// decision (n8n's requiredInputs): in chooseBranch mode it needs data on
// inputs 1 and 2, otherwise data on one input suffices; Execute is given []
// for inputs that received nothing.
type Merge struct{}

// MergeParams are the Merge node's parameters (both versions' names).
type MergeParams struct {
	Mode         string `json:"mode" doc:"append (default), combine, chooseBranch; combineBySql (version 3) is not supported."`
	NumberInputs any    `json:"numberInputs" doc:"Version 3: how many inputs the node has, 2 to 10 (default 2)."`
	CombineBy    string `json:"combineBy" doc:"Version 3, mode combine: combineByFields (default), combineByPosition or combineAll."`
	// CombinationMode is version 2's combineBy.
	CombinationMode     string `json:"combinationMode" doc:"Version 2, mode combine: mergeByFields (default), mergeByPosition or multiplex."`
	JoinMode            string `json:"joinMode" doc:"Matching fields: keepMatches (default), keepNonMatches, keepEverything, enrichInput1 or enrichInput2."`
	Advanced            bool   `json:"advanced" doc:"Version 3: match fields with different names in the two inputs (mergeByFields) instead of fieldsToMatchString."`
	FieldsToMatchString any    `json:"fieldsToMatchString" doc:"Version 3: comma-separated fields whose values must match in both inputs."`
	MergeByFields       struct {
		Values []FieldPair `json:"values" doc:"Pairs of an input 1 field and an input 2 field that must match."`
	} `json:"mergeByFields" doc:"Fields to match (version 2, or version 3 with advanced)."`
	OutputDataFrom   string       `json:"outputDataFrom" doc:"keepMatches and keepNonMatches: both (default), input1 or input2."`
	ChooseBranchMode string       `json:"chooseBranchMode" doc:"Mode chooseBranch: waitForAll (version 3) or waitForBoth (version 2)."`
	Output           string       `json:"output" doc:"Mode chooseBranch: version 3 specifiedInput (default) or empty; version 2 input1 (default), input2 or empty."`
	UseDataOfInput   any          `json:"useDataOfInput" doc:"Version 3, output specifiedInput: the number of the input whose items are output (default 1)."`
	Options          MergeOptions `json:"options" doc:"Options."`
}

// MergeOptions are the Merge node's options.
type MergeOptions struct {
	ClashHandling struct {
		Values ClashHandling `json:"values" doc:"How clashing fields are resolved."`
	} `json:"clashHandling" doc:"What to do when the inputs have fields of the same name."`
	DisableDotNotation bool   `json:"disableDotNotation" doc:"Treat match field names as plain keys instead of parent.child paths."`
	FuzzyCompare       bool   `json:"fuzzyCompare" doc:"Tolerate small type differences when matching (3 equals \"3\")."`
	IncludeUnpaired    bool   `json:"includeUnpaired" doc:"Combine by position: keep the items that have no partner in a shorter input."`
	MultipleMatches    string `json:"multipleMatches" doc:"Matching fields: all (default) outputs one item per match, first only the first match."`
}

// ClashHandling resolves fields present in several inputs.
type ClashHandling struct {
	ResolveClash  string `json:"resolveClash" doc:"addSuffix, preferInput1, preferLast (version 3; input 2 wins) or preferInput2 (version 2); preferInputN by position. Default: the last input wins."`
	MergeMode     string `json:"mergeMode" doc:"deepMerge (default) merges nested objects, shallowMerge takes top-level fields whole."`
	OverrideEmpty bool   `json:"overrideEmpty" doc:"Let a non-empty value win over the preferred input's null, undefined or \"\"."`
}

func init() { Register(Merge{}) }

// Describe implements Node.
func (Merge) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.merge",
		DisplayName: "Merge",
		Summary:     "Merges the data of several inputs once it is available: append, combine or choose a branch.",
		Versions:    []float64{2, 2.1, 3, 3.1, 3.2},
		Kind:        KindPure,
		Inputs:      mergeInputCount,
		// n8n's requiredInputs: chooseBranch needs data on inputs 1 and 2,
		// any other mode data on one input.
		RequiredInputs: func(n *NodeInstance) []int {
			if n.Parameters["mode"] == "chooseBranch" {
				return []int{0, 1}
			}
			return nil
		},
		Params: MergeParams{},
	}
}

// mergeInputCount is numberInputs for version 3 (default 2), 2 before.
func mergeInputCount(n *NodeInstance) int {
	if n.TypeVersion < 3 {
		return 2
	}
	if v, ok := toNumberParam(n.Parameters["numberInputs"]); ok && v >= 2 && v <= 10 && v == float64(int(v)) {
		return int(v)
	}
	return 2
}

// Validate implements Node.
func (Merge) Validate(n *NodeInstance) error {
	var p MergeParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	v3 := n.TypeVersion >= 3
	inputs := 2
	if v3 && n.Parameters["numberInputs"] != nil {
		f, ok := toNumberParam(n.Parameters["numberInputs"])
		if !ok || f < 2 || f > 10 || f != float64(int(f)) {
			return ParamErrorf("numberInputs", "must be a whole number from 2 to 10, got %v", n.Parameters["numberInputs"])
		}
		inputs = int(f)
	}
	switch p.Mode {
	case "", "append":
	case "combine":
		if v3 {
			switch p.CombineBy {
			case "", "combineByFields":
				if err := validateMatchFields(n, p, true); err != nil {
					return err
				}
			case "combineByPosition", "combineAll":
			default:
				return ParamErrorf("combineBy", "%q is not one of combineByFields, combineByPosition, combineAll", p.CombineBy)
			}
		} else {
			switch p.CombinationMode {
			case "", "mergeByFields":
				if err := validateMatchFields(n, p, false); err != nil {
					return err
				}
			case "mergeByPosition", "multiplex":
			default:
				return ParamErrorf("combinationMode", "%q is not one of mergeByFields, mergeByPosition, multiplex", p.CombinationMode)
			}
		}
	case "chooseBranch":
		if v3 {
			if p.ChooseBranchMode != "" && p.ChooseBranchMode != "waitForAll" {
				return ParamErrorf("chooseBranchMode", "%q is not waitForAll", p.ChooseBranchMode)
			}
			switch p.Output {
			case "", "specifiedInput":
				if p.UseDataOfInput != nil {
					f, ok := toNumberParam(p.UseDataOfInput)
					if !ok || f < 1 || f > float64(inputs) || f != float64(int(f)) {
						return ParamErrorf("useDataOfInput", "input %v doesn't exist: the node has %d inputs", p.UseDataOfInput, inputs)
					}
				}
			case "empty":
			default:
				return ParamErrorf("output", "%q is not one of specifiedInput, empty", p.Output)
			}
		} else {
			if p.ChooseBranchMode != "" && p.ChooseBranchMode != "waitForBoth" {
				return ParamErrorf("chooseBranchMode", "%q is not waitForBoth", p.ChooseBranchMode)
			}
			switch p.Output {
			case "", "input1", "input2", "empty":
			default:
				return ParamErrorf("output", "%q is not one of input1, input2, empty", p.Output)
			}
		}
	case "combineBySql":
		if v3 {
			return ParamErrorf("mode", "the SQL Query mode (combineBySql) is not supported by weft; use append or combine")
		}
		return ParamErrorf("mode", "%q is not one of append, combine, chooseBranch", p.Mode)
	default:
		if v3 {
			return ParamErrorf("mode", "%q is not one of append, combine, chooseBranch, combineBySql", p.Mode)
		}
		return ParamErrorf("mode", "%q is not one of append, combine, chooseBranch", p.Mode)
	}
	c := p.Options.ClashHandling.Values
	if c.ResolveClash != "" && !validResolveClash(c.ResolveClash, v3, inputs) {
		want := "addSuffix, preferInput1, preferInput2"
		if v3 {
			want = "addSuffix, preferInput1, preferLast"
		}
		return ParamErrorf("options.clashHandling.values.resolveClash", "%q is not one of %s", c.ResolveClash, want)
	}
	switch c.MergeMode {
	case "", "deepMerge", "shallowMerge":
	default:
		return ParamErrorf("options.clashHandling.values.mergeMode", "%q is not one of deepMerge, shallowMerge", c.MergeMode)
	}
	switch p.Options.MultipleMatches {
	case "", "all", "first":
	default:
		return ParamErrorf("options.multipleMatches", "%q is not one of all, first", p.Options.MultipleMatches)
	}
	return nil
}

func validResolveClash(r string, v3 bool, inputs int) bool {
	switch r {
	case "addSuffix", "preferInput1":
		return true
	case "preferLast":
		return v3
	case "preferInput2":
		return true
	}
	if v3 && strings.HasPrefix(r, "preferInput") {
		n, err := strconv.Atoi(strings.TrimPrefix(r, "preferInput"))
		return err == nil && n >= 1 && n <= inputs
	}
	return false
}

func validateMatchFields(n *NodeInstance, p MergeParams, v3 bool) error {
	switch p.JoinMode {
	case "", "keepMatches", "keepNonMatches", "keepEverything", "enrichInput1", "enrichInput2":
	default:
		return ParamErrorf("joinMode", "%q is not one of keepMatches, keepNonMatches, keepEverything, enrichInput1, enrichInput2", p.JoinMode)
	}
	switch p.OutputDataFrom {
	case "", "both", "input1", "input2":
	default:
		return ParamErrorf("outputDataFrom", "%q is not one of both, input1, input2", p.OutputDataFrom)
	}
	if v3 && !p.Advanced {
		if expr.IsExpression(n.Parameters["fieldsToMatchString"]) {
			return nil
		}
		if len(splitFieldList(p.FieldsToMatchString)) == 0 {
			return ParamErrorf("fieldsToMatchString", "define at least one field to match on")
		}
		return nil
	}
	return validateFieldPairs(n.Parameters, "mergeByFields", p.MergeByFields.Values)
}

// Execute implements Node.
func (Merge) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	v3 := ctx.Node.TypeVersion >= 3
	p := MergeParams{Mode: "append", CombineBy: "combineByFields", CombinationMode: "mergeByFields",
		JoinMode: "keepMatches", OutputDataFrom: "both", UseDataOfInput: 1.0}
	if v3 {
		p.ChooseBranchMode, p.Output = "waitForAll", "specifiedInput"
	} else {
		p.ChooseBranchMode, p.Output = "waitForBoth", "input1"
	}
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	nIn := 2
	if v3 {
		nIn = mergeInputCount(ctx.Node)
	}
	inputs := pairedInputs(in, nIn)[:nIn]
	m := merger{version: ctx.Node.TypeVersion, p: p}
	switch p.Mode {
	case "append":
		var out []Item
		for _, items := range inputs {
			out = append(out, items...)
		}
		return outputOf(out), nil
	case "combine":
		by := p.CombineBy
		if !v3 {
			by = map[string]string{"mergeByFields": "combineByFields", "mergeByPosition": "combineByPosition", "multiplex": "combineAll"}[p.CombinationMode]
		}
		switch by {
		case "combineByFields":
			return m.combineByFields(inputs)
		case "combineByPosition":
			if v3 {
				return m.combineByPosition(inputs)
			}
			return m.mergeByPositionV2(inputs)
		case "combineAll":
			return m.combineAll(inputs)
		}
		if v3 {
			return nil, NewNodeError("Unknown combine mode %q", p.CombineBy)
		}
		return nil, NewNodeError("Unknown combination mode %q", p.CombinationMode)
	case "chooseBranch":
		return m.chooseBranch(inputs)
	case "combineBySql":
		return nil, NewNodeError("The SQL Query mode of the Merge node is not supported")
	}
	return nil, NewNodeError("Unknown mode %q", p.Mode)
}

func outputOf(items []Item) [][]Item {
	if items == nil {
		items = []Item{}
	}
	return [][]Item{items}
}

type merger struct {
	version float64
	p       MergeParams
}

// clash returns the clash options with n8n's spelling normalised: "" when
// not set, "last" for the last input winning.
func (m merger) clash() ClashHandling {
	c := m.p.Options.ClashHandling.Values
	if c.ResolveClash == "preferLast" || (m.version < 3 && c.ResolveClash == "preferInput2") {
		c.ResolveClash = "last"
	}
	return c
}

// mergeFunc is n8n's selectMergeMethod: how several JSON objects become one.
func mergeFunc(c ClashHandling) func(objs ...map[string]any) map[string]any {
	var cust mergeCustomizer
	if c.OverrideEmpty {
		cust = keepUnlessEmpty
	}
	if c.MergeMode == "shallowMerge" {
		return func(objs ...map[string]any) map[string]any { return loAssign(map[string]any{}, cust, objs...) }
	}
	return func(objs ...map[string]any) map[string]any { return loMerge(map[string]any{}, cust, objs...) }
}

// withSuffix returns copies of items whose json keys end in _suffix.
func withSuffix(items []Item, suffix string) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		j := make(map[string]any, len(it.JSON))
		for k, v := range it.JSON {
			j[k+"_"+suffix] = CloneJSON(v)
		}
		it.JSON = j
		out[i] = it
	}
	return out
}

func jsonsOf(items []Item) []map[string]any {
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = it.JSON
	}
	return out
}

func binariesOf(items []Item) []map[string]*Binary {
	out := make([]map[string]*Binary, len(items))
	for i, it := range items {
		out[i] = it.Binary
	}
	return out
}

func pairedOf(items ...Item) PairedItems {
	var out PairedItems
	for _, it := range items {
		out = append(out, it.PairedItem...)
	}
	return out
}

// --- combine by matching fields ---

type entryMatches struct {
	entry   Item
	matches []Item
}

type fieldMatches struct {
	matched    []entryMatches
	matched2   []Item
	unmatched1 []Item
	unmatched2 []Item
}

func (m merger) matchFields() ([]FieldPair, error) {
	var pairs []FieldPair
	if m.version >= 3 && !m.p.Advanced {
		raw := ""
		switch x := m.p.FieldsToMatchString.(type) {
		case string:
			raw = x
		case nil:
		default:
			raw = jsToString(x)
		}
		for _, f := range strings.Split(raw, ",") {
			f = strings.TrimSpace(f)
			pairs = append(pairs, FieldPair{Field1: f, Field2: f})
		}
	} else {
		pairs = m.p.MergeByFields.Values
		if m.version < 3 && pairs == nil {
			pairs = []FieldPair{{}}
		}
	}
	if len(pairs) == 1 && pairs[0].Field1 == "" && pairs[0].Field2 == "" {
		return nil, NewNodeError(`You need to define at least one pair of fields in "Fields to Match" to match on`)
	}
	for i, pr := range pairs {
		if pr.Field1 == "" || pr.Field2 == "" {
			return nil, NewNodeError("You need to define both fields in \"Fields to Match\" for pair %d,\n field 1 = '%s'\n field 2 = '%s'", i+1, pr.Field1, pr.Field2)
		}
	}
	return pairs, nil
}

func (m merger) combineByFields(inputs [][]Item) ([][]Item, error) {
	pairs, err := m.matchFields()
	if err != nil {
		return nil, err
	}
	join := m.p.JoinMode
	from := "both"
	if join == "keepMatches" || join == "keepNonMatches" {
		from = m.p.OutputDataFrom
	}
	opts := m.p.Options
	input1, input2 := inputs[0], inputs[1]
	if m.version < 2.1 {
		if err := requireFieldsPresent(input1, pairs, true, opts.DisableDotNotation, "Input 1"); err != nil {
			return nil, err
		}
		if err := requireFieldsPresent(input2, pairs, false, opts.DisableDotNotation, "Input 2"); err != nil {
			return nil, err
		}
	}
	if len(input1) == 0 || len(input2) == 0 {
		switch {
		case len(input1) == 0 && join == "keepNonMatches" && from == "input1",
			len(input2) == 0 && join == "keepNonMatches" && from == "input2":
			return outputOf(nil), nil
		case join == "keepMatches",
			join == "enrichInput1" && len(input1) == 0,
			join == "enrichInput2" && len(input2) == 0:
			return outputOf(nil), nil
		}
		return outputOf(append(append([]Item{}, input1...), input2...)), nil
	}
	if len(pairs) == 0 {
		if join == "keepMatches" || join == "keepEverything" || join == "enrichInput2" {
			return outputOf(nil), nil
		}
		return outputOf(input1), nil
	}
	fm := findFieldMatches(input1, input2, pairs, opts, join, from)
	clash := m.clash()
	var out []Item
	switch join {
	case "keepMatches", "keepEverything":
		switch from {
		case "input1":
			for _, e := range fm.matched {
				out = append(out, e.entry)
			}
		case "input2":
			out = append(out, fm.matched2...)
		case "both":
			out = mergeMatched(fm.matched, clash, join)
		}
		if join == "keepEverything" {
			u1, u2 := fm.unmatched1, fm.unmatched2
			if clash.ResolveClash == "addSuffix" {
				u1, u2 = withSuffix(u1, "1"), withSuffix(u2, "2")
			}
			out = append(append(out, u1...), u2...)
		}
	case "keepNonMatches":
		switch from {
		case "input1":
			return outputOf(fm.unmatched1), nil
		case "input2":
			return outputOf(fm.unmatched2), nil
		case "both":
			out = append(withSource(fm.unmatched1, "input1"), withSource(fm.unmatched2, "input2")...)
		}
	case "enrichInput1", "enrichInput2":
		out = mergeMatched(fm.matched, clash, join)
		rest := fm.unmatched1
		suffix := "1"
		if join == "enrichInput2" {
			rest, suffix = fm.unmatched2, "2"
		}
		if clash.ResolveClash == "addSuffix" {
			rest = withSuffix(rest, suffix)
		}
		out = append(out, rest...)
	default:
		return nil, NewNodeError("Unknown output type %q", join)
	}
	return outputOf(out), nil
}

func withSource(items []Item, source string) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		j := make(map[string]any, len(it.JSON)+1)
		for k, v := range it.JSON {
			j[k] = CloneJSON(v)
		}
		j["_source"] = source
		it.JSON = j
		out[i] = it
	}
	return out
}

// findFieldMatches pairs each input-1 item with the input-2 items whose
// fields match.
func findFieldMatches(input1, input2 []Item, pairs []FieldPair, opts MergeOptions, join, from string) fieldMatches {
	equal := fuzzyComparer(opts.FuzzyCompare, 1)
	all := opts.MultipleMatches != "first"
	var fm fieldMatches
	found, used := matchByFields(input1, input2, pairs, opts.DisableDotNotation, equal, all)
	for e, entry := range input1 {
		if len(found[e]) == 0 {
			fm.unmatched1 = append(fm.unmatched1, entry)
			continue
		}
		var matches []Item
		for _, i := range found[e] {
			matches = append(matches, input2[i])
		}
		if from == "both" || join == "enrichInput1" || join == "enrichInput2" {
			for _, mt := range matches {
				fm.matched = append(fm.matched, entryMatches{entry: entry, matches: []Item{mt}})
			}
		} else {
			fm.matched = append(fm.matched, entryMatches{entry: entry, matches: matches})
		}
	}
	for i, it := range input2 {
		if used[i] {
			fm.matched2 = append(fm.matched2, it)
		} else {
			fm.unmatched2 = append(fm.unmatched2, it)
		}
	}
	return fm
}

// mergeMatched merges each input-1 item with its matches. Without a clash
// setting the input-2 version wins, except for enrichInput2 where input 1's
// does.
func mergeMatched(matched []entryMatches, c ClashHandling, join string) []Item {
	resolve := c.ResolveClash
	if resolve == "" {
		resolve = "last"
		if join == "enrichInput2" {
			resolve = "preferInput1"
		}
	}
	merge := mergeFunc(c)
	out := make([]Item, 0, len(matched))
	for _, mt := range matched {
		entry, matches := mt.entry, mt.matches
		var it Item
		switch resolve {
		case "addSuffix":
			entry = withSuffix([]Item{entry}, "1")[0]
			matches = withSuffix(matches, "2")
			it.JSON = merge(append([]map[string]any{entry.JSON}, jsonsOf(matches)...)...)
			it.Binary = mergeBinary(append([]map[string]*Binary{entry.Binary}, binariesOf(matches)...)...)
			it.PairedItem = pairedOf(append([]Item{entry}, matches...)...)
		case "preferInput1":
			order := append(append([]Item{}, matches...), entry)
			it.JSON = merge(jsonsOf(order)...)
			it.Binary = mergeBinary(binariesOf(order)...)
			it.PairedItem = pairedOf(order...)
		case "last":
			order := append([]Item{entry}, matches...)
			it.JSON = merge(jsonsOf(order)...)
			it.Binary = mergeBinary(binariesOf(order)...)
			it.PairedItem = pairedOf(order...)
		default:
			// n8n produces an empty item for a clash option it does not
			// know (only reachable through an expression).
			it.JSON = map[string]any{}
		}
		out = append(out, it)
	}
	return out
}

// --- combine by position ---

func (m merger) combineByPosition(inputs [][]Item) ([][]Item, error) {
	c := m.clash()
	preferred := len(inputs) - 1
	if strings.Contains(c.ResolveClash, "preferInput") {
		n, err := strconv.Atoi(strings.TrimPrefix(c.ResolveClash, "preferInput"))
		if err != nil || n < 1 || n > len(inputs) {
			return nil, NewNodeError("Input %s doesn't exist", strings.TrimPrefix(c.ResolveClash, "preferInput"))
		}
		preferred = n - 1
	}
	// As in n8n, the preferred input is taken before the suffixes are added,
	// so with addSuffix the last input's fields also appear unsuffixed.
	pref := inputs[preferred]
	if c.ResolveClash == "addSuffix" {
		suffixed := make([][]Item, len(inputs))
		for i, items := range inputs {
			suffixed[i] = withSuffix(items, strconv.Itoa(i+1))
		}
		inputs = suffixed
	}
	num := len(pref)
	for _, items := range inputs {
		if m.p.Options.IncludeUnpaired {
			num = max(num, len(items))
		} else {
			num = min(num, len(items))
		}
	}
	if num == 0 && !m.p.Options.IncludeUnpaired {
		return outputOf(nil), nil
	}
	merge := mergeFunc(c)
	out := make([]Item, 0, num)
	for i := 0; i < num; i++ {
		var entries []Item
		for _, items := range inputs {
			if i < len(items) {
				entries = append(entries, items[i])
			} else {
				entries = append(entries, Item{})
			}
		}
		pe := Item{}
		if i < len(pref) {
			pe = pref[i]
		}
		all := append(entries, pe)
		objs := make([]map[string]any, 0, len(all))
		for _, e := range all {
			if e.JSON != nil {
				objs = append(objs, e.JSON)
			}
		}
		out = append(out, Item{
			JSON:       merge(objs...),
			Binary:     mergeBinary(binariesOf(all)...),
			PairedItem: pairedOf(all...),
		})
	}
	return outputOf(out), nil
}

// mergeByPositionV2 is version 2's mergeByPosition.
func (m merger) mergeByPositionV2(inputs [][]Item) ([][]Item, error) {
	input1, input2 := inputs[0], inputs[1]
	if len(input1) == 0 || len(input2) == 0 {
		return outputOf(append(append([]Item{}, input1...), input2...)), nil
	}
	c := m.clash()
	if c.ResolveClash == "preferInput1" {
		input1, input2 = input2, input1
	}
	if c.ResolveClash == "addSuffix" {
		input1, input2 = withSuffix(input1, "1"), withSuffix(input2, "2")
	}
	num := min(len(input1), len(input2))
	if m.p.Options.IncludeUnpaired {
		num = max(len(input1), len(input2))
	}
	merge := mergeFunc(c)
	out := make([]Item, 0, num)
	for i := 0; i < num; i++ {
		switch {
		case i >= len(input1):
			out = append(out, input2[i])
		case i >= len(input2):
			out = append(out, input1[i])
		default:
			e1, e2 := input1[i], input2[i]
			out = append(out, Item{JSON: merge(e1.JSON, e2.JSON), Binary: mergeBinary(e1.Binary, e2.Binary), PairedItem: pairedOf(e1, e2)})
		}
	}
	return outputOf(out), nil
}

// --- all combinations ---

func (m merger) combineAll(inputs [][]Item) ([][]Item, error) {
	c := m.clash()
	input1, input2 := inputs[0], inputs[1]
	if c.ResolveClash == "preferInput1" {
		input1, input2 = input2, input1
	}
	if c.ResolveClash == "addSuffix" {
		input1, input2 = withSuffix(input1, "1"), withSuffix(input2, "2")
	}
	merge := mergeFunc(c)
	out := make([]Item, 0, len(input1)*len(input2))
	for _, e1 := range input1 {
		for _, e2 := range input2 {
			out = append(out, Item{JSON: merge(e1.JSON, e2.JSON), Binary: mergeBinary(e1.Binary, e2.Binary), PairedItem: pairedOf(e1, e2)})
		}
	}
	return outputOf(out), nil
}

// --- choose branch ---

func (m merger) chooseBranch(inputs [][]Item) ([][]Item, error) {
	p := m.p
	if m.version >= 3 {
		if p.ChooseBranchMode != "waitForAll" {
			return outputOf(nil), nil
		}
		switch p.Output {
		case "specifiedInput":
			f, ok := toNumberParam(p.UseDataOfInput)
			n := int(f)
			if !ok || f != float64(n) || n < 1 {
				return nil, NewNodeError("Input %v doesn't exist", p.UseDataOfInput)
			}
			if n > len(inputs) {
				e := NewNodeError("Input %d doesn't exist", n)
				e.Description = "The node has only " + strconv.Itoa(len(inputs)) + " inputs, so selecting input " + strconv.Itoa(n) + " is not possible."
				return nil, e
			}
			return outputOf(inputs[n-1]), nil
		case "empty":
			return outputOf([]Item{emptyItemFrom(inputs)}), nil
		}
		return outputOf(nil), nil
	}
	if p.ChooseBranchMode != "waitForBoth" {
		return outputOf(nil), nil
	}
	switch p.Output {
	case "input1":
		return outputOf(inputs[0]), nil
	case "input2":
		return outputOf(inputs[1]), nil
	case "empty":
		return outputOf([]Item{emptyItemFrom(inputs)}), nil
	}
	return outputOf(nil), nil
}

// emptyItemFrom is the single empty item, paired with every item of inputs 1
// and 2.
func emptyItemFrom(inputs [][]Item) Item {
	it := Item{JSON: map[string]any{}}
	it.PairedItem = append(pairedOf(inputs[0]...), pairedOf(inputs[1]...)...)
	return it
}

var _ Node = Merge{}
