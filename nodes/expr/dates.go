package expr

import (
	"time"

	"github.com/dop251/goja"
	"github.com/weft/weft/nodes/expr/luxon"
)

// dates converts times between Go and JavaScript: Go times become Luxon
// DateTimes in the workflow's zone ($now, $today), and a DateTime or a JS
// Date coming back becomes a time.Time.
type dates struct {
	env *luxon.Env
	loc *time.Location
}

func newDates(rt *goja.Runtime, loc *time.Location, now func() time.Time) *dates {
	env, err := luxon.Install(rt, loc, now)
	if err != nil {
		panic("expr: luxon: " + err.Error())
	}
	return &dates{env: env, loc: loc}
}

func (d *dates) toJS(t time.Time) goja.Value { return d.env.NewDateTime(t) }

// fromJS recognises a date object: it returns its time.Time (nil for an
// invalid date) and true, or false for other objects.
func (d *dates) fromJS(obj *goja.Object) (any, bool) {
	if t, ok := luxon.IsDateTime(obj); ok {
		if t.IsZero() {
			return nil, true
		}
		return t, true
	}
	if obj.ClassName() != "Date" {
		return nil, false
	}
	if t, ok := obj.Export().(time.Time); ok {
		return t.In(d.loc), true
	}
	return nil, true
}

// installDateNatives adds the luxon-backed helpers the prelude calls.
func (v *vm) installDateNatives(n *goja.Object) {
	rt := v.rt
	env := v.dates.env
	_ = n.Set("isDateTime", func(call goja.FunctionCall) goja.Value {
		_, ok := luxon.IsDateTime(call.Argument(0))
		return rt.ToValue(ok)
	})
	_ = n.Set("callDateExt", func(call goja.FunctionCall) goja.Value {
		var args []goja.Value
		if a, ok := call.Argument(2).(*goja.Object); ok {
			_ = rt.ExportTo(a, &args)
		}
		var res goja.Value
		v.extensionCall(func() {
			r, ok := env.CallDateExtension(call.Argument(0), call.Argument(1).String(), args)
			if !ok {
				r = goja.Undefined()
			}
			res = r
		})
		return res
	})
	_ = n.Set("stringToDateTime", func(call goja.FunctionCall) goja.Value {
		r, err := env.StringToDateTime(call.Argument(0).String(), call.Argument(1).String())
		if err != nil {
			v.throw(&Error{Kind: KindRuntime, Message: err.Error()})
		}
		return r
	})
	_ = n.Set("numberToDateTime", func(call goja.FunctionCall) goja.Value {
		r, err := env.NumberToDateTime(call.Argument(0).ToFloat(), call.Argument(1).String())
		if err != nil {
			v.throw(&Error{Kind: KindRuntime, Message: err.Error()})
		}
		return r
	})
}

// extensionCall runs f, turning a thrown ExpressionExtensionError into an
// error that fails the evaluation, as n8n's extension errors do.
func (v *vm) extensionCall(f func()) {
	defer func() {
		if r := recover(); r != nil {
			if obj, ok := r.(*goja.Object); ok {
				if n := obj.Get("name"); n != nil && n.String() == "ExpressionExtensionError" {
					v.throw(&Error{Kind: KindRuntime, Message: exceptionMessage(obj)})
				}
			}
			panic(r)
		}
	}()
	f()
}
