package expr

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// Limits on what goja does in native Go code, where neither the time limit
// nor the call-stack limit can stop it. goja's parser, compiler,
// JSON.parse, JSON.stringify and Array.prototype.flat recurse in Go once
// per nesting level, and a Go stack overflow kills the process; its
// compiler and JSON.stringify also take time quadratic in the nesting.
// So source code, JSON text and values are refused (as a SyntaxError or
// RangeError the script can see) once they nest deeper than these bounds,
// which are far beyond what real code and data use.
const (
	// maxSourceNesting bounds the brackets and unbracketed arrow
	// functions nested in source code, checked before parsing.
	maxSourceNesting = 1000
	// maxASTDepth bounds the depth of the parsed syntax tree (long
	// operator chains such as a+b+c+... nest without brackets), checked
	// before compiling.
	maxASTDepth = 1000
	// maxJSONDepth bounds the nesting of JSON.parse's text and of the
	// values JSON.stringify and Array.prototype.flat walk.
	maxJSONDepth = 5000
	// RegexpTimeout bounds one regular-expression match that goja runs
	// with its backtracking engine (patterns with backreferences or
	// lookaround); no interrupt can stop such a match, so the engine's own
	// timeout does. A match that hits it finds nothing, and the
	// evaluation, whose time limit has passed by then, fails with the
	// time-limit error.
	RegexpTimeout = 5 * time.Second
)

func init() {
	// Read by regexp2.Compile; goja compiles backtracking patterns with
	// it. Set once, before any evaluation.
	regexp2.DefaultMatchTimeout = RegexpTimeout
}

func nestingError() *Error {
	return &Error{Kind: KindSyntax, Message: "invalid syntax: the code nests too deeply"}
}

// checkSource refuses source code whose brackets, or arrow functions with
// an unbracketed body (x => y => ...), nest deeper than maxSourceNesting.
// The scan skips comments and quoted strings; brackets in template and
// regular-expression literals count, which can only over-estimate.
func checkSource(src string) error {
	depth := 0
	arrows := []int{0} // unbracketed arrows open at each bracket level
	total := 0         // depth + the sum of arrows
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			} else if i+1 < len(src) && src[i+1] == '*' {
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return nil
				}
				i += end + 3
			}
		case '\'', '"':
			for i++; i < len(src) && src[i] != c && src[i] != '\n'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '(', '[', '{':
			depth++
			total++
			arrows = append(arrows, 0)
			if total > maxSourceNesting {
				return nestingError()
			}
		case ')', ']', '}':
			if depth > 0 {
				total -= 1 + arrows[len(arrows)-1]
				arrows = arrows[:len(arrows)-1]
				depth--
			}
		case ',', ';':
			total -= arrows[len(arrows)-1]
			arrows[len(arrows)-1] = 0
		case '=':
			if i+1 < len(src) && src[i+1] == '>' {
				i++
				arrows[len(arrows)-1]++
				total++
				if total > maxSourceNesting {
					return nestingError()
				}
			}
		}
	}
	return nil
}

// checkAST refuses a syntax tree deeper than maxASTDepth.
func checkAST(n ast.Node) error {
	d := &depthWalk{left: maxASTDepth}
	d.value(reflect.ValueOf(n))
	if d.exceeded {
		return nestingError()
	}
	return nil
}

// depthWalk walks a goja AST by reflection, as visitor does, and stops
// once it is more than maxASTDepth nodes deep.
type depthWalk struct {
	left     int
	exceeded bool
}

func (d *depthWalk) value(rv reflect.Value) {
	if d.exceeded {
		return
	}
	switch rv.Kind() {
	case reflect.Interface, reflect.Pointer:
		if rv.IsNil() {
			return
		}
		_, isNode := rv.Interface().(ast.Node)
		if isNode {
			if d.left--; d.left < 0 {
				d.exceeded = true
				return
			}
			defer func() { d.left++ }()
		}
		d.value(rv.Elem())
	case reflect.Struct:
		if rv.Type().PkgPath() != astPkgPath {
			return
		}
		for i := 0; i < rv.NumField(); i++ {
			if rv.Type().Field(i).IsExported() {
				d.value(rv.Field(i))
			}
		}
	case reflect.Slice:
		for i := 0; i < rv.Len(); i++ {
			d.value(rv.Index(i))
		}
	}
}

// checkFunctionSource is what the guarded Function constructors (and
// those of generator and async functions) check before goja compiles
// their source: its nesting, and that it parses into a tree of bounded
// depth.
func checkFunctionSource(params []string, body string) error {
	src := "(function anonymous(" + strings.Join(params, ",") + "\n) {\n" + body + "\n})"
	if err := checkSource(src); err != nil {
		return err
	}
	prg, err := parser.ParseFile(nil, "", src, 0)
	if err != nil {
		return nil // goja reports the syntax error itself
	}
	return checkAST(prg)
}

// jsonTextTooDeep reports whether JSON text nests its arrays and objects
// deeper than maxJSONDepth (brackets inside strings do not count).
func jsonTextTooDeep(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			if depth++; depth > maxJSONDepth {
				return true
			}
		case ']', '}':
			depth--
		}
	}
	return false
}

// installLimitNatives adds the Go side of the prelude's guards.
func (v *vm) installLimitNatives(n *goja.Object) {
	rt := v.rt
	set := func(name string, val any) { _ = n.Set(name, val) }
	jsError := func(ctor goja.Value, msg string) *goja.Object {
		obj, err := rt.New(ctor, rt.ToValue(msg))
		if err != nil {
			panic(rt.NewTypeError(msg))
		}
		return obj
	}
	rangeCtor, syntaxCtor := rt.Get("RangeError"), rt.Get("SyntaxError")
	rangeError := func() goja.Value {
		panic(jsError(rangeCtor, "Maximum call stack size exceeded"))
	}
	set("maxJSONDepth", maxJSONDepth)
	set("checkFunctionSource", func(call goja.FunctionCall) goja.Value {
		args := call.Arguments
		body := ""
		if len(args) > 0 {
			body = args[len(args)-1].String()
			args = args[:len(args)-1]
		}
		params := make([]string, len(args))
		for i, a := range args {
			params[i] = a.String()
		}
		if err := checkFunctionSource(params, body); err != nil {
			panic(jsError(syntaxCtor, err.Error()))
		}
		return goja.Undefined()
	})
	set("checkJSONText", func(call goja.FunctionCall) goja.Value {
		if jsonTextTooDeep(call.Argument(0).String()) {
			return rangeError()
		}
		return goja.Undefined()
	})
	// stringify calls JSON.stringify (orig) with a replacer that tracks
	// how deep the value being serialised is: stringify calls it for
	// every property, depth first, with the holder object as this, after
	// applying toJSON, so the stack of holders is the path to the value.
	// The caller's replacer, a function or a list of property names, is
	// applied as the standard says.
	set("stringify", func(call goja.FunctionCall) goja.Value {
		orig, _ := goja.AssertFunction(call.Argument(0))
		value, replacer, space := call.Argument(1), call.Argument(2), call.Argument(3)
		userFn, _ := goja.AssertFunction(replacer)
		var list []string
		if ro, ok := replacer.(*goja.Object); ok && userFn == nil && ro.ClassName() == "Array" {
			n := ro.Get("length").ToInteger()
			seen := map[string]bool{}
			for i := int64(0); i < n && i < int64(maxJSONDepth)*100; i++ {
				e := ro.Get(strconv.FormatInt(i, 10))
				if e == nil || goja.IsUndefined(e) || goja.IsNull(e) {
					continue
				}
				if _, isObj := e.(*goja.Object); isObj {
					if c := e.(*goja.Object).ClassName(); c != "String" && c != "Number" {
						continue
					}
				}
				if k := e.String(); !seen[k] {
					seen[k] = true
					list = append(list, k)
				}
			}
			if list == nil {
				list = []string{}
			}
		}
		var stack []*goja.Object
		guard := func(c goja.FunctionCall) goja.Value {
			holder, _ := c.This.(*goja.Object)
			for len(stack) > 0 && stack[len(stack)-1] != holder {
				stack = stack[:len(stack)-1]
			}
			val := c.Argument(1)
			if userFn != nil {
				r, err := userFn(c.This, c.Argument(0), val)
				if err != nil {
					panic(err)
				}
				val = r
			}
			obj, ok := val.(*goja.Object)
			if !ok {
				return val
			}
			if _, isFn := goja.AssertFunction(obj); isFn {
				return val
			}
			if len(stack) >= maxJSONDepth {
				return rangeError()
			}
			if list != nil && obj.ClassName() != "Array" {
				picked := rt.NewObject()
				for _, k := range list {
					if e := obj.Get(k); e != nil {
						_ = picked.Set(k, e)
					}
				}
				obj, val = picked, picked
			}
			stack = append(stack, obj)
			return val
		}
		res, err := orig(goja.Undefined(), value, rt.ToValue(guard), space)
		if err != nil {
			panic(err)
		}
		return res
	})
}
