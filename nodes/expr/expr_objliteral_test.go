package expr

import (
	"reflect"
	"testing"
)

// A block that is only an object literal evaluates to the object, as n8n's
// {{ {a: 1} }} does, although "{a: 1}" also parses as a labelled block.
func TestResolveObjectLiteralBlock(t *testing.T) {
	e := New(Options{})
	for src, want := range map[string]any{
		"={{ {a: $json.id} }}":      map[string]any{"a": 7.0},
		"={{ {a: 1, b: 'x'}.b }}":   "x",
		"={{ { message: 'hi' } }}":  map[string]any{"message": "hi"},
		"={{ {} }}":                 map[string]any{},
		"={{ {a: [1, {b: 2}]}.a }}": []any{1.0, map[string]any{"b": 2.0}},
	} {
		got, err := e.Resolve(src, Env{"$json": map[string]any{"id": 7.0}})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", src, got, want)
		}
	}
}
