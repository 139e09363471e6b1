package expr

import (
	"cmp"
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/ftoa"
	"github.com/dop251/goja/parser"
	"github.com/dop251/goja/token"
	"github.com/dop251/goja/unistring"
)

// This file is the fast path: a small subset of JavaScript evaluated
// directly over the Go values of the Env, without goja.
//
// A {{ }} chunk takes it when its whole body is made of
//
//   - member chains that start from an Env variable whose name starts with
//     "$" ($json.a.b, $json["a b"], $json.list[0], $itemIndex), or from
//     $('Node') called with one string literal;
//   - number, string, boolean and null literals;
//   - the binary operators + - * / % === !== == != < > <= >=, the unary
//     operators - + !, and parentheses.
//
// That is decided once, when the template is compiled. At evaluation the
// fast path gives up whenever a value is not a JavaScript primitive it
// handles exactly (an object or array where JavaScript would convert it, a
// Getter, Func, Object, time.Time, undefined or null before a member access,
// a string that needs JavaScript's full number grammar, ...), and the
// template then runs in goja as it always did. Giving up costs nothing but
// the work done so far: the subset has no side effects, so the results and
// errors are goja's by construction.
//
// The semantics implemented are goja's, which are JavaScript's except
// where noted: goja is the reference the differential tests compare with.

// Ref names where a fast-path member chain starts, for Scope.Lookup.
type Ref struct {
	// Var is the Env variable the chain starts from: "$json", "$input",
	// or "$" for $('Node').
	Var string
	// Call is set when the chain starts by calling Var with one string
	// argument, Arg: $('Node') is Var "$", Call true, Arg "Node".
	Call bool
	Arg  string
	// Path is the property names read after that, in order:
	// $json.list[0].name is Var "$json", Path ["list", "0", "name"].
	Path []string
}

// Scope supplies the variables of one evaluation to ResolveScope.
type Scope interface {
	// Env returns the variables the JavaScript engine sees. It is called
	// only when the fast path cannot answer, at most once per evaluation.
	Env() Env
	// Lookup returns, for the fast path, the plain Go value the member
	// chain r starts with and how many names of r.Path it already
	// accounts for (0 <= used <= len(r.Path)): $json's value with used 0,
	// or the current item's json for $input.item.json with used 2. ok
	// false means the scope cannot answer cheaply and exactly as the
	// evaluation of Env() would (a Getter, an error, anything unusual);
	// the template then runs in goja. Lookup must not have effects that
	// evaluating over Env() would not have had.
	Lookup(r *Ref) (v any, used int, ok bool)
}

// envScope is a plain Env as a Scope: Lookup reads the variable as it is.
// The fast path gives up on values it does not know (Getter, Func, ...).
type envScope Env

func (s envScope) Env() Env { return Env(s) }

func (s envScope) Lookup(r *Ref) (any, int, bool) {
	if r.Call {
		return nil, 0, false
	}
	v, ok := s[r.Var]
	return v, 0, ok
}

// --- values ---------------------------------------------------------------

// jsKind is the type of a JavaScript primitive.
type jsKind uint8

const (
	jsUndefined jsKind = iota
	jsNull
	jsBool
	jsNumber
	jsString
)

// jsVal is a JavaScript primitive: n holds a number, or a boolean as 0/1.
type jsVal struct {
	k jsKind
	n float64
	s string
}

func jsNum(f float64) jsVal { return jsVal{k: jsNumber, n: f} }

func jsBoolean(b bool) jsVal {
	if b {
		return jsVal{k: jsBool, n: 1}
	}
	return jsVal{k: jsBool}
}

// undefinedValue marks a property that does not exist while a member
// chain is read.
type undefinedValue struct{}

// fromGo converts a value read from the Env into a primitive as toJS
// does: a Go number of any type becomes a JavaScript number (goja rounds
// integers beyond 2^53 as float64() does), nil is null, and named string,
// bool and number types count as their kind. Strings must be valid UTF-8
// (goja would replace invalid bytes). Anything else is not a primitive.
func fromGo(v any) (jsVal, bool) {
	switch x := v.(type) {
	case undefinedValue:
		return jsVal{}, true
	case nil:
		return jsVal{k: jsNull}, true
	case float64:
		return jsNum(x), true
	case string:
		return jsVal{k: jsString, s: x}, utf8.ValidString(x)
	case json.Number:
		f, _ := x.Float64()
		return jsNum(f), true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Bool:
		return jsBoolean(rv.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return jsNum(float64(rv.Int())), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return jsNum(float64(rv.Uint())), true
	case reflect.Float32, reflect.Float64:
		return jsNum(rv.Float()), true
	case reflect.String:
		return fromGo(rv.String())
	}
	return jsVal{}, false
}

// objectProtoNames are the properties of Object.prototype: reading a
// missing key of that name from an object finds them, not undefined.
var objectProtoNames = map[string]bool{
	"constructor": true, "__proto__": true, "__defineGetter__": true, "__defineSetter__": true,
	"__lookupGetter__": true, "__lookupSetter__": true, "hasOwnProperty": true, "isPrototypeOf": true,
	"propertyIsEnumerable": true, "toString": true, "toLocaleString": true, "valueOf": true,
}

// member reads property key of v as JavaScript reads it from the value
// toJS makes of v: an object's own key (or undefined when it has none and
// Object.prototype has no such property either), an array's element by
// canonical index (undefined past its end) or its length, a string's
// length in UTF-16 code units. Anything else gives up.
func member(v any, key string) (any, bool) {
	switch x := v.(type) {
	case Ordered:
		return member(x.Value, key)
	case *Ordered:
		if x != nil {
			return member(x.Value, key)
		}
	case map[string]any:
		if x == nil {
			return nil, false // null: a TypeError
		}
		if e, ok := x[key]; ok {
			return e, true
		}
		if objectProtoNames[key] {
			return nil, false
		}
		return undefinedValue{}, true
	case []any:
		if key == "length" {
			return len(x), true
		}
		if i, ok := arrayIndex(key); ok {
			if i < len(x) {
				return x[i], true
			}
			return undefinedValue{}, true
		}
	case string:
		if key == "length" && utf8.ValidString(x) {
			n := 0
			for _, r := range x {
				n++
				if r >= 0x10000 {
					n++ // a surrogate pair
				}
			}
			return n, true
		}
	}
	return nil, false
}

// arrayIndex parses a canonical array index ("0", "17"; not "01", "-1").
func arrayIndex(key string) (int, bool) {
	if key == "" || len(key) > 9 || (key[0] == '0' && len(key) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return 0, false
		}
		n = n*10 + int(key[i]-'0')
	}
	return n, true
}

// toNumber is JavaScript's ToNumber for the primitives the fast path
// handles. Strings are only converted when they are plain decimal numbers
// ("12", "-3.5", "1e3") or empty; anything else ("0x1f", " 1 ", "1_0",
// "Infinity", "-0", where goja and JavaScript differ) gives up.
func toNumber(v jsVal) (float64, bool) {
	switch v.k {
	case jsUndefined:
		return math.NaN(), true
	case jsNull:
		return 0, true
	case jsBool, jsNumber:
		return v.n, true
	}
	if v.s == "" {
		return 0, true
	}
	if v.s == "-0" || len(v.s) > 64 || !plainDecimal.MatchString(v.s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.s, 64)
	if err != nil && !isRange(err) {
		return 0, false
	}
	return f, true
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// plainDecimal matches the strings toNumber converts ("-0" aside).
var plainDecimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// toString is JavaScript's ToString of a primitive.
func (v jsVal) toString() string {
	switch v.k {
	case jsUndefined:
		return "undefined"
	case jsNull:
		return "null"
	case jsBool:
		if v.n != 0 {
			return "true"
		}
		return "false"
	case jsNumber:
		return numberToString(v.n)
	}
	return v.s
}

// numberToString is JavaScript's Number::toString(10), the way goja
// formats its numbers: integers up to 2^53 as digits, everything else with
// goja's own shortest round-trip formatting (1e+21, 1.5e-7, NaN, Infinity).
func numberToString(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return strconv.FormatInt(int64(f), 10) // -0 is "0"
	}
	var buf [32]byte
	return string(ftoa.FToStr(f, ftoa.ModeStandard, 0, buf[:0]))
}

// isIntValue reports whether goja holds f as an integer (valueInt): a
// whole number of at most 2^53 in magnitude, not -0.
func isIntValue(f float64) bool {
	return f == math.Trunc(f) && math.Abs(f) <= 1<<53 && !(f == 0 && math.Signbit(f))
}

// truthy is JavaScript's ToBoolean of a primitive.
func (v jsVal) truthy() bool {
	switch v.k {
	case jsBool:
		return v.n != 0
	case jsNumber:
		return v.n != 0 && v.n == v.n
	case jsString:
		return v.s != ""
	}
	return false
}

// --- compiled form ----------------------------------------------------------

type fastOp uint8

const (
	opLit fastOp = iota
	opRef
	opNeg
	opPlus
	opNot
	opAdd
	opSub
	opMul
	opDiv
	opMod
	opStrictEq
	opStrictNe
	opEq
	opNe
	opLt
	opGt
	opLe
	opGe
)

var binaryOps = map[token.Token]fastOp{
	token.PLUS: opAdd, token.MINUS: opSub, token.MULTIPLY: opMul, token.SLASH: opDiv,
	token.REMAINDER: opMod, token.STRICT_EQUAL: opStrictEq, token.STRICT_NOT_EQUAL: opStrictNe,
	token.EQUAL: opEq, token.NOT_EQUAL: opNe, token.LESS: opLt, token.GREATER: opGt,
	token.LESS_OR_EQUAL: opLe, token.GREATER_OR_EQUAL: opGe,
}

// fastNode is a compiled fast-path expression.
type fastNode struct {
	op   fastOp
	lit  jsVal
	ref  *Ref
	x, y *fastNode
}

// maxFastDepth bounds the nesting of a fast-path expression.
const maxFastDepth = 32

// compileFast returns the fast form of a code chunk, or nil when it is
// outside the subset. The chunk has already passed rewriteExpression, so it
// parses and breaks none of the sandbox rules.
func compileFast(code string) *fastNode {
	if strings.HasPrefix(strings.TrimSpace(code), "{") {
		return nil // an object literal, or a block
	}
	prg, err := parser.ParseFile(nil, "", code, 0)
	if err != nil || len(prg.Body) != 1 {
		return nil
	}
	st, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil
	}
	return fastExpr(st.Expression, 0)
}

func fastExpr(e ast.Expression, depth int) *fastNode {
	if depth > maxFastDepth {
		return nil
	}
	switch x := e.(type) {
	case *ast.NumberLiteral:
		f, ok := numberLiteral(x)
		if !ok {
			return nil
		}
		return &fastNode{op: opLit, lit: jsNum(f)}
	case *ast.StringLiteral:
		s, ok := plainString(x.Value)
		if !ok {
			return nil
		}
		return &fastNode{op: opLit, lit: jsVal{k: jsString, s: s}}
	case *ast.BooleanLiteral:
		return &fastNode{op: opLit, lit: jsBoolean(x.Value)}
	case *ast.NullLiteral:
		return &fastNode{op: opLit, lit: jsVal{k: jsNull}}
	case *ast.Identifier, *ast.DotExpression, *ast.BracketExpression, *ast.CallExpression:
		if r := fastRef(e); r != nil {
			return &fastNode{op: opRef, ref: r}
		}
	case *ast.UnaryExpression:
		var op fastOp
		switch x.Operator {
		case token.MINUS:
			op = opNeg
		case token.PLUS:
			op = opPlus
		case token.NOT:
			op = opNot
		default:
			return nil
		}
		if x.Postfix {
			return nil
		}
		if a := fastExpr(x.Operand, depth+1); a != nil {
			return &fastNode{op: op, x: a}
		}
	case *ast.BinaryExpression:
		op, ok := binaryOps[x.Operator]
		if !ok {
			return nil
		}
		a, b := fastExpr(x.Left, depth+1), fastExpr(x.Right, depth+1)
		if a != nil && b != nil {
			return &fastNode{op: op, x: a, y: b}
		}
	}
	return nil
}

// numberLiteral is the value goja gives a number literal.
func numberLiteral(n *ast.NumberLiteral) (float64, bool) {
	switch v := n.Value.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false // a BigInt
}

// plainString returns a string literal's value, unless it holds a UTF-16
// surrogate, which a Go string cannot keep as goja does.
func plainString(s unistring.String) (string, bool) {
	if u := s.AsUtf16(); u != nil {
		for _, c := range u[1:] {
			if c >= 0xD800 && c <= 0xDFFF {
				return "", false
			}
		}
	}
	return s.String(), true
}

// fastRef compiles a member chain: a "$" variable or $('Node') followed by
// .name, ["name"] and [number] accesses.
func fastRef(e ast.Expression) *Ref {
	var path []string
	for {
		switch x := e.(type) {
		case *ast.DotExpression:
			path = append(path, x.Identifier.Name.String())
			e = x.Left
			continue
		case *ast.BracketExpression:
			switch m := x.Member.(type) {
			case *ast.StringLiteral:
				s, ok := plainString(m.Value)
				if !ok {
					return nil
				}
				path = append(path, s)
			case *ast.NumberLiteral:
				f, ok := numberLiteral(m)
				if !ok {
					return nil
				}
				path = append(path, numberToString(f))
			default:
				return nil
			}
			e = x.Left
			continue
		case *ast.Identifier:
			name := x.Name.String()
			if len(name) < 2 || name[0] != '$' {
				return nil
			}
			return &Ref{Var: name, Path: reversed(path)}
		case *ast.CallExpression:
			callee, ok := x.Callee.(*ast.Identifier)
			if !ok || callee.Name != "$" || len(x.ArgumentList) != 1 {
				return nil
			}
			arg, ok := x.ArgumentList[0].(*ast.StringLiteral)
			if !ok {
				return nil
			}
			s, ok := plainString(arg.Value)
			if !ok {
				return nil
			}
			return &Ref{Var: "$", Call: true, Arg: s, Path: reversed(path)}
		}
		return nil
	}
}

func reversed(s []string) []string {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// --- evaluation -------------------------------------------------------------

// eval evaluates n; ok false means the fast path gives up.
func (n *fastNode) eval(s Scope) (jsVal, bool) {
	switch n.op {
	case opLit:
		return n.lit, true
	case opRef:
		return readRef(s, n.ref)
	}
	x, ok := n.x.eval(s)
	if !ok {
		return jsVal{}, false
	}
	switch n.op {
	case opNeg:
		f, ok := toNumber(x)
		if f == f {
			f = -f // goja leaves NaN's sign alone
		}
		return jsNum(f), ok
	case opPlus:
		f, ok := toNumber(x)
		return jsNum(f), ok
	case opNot:
		return jsBoolean(!x.truthy()), true
	}
	y, ok := n.y.eval(s)
	if !ok {
		return jsVal{}, false
	}
	switch n.op {
	case opAdd:
		// A string on either side concatenates; otherwise both sides
		// are numbers, null, undefined or booleans, and add as numbers.
		if x.k == jsString || y.k == jsString {
			return jsVal{k: jsString, s: x.toString() + y.toString()}, true
		}
		a, _ := toNumber(x)
		b, _ := toNumber(y)
		return jsNum(a + b), true
	case opStrictEq, opStrictNe:
		return jsBoolean(strictEquals(x, y) == (n.op == opStrictEq)), true
	case opEq, opNe:
		eq, ok := looseEquals(x, y)
		return jsBoolean(eq == (n.op == opEq)), ok
	case opLt, opGt, opLe, opGe:
		return compare(n.op, x, y)
	}
	a, ok := toNumber(x)
	b, ok2 := toNumber(y)
	if !ok || !ok2 {
		return jsVal{}, false
	}
	switch n.op {
	case opSub:
		return jsNum(a - b), true
	case opMul:
		r := a * b
		// goja multiplies two integers as integers: their product is +0
		// even where JavaScript's is -0 (0 * -5), except for 0 * -1.
		if r == 0 && isIntValue(a) && isIntValue(b) && !(a == 0 && b == -1 || a == -1 && b == 0) {
			r = 0
		}
		return jsNum(r), true
	case opDiv:
		return jsNum(a / b), true
	default: // opMod: the remainder has the sign of the dividend
		return jsNum(math.Mod(a, b)), true
	}
}

// readRef reads a member chain.
func readRef(s Scope, r *Ref) (jsVal, bool) {
	v, used, ok := s.Lookup(r)
	if !ok || used < 0 || used > len(r.Path) {
		return jsVal{}, false
	}
	for _, key := range r.Path[used:] {
		if v, ok = member(v, key); !ok {
			return jsVal{}, false
		}
	}
	return fromGo(v)
}

// strictEquals is ===: same type and value; NaN equals nothing, +0 and -0
// are equal.
func strictEquals(x, y jsVal) bool {
	if x.k != y.k {
		return false
	}
	switch x.k {
	case jsBool, jsNumber:
		return x.n == y.n
	case jsString:
		return x.s == y.s
	}
	return true
}

// looseEquals is == where it involves no type conversion: values of one
// type compare as ===, null and undefined equal each other and nothing
// else. Other mixes (1 == "1", true == 1) give up: goja's conversions
// there differ from JavaScript's ("1.0" == 1 is false in goja).
func looseEquals(x, y jsVal) (bool, bool) {
	if x.k == y.k {
		return strictEquals(x, y), true
	}
	xn, yn := x.k <= jsNull, y.k <= jsNull
	if xn || yn {
		return xn && yn, true
	}
	return false, false
}

// compare is < > <= >=: two strings compare by code units (only ASCII
// strings are handled, where that is byte order), anything else as
// numbers, where NaN makes every comparison false.
func compare(op fastOp, x, y jsVal) (jsVal, bool) {
	if x.k == jsString && y.k == jsString {
		if !isASCII(x.s) || !isASCII(y.s) {
			return jsVal{}, false
		}
		return jsBoolean(ordered(op, x.s, y.s)), true
	}
	a, ok := toNumber(x)
	b, ok2 := toNumber(y)
	return jsBoolean(ordered(op, a, b)), ok && ok2
}

func ordered[T cmp.Ordered](op fastOp, a, b T) bool {
	switch op {
	case opLt:
		return a < b
	case opGt:
		return a > b
	case opLe:
		return a <= b
	}
	return a >= b
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// --- templates --------------------------------------------------------------

// resolveFast evaluates a template whose code chunks all have a fast form,
// with n8n's rules as vm.resolve applies them: a template that is one
// chunk gives the chunk's value (undefined and null as nil, numbers as
// float64); otherwise each value is rendered into the text, null,
// undefined and NaN as nothing. ok false: run the template in goja.
func (t *tmpl) resolveFast(s Scope) (any, bool) {
	if t.raw {
		v, ok := t.parts[0].fast.eval(s)
		if !ok {
			return nil, false
		}
		switch v.k {
		case jsBool:
			return v.n != 0, true
		case jsNumber:
			return v.n, true
		case jsString:
			return v.s, true
		}
		return nil, true
	}
	var sb strings.Builder
	for _, p := range t.parts {
		if p.prog == nil {
			sb.WriteString(p.text)
			continue
		}
		v, ok := p.fast.eval(s)
		if !ok {
			return nil, false
		}
		switch {
		case v.k <= jsNull, v.k == jsNumber && v.n != v.n:
		default:
			sb.WriteString(v.toString())
		}
	}
	return sb.String(), true
}
