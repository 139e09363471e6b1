package expr

import (
	"errors"
	"testing"
	"time"
)

// FuzzResolve evaluates arbitrary expressions: whatever the text, Resolve
// returns (a value or an *Error) without crashing the process, within the
// limits. Seeds are n8n-style expressions and known escape attempts.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"={{ $json.a + 1 }}", "=Hello {{ $json.name }}!", "={{ $json.list.map(x => x * 2).join(',') }}",
		"={{ 'abc'.toTitleCase() }}", "={{ $json.a ? 'y' : 'n' }}", "={{ {a: 1}.a }}", "={{ `${$json.a}` }}",
		"={{ DateTime.fromISO('2024-01-01').plus({days: 1}).toISO() }}", "={{ $if($json.a, 1, 2) }}",
		"={{ this.constructor.constructor('return this')() }}", "={{ $json['__proto__'] }}",
		"={{ JSON.parse('[[[1]]]') }}", "={{ /(a+)+b/.test('aaaa') }}", "={{ [[1,[2]]].flat(Infinity) }}",
		"={{ }}", "={{", "=}}{{", "={{ /* }} */ 1 }}", "={{ '}}' }}", `={{ "\u0000" }}`,
	} {
		f.Add(s)
	}
	e := New(Options{Timeout: 200 * time.Millisecond, MaxMemory: 64 << 20})
	env := Env{"$json": map[string]any{"a": 1.0, "name": "x", "list": []any{1.0, 2.0}}}
	f.Fuzz(func(t *testing.T, src string) {
		_, err := e.Resolve(src, env)
		if err != nil {
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Resolve(%q) error %T %v is not an *Error", src, err, err)
			}
		}
	})
}

// FuzzRun runs arbitrary Code-node scripts under the same rules.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		"return 1", "return $json", "const a = []; for (let i = 0; i < 10; i++) a.push(i); return a",
		"return JSON.stringify({a: [1, {b: 2}]})", "return Function('return 1')()", "throw new Error('x')",
		"await null; return 2", "return new Proxy({}, {})", "return [].constructor.constructor('return this')()",
	} {
		f.Add(s)
	}
	e := New(Options{Timeout: 200 * time.Millisecond, MaxMemory: 64 << 20})
	f.Fuzz(func(t *testing.T, code string) {
		_, err := e.Run(code, Env{"$json": map[string]any{"a": 1.0}})
		if err != nil {
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Run(%q) error %T %v is not an *Error", code, err, err)
			}
		}
	})
}
