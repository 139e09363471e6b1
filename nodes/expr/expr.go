// Package expr evaluates n8n expressions ("={{ $json.a + 1 }}" and text
// templates) and Code-node scripts as JavaScript in goja, with n8n's
// semantics: tmpl-style template splitting, the extension methods n8n adds
// to strings, numbers, arrays, objects and booleans ("abc".toTitleCase()),
// its global helpers ($if, $ifEmpty, $max, $min, $jmespath, ...), and its
// expression sandbox rules.
//
// The caller supplies the workflow data as an Env of plain Go values; expr
// converts them into native JavaScript values, runs the code under a time
// limit, a call-stack limit and a memory guard, and converts the result
// back into JSON values (nil, bool, float64, string, []any, map[string]any)
// or time.Time for dates. Nothing the code does can reach Go objects or leak
// into the next evaluation.
//
// # How an evaluation is isolated
//
// Runtimes are pooled. Each evaluation gets a fresh global object whose
// prototype is the runtime's base global (the builtins and weft's helpers);
// the Env's variables are own properties of the fresh global, and so are
// any globals the code creates, so they vanish with it. Everything shared
// between evaluations (the base global, the builtin constructors and their
// prototypes, weft's helpers) is frozen when the runtime is created, as
// n8n's task runner freezes the builtin prototypes; the handful of
// Object.prototype and Error.prototype properties that code commonly
// shadows by assignment (toString, name, message, ...) are accessor pairs
// that define an own property on the receiver, so `err.name = "X"` and
// `obj.toString = f` still work.
//
// # How extensions are called
//
// Each {{ }} chunk is parsed with goja's parser and rewritten, as n8n
// rewrites it with recast: a call X.name(args) whose name is an n8n
// extension becomes __ext(X, "name", args), which picks the extension for
// X's type, else X's own method of that name, else the generic isEmpty /
// isNotEmpty, else throws n8n's "is only callable on type" error; calls on
// an optional chain (X?.name()) use __extOpt, which yields undefined for a
// nullish X. $if(a, b, c) becomes a conditional so only one branch runs.
// The rewrite is done by splicing the source text at AST positions and is
// cached with the compiled program.
package expr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// Env holds the variables an evaluation sees ($json, $input, $, ...).
// Values may be JSON values (nil, bool, numbers, string, []any,
// map[string]any), time.Time, Func, Getter or Object.
type Env map[string]any

// Func is a Go function callable from JavaScript. Arguments arrive converted
// to Go values; the result is converted back. An error it returns is thrown
// into the script and, in Resolve, fails the evaluation (like n8n's
// ExpressionError) even where other runtime errors are swallowed.
type Func func(args ...any) (any, error)

// Getter is a property computed when it is read.
type Getter func() (any, error)

// Object is a JavaScript object whose property values may be Getter and
// Func as well as plain values.
type Object map[string]any

// Error kinds.
const (
	// KindSyntax: the code does not parse.
	KindSyntax = "syntax"
	// KindRuntime: the code threw, or an Env function failed.
	KindRuntime = "runtime"
	// KindTimeout: Options.Timeout elapsed.
	KindTimeout = "timeout"
	// KindMemory: the memory guard stopped the code.
	KindMemory = "memory"
	// KindSecurity: the expression uses something n8n's sandbox refuses
	// (.constructor, __proto__, with, ...).
	KindSecurity = "security"
)

// Options configure an Engine.
type Options struct {
	// Timeout bounds one evaluation; default 5 s.
	Timeout time.Duration
	// MaxCallStack bounds JavaScript recursion; default 1024 frames.
	MaxCallStack int
	// Location is the workflow's timezone; default UTC.
	Location *time.Location
	// MaxMemory bounds how much memory one evaluation may allocate, in
	// bytes; default 256 MiB. See memory.go for how it is enforced.
	MaxMemory int64
	// CacheSize bounds the number of compiled sources kept; default 4096.
	CacheSize int
	// Now returns the current time for DateTime.now() and Date.now();
	// default time.Now.
	Now func() time.Time
	// NoFastPath evaluates every expression in JavaScript, even those
	// the fast path (fast.go) could answer; for tests that compare the
	// two.
	NoFastPath bool
}

// Engine evaluates expressions and scripts. It is safe for concurrent use.
type Engine struct {
	opts  Options
	cache *lru
	pool  chan *vm
}

// New returns an Engine.
func New(opts Options) *Engine {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.MaxCallStack <= 0 {
		opts.MaxCallStack = 1024
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = 256 << 20
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 4096
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Engine{opts: opts, cache: newLRU(opts.CacheSize), pool: make(chan *vm, 64)}
}

// Error is a failed evaluation.
type Error struct {
	// Kind is KindSyntax, KindRuntime, KindTimeout, KindMemory or
	// KindSecurity.
	Kind string
	// Message is the JavaScript error's message.
	Message string
	// Line is the 1-based line of the Code-node script that threw, when
	// known (0 otherwise).
	Line int
	// Err is the error an Env function returned, when that is the cause.
	Err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the Env function's error, if any.
func (e *Error) Unwrap() error { return e.Err }

// IsExpression reports whether a parameter value is an expression: a string
// that starts with "=".
func IsExpression(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "=")
}

// Resolve evaluates a parameter value as n8n's resolveSimpleParameterValue
// does. A string starting with "=" is a template: a single "{{ … }}" with
// nothing around it gives the expression's value as it is (undefined becomes
// nil, a Date or DateTime a time.Time); text around or between blocks gives
// a string in which each block's value is rendered as JavaScript's
// Array.prototype.join renders it (null, undefined, NaN and "" as empty text,
// arrays comma-joined, objects as "[object Object]", a DateTime as ISO
// text). Other values are returned unchanged.
//
// As in n8n, an exception thrown by the expression's own JavaScript (a
// TypeError reading a property of undefined, a call to a method that does
// not exist, a throw) makes that block undefined instead of failing; errors
// of extension functions, errors returned by Env functions, syntax errors,
// sandbox violations and the time, stack and memory limits fail the
// evaluation with an *Error.
func (e *Engine) Resolve(value string, env Env) (any, error) {
	return e.ResolveScope(value, envScope(env))
}

// ResolveScope is Resolve with the variables supplied by a Scope: simple
// expressions ($json.a + 1, see fast.go) are answered from Scope.Lookup
// without JavaScript, everything else runs in JavaScript over Scope.Env().
// The result and errors are the same either way.
func (e *Engine) ResolveScope(value string, s Scope) (any, error) {
	if !strings.HasPrefix(value, "=") {
		return value, nil
	}
	t, err := e.template(value[1:])
	if err != nil {
		return nil, err
	}
	if t.literal {
		return t.text, nil
	}
	if t.fast && !e.opts.NoFastPath {
		if r, ok := t.resolveFast(s); ok {
			return r, nil
		}
	}
	v := e.get()
	defer e.put(v)
	return v.resolve(t, s.Env())
}

// Run runs a Code-node script as the body of a function (an async one when
// the script uses await) and returns what it returns, converted to Go.
// Runtime errors carry the line of the script that threw.
func (e *Engine) Run(code string, env Env) (any, error) {
	s, err := e.script(code)
	if err != nil {
		return nil, err
	}
	v := e.get()
	defer e.put(v)
	return v.run(s, env)
}

// ResolveOrdered is Resolve that also returns the key order of the
// result's objects as the expression built them (nil when they are in
// sorted order or the result has no objects).
func (e *Engine) ResolveOrdered(value string, env Env) (any, *KeyOrder, error) {
	if !strings.HasPrefix(value, "=") {
		return value, nil, nil
	}
	t, err := e.template(value[1:])
	if err != nil {
		return nil, nil, err
	}
	if t.literal {
		return t.text, nil, nil
	}
	v := e.get()
	defer e.put(v)
	v.wantOrder = true
	res, err := v.resolve(t, env)
	return res, v.order, err
}

// RunOrdered is Run that also returns the key order of the result's
// objects as the script built them (nil when they are in sorted order or
// the result has no objects).
func (e *Engine) RunOrdered(code string, env Env) (any, *KeyOrder, error) {
	s, err := e.script(code)
	if err != nil {
		return nil, nil, err
	}
	v := e.get()
	defer e.put(v)
	v.wantOrder = true
	res, err := v.run(s, env)
	return res, v.order, err
}

func exceptionMessage(v goja.Value) string {
	if obj, ok := v.(*goja.Object); ok {
		if m := obj.Get("message"); m != nil && !goja.IsUndefined(m) {
			return m.String()
		}
	}
	if v == nil {
		return "undefined"
	}
	return v.String()
}

func syntaxError(err error) *Error {
	msg := err.Error()
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) {
		msg = se.Message
	}
	return &Error{Kind: KindSyntax, Message: fmt.Sprintf("invalid syntax: %s", msg)}
}
