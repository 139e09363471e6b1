package nodes

import (
	"math"
	"strings"
	"testing"
	"time"
)

func cond(typ, op string, left, right any) FilterCondition {
	return FilterCondition{LeftValue: left, RightValue: right, Operator: FilterOperator{Type: typ, Operation: op}}
}

func TestEvaluateConditionOperators(t *testing.T) {
	strict := FilterOptions{CaseSensitive: true, TypeValidation: "strict", Version: 2}
	loose := FilterOptions{CaseSensitive: true, TypeValidation: "loose", Version: 2}
	looseV1 := FilterOptions{CaseSensitive: true, TypeValidation: "loose", Version: 1}
	looseV3 := FilterOptions{CaseSensitive: true, TypeValidation: "loose", Version: 3}
	noCase := FilterOptions{CaseSensitive: false, TypeValidation: "strict", Version: 2}
	noCaseV3 := FilterOptions{CaseSensitive: false, TypeValidation: "strict", Version: 3}
	arrayOp := func(op string, left, right any, rightType string) FilterCondition {
		c := cond("array", op, left, right)
		c.Operator.RightType = rightType
		return c
	}
	single := func(c FilterCondition) FilterCondition { c.Operator.SingleValue = true; return c }
	cases := []struct {
		name string
		c    FilterCondition
		opts FilterOptions
		want bool
	}{
		// string
		{"string exists", single(cond("string", "exists", "", nil)), strict, true},
		{"string exists null", single(cond("string", "exists", nil, nil)), strict, false},
		{"string notExists null", single(cond("string", "notExists", nil, nil)), strict, true},
		{"string empty", single(cond("string", "empty", "", nil)), strict, true},
		{"string empty null", single(cond("string", "empty", nil, nil)), strict, true},
		{"string notEmpty", single(cond("string", "notEmpty", "a", nil)), strict, true},
		{"string equals", cond("string", "equals", "abc", "abc"), strict, true},
		{"string equals case", cond("string", "equals", "ABC", "abc"), strict, false},
		{"string equals ignore case", cond("string", "equals", "ABC", "abc"), noCase, true},
		{"string notEquals", cond("string", "notEquals", "a", "b"), strict, true},
		{"string contains", cond("string", "contains", "hello", "ell"), strict, true},
		{"string notContains", cond("string", "notContains", "hello", "x"), strict, true},
		{"string startsWith", cond("string", "startsWith", "hello", "he"), strict, true},
		{"string startsWith ignore case", cond("string", "startsWith", "Paris", "pA"), noCase, true},
		{"string notStartsWith", cond("string", "notStartsWith", "hello", "lo"), strict, true},
		{"string endsWith", cond("string", "endsWith", "hello", "lo"), strict, true},
		{"string notEndsWith", cond("string", "notEndsWith", "hello", "he"), strict, true},
		{"string regex", cond("string", "regex", "abc123", `\d+$`), strict, true},
		{"string regex literal flags", cond("string", "regex", "ABC", "/abc/i"), strict, true},
		{"string regex lookahead", cond("string", "regex", "foobar", "foo(?=bar)"), strict, true},
		{"string notRegex", cond("string", "notRegex", "abc", `^\d`), strict, true},
		// n8n 1.123: ignoring case lowercases the text, not the pattern.
		{"string regex ignore case keeps pattern", cond("string", "regex", "rome", "^R.M"), noCase, false},
		{"string regex ignore case lowercases text", cond("string", "regex", "ROME", "^r.m"), noCase, true},
		{"string regex ignore case v3 flags pattern", cond("string", "regex", "rome", "^R.M"), noCaseV3, true},
		{"string loose number", cond("string", "equals", 5.0, "5"), loose, true},
		{"string loose object", cond("string", "equals", map[string]any{"a": 1.0}, `{"a":1}`), loose, true},
		// number
		{"number equals", cond("number", "equals", 5.0, 5.0), strict, true},
		{"number notEquals", cond("number", "notEquals", 5.0, 6.0), strict, true},
		{"number gt", cond("number", "gt", 15.0, 10.0), strict, true},
		{"number gt equal", cond("number", "gt", 10.0, 10.0), strict, false},
		{"number lt", cond("number", "lt", 1.0, 10.0), strict, true},
		{"number gte", cond("number", "gte", 10.0, 10.0), strict, true},
		{"number lte", cond("number", "lte", 10.5, 10.0), strict, false},
		{"number lt missing", cond("number", "lt", nil, 10.0), strict, false},
		{"number empty", single(cond("number", "empty", nil, nil)), strict, true},
		{"number notEmpty", single(cond("number", "notEmpty", 0.0, nil)), strict, true},
		{"number exists NaN", single(cond("number", "exists", math.NaN(), nil)), strict, false},
		{"number loose strings", cond("number", "gt", "15", "10"), loose, true},
		{"number loose empty string is 0", cond("number", "equals", "", 0.0), loose, true},
		{"number loose v3 empty string is empty", single(cond("number", "empty", "", nil)), looseV3, true},
		{"number loose hex", cond("number", "equals", "0x10", 16.0), loose, true},
		{"number loose boolean", cond("number", "equals", true, 1.0), loose, true},
		// dateTime
		{"dateTime equals", cond("dateTime", "equals", "2024-01-15T10:00:00Z", "2024-01-15T11:00:00+01:00"), strict, true},
		{"dateTime notEquals", cond("dateTime", "notEquals", "2024-01-15", "2024-01-16"), strict, true},
		{"dateTime after", cond("dateTime", "after", "2024-02-01", "2024-01-31"), strict, true},
		{"dateTime before", cond("dateTime", "before", "2024-02-01", "2024-01-31"), strict, false},
		{"dateTime afterOrEquals", cond("dateTime", "afterOrEquals", "2024-01-31", "2024-01-31"), strict, true},
		{"dateTime beforeOrEquals", cond("dateTime", "beforeOrEquals", "2024-01-30", "2024-01-31"), strict, true},
		{"dateTime value", cond("dateTime", "after", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "2024-02-29 23:59:59"), strict, true},
		{"dateTime rfc2822", cond("dateTime", "equals", "Mon, 15 Jan 2024 10:00:00 +0000", "2024-01-15T10:00:00.000Z"), strict, true},
		{"dateTime missing", cond("dateTime", "after", nil, "2024-01-01"), strict, false},
		{"dateTime empty", single(cond("dateTime", "empty", nil, nil)), strict, true},
		{"dateTime notEmpty", single(cond("dateTime", "notEmpty", "2024-01-01", nil)), strict, true},
		// boolean
		{"boolean true", single(cond("boolean", "true", true, nil)), strict, true},
		{"boolean false", single(cond("boolean", "false", false, nil)), strict, true},
		{"boolean true missing", single(cond("boolean", "true", nil, nil)), strict, false},
		{"boolean false missing", single(cond("boolean", "false", nil, nil)), strict, true},
		{"boolean equals", cond("boolean", "equals", true, true), strict, true},
		{"boolean notEquals", cond("boolean", "notEquals", true, false), strict, true},
		{"boolean empty", single(cond("boolean", "empty", nil, nil)), strict, true},
		{"boolean notEmpty", single(cond("boolean", "notEmpty", false, nil)), strict, true},
		// Loose booleans: version 2 parses "true"/"false"/0/1 and falls
		// back to JavaScript truthiness ("no" and "on" are true).
		{"boolean loose 'false'", single(cond("boolean", "true", "false", nil)), loose, false},
		{"boolean loose 'FALSE'", single(cond("boolean", "true", "FALSE", nil)), loose, false},
		{"boolean loose '0'", single(cond("boolean", "true", "0", nil)), loose, false},
		{"boolean loose 1", single(cond("boolean", "true", 1.0, nil)), loose, true},
		{"boolean loose 'no'", single(cond("boolean", "true", "no", nil)), loose, true},
		{"boolean loose 'on'", single(cond("boolean", "true", "on", nil)), loose, true},
		{"boolean loose ''", single(cond("boolean", "true", "", nil)), loose, false},
		// Version 1 (If 2.0/2.1) is plain truthiness: "false" is true.
		{"boolean loose v1 'false'", single(cond("boolean", "true", "false", nil)), looseV1, true},
		{"boolean loose v1 0", single(cond("boolean", "true", 0.0, nil)), looseV1, false},
		// array
		{"array contains", arrayOp("contains", []any{"vip", "new"}, "vip", "any"), strict, true},
		{"array contains case", arrayOp("contains", []any{"VIP"}, "vip", "any"), strict, false},
		{"array contains ignore case", arrayOp("contains", []any{"VIP"}, "vip", "any"), noCase, true},
		{"array contains number", arrayOp("contains", []any{1.0, 2.0}, 2.0, "any"), strict, true},
		{"array contains object is identity", arrayOp("contains", []any{map[string]any{}}, map[string]any{}, "any"), strict, false},
		{"array notContains", arrayOp("notContains", []any{"a"}, "b", "any"), strict, true},
		{"array lengthEquals", arrayOp("lengthEquals", []any{1.0, 2.0}, 2.0, "number"), strict, true},
		{"array lengthNotEquals", arrayOp("lengthNotEquals", []any{1.0}, 2.0, "number"), strict, true},
		{"array lengthGt", arrayOp("lengthGt", []any{1.0, 2.0, 3.0}, 2.0, "number"), strict, true},
		{"array lengthLt", arrayOp("lengthLt", []any{1.0, 2.0, 3.0}, 3.0, "number"), strict, false},
		{"array lengthGte", arrayOp("lengthGte", []any{1.0}, 1.0, "number"), strict, true},
		{"array lengthLte", arrayOp("lengthLte", []any{1.0, 2.0}, 1.0, "number"), strict, false},
		{"array empty", single(arrayOp("empty", []any{}, nil, "")), strict, true},
		{"array empty missing", single(arrayOp("empty", nil, nil, "")), strict, true},
		{"array notEmpty", single(arrayOp("notEmpty", []any{1.0}, nil, "")), strict, true},
		{"array loose json text", arrayOp("lengthEquals", "[1, 2]", 2.0, "number"), loose, true},
		// object
		{"object empty", single(cond("object", "empty", map[string]any{}, nil)), strict, true},
		{"object empty missing", single(cond("object", "empty", nil, nil)), strict, true},
		{"object notEmpty", single(cond("object", "notEmpty", map[string]any{"z": 0.0}, nil)), strict, true},
		{"object exists", single(cond("object", "exists", map[string]any{}, nil)), strict, true},
		{"object loose json text", single(cond("object", "notEmpty", `{"a": 1}`, nil)), loose, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := EvaluateCondition(c.c, c.opts, 0, 0)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestEvaluateConditionTypeErrors(t *testing.T) {
	strict := FilterOptions{CaseSensitive: true, TypeValidation: "strict", Version: 2}
	loose := FilterOptions{CaseSensitive: true, TypeValidation: "loose", Version: 2}
	cases := []struct {
		name string
		c    FilterCondition
		opts FilterOptions
		item int
		want string
	}{
		{"strict number from string", cond("number", "gt", "15", 10.0), strict, 1,
			"Wrong type: '15' is a string but was expecting a number [condition 0, item 1]"},
		{"strict right side", cond("number", "gt", 15.0, "10"), strict, 0,
			"Wrong type: '10' is a string but was expecting a number [condition 0, item 0]"},
		{"strict both sides", cond("number", "gt", "a", "b"), strict, 0,
			"Comparison type expects a number but both fields are a string"},
		{"strict string from number", cond("string", "equals", 5.0, "5"), strict, 0,
			"Wrong type: '5' is a number but was expecting a string [condition 0, item 0]"},
		{"strict boolean from string", cond("boolean", "equals", "true", true), strict, 0,
			"Wrong type: 'true' is a string but was expecting a boolean [condition 0, item 0]"},
		{"strict array from string", cond("array", "empty", "x", nil), strict, 0,
			"Wrong type: 'x' is a string but was expecting an array [condition 0, item 0]"},
		{"strict object from array", cond("object", "empty", []any{1.0, 2.0}, nil), strict, 0,
			"Wrong type: '1,2' is an object but was expecting an object [condition 0, item 0]"},
		{"strict dateTime invalid", cond("dateTime", "after", "not a date", "2024-01-01"), strict, 2,
			"Wrong type: 'not a date' is a string but was expecting a dateTime [condition 0, item 2]"},
		{"loose number", cond("number", "gt", "abc", 10.0), loose, 0,
			"Conversion error: the string 'abc' can't be converted to a number [condition 0, item 0]"},
		{"loose object", cond("object", "empty", "nope", nil), loose, 3,
			"Conversion error: the string 'nope' can't be converted to an object [condition 0, item 3]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := EvaluateCondition(c.c, c.opts, 0, c.item)
			if err == nil {
				t.Fatal("no error")
			}
			ne := AsNodeError(err)
			if ne.Message != c.want {
				t.Fatalf("message %q, want %q", ne.Message, c.want)
			}
			if ne.ItemIndex == nil || *ne.ItemIndex != c.item || ne.Description == "" {
				t.Fatalf("item index %v, description %q", ne.ItemIndex, ne.Description)
			}
		})
	}
	t.Run("single value ignores an invalid right value", func(t *testing.T) {
		c := cond("string", "notEmpty", "a", 5.0)
		c.Operator.SingleValue = true
		if ok, err := EvaluateCondition(c, strict, 0, 0); err != nil || !ok {
			t.Fatalf("got %v, %v", ok, err)
		}
	})
	t.Run("invalid regex", func(t *testing.T) {
		if _, err := EvaluateCondition(cond("string", "regex", "a", "("), strict, 0, 0); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestFilterEvaluateCombinators(t *testing.T) {
	yes := cond("number", "gt", 2.0, 1.0)
	no := cond("number", "gt", 1.0, 2.0)
	bad := cond("number", "gt", "x", 1.0)
	opts := FilterOptions{CaseSensitive: true, TypeValidation: "strict", Version: 2}
	cases := []struct {
		name       string
		combinator string
		conds      []FilterCondition
		want       bool
		wantErr    bool
	}{
		{"and all", "and", []FilterCondition{yes, yes}, true, false},
		{"and one fails", "and", []FilterCondition{yes, no}, false, false},
		{"and stops before an error", "and", []FilterCondition{no, bad}, false, false},
		{"and meets an error", "and", []FilterCondition{yes, bad}, false, true},
		{"or one", "or", []FilterCondition{no, yes}, true, false},
		{"or stops before an error", "or", []FilterCondition{yes, bad}, true, false},
		{"or none", "or", []FilterCondition{no, no}, false, false},
		{"and empty", "and", nil, true, false},
		{"or empty", "or", nil, false, false},
		{"unknown combinator", "xor", []FilterCondition{yes}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &FilterValue{Options: opts, Conditions: c.conds, Combinator: c.combinator}
			got, err := f.Evaluate(0)
			if (err != nil) != c.wantErr || got != c.want {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
}

func TestDecodeFilter(t *testing.T) {
	defaults := FilterOptions{CaseSensitive: true, TypeValidation: "strict", Version: 1}
	v := map[string]any{
		"options":    map[string]any{"caseSensitive": false, "typeValidation": "loose", "version": int64(2)},
		"conditions": []any{map[string]any{"id": "x", "leftValue": int64(5), "rightValue": "3", "operator": map[string]any{"type": "number", "operation": "gt"}}},
		"combinator": "or",
	}
	f, err := DecodeFilter(v, defaults)
	if err != nil {
		t.Fatal(err)
	}
	if f.Options.CaseSensitive || f.Options.TypeValidation != "loose" || f.Options.Version != 2 || f.Combinator != "or" {
		t.Fatalf("options %+v combinator %q", f.Options, f.Combinator)
	}
	if f.Conditions[0].LeftValue != 5.0 || f.Conditions[0].Operator.Operation != "gt" {
		t.Fatalf("condition %+v", f.Conditions[0])
	}
	// Options the value leaves out come from the node's defaults.
	f, err = DecodeFilter(map[string]any{"conditions": []any{}}, defaults)
	if err != nil || f.Options != defaults || f.Combinator != "and" {
		t.Fatalf("%+v %v", f, err)
	}
	for _, bad := range []any{"x", map[string]any{"conditions": "x"}, map[string]any{"conditions": []any{1.0}},
		map[string]any{"conditions": []any{map[string]any{}}}} {
		if _, err := DecodeFilter(bad, defaults); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestValidateFilterParam(t *testing.T) {
	op := func(typ, operation string) map[string]any {
		return map[string]any{"conditions": []any{map[string]any{"leftValue": "={{ $json.a }}", "rightValue": 1.0,
			"operator": map[string]any{"type": typ, "operation": operation}}}, "combinator": "and"}
	}
	cases := []struct {
		name  string
		value any
		want  string
	}{
		{"ok", op("number", "gt"), ""},
		{"nil", nil, ""},
		{"expression", "={{ $json.c }}", ""},
		{"every operation", op("array", "lengthLte"), ""},
		{"not an object", "x", `parameter "conditions"`},
		{"unknown type", op("money", "gt"), `conditions.conditions[0].operator.type`},
		{"unknown operation", op("number", "contains"), `conditions.conditions[0].operator.operation`},
		{"unknown combinator", map[string]any{"conditions": []any{}, "combinator": "xor"}, "conditions.combinator"},
		{"bad type validation", map[string]any{"options": map[string]any{"typeValidation": "lax"}}, "typeValidation"},
		{"conditions not a list", map[string]any{"conditions": 3.0}, "conditions.conditions"},
		{"no operator", map[string]any{"conditions": []any{map[string]any{}}}, "operator"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateFilterParam(c.value, "conditions")
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestLegacyConditions(t *testing.T) {
	c := func(typ string, v1 any, op string, v2 any) map[string]any {
		return map[string]any{typ: []any{map[string]any{"value1": v1, "operation": op, "value2": v2}}}
	}
	cases := []struct {
		name    string
		conds   map[string]any
		all     bool
		want    bool
		wantErr string
	}{
		{"number larger", c("number", 5.0, "larger", 3.0), true, true, ""},
		{"number smaller null as 0", c("number", nil, "smaller", 1.0), true, true, ""},
		{"number largerEqual", c("number", 3.0, "largerEqual", 3.0), true, true, ""},
		{"number isEmpty", c("number", nil, "isEmpty", nil), true, true, ""},
		{"string contains", c("string", "hello", "contains", "ell"), true, true, ""},
		{"string contains number", c("string", 12345.0, "contains", 234.0), true, true, ""},
		{"string equal strict", c("string", "5", "equal", 5.0), true, false, ""},
		{"string regex", c("string", "abc", "regex", "/B/i"), true, true, ""},
		{"string notRegex", c("string", "abc", "notRegex", "^b"), true, true, ""},
		{"string startsWith", c("string", "abc", "startsWith", "ab"), true, true, ""},
		{"string endsWith non-string", c("string", 5.0, "endsWith", "5"), true, false, "is not a function"},
		{"string isNotEmpty", c("string", "x", "isNotEmpty", nil), true, true, ""},
		{"boolean equal", c("boolean", true, "equal", true), true, true, ""},
		{"dateTime after", c("dateTime", "2024-02-01", "after", "2024-01-01"), true, true, ""},
		{"dateTime invalid", c("dateTime", "nope", "after", "2024-01-01"), true, false, `The value "nope" is not a valid DateTime.`},
		{"strings compare as text", c("number", "10", "larger", "9"), true, false, ""},
		{"any of none", map[string]any{}, false, false, ""},
		{"all of none", map[string]any{}, true, true, ""},
		{"any stops at a match", map[string]any{
			"boolean": []any{map[string]any{"value1": true, "operation": "equal", "value2": true}},
			"string":  []any{map[string]any{"value1": 5.0, "operation": "endsWith", "value2": "x"}},
		}, false, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := evaluateLegacyConditions(tc.conds, tc.all, time.UTC)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
	if err := validateLegacyConditions(c("number", 1.0, "contains", 2.0), "conditions"); err == nil {
		t.Error("unknown legacy operation accepted")
	}
	if err := validateLegacyConditions(map[string]any{"money": []any{}}, "conditions"); err == nil {
		t.Error("unknown legacy type accepted")
	}
}
