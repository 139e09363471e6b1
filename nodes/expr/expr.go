// Package expr evaluates n8n expressions ("={{ $json.a + 1 }}" and text
// templates) and Code-node scripts as JavaScript in goja.
//
// The caller supplies the workflow data as an Env of plain Go values; expr
// converts them into JavaScript values, runs the code under a time limit and
// a call-stack limit, and converts the result back into JSON values
// (nil, bool, float64, string, []any, map[string]any) or time.Time for dates.
// Nothing the code does can reach Go objects or leak into the next
// evaluation.
package expr

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Env holds the variables an evaluation sees ($json, $input, $, ...).
// Values may be JSON values, time.Time, Func, Getter or Object.
type Env map[string]any

// Func is a Go function callable from JavaScript. Arguments arrive converted
// to Go values; the result is converted back.
type Func func(args ...any) (any, error)

// Getter is a property computed when it is read.
type Getter func() (any, error)

// Object is a JavaScript object whose property values may be Getter and
// Func as well as plain values.
type Object map[string]any

// Options configure an Engine.
type Options struct {
	// Timeout bounds one evaluation; default 5 s.
	Timeout time.Duration
	// MaxCallStack bounds JavaScript recursion; default 1024 frames.
	MaxCallStack int
	// Location is the workflow's timezone; default UTC.
	Location *time.Location
}

// Engine evaluates expressions and scripts. It is safe for concurrent use.
type Engine struct {
	opts Options
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
	return &Engine{opts: opts}
}

// Error is a failed evaluation.
type Error struct {
	// Kind is "syntax", "runtime" or "timeout".
	Kind string
	// Message is the JavaScript error's message.
	Message string
	// Line is the 1-based line that threw, when known: for a runtime error
	// the innermost stack frame in the evaluated code.
	Line int
	// Cause is the Go error a Func or Getter returned, when that is what
	// threw (JavaScript code may also have caught and rethrown it).
	Cause error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the Go error behind the failure, if any.
func (e *Error) Unwrap() error { return e.Cause }

// IsExpression reports whether a parameter value is an expression: a string
// that starts with "=".
func IsExpression(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "=")
}

// Resolve evaluates a parameter value. A string starting with "=" is a
// template: a single "{{ … }}" gives the expression's value as it is, text
// around or between several gives a string. Other values are returned
// unchanged.
func (e *Engine) Resolve(value string, env Env) (any, error) {
	if !strings.HasPrefix(value, "=") {
		return value, nil
	}
	tmpl := value[1:]
	parts := splitTemplate(tmpl)
	if len(parts) == 1 && parts[0].code {
		return e.eval("("+parts[0].text+")", env)
	}
	var b strings.Builder
	for _, p := range parts {
		if !p.code {
			b.WriteString(p.text)
			continue
		}
		v, err := e.eval("("+p.text+")", env)
		if err != nil {
			return nil, err
		}
		b.WriteString(toText(v))
	}
	return b.String(), nil
}

// Run runs a Code-node script as the body of a function and returns what it
// returns.
func (e *Engine) Run(code string, env Env) (any, error) {
	return e.eval("(function(){"+code+"\n})()", env)
}

type part struct {
	text string
	code bool
}

func splitTemplate(s string) []part {
	var out []part
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			break
		}
		if i > 0 {
			out = append(out, part{text: s[:i]})
		}
		out = append(out, part{text: strings.TrimSpace(s[i+2 : i+2+j]), code: true})
		s = s[i+2+j+2:]
	}
	if s != "" || len(out) == 0 {
		out = append(out, part{text: s})
	}
	return out
}

func toText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// srcName names the compiled script so that stack frames in it can be told
// from native ones when an error's line is looked up.
const srcName = "code"

func (e *Engine) eval(src string, env Env) (result any, err error) {
	ast, err := parser.ParseFile(nil, srcName, src, 0)
	if err != nil {
		return nil, convertError(err)
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, convertError(err)
	}
	rt := goja.New()
	rt.SetMaxCallStackSize(e.opts.MaxCallStack)
	c := &converter{e: e, rt: rt, seen: map[identity]seenValue{}}
	for k, v := range env {
		if g, ok := v.(Getter); ok {
			if err := rt.GlobalObject().DefineAccessorProperty(k, c.getter(g), nil, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
				return nil, err
			}
			continue
		}
		if err := rt.Set(k, c.toJS(v)); err != nil {
			return nil, err
		}
	}
	timer := time.AfterFunc(e.opts.Timeout, func() { rt.Interrupt("timeout") })
	defer timer.Stop()
	v, err := rt.RunProgram(prg)
	if err != nil {
		return nil, convertError(err)
	}
	return fromJS(v), nil
}

func convertError(err error) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return &Error{Kind: "timeout", Message: "expression timed out"}
	}
	var pe parser.ErrorList
	if errors.As(err, &pe) && len(pe) > 0 {
		return &Error{Kind: "syntax", Message: pe[0].Message, Line: pe[0].Position.Line}
	}
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) {
		e := &Error{Kind: "syntax", Message: se.Message}
		if se.File != nil {
			e.Line = se.File.Position(se.Offset).Line
		}
		return e
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg := ex.Value().String()
		if obj, ok := ex.Value().(*goja.Object); ok {
			if m := obj.Get("message"); m != nil {
				msg = m.String()
			}
		}
		e := &Error{Kind: "runtime", Message: msg, Cause: ex.Unwrap()}
		for _, f := range ex.Stack() {
			if f.SrcName() == srcName {
				e.Line = f.Position().Line
				break
			}
		}
		return e
	}
	return &Error{Kind: "runtime", Message: err.Error()}
}

// converter turns Go values into JavaScript values for one evaluation. A
// map or slice converted twice (the same Go value, e.g. returned by two
// calls of a Func) becomes the same JavaScript object, so that scripts see
// one object they can mutate, as n8n's data proxy hands out the same items.
type converter struct {
	e    *Engine
	rt   *goja.Runtime
	seen map[identity]seenValue
}

type identity struct {
	ptr uintptr
	len int
}

// seenValue keeps the Go value alive so that its address is not reused by
// another value while the evaluation runs.
type seenValue struct {
	keep any
	js   goja.Value
}

func (c *converter) getter(g Getter) goja.Value {
	return c.rt.ToValue(func(goja.FunctionCall) goja.Value {
		r, err := g()
		if err != nil {
			panic(c.rt.NewGoError(err))
		}
		return c.toJS(r)
	})
}

func (c *converter) toJS(v any) goja.Value {
	rt := c.rt
	switch x := v.(type) {
	case Func:
		return rt.ToValue(func(call goja.FunctionCall) goja.Value {
			args := make([]any, len(call.Arguments))
			for i, a := range call.Arguments {
				args[i] = fromJS(a)
			}
			r, err := x(args...)
			if err != nil {
				panic(rt.NewGoError(err))
			}
			return c.toJS(r)
		})
	case Getter:
		// A Getter outside an Object has nothing to be a property of: it
		// is called now.
		r, err := x()
		if err != nil {
			panic(rt.NewGoError(err))
		}
		return c.toJS(r)
	case Object:
		if x == nil {
			return goja.Null()
		}
		id := identity{ptr: uintptr(reflect.ValueOf(x).UnsafePointer())}
		if s, ok := c.seen[id]; ok {
			return s.js
		}
		o := rt.NewObject()
		c.seen[id] = seenValue{keep: x, js: o}
		for k, pv := range x {
			if g, ok := pv.(Getter); ok {
				_ = o.DefineAccessorProperty(k, c.getter(g), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
				continue
			}
			_ = o.Set(k, c.toJS(pv))
		}
		return o
	case map[string]any:
		if x == nil {
			return goja.Null()
		}
		id := identity{ptr: uintptr(reflect.ValueOf(x).UnsafePointer())}
		if s, ok := c.seen[id]; ok {
			return s.js
		}
		o := rt.NewObject()
		c.seen[id] = seenValue{keep: x, js: o}
		for k, pv := range x {
			_ = o.Set(k, c.toJS(pv))
		}
		return o
	case []any:
		if len(x) == 0 {
			return rt.NewArray()
		}
		id := identity{ptr: uintptr(unsafe.Pointer(unsafe.SliceData(x))), len: len(x)}
		if s, ok := c.seen[id]; ok {
			return s.js
		}
		vals := make([]any, len(x))
		for i, pv := range x {
			vals[i] = c.toJS(pv)
		}
		a := rt.NewArray(vals...)
		c.seen[id] = seenValue{keep: x, js: a}
		return a
	}
	return rt.ToValue(v)
}

func fromJS(v goja.Value) any {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	return v.Export()
}
