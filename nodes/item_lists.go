package nodes

// ItemLists is n8n's legacy Item Lists node (n8n-nodes-base.itemLists),
// whose operations became the Aggregate, Split Out, Summarize, Limit, Sort
// and Remove Duplicates nodes. Versions 1, 2, 2.1, 2.2, 3 and 3.1 differ in
// parameter shapes and in how strict they are about missing fields; the
// work is done by the dedicated nodes' functions.
//
// Limit and Sort are the Limit and Sort nodes in every version; Remove
// Duplicates is Remove Duplicates version 1 up to Item Lists 3. Item Lists
// 3.1's Remove Duplicates (which orders values by type first and accepts
// mixed types) is not available: Validate refuses it.
type ItemLists struct{}

func init() { Register(ItemLists{}) }

// ItemListsParams documents the Item Lists node's parameters. Which ones
// apply depends on the operation; several names mean different things in
// different operations (as in n8n).
type ItemListsParams struct {
	Resource             string                   `json:"resource" doc:"always itemList"`
	Operation            string                   `json:"operation" doc:"splitOutItems (default), aggregateItems (versions 1-2) or concatenateItems (version 3), summarize; limit, sort and removeDuplicates are not supported yet"`
	FieldToSplitOut      string                   `json:"fieldToSplitOut" doc:"splitOutItems: the field to split out (comma-separated fields from version 2)"`
	Include              string                   `json:"include" doc:"splitOutItems: noOtherFields, allOtherFields or selectedOtherFields; aggregate: allFields, specifiedFields or allFieldsExcept"`
	FieldsToInclude      any                      `json:"fieldsToInclude" doc:"fields to keep: {fields:[{fieldName}]} in versions 1-2, a comma-separated string in version 3"`
	FieldsToExclude      any                      `json:"fieldsToExclude" doc:"fields to leave out: {fields:[{fieldName}]} in versions 1-2, a comma-separated string in version 3"`
	Aggregate            string                   `json:"aggregate" doc:"aggregateIndividualFields (default) or aggregateAllItemData"`
	FieldsToAggregate    AggregateFieldsToCombine `json:"fieldsToAggregate" doc:"the fields to collect into lists"`
	DestinationFieldName string                   `json:"destinationFieldName" doc:"output field for all item data (default data)"`
	FieldsToSummarize    SummarizeFieldList       `json:"fieldsToSummarize" doc:"summarize: the aggregations"`
	FieldsToSplitBy      string                   `json:"fieldsToSplitBy" doc:"summarize: comma-separated fields to group by"`
	Options              map[string]any           `json:"options" doc:"the operation's options (disableDotNotation, destinationFieldName, mergeLists, keepMissing, includeBinaries, outputFormat, skipEmptySplitFields)"`
}

// Item Lists operations.
const (
	opSplitOutItems    = "splitOutItems"
	opAggregateItems   = "aggregateItems"
	opConcatenateItems = "concatenateItems"
	opSummarize        = "summarize"
	opLimit            = "limit"
	opSort             = "sort"
	opRemoveDuplicates = "removeDuplicates"
)

// Describe implements Node.
func (ItemLists) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.itemLists",
		DisplayName: "Item Lists",
		Summary:     "Legacy helper for lists of items: split out, concatenate, summarize.",
		Versions:    []float64{1, 2, 2.1, 2.2, 3, 3.1},
		Kind:        KindPure,
		Params:      ItemListsParams{},
	}
}

// aggregateOperation is the name of the concatenate operation in version v.
func aggregateOperation(v float64) string {
	if v >= 3 {
		return opConcatenateItems
	}
	return opAggregateItems
}

// Validate implements Node.
func (ItemLists) Validate(n *NodeInstance) error {
	var p struct {
		Resource  string `json:"resource"`
		Operation string `json:"operation"`
		Aggregate string `json:"aggregate"`
		Include   string `json:"include"`
	}
	if err := StaticParams(n, &p); err != nil {
		return ParamErrorf("", "%v", err)
	}
	if p.Resource != "" && p.Resource != "itemList" {
		return ParamErrorf("resource", "unknown resource %q (only itemList)", p.Resource)
	}
	op := p.Operation
	if op == "" && !isExprValue(n.Parameters["operation"]) {
		op = opSplitOutItems
	}
	switch op {
	case "":
		return nil
	case opSplitOutItems:
		var s struct {
			FieldToSplitOut any `json:"fieldToSplitOut"`
			Include         string
			Options         struct {
				DestinationFieldName string `json:"destinationFieldName"`
			} `json:"options"`
		}
		if err := StaticParams(n, &s); err != nil {
			return ParamErrorf("", "%v", err)
		}
		return validateSplitOut(n.Parameters, s.FieldToSplitOut, p.Include, s.Options.DestinationFieldName)
	case aggregateOperation(n.TypeVersion):
		return validateAggregate(n.Parameters, p.Aggregate, p.Include, aggregateIndividualFields, allowedModes(aggregateIndividualFields, aggregateAllItemData))
	case opSummarize:
		return validateSummarize(n)
	case opLimit:
		return Limit{}.Validate(n)
	case opSort:
		return Sort{}.Validate(n)
	case opRemoveDuplicates:
		if n.TypeVersion >= 3.1 {
			return ParamErrorf("operation", "Item Lists 3.1's removeDuplicates is not supported yet: use the Remove Duplicates node, or Item Lists 3")
		}
		return RemoveDuplicates{}.Validate(dedupeNode(n))
	}
	return ParamErrorf("operation", "unknown operation %q for Item Lists version %v (use splitOutItems, %s or summarize)", op, n.TypeVersion, aggregateOperation(n.TypeVersion))
}

// Execute implements Node.
func (ItemLists) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	v := ctx.Node.TypeVersion
	items := firstInput(in)
	resource, err := ctx.Param("resource", 0, "itemList")
	if err != nil {
		return nil, err
	}
	if resource != "itemList" {
		return nil, NewNodeError("Resource '%v' is not recognized", resource)
	}
	opv, err := ctx.Param("operation", 0, opSplitOutItems)
	if err != nil {
		return nil, err
	}
	op, _ := opv.(string)
	switch op {
	case opSplitOutItems:
		out, err := itemListsSplitOut(ctx, items)
		if err != nil {
			return nil, err
		}
		return [][]Item{out}, nil
	case aggregateOperation(v):
		spec, err := itemListsAggregateSpec(ctx)
		if err != nil {
			return nil, err
		}
		out, err := aggregateItems(items, spec)
		if err != nil {
			return nil, err
		}
		return [][]Item{{out}}, nil
	case opSummarize:
		mode := summarizeMode{grouping: groupObjectKeys, normalize: v >= 2, mathMinMax: v < 3}
		spec, _, err := summarizeSpecFrom(ctx, mode)
		if err != nil {
			return nil, err
		}
		if err := summarizeNeedsField(spec.fields); err != nil {
			return nil, err
		}
		if v < 2.1 {
			if err := spec.checkFields(items); err != nil {
				return nil, err
			}
		}
		return [][]Item{spec.summarize(items)}, nil
	case opLimit:
		return Limit{}.Execute(ctx, in)
	case opSort:
		return Sort{}.Execute(ctx, in)
	case opRemoveDuplicates:
		if v >= 3.1 {
			return nil, NewNodeError("Item Lists 3.1's Remove Duplicates is not supported yet")
		}
		sub := *ctx
		sub.Node = dedupeNode(ctx.Node)
		return RemoveDuplicates{}.Execute(&sub, in)
	}
	return nil, NewNodeError("Operation '%s' is not recognized", op)
}

// itemListsOptions are the options Item Lists' split out and concatenate
// read.
type itemListsOptions struct {
	DisableDotNotation   bool   `json:"disableDotNotation"`
	DestinationFieldName string `json:"destinationFieldName"`
	MergeLists           bool   `json:"mergeLists"`
	KeepMissing          bool   `json:"keepMissing"`
	IncludeBinaries      bool   `json:"includeBinaries"`
	KeepOnlyUnique       bool   `json:"keepOnlyUnique"`
}

// fieldNameList reads a {fields: [{fieldName}]} collection (versions 1-2)
// or, from version 3, a comma-separated list.
func fieldNameList(v any, version float64) []string {
	if version >= 3 {
		return splitFieldList(v)
	}
	m, _ := v.(map[string]any)
	entries, _ := m["fields"].([]any)
	var out []string
	for _, e := range entries {
		em, _ := e.(map[string]any)
		name, _ := em["fieldName"].(string)
		out = append(out, name)
	}
	return out
}

func itemListsSplitOut(ctx *Context, items []Item) ([]Item, error) {
	v := ctx.Node.TypeVersion
	dot := true
	if len(items) > 0 {
		var p struct {
			Options itemListsOptions `json:"options"`
		}
		if err := ctx.Decode(0, &p); err != nil {
			return nil, err
		}
		dot = !p.Options.DisableDotNotation
	}
	out := []Item{}
	for i, it := range items {
		p := struct {
			FieldToSplitOut any              `json:"fieldToSplitOut"`
			Include         string           `json:"include"`
			FieldsToInclude any              `json:"fieldsToInclude"`
			Options         itemListsOptions `json:"options"`
		}{Include: includeNoOtherFields}
		if err := ctx.Decode(i, &p); err != nil {
			return nil, err
		}
		var selected []string
		if p.Include == includeSelectedOtherFields {
			selected = fieldNameList(p.FieldsToInclude, v)
		}
		if v < 2 {
			field, _ := p.FieldToSplitOut.(string)
			split, err := splitOutLegacy(it, i, field, p.Options.DestinationFieldName, p.Include, selected, dot)
			if err != nil {
				return nil, err
			}
			out = append(out, split...)
			continue
		}
		fields, err := splitFieldsToSplitOut(p.FieldToSplitOut, "")
		if err != nil {
			return nil, err
		}
		spec := splitOutSpec{
			fields:           fields,
			destinations:     splitDestinations(p.Options.DestinationFieldName),
			include:          p.Include,
			selected:         selected,
			dotNotation:      dot,
			missingIsError:   v < 2.1,
			nonObjectIsError: v < 2.2,
		}
		split, err := splitOutItem(it, i, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, split...)
	}
	return out, nil
}

// splitOutLegacy is Item Lists 1's split out: one field, which must hold a
// list.
func splitOutLegacy(it Item, i int, field, dest, include string, selected []string, dot bool) ([]Item, error) {
	src := it.JSON
	if src == nil {
		src = map[string]any{}
	}
	v, ok := lodashGet(src, field, dot)
	if !ok {
		return nil, missingSplitField(field, dot, i)
	}
	list, isList := v.([]any)
	if !isList {
		return nil, NewNodeError("The provided field '%s' is not an array", field).AtItem(i)
	}
	out := make([]Item, 0, len(list))
	for _, el := range list {
		j := map[string]any{}
		switch include {
		case includeSelectedOtherFields:
			if len(selected) == 0 {
				e := NewNodeError("No fields specified")
				e.Description = "Please add a field to include"
				return nil, e
			}
			for _, f := range selected {
				if f == field {
					continue
				}
				if fv, ok := lodashGet(src, f, dot); ok {
					j[f] = CloneJSON(fv)
				} else {
					delete(j, f)
				}
			}
		case includeAllOtherFields:
			for k := range src {
				if fv, ok := lodashGet(src, k, dot); ok {
					j[k] = CloneJSON(fv)
				}
			}
			lodashUnset(j, field, true)
		}
		_, isObj := el.(map[string]any)
		_, isArr := el.([]any)
		if (el == nil || isObj || isArr) && include == includeNoOtherFields && dest == "" {
			spreadObject(j, CloneJSON(el))
		} else {
			name := dest
			if name == "" {
				name = field
			}
			j[name] = CloneJSON(el)
		}
		n := NewItem(j)
		n.PairedItem = PairedItems{{Item: i}}
		out = append(out, n)
	}
	return out, nil
}

// itemListsAggregateSpec reads the concatenate operation's parameters.
func itemListsAggregateSpec(ctx *Context) (aggregateSpec, error) {
	v := ctx.Node.TypeVersion
	p := struct {
		Aggregate            string                   `json:"aggregate"`
		FieldsToAggregate    AggregateFieldsToCombine `json:"fieldsToAggregate"`
		DestinationFieldName string                   `json:"destinationFieldName"`
		Include              string                   `json:"include"`
		FieldsToExclude      any                      `json:"fieldsToExclude"`
		FieldsToInclude      any                      `json:"fieldsToInclude"`
		Options              itemListsOptions         `json:"options"`
	}{Aggregate: aggregateIndividualFields, DestinationFieldName: "data", Include: "allFields"}
	if err := ctx.Decode(0, &p); err != nil {
		return aggregateSpec{}, err
	}
	spec := aggregateSpec{allItemData: p.Aggregate != aggregateIndividualFields}
	if v >= 3 {
		spec.binaries = p.Options.IncludeBinaries
		spec.uniqueBins = p.Options.IncludeBinaries && p.Options.KeepOnlyUnique
	}
	if !spec.allItemData {
		spec.fields = p.FieldsToAggregate.FieldToAggregate
		if _, set := ctx.RawParam("fieldsToAggregate"); !set {
			spec.fields = []AggregateField{{}}
		}
		spec.dotNotation = !p.Options.DisableDotNotation
		spec.mergeLists = p.Options.MergeLists
		spec.keepMissing = p.Options.KeepMissing
		spec.checkFields = v < 2.1
		return spec, nil
	}
	spec.destination = p.DestinationFieldName
	switch p.Include {
	case "allFieldsExcept":
		spec.exclude = fieldNameList(p.FieldsToExclude, v)
	case "specifiedFields":
		spec.include = fieldNameList(p.FieldsToInclude, v)
	}
	return spec, nil
}

// dedupeNode is Item Lists' remove duplicates as a Remove Duplicates 1 node:
// before version 3 the field lists are {fields: [{fieldName}]} collections,
// which become lists of names.
func dedupeNode(n *NodeInstance) *NodeInstance {
	c := *n
	c.TypeVersion = 1
	c.Parameters = make(map[string]any, len(n.Parameters))
	for k, v := range n.Parameters {
		switch k {
		case "resource", "operation":
			continue
		case "fieldsToExclude", "fieldsToCompare":
			if n.TypeVersion < 3 {
				if m, ok := v.(map[string]any); ok {
					entries, _ := m["fields"].([]any)
					names := make([]any, 0, len(entries))
					for _, e := range entries {
						em, _ := e.(map[string]any)
						names = append(names, em["fieldName"])
					}
					v = names
				}
			}
		}
		c.Parameters[k] = v
	}
	return &c
}

var _ Node = ItemLists{}
