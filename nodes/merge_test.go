package nodes

import (
	"github.com/weft/weft/nodes/corpus"

	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// nodeCase is one table row for a data node: parameters and inputs as JSON,
// the expected outputs as JSON (trailing empty outputs ignored) or an error.
type nodeCase struct {
	name    string
	version float64
	params  string
	in      string // JSON array of inputs, each an array of item json
	want    string // JSON array of outputs, each an array of item json
	wantErr string
}

// execNode runs one node of type typ on inputs given as JSON.
func execNode(t *testing.T, typ string, version float64, params, inputs string) ([][]Item, *Context, error) {
	t.Helper()
	n := &NodeInstance{Name: "Node", Type: typ, TypeVersion: version, Parameters: map[string]any{}}
	if params != "" {
		if err := json.Unmarshal([]byte(params), &n.Parameters); err != nil {
			t.Fatalf("params: %v", err)
		}
	}
	in := decodeInputs(t, inputs)
	w := &Workflow{Name: "t", Nodes: []*NodeInstance{n}}
	ctx := mergeTestContext(w, n, 0, in, nil, nil)
	out, err := Lookup(typ).Node.Execute(ctx, in)
	return out, ctx, err
}

func decodeInputs(t *testing.T, inputs string) [][]Item {
	t.Helper()
	var raw [][]map[string]any
	if inputs != "" {
		if err := json.Unmarshal([]byte(inputs), &raw); err != nil {
			t.Fatalf("inputs: %v", err)
		}
	}
	in := make([][]Item, len(raw))
	for k, list := range raw {
		in[k] = []Item{}
		for _, j := range list {
			in[k] = append(in[k], NewItem(j))
		}
	}
	return in
}

// runNodeCases runs a table of nodeCase against a node type.
func runNodeCases(t *testing.T, typ string, cases []nodeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := execNode(t, typ, c.version, c.params, c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("want error containing %q, got %v (output %v)", c.wantErr, err, out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertOutputs(t, out, c.want)
		})
	}
}

func assertOutputs(t *testing.T, out [][]Item, want string) {
	t.Helper()
	var w []any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	g := itemOutputs(out)
	w = corpus.Outputs(w)
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		t.Fatalf("outputs differ\n got: %s\nwant: %s", gb, wb)
	}
}

// validateCase is one Validate table row: parameters and the parameter path
// the error must name ("" for valid).
type validateCase struct {
	name    string
	version float64
	params  string
	path    string
}

func runValidateCases(t *testing.T, typ string, cases []validateCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := &NodeInstance{Name: "Node", Type: typ, TypeVersion: c.version, Parameters: map[string]any{}}
			if err := json.Unmarshal([]byte(c.params), &n.Parameters); err != nil {
				t.Fatal(err)
			}
			err := Lookup(typ).Node.Validate(n)
			if c.path == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			pe, ok := err.(*ParamError)
			if !ok {
				t.Fatalf("want a ParamError at %q, got %v", c.path, err)
			}
			if pe.Path != c.path {
				t.Fatalf("error names %q, want %q (%v)", pe.Path, c.path, err)
			}
		})
	}
}

const (
	users  = `[{"id":1,"name":"Ann","tags":["a"]},{"id":2,"name":"Bob"},{"id":3,"name":"Cid"}]`
	orders = `[{"id":2,"order":"A-1","name":"other"},{"id":1,"order":"B-7"},{"id":2,"order":"C-3"},{"id":9,"order":"Z-0"}]`
)

func TestMergeCombineByFields(t *testing.T) {
	in := `[` + users + `,` + orders + `]`
	runNodeCases(t, "n8n-nodes-base.merge", []nodeCase{
		{name: "keepMatches: input 2 wins clashes, one item per match", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id"}`, in: in,
			want: `[[{"id":1,"name":"Ann","tags":["a"],"order":"B-7"},{"id":2,"name":"other","order":"A-1"},{"id":2,"name":"Bob","order":"C-3"}]]`},
		{name: "preferInput1", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","options":{"clashHandling":{"values":{"resolveClash":"preferInput1"}}}}`, in: in,
			want: `[[{"id":1,"name":"Ann","tags":["a"],"order":"B-7"},{"id":2,"name":"Bob","order":"A-1"},{"id":2,"name":"Bob","order":"C-3"}]]`},
		{name: "addSuffix", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","options":{"clashHandling":{"values":{"resolveClash":"addSuffix"}}}}`,
			in:     `[[{"id":1,"a":"x"}],[{"id":1,"a":"y"}]]`,
			want:   `[[{"id_1":1,"a_1":"x","id_2":1,"a_2":"y"}]]`},
		{name: "multiple matches: first only", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","options":{"multipleMatches":"first"}}`, in: in,
			want: `[[{"id":1,"name":"Ann","tags":["a"],"order":"B-7"},{"id":2,"name":"other","order":"A-1"}]]`},
		{name: "keepMatches from input 1 groups matches", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","outputDataFrom":"input1"}`, in: in,
			want: `[[{"id":1,"name":"Ann","tags":["a"]},{"id":2,"name":"Bob"}]]`},
		{name: "keepMatches from input 2", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","outputDataFrom":"input2"}`, in: in,
			want: `[[{"id":2,"order":"A-1","name":"other"},{"id":1,"order":"B-7"},{"id":2,"order":"C-3"}]]`},
		{name: "keepNonMatches from both marks the source", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"keepNonMatches"}`, in: in,
			want: `[[{"id":3,"name":"Cid","_source":"input1"},{"id":9,"order":"Z-0","_source":"input2"}]]`},
		{name: "keepEverything", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"keepEverything"}`,
			in:     `[[{"id":1,"a":1},{"id":2}],[{"id":1,"b":2},{"id":3}]]`,
			want:   `[[{"id":1,"a":1,"b":2},{"id":2},{"id":3}]]`},
		{name: "enrichInput1 keeps unmatched input 1", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"enrichInput1"}`,
			in:     `[[{"id":1,"v":"a"},{"id":2,"v":"b"}],[{"id":1,"v":"B"}]]`,
			want:   `[[{"id":1,"v":"B"},{"id":2,"v":"b"}]]`},
		{name: "enrichInput2 prefers input 1 by default", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"enrichInput2"}`,
			in:     `[[{"id":1,"v":"a"}],[{"id":1,"v":"B"},{"id":5,"v":"C"}]]`,
			want:   `[[{"id":1,"v":"a"},{"id":5,"v":"C"}]]`},
		{name: "nested field with dot notation", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"user.id"}`,
			in:     `[[{"user":{"id":7,"n":"a"}}],[{"user":{"id":7,"m":"b"}}]]`,
			want:   `[[{"user":{"id":7,"n":"a","m":"b"}}]]`},
		{name: "disableDotNotation matches a literal key", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"user.id","options":{"disableDotNotation":true}}`,
			in:     `[[{"user.id":7,"a":1},{"user":{"id":7}}],[{"user.id":7,"b":2}]]`,
			want:   `[[{"user.id":7,"a":1,"b":2}]]`},
		{name: "advanced: fields with different names", version: 3,
			params: `{"mode":"combine","advanced":true,"mergeByFields":{"values":[{"field1":"uid","field2":"userId"}]}}`,
			in:     `[[{"uid":1,"a":1}],[{"userId":1,"b":2}]]`,
			want:   `[[{"uid":1,"a":1,"userId":1,"b":2}]]`},
		{name: "strict comparison: 1 and \"1\" differ", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id"}`,
			in:     `[[{"id":1}],[{"id":"1","x":1}]]`, want: `[[]]`},
		{name: "fuzzy comparison: 1 and \"1\" match", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","options":{"fuzzyCompare":true}}`,
			in:     `[[{"id":1}],[{"id":"1","x":1}]]`, want: `[[{"id":"1","x":1}]]`},
		{name: "an item missing the field does not match", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"keepNonMatches","outputDataFrom":"input1"}`,
			in:     `[[{"x":1},{"id":null}],[{"id":null}]]`, want: `[[{"x":1}]]`},
		{name: "deep merge merges nested objects and arrays by index", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id"}`,
			in:     `[[{"id":1,"o":{"a":1,"b":1},"l":[1,2,3]}],[{"id":1,"o":{"b":2},"l":[9]}]]`,
			want:   `[[{"id":1,"o":{"a":1,"b":2},"l":[9,2,3]}]]`},
		{name: "shallow merge replaces nested objects", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","options":{"clashHandling":{"values":{"resolveClash":"preferLast","mergeMode":"shallowMerge"}}}}`,
			in:     `[[{"id":1,"o":{"a":1,"b":1}}],[{"id":1,"o":{"b":2}}]]`,
			want:   `[[{"id":1,"o":{"b":2}}]]`},
		{name: "overrideEmpty keeps the non-empty value", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","options":{"clashHandling":{"values":{"resolveClash":"preferLast","overrideEmpty":true}}}}`,
			in:     `[[{"id":1,"a":"x","b":"y","c":null}],[{"id":1,"a":"","b":null,"c":"z","d":null}]]`,
			want:   `[[{"id":1,"a":"x","b":"y","c":"z","d":null}]]`},
		{name: "empty input 2: keepMatches outputs nothing", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id"}`, in: `[[{"id":1}],[]]`, want: `[]`},
		{name: "empty input 2: enrichInput1 passes input 1 through", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"enrichInput1"}`, in: `[[{"id":1}],[]]`, want: `[[{"id":1}]]`},
		{name: "empty input 2: keepNonMatches both passes input 1 without _source", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"keepNonMatches"}`, in: `[[{"id":1}],[]]`, want: `[[{"id":1}]]`},
		{name: "empty input 1: keepNonMatches from input 1 is empty", version: 3.2,
			params: `{"mode":"combine","fieldsToMatchString":"id","joinMode":"keepNonMatches","outputDataFrom":"input1"}`, in: `[[],[{"id":1}]]`, want: `[]`},
		{name: "no field to match", version: 3.2,
			params: `{"mode":"combine"}`, in: in, wantErr: `define at least one pair of fields`},
		{name: "version 2 merges by fields, input 2 wins", version: 2.1,
			params: `{"mode":"combine","mergeByFields":{"values":[{"field1":"id","field2":"id"}]}}`,
			in:     `[[{"id":1,"v":"a"}],[{"id":1,"v":"b"}]]`, want: `[[{"id":1,"v":"b"}]]`},
		{name: "version 2 preferInput2", version: 2.1,
			params: `{"mode":"combine","mergeByFields":{"values":[{"field1":"id","field2":"id"}]},"options":{"clashHandling":{"values":{"resolveClash":"preferInput2"}}}}`,
			in:     `[[{"id":1,"v":"a"}],[{"id":1,"v":"b"}]]`, want: `[[{"id":1,"v":"b"}]]`},
		{name: "version 2.0 requires the field in some item", version: 2,
			params: `{"mode":"combine","mergeByFields":{"values":[{"field1":"id","field2":"key"}]}}`,
			in:     `[[{"id":1}],[{"id":1}]]`, wantErr: `Field 'key' is not present in any of items in 'Input 2'`},
	})
}

func TestMergeModes(t *testing.T) {
	runNodeCases(t, "n8n-nodes-base.merge", []nodeCase{
		{name: "append is the default", version: 3.2, params: `{}`,
			in: `[[{"a":1}],[{"b":1},{"b":2}]]`, want: `[[{"a":1},{"b":1},{"b":2}]]`},
		{name: "append with three inputs", version: 3.2, params: `{"numberInputs":3}`,
			in: `[[{"a":1}],[],[{"c":1}]]`, want: `[[{"a":1},{"c":1}]]`},
		{name: "append with an input never given", version: 3.2, params: `{}`,
			in: `[[{"a":1}]]`, want: `[[{"a":1}]]`},
		{name: "position: input 2 wins, unpaired dropped", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineByPosition"}`,
			in:     `[[{"n":"a","k":1},{"n":"b","k":2}],[{"k":10}]]`, want: `[[{"n":"a","k":10}]]`},
		{name: "position: includeUnpaired", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineByPosition","options":{"includeUnpaired":true}}`,
			in:     `[[{"n":"a","k":1},{"n":"b","k":2}],[{"k":10}]]`, want: `[[{"n":"a","k":10},{"n":"b","k":2}]]`},
		{name: "position: preferInput1", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineByPosition","options":{"clashHandling":{"values":{"resolveClash":"preferInput1"}}}}`,
			in:     `[[{"k":1}],[{"k":10,"x":1}]]`, want: `[[{"k":1,"x":1}]]`},
		{name: "position: addSuffix also keeps the last input's fields (as n8n)", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineByPosition","options":{"clashHandling":{"values":{"resolveClash":"addSuffix"}}}}`,
			in:     `[[{"k":1}],[{"k":10}]]`, want: `[[{"k_1":1,"k_2":10,"k":10}]]`},
		{name: "position: three inputs, last wins", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineByPosition","numberInputs":3}`,
			in:     `[[{"k":1,"a":1}],[{"k":2,"b":1}],[{"k":3}]]`, want: `[[{"k":3,"a":1,"b":1}]]`},
		{name: "position: an empty input gives nothing", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineByPosition"}`,
			in:     `[[{"k":1}],[]]`, want: `[]`},
		{name: "all combinations, input 1 major", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineAll"}`,
			in:     `[[{"c":"r","x":1},{"c":"b"}],[{"s":"S","x":2},{"s":"M"}]]`,
			want:   `[[{"c":"r","x":2,"s":"S"},{"c":"r","x":1,"s":"M"},{"c":"b","s":"S","x":2},{"c":"b","s":"M"}]]`},
		{name: "all combinations preferring input 1 iterates input 2 first (as n8n)", version: 3.2,
			params: `{"mode":"combine","combineBy":"combineAll","options":{"clashHandling":{"values":{"resolveClash":"preferInput1"}}}}`,
			in:     `[[{"c":"r","x":1},{"c":"b"}],[{"s":"S","x":2}]]`,
			want:   `[[{"c":"r","x":1,"s":"S"},{"c":"b","s":"S","x":2}]]`},
		{name: "chooseBranch: specified input", version: 3.2,
			params: `{"mode":"chooseBranch","useDataOfInput":2}`,
			in:     `[[{"a":1}],[{"b":1},{"b":2}]]`, want: `[[{"b":1},{"b":2}]]`},
		{name: "chooseBranch: default input 1", version: 3.2,
			params: `{"mode":"chooseBranch"}`,
			in:     `[[{"a":1}],[{"b":1}]]`, want: `[[{"a":1}]]`},
		{name: "chooseBranch: a single empty item", version: 3.2,
			params: `{"mode":"chooseBranch","output":"empty"}`,
			in:     `[[{"a":1}],[{"b":1}]]`, want: `[[{}]]`},
		{name: "chooseBranch: input that does not exist", version: 3.2,
			params: `{"mode":"chooseBranch","useDataOfInput":3}`,
			in:     `[[{"a":1}],[{"b":1}]]`, wantErr: "Input 3 doesn't exist"},
		{name: "version 2 chooseBranch input2", version: 2.1,
			params: `{"mode":"chooseBranch","output":"input2"}`,
			in:     `[[{"a":1}],[{"b":1}]]`, want: `[[{"b":1}]]`},
		{name: "version 2 position with unpaired", version: 2,
			params: `{"mode":"combine","combinationMode":"mergeByPosition","options":{"includeUnpaired":true}}`,
			in:     `[[{"a":1}],[{"a":2},{"b":3}]]`, want: `[[{"a":2},{"b":3}]]`},
		{name: "version 2 position with an empty input passes the other", version: 2,
			params: `{"mode":"combine","combinationMode":"mergeByPosition"}`,
			in:     `[[],[{"b":3}]]`, want: `[[{"b":3}]]`},
		{name: "version 2 multiplex", version: 2,
			params: `{"mode":"combine","combinationMode":"multiplex"}`,
			in:     `[[{"a":1},{"a":2}],[{"b":1}]]`, want: `[[{"a":1,"b":1},{"a":2,"b":1}]]`},
	})
}

func TestMergePairedItems(t *testing.T) {
	cases := []struct {
		name, params, in string
		want             []PairedItems
	}{
		{"append keeps each item's origin", `{}`, `[[{"a":1}],[{"b":1}]]`,
			[]PairedItems{{{Item: 0}}, {{Item: 0, Input: 1}}}},
		{"matched items point at both inputs", `{"mode":"combine","fieldsToMatchString":"id"}`, `[[{"id":1},{"id":2}],[{"id":2}]]`,
			[]PairedItems{{{Item: 1}, {Item: 0, Input: 1}}}},
		{"the empty item points at every input item", `{"mode":"chooseBranch","output":"empty"}`, `[[{"a":1},{"a":2}],[{"b":1}]]`,
			[]PairedItems{{{Item: 0}, {Item: 1}, {Item: 0, Input: 1}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := execNode(t, "n8n-nodes-base.merge", 3.2, c.params, c.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []PairedItems
			for _, it := range out[0] {
				got = append(got, it.PairedItem)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("pairedItem = %v, want %v", got, c.want)
			}
		})
	}
}

func TestMergeDoesNotChangeItsInputs(t *testing.T) {
	in := decodeInputs(t, `[[{"id":1,"o":{"a":1}}],[{"id":1,"o":{"b":2}}]]`)
	n := &NodeInstance{Name: "M", Type: "n8n-nodes-base.merge", TypeVersion: 3.2,
		Parameters: map[string]any{"mode": "combine", "fieldsToMatchString": "id"}}
	ctx := mergeTestContext(&Workflow{Nodes: []*NodeInstance{n}}, n, 0, in, nil, nil)
	if _, err := (Merge{}).Execute(ctx, in); err != nil {
		t.Fatal(err)
	}
	if o := in[0][0].JSON["o"].(map[string]any); len(o) != 1 {
		t.Fatalf("input 1 was changed: %v", o)
	}
}

func TestMergeInputs(t *testing.T) {
	d := Lookup("n8n-nodes-base.merge").Description
	for _, c := range []struct {
		version float64
		params  map[string]any
		want    int
	}{
		{3.2, map[string]any{}, 2},
		{3.2, map[string]any{"numberInputs": 4.0}, 4},
		{3, map[string]any{"numberInputs": 10.0}, 10},
		{2.1, map[string]any{"numberInputs": 4.0}, 2},
	} {
		n := &NodeInstance{TypeVersion: c.version, Parameters: c.params}
		if got := d.InputCount(n); got != c.want {
			t.Errorf("v%v %v: %d inputs, want %d", c.version, c.params, got, c.want)
		}
	}
}

func TestMergeValidate(t *testing.T) {
	runValidateCases(t, "n8n-nodes-base.merge", []validateCase{
		{"append", 3.2, `{}`, ""},
		{"combine by fields", 3.2, `{"mode":"combine","fieldsToMatchString":"id, name"}`, ""},
		{"fields from an expression", 3.2, `{"mode":"combine","fieldsToMatchString":"={{ 'id' }}"}`, ""},
		{"unknown mode", 3.2, `{"mode":"zip"}`, "mode"},
		{"sql is refused", 3.2, `{"mode":"combineBySql","query":"SELECT * FROM input1"}`, "mode"},
		{"unknown combineBy", 3.2, `{"mode":"combine","combineBy":"zip"}`, "combineBy"},
		{"no fields to match", 3.2, `{"mode":"combine"}`, "fieldsToMatchString"},
		{"advanced pair half empty", 3.2, `{"mode":"combine","advanced":true,"mergeByFields":{"values":[{"field1":"a","field2":""}]}}`, "mergeByFields.values[0].field2"},
		{"unknown joinMode", 3.2, `{"mode":"combine","fieldsToMatchString":"id","joinMode":"outer"}`, "joinMode"},
		{"unknown outputDataFrom", 3.2, `{"mode":"combine","fieldsToMatchString":"id","outputDataFrom":"input3"}`, "outputDataFrom"},
		{"numberInputs out of range", 3.2, `{"numberInputs":11}`, "numberInputs"},
		{"useDataOfInput beyond inputs", 3.2, `{"mode":"chooseBranch","useDataOfInput":3}`, "useDataOfInput"},
		{"useDataOfInput within numberInputs", 3.2, `{"mode":"chooseBranch","useDataOfInput":3,"numberInputs":3}`, ""},
		{"v3 output must be specifiedInput or empty", 3.2, `{"mode":"chooseBranch","output":"input2"}`, "output"},
		{"v2 output input2", 2.1, `{"mode":"chooseBranch","output":"input2"}`, ""},
		{"v2 combinationMode", 2, `{"mode":"combine","combinationMode":"zip"}`, "combinationMode"},
		{"v2 sql mode does not exist", 2, `{"mode":"combineBySql"}`, "mode"},
		{"v2 missing pairs", 2, `{"mode":"combine","mergeByFields":{"values":[]}}`, "mergeByFields"},
		{"bad resolveClash", 3.2, `{"mode":"combine","combineBy":"combineAll","options":{"clashHandling":{"values":{"resolveClash":"preferInput2"}}}}`, ""},
		{"unknown resolveClash", 3.2, `{"mode":"combine","combineBy":"combineAll","options":{"clashHandling":{"values":{"resolveClash":"preferNobody"}}}}`, "options.clashHandling.values.resolveClash"},
		{"preferLast is v3 only", 2, `{"mode":"combine","combinationMode":"multiplex","options":{"clashHandling":{"values":{"resolveClash":"preferLast"}}}}`, "options.clashHandling.values.resolveClash"},
		{"unknown mergeMode", 3.2, `{"options":{"clashHandling":{"values":{"mergeMode":"zip"}}}}`, "options.clashHandling.values.mergeMode"},
		{"unknown multipleMatches", 3.2, `{"options":{"multipleMatches":"some"}}`, "options.multipleMatches"},
	})
}
