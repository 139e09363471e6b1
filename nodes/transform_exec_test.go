package nodes

import (
	"encoding/json"
	"reflect"
	"testing"
)

// runNode runs a node of type typ with parameters (JSON) on items.
func runNode(t *testing.T, typ string, version float64, params string, onError string, items ...map[string]any) ([][]Item, error) {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		t.Fatal(err)
	}
	n := &NodeInstance{Name: "N", Type: "n8n-nodes-base." + typ, TypeVersion: version, Parameters: p, OnError: onError}
	reg := Lookup(n.Type)
	if err := reg.Node.Validate(n); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	in := [][]Item{make([]Item, len(items))}
	for i, j := range items {
		in[0][i] = NewItem(j)
	}
	ctx := newCaseContext(&Workflow{Nodes: []*NodeInstance{n}}, n, in)
	return reg.Node.Execute(ctx, in)
}

func TestTransformPairedItems(t *testing.T) {
	items := []map[string]any{{"g": "a", "v": 1.0, "l": []any{1.0, 2.0}}, {"g": "b", "v": 2.0, "l": []any{3.0}}, {"g": "a", "v": 3.0}}
	cases := []struct {
		name, typ string
		version   float64
		params    string
		want      []PairedItems
	}{
		{"aggregate pairs all", "aggregate", 1, `{"fieldsToAggregate":{"fieldToAggregate":[{"fieldToAggregate":"v"}]}}`, []PairedItems{{{Item: 0}, {Item: 1}, {Item: 2}}}},
		{"aggregate all data pairs kept", "aggregate", 1, `{"aggregate":"aggregateAllItemData","include":"specifiedFields","fieldsToInclude":"l"}`, []PairedItems{{{Item: 0}, {Item: 1}}}},
		{"split out pairs source", "splitOut", 1, `{"fieldToSplitOut":"l"}`, []PairedItems{{{Item: 0}}, {{Item: 0}}, {{Item: 1}}}},
		{"summarize pairs group", "summarize", 1.1, `{"fieldsToSummarize":{"values":[{"aggregation":"sum","field":"v"}]},"fieldsToSplitBy":"g"}`, []PairedItems{{{Item: 0}, {Item: 2}}, {{Item: 1}}}},
		{"summarize single item pairs all", "summarize", 1.1, `{"fieldsToSummarize":{"values":[{"field":"v"}]},"options":{"outputFormat":"singleItem"}}`, []PairedItems{{{Item: 0}, {Item: 1}, {Item: 2}}}},
		{"rename keys pairs item", "renameKeys", 1, `{"keys":{"key":[{"currentKey":"v","newKey":"w"}]}}`, []PairedItems{{{Item: 0}}, {{Item: 1}}, {{Item: 2}}}},
		{"date time pairs item", "dateTime", 2, `{}`, []PairedItems{{{Item: 0}}, {{Item: 1}}, {{Item: 2}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runNode(t, c.typ, c.version, c.params, "", items...)
			if err != nil {
				t.Fatal(err)
			}
			var got []PairedItems
			for _, it := range out[0] {
				got = append(got, it.PairedItem)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("paired %v, want %v", got, c.want)
			}
		})
	}
}

func TestTransformExpressions(t *testing.T) {
	items := []map[string]any{{"when": "2024-05-01T08:00:00Z", "f": "list", "list": []any{"x", "y"}}, {"when": 1714550400.0, "f": "list", "list": []any{"z"}}}
	cases := []struct {
		name, typ string
		version   float64
		params    string
		want      []map[string]any
	}{
		{"date from expression per item", "dateTime", 2, `{"operation":"formatDate","date":"={{ $json.when }}","format":"yyyy-MM-dd HH:mm"}`,
			[]map[string]any{{"formattedDate": "2024-05-01 08:00"}, {"formattedDate": "2024-05-01 08:00"}}},
		{"date as a time value", "dateTime", 2, `{"operation":"addToDate","magnitude":"={{ $now }}","timeUnit":"months","duration":1}`,
			[]map[string]any{{"newDate": "2024-04-15T10:30:00.000Z"}, {"newDate": "2024-04-15T10:30:00.000Z"}}},
		{"output field from expression", "dateTime", 2, `{"operation":"extractDate","date":"={{ $json.when }}","part":"day","outputFieldName":"={{ 'd' + $itemIndex }}"}`,
			[]map[string]any{{"d0": 1.0}, {"d1": 1.0}}},
		{"split field from expression", "splitOut", 1, `{"fieldToSplitOut":"={{ $json.f }}"}`,
			[]map[string]any{{"list": "x"}, {"list": "y"}, {"list": "z"}}},
		{"rename key from expression", "renameKeys", 1, `{"keys":{"key":[{"currentKey":"={{ $json.f }}","newKey":"={{ 'n' + $itemIndex }}"}]}}`,
			[]map[string]any{{"when": "2024-05-01T08:00:00Z", "f": "list", "n0": []any{"x", "y"}}, {"when": 1714550400.0, "f": "list", "n1": []any{"z"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runNode(t, c.typ, c.version, c.params, "", items...)
			if err != nil {
				t.Fatal(err)
			}
			var got []any
			for _, it := range out[0] {
				got = append(got, NormalizeJSON(it.JSON))
			}
			want := make([]any, len(c.want))
			for i, w := range c.want {
				want[i] = NormalizeJSON(w)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v\nwant %v", got, want)
			}
		})
	}
}

func TestDateTimeContinueOnFail(t *testing.T) {
	params := `{"operation":"formatDate","date":"={{ $json.d }}","format":"yyyy","options":{"includeInputFields":true}}`
	items := []map[string]any{{"d": "2024-01-02"}, {"d": "not a date"}}
	if _, err := runNode(t, "dateTime", 2, params, "", items...); err == nil {
		t.Fatal("want an error without continueOnFail")
	} else if ne := AsNodeError(err); ne.ItemIndex == nil || *ne.ItemIndex != 1 || ne.Message != "Invalid date format" {
		t.Fatalf("error %+v", ne)
	}
	out, err := runNode(t, "dateTime", 2, params, OnErrorContinueRegularOutput, items...)
	if err != nil {
		t.Fatal(err)
	}
	if len(out[0]) != 2 || out[0][0].JSON["formattedDate"] != "2024" || out[0][0].JSON["d"] != "2024-01-02" {
		t.Fatalf("first item %v", out[0])
	}
	failed := out[0][1]
	if failed.JSON["error"] != "Invalid date format" || failed.Error == nil || len(failed.JSON) != 1 {
		t.Fatalf("failed item %+v", failed)
	}
}

func TestTransformEmptyInput(t *testing.T) {
	cases := []struct {
		name, typ string
		version   float64
		params    string
		want      int
	}{
		{"aggregate gives one item", "aggregate", 1, `{"fieldsToAggregate":{"fieldToAggregate":[{"fieldToAggregate":"v"}]}}`, 1},
		{"summarize gives one item", "summarize", 1.1, `{"fieldsToSummarize":{"values":[{"field":"v"}]}}`, 1},
		{"split out gives none", "splitOut", 1, `{"fieldToSplitOut":"v"}`, 0},
		{"rename keys gives none", "renameKeys", 1, `{}`, 0},
		{"date time gives none", "dateTime", 2, `{}`, 0},
		{"item lists split gives none", "itemLists", 1, `{"fieldToSplitOut":"v"}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runNode(t, c.typ, c.version, c.params, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || len(out[0]) != c.want {
				t.Fatalf("got %v", out)
			}
		})
	}
}
