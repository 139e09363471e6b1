package expr

import (
	"errors"
	"reflect"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The attack suite of the expression and script sandbox: every case checks
// that the attack is refused (or reaches nothing), within its limit, and
// that the engine serves the next evaluation normally. `make test-security`
// runs every TestSecurity... test of the repository.

const (
	secTimeout   = 500 * time.Millisecond
	secMaxMemory = 64 << 20
)

func securityEngine() *Engine {
	return New(Options{Timeout: secTimeout, MaxMemory: secMaxMemory, Location: time.UTC})
}

// assertServes checks that the engine still evaluates an expression and a
// script correctly.
func assertServes(t *testing.T, e *Engine) {
	t.Helper()
	got, err := e.Resolve("={{ $json.n + 1 }}", Env{"$json": map[string]any{"n": 41.0}})
	if err != nil || got != 42.0 {
		t.Fatalf("follow-up expression = %#v, %v; want 42", got, err)
	}
	got, err = e.Run("await null; return [1, 2, 3].map(x => x * 2).join(',')", Env{})
	if err != nil || got != "2,4,6" {
		t.Fatalf("follow-up script = %#v, %v; want 2,4,6", got, err)
	}
}

// TestSecurityExpressionEscapes tries the known expression-sandbox escapes
// (n8n's CVE-2025-68613 and CVE-2026-1470 and their variants) in ={{ }}:
// each is refused with an error or evaluates to nothing that reaches the
// host.
func TestSecurityExpressionEscapes(t *testing.T) {
	e := securityEngine()
	env := Env{"$json": map[string]any{"a": 1.0, "list": []any{1.0}}}
	refused := []string{
		"={{ this.constructor.constructor('return this')() }}",
		"={{ $json.constructor.constructor('return process')() }}",
		"={{ `${$json.constructor.constructor('return this')()}` }}",
		"={{ `${this.constructor}` }}",
		"={{ `${(() => {}).constructor('return this')()}` }}",
		"={{ ''['constructor']['constructor']('return this')() }}",
		"={{ ''[`constr${'uctor'}`] }}",
		"={{ $json.list['__proto__'] }}",
		"={{ $json['__pro' + 'to__'] }}",
		"={{ (() => { const {__proto__: p} = $json; return p })() }}",
		"={{ Object['prototype'] }}",
		"={{ (function () { return arguments.callee.caller })() }}",
		"={{ import('fs') }}",
		"={{ (() => { with ($json) { return a } })() }}",
		"={{ $json[['__proto__']] }}",
		"={{ [].map[`construct${'or'}`] }}",
		"={{ Error.prepareStackTrace }}",
		"={{ process.mainModule }}",
	}
	for _, src := range refused {
		t.Run(src, func(t *testing.T) {
			got, err := e.Resolve(src, env)
			if err == nil && got != nil && got != "" && got != "undefined" {
				// Not refused: it must at least have reached nothing.
				if m, ok := got.(map[string]any); !ok || len(m) != 0 {
					t.Fatalf("Resolve(%q) = %#v; want a refusal", src, got)
				}
			}
			assertServes(t, e)
		})
	}
	// What these names give in an expression: nothing that runs code.
	inert := map[string]any{
		"={{ typeof Function }}":       "object",
		"={{ typeof eval }}":           "object",
		"={{ typeof Proxy }}":          "object",
		"={{ typeof Reflect }}":        "object",
		"={{ typeof process }}":        "undefined",
		"={{ typeof require }}":        "object",
		"={{ typeof setTimeout }}":     "object",
		"={{ Object.getPrototypeOf }}": nil,
		"={{ Object.defineProperty }}": nil,
		"={{ Object.setPrototypeOf }}": nil,
		"={{ (() => { try { new Proxy({}, {}) } catch (e) { return 'no' } })() }}":          "no",
		"={{ (() => { try { return Reflect.ownKeys({}) } catch (e) { return 'no' } })() }}": "no",
		"={{ (() => { try { return eval('1') } catch (e) { return 'no' } })() }}":           "no",
		"={{ Symbol.for('x').description }}":                                                "x",
	}
	for src, want := range inert {
		t.Run(src, func(t *testing.T) {
			got, err := e.Resolve(src, env)
			if err != nil {
				var xe *Error
				if !errors.As(err, &xe) || (xe.Kind != KindSecurity && xe.Kind != KindRuntime) {
					t.Fatalf("Resolve(%q): %v", src, err)
				}
			} else if !reflect.DeepEqual(got, want) {
				t.Fatalf("Resolve(%q) = %#v, want %#v", src, got, want)
			}
			assertServes(t, e)
		})
	}
}

// TestSecurityScriptReachesNothing runs Code-node style escapes: a script
// may reach its own global object (as in n8n's Code node) but nothing of
// the host, and Function and friends compile only checked source.
func TestSecurityScriptReachesNothing(t *testing.T) {
	e := securityEngine()
	cases := map[string]any{
		"constructor chain": `const g = this.constructor.constructor('return this')();
			return [typeof g.process, typeof g.require, typeof g.Buffer, typeof g.module, typeof g.fetch]`,
		"template literal": "return `${(() => {}).constructor('return typeof process')()}`",
		"async constructor": `const AF = (async () => {}).constructor;
			return typeof await AF('return typeof require')()`,
		"generator constructor": `const GF = (function* () {}).constructor;
			return GF('yield typeof process')().next().value`,
		"Function global": "return Function('return typeof globalThis.process')()",
		"Reflect ownKeys of the global": `const names = Reflect.ownKeys(Object.getPrototypeOf(globalThis)).map(String);
			return names.filter(n => /^(process|require|module|Buffer|fetch|__weft|os|fs)$/.test(n))`,
		"error stack frames": `try { null.x } catch (e) { return typeof e.stack === 'string' && !/\.go:/.test(e.stack) }`,
		"prepareStackTrace":  `Error.prepareStackTrace = (e, s) => s; try { null.x } catch (e) { return typeof e.stack }`,
	}
	want := map[string]any{
		"constructor chain":             []any{"undefined", "undefined", "undefined", "undefined", "undefined"},
		"template literal":              "undefined",
		"async constructor":             "string",
		"generator constructor":         "undefined",
		"Function global":               "undefined",
		"Reflect ownKeys of the global": []any{},
		"error stack frames":            true,
		"prepareStackTrace":             "string",
	}
	for name, code := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := e.Run(code.(string), Env{})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !reflect.DeepEqual(got, want[name]) {
				t.Fatalf("Run = %#v, want %#v", got, want[name])
			}
			assertServes(t, e)
		})
	}
	t.Run("eval and import refused", func(t *testing.T) {
		for _, code := range []string{"return eval('1')", "return (0, eval)('1')", "return import('fs')", "return globalThis.eval('this')"} {
			if _, err := e.Run(code, Env{}); err == nil {
				t.Fatalf("Run(%q) succeeded", code)
			}
		}
		assertServes(t, e)
	})
}

// TestSecurityLimits runs the resource attacks: each must end within its
// limit with the right kind of error, and the engine keeps serving.
func TestSecurityLimits(t *testing.T) {
	e := securityEngine()
	slack := 2 * time.Second
	cases := []struct {
		name, code string
		kinds      []string // acceptable error kinds
		msg        string   // part of the message
		// within is the time limit an attack on it must end within;
		// zero for the attacks on other limits.
		within time.Duration
	}{
		{"infinite loop", "while (true) {}", []string{KindTimeout}, "timed out", secTimeout},
		{"loop catching the interrupt", "for (;;) { try { while (true) {} } catch (e) {} }", []string{KindTimeout}, "timed out", secTimeout},
		{"loop in finally", "try { return 1 } finally { while (true) {} }", []string{KindTimeout}, "timed out", secTimeout},
		{"loop after await", "await null; while (true) {}", []string{KindTimeout}, "timed out", secTimeout},
		{"promise job loop", "const spin = () => { Promise.resolve().then(spin) }; spin(); await null", []string{KindTimeout, KindMemory}, "", secTimeout},
		{"loop in a getter of the result", "return {get x() { while (true) {} }}", []string{KindTimeout}, "timed out", secTimeout},
		{"loop in toJSON of the result", "return new (class { toJSON() { for (;;) {} } })()", []string{KindTimeout}, "timed out", secTimeout},
		{"loop in a Proxy trap", "const p = new Proxy({}, {ownKeys() { for (;;) {} }}); return Object.keys(p)", []string{KindTimeout}, "timed out", secTimeout},
		{"deep recursion", "function f(n) { return f(n + 1) + 1 }\nreturn f(0)", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"mutual recursion through getters", "const o = {get a() { return this.b }, get b() { return this.a }}; return o.a", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"recursion through toString", "const o = {toString() { return '' + o }}; return '' + o", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"repeat 2**30", "return 'x'.repeat(2**30)", []string{KindMemory}, "memory limit", 0},
		{"padStart 2**30", "return ''.padStart(2**30, 'x')", []string{KindMemory}, "memory limit", 0},
		{"huge Array.from", "return Array.from({length: 2**30})", []string{KindMemory}, "memory limit", 0},
		{"huge fill", "return new Array(2**30).fill(0)", []string{KindMemory}, "memory limit", 0},
		{"huge join", "return new Array(2**30).join('x')", []string{KindMemory}, "memory limit", 0},
		{"growing array", "const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length)", []string{KindMemory}, "memory limit", 0},
		{"growing object", "const o = {}; for (let i = 0; ; i++) o['k' + i] = {i}", []string{KindMemory, KindTimeout}, "", secTimeout},
		{"doubling string", "let s = 'x'; for (;;) s += s", []string{KindMemory}, "memory limit", 0},
		{"JSON.parse of deep nesting", "return JSON.parse('['.repeat(5e6) + ']'.repeat(5e6))", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"JSON.parse with reviver of deep nesting", "return JSON.parse('{\"a\":'.repeat(1e5) + '1' + '}'.repeat(1e5), (k, v) => v)", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"JSON.stringify of deep nesting", "let a = []; for (let i = 0; i < 1e5; i++) a = [a]; return JSON.stringify(a).length", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"JSON.stringify through toJSON", "let a = []; for (let i = 0; i < 1e5; i++) a = [a]; return JSON.stringify({toJSON: () => a}).length", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"JSON.stringify through a replacer", "let a = {}; for (let i = 0; i < 1e5; i++) a = {a}; return JSON.stringify({}, (k, v) => k === '' ? a : v).length", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"JSON.stringify with a key list", "let a = {}; for (let i = 0; i < 1e5; i++) a = {a}; return JSON.stringify(a, ['a']).length", []string{KindRuntime}, "Maximum call stack size exceeded", 0},
		{"returning deep nesting", "let a = []; for (let i = 0; i < 1e5; i++) a = [a]; return a", []string{KindRuntime}, "nested too deeply", 0},
		{"Function of deep source", "return Function('return ' + '('.repeat(1e6) + '1' + ')'.repeat(1e6))()", []string{KindRuntime}, "nests too deeply", 0},
		{"Function of nested arrows", "return Function('return ' + 'x=>'.repeat(1e5) + '1')()", []string{KindRuntime}, "nests too deeply", 0},
		{"Function of a long operator chain", "return Function('return ' + '1+'.repeat(1e5) + '1')()", []string{KindRuntime}, "nests too deeply", 0},
		{"catastrophic backtracking", "return /^(a+)+\\1$/.test('a'.repeat(40) + 'b')", []string{KindTimeout}, "timed out", RegexpTimeout},
		{"never-settling promise", "await new Promise(() => {})", []string{KindRuntime}, "never settled", 0},
	}
	// Attacks on the other limits (memory, call stack, nesting) run with a
	// long time limit, so that only the limit under attack can stop them:
	// their error's kind shows that it did, and TestSecurityHeapStaysBounded
	// measures how far the heap grew. How long they take is how fast the
	// machine is (on a loaded machine a 256 MiB string takes a second or
	// more to allocate, and 1e5 nested objects half a second to build), so
	// it is checked only where the time limit is what is attacked.
	long := New(Options{Timeout: 10 * time.Second, MaxMemory: secMaxMemory, Location: time.UTC})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e := e
			if tt.within == 0 {
				e = long
			}
			start := time.Now()
			_, err := e.Run(tt.code, Env{})
			took := time.Since(start)
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Run = %v; want an *Error", err)
			}
			kindOK := false
			for _, k := range tt.kinds {
				kindOK = kindOK || xe.Kind == k
			}
			if !kindOK || !strings.Contains(xe.Message, tt.msg) {
				t.Fatalf("Run error = %s %q; want %v %q", xe.Kind, xe.Message, tt.kinds, tt.msg)
			}
			if tt.within > 0 && took > tt.within+slack {
				t.Fatalf("took %v; want within %v", took, tt.within)
			}
			assertServes(t, e)
		})
	}
}

// TestSecurityExpressionLimits: the same limits hold in ={{ }}, where
// JavaScript's own exceptions are swallowed but the limits are not.
func TestSecurityExpressionLimits(t *testing.T) {
	e := securityEngine()
	mem := New(Options{Timeout: 10 * time.Second, MaxMemory: secMaxMemory})
	cases := []struct{ src, kind string }{
		{"={{ (() => { while (true) {} })() }}", KindTimeout},
		{"={{ (() => { try { for (;;) {} } catch (e) { return 1 } })() }}", KindTimeout},
		{"={{ (function f() { return f() })() }}", KindRuntime},
		{"={{ 'x'.repeat(2**30) }}", KindMemory},
		{"={{ (() => { const a = []; for (;;) a.push('y'.repeat(1 << 20) + a.length) })() }}", KindMemory},
		{"={{ 'a'.repeat(40).concat('b').match(/^(a+)+\\1$/) }}", KindTimeout},
		{"={{ 'x' + {[Symbol.toPrimitive]() { for (;;) {} }} }}", KindTimeout},
		{"={{ " + strings.Repeat("(", 200000) + "1" + strings.Repeat(")", 200000) + " }}", KindSyntax},
		{"={{ " + strings.Repeat("1+", 200000) + "1 }}", KindSyntax},
		{"={{ " + strings.Repeat("x=>", 200000) + "1 }}", KindSyntax},
	}
	for _, tt := range cases {
		name := tt.src
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			e := e
			if tt.kind == KindMemory {
				e = mem
			}
			start := time.Now()
			got, err := e.Resolve(tt.src, Env{})
			var xe *Error
			if !errors.As(err, &xe) || xe.Kind != tt.kind {
				t.Fatalf("Resolve = %#v, %v; want a %s error", got, err, tt.kind)
			}
			if took := time.Since(start); took > RegexpTimeout+2*time.Second {
				t.Fatalf("took %v", took)
			}
			assertServes(t, e)
		})
	}
	t.Run("source nesting is refused before compiling", func(t *testing.T) {
		deep := strings.Repeat("[", maxSourceNesting+1) + strings.Repeat("]", maxSourceNesting+1)
		if _, err := e.Run("return "+deep, Env{}); err == nil {
			t.Fatal("deep script compiled")
		}
		ok := strings.Repeat("[", 100) + strings.Repeat("]", 100)
		if got, err := e.Resolve("={{ "+ok+".flat(Infinity).length }}", Env{}); err != nil || got != 0.0 {
			t.Fatalf("100 levels: %#v, %v", got, err)
		}
		// brackets in strings and comments do not count
		s := "return '" + strings.Repeat("(", 5000) + "'.length // " + strings.Repeat("[", 5000)
		if got, err := e.Run(s, Env{}); err != nil || got != 5000.0 {
			t.Fatalf("brackets in a string: %#v, %v", got, err)
		}
	})
}

// TestSecurityJSONGuardsKeepSemantics checks that the guarded JSON and
// flat still behave as the standard says.
func TestSecurityJSONGuardsKeepSemantics(t *testing.T) {
	e := securityEngine()
	cases := map[string]any{
		"return JSON.stringify({b: 1, a: [1, {c: 2}], d: undefined, f() {}})":                             `{"b":1,"a":[1,{"c":2}]}`,
		"return JSON.stringify({a: 1, b: {a: 2, c: 3}, c: 4}, ['c', 'a'])":                                `{"c":4,"a":1}`,
		"return JSON.stringify({a: 1, b: 'x'}, (k, v) => typeof v === 'number' ? v * 2 : v)":              `{"a":2,"b":"x"}`,
		"return JSON.stringify({a: [1]}, null, 2)":                                                        "{\n  \"a\": [\n    1\n  ]\n}",
		"return JSON.stringify(new Date(0))":                                                              `"1970-01-01T00:00:00.000Z"`,
		"return JSON.stringify({t: {toJSON: () => ({x: 1})}})":                                            `{"t":{"x":1}}`,
		"return JSON.stringify(undefined) === undefined":                                                  true,
		"const o = {}; o.self = o; try { JSON.stringify(o) } catch (e) { return e instanceof TypeError }": true,
		"return JSON.parse('{\"a\":[1,{\"b\":\"[[[\"}]}', (k, v) => k === 'b' ? v + '!' : v).a[1].b":      "[[[!",
		"return [[1, [2, [3, [4]]]]].flat(Infinity)":                                                      []any{1.0, 2.0, 3.0, 4.0},
		"return [[1, [2]]].flat()":                                                                        []any{1.0, []any{2.0}},
		"return typeof Function === 'function' && (() => {}) instanceof Function":                         true,
		"return Function('a', 'b', 'return a + b')(1, 2)":                                                 3.0,
		"return new Function('return 7')()":                                                               7.0,
		"return (async () => {}).constructor('return 1') instanceof Function":                             true,
		"return Object.getPrototypeOf(function () {}).constructor === Function":                           true,
		"let a = []; for (let i = 0; i < 2e4; i++) a = [a]; return a.flat(Infinity).length":               1.0,
	}
	for code, want := range cases {
		got, err := e.Run(code, Env{})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Run(%q) = %#v, %v; want %#v", code, got, err, want)
		}
	}
}

// TestSecurityPooledRuntimeIsolation proves on one pooled runtime that a
// polluting evaluation leaves nothing for the next one: it takes the
// runtime from the pool, pollutes, returns it, and checks the next
// evaluation gets the same runtime and a clean world.
func TestSecurityPooledRuntimeIsolation(t *testing.T) {
	e := securityEngine()
	polluters := []string{
		"Object.prototype.polluted = 1",
		"Array.prototype.polluted = 1",
		"({}).__proto__.polluted = 1",
		"[].__proto__.polluted = 1",
		"Object.prototype.toString = () => 'hijacked'",
		"Array.prototype.push = () => 0",
		"String.prototype.toUpperCase = () => 'hijacked'",
		"JSON.stringify = () => 'hijacked'",
		"Object.assign(Object.getPrototypeOf(globalThis), {polluted: 1})",
		"Object.defineProperty(Object.prototype, 'polluted', {get() { return 1 }})",
		"Object.setPrototypeOf(Object.prototype, {polluted: 1})",
		"Reflect.set(Function.prototype, 'polluted', 1)",
		"Function.prototype.call = () => 'hijacked'",
		"Symbol.prototype.polluted = 1",
		"Promise.prototype.then = () => 'hijacked'",
		"DateTime.prototype.polluted = 1",
		"DateTime.now = () => 'hijacked'",
		"Math.random = () => 4",
		"Error.prototype.polluted = 1",
		"RegExp.prototype.test = () => true",
		"polluted = 1",
		"globalThis.polluted = 1",
		"var polluted = 1",
		"this.polluted = 1",
		"Object.getPrototypeOf(async function () {}).polluted = 1",
		"Object.getPrototypeOf(function* () {}).polluted = 1",
		"Promise.resolve().then(() => { globalThis.polluted = 1 })",
		"Array.prototype[Symbol.iterator] = function* () { yield 'hijacked' }",
		"Object.defineProperty(Array, Symbol.species, {get() { return 1 }})",
		"Object.freeze = () => 0",
	}
	check := `return [typeof polluted, ({}).polluted, [].polluted, (() => {}).polluted, ({}).toString(),
		[1].push(2), 'a'.toUpperCase(), JSON.stringify([1]), typeof DateTime.now().polluted, typeof DateTime.now(),
		Math.random() < 1, (new Error('x')).polluted, /a/.test('b'), [...[1, 2]].length, [1].map(x => x).length,
		Symbol.iterator.polluted, Object.getPrototypeOf(globalThis).polluted]`
	want := []any{"undefined", nil, nil, nil, "[object Object]", 2.0, "A", "[1]", "undefined", "object",
		true, nil, false, 2.0, 1.0, nil, nil}
	for _, p := range polluters {
		t.Run(p, func(t *testing.T) {
			v := e.get()
			// JavaScript errors are the expected outcome of most of these
			// (frozen builtins); what matters is what is left.
			_, _ = v.run(mustScript(t, e, "try { "+p+" } catch (e) {} return 1"), Env{})
			// In an expression most are refused before they run.
			if tm, err := e.template("{{ (() => { try { " + p + " } catch (e) {} })() }}"); err == nil {
				_, _ = v.resolve(tm, Env{})
			}
			e.put(v)
			v2 := e.get()
			if v2 != v {
				t.Fatal("the pool did not hand back the same runtime")
			}
			got, err := v2.run(mustScript(t, e, check), Env{})
			e.put(v2)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after %q: %#v\nwant %#v", p, got, want)
			}
			v3 := e.get()
			res, err := v3.resolve(mustTemplate(t, e, "={{ typeof polluted + ({}).polluted + [].polluted + 'a'.toUpperCase() }}"), Env{})
			e.put(v3)
			if err != nil || res != "undefinedundefinedundefinedA" {
				t.Fatalf("expression after %q: %#v, %v", p, res, err)
			}
		})
	}
	t.Run("an interrupted run leaves nothing", func(t *testing.T) {
		v := e.get()
		_, err := v.run(mustScript(t, e, "globalThis.polluted = 1; Promise.resolve().then(() => { Object.getPrototypeOf(globalThis).polluted = 2 }); while (true) {}"), Env{})
		var xe *Error
		if !errors.As(err, &xe) || xe.Kind != KindTimeout {
			t.Fatalf("want a timeout, got %v", err)
		}
		e.put(v)
		v2 := e.get()
		got, err := v2.run(mustScript(t, e, "return [typeof polluted, Object.getPrototypeOf(globalThis).polluted]"), Env{})
		e.put(v2)
		if err != nil || !reflect.DeepEqual(got, []any{"undefined", nil}) {
			t.Fatalf("after an interrupted run: %#v, %v", got, err)
		}
	})
	t.Run("input data is not shared", func(t *testing.T) {
		data := map[string]any{"o": map[string]any{"k": "v"}}
		if _, err := e.Run("$json.o.k = 'changed'; $json.o.__proto__ = {x: 1}; return 1", Env{"$json": data}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(data, map[string]any{"o": map[string]any{"k": "v"}}) {
			t.Fatalf("caller data changed: %#v", data)
		}
		got, err := e.Run("return [$json.o.k, $json.o.x]", Env{"$json": data})
		if err != nil || !reflect.DeepEqual(got, []any{"v", nil}) {
			t.Fatalf("next run sees %#v, %v", got, err)
		}
	})
}

func mustScript(t *testing.T, e *Engine, code string) *script {
	t.Helper()
	s, err := e.script(code)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustTemplate(t *testing.T, e *Engine, src string) *tmpl {
	t.Helper()
	tm, err := e.template(src[1:])
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestSecurityNoGoSurface checks that no value a script can reach exposes
// a Go method or field: every Env value is converted to a plain JavaScript
// value, and DateTime, Duration and the helpers are JavaScript objects with
// only their documented members. It walks each value's own and inherited
// property names and looks for Go's exported names and goja's wrappers.
func TestSecurityNoGoSurface(t *testing.T) {
	e := securityEngine()
	type goStruct struct {
		Name   string
		secret string
	}
	env := Env{
		"$json":   map[string]any{"a": 1.0, "when": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "s": goStruct{Name: "x", secret: "hidden"}},
		"$typed":  map[string]int{"n": 1},
		"$ptr":    &goStruct{Name: "y", secret: "hidden"},
		"$fn":     Func(func(args ...any) (any, error) { return goStruct{Name: "r", secret: "hidden"}, nil }),
		"$get":    Getter(func() (any, error) { return []any{time.Now()}, nil }),
		"$object": Object{"f": Func(func(...any) (any, error) { return nil, nil }), "g": Getter(func() (any, error) { return 1, nil })},
	}
	code := `
const values = {$json, when: $json.when, s: $json.s, $typed, $ptr, $fn, fnResult: $fn(), $get, $object,
	now: DateTime.now(), dur: DateTime.now().diff(DateTime.now()), interval: Interval.after(DateTime.now(), {days: 1}),
	DateTime, Duration, Interval, Info: typeof Info === 'undefined' ? {} : Info, date: new Date(), err: new Error('x'),
	helpers: [$min, $max, $ifEmpty, $jmespath, numberList, zip]};
const found = [];
for (const [name, v] of Object.entries(values)) {
	const seen = new Set();
	for (let o = v; o !== null && o !== undefined && !seen.has(o); o = Object.getPrototypeOf(o)) {
		seen.add(o);
		for (const k of Reflect.ownKeys(o)) {
			if (typeof k !== 'string') continue;
			const d = Reflect.getOwnPropertyDescriptor(o, k);
			const isFn = d && typeof d.value === 'function';
			if (/^[A-Z][a-z]/.test(k) && isFn && !['Date', 'Duration', 'Interval', 'Info', 'DateTime'].includes(k)) found.push(name + '.' + k);
			if (['Export', 'ExportType', 'Interface', 'Elem', 'String', 'Unix', 'secret', 'MarshalJSON'].includes(k)) found.push(name + '.' + k);
		}
	}
}
return found;`
	got, err := e.Run(code, env)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := got.([]any); len(l) != 0 {
		t.Fatalf("Go members reachable: %v", got)
	}
	got, err = e.Run("return [$json.s, $ptr, $fn(), typeof $fn, typeof $object.f]", env)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"Name": "x"}, map[string]any{"Name": "y"}, map[string]any{"Name": "r"}, "function", "function"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Go values as seen by a script: %#v, want %#v (JSON shape, unexported fields gone)", got, want)
	}
	assertServes(t, e)
}

// TestSecurityHeapStaysBounded measures the process heap while scripts try
// to exhaust memory: the memory guard stops each one before the heap has
// grown by much more than the budget, and the memory is given back.
func TestSecurityHeapStaysBounded(t *testing.T) {
	e := New(Options{Timeout: 5 * time.Second, MaxMemory: secMaxMemory})
	attacks := []string{
		"const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length)",
		"const a = []; for (;;) a.push({a: 1, b: [1, 2, 3], c: 'y' + a.length})",
		"let s = 'x'; for (;;) s += s",
		"const m = new Map(); for (let i = 0; ; i++) m.set(i, [i])",
		"return 'x'.repeat(2**29)",
	}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	for _, code := range attacks {
		runtime.GC()
		base := heap()
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if h := heap(); h > peak.Load() {
					peak.Store(h)
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		_, err := e.Run(code, Env{})
		close(stop)
		wg.Wait()
		var xe *Error
		if !errors.As(err, &xe) || xe.Kind != KindMemory {
			t.Fatalf("%s: %v; want the memory limit", code, err)
		}
		// The guard samples the heap every 10 ms, so a run can overshoot
		// the budget by what it allocates between two samples (a string
		// doubling allocates its whole new size at once).
		grown := int64(peak.Load()) - int64(base)
		t.Logf("%s: heap grew by %d MiB at most", code, grown>>20)
		if grown > 8*secMaxMemory {
			t.Fatalf("%s: heap grew by %d MiB with a %d MiB budget", code, grown>>20, secMaxMemory>>20)
		}
		runtime.GC()
		if after := int64(heap()) - int64(base); after > secMaxMemory/2 {
			t.Fatalf("%s: %d MiB still held after the run failed", code, after>>20)
		}
	}
	assertServes(t, e)
}

// TestSecurityConcurrentAttacks runs attacks and ordinary evaluations on
// one engine at once: the ordinary ones all succeed meanwhile.
func TestSecurityConcurrentAttacks(t *testing.T) {
	e := securityEngine()
	var wg sync.WaitGroup
	for _, code := range []string{"while (true) {}", "function f() { return f() } return f()", "return 'x'.repeat(2**30)"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Run(code, Env{}); err == nil {
				t.Errorf("%q succeeded", code)
			}
		}()
	}
	deadline := time.Now().Add(secTimeout)
	n := 0
	for time.Now().Before(deadline) {
		got, err := e.Resolve("={{ $json.n * 2 }}", Env{"$json": map[string]any{"n": float64(n)}})
		if err != nil || got != float64(2*n) {
			t.Fatalf("ordinary evaluation %d = %#v, %v", n, got, err)
		}
		n++
	}
	wg.Wait()
	if n < 10 {
		t.Fatalf("only %d ordinary evaluations while the attacks ran", n)
	}
}

// TestGuardHeadroom: the garbage the memory guard allows for before a
// collection confirms growth follows GOGC, and is none when GOGC is off.
func TestGuardHeadroom(t *testing.T) {
	for _, tt := range []struct {
		live uint64
		gogc int64
		want uint64
	}{
		{live: 400 << 20, gogc: 100, want: 400 << 20},
		{live: 400 << 20, gogc: 50, want: 200 << 20},
		{live: 400 << 20, gogc: 300, want: 1200 << 20},
		{live: 400 << 20, gogc: -1, want: 0},
	} {
		if got := (heapSizes{live: tt.live, gogc: tt.gogc}).headroom(); got != tt.want {
			t.Errorf("headroom(live %d MiB, GOGC %d) = %d MiB; want %d MiB", tt.live>>20, tt.gogc, got>>20, tt.want>>20)
		}
	}
}

// TestSecurityGuardAllowsOthersGarbage runs a long evaluation in a
// process with a 256 MiB live heap while another goroutine churns
// garbage: between collections the heap swings by up to the live heap's
// size (GOGC 100), four times the budget, and the guard must not take that
// for the evaluation's own growth (a guard that stops on heap growth alone
// fails here).
func TestSecurityGuardAllowsOthersGarbage(t *testing.T) {
	ballast := make([][]byte, 256)
	for i := range ballast {
		ballast[i] = make([]byte, 1<<20)
		ballast[i][0] = byte(i)
	}
	runtime.GC()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var sink []byte
		for {
			select {
			case <-stop:
				_ = sink
				return
			default:
			}
			// About 1 GB/s: a busy worker, not a memory bandwidth test
			// (what is allocated while a collection marks counts as live
			// for that collection, and nothing can tell it apart then).
			for range 4 {
				sink = make([]byte, 1<<20)
				sink[0] = 1
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	e := New(Options{Timeout: 20 * time.Second, MaxMemory: secMaxMemory})
	got, err := e.Run("let n = 0; for (let i = 0; i < 1e7; i++) n += i & 1; return n", Env{})
	close(stop)
	wg.Wait()
	if err != nil || got != 5e6 {
		t.Fatalf("Run = %v, %v; want 5000000 (another goroutine's garbage is not the evaluation's)", got, err)
	}
	runtime.KeepAlive(ballast)
}
