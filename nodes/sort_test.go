package nodes

import (
	"slices"
	"testing"
)

func TestSort(t *testing.T) {
	people := `[[{"name":"carol","n":3},{"name":"Alice","n":10},{"name":"bob","n":2},{"name":"Dave","n":2}]]`
	runNodeCases(t, "n8n-nodes-base.sort", []nodeCase{
		{name: "strings ignore case", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"name"}]}}`, in: people,
			want: `[[{"name":"Alice","n":10},{"name":"bob","n":2},{"name":"carol","n":3},{"name":"Dave","n":2}]]`},
		{name: "descending numbers keep ties in order", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"n","order":"descending"}]}}`, in: people,
			want: `[[{"name":"Alice","n":10},{"name":"carol","n":3},{"name":"bob","n":2},{"name":"Dave","n":2}]]`},
		{name: "two keys, nested path", version: 1,
			params: `{"sortFieldsUi":{"sortField":[{"fieldName":"d"},{"fieldName":"i.age","order":"descending"}]}}`,
			in:     `[[{"d":"ops","i":{"age":30}},{"d":"dev","i":{"age":25}},{"d":"ops","i":{"age":41}},{"d":"dev","i":{"age":33}}]]`,
			want:   `[[{"d":"dev","i":{"age":33}},{"d":"dev","i":{"age":25}},{"d":"ops","i":{"age":41}},{"d":"ops","i":{"age":30}}]]`},
		{name: "numeric strings compare as strings", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"v"}]}}`,
			in: `[[{"v":"10"},{"v":"9"},{"v":"100"}]]`, want: `[[{"v":"10"},{"v":"100"},{"v":"9"}]]`},
		{name: "a number and a numeric string compare as numbers", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"v"}]}}`,
			in: `[[{"v":10},{"v":"9"},{"v":1}]]`, want: `[[{"v":1},{"v":"9"},{"v":10}]]`},
		// An item without the field compares as "after" both ways, so V8
		// sees one ascending run and leaves the order alone.
		{name: "items missing the field stay where V8 puts them", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"v"}]}}`,
			in: `[[{"v":2},{"x":1},{"v":1}]]`, want: `[[{"v":2},{"x":1},{"v":1}]]`},
		{name: "missing field at the end", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"v"}]}}`,
			in: `[[{"v":2},{"v":1},{"x":1}]]`, want: `[[{"v":1},{"v":2},{"x":1}]]`},
		{name: "disableDotNotation reads a literal key", version: 1,
			params: `{"sortFieldsUi":{"sortField":[{"fieldName":"a.b"}]},"options":{"disableDotNotation":true}}`,
			in:     `[[{"a.b":2},{"a.b":1}]]`, want: `[[{"a.b":1},{"a.b":2}]]`},
		{name: "disableDotNotation does not follow paths", version: 1,
			params: `{"sortFieldsUi":{"sortField":[{"fieldName":"a.b"}]},"options":{"disableDotNotation":true}}`,
			in:     `[[{"a":{"b":2}}]]`, wantErr: "Couldn't find the field 'a.b'"},
		{name: "a field no item has", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"zz"}]}}`, in: people,
			wantErr: "Couldn't find the field 'zz' in the input data"},
		{name: "no sort fields", version: 1, params: `{}`, in: people, wantErr: "No sorting specified"},
		{name: "empty input", version: 1, params: `{"sortFieldsUi":{"sortField":[{"fieldName":"n"}]}}`, in: `[[]]`,
			wantErr: "Couldn't find the field 'n'"},
		{name: "code comparator", version: 1, params: `{"type":"code","code":"return b.json.n - a.json.n;"}`, in: people,
			want: `[[{"name":"Alice","n":10},{"name":"carol","n":3},{"name":"bob","n":2},{"name":"Dave","n":2}]]`},
		{name: "code comparator on strings", version: 1,
			params: `{"type":"code","code":"if (a.json.name < b.json.name) { return -1; }\nif (a.json.name > b.json.name) { return 1; }\nreturn 0;"}`, in: people,
			want: `[[{"name":"Alice","n":10},{"name":"Dave","n":2},{"name":"bob","n":2},{"name":"carol","n":3}]]`},
		{name: "code without return", version: 1, params: `{"type":"code","code":"a.json.n - b.json.n"}`, in: people,
			wantErr: "Sort code doesn't return"},
		{name: "code that throws", version: 1, params: `{"type":"code","code":"throw new Error('nope'); return 0;"}`, in: people,
			wantErr: "nope"},
	})
}

func TestSortRandomIsAPermutation(t *testing.T) {
	in := `[[{"i":0},{"i":1},{"i":2},{"i":3},{"i":4},{"i":5},{"i":6},{"i":7}]]`
	out, _, err := execNode(t, "n8n-nodes-base.sort", 1, `{"type":"random"}`, in)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, it := range out[0] {
		got = append(got, int(it.JSON["i"].(float64)))
		if len(it.PairedItem) != 1 || it.PairedItem[0].Item != got[len(got)-1] {
			t.Fatalf("item %v lost its pairing: %v", it.JSON, it.PairedItem)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("not a permutation: %v", got)
	}
}

func TestSortValidate(t *testing.T) {
	runValidateCases(t, "n8n-nodes-base.sort", []validateCase{
		{"simple", 1, `{"sortFieldsUi":{"sortField":[{"fieldName":"a","order":"descending"}]}}`, ""},
		{"no fields", 1, `{"sortFieldsUi":{}}`, "sortFieldsUi"},
		{"blank field name", 1, `{"sortFieldsUi":{"sortField":[{"fieldName":""}]}}`, "sortFieldsUi.sortField[0].fieldName"},
		{"field name from an expression", 1, `{"sortFieldsUi":{"sortField":[{"fieldName":"={{ 'a' }}"}]}}`, ""},
		{"bad order", 1, `{"sortFieldsUi":{"sortField":[{"fieldName":"a","order":"up"}]}}`, "sortFieldsUi.sortField[0].order"},
		{"random", 1, `{"type":"random"}`, ""},
		{"code", 1, `{"type":"code","code":"return 0;"}`, ""},
		{"code without return", 1, `{"type":"code","code":"0"}`, "code"},
		{"unknown type", 1, `{"type":"smart"}`, "type"},
	})
}

func TestLimit(t *testing.T) {
	six := `[[{"i":1},{"i":2},{"i":3},{"i":4},{"i":5},{"i":6}]]`
	runNodeCases(t, "n8n-nodes-base.limit", []nodeCase{
		{name: "first items", version: 1, params: `{"maxItems":2}`, in: six, want: `[[{"i":1},{"i":2}]]`},
		{name: "last items", version: 1, params: `{"maxItems":2,"keep":"lastItems"}`, in: six, want: `[[{"i":5},{"i":6}]]`},
		{name: "default keeps one", version: 1, params: `{}`, in: six, want: `[[{"i":1}]]`},
		{name: "more than there are", version: 1, params: `{"maxItems":10,"keep":"lastItems"}`, in: six, want: six},
		{name: "exactly as many", version: 1, params: `{"maxItems":6}`, in: six, want: six},
		{name: "from an expression", version: 1, params: `{"maxItems":"={{ 1 + 2 }}"}`, in: six, want: `[[{"i":1},{"i":2},{"i":3}]]`},
		{name: "empty input", version: 1, params: `{"maxItems":3}`, in: `[[]]`, want: `[]`},
		{name: "not a number", version: 1, params: `{"maxItems":"={{ 'many' }}"}`, in: six, wantErr: "must be a number"},
	})
	runValidateCases(t, "n8n-nodes-base.limit", []validateCase{
		{"ok", 1, `{"maxItems":3,"keep":"lastItems"}`, ""},
		{"zero", 1, `{"maxItems":0}`, "maxItems"},
		{"bad keep", 1, `{"keep":"middle"}`, "keep"},
	})
}
