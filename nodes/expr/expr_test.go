package expr

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	return New(Options{Timeout: 2 * time.Second, Location: time.UTC})
}

func TestSplitTemplate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []chunk
	}{
		{"lone", "{{ 1 }}", []chunk{{text: ""}, {text: " 1 ", code: true}}},
		{"text only", "plain", []chunk{{text: "plain"}}},
		{"mixed", "a {{ x }} b", []chunk{{text: "a "}, {text: " x ", code: true}, {text: " b"}}},
		{"escaped open", `a\{{ x }}`, []chunk{{text: `a\{{ x }}`}}},
		{"double backslash", `a\\{{ x }}`, []chunk{{text: `a\`}, {text: " x ", code: true}}},
		{"unclosed", "{{ x", []chunk{{text: ""}, {text: " x", code: true}}},
		{"nested object", "{{ {a: {b: 1}}.a }}", []chunk{{text: ""}, {text: " {a: {b: 1}}.a ", code: true}}},
		{"braces in string", `{{ "}}" + '{' }}!`, []chunk{{text: ""}, {text: ` "}}" + '{' `, code: true}, {text: "!"}}},
		{"template literal", "{{ `${a}}}` }}", []chunk{{text: ""}, {text: " `${a}}}` ", code: true}}},
		{"regex", "{{ /}}/.test(s) }}", []chunk{{text: ""}, {text: " /}}/.test(s) ", code: true}}},
		{"adjacent", "{{a}}{{b}}", []chunk{{text: ""}, {text: "a", code: true}, {text: ""}, {text: "b", code: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splitTemplate(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitTemplate(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	e := newTestEngine(t)
	env := Env{
		"$json": map[string]any{
			"n": 3.0, "s": "Ann", "tags": []any{"x", "y"}, "obj": map[string]any{"k": "v"},
			"nil": nil, "nested": []any{[]any{1.0, 2.0}, []any{3.0}},
		},
		"$now": time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC),
	}
	tests := []struct {
		name, in string
		want     any
	}{
		{"not an expression", "plain {{ $json.n }}", "plain {{ $json.n }}"},
		{"empty", "=", ""},
		{"no braces", "=just text", "just text"},
		{"raw number", "={{ $json.n + 1 }}", 4.0},
		{"raw array", "={{ $json.tags }}", []any{"x", "y"}},
		{"raw object", "={{ {a: 1, b: [true]} }}", map[string]any{"a": 1.0, "b": []any{true}}},
		{"raw undefined", "={{ $json.missing }}", nil},
		{"text", "=Hi {{ $json.s }}, {{ $json.n * 2 }}!", "Hi Ann, 6!"},
		{"array in text", "=[{{ $json.tags }}] [{{ $json.nested }}]", "[x,y] [1,2,3]"},
		{"object in text", "={{ $json.obj }} ", "[object Object] "},
		{"null and NaN in text", "=<{{ $json.nil }}|{{ 0/0 }}|{{ 0 }}|{{ false }}>", "<||0|false>"},
		{"DateTime in text", "=at {{ $now }}", "at 2024-03-15T10:30:00.000Z"},
		{"DateTime raw", "={{ $now.plus(1, 'day') }}", time.Date(2024, 3, 16, 10, 30, 0, 0, time.UTC)},
		{"unknown identifier is undefined", "={{ nothingHere ?? 'd' }}", "d"},
		{"runtime error swallowed", "={{ $json.missing.deeper }}", nil},
		{"throw swallowed", "={{ (() => { throw new Error('x') })() }}", nil},
		{"block error empties the block", "=a{{ $json.missing.x }}b", "ab"},
		{"missing method", "={{ $json.s.toCamelCase() }}", nil},
		{"extension", "={{ $json.s.toSnakeCase().toUpperCase() }}", "ANN"},
		{"extension on parenthesized", "={{ ($json.n * 1.005).round(2) }}", 3.01},
		{"native method through extend", "={{ $json.tags.includes('x') }}", true},
		{"generic isEmpty on undefined", "={{ $json.missing.isEmpty() }}", true},
		{"optional extension", "={{ $json.missing?.toSnakeCase() }}", nil},
		{"$if lazy", "={{ $if(true, 'a', $json.missing.boom) }}", "a"},
		{"$if two args", "={{ $if($json.n > 5, 'big') }}", false},
		{"$ifEmpty", "={{ $ifEmpty($json.nil, 'none') }}", "none"},
		{"$max", "={{ $max(1, $json.n, 2) }}", 3.0},
		{"jmespath", "={{ $jmespath($json, 'tags[1]') }}", "y"},
		{"sanitized computed key", "={{ $json['o' + 'bj'].k }}", "v"},
		{"NaN kept", "={{ 0/0 }}", math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Resolve(tt.in, env)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.in, err)
			}
			if f, ok := tt.want.(float64); ok && math.IsNaN(f) {
				if g, ok := got.(float64); !ok || !math.IsNaN(g) {
					t.Fatalf("Resolve(%q) = %#v, want NaN", tt.in, got)
				}
				return
			}
			if gt, ok := got.(time.Time); ok {
				if !gt.Equal(tt.want.(time.Time)) {
					t.Fatalf("Resolve(%q) = %v, want %v", tt.in, gt, tt.want)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Resolve(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	e := New(Options{Timeout: 3 * time.Second, MaxCallStack: 200, MaxMemory: 64 << 20})
	envErr := errors.New("node 'X' does not exist")
	env := Env{
		"$json": map[string]any{"s": "abc", "n": 2.5},
		"$":     Func(func(args ...any) (any, error) { return nil, envErr }),
	}
	tests := []struct {
		name, in string
		kind     string
		msg      string
	}{
		{"syntax", "={{ 1 + }}", KindSyntax, "invalid syntax"},
		{"empty block", "={{ }}", KindSyntax, "invalid syntax"},
		{"extension error", "={{ $json.n.isEven() }}", KindRuntime, "isEven() is only callable on integers"},
		{"wrong type", "={{ $json.s.sum() }}", KindRuntime, `sum() is only callable on type "Array"`},
		{"on undefined", "={{ $json.missing.toSnakeCase() }}", KindRuntime, "toSnakeCase can't be used on undefined value"},
		{"env function error", "={{ $('X').first() }}", KindRuntime, "node 'X' does not exist"},
		{"$if arity", "={{ $if(true) }}", KindRuntime, "$if requires at least 2 parameters"},
		{"function result", "={{ $json.s.toUpperCase }}", KindRuntime, "this is a function, please add ()"},
		{"DateTime class", "={{ DateTime }}", KindRuntime, "this is a DateTime, please access its methods"},
		{"deep recursion", "={{ (function f(n) { return f(n + 1) })(0) }}", KindRuntime, "Maximum call stack size exceeded"},
		{"repeat bomb", "={{ 'x'.repeat(2**30) }}", KindMemory, "memory"},
		{"padStart bomb", "={{ 'x'.padStart(2**30) }}", KindMemory, "memory"},
		{"fill bomb", "={{ new Array(2**31).fill(1) }}", KindMemory, "memory"},
		{"array growth", "={{ (() => { const a = []; while (true) a.push([1, 2, 3, 4]) })() }}", KindMemory, "memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Resolve(tt.in, env)
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Resolve(%q) = %#v, %v; want *Error", tt.in, got, err)
			}
			if xe.Kind != tt.kind || !strings.Contains(xe.Message, tt.msg) {
				t.Fatalf("Resolve(%q) error = %s %q, want %s containing %q", tt.in, xe.Kind, xe.Message, tt.kind, tt.msg)
			}
		})
	}
	t.Run("infinite loop", func(t *testing.T) {
		short := New(Options{Timeout: 200 * time.Millisecond})
		_, err := short.Resolve("={{ (() => { while (true) {} })() }}", env)
		var xe *Error
		if !errors.As(err, &xe) || xe.Kind != KindTimeout {
			t.Fatalf("error = %v, want a timeout", err)
		}
	})
	t.Run("string doubling is stopped", func(t *testing.T) {
		_, err := e.Resolve("={{ (() => { let s = 'xxxxxxxx'; while (true) s = s + s })() }}", env)
		var xe *Error
		if !errors.As(err, &xe) || (xe.Kind != KindMemory && xe.Kind != KindTimeout) {
			t.Fatalf("error = %v, want a memory or timeout error", err)
		}
	})
	t.Run("env error unwraps", func(t *testing.T) {
		_, err := e.Resolve("={{ $('X') }}", env)
		if !errors.Is(err, envErr) {
			t.Fatalf("error %v does not wrap the Env function's error", err)
		}
	})
}

// TestSandbox tries n8n's known expression-sandbox escapes
// (CVE-2025-68613, CVE-2026-1470 and friends) and checks they reach nothing.
func TestSandbox(t *testing.T) {
	e := newTestEngine(t)
	env := Env{"$json": map[string]any{"a": 1.0}}
	refused := []string{
		"={{ $json.constructor.constructor('return this')() }}",
		"={{ (() => {}).constructor('return process')() }}",
		"={{ $json['constr' + 'uctor'] }}",
		"={{ $json.__proto__ }}",
		"={{ $json['__proto__'].polluted = 1 }}",
		"={{ Object.prototype }}",
		"={{ (() => { const {constructor: c} = {}; return c })() }}",
		"={{ (() => { with ({}) { return 1 } })() }}",
		"={{ (() => { class X extends Function {} })() }}",
		"={{ $ }}",
		"={{ (() => { let __ext = 1; return __ext })() }}",
	}
	for _, src := range refused {
		t.Run(src, func(t *testing.T) {
			got, err := e.Resolve(src, env)
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Resolve(%q) = %#v, %v; want a refusal", src, got, err)
			}
		})
	}
	harmless := map[string]any{
		"={{ (function () { return this.process })() }}": map[string]any{},
		"={{ typeof Function }}":                         "object",
		"={{ typeof eval }}":                             "object",
		"={{ typeof require }}":                          "object",
		"={{ typeof process }}":                          "undefined",
		"={{ Object.getPrototypeOf }}":                   nil,
		"={{ Object.defineProperty }}":                   nil,
		"={{ typeof globalThis.Object }}":                "undefined",
		"={{ Reflect.get }}":                             nil,
		"={{ [].map['constructor'] }}":                   nil,
		"={{ (() => { try { return Function('return this')() } catch (e) { return 'blocked' } })() }}": "blocked",
	}
	for src, want := range harmless {
		t.Run(src, func(t *testing.T) {
			got, err := e.Resolve(src, env)
			if err != nil {
				var xe *Error
				if errors.As(err, &xe) && xe.Kind == KindSecurity {
					return
				}
				t.Fatalf("Resolve(%q): %v", src, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Resolve(%q) = %#v, want %#v", src, got, want)
			}
		})
	}
}

// TestIsolation checks that nothing an evaluation does is visible to the
// next one on the same (pooled) runtime, and that the caller's data is not
// mutated.
func TestIsolation(t *testing.T) {
	e := New(Options{Timeout: time.Second})
	data := map[string]any{"list": []any{1.0}, "o": map[string]any{"k": "v"}}
	env := Env{"$json": data, "items": []any{map[string]any{"json": data}}}
	steps := []struct {
		name, code string
	}{
		{"implicit global", "leaked = 1; return 1"},
		{"globalThis", "globalThis.leaked2 = 2; return 1"},
		{"prototype pollution", "Object.prototype.polluted = 1; Array.prototype.first = 1; String.prototype.trim = null; return 1"},
		{"proto of global", "Object.getPrototypeOf(globalThis).leaked3 = 3; return 1"},
		{"builtin static", "JSON.parse = () => 'hijacked'; Math.max = () => -1; return 1"},
		{"defineProperty on prototype", "try { Object.defineProperty(Object.prototype, 'polluted2', {value: 1}) } catch (e) {} return 1"},
		{"mutate input", "$json.list.push(2); $json.o.k = 'changed'; items[0].json.extra = 1; return 1"},
		{"indirect eval", "try { (0, eval)('var leaked4 = 4') } catch (e) {} return 1"},
	}
	for _, s := range steps {
		if _, err := e.Run(s.code, env); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	check := `return [typeof leaked, typeof leaked2, typeof leaked3, typeof leaked4, ({}).polluted, ({}).polluted2,
		typeof [].first, typeof ''.trim, JSON.parse('1'), Math.max(1, 2)]`
	got, err := e.Run(check, env)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"undefined", "undefined", "undefined", "undefined", nil, nil, "undefined", "function", 1.0, 2.0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after the steps: %#v, want %#v", got, want)
	}
	if !reflect.DeepEqual(data, map[string]any{"list": []any{1.0}, "o": map[string]any{"k": "v"}}) {
		t.Fatalf("caller data mutated: %#v", data)
	}
	// expressions see the same clean state
	if got, err := e.Resolve("={{ typeof leaked + ({}).polluted }}", Env{}); err != nil || got != "undefinedundefined" {
		t.Fatalf("expression after pollution attempts: %#v, %v", got, err)
	}
}

func TestRun(t *testing.T) {
	e := newTestEngine(t)
	env := Env{"$json": map[string]any{"n": 0.0}, "$input": Object{
		"all": Func(func(...any) (any, error) {
			return []any{map[string]any{"json": map[string]any{"a": 1.0}}, map[string]any{"json": map[string]any{"a": 2.0}}}, nil
		}),
	}}
	tests := []struct {
		name, code string
		want       any
	}{
		{"items", "return $input.all().map(i => ({json: {double: i.json.a * 2}}))",
			[]any{map[string]any{"json": map[string]any{"double": 2.0}}, map[string]any{"json": map[string]any{"double": 4.0}}}},
		{"undefined dropped, date kept, function dropped", "return {u: undefined, d: new Date(Date.UTC(2024, 0, 15)), f() {}, a: [undefined, () => 1]}",
			map[string]any{"d": time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), "a": []any{nil, nil}}},
		{"DateTime", "return {t: DateTime.fromISO('2024-03-15T10:30:00Z')}", map[string]any{"t": time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC)}},
		{"sloppy implicit global loop", "const out = []; for (item of $input.all()) out.push(item.json.a); return out", []any{1.0, 2.0}},
		{"await", "const x = await Promise.resolve(5); return x + 1", 6.0},
		{"overriding inherited names", "const e = new Error('x'); e.name = 'Custom'; const o = {}; o.toString = 1; return [e.name, o.toString]", []any{"Custom", 1.0}},
		{"integers are float64", "return [1, 2.5, -0]", []any{1.0, 2.5, 0.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Run(tt.code, env)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !jsonEqual(normalize(got), normalize(tt.want)) || !reflect.DeepEqual(normalize(got), normalize(tt.want)) {
				t.Fatalf("Run = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	e := New(Options{Timeout: 300 * time.Millisecond, MaxCallStack: 200})
	tests := []struct {
		name, code string
		kind       string
		msg        string
		line       int
	}{
		{"throw with line", "const a = 1;\nif (a === 1) {\n  throw new Error('cannot divide by zero');\n}", KindRuntime, "cannot divide by zero", 3},
		{"type error", "let x;\nx.y.z = 1", KindRuntime, "", 2},
		{"reference error", "return missingVariable", KindRuntime, "missingVariable is not defined", 1},
		{"throw non-error", "throw 'plain'", KindRuntime, "plain", 1},
		{"async rejection", "await null;\nthrow new Error('late')", KindRuntime, "late", 2},
		{"syntax", "return {", KindSyntax, "invalid syntax", 0},
		{"timeout", "while (true) {}", KindTimeout, "timed out", 0},
		{"recursion", "function f() { return f() }\nreturn f()", KindRuntime, "Maximum call stack size exceeded", 0},
		{"eval refused", "return eval('1')", KindRuntime, "eval is not allowed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Run(tt.code, Env{})
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Run: %v, want *Error", err)
			}
			if xe.Kind != tt.kind || !strings.Contains(xe.Message, tt.msg) || (tt.line != 0 && xe.Line != tt.line) {
				t.Fatalf("Run error = %s %q line %d, want %s %q line %d", xe.Kind, xe.Message, xe.Line, tt.kind, tt.msg, tt.line)
			}
		})
	}
}

func TestCompileCache(t *testing.T) {
	e := New(Options{CacheSize: 2})
	for _, src := range []string{"={{ 1 }}", "={{ 2 }}", "={{ 3 }}", "={{ 1 }}"} {
		if _, err := e.Resolve(src, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.cache.ll.Len(); n != 2 {
		t.Fatalf("cache holds %d entries, want 2", n)
	}
	a, _ := e.template("{{ 1 }}")
	b, _ := e.template("{{ 1 }}")
	if a != b {
		t.Fatal("the same source compiled twice")
	}
}

func TestNumberFormat(t *testing.T) {
	tests := []struct {
		f       float64
		locales []string
		opts    map[string]any
		want    string
	}{
		{1234567.891, nil, nil, "1,234,567.891"},
		{1234567.891, []string{"de-DE"}, nil, "1.234.567,891"},
		{1234567.891, []string{"en-US"}, map[string]any{"style": "currency", "currency": "USD"}, "$1,234,567.89"},
		{1234.5, []string{"de-DE"}, map[string]any{"style": "currency", "currency": "EUR"}, "1.234,50\u00a0€"},
		{2.5, nil, map[string]any{"style": "percent"}, "250%"},
		{0.125, nil, map[string]any{"style": "percent"}, "13%"},
		{3.14159, nil, map[string]any{"maximumFractionDigits": int64(1)}, "3.1"},
		{1.005, nil, map[string]any{"maximumFractionDigits": int64(2)}, "1.01"},
		{-0.0001, nil, nil, "0"},
		{1234, []string{"es-ES"}, nil, "1234"},
		{1234567, []string{"en-IN"}, nil, "12,34,567"},
		{1234.5678, nil, map[string]any{"maximumSignificantDigits": int64(3)}, "1,230"},
	}
	for _, tt := range tests {
		got, err := formatNumber(tt.f, tt.locales, tt.opts)
		if err != nil || got != tt.want {
			t.Errorf("formatNumber(%v, %v, %v) = %q, %v; want %q", tt.f, tt.locales, tt.opts, got, err, tt.want)
		}
	}
}

func TestTransliterate(t *testing.T) {
	for in, want := range map[string]string{
		"Crème Brûlée über Straße": "Creme Brulee uber Strasse",
		"Ångström naïve café":      "Angstrom naive cafe",
		"Łódź, Ørsted, Œuvre":      "Lodz, Orsted, OEuvre",
		"日本":                       "??",
	} {
		if got := transliterate(in); got != want {
			t.Errorf("transliterate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newTestEngine(t)
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				got, err := e.Resolve("={{ $json.n * 2 }}", Env{"$json": map[string]any{"n": float64(g*1000 + i)}})
				if err != nil || got != float64(2*(g*1000+i)) {
					done <- errors.New("wrong result under concurrency")
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
