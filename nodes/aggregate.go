package nodes

import (
	"sort"
	"strconv"
	"strings"
)

// Aggregate is n8n's Aggregate node (n8n-nodes-base.aggregate): it combines
// the items of its input into one item, either collecting chosen fields into
// lists or putting every item's data into one list.
type Aggregate struct{}

func init() { Register(Aggregate{}) }

// Aggregate modes, n8n's parameter values.
const (
	aggregateIndividualFields = "aggregateIndividualFields"
	aggregateAllItemData      = "aggregateAllItemData"
)

// AggregateParams are the Aggregate node's parameters.
type AggregateParams struct {
	Aggregate            string                   `json:"aggregate" doc:"aggregateIndividualFields (default): collect chosen fields into lists; aggregateAllItemData: put all item data into one list"`
	FieldsToAggregate    AggregateFieldsToCombine `json:"fieldsToAggregate" doc:"the fields to collect (individual fields mode)"`
	DestinationFieldName string                   `json:"destinationFieldName" doc:"output field for the list of items (all item data mode; default data)"`
	Include              string                   `json:"include" doc:"allFields (default), specifiedFields or allFieldsExcept (all item data mode)"`
	FieldsToExclude      any                      `json:"fieldsToExclude" doc:"comma-separated top-level fields left out (include=allFieldsExcept)"`
	FieldsToInclude      any                      `json:"fieldsToInclude" doc:"comma-separated top-level fields kept (include=specifiedFields)"`
	Options              AggregateOptions         `json:"options" doc:"options"`
}

// AggregateFieldsToCombine is the fieldsToAggregate fixed collection.
type AggregateFieldsToCombine struct {
	FieldToAggregate []AggregateField `json:"fieldToAggregate" doc:"one entry per field to collect"`
}

// AggregateField is one field to collect into a list.
type AggregateField struct {
	FieldToAggregate string `json:"fieldToAggregate" doc:"input field name (dot notation reaches nested fields)"`
	RenameField      bool   `json:"renameField" doc:"whether to give the list another name"`
	OutputFieldName  string `json:"outputFieldName" doc:"output field name when renameField is set"`
}

// AggregateOptions are the Aggregate node's options.
type AggregateOptions struct {
	DisableDotNotation bool `json:"disableDotNotation" doc:"treat field names as literal keys"`
	MergeLists         bool `json:"mergeLists" doc:"flatten list values into one list"`
	KeepMissing        bool `json:"keepMissing" doc:"add null for missing and null values"`
	IncludeBinaries    bool `json:"includeBinaries" doc:"copy the items' binary data to the output item"`
	KeepOnlyUnique     bool `json:"keepOnlyUnique" doc:"copy only binaries that differ in type, size and extension"`
}

// Describe implements Node.
func (Aggregate) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.aggregate",
		DisplayName: "Aggregate",
		Summary:     "Combines a field from many items into a list in a single item.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      AggregateParams{},
	}
}

// Validate implements Node.
func (Aggregate) Validate(n *NodeInstance) error {
	var p AggregateParams
	if err := StaticParams(n, &p); err != nil {
		return ParamErrorf("", "%v", err)
	}
	return validateAggregate(n.Parameters, p.Aggregate, p.Include, aggregateIndividualFields, allowedModes(aggregateIndividualFields, aggregateAllItemData))
}

func allowedModes(modes ...string) map[string]bool {
	m := make(map[string]bool, len(modes))
	for _, s := range modes {
		m[s] = true
	}
	return m
}

// validateAggregate checks the parameters Aggregate and Item Lists'
// concatenate share; individual is the value naming the individual-fields
// mode.
func validateAggregate(params map[string]any, mode, include, individual string, modes map[string]bool) error {
	if mode != "" && !modes[mode] {
		return ParamErrorf("aggregate", "unknown aggregation %q (use aggregateIndividualFields or aggregateAllItemData)", mode)
	}
	if mode == "" || mode == individual {
		if list, ok := lookupPath(params, "fieldsToAggregate"); ok {
			if fc, isMap := list.(map[string]any); isMap {
				entries, _ := fc["fieldToAggregate"].([]any)
				if len(entries) == 0 {
					return ParamErrorf("fieldsToAggregate.fieldToAggregate", "no fields specified: add a field to aggregate")
				}
			}
		}
		return nil
	}
	switch include {
	case "", "allFields", "specifiedFields", "allFieldsExcept":
	default:
		return ParamErrorf("include", "unknown value %q (use allFields, specifiedFields or allFieldsExcept)", include)
	}
	return nil
}

// aggregateSpec is what the aggregation needs, parameters resolved.
type aggregateSpec struct {
	allItemData bool
	fields      []AggregateField
	dotNotation bool
	mergeLists  bool
	keepMissing bool
	// destination, exclude and include serve the all-item-data mode.
	destination string
	exclude     []string
	include     []string
	binaries    bool
	uniqueBins  bool
	// checkFields makes missing fields an error (Item Lists 1 and 2.0).
	checkFields bool
}

// aggregateSpecFrom reads Aggregate's parameters (as n8n does, from item 0),
// applying n8n's defaults and leaving out parameters its display options
// hide.
func aggregateSpecFrom(ctx *Context, individual string) (aggregateSpec, error) {
	p := AggregateParams{Aggregate: individual, DestinationFieldName: "data", Include: "allFields"}
	if err := ctx.Decode(0, &p); err != nil {
		return aggregateSpec{}, err
	}
	spec := aggregateSpec{
		allItemData: p.Aggregate != individual,
		binaries:    p.Options.IncludeBinaries,
		uniqueBins:  p.Options.IncludeBinaries && p.Options.KeepOnlyUnique,
	}
	if !spec.allItemData {
		spec.fields = p.FieldsToAggregate.FieldToAggregate
		if _, set := ctx.RawParam("fieldsToAggregate"); !set {
			spec.fields = []AggregateField{{}}
		}
		spec.dotNotation = !p.Options.DisableDotNotation
		spec.mergeLists = p.Options.MergeLists
		spec.keepMissing = p.Options.KeepMissing
		return spec, nil
	}
	spec.destination = p.DestinationFieldName
	switch p.Include {
	case "allFieldsExcept":
		spec.exclude = splitFieldList(p.FieldsToExclude)
	case "specifiedFields":
		spec.include = splitFieldList(p.FieldsToInclude)
	}
	return spec, nil
}

// aggregateItems combines items into one, n8n's Aggregate semantics.
func aggregateItems(items []Item, spec aggregateSpec) (Item, error) {
	var out Item
	if spec.allItemData {
		out = aggregateAllData(items, spec)
	} else {
		var err error
		if out, err = aggregateFields(items, spec); err != nil {
			return Item{}, err
		}
	}
	if spec.binaries {
		sources := make([]Item, 0, len(out.PairedItem))
		for _, p := range out.PairedItem {
			if p.Item >= 0 && p.Item < len(items) {
				sources = append(sources, items[p.Item])
			}
		}
		out.Binary = collectBinaries(sources, spec.uniqueBins)
	}
	return out, nil
}

func aggregateFields(items []Item, spec aggregateSpec) (Item, error) {
	if len(spec.fields) == 0 {
		e := NewNodeError("No fields specified")
		e.Description = "Please add a field to aggregate"
		return Item{}, e
	}
	if spec.checkFields {
		if err := checkAggregateFields(items, spec); err != nil {
			return Item{}, err
		}
	}
	out := NewItem(nil)
	out.PairedItem = allPaired(len(items))
	type list struct {
		name   string
		values []any
	}
	var lists []*list
	byName := map[string]*list{}
	var used []string
	for _, f := range spec.fields {
		name := f.FieldToAggregate
		outName := ""
		if f.RenameField {
			name, outName = f.OutputFieldName, f.OutputFieldName
		}
		for _, u := range used {
			if u == name {
				e := NewNodeError("The '%s' output field is used more than once", name)
				e.Description = "Please make sure each output field name is unique"
				return Item{}, e
			}
		}
		used = append(used, name)
		if outName == "" {
			outName = f.FieldToAggregate
			if spec.dotNotation && strings.Contains(outName, ".") {
				outName = outName[strings.LastIndex(outName, ".")+1:]
			}
		}
		if f.FieldToAggregate == "" {
			continue
		}
		l := byName[outName]
		if l == nil {
			l = &list{name: outName}
			byName[outName] = l
			lists = append(lists, l)
		}
		l.values = []any{}
		for _, it := range items {
			v, ok := lodashGet(it.JSON, f.FieldToAggregate, spec.dotNotation)
			if !spec.keepMissing {
				if arr, isArr := v.([]any); isArr {
					kept := make([]any, 0, len(arr))
					for _, e := range arr {
						if e != nil {
							kept = append(kept, e)
						}
					}
					v = kept
				} else if !ok || v == nil {
					continue
				}
			}
			if arr, isArr := v.([]any); isArr && spec.mergeLists {
				for _, e := range arr {
					l.values = append(l.values, CloneJSON(e))
				}
				continue
			}
			l.values = append(l.values, CloneJSON(v))
		}
	}
	for _, l := range lists {
		lodashSet(out.JSON, l.name, l.values, spec.dotNotation)
	}
	return out, nil
}

// checkAggregateFields is Item Lists 1 and 2.0's check that every field to
// aggregate exists in some item.
func checkAggregateFields(items []Item, spec aggregateSpec) error {
	for _, f := range spec.fields {
		found := false
		for _, it := range items {
			if f.FieldToAggregate == "" {
				e := NewNodeError("Field to aggregate is blank")
				e.Description = "Please add a field to aggregate"
				return e
			}
			if _, ok := lodashGet(it.JSON, f.FieldToAggregate, spec.dotNotation); ok {
				found = true
			}
		}
		if found {
			continue
		}
		if !spec.dotNotation && strings.Contains(f.FieldToAggregate, ".") {
			e := NewNodeError("Couldn't find the field '%s' in the input data", f.FieldToAggregate)
			e.Description = "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options"
			return e
		}
		if !spec.keepMissing {
			return NewNodeError("Couldn't find the field '%s' in the input data", f.FieldToAggregate)
		}
	}
	return nil
}

func aggregateAllData(items []Item, spec aggregateSpec) Item {
	list := make([]any, 0, len(items))
	var paired PairedItems
	for i, it := range items {
		if len(spec.exclude) == 0 && len(spec.include) == 0 {
			list = append(list, CloneJSON(it.JSON))
			paired = append(paired, PairedItem{Item: i})
			continue
		}
		kept := map[string]any{}
		for k, v := range it.JSON {
			if len(spec.exclude) > 0 && containsString(spec.exclude, k) {
				continue
			}
			if len(spec.include) > 0 && !containsString(spec.include, k) {
				continue
			}
			kept[k] = CloneJSON(v)
		}
		if len(kept) == 0 {
			continue
		}
		list = append(list, kept)
		paired = append(paired, PairedItem{Item: i})
	}
	out := NewItem(map[string]any{spec.destination: list})
	out.PairedItem = paired
	return out
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// allPaired pairs an output item with every one of n input items.
func allPaired(n int) PairedItems {
	p := make(PairedItems, n)
	for i := range p {
		p[i] = PairedItem{Item: i}
	}
	return p
}

// collectBinaries copies the binaries of items into one map, renaming
// clashing keys key_1, key_2, ...; unique keeps only the first binary of
// each mime type, file type, size and extension.
func collectBinaries(items []Item, unique bool) map[string]*Binary {
	var out map[string]*Binary
	var seen []*Binary
	for _, it := range items {
		keys := make([]string, 0, len(it.Binary))
		for k := range it.Binary {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b := it.Binary[k]
			if b == nil {
				continue
			}
			if unique {
				dup := false
				for _, s := range seen {
					if s.MimeType == b.MimeType && s.FileType == b.FileType && s.FileSize == b.FileSize && s.FileExtension == b.FileExtension {
						dup = true
						break
					}
				}
				if dup {
					continue
				}
				seen = append(seen, b)
			}
			if out == nil {
				out = map[string]*Binary{}
			}
			key := k
			for i := 1; out[key] != nil; i++ {
				key = k + "_" + strconv.Itoa(i)
			}
			bb := *b
			out[key] = &bb
		}
	}
	return out
}

// Execute implements Node.
func (Aggregate) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	spec, err := aggregateSpecFrom(ctx, aggregateIndividualFields)
	if err != nil {
		return nil, err
	}
	out, err := aggregateItems(firstInput(in), spec)
	if err != nil {
		return nil, err
	}
	return [][]Item{{out}}, nil
}

// firstInput returns the items of input 0.
func firstInput(in [][]Item) []Item {
	if len(in) == 0 {
		return nil
	}
	return in[0]
}

var _ Node = Aggregate{}
