package nodes

import (
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/weft/weft/nodes/expr"
)

// Sort is n8n's Sort node: it orders items by fields (strings compare without
// regard to case), shuffles them, or orders them with a JavaScript
// comparator.
type Sort struct{}

// SortParams are the Sort node's parameters.
type SortParams struct {
	Type         string `json:"type" doc:"simple (by fields, default), random, or code (a JavaScript comparator)."`
	SortFieldsUI struct {
		SortField []SortField `json:"sortField" doc:"The fields to sort by, most significant first."`
	} `json:"sortFieldsUi" doc:"The fields of the input items to sort by (type simple)."`
	Code    string `json:"code" doc:"JavaScript comparator body over items a and b: return a negative number if a goes first, a positive one if b does, 0 if equal (type code)."`
	Options struct {
		DisableDotNotation bool `json:"disableDotNotation" doc:"Treat field names as plain keys instead of parent.child paths."`
	} `json:"options" doc:"Options of simple sorting."`
}

// SortField is one sort key.
type SortField struct {
	FieldName string `json:"fieldName" doc:"The field to sort by (a parent.child path unless dot notation is disabled)."`
	Order     string `json:"order" doc:"ascending (default) or descending."`
}

func init() { Register(Sort{}) }

// Describe implements Node.
func (Sort) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.sort",
		DisplayName: "Sort",
		Summary:     "Changes the order of items: by fields, randomly, or with a JavaScript comparator.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      SortParams{},
	}
}

// Validate implements Node.
func (Sort) Validate(n *NodeInstance) error {
	var p SortParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	switch p.Type {
	case "", "simple":
		raw, _ := lookupPath(n.Parameters, "sortFieldsUi.sortField")
		if len(p.SortFieldsUI.SortField) == 0 && !expr.IsExpression(raw) && !expr.IsExpression(n.Parameters["sortFieldsUi"]) {
			return ParamErrorf("sortFieldsUi", "no sorting specified: add a field to sort by")
		}
		for i, f := range p.SortFieldsUI.SortField {
			path := "sortFieldsUi.sortField[" + itoa(i) + "]"
			if f.FieldName == "" && !rawIsExpression(n.Parameters, "sortFieldsUi", "sortField", i, "fieldName") {
				return ParamErrorf(path+".fieldName", "a field name is required")
			}
			switch f.Order {
			case "", "ascending", "descending":
			default:
				return ParamErrorf(path+".order", "%q is not one of ascending, descending", f.Order)
			}
		}
	case "random":
	case "code":
		if _, ok := n.Parameters["code"]; ok && !expr.IsExpression(n.Parameters["code"]) && !returnWord.MatchString(p.Code) {
			return ParamErrorf("code", "the sort code doesn't return: add a 'return' statement")
		}
	default:
		return ParamErrorf("type", "%q is not one of simple, random, code", p.Type)
	}
	return nil
}

var returnWord = regexp.MustCompile(`\breturn\b`)

// defaultSortCode is n8n's default comparator (used when code is not set).
const defaultSortCode = `// The two items to compare are in the variables a and b
	// Access the fields in a.json and b.json
	// Return -1 if a should go before b
	// Return 1 if b should go before a
	// Return 0 if there's no difference

	fieldName = 'myField';

	if (a.json[fieldName] < b.json[fieldName]) {
	return -1;
	}
	if (a.json[fieldName] > b.json[fieldName]) {
	return 1;
	}
	return 0;`

// Execute implements Node.
func (Sort) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := pairedInputs(in, 1)[0]
	p := SortParams{Type: "simple", Code: defaultSortCode}
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	switch p.Type {
	case "random":
		out := append([]Item(nil), items...)
		for i := len(out) - 1; i > 0; i-- {
			j := rand.IntN(i + 1)
			out[i], out[j] = out[j], out[i]
		}
		return [][]Item{out}, nil
	case "simple":
		return sortSimple(items, p)
	case "code":
		return sortByCode(ctx, items, p.Code)
	}
	return nil, NewNodeError("Unknown sort type %q", p.Type)
}

func sortSimple(items []Item, p SortParams) ([][]Item, error) {
	fields := p.SortFieldsUI.SortField
	if len(fields) == 0 {
		return nil, NewNodeError("No sorting specified. Please add a field to sort by")
	}
	noDots := p.Options.DisableDotNotation
	for _, f := range fields {
		found := false
		for _, it := range items {
			if !isUndef(fieldValue(it.JSON, f.FieldName, noDots)) {
				found = true
				break
			}
		}
		if !found {
			e := NewNodeError("Couldn't find the field '%s' in the input data", f.FieldName)
			if noDots && strings.Contains(f.FieldName, ".") {
				e.Description = "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options"
			}
			return nil, e
		}
	}
	// Keys are read once per item; strings are lowered as n8n does.
	keys := make([][]any, len(items))
	for i, it := range items {
		keys[i] = make([]any, len(fields))
		for k, f := range fields {
			v := fieldValue(it.JSON, f.FieldName, noDots)
			if s, ok := v.(string); ok {
				v = strings.ToLower(s)
			}
			keys[i][k] = v
		}
	}
	order := jsSort(len(items), func(a, b int) float64 {
		for k, f := range fields {
			dir := 1.0
			if f.Order != "" && f.Order != "ascending" {
				dir = -1
			}
			if jsEqual(keys[a][k], keys[b][k]) {
				continue
			}
			if loLess(keys[a][k], keys[b][k]) {
				return -dir
			}
			return dir
		}
		return 0
	})
	out := make([]Item, len(items))
	for i, idx := range order {
		out[i] = items[idx]
	}
	return [][]Item{out}, nil
}

// sortByCode sorts with the user's comparator body, run by the expression
// engine as n8n runs it in its sandbox: `items.sort((a, b) => { code })`
// with items holding {json, binary, pairedItem}.
func sortByCode(ctx *Context, items []Item, code string) ([][]Item, error) {
	if !returnWord.MatchString(code) {
		return nil, NewNodeError("Sort code doesn't return. Please add a 'return' statement to your code")
	}
	if ctx.Expr == nil {
		return nil, NewNodeError("no JavaScript engine available to run the sort code")
	}
	js := make([]any, len(items))
	for i, it := range items {
		js[i] = itemWrapper(it, it.PairedItem)
	}
	script := "const __order = items.map((_, i) => i);\n" +
		"const __cmp = (a, b) => {\n" + code + "\n};\n" +
		"__order.sort((x, y) => __cmp(items[x], items[y]));\n" +
		"return __order;"
	res, err := ctx.Expr.Run(script, expr.Env{"items": js})
	if err != nil {
		ne := NewNodeError("%s", err.Error())
		if ee, ok := err.(*expr.Error); ok {
			ne.LineNumber = ee.Line
		}
		return nil, ne
	}
	order, ok := res.([]any)
	if !ok || len(order) != len(items) {
		return nil, NewNodeError("the sort code did not produce an order of the items")
	}
	out := make([]Item, len(items))
	for i, v := range order {
		idx, ok := toInt(v)
		if !ok || idx < 0 || idx >= len(items) {
			return nil, NewNodeError("the sort code did not produce an order of the items")
		}
		out[i] = items[idx]
	}
	return [][]Item{out}, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// rawIsExpression reports whether the raw parameter at params[a][b][i][c]
// holds an expression (so that Validate does not judge it).
func rawIsExpression(params map[string]any, a, b string, i int, c string) bool {
	m, _ := params[a].(map[string]any)
	if m == nil {
		return false
	}
	list, _ := m[b].([]any)
	if i >= len(list) {
		return false
	}
	e, _ := list[i].(map[string]any)
	return e != nil && expr.IsExpression(e[c])
}

var _ Node = Sort{}
