package nodes

import (
	"math"
	"testing"
	"time"
)

func TestJSToString(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{"x", "x"}, {nil, "null"}, {true, "true"}, {5.0, "5"}, {int64(7), "7"}, {1.5, "1.5"},
		{1e21, "1e+21"}, {1e-7, "1e-7"}, {0.000001, "0.000001"}, {123456789012.0, "123456789012"},
		{math.NaN(), "NaN"}, {math.Inf(-1), "-Infinity"},
		{[]any{1.0, nil, "a", []any{2.0, 3.0}}, "1,,a,2,3"}, {map[string]any{"a": 1.0}, "[object Object]"},
		{undef, "undefined"}, {[]any{undef, 1.0}, ",1"}, {time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC), "2024-01-15T10:30:00.000Z"},
	}
	for _, c := range cases {
		if got := jsToString(c.in); got != c.want {
			t.Errorf("String(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCondParseBoolean(t *testing.T) {
	cases := []struct {
		in    any
		want  bool
		valid bool
	}{
		{true, true, true}, {"TRUE", true, true}, {"false", false, true}, {"0", false, true}, {"1", true, true},
		{1.0, true, true}, {0.0, false, true}, {"yes", false, false}, {"", false, false}, {" ", false, false}, {2.0, false, false},
	}
	for _, c := range cases {
		got, ok := condParseBoolean(c.in)
		if got != c.want || ok != c.valid {
			t.Errorf("parseBoolean(%v) = %v, %v", c.in, got, ok)
		}
	}
}

func TestCondParseArrayObject(t *testing.T) {
	if a, ok := condParseArray("['a', 'b']"); !ok || len(a) != 2 || a[0] != "a" {
		t.Errorf("single-quoted array: %v %v", a, ok)
	}
	if _, ok := condParseArray(`{"a":1}`); ok {
		t.Error("object accepted as array")
	}
	if o, ok := condParseObject("{k: 1, s: 'x'}"); !ok || o["k"] != 1.0 || o["s"] != "x" {
		t.Errorf("JS object literal: %v %v", o, ok)
	}
	if _, ok := condParseObject("[1]"); ok {
		t.Error("array accepted as object")
	}
}

func TestCondParseDateTime(t *testing.T) {
	want := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	for _, s := range []string{
		"2024-01-15T10:30:00Z", "2024-01-15T10:30:00.000Z", "2024-01-15T11:30:00+01:00", "2024-01-15T11:30:00+0100",
		"2024-01-15 10:30:00", "2024-01-15T10:30", "Mon, 15 Jan 2024 10:30:00 GMT", "Mon, 15 Jan 2024 10:30:00 +0000",
	} {
		got, ok := condParseDateTime(s, time.UTC)
		if !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, ok)
		}
	}
	berlin := time.FixedZone("CET", 3600)
	if got, ok := condParseDateTime("2024-01-15T11:30:00", berlin); !ok || !got.Equal(want) {
		t.Errorf("zone: %v %v", got, ok)
	}
	for _, bad := range []string{"nope", "2024-13-01", "2024-02-30", ""} {
		if _, ok := condParseDateTime(bad, time.UTC); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestCondValidateFieldStrict(t *testing.T) {
	strict := condFieldValidation{strict: true, parseStrings: true}
	cases := []struct {
		v     any
		typ   condFieldType
		valid bool
	}{
		{"a", condFieldString, true}, {1.0, condFieldString, false}, {1.0, condFieldNumber, true}, {"1", condFieldNumber, false},
		{true, condFieldBoolean, true}, {"true", condFieldBoolean, false}, {[]any{}, condFieldArray, true}, {"[]", condFieldArray, false},
		{map[string]any{}, condFieldObject, true}, {"{}", condFieldObject, false}, {nil, condFieldNumber, true},
	}
	for _, c := range cases {
		if _, ok := condValidateField(c.v, c.typ, strict); ok != c.valid {
			t.Errorf("strict %s %v: valid %v", c.typ, c.v, ok)
		}
	}
}

func TestJSTypeof(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{undef, "undefined"}, {nil, "object"}, {true, "boolean"}, {1.5, "number"}, {int64(2), "number"},
		{math.NaN(), "number"}, {"s", "string"}, {[]any{}, "object"}, {map[string]any{}, "object"},
		{time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), "object"},
	}
	for _, c := range cases {
		if got := jsTypeof(c.in); got != c.want {
			t.Errorf("typeof %#v = %q, want %q", c.in, got, c.want)
		}
	}
}
