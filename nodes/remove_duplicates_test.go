package nodes

import (
	"reflect"
	"testing"
)

func TestRemoveDuplicates(t *testing.T) {
	mails := `[[{"email":"a@x.io","n":1},{"email":"b@x.io","n":2},{"email":"a@x.io","n":3},{"email":"b@x.io","n":2},{"email":"c@x.io","n":5}]]`
	runNodeCases(t, "n8n-nodes-base.removeDuplicates", []nodeCase{
		{name: "all fields, first kept", version: 2, params: `{}`, in: mails,
			want: `[[{"email":"a@x.io","n":1},{"email":"b@x.io","n":2},{"email":"a@x.io","n":3},{"email":"c@x.io","n":5}]]`},
		{name: "selected field", version: 2, params: `{"compare":"selectedFields","fieldsToCompare":"email"}`, in: mails,
			want: `[[{"email":"a@x.io","n":1},{"email":"b@x.io","n":2},{"email":"c@x.io","n":5}]]`},
		{name: "all fields except", version: 2, params: `{"compare":"allFieldsExcept","fieldsToExclude":"n"}`, in: mails,
			want: `[[{"email":"a@x.io","n":1},{"email":"b@x.io","n":2},{"email":"c@x.io","n":5}]]`},
		{name: "version 1", version: 1, params: `{"compare":"selectedFields","fieldsToCompare":"email"}`, in: mails,
			want: `[[{"email":"a@x.io","n":1},{"email":"b@x.io","n":2},{"email":"c@x.io","n":5}]]`},
		{name: "nested fields with dot notation", version: 2, params: `{"compare":"selectedFields","fieldsToCompare":"u.id"}`,
			in:   `[[{"u":{"id":1,"x":1}},{"u":{"id":2}},{"u":{"id":1,"x":2}}]]`,
			want: `[[{"u":{"id":1,"x":1}},{"u":{"id":2}}]]`},
		{name: "all fields compares nested leaves", version: 2, params: `{}`,
			in:   `[[{"u":{"id":1},"t":[1,2]},{"u":{"id":1},"t":[1,2]},{"u":{"id":1},"t":[1,3]}]]`,
			want: `[[{"u":{"id":1},"t":[1,2]},{"u":{"id":1},"t":[1,3]}]]`},
		{name: "disableDotNotation compares whole values", version: 2,
			params: `{"compare":"selectedFields","fieldsToCompare":"u","options":{"disableDotNotation":true}}`,
			in:     `[[{"u":{"id":1}},{"u":{"id":1}},{"u":{"id":2}}]]`,
			want:   `[[{"u":{"id":1}},{"u":{"id":2}}]]`},
		{name: "removeOtherFields keeps compared fields only", version: 2,
			params: `{"compare":"selectedFields","fieldsToCompare":"email","options":{"removeOtherFields":true}}`, in: mails,
			want: `[[{"email":"a@x.io"},{"email":"b@x.io"},{"email":"c@x.io"}]]`},
		{name: "null is allowed beside strings from version 1.1 on", version: 2,
			params: `{"compare":"selectedFields","fieldsToCompare":"e"}`,
			in:     `[[{"e":null},{"e":null},{"e":"a"}]]`, want: `[[{"e":null},{"e":"a"}]]`},
		// null and a string compare as "after" both ways, V8's sort leaves
		// the order alone and the two nulls are never neighbours: n8n keeps
		// both.
		{name: "duplicates the sort does not bring together stay (as n8n)", version: 2,
			params: `{"compare":"selectedFields","fieldsToCompare":"e"}`,
			in:     `[[{"e":null},{"e":"a"},{"e":null}]]`, want: `[[{"e":null},{"e":"a"},{"e":null}]]`},
		{name: "null beside strings fails in version 1", version: 1,
			params: `{"compare":"selectedFields","fieldsToCompare":"e"}`,
			in:     `[[{"e":null},{"e":"a"}]]`, wantErr: "'e' isn't always the same type"},
		{name: "mixed types fail", version: 2, params: `{"compare":"selectedFields","fieldsToCompare":"e"}`,
			in: `[[{"e":1},{"e":"1"}]]`, wantErr: "'e' isn't always the same type"},
		{name: "a field missing from some item fails", version: 2, params: `{}`,
			in: `[[{"a":1},{"b":1}]]`, wantErr: "field is missing from some input items"},
		{name: "no fields to compare", version: 2, params: `{"compare":"selectedFields","fieldsToCompare":" , "}`, in: mails,
			wantErr: "No fields specified"},
		{name: "no input items", version: 2, params: `{}`, in: `[[]]`, wantErr: "Cannot read properties of undefined"},
		{name: "single item", version: 2, params: `{}`, in: `[[{"a":1}]]`, want: `[[{"a":1}]]`},
	})
}

func TestRemoveDuplicatesPairedItems(t *testing.T) {
	in := `[[{"e":"a","n":1},{"e":"a","n":2},{"e":"b","n":3}]]`
	out, _, err := execNode(t, "n8n-nodes-base.removeDuplicates", 2, `{"compare":"selectedFields","fieldsToCompare":"e"}`, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := []PairedItems{out[0][0].PairedItem, out[0][1].PairedItem}; !reflect.DeepEqual(got, []PairedItems{{{Item: 0}}, {{Item: 2}}}) {
		t.Errorf("kept items pair with their input position: %v", got)
	}
	out, _, err = execNode(t, "n8n-nodes-base.removeDuplicates", 2, `{"compare":"selectedFields","fieldsToCompare":"e","options":{"removeOtherFields":true}}`, in)
	if err != nil {
		t.Fatal(err)
	}
	// n8n pairs reduced items with their position in the output.
	if got := out[0][1].PairedItem; !reflect.DeepEqual(got, PairedItems{{Item: 1}}) {
		t.Errorf("removeOtherFields pairing: %v", got)
	}
}

func TestRemoveDuplicatesValidate(t *testing.T) {
	runValidateCases(t, "n8n-nodes-base.removeDuplicates", []validateCase{
		{"default", 2, `{}`, ""},
		{"selected", 2, `{"compare":"selectedFields","fieldsToCompare":"a,b"}`, ""},
		{"selected without fields", 2, `{"compare":"selectedFields"}`, "fieldsToCompare"},
		{"selected from an expression", 2, `{"compare":"selectedFields","fieldsToCompare":"={{ 'a' }}"}`, ""},
		{"except without fields", 1, `{"compare":"allFieldsExcept","fieldsToExclude":""}`, "fieldsToExclude"},
		{"unknown compare", 2, `{"compare":"some"}`, "compare"},
		{"history across executions is refused", 2, `{"operation":"removeItemsSeenInPreviousExecutions","logic":"removeItemsWithAlreadySeenKeyValues","keyField":"={{ $json.id }}"}`, "operation"},
		{"clearing the history is refused", 2, `{"operation":"clearDeduplicationHistory"}`, "operation"},
		{"unknown operation", 2, `{"operation":"dedupe"}`, "operation"},
	})
}

func TestCompareDatasets(t *testing.T) {
	match := `"mergeByFields":{"values":[{"field1":"id","field2":"id"}]}`
	in := `[[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":3,"v":"c"}],[{"id":2,"v":"b"},{"id":3,"v":"C"},{"id":4,"v":"d"}]]`
	runNodeCases(t, "n8n-nodes-base.compareDatasets", []nodeCase{
		{name: "four outputs, both versions of differences (2.3)", version: 2.3, params: `{` + match + `}`, in: in,
			want: `[[{"id":1,"v":"a"}],[{"id":2,"v":"b"}],[{"keys":{"id":3},"same":{"id":3},"different":{"v":{"inputA":"c","inputB":"C"}}}],[{"id":4,"v":"d"}]]`},
		{name: "version 1 defaults to input B's version", version: 1, params: `{` + match + `}`, in: in,
			want: `[[{"id":1,"v":"a"}],[{"id":2,"v":"b"}],[{"id":3,"v":"C"}],[{"id":4,"v":"d"}]]`},
		{name: "version 1 includeBoth names the inputs input1/input2", version: 1, params: `{` + match + `,"resolve":"includeBoth"}`, in: in,
			want: `[[{"id":1,"v":"a"}],[{"id":2,"v":"b"}],[{"keys":{"id":3},"same":{"id":3},"different":{"v":{"input1":"c","input2":"C"}}}],[{"id":4,"v":"d"}]]`},
		{name: "prefer input A", version: 2.3, params: `{` + match + `,"resolve":"preferInput1"}`, in: in,
			want: `[[{"id":1,"v":"a"}],[{"id":2,"v":"b"}],[{"id":3,"v":"c"}],[{"id":4,"v":"d"}]]`},
		{name: "mix: prefer A except v", version: 2.3, params: `{` + match + `,"resolve":"mix","preferWhenMix":"input1","exceptWhenMix":"v"}`,
			in:   `[[{"id":3,"v":"c","w":"x"}],[{"id":3,"v":"C","w":"y"}]]`,
			want: `[[],[],[{"id":3,"v":"C","w":"x"}],[]]`},
		{name: "mix: a falsy value from the other input becomes null", version: 2.3, params: `{` + match + `,"resolve":"mix","exceptWhenMix":"v"}`,
			in:   `[[{"id":3,"v":"c","w":1}],[{"id":3,"v":0,"w":2}]]`,
			want: `[[],[],[{"id":3,"v":null,"w":1}],[]]`},
		{name: "skipped fields", version: 2.3, params: `{` + match + `,"options":{"skipFields":"t"}}`,
			in:   `[[{"id":1,"v":"a","t":1},{"id":2,"v":"b","t":1}],[{"id":1,"v":"a","t":2},{"id":2,"v":"B","t":2}]]`,
			want: `[[],[{"id":1,"v":"a","t":1}],[{"keys":{"id":2},"same":{"id":2},"different":{"v":{"inputA":"b","inputB":"B"}},"skipped":{"t":{"inputA":1,"inputB":2}}}],[]]`},
		{name: "skipped nested field", version: 2.3, params: `{` + match + `,"options":{"skipFields":"o.t"}}`,
			in:   `[[{"id":1,"o":{"a":1,"t":1}}],[{"id":1,"o":{"a":2,"t":2}}]]`,
			want: `[[],[],[{"keys":{"id":1},"same":{"id":1},"different":{"o":{"inputA":{"a":1},"inputB":{"a":2}}},"skipped":{"o":{"inputA":{"t":1},"inputB":{"t":2}}}}],[]]`},
		{name: "fuzzy compare", version: 2.3, params: `{` + match + `,"fuzzyCompare":true}`,
			in:   `[[{"id":1,"v":"5"}],[{"id":"1","v":5}]]`,
			want: `[[],[{"id":1,"v":"5"}],[],[]]`},
		{name: "fuzzy compare preferring B outputs B's version of the same", version: 2.3, params: `{` + match + `,"fuzzyCompare":true,"resolve":"preferInput2"}`,
			in:   `[[{"id":1,"v":"5"}],[{"id":"1","v":5}]]`,
			want: `[[],[{"id":"1","v":5}],[],[]]`},
		{name: "missing field compared as null from version 2", version: 2.3, params: `{` + match + `}`,
			in:   `[[{"id":1,"v":1}],[{"id":1,"w":2}]]`,
			want: `[[],[],[{"keys":{"id":1},"same":{"id":1},"different":{"v":{"inputA":1,"inputB":null},"w":{"inputA":null,"inputB":2}}}],[]]`},
		{name: "all matches", version: 2.3, params: `{` + match + `,"options":{"multipleMatches":"all"},"resolve":"preferInput2"}`,
			in:   `[[{"id":1,"v":1}],[{"id":1,"v":2},{"id":1,"v":1}]]`,
			want: `[[],[{"id":1,"v":1}],[{"id":1,"v":2}],[]]`},
		{name: "empty items are ignored", version: 2.3, params: `{` + match + `}`,
			in: `[[{}],[{"id":1}]]`, want: `[[],[],[],[{"id":1}]]`},
		{name: "one input empty", version: 2.3, params: `{` + match + `}`,
			in: `[[{"id":1}],[]]`, want: `[[{"id":1}]]`},
		{name: "field absent from input B fails before 2.2", version: 2.1, params: `{"mergeByFields":{"values":[{"field1":"id","field2":"key"}]}}`,
			in: `[[{"id":1}],[{"id":1}]]`, wantErr: "Field 'key' is not present in any of items in 'Input B'"},
		{name: "field absent from input B from 2.2 on", version: 2.2, params: `{"mergeByFields":{"values":[{"field1":"id","field2":"key"}]}}`,
			in: `[[{"id":1}],[{"id":1}]]`, want: `[[{"id":1}],[],[],[{"id":1}]]`},
		{name: "no fields to match", version: 2.3, params: `{}`, in: in, wantErr: "define at least one pair"},
	})
}

func TestCompareDatasetsValidate(t *testing.T) {
	match := `"mergeByFields":{"values":[{"field1":"id","field2":"id"}]}`
	runValidateCases(t, "n8n-nodes-base.compareDatasets", []validateCase{
		{"ok", 2.3, `{` + match + `}`, ""},
		{"no pairs", 2.3, `{}`, "mergeByFields"},
		{"half a pair", 2.3, `{"mergeByFields":{"values":[{"field1":"id"}]}}`, "mergeByFields.values[0].field2"},
		{"unknown resolve", 2.3, `{` + match + `,"resolve":"merge"}`, "resolve"},
		{"unknown preferWhenMix", 2.3, `{` + match + `,"resolve":"mix","preferWhenMix":"input3"}`, "preferWhenMix"},
		{"unknown multipleMatches", 2.3, `{` + match + `,"options":{"multipleMatches":"some"}}`, "options.multipleMatches"},
		{"dotted skip field without dot notation", 2.3, `{` + match + `,"options":{"disableDotNotation":true,"skipFields":"a.b"}}`, "options.skipFields"},
	})
	d := Lookup("n8n-nodes-base.compareDatasets").Description
	if n := (&NodeInstance{TypeVersion: 2.3}); d.InputCount(n) != 2 || d.OutputCount(n) != 4 {
		t.Errorf("inputs %d, outputs %d", d.InputCount(n), d.OutputCount(n))
	}
}
