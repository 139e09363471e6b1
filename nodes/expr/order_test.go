package expr

import (
	"reflect"
	"testing"
	"time"
)

func TestOrderedKeys(t *testing.T) {
	m := map[string]any{"name": 1, "email": 2, "note": 3}
	tests := []struct {
		name  string
		m     map[string]any
		order *KeyOrder
		want  []string
	}{
		{"no hint sorts", m, nil, []string{"email", "name", "note"}},
		{"empty hint sorts", m, &KeyOrder{}, []string{"email", "name", "note"}},
		{"hint order", m, &KeyOrder{Keys: []string{"name", "email", "note"}}, []string{"name", "email", "note"}},
		{"deleted keys skipped", m, &KeyOrder{Keys: []string{"zz", "note", "gone", "name", "email"}}, []string{"note", "name", "email"}},
		{"new keys follow sorted", map[string]any{"b": 1, "z": 2, "a": 3, "y": 4}, &KeyOrder{Keys: []string{"z", "b"}}, []string{"z", "b", "a", "y"}},
		{"duplicate hint keys once", m, &KeyOrder{Keys: []string{"note", "note", "name"}}, []string{"note", "name", "email"}},
		{"long hint", map[string]any{"k9": 0, "k8": 0, "k7": 0, "k6": 0, "k5": 0, "k4": 0, "k3": 0, "k2": 0, "k1": 0, "new": 0},
			&KeyOrder{Keys: []string{"k9", "k8", "k7", "k6", "k5", "k4", "k3", "k2", "k1", "k9"}},
			[]string{"k9", "k8", "k7", "k6", "k5", "k4", "k3", "k2", "k1", "new"}},
		{"empty map", map[string]any{}, &KeyOrder{Keys: []string{"a"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OrderedKeys(tt.m, tt.order); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("OrderedKeys = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOrderToJS(t *testing.T) {
	e := New(Options{Location: time.UTC})
	val := map[string]any{
		"o":    map[string]any{"name": "Ann", "email": "a@x", "note": ""},
		"list": []any{map[string]any{"z": 1, "a": 2}, map[string]any{"y": 1, "b": 2}},
		"new":  true,
	}
	order := &KeyOrder{
		Keys: []string{"o", "list"},
		Fields: map[string]*KeyOrder{
			"o":    {Keys: []string{"name", "email", "note"}},
			"list": {Elems: []*KeyOrder{{Keys: []string{"z", "a"}}}},
		},
	}
	tests := []struct {
		name string
		expr string
		env  Env
		want any
	}{
		{"top level", "={{ Object.keys($json).join() }}", Env{"$json": Ordered{Value: val, Order: order}}, "o,list,new"},
		{"nested", "={{ $json.o.keys().join() }}", Env{"$json": Ordered{Value: val, Order: order}}, "name,email,note"},
		{"array element", "={{ $json.list.map(x => Object.keys(x).join()).join(';') }}", Env{"$json": Ordered{Value: val, Order: order}}, "z,a;b,y"},
		{"pointer", "={{ Object.keys($json.o).join() }}", Env{"$json": &Ordered{Value: val, Order: order}}, "name,email,note"},
		{"no hint", "={{ Object.keys($json.o).join() }}", Env{"$json": val}, "email,name,note"},
		{"getter", "={{ Object.keys($json.o).join() }}", Env{"$json": Getter(func() (any, error) { return Ordered{Value: val, Order: order}, nil })}, "name,email,note"},
		{"func result", "={{ Object.keys(f()).join() }}", Env{"f": Func(func(...any) (any, error) {
			return Ordered{Value: val["o"], Order: order.Field("o")}, nil
		})}, "name,email,note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Resolve(tt.expr, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOrderFromJS(t *testing.T) {
	e := New(Options{Location: time.UTC})
	tests := []struct {
		name string
		code string
		want *KeyOrder
	}{
		{"object", `return {b: 1, a: 2, c: undefined, d: () => 1, e: 3}`, &KeyOrder{Keys: []string{"b", "a", "e"}}},
		{"sorted object has no hint", `return {a: 1, b: {c: 1, d: 2}}`, nil},
		{"nested", `return {a: 1, b: {d: 1, c: 2}}`, &KeyOrder{Keys: []string{"a", "b"}, Fields: map[string]*KeyOrder{"b": {Keys: []string{"d", "c"}}}}},
		{"array", `return [{a: 1}, {y: 1, x: 2}]`, &KeyOrder{Elems: []*KeyOrder{nil, {Keys: []string{"y", "x"}}}}},
		{"scalar", `return 1`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := e.RunOrdered(tt.code, Env{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("order = %#v, want %#v", got, tt.want)
			}
		})
	}
	t.Run("resolve", func(t *testing.T) {
		v, got, err := e.ResolveOrdered(`={{ ({z: 1, a: [{q: 1, p: 2}]}) }}`, Env{})
		if err != nil {
			t.Fatal(err)
		}
		want := &KeyOrder{Keys: []string{"z", "a"}, Fields: map[string]*KeyOrder{"a": {Elems: []*KeyOrder{{Keys: []string{"q", "p"}}}}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("order = %#v, want %#v", got, want)
		}
		if !reflect.DeepEqual(v, map[string]any{"z": 1.0, "a": []any{map[string]any{"q": 1.0, "p": 2.0}}}) {
			t.Errorf("value = %#v", v)
		}
	})
	t.Run("plain run records none", func(t *testing.T) {
		// The pool reuses runtimes: an ordered run must not leave its
		// order for the next one.
		if _, _, err := e.RunOrdered(`return {b: 1, a: 2}`, Env{}); err != nil {
			t.Fatal(err)
		}
		_, got, err := e.ResolveOrdered("={{ 1 }}", Env{})
		if err != nil || got != nil {
			t.Errorf("order = %v, err %v", got, err)
		}
	})
}
