package nodes

import (
	"slices"
	"strings"

	"github.com/weft/weft/nodes/expr"
)

// RemoveDuplicates is n8n's Remove Duplicates node: it drops input items whose
// compared fields equal those of an earlier item. Version 2's operations that
// remember items across executions need durable storage and are refused.
type RemoveDuplicates struct{}

// RemoveDuplicatesParams are the Remove Duplicates node's parameters.
type RemoveDuplicatesParams struct {
	Operation       string `json:"operation" doc:"Version 2: removeDuplicateInputItems (default). The operations across executions (removeItemsSeenInPreviousExecutions, clearDeduplicationHistory) are not supported yet."`
	Compare         string `json:"compare" doc:"Which fields decide that two items are the same: allFields (default), allFieldsExcept or selectedFields."`
	FieldsToExclude any    `json:"fieldsToExclude" doc:"Comma-separated fields left out of the comparison (compare allFieldsExcept)."`
	FieldsToCompare any    `json:"fieldsToCompare" doc:"Comma-separated fields to compare (compare selectedFields)."`
	Options         struct {
		DisableDotNotation bool `json:"disableDotNotation" doc:"Treat field names as plain keys instead of parent.child paths."`
		RemoveOtherFields  bool `json:"removeOtherFields" doc:"Keep only the compared fields in the output items."`
	} `json:"options" doc:"Options for allFieldsExcept and selectedFields."`
}

func init() { Register(RemoveDuplicates{}) }

// Describe implements Node.
func (RemoveDuplicates) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.removeDuplicates",
		DisplayName: "Remove Duplicates",
		Summary:     "Deletes items whose compared fields match an earlier item's.",
		Versions:    []float64{1, 1.1, 2},
		Kind:        KindPure,
		Params:      RemoveDuplicatesParams{},
	}
}

// Validate implements Node.
func (RemoveDuplicates) Validate(n *NodeInstance) error {
	var p RemoveDuplicatesParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if n.TypeVersion >= 2 {
		switch p.Operation {
		case "", "removeDuplicateInputItems":
		case "removeItemsSeenInPreviousExecutions", "clearDeduplicationHistory", "ManageKeyValuesInDatabase":
			return ParamErrorf("operation", "%q needs deduplication history kept across executions, which weft does not support yet; use removeDuplicateInputItems", p.Operation)
		default:
			return ParamErrorf("operation", "%q is not one of removeDuplicateInputItems, removeItemsSeenInPreviousExecutions, clearDeduplicationHistory", p.Operation)
		}
	}
	switch p.Compare {
	case "", "allFields":
	case "allFieldsExcept":
		if len(splitFieldList(p.FieldsToExclude)) == 0 && !expr.IsExpression(n.Parameters["fieldsToExclude"]) {
			return ParamErrorf("fieldsToExclude", "no fields specified: add a field to exclude from the comparison")
		}
	case "selectedFields":
		if len(splitFieldList(p.FieldsToCompare)) == 0 && !expr.IsExpression(n.Parameters["fieldsToCompare"]) {
			return ParamErrorf("fieldsToCompare", "no fields specified: add a field to compare on")
		}
	default:
		return ParamErrorf("compare", "%q is not one of allFields, allFieldsExcept, selectedFields", p.Compare)
	}
	return nil
}

// Execute implements Node.
func (RemoveDuplicates) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := pairedInputs(in, 1)[0]
	p := RemoveDuplicatesParams{Operation: "removeDuplicateInputItems", Compare: "allFields"}
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	if ctx.Node.TypeVersion >= 2 && p.Operation != "removeDuplicateInputItems" {
		return nil, NewNodeError("The operation %q is not supported", p.Operation)
	}
	if len(items) == 0 {
		// n8n reads the first item's keys and fails on an empty input.
		return nil, NewNodeError("Cannot read properties of undefined (reading 'json')")
	}
	noDots := p.Options.DisableDotNotation
	if p.Compare == "allFields" {
		// n8n shows the options only for the other modes, so they do not
		// apply here.
		noDots, p.Options.RemoveOtherFields = false, false
	}
	itemKeys := func(it Item) []string {
		if noDots {
			return sortedKeys(it.JSON)
		}
		return flattenKeys(it.JSON)
	}
	var keys []string
	switch p.Compare {
	case "allFields":
		for _, it := range items {
			for _, k := range itemKeys(it) {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
	case "allFieldsExcept":
		exclude := splitFieldList(p.FieldsToExclude)
		if len(exclude) == 0 {
			return nil, NewNodeError("No fields specified. Please add a field to exclude from comparison")
		}
		// As n8n: with dot notation the keys come from the first item only.
		var all []string
		if noDots {
			for _, it := range items {
				for _, k := range itemKeys(it) {
					if !slices.Contains(all, k) {
						all = append(all, k)
					}
				}
			}
		} else {
			all = itemKeys(items[0])
		}
		for _, k := range all {
			if !slices.Contains(exclude, k) {
				keys = append(keys, k)
			}
		}
	case "selectedFields":
		keys = splitFieldList(p.FieldsToCompare)
		if len(keys) == 0 {
			return nil, NewNodeError("No fields specified. Please add a field to compare on")
		}
	default:
		return nil, NewNodeError("Unknown compare mode %q", p.Compare)
	}

	values := make([][]any, len(items))
	for i, it := range items {
		values[i] = make([]any, len(keys))
		for k, key := range keys {
			values[i][k] = fieldValue(it.JSON, key, noDots)
		}
	}
	// n8n sorts the items by the compared fields and removes each item equal
	// to the last kept one before it in that order.
	order := jsSort(len(items), func(a, b int) float64 {
		for k := range keys {
			if jsEqual(values[a][k], values[b][k]) {
				continue
			}
			if loLess(values[a][k], values[b][k]) {
				return -1
			}
			return 1
		}
		return 0
	})
	if err := validateDedupeInput(ctx.Node.TypeVersion, order, values, keys, noDots); err != nil {
		return nil, err
	}
	removed := make([]bool, len(items))
	kept := order[0]
	for _, idx := range order[1:] {
		same := true
		for k := range keys {
			if !jsEqual(values[idx][k], values[kept][k]) {
				same = false
				break
			}
		}
		if same {
			removed[idx] = true
		} else {
			kept = idx
		}
	}
	var out []Item
	for i, it := range items {
		if !removed[i] {
			out = append(out, it)
		}
	}
	if p.Options.RemoveOtherFields {
		for i := range out {
			// n8n pairs each output with its position among the kept items.
			out[i] = Item{JSON: pickFields(out[i].JSON, keys, noDots), PairedItem: PairedItems{{Item: i}}}
		}
	}
	if out == nil {
		out = []Item{}
	}
	return [][]Item{out}, nil
}

func pickFields(j map[string]any, keys []string, noDots bool) map[string]any {
	if !noDots {
		return loPick(j, keys)
	}
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := j[k]; ok {
			out[k] = CloneJSON(v)
		}
	}
	return out
}

// validateDedupeInput is n8n's validateInputData: every compared field must
// be present, and of one type across items (null is allowed from version 2
// on).
func validateDedupeInput(version float64, order []int, values [][]any, keys []string, noDots bool) error {
	for k, key := range keys {
		typ := ""
		for pos, idx := range order {
			if key == "" {
				return NewNodeError("Name of field to compare is blank")
			}
			v := values[idx][k]
			if v == nil && version > 1 {
				continue
			}
			if isUndef(v) {
				e := NewNodeError("'%s' field is missing from some input items", key)
				if noDots && strings.Contains(key, ".") {
					e.Description = "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options"
				}
				return e
			}
			if typ != "" && typ != jsTypeof(v) {
				e := NewNodeError("'%s' isn't always the same type", key)
				e.Description = "The type of this field varies between items"
				if version > 1 {
					e.Description += ", in item [" + itoa(pos-1) + "] it's a " + typ + " and in item [" + itoa(pos) + "] it's a " + jsTypeof(v) + " "
				}
				return e
			}
			typ = jsTypeof(v)
		}
	}
	return nil
}

var _ Node = RemoveDuplicates{}
