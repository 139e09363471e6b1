package nodes

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// lodashFixture is testdata/lodash_paths.json: what lodash 4.17.21's toPath,
// get, set and unset did with each path on one object, and how JavaScript
// prints numbers.
type lodashFixture struct {
	Paths []struct {
		Path   string   `json:"path"`
		ToPath []string `json:"toPath"`
		Get    struct {
			Undefined bool `json:"undefined"`
			Value     any  `json:"value"`
		} `json:"get"`
		Set   map[string]any `json:"set"`
		Unset map[string]any `json:"unset"`
	} `json:"paths"`
	Numbers [][2]any `json:"numbers"`
}

func lodashTestObject() map[string]any {
	return map[string]any{
		"a":    map[string]any{"b": []any{map[string]any{"c": 1.0}, 2.0}, "x.y": 3.0},
		"a.b":  "lit",
		"list": []any{1.0, 2.0},
		"s":    "héllo",
		"n":    nil,
		"":     map[string]any{"": 5.0},
	}
}

func loadLodashFixture(t *testing.T) lodashFixture {
	t.Helper()
	b, err := os.ReadFile("testdata/lodash_paths.json")
	if err != nil {
		t.Fatal(err)
	}
	var f lodashFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLodashPaths(t *testing.T) {
	f := loadLodashFixture(t)
	for _, c := range f.Paths {
		t.Run(c.Path, func(t *testing.T) {
			if c.Path != "" {
				if got := pathSegments(c.Path); !reflect.DeepEqual(got, c.ToPath) && !(len(got) == 0 && len(c.ToPath) == 0) {
					t.Errorf("path %q splits as %q, lodash %q", c.Path, got, c.ToPath)
				}
			}
			v, ok := lodashGet(lodashTestObject(), c.Path, true)
			if ok == c.Get.Undefined || (ok && !reflect.DeepEqual(v, c.Get.Value)) {
				t.Errorf("get = %v (%v), lodash %+v", v, ok, c.Get)
			}
			s := lodashTestObject()
			lodashSet(s, c.Path, "V", true)
			if !reflect.DeepEqual(NormalizeJSON(s), c.Set) {
				t.Errorf("set gives %v\nlodash     %v", s, c.Set)
			}
			u := lodashTestObject()
			lodashUnset(u, c.Path, true)
			if !reflect.DeepEqual(NormalizeJSON(u), c.Unset) {
				t.Errorf("unset gives %v\nlodash       %v", u, c.Unset)
			}
		})
	}
}

func TestLodashWithoutDotNotation(t *testing.T) {
	obj := lodashTestObject()
	if v, ok := lodashGet(obj, "a.b", false); !ok || v != "lit" {
		t.Fatalf("literal get = %v %v", v, ok)
	}
	if _, ok := lodashGet(obj, "a.x.y", false); ok {
		t.Fatal("literal get followed the dots")
	}
	lodashSet(obj, "p.q", 1.0, false)
	if obj["p.q"] != 1.0 {
		t.Fatalf("literal set: %v", obj)
	}
	lodashUnset(obj, "a.b", false)
	if _, ok := obj["a.b"]; ok {
		t.Fatal("literal unset kept the key")
	}
	if _, ok := obj["a"].(map[string]any)["b"]; !ok {
		t.Fatal("literal unset removed a nested key")
	}
}

func TestJSNumberStringMatchesJavaScript(t *testing.T) {
	for _, c := range loadLodashFixture(t).Numbers {
		n, want := c[0].(float64), c[1].(string)
		if got := jsNumberString(n); got != want {
			t.Errorf("jsNumberString(%v) = %q, JavaScript %q", n, got, want)
		}
	}
}

func TestJSValues(t *testing.T) {
	cases := []struct {
		name string
		got  any
		want any
	}{
		{"'b' < 'a'", jsLess("b", true, "a", true), false},
		{"'10' < '9'", jsLess("10", true, "9", true), true},
		{"10 < '9'", jsLess(10.0, true, "9", true), false},
		{"undefined < 1", jsLess(nil, false, 1.0, true), false},
		{"null < 1", jsLess(nil, true, 1.0, true), true},
		{"[1,2] < '1,3'", jsLess([]any{1.0, 2.0}, true, "1,3", true), true},
		{"{} < 1", jsLess(map[string]any{}, true, 1.0, true), false},
		{"object key order", jsObjectKeyOrder([]string{"b", "10", "a", "2", "01"}), []string{"2", "10", "b", "a", "01"}},
		{"spread array", func() map[string]any { m := map[string]any{"k": 1.0}; spreadObject(m, []any{"x"}); return m }(), map[string]any{"k": 1.0, "0": "x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Fatalf("got %#v, want %#v", c.got, c.want)
			}
		})
	}
}
