package expr

import (
	"encoding/json"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"time"
	"unsafe"

	"github.com/dop251/goja"
)

// maxDepth bounds the nesting of values converted in either direction.
const maxDepth = 1000

// bindEnv defines one Env variable on the evaluation's global object.
func (v *vm) bindEnv(g *goja.Object, name string, val any) error {
	if gt, ok := val.(Getter); ok {
		getter := v.rt.ToValue(func(goja.FunctionCall) goja.Value {
			r, err := gt()
			if err != nil {
				v.throw(err)
			}
			return v.toJS(r, 0)
		})
		return g.DefineAccessorProperty(name, getter, nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	return g.DefineDataProperty(name, v.toJS(val, 0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
}

// toJS converts a Go value into a new native JavaScript value. Maps become
// plain objects with their keys in sorted order (Go maps keep no order)
// unless an Ordered wrapper gives their order.
func (v *vm) toJS(x any, depth int) goja.Value { return v.toJSo(x, nil, depth) }

// toJSo is toJS with the key order of x's objects.
func (v *vm) toJSo(x any, order *KeyOrder, depth int) goja.Value {
	rt := v.rt
	if depth > maxDepth {
		panic(rt.NewTypeError("value nested too deeply"))
	}
	switch x := x.(type) {
	case nil:
		return goja.Null()
	case goja.Value:
		return x
	case Ordered:
		return v.toJSo(x.Value, x.Order, depth)
	case *Ordered:
		if x == nil {
			return goja.Null()
		}
		return v.toJSo(x.Value, x.Order, depth)
	case bool, string, float64, int, int64, int32, uint, uint64, uint32, float32:
		return rt.ToValue(x)
	case json.Number:
		f, _ := x.Float64()
		return rt.ToValue(f)
	case time.Time:
		return v.dates.toJS(x)
	case *time.Time:
		if x == nil {
			return goja.Null()
		}
		return v.dates.toJS(*x)
	case []any:
		id := sliceIdentity(x)
		if js, ok := v.seen.get(id); ok {
			return js
		}
		vals := make([]any, len(x))
		for i, e := range x {
			vals[i] = v.toJSo(e, order.Elem(i), depth+1)
		}
		a := rt.NewArray(vals...)
		v.seen.put(id, x, a)
		return a
	case map[string]any:
		if x == nil {
			return goja.Null()
		}
		id := mapIdentity(x)
		if js, ok := v.seen.get(id); ok {
			return js
		}
		o := rt.NewObject()
		v.seen.put(id, x, o)
		for _, k := range OrderedKeys(x, order) {
			_ = o.DefineDataProperty(k, v.toJSo(x[k], order.Field(k), depth+1), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
		return o
	case Object:
		if x == nil {
			return goja.Null()
		}
		id := mapIdentity(x)
		if js, ok := v.seen.get(id); ok {
			return js
		}
		o := rt.NewObject()
		v.seen.put(id, x, o)
		for _, k := range OrderedKeys(x, order) {
			if gt, ok := x[k].(Getter); ok {
				getter := rt.ToValue(func(goja.FunctionCall) goja.Value {
					r, err := gt()
					if err != nil {
						v.throw(err)
					}
					return v.toJS(r, 0)
				})
				_ = o.DefineAccessorProperty(k, getter, nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
				continue
			}
			_ = o.DefineDataProperty(k, v.toJSo(x[k], order.Field(k), depth+1), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
		return o
	case Env:
		return v.toJSo(map[string]any(x), order, depth)
	case Func:
		return rt.ToValue(func(call goja.FunctionCall) goja.Value {
			args := make([]any, len(call.Arguments))
			for i, a := range call.Arguments {
				g, err := v.fromJS(a)
				if err != nil {
					v.throw(err)
				}
				args[i] = g
			}
			r, err := x(args...)
			if err != nil {
				v.throw(err)
			}
			return v.toJS(r, 0)
		})
	case Getter:
		r, err := x()
		if err != nil {
			v.throw(err)
		}
		return v.toJSo(r, order, depth)
	case func(args ...any) (any, error):
		return v.toJS(Func(x), depth)
	}
	return v.reflectToJS(reflect.ValueOf(x), depth)
}

// reflectToJS converts other Go values (typed slices and maps, structs) by
// their JSON shape, never by wrapping them: scripts get no Go objects.
func (v *vm) reflectToJS(rv reflect.Value, depth int) goja.Value {
	rt := v.rt
	switch rv.Kind() {
	case reflect.Invalid:
		return goja.Null()
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return goja.Null()
		}
		return v.toJS(rv.Elem().Interface(), depth)
	case reflect.Bool:
		return rt.ToValue(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rt.ToValue(float64(rv.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rt.ToValue(float64(rv.Uint()))
	case reflect.Float32, reflect.Float64:
		return rt.ToValue(rv.Float())
	case reflect.String:
		return rt.ToValue(rv.String())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return goja.Null()
		}
		vals := make([]any, rv.Len())
		for i := range vals {
			vals[i] = v.toJS(rv.Index(i).Interface(), depth+1)
		}
		return rt.NewArray(vals...)
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			m := make(map[string]any, rv.Len())
			for _, k := range rv.MapKeys() {
				m[k.String()] = rv.MapIndex(k).Interface()
			}
			return v.toJS(m, depth)
		}
	}
	b, err := json.Marshal(rv.Interface())
	if err != nil {
		return goja.Undefined()
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return goja.Undefined()
	}
	return v.toJS(out, depth)
}

// identities remembers, for one evaluation, the JavaScript value each Go
// map or slice became, so that the same Go value (an item list a Func
// returns on every call, an item's json reached two ways) is one object in
// the script, which the script can change and see changed, as n8n's data
// proxy hands out the same objects. The Go values are kept so that their
// addresses are not reused while the evaluation runs.
type identities map[identity]seenValue

type identity struct {
	ptr uintptr
	len int
}

type seenValue struct {
	keep any
	js   goja.Value
}

func (m identities) get(id identity) (goja.Value, bool) {
	if id.ptr == 0 || m == nil {
		return nil, false
	}
	s, ok := m[id]
	return s.js, ok
}

func (m identities) put(id identity, keep any, js goja.Value) {
	if id.ptr != 0 && m != nil {
		m[id] = seenValue{keep: keep, js: js}
	}
}

func mapIdentity[M ~map[string]any](m M) identity {
	return identity{ptr: uintptr(reflect.ValueOf(m).UnsafePointer())}
}

// sliceIdentity is the slice's first element and length; empty slices
// have none (they may share one address).
func sliceIdentity(s []any) identity {
	if len(s) == 0 {
		return identity{}
	}
	return identity{ptr: uintptr(unsafe.Pointer(unsafe.SliceData(s))), len: len(s)}
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// fromJS converts a JavaScript value to Go as JSON.stringify would shape it:
// objects → map[string]any (undefined and function fields dropped), arrays
// → []any (undefined and functions → nil), numbers → float64, a Date or
// DateTime → time.Time, values with toJSON (other than plain objects) →
// their toJSON result. NaN and ±Infinity stay float64.
func (v *vm) fromJS(val goja.Value) (res any, err error) {
	res, _, err = v.fromJSOrdered(val, false)
	return res, err
}

// fromJSOrdered is fromJS that also returns the key order of the value's
// objects when withOrder is set.
func (v *vm) fromJSOrdered(val goja.Value, withOrder bool) (res any, order *KeyOrder, err error) {
	c := &fromCtx{v: v, order: withOrder}
	ex := v.rt.Try(func() {
		res, order, _ = c.conv(val, 0)
	})
	if c.err != nil {
		return nil, nil, c.err
	}
	if ex != nil {
		if ferr := v.fatal(ex); ferr != nil {
			return nil, nil, ferr
		}
		return nil, nil, &Error{Kind: KindRuntime, Message: exceptionMessage(ex.Value())}
	}
	return res, order, nil
}

type fromCtx struct {
	v     *vm
	stack []*goja.Object
	err   error
	// order: record the key order of objects.
	order bool
}

// conv returns the converted value, its key order (when c.order is set
// and the order is not the sorted one) and whether it exists (false for
// undefined, functions and symbols, which JSON leaves out).
func (c *fromCtx) conv(val goja.Value, depth int) (any, *KeyOrder, bool) {
	if c.err != nil {
		return nil, nil, false
	}
	if val == nil || goja.IsUndefined(val) {
		return nil, nil, false
	}
	if goja.IsNull(val) {
		return nil, nil, true
	}
	obj, ok := val.(*goja.Object)
	if !ok {
		switch x := val.Export().(type) {
		case int64:
			return float64(x), nil, true
		case float64, string, bool:
			return x, nil, true
		case *big.Int:
			f, _ := new(big.Float).SetInt(x).Float64()
			return f, nil, true
		default:
			return nil, nil, false // symbols
		}
	}
	if depth > maxDepth {
		c.err = &Error{Kind: KindRuntime, Message: "value nested too deeply"}
		return nil, nil, false
	}
	for _, o := range c.stack {
		if o == obj {
			c.err = &Error{Kind: KindRuntime, Message: "Converting circular structure to JSON"}
			return nil, nil, false
		}
	}
	if t, ok := c.v.dates.fromJS(obj); ok {
		return t, nil, true // time.Time, or nil for an invalid date
	}
	switch obj.ClassName() {
	case "Function":
		return nil, nil, false
	case "Array":
		c.stack = append(c.stack, obj)
		defer func() { c.stack = c.stack[:len(c.stack)-1] }()
		n := obj.Get("length").ToInteger()
		out := make([]any, 0, n)
		var elems []*KeyOrder
		for i := int64(0); i < n; i++ {
			e, eo, _ := c.conv(obj.Get(strconv.FormatInt(i, 10)), depth+1)
			out = append(out, e)
			if eo != nil {
				if elems == nil {
					elems = make([]*KeyOrder, n)
				}
				elems[i] = eo
			}
		}
		if elems != nil {
			return out, &KeyOrder{Elems: elems}, true
		}
		return out, nil, true
	case "String", "Number", "Boolean":
		return c.conv(c.v.rt.ToValue(obj.Export()), depth)
	}
	if !c.v.isPlain(obj) {
		if tj, ok := goja.AssertFunction(obj.Get("toJSON")); ok {
			r, err := tj(obj)
			if err != nil {
				panic(err)
			}
			return c.conv(r, depth)
		}
	}
	c.stack = append(c.stack, obj)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	keys := obj.Keys()
	out := make(map[string]any, len(keys))
	var fields map[string]*KeyOrder
	kept := keys[:0]
	for _, k := range keys {
		e, eo, ok := c.conv(obj.Get(k), depth+1)
		if !ok {
			continue
		}
		out[k] = e
		kept = append(kept, k)
		if eo != nil {
			if fields == nil {
				fields = map[string]*KeyOrder{}
			}
			fields[k] = eo
		}
	}
	if !c.order {
		return out, nil, true
	}
	return out, leafOrder(kept, fields), true
}

// isPlain reports whether obj inherits Object.prototype directly (or
// nothing), as object literals and JSON.parse results do.
func (v *vm) isPlain(obj *goja.Object) bool {
	p := obj.Prototype()
	return p == nil || p == v.objProto
}
