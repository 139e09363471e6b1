package nodes

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func parseJSONT(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func TestPathSegments(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"a", []string{"a"}},
		{"a.b.c", []string{"a", "b", "c"}},
		{"a[0].b", []string{"a", "0", "b"}},
		{`a["x.y"].z`, []string{"a", "x.y", "z"}},
		{`a['q\'s']`, []string{"a", "q's"}},
		{".a", []string{"", "a"}},
		{"a..b", []string{"a", "", "b"}},
		{"a.", []string{"a", ""}},
		{"a[-1]", []string{"a", "-1"}},
	} {
		if got := pathSegments(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("pathSegments(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLoGet(t *testing.T) {
	obj := parseJSONT(t, `{"a":{"b":[10,{"c":"x"}]},"a.b":"literal","s":"héllo","n":null}`)
	for _, c := range []struct {
		path string
		want any
	}{
		{"a.b[0]", 10.0},
		{"a.b.1.c", "x"},
		{"a.b", "literal"},
		{"a.b.length", 2.0},
		{"s.length", 5.0},
		{"s[1]", "é"},
		{"n", nil},
		{"n.x", undef},
		{"missing", undef},
		{"a.b[2]", undef},
		{"a.b[01]", undef},
	} {
		got := loGet(obj, c.path)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("get(%q) = %#v, want %#v", c.path, got, c.want)
		}
	}
	if got := loGet(parseJSONT(t, `{"a":{"b":[1,2]}}`), "a.b.length"); got != 2.0 {
		t.Errorf("array length = %v", got)
	}
}

func TestLoSetUnset(t *testing.T) {
	for _, c := range []struct {
		start, path string
		value       any
		want        string
	}{
		{`{}`, "a.b", 1.0, `{"a":{"b":1}}`},
		{`{}`, "a[1].b", 1.0, `{"a":[null,{"b":1}]}`},
		{`{"a":5}`, "a.b", 1.0, `{"a":{"b":1}}`},
		{`{"a":{"c":2}}`, "a.b", "x", `{"a":{"b":"x","c":2}}`},
		{`{}`, "__proto__.x", 1.0, `{}`},
	} {
		m := parseJSONT(t, c.start).(map[string]any)
		loSet(m, c.path, c.value)
		if !jsEqual(m, parseJSONT(t, c.want)) {
			b, _ := json.Marshal(m)
			t.Errorf("set(%s, %q) = %s, want %s", c.start, c.path, b, c.want)
		}
	}
	m := parseJSONT(t, `{"a":{"b":1,"c":2},"l":[1,2]}`).(map[string]any)
	loUnset(m, "a.b")
	loUnset(m, "l[0]")
	loUnset(m, "missing.deep")
	if !jsEqual(m, parseJSONT(t, `{"a":{"c":2},"l":[null,2]}`)) {
		t.Errorf("unset gave %v", m)
	}
}

func TestLoPickAndFlattenKeys(t *testing.T) {
	j := parseJSONT(t, `{"a":{"b":1,"c":2},"d":[1,{"e":3}],"f":{},"g":null}`).(map[string]any)
	want := []string{"a.b", "a.c", "d.0", "d.1.e", "g"}
	if got := flattenKeys(j); !reflect.DeepEqual(got, want) {
		t.Errorf("flattenKeys = %v, want %v", got, want)
	}
	if got := loPick(j, []string{"a.b", "g", "zz"}); !jsEqual(got, parseJSONT(t, `{"a":{"b":1},"g":null}`)) {
		t.Errorf("pick = %v", got)
	}
}

func TestLoLessAndJSNumber(t *testing.T) {
	for _, c := range []struct {
		a, b any
		want bool
	}{
		{"a", "b", true},
		{"B", "a", true},
		{"10", "9", true},
		{10.0, "9", false},
		{"9", 10.0, true},
		{nil, 1.0, true},
		{undef, 1.0, false},
		{1.0, undef, false},
		{true, 2.0, true},
		{[]any{5.0}, 6.0, true},
		{map[string]any{}, 1.0, false},
		{"\uffff", "\U0001F600", false}, // UTF-16: U+FFFF > the surrogate 0xD83D
	} {
		if got := loLess(c.a, c.b); got != c.want {
			t.Errorf("lt(%#v, %#v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	for _, c := range []struct {
		in   any
		want float64
	}{
		{" 42 ", 42}, {"", 0}, {"0x1A", 26}, {"0b101", 5}, {"0o17", 15}, {"-0x1", math.NaN()},
		{"1e3", 1000}, {".5", 0.5}, {"5.", 5}, {"abc", math.NaN()}, {"Infinity", math.Inf(1)},
		{"inf", math.NaN()}, {"1_000", math.NaN()}, {[]any{}, 0}, {[]any{1.0, 2.0}, math.NaN()},
		{"12", 12}, {" 7.5 ", 7.5}, {"0x10", 16}, {"0b11", 3}, {"-Infinity", math.Inf(-1)}, {true, 1},
		{false, 0}, {nil, 0}, {[]any{"42"}, 42}, {"12px", math.NaN()}, {"NaN", math.NaN()}, {"0x", math.NaN()},
		{map[string]any{}, math.NaN()}, {undef, math.NaN()}, {int64(7), 7},
		{"0x10000000000000000", 18446744073709551616}, {"0x" + strings.Repeat("f", 300), math.Inf(1)},
		{time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC), 1705314600000},
	} {
		got := jsNumber(c.in)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("toNumber(%#v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestJSNumberString(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1", 1.5: "1.5", -0.25: "-0.25", 1e21: "1e+21", 1.5e-7: "1.5e-7", 123456789012: "123456789012", 0.000001: "0.000001",
	} {
		if got := jsNumberString(f); got != want {
			t.Errorf("jsNumberString(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestFuzzyComparer(t *testing.T) {
	fuzzy := fuzzyComparer(true, 1)
	fuzzy2 := fuzzyComparer(true, 2)
	strict := fuzzyComparer(false, 1)
	for _, c := range []struct {
		a, b          any
		fuzzy, strict bool
	}{
		{3.0, "3", true, false},
		{"3", 3.0, true, false},
		{1.5, "1.50", false, false},
		{nil, "", true, false},
		{[]any{}, nil, true, false},
		{"", undef, true, false},
		{undef, nil, true, false},
		{true, "TRUE", true, false},
		{false, "0", true, false},
		{true, 1.0, true, false},
		{1.0, true, true, false},
		{map[string]any{"a": 1.0}, `{"a":1}`, true, false},
		{`[1,2]`, []any{1.0, 2.0}, true, false},
		{"x", "x", true, true},
		{nil, 0.0, false, false},
	} {
		if got := fuzzy(c.a, c.b); got != c.fuzzy {
			t.Errorf("fuzzy(%#v, %#v) = %v", c.a, c.b, got)
		}
		if got := strict(c.a, c.b); got != c.strict {
			t.Errorf("strict(%#v, %#v) = %v", c.a, c.b, got)
		}
	}
	if !fuzzy2(nil, 0.0) || !fuzzy2("0", nil) {
		t.Error("version 2 fuzzy comparison treats null, 0 and \"0\" as equal")
	}
}

func TestLoMerge(t *testing.T) {
	for _, c := range []struct {
		name    string
		objs    []string
		cust    mergeCustomizer
		shallow bool
		want    string
	}{
		{"deep", []string{`{"a":{"x":1,"y":[1,2,3]},"b":1}`, `{"a":{"y":[9]},"b":null}`}, nil, false, `{"a":{"x":1,"y":[9,2,3]},"b":null}`},
		{"object replaces scalar", []string{`{"a":1}`, `{"a":{"b":2}}`}, nil, false, `{"a":{"b":2}}`},
		{"array replaces object", []string{`{"a":{"b":1}}`, `{"a":[1]}`}, nil, false, `{"a":[1]}`},
		{"shallow", []string{`{"a":{"x":1},"b":1}`, `{"a":{"y":2}}`}, nil, true, `{"a":{"y":2},"b":1}`},
		{"deep, empty values do not override", []string{`{"a":"x","n":{"p":1}}`, `{"a":"","n":{"p":null},"z":""}`}, keepUnlessEmpty, false, `{"a":"x","n":{"p":1},"z":""}`},
		{"shallow, empty values do not override", []string{`{"a":"x"}`, `{"a":null,"b":null}`}, keepUnlessEmpty, true, `{"a":"x","b":null}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			objs := make([]map[string]any, len(c.objs))
			for i, s := range c.objs {
				objs[i] = parseJSONT(t, s).(map[string]any)
			}
			before, _ := json.Marshal(objs)
			var got map[string]any
			if c.shallow {
				got = loAssign(map[string]any{}, c.cust, objs...)
			} else {
				got = loMerge(map[string]any{}, c.cust, objs...)
			}
			if !jsEqual(got, parseJSONT(t, c.want)) {
				b, _ := json.Marshal(got)
				t.Fatalf("got %s, want %s", b, c.want)
			}
			after, _ := json.Marshal(objs)
			if string(before) != string(after) {
				t.Fatalf("sources changed: %s -> %s", before, after)
			}
		})
	}
}

func TestJSSortIsStableForConsistentComparators(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 10, 63, 64, 65, 100, 257, 1000, 5000} {
		for _, spread := range []int{3, 50, 1 << 20} {
			keys := make([]int, n)
			for i := range keys {
				keys[i] = r.IntN(spread)
			}
			// Long presorted stretches exercise runs and galloping.
			if n > 100 && spread > 3 {
				sort.Ints(keys[n/4 : n/2])
				sort.Sort(sort.Reverse(sort.IntSlice(keys[n/2 : 3*n/4])))
			}
			got := jsSort(n, func(a, b int) float64 { return float64(keys[a] - keys[b]) })
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			sort.SliceStable(want, func(i, j int) bool { return keys[want[i]] < keys[want[j]] })
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("n=%d spread=%d: order differs from a stable sort", n, spread)
			}
		}
	}
}

func TestJSSortInconsistentComparators(t *testing.T) {
	identity := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	reversed := func(n int) []int {
		out := identity(n)
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	}
	for _, n := range []int{5, 100} {
		// V8: a comparator that never returns a negative number keeps the
		// order; one that always does reverses it.
		if got := jsSort(n, func(int, int) float64 { return 1 }); !reflect.DeepEqual(got, identity(n)) {
			t.Errorf("n=%d, always 1: %v", n, got)
		}
		if got := jsSort(n, func(int, int) float64 { return -1 }); !reflect.DeepEqual(got, reversed(n)) {
			t.Errorf("n=%d, always -1: %v", n, got)
		}
		if got := jsSort(n, func(int, int) float64 { return math.NaN() }); !reflect.DeepEqual(got, identity(n)) {
			t.Errorf("n=%d, NaN: %v", n, got)
		}
	}
}

func BenchmarkJSSort(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	keys := make([]float64, 10000)
	for i := range keys {
		keys[i] = r.Float64()
	}
	for b.Loop() {
		jsSort(len(keys), func(x, y int) float64 { return keys[x] - keys[y] })
	}
}
