package expr

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// fastEnv has the awkward values the fast path must convert exactly as
// goja does, or give up on.
func fastEnv() Env {
	return Env{
		"$json": map[string]any{
			"a": 1.0, "id": 41.0, "s": "1", "name": "Ann", "zero": 0.0, "negzero": math.Copysign(0, -1),
			"half": 0.5, "tenth": 0.1, "big": 1e21, "small": 1.5e-7, "maxsafe": 9007199254740992.0,
			"i": 7, "i64": int64(1) << 60, "odd64": int64(9007199254740993), "u64": uint64(1) << 63,
			"i8": int8(-3), "f32": float32(0.1), "num": json.Number("12.5"),
			"t": true, "f": false, "n": nil, "nan": math.NaN(), "inf": math.Inf(1), "ninf": math.Inf(-1),
			"empty": "", "sp": " 1 ", "hex": "0x10", "dec": "1.50", "neg": "-5", "negz": "-0", "e": "1e3",
			"lead0": "012", "plus": "+5", "infs": "Infinity", "under": "1_0", "emoji": "😀 a", "bad": "a\xffb",
			"zz": "zz", "upper": "Z", "ü": "umlaut key", "a b": 3.0, "": "empty key", "0": "zero key",
			"toString": "own toString", "list": []any{1.0, "two", nil, map[string]any{"x": 1.0}, []any{}},
			"nested": map[string]any{"x": map[string]any{"y": 5.0, "s": "deep"}}, "nilmap": map[string]any(nil),
			"date":    time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC),
			"ordered": Ordered{Value: map[string]any{"b": 2.0, "a": 1.0}, Order: &KeyOrder{Keys: []string{"b", "a"}}},
			"typed":   []string{"x"}, "label": label("named"), "count": count(3), "flag": flag(true),
		},
		"$itemIndex": 3,
		"$runIndex":  0,
		"$getter":    Getter(func() (any, error) { return 5.0, nil }),
		"$fail":      Getter(func() (any, error) { return nil, fmt.Errorf("getter failed") }),
		"$func":      Func(func(...any) (any, error) { return 1.0, nil }),
	}
}

type (
	label string
	count uint16
	flag  bool
)

// fastCases are expressions in the fast path's subset (most of them answered
// by it, some given up at evaluation) with their surprises.
var fastCases = []string{
	// member chains
	"$json.a", "$json.id", "$json.name", "$json.n", "$json.missing", "$json['a b']", `$json[""]`, "$json[0]",
	"$json['0']", "$json.nested.x.y", "$json.nested.x.s", "$json.nested['x']['y']", "$json.list[0]",
	"$json.list[1]", "$json.list[2]", "$json.list[9]", "$json.list.length", "$json.list[3].x", "$json.list['1']",
	"$json.list[1.5]", "$json.list[-1]", "$json.name.length", "$json.emoji.length", "$json.ü", "$json.toString",
	"$json.valueOf", "$json.hasOwnProperty", "$json.missing.x", "$json.n.x", "$json.nilmap", "$json.nilmap.x",
	"$json.ordered.b", "$json.ordered", "$json.list", "$json.nested", "$json.date", "$json.typed", "$json.i",
	"$json.i64", "$json.odd64", "$json.u64", "$json.i8", "$json.f32", "$json.num", "$json.bad", "$json.negzero",
	"$json.nan", "$json.inf", "$itemIndex", "$runIndex", "$missing", "$getter", "$fail", "$func", "$json.a.b",
	"$json.name.foo", "$json.list.map", "$json.t.x", "$json.label", "$json.label + 1", "$json.count * 2",
	"$json.flag", "!$json.flag",
	// literals
	"1", "1.0", "-0", "0.1", "1e21", "1e-7", "123456789012345678901234567890", "9007199254740993", "0x10", "010",
	"08", ".5", "5.", "'a'", `"b"`, `'\n\t'`, `'\u00e9'`, `'\uD83D'`, `'\uD83D\uDE00'`, "true", "false", "null",
	"1n",
	// arithmetic and concatenation
	"$json.id + 1", "$json.a + 1", `"1" + 1`, `1 + "1"`, "null + 1", "true + 1", "undefined + 1", "0.1 + 0.2",
	"1 / 0", "-1 / 0", "0 / 0", "1 / -0", "-0 + 0", "-0 - 0", "$json.negzero + 0", "$json.negzero", "-$json.zero",
	"-(-0)", "-(-0) * -5", "0 * -5", "0 * -1", "-1 * 0", "$json.zero * -1", "-0 * 5", "2 * 3", "1e308 * 10",
	"$json.maxsafe + 1", "$json.maxsafe + 2", "$json.maxsafe * 3", "9007199254740992 * 9007199254740992",
	"$json.odd64 + 0", "$json.i64 * 2", "$json.u64 - 1", "$json.big + 1", "$json.big + ''", "$json.small + ''",
	"'x' + $json.tenth", "$json.tenth * 3", "$json.nan + 1", "-$json.nan", "$json.inf - $json.inf", "$json.ninf",
	"'a' * 2", "'3' * '4'", "$json.s * 2", "$json.s - 1", "$json.dec * 1", "$json.neg * 1", "$json.negz * 1",
	"$json.e * 1", "$json.sp * 1", "$json.hex * 1", "$json.lead0 * 1", "$json.plus * 1", "$json.infs * 1",
	"$json.under * 1", "$json.empty * 1", "$json.bad + 1", "$json.emoji + 1", "5 % 3", "-5 % 3", "5 % -3",
	"-4 % 2", "4 % -2", "5.5 % 2", "5 % 0", "0 % 5", "-0 % 5", "$json.inf % 2", "2 % $json.inf", "7 / 2",
	"-7 / 2", "1 - 1", "-1 + 1", "$json.n * 2", "$json.t * $json.t", "$json.f - 1", "$json.missing - 1",
	"$json.list + 1", "$json.nested + ''", "$json.date + ''", "$json.i + $json.i8", "$json.num + 1",
	"$json.f32 + 0", "$json.name + ' ' + $json.id", "$json.name + $json.missing", "$json.name + $json.n",
	"$json.t + 'x'", "+$json.s", "+'x'", "+true", "+null", "+$json.missing", "-'5'", "-''", "-null",
	// unary !
	"!$json.a", "!$json.zero", "!$json.negzero", "!$json.nan", "!$json.empty", "!$json.name", "!$json.n",
	"!$json.missing", "!!$json.t", "!$json.list", "!$json.nested",
	// comparisons
	"$json.a === 1", "$json.a !== 1", "$json.s === 1", "$json.s == 1", "1 == '1'", "'1.0' == 1", "1 == '1.0'",
	"true == 1", "null == undefined", "null == $json.missing", "null == 0", "0 == null", "'' == null",
	"$json.n === null", "$json.missing === undefined", "$json.nan === $json.nan", "$json.nan == $json.nan",
	"$json.zero === $json.negzero", "'a' == 'a'", "'a' != 'b'", "$json.list == $json.list", "1 < 2", "2 < 1",
	"'a' < 'b'", "'B' < 'a'", "'10' < '9'", "'10' < 9", "10 < '9'", "null < 1", "null >= 0", "null <= 0",
	"undefined < 1", "undefined >= 1", "$json.nan < 1", "$json.nan >= 1", "'x' < 1", "'é' < 'z'",
	"$json.emoji > 'a'", "true > false", "$json.a <= 1", "$json.a >= 1.5", "1 > 0 === true",
	"$json.name === 'Ann'", "$json.list.length > 3",
	// roots beyond $json
	"$itemIndex + 1", "$itemIndex * $runIndex", "$runIndex === 0", "$getter + 1", "$fail + 1",
	// parentheses and precedence
	"($json.a + 1) * 2", "$json.a + 1 * 2", "(($json.id))", "-($json.a + 2)", "1 - -1", "1 - - - 1",
	"($json.s + 1) * 2",
}

// fastTemplates are whole parameter values, templates with text around.
var fastTemplates = []string{
	"=id {{ $json.id }}", "={{ $json.a }}{{ $json.id }}", "=a{{ $json.n }}b{{ $json.missing }}c",
	"=x {{ $json.nan }} y", "={{ $json.negzero }} {{ -0 }}", "={{ $json.big }}/{{ $json.small }}/{{ 1/0 }}",
	"={{ $json.t }} {{ $json.f }} {{ $json.empty }}|", "=Hello {{ $json.name + '!' }} #{{ $itemIndex + 1 }}",
	"={{ $json.list }} and {{ $json.a }}", "={{ $json.nested }}!", "={{ $json.date }}!", "=\\{{ $json.a }}",
	"={{ $json.odd64 }} {{ $json.i64 }} {{ $json.u64 }}", "={{ 0.1 + 0.2 }} {{ 1e21 }} {{ 123e-20 }}",
	"=  {{ $json.a }}", "={{ $json.a }}  ", "={{$json.a}}", "={{ $json['a b'] }} {{ $json.list[1] }}",
	"={{ $json.bad }}", "={{ $json.emoji }}", "={{ $json.zero * -5 }} {{ 0 * -1 }}", "={{ 1; 2 }}",
	"={{ $json.a // comment\n }}", "={{ /* c */ $json.a }}", "={{ $json.a }", "={{ $json.a + }}",
	"={{ $json.constructor }}", "={{ $json['__proto__'] }}", "={{ $json.a, 2 }}", "={{ {a: 1}.a }}",
	"={{ `x` }}", "={{ $json?.a }}", "={{ $ }}", "={{ globalThis }}",
}

// sameResult compares results exactly: types, NaN and the sign of zero.
func sameResult(a, b any) bool {
	fa, ok1 := a.(float64)
	fb, ok2 := b.(float64)
	if ok1 && ok2 {
		if fa != fa || fb != fb {
			return fa != fa && fb != fb
		}
		return fa == fb && math.Signbit(fa) == math.Signbit(fb)
	}
	return reflect.DeepEqual(a, b)
}

// checkFast evaluates src both ways. It reports whether the fast path
// answered; when it did, goja must have given the same value and no error.
func checkFast(t *testing.T, fast, slow *Engine, src string, env Env) bool {
	t.Helper()
	want, werr := slow.Resolve(src, env)
	got, gerr := fast.Resolve(src, env)
	if !sameResult(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Errorf("%q: Resolve = %#v, %v; JavaScript alone: %#v, %v", src, got, gerr, want, werr)
	}
	if !strings.HasPrefix(src, "=") {
		return false
	}
	tm, err := fast.template(src[1:])
	if err != nil || tm.literal || !tm.fast {
		return false
	}
	r, ok := tm.resolveFast(envScope(env))
	if ok && (werr != nil || !sameResult(r, want)) {
		t.Errorf("%q: fast path %#v; JavaScript %#v, %v", src, r, want, werr)
	}
	return ok
}

func TestFastPathMatchesJavaScript(t *testing.T) {
	fast, slow := New(Options{}), New(Options{NoFastPath: true})
	env := fastEnv()
	answered := 0
	for _, c := range fastCases {
		for _, src := range []string{"={{ " + c + " }}", "=<{{ " + c + " }}>"} {
			if checkFast(t, fast, slow, src, env) {
				answered++
			}
		}
	}
	for _, src := range fastTemplates {
		if checkFast(t, fast, slow, src, env) {
			answered++
		}
	}
	t.Logf("the fast path answered %d evaluations", answered)
	// The table is meant to exercise the fast path, not only goja.
	if total := 2*len(fastCases) + len(fastTemplates); answered < total/2 {
		t.Errorf("the fast path answered only %d of %d evaluations", answered, total)
	}
}

// TestFastPathTakes pins what the fast path answers and what it leaves to
// goja, so that a change that quietly makes it give up everywhere fails.
func TestFastPathTakes(t *testing.T) {
	e := New(Options{})
	env := fastEnv()
	for src, want := range map[string]bool{
		"={{ $json.id + 1 }}": true, "=n: {{ $json.name }} {{ $itemIndex }}": true, "={{ $json['a b'] * 2 }}": true,
		"={{ $json.list[0] + $json.list.length }}": true, "={{ $json.missing }}": true, "={{ 1 == '1' }}": false,
		"={{ $json.s === '1' && 1 }}": false, "={{ $json.nested }}": false, "={{ $json.hex * 1 }}": false,
		"={{ $json.name.toUpperCase() }}": false, "={{ $getter }}": false, "={{ $json.valueOf }}": false, "={{ $json.toString }}": true,
		"={{ $json.missing.x }}": false, "={{ $json.date }}": false, "={{ $json.bad }}": false,
	} {
		tm, err := e.template(src[1:])
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got := tm.fast
		if got {
			_, got = tm.resolveFast(envScope(env))
		}
		if got != want {
			t.Errorf("%s: fast path answered %v, want %v", src, got, want)
		}
	}
}

// TestObjectProtoNames: reading a missing key gives undefined only when
// Object.prototype has no property of that name.
func TestObjectProtoNames(t *testing.T) {
	e := New(Options{})
	res, err := e.Run("return Object.getOwnPropertyNames(Object.getPrototypeOf({}))", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range res.([]any) {
		if !objectProtoNames[n.(string)] {
			t.Errorf("Object.prototype has %q, which objectProtoNames lacks", n)
		}
	}
}

// TestNumberToString compares numberToString with goja's own formatting.
func TestNumberToString(t *testing.T) {
	rt := goja.New()
	r := rand.New(rand.NewSource(1))
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e21, 1e-7, 1.5e-7, 123e-20, 1 << 53, 1<<53 + 2,
		-(1 << 53), 1e20, 5e-324, math.MaxFloat64, math.NaN(), math.Inf(1), math.Inf(-1), 0.000001, 1e300}
	for range 20000 {
		vals = append(vals, math.Float64frombits(r.Uint64()), float64(r.Int63n(1<<60))/float64(r.Int63n(1000)+1))
	}
	for _, f := range vals {
		if got, want := numberToString(f), rt.ToValue(f).String(); got != want {
			t.Errorf("numberToString(%v) = %q, goja %q", f, got, want)
		}
	}
}

// fastAtoms are the leaves FuzzFastPath builds expressions from.
var fastAtoms = []string{
	"0", "1", "2", "-1", "0.1", "0.5", "3", "1e21", "9007199254740993", "1.5e-7", "'1'", "''", "'a'", "'-0'",
	"' 2'", "'1.5'", "'1e3'", "'x'", "true", "false", "null", "$json.a", "$json.zero", "$json.negzero",
	"$json.s", "$json.name", "$json.missing", "$json.n", "$json.nan", "$json.inf", "$json.big", "$json.i64",
	"$json.odd64", "$json.list[0]", "$json.list[2]", "$json.list.length", "$json.list", "$json.dec",
	"$json.neg", "$json.empty", "$json['a b']", "$itemIndex", "$json.emoji", "$json.t", "$json.date",
	"$json.maxsafe", "$json.tenth", "$json.hex",
}

var fastOps = []string{" + ", " - ", " * ", " / ", " % ", " === ", " !== ", " == ", " != ", " < ", " > ", " <= ", " >= "}

// fastGen builds an expression of the fast path's subset from fuzz bytes.
type fastGen struct {
	data []byte
}

func (g *fastGen) next() int {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return int(b)
}

func (g *fastGen) expr(depth int) string {
	c := g.next()
	switch {
	case depth > 4 || c < 128:
		return fastAtoms[g.next()%len(fastAtoms)]
	case c < 200:
		return g.expr(depth+1) + fastOps[g.next()%len(fastOps)] + g.expr(depth+1)
	case c < 215:
		return "-" + g.expr(depth+1)
	case c < 225:
		return "!" + g.expr(depth+1)
	case c < 230:
		return "+" + g.expr(depth+1)
	}
	return "(" + g.expr(depth+1) + ")"
}

// fastSource builds a template from generator bytes, as FuzzFastPath and
// TestFastPathRandom use them.
func fastSource(data []byte) string {
	g := &fastGen{data: data}
	e := g.expr(0)
	switch g.next() % 3 {
	case 0:
		return "={{ " + e + " }}"
	case 1:
		return "=a {{ " + e + " }} b"
	}
	return "={{ " + e + " }}/{{ " + g.expr(0) + " }}"
}

// TestFastPathRandom is FuzzFastPath over a fixed set of pseudo-random
// inputs, so that every test run compares a few thousand expressions.
func TestFastPathRandom(t *testing.T) {
	fast, slow := New(Options{}), New(Options{NoFastPath: true})
	env := fastEnv()
	r := rand.New(rand.NewSource(8))
	data := make([]byte, 24)
	answered := 0
	for range 10000 {
		r.Read(data)
		if checkFast(t, fast, slow, fastSource(data), env) {
			answered++
		}
	}
	t.Logf("the fast path answered %d of 10000", answered)
}

// FuzzFastPath compares the fast path with goja on generated expressions
// of its subset, alone and in templates: wherever the fast path answers,
// goja must give the same value and no error.
func FuzzFastPath(f *testing.F) {
	for _, s := range []string{"\x80\x01\x00\x02", "\x90\x80\x03\x00\x80\x04\x01\x05", "\xd0\x05", "\xff\xc0\x00\x07\x01\x08"} {
		f.Add([]byte(s))
	}
	fast, slow := New(Options{}), New(Options{NoFastPath: true})
	env := fastEnv()
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, fast, slow, fastSource(data), env)
	})
}
