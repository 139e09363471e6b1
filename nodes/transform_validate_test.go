package nodes

import (
	"errors"
	"strings"
	"testing"
)

func TestTransformValidate(t *testing.T) {
	cases := []struct {
		name    string
		typ     string
		version float64
		params  string
		path    string // "" when valid, "*" for an error on no one parameter
	}{
		{"aggregate defaults", "aggregate", 1, `{}`, ""},
		{"aggregate unknown mode", "aggregate", 1, `{"aggregate":"everything"}`, "aggregate"},
		{"aggregate empty list", "aggregate", 1, `{"fieldsToAggregate":{}}`, "fieldsToAggregate.fieldToAggregate"},
		{"aggregate expression mode", "aggregate", 1, `{"aggregate":"={{ 'x' }}"}`, ""},
		{"aggregate unknown include", "aggregate", 1, `{"aggregate":"aggregateAllItemData","include":"some"}`, "include"},
		{"aggregate bad field type", "aggregate", 1, `{"fieldsToAggregate":{"fieldToAggregate":[{"fieldToAggregate":5}]}}`, "*"},
		{"split out missing field", "splitOut", 1, `{}`, "fieldToSplitOut"},
		{"split out blank field", "splitOut", 1, `{"fieldToSplitOut":" , "}`, "fieldToSplitOut"},
		{"split out expression field", "splitOut", 1, `{"fieldToSplitOut":"={{ $json.f }}"}`, ""},
		{"split out unknown include", "splitOut", 1, `{"fieldToSplitOut":"a","include":"some"}`, "include"},
		{"split out destination count", "splitOut", 1, `{"fieldToSplitOut":"a,b","options":{"destinationFieldName":"x"}}`, "options.destinationFieldName"},
		{"split out ok", "splitOut", 1, `{"fieldToSplitOut":"a,b","options":{"destinationFieldName":"x,y"}}`, ""},
		{"summarize defaults", "summarize", 1.1, `{}`, "fieldsToSummarize.values"},
		{"summarize no field", "summarize", 1.1, `{"fieldsToSummarize":{"values":[{"aggregation":"sum"}]}}`, "fieldsToSummarize.values"},
		{"summarize unknown aggregation", "summarize", 1, `{"fieldsToSummarize":{"values":[{"aggregation":"median","field":"a"}]}}`, "fieldsToSummarize.values"},
		{"summarize expression field", "summarize", 1.1, `{"fieldsToSummarize":{"values":[{"field":"={{ 'a' }}"}]}}`, ""},
		{"summarize unknown format", "summarize", 1.1, `{"fieldsToSummarize":{"values":[{"field":"a"}]},"options":{"outputFormat":"table"}}`, "options.outputFormat"},
		{"summarize ok", "summarize", 1.1, `{"fieldsToSummarize":{"values":[{"aggregation":"countUnique","field":"a"}]},"fieldsToSplitBy":"b"}`, ""},
		{"rename keys defaults", "renameKeys", 1, `{}`, ""},
		{"rename keys bad regex", "renameKeys", 1, `{"additionalOptions":{"regexReplacement":{"replacements":[{"searchRegex":"(a","replaceRegex":"b"}]}}}`, "additionalOptions.regexReplacement.replacements"},
		{"rename keys expression regex", "renameKeys", 1, `{"additionalOptions":{"regexReplacement":{"replacements":[{"searchRegex":"={{ '(' }}","replaceRegex":"b"}]}}}`, ""},
		{"rename keys js regex", "renameKeys", 1, `{"additionalOptions":{"regexReplacement":{"replacements":[{"searchRegex":"(?<=a)b\\d+(?!x)","replaceRegex":"c"}]}}}`, ""},
		{"item lists split default", "itemLists", 3.1, `{"fieldToSplitOut":"a"}`, ""},
		{"item lists split missing", "itemLists", 1, `{}`, "fieldToSplitOut"},
		{"item lists concatenate v3", "itemLists", 3, `{"operation":"concatenateItems","fieldsToAggregate":{"fieldToAggregate":[{"fieldToAggregate":"a"}]}}`, ""},
		{"item lists aggregateItems v3", "itemLists", 3, `{"operation":"aggregateItems"}`, "operation"},
		{"item lists concatenateItems v2", "itemLists", 2, `{"operation":"concatenateItems"}`, "operation"},
		{"item lists aggregate v2", "itemLists", 2.1, `{"operation":"aggregateItems","aggregate":"nope"}`, "aggregate"},
		{"item lists summarize", "itemLists", 2, `{"operation":"summarize","fieldsToSummarize":{"values":[{"field":"a"}]}}`, ""},
		{"item lists summarize no field", "itemLists", 2, `{"operation":"summarize"}`, "fieldsToSummarize.values"},
		{"item lists sort without fields", "itemLists", 3, `{"operation":"sort"}`, "sortFieldsUi"},
		{"item lists sort", "itemLists", 2, `{"operation":"sort","sortFieldsUi":{"sortField":[{"fieldName":"a"}]}}`, ""},
		{"item lists limit", "itemLists", 1, `{"operation":"limit"}`, ""},
		{"item lists limit zero", "itemLists", 3.1, `{"operation":"limit","maxItems":0}`, "maxItems"},
		{"item lists remove duplicates", "itemLists", 2.2, `{"operation":"removeDuplicates"}`, ""},
		{"item lists remove duplicates no fields", "itemLists", 2, `{"operation":"removeDuplicates","compare":"selectedFields","fieldsToCompare":{}}`, "fieldsToCompare"},
		{"item lists remove duplicates 3.1", "itemLists", 3.1, `{"operation":"removeDuplicates"}`, "operation"},
		{"item lists bad resource", "itemLists", 3, `{"resource":"table","fieldToSplitOut":"a"}`, "resource"},
		{"date time default", "dateTime", 2, `{}`, ""},
		{"date time unknown operation", "dateTime", 2, `{"operation":"travel"}`, "operation"},
		{"date time bad zone", "dateTime", 2, `{"options":{"timezone":"Mars/Base"}}`, "options.timezone"},
		{"date time zone", "dateTime", 2, `{"options":{"timezone":"Asia/Kolkata"}}`, ""},
		{"date time add missing date", "dateTime", 2, `{"operation":"addToDate","timeUnit":"days"}`, "magnitude"},
		{"date time add bad unit", "dateTime", 2, `{"operation":"addToDate","magnitude":"2024-01-01","timeUnit":"fortnights"}`, "timeUnit"},
		{"date time round bad mode", "dateTime", 2, `{"operation":"roundDate","mode":"sideways"}`, "mode"},
		{"date time round bad unit", "dateTime", 2, `{"operation":"roundDate","toNearest":"decade"}`, "toNearest"},
		{"date time round up bad to", "dateTime", 2, `{"operation":"roundDate","mode":"roundUp","to":"year"}`, "to"},
		{"date time between no units", "dateTime", 2, `{"operation":"getTimeBetweenDates","units":[]}`, "units"},
		{"date time between bad unit", "dateTime", 2, `{"operation":"getTimeBetweenDates","units":["day","eon"]}`, "units"},
		{"date time extract bad part", "dateTime", 2, `{"operation":"extractDate","part":"quarter"}`, "part"},
		{"date time format expression", "dateTime", 2, `{"operation":"formatDate","date":"={{ $now }}","format":"custom","customFormat":"yyyy"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := ParseWorkflow([]byte(`{"name":"v","nodes":[
				{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
				{"name":"N","type":"n8n-nodes-base.` + c.typ + `","typeVersion":` + jsNumberString(c.version) + `,"parameters":` + c.params + `}],
				"connections":{"Start":{"main":[[{"node":"N","type":"main","index":0}]]}}}`))
			if err != nil {
				t.Fatal(err)
			}
			n := w.Node("N")
			err = Lookup(n.Type).Node.Validate(n)
			if c.path == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if err := ValidateWorkflow(w); err != nil {
					t.Fatalf("ValidateWorkflow: %v", err)
				}
				return
			}
			if c.path == "*" {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("want a parameter error on %q, got %v", c.path, err)
			}
			if pe.Path != c.path {
				t.Fatalf("error names %q, want %q (%v)", pe.Path, c.path, err)
			}
			if werr := ValidateWorkflow(w); werr == nil || !strings.Contains(werr.Error(), `node "N"`) || ErrorCode(werr) != CodeWorkflowInvalid {
				t.Fatalf("ValidateWorkflow = %v", werr)
			}
		})
	}
}

func TestTransformRegistered(t *testing.T) {
	want := map[string][]float64{
		"n8n-nodes-base.aggregate":  {1},
		"n8n-nodes-base.splitOut":   {1},
		"n8n-nodes-base.summarize":  {1, 1.1},
		"n8n-nodes-base.renameKeys": {1},
		"n8n-nodes-base.itemLists":  {1, 2, 2.1, 2.2, 3, 3.1},
		"n8n-nodes-base.dateTime":   {2},
	}
	for name, versions := range want {
		r := Lookup(name)
		if r == nil {
			t.Errorf("%s is not registered", name)
			continue
		}
		for _, v := range versions {
			if !r.HasVersion(v) {
				t.Errorf("%s lacks version %v", name, v)
			}
		}
		if len(r.Versions) != len(versions) {
			t.Errorf("%s versions %v, want %v", name, r.Versions, versions)
		}
		if r.Kind != KindPure || r.Params == nil || r.Summary == "" {
			t.Errorf("%s description incomplete: %+v", name, r.Description)
		}
	}
}
