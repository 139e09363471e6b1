package expr

import (
	"time"

	"github.com/dop251/goja"
)

// dateSupport converts dates between Go and JavaScript and installs the
// date globals (DateTime, Duration, Interval when Luxon is available).
type dateSupport interface {
	install(rt *goja.Runtime, global *goja.Object)
	// toJS converts a Go time into the value scripts see ($now, $today).
	toJS(rt *goja.Runtime, t time.Time) goja.Value
	// fromJS recognises a date object: it returns its time.Time (nil for
	// an invalid date) and true, or false for other objects.
	fromJS(obj *goja.Object) (any, bool)
}

// jsDates represents times as JavaScript Date objects.
type jsDates struct {
	ctor goja.Value
	loc  *time.Location
}

func (d *jsDates) install(rt *goja.Runtime, _ *goja.Object) { d.ctor = rt.Get("Date") }

func (d *jsDates) toJS(rt *goja.Runtime, t time.Time) goja.Value {
	o, err := rt.New(d.ctor, rt.ToValue(t.UnixMilli()))
	if err != nil {
		return goja.Null()
	}
	return o
}

func (d *jsDates) fromJS(obj *goja.Object) (any, bool) {
	if obj.ClassName() != "Date" {
		return nil, false
	}
	if t, ok := obj.Export().(time.Time); ok {
		return t.In(d.loc), true
	}
	return nil, true
}

// newDateSupport returns the date representation the runtime uses.
func newDateSupport(_ *goja.Runtime, loc *time.Location, _ func() time.Time) dateSupport {
	return &jsDates{loc: loc}
}
