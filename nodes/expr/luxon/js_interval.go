package luxon

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

var isoDurationRe = regexp.MustCompile(`^-?P(?:(?:(-?\d{1,20}(?:\.\d{1,20})?)Y)?(?:(-?\d{1,20}(?:\.\d{1,20})?)M)?(?:(-?\d{1,20}(?:\.\d{1,20})?)W)?(?:(-?\d{1,20}(?:\.\d{1,20})?)D)?(?:T(?:(-?\d{1,20}(?:\.\d{1,20})?)H)?(?:(-?\d{1,20}(?:\.\d{1,20})?)M)?(?:(-?\d{1,20})(?:[.,](-?\d{1,20}))?S)?)?)$`)

func parseFloatJS(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// maxParts bounds splitBy and divideEqually, which run as uninterruptible
// native loops.
const maxParts = 100000

// interval is Luxon's Interval: the half-open range [s, e).
type interval struct {
	s, e *dateTime
	inv  *invalidInfo
}

func (iv *interval) valid() bool { return iv.inv == nil }

func invalidInterval(reason, explanation string) *interval {
	return &interval{inv: &invalidInfo{reason: reason, explanation: explanation}}
}

// makeInterval is Luxon's Interval.fromDateTimes validation.
func makeInterval(s, e *dateTime) *interval {
	switch {
	case s == nil || !s.valid():
		return invalidInterval("missing or invalid start", "")
	case e == nil || !e.valid():
		return invalidInterval("missing or invalid end", "")
	case e.ts < s.ts:
		si, _ := s.toISO(isoOpts{})
		ei, _ := e.toISO(isoOpts{})
		return invalidInterval("end before start",
			"The end of an interval must be after its start, but you had start="+si+" and end="+ei)
	}
	return &interval{s: s, e: e}
}

// jsIv backs an Interval object.
type jsIv struct {
	e  *Env
	iv *interval
}

func (e *Env) wrapIv(iv *interval) goja.Value {
	o := e.rt.NewDynamicObject(&jsIv{e: e, iv: iv})
	_ = o.SetPrototype(e.ivProto)
	return o
}

var ivGetters = map[string]bool{
	"start": true, "end": true, "isValid": true, "invalidReason": true, "invalidExplanation": true,
	"isLuxonInterval": true, "s": true, "e": true, "invalid": true,
}

// Get serves Interval's getters.
func (j *jsIv) Get(key string) goja.Value {
	iv, e := j.iv, j.e
	switch key {
	case "start", "s":
		if !iv.valid() {
			if key == "s" {
				return goja.Undefined()
			}
			return goja.Null()
		}
		return e.wrapDT(iv.s)
	case "end", "e":
		if !iv.valid() {
			if key == "e" {
				return goja.Undefined()
			}
			return goja.Null()
		}
		return e.wrapDT(iv.e)
	case "isValid":
		return e.rt.ToValue(iv.valid())
	case "invalidReason":
		if iv.valid() {
			return goja.Null()
		}
		return e.rt.ToValue(iv.inv.reason)
	case "invalidExplanation":
		if iv.valid() || iv.inv.explanation == "" {
			return goja.Null()
		}
		return e.rt.ToValue(iv.inv.explanation)
	case "isLuxonInterval":
		return e.rt.ToValue(true)
	case "invalid":
		if iv.valid() {
			return goja.Null()
		}
		o := e.rt.NewObject()
		_ = o.Set("reason", iv.inv.reason)
		if iv.inv.explanation == "" {
			_ = o.Set("explanation", goja.Null())
		} else {
			_ = o.Set("explanation", iv.inv.explanation)
		}
		return o
	}
	return nil
}

// Set refuses new properties.
func (j *jsIv) Set(string, goja.Value) bool { return false }

// Has reports the getters.
func (j *jsIv) Has(key string) bool { return ivGetters[key] }

// Delete succeeds for non-getters.
func (j *jsIv) Delete(key string) bool { return !ivGetters[key] }

// Keys lists Luxon's own fields, so JSON.stringify (Interval has no toJSON)
// gives {"s": …, "e": …, "invalid": …, "isLuxonInterval": true}.
func (j *jsIv) Keys() []string { return []string{"s", "e", "invalid", "isLuxonInterval"} }

func (e *Env) thisIv(call goja.FunctionCall) *interval {
	if iv := exportIv(call.This); iv != nil {
		return iv
	}
	e.throwTypeError("not an Interval")
	return nil
}

// numValue is a JS value's valueOf as a number (DateTimes give their ms).
func numValue(v goja.Value) float64 {
	if d := exportDT(v); d != nil {
		return dtValue(d)
	}
	if isNullish(v) {
		return nan
	}
	return v.ToFloat()
}

// buildInterval creates Interval.prototype and the Interval constructor.
func (e *Env) buildInterval() (proto, ctor *goja.Object) {
	rt := e.rt
	proto = rt.NewObject()
	m := func(name string, fn func(iv *interval, call goja.FunctionCall) goja.Value) {
		e.defineMethod(proto, name, func(call goja.FunctionCall) goja.Value {
			return fn(e.thisIv(call), call)
		})
	}
	boolOr := func(iv *interval, f func() bool) goja.Value {
		return rt.ToValue(iv.valid() && f())
	}
	m("length", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return e.num(nan)
		}
		u := uMilliseconds
		if v := arg(call, 0); !goja.IsUndefined(v) {
			u = e.durUnitArg(v)
		}
		return e.num(iv.e.diff(iv.s, []durUnit{u}, false).get(u))
	})
	m("count", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return e.num(nan)
		}
		u := uMilliseconds
		if v := arg(call, 0); !goja.IsUndefined(v) {
			u = e.durUnitArg(v)
		}
		start, end := iv.s.startOf(u), iv.e.startOf(u)
		n := math.Floor(end.diff(start, []durUnit{u}, false).get(u))
		if end.ts != iv.e.ts {
			n++
		}
		return e.num(n)
	})
	m("toDuration", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return e.wrapDur(invalidDuration(iv.inv.reason, ""))
		}
		units := e.durUnitsArg(arg(call, 0), uMilliseconds)
		return e.wrapDur(iv.e.diff(iv.s, units, durOptsLongterm(optObject(call, 1))))
	})
	m("contains", func(iv *interval, call goja.FunctionCall) goja.Value {
		x := numValue(arg(call, 0))
		return boolOr(iv, func() bool { return dtValue(iv.s) <= x && dtValue(iv.e) > x })
	})
	m("isAfter", func(iv *interval, call goja.FunctionCall) goja.Value {
		x := numValue(arg(call, 0))
		return boolOr(iv, func() bool { return dtValue(iv.s) > x })
	})
	m("isBefore", func(iv *interval, call goja.FunctionCall) goja.Value {
		x := numValue(arg(call, 0))
		return boolOr(iv, func() bool { return dtValue(iv.e) <= x })
	})
	m("isEmpty", func(iv *interval, call goja.FunctionCall) goja.Value {
		return rt.ToValue(iv.valid() && iv.s.ts == iv.e.ts)
	})
	m("hasSame", func(iv *interval, call goja.FunctionCall) goja.Value {
		u := e.durUnitArg(arg(call, 0))
		return boolOr(iv, func() bool {
			return iv.s.ts == iv.e.ts || iv.e.plus(durationFromMillis(-1)).hasSame(iv.s, u)
		})
	})
	other := func(call goja.FunctionCall) *interval {
		o := exportIv(arg(call, 0))
		if o == nil || !o.valid() {
			e.throwTypeError("expected a valid Interval")
		}
		return o
	}
	m("overlaps", func(iv *interval, call goja.FunctionCall) goja.Value {
		o := other(call)
		return boolOr(iv, func() bool { return iv.e.ts > o.s.ts && iv.s.ts < o.e.ts })
	})
	m("abutsStart", func(iv *interval, call goja.FunctionCall) goja.Value {
		o := other(call)
		return boolOr(iv, func() bool { return iv.e.ts == o.s.ts })
	})
	m("abutsEnd", func(iv *interval, call goja.FunctionCall) goja.Value {
		o := other(call)
		return boolOr(iv, func() bool { return o.e.ts == iv.s.ts })
	})
	m("engulfs", func(iv *interval, call goja.FunctionCall) goja.Value {
		o := other(call)
		return boolOr(iv, func() bool { return iv.s.ts <= o.s.ts && iv.e.ts >= o.e.ts })
	})
	m("equals", func(iv *interval, call goja.FunctionCall) goja.Value {
		o := exportIv(arg(call, 0))
		return rt.ToValue(o != nil && iv.valid() && o.valid() && iv.s.equals(o.s) && iv.e.equals(o.e))
	})
	m("intersection", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return call.This
		}
		o := other(call)
		s, en := iv.s, iv.e
		if o.s.ts > s.ts {
			s = o.s
		}
		if o.e.ts < en.ts {
			en = o.e
		}
		if s.ts >= en.ts {
			return goja.Null()
		}
		return e.wrapIv(makeInterval(s, en))
	})
	m("union", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return call.This
		}
		o := other(call)
		s, en := iv.s, iv.e
		if o.s.ts < s.ts {
			s = o.s
		}
		if o.e.ts > en.ts {
			en = o.e
		}
		return e.wrapIv(makeInterval(s, en))
	})
	m("set", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return call.This
		}
		s, en := iv.s, iv.e
		if o := optObject(call, 0); o != nil {
			if v := optValue(o, "start"); v != nil && !goja.IsNull(v) {
				s = e.argDT(v)
			}
			if v := optValue(o, "end"); v != nil && !goja.IsNull(v) {
				en = e.argDT(v)
			}
		}
		return e.wrapIv(makeInterval(s, en))
	})
	m("splitBy", func(iv *interval, call goja.FunctionCall) goja.Value {
		dur := e.durationLike(arg(call, 0))
		if !iv.valid() || !dur.valid() || dur.as(uMilliseconds) == 0 {
			return rt.NewArray()
		}
		if dur.as(uMilliseconds) < 0 {
			// Luxon loops forever here; a native loop cannot be interrupted.
			e.throw(argumentError("splitBy requires a positive duration"))
		}
		var out []any
		s := iv.s
		for idx := 1.0; s.ts < iv.e.ts; idx++ {
			if len(out) >= maxParts {
				e.throw(argumentError("splitBy would create more than %d intervals", maxParts))
			}
			scaled := &duration{longterm: dur.longterm, vals: dur.vals}
			for _, k := range scaled.vals.keys() {
				scaled.vals.v[k] *= idx
			}
			next := iv.s.plus(scaled)
			if next.ts > iv.e.ts {
				next = iv.e
			}
			out = append(out, e.wrapIv(makeInterval(s, next)))
			s = next
		}
		return rt.NewArray(out...)
	})
	m("divideEqually", func(iv *interval, call goja.FunctionCall) goja.Value {
		parts := arg(call, 0).ToFloat()
		if !iv.valid() || parts <= 0 || math.IsNaN(parts) {
			return rt.NewArray()
		}
		if parts > maxParts {
			e.throw(argumentError("divideEqually would create more than %d intervals", maxParts))
		}
		length := float64(iv.e.ts - iv.s.ts)
		step := durationFromMillis(length / parts)
		var out []any
		s := iv.s
		for idx := 1.0; s.ts < iv.e.ts && len(out) < int(parts); idx++ {
			next := iv.s.plus(durationFromMillis(step.vals.v[uMilliseconds] * idx))
			if next.ts > iv.e.ts {
				next = iv.e
			}
			out = append(out, e.wrapIv(makeInterval(s, next)))
			s = next
		}
		return rt.NewArray(out...)
	})
	m("splitAt", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return rt.NewArray()
		}
		var cuts []*dateTime
		for _, a := range call.Arguments {
			d := e.argDT(a)
			if iv.s.ts <= d.ts && iv.e.ts > d.ts {
				cuts = append(cuts, d)
			}
		}
		sort.SliceStable(cuts, func(i, j int) bool { return cuts[i].ts < cuts[j].ts })
		var out []any
		s := iv.s
		for i := 0; s.ts < iv.e.ts; i++ {
			next := iv.e
			if i < len(cuts) {
				next = cuts[i]
			}
			out = append(out, e.wrapIv(makeInterval(s, next)))
			s = next
		}
		return rt.NewArray(out...)
	})
	m("mapEndpoints", func(iv *interval, call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(arg(call, 0))
		if !ok {
			e.throwTypeError("mapEndpoints requires a function")
		}
		s, err := fn(goja.Undefined(), e.wrapDT(iv.s))
		if err != nil {
			panic(err)
		}
		en, err := fn(goja.Undefined(), e.wrapDT(iv.e))
		if err != nil {
			panic(err)
		}
		return e.wrapIv(makeInterval(e.argDT(s), e.argDT(en)))
	})
	str := func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return rt.ToValue("Invalid Interval")
		}
		return rt.ToValue("[" + iv.s.String() + " – " + iv.e.String() + ")")
	}
	m("toString", str)
	m("toISO", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return rt.ToValue("Invalid Interval")
		}
		o := e.isoOptsArg(optObject(call, 0))
		a, _ := iv.s.toISO(o)
		b, _ := iv.e.toISO(o)
		return rt.ToValue(a + "/" + b)
	})
	m("toISODate", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return rt.ToValue("Invalid Interval")
		}
		a, _ := iv.s.toISODate(false)
		b, _ := iv.e.toISODate(false)
		return rt.ToValue(a + "/" + b)
	})
	m("toISOTime", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return rt.ToValue("Invalid Interval")
		}
		o := e.isoOptsArg(optObject(call, 0))
		a, _ := iv.s.toISOTime(o)
		b, _ := iv.e.toISOTime(o)
		return rt.ToValue(a + "/" + b)
	})
	m("toFormat", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return rt.ToValue("Invalid Interval")
		}
		sep := " – "
		if v := optValue(optObject(call, 1), "separator"); v != nil {
			sep = v.String()
		}
		f := arg(call, 0).String()
		return rt.ToValue(e.format(iv.s, f, false) + sep + e.format(iv.e, f, false))
	})
	m("toLocaleString", func(iv *interval, call goja.FunctionCall) goja.Value {
		if !iv.valid() {
			return rt.ToValue("Invalid Interval")
		}
		o := e.intlOptsArg(optObject(call, 0), intlDateShort)
		return rt.ToValue(e.localeString(iv.s, o) + " – " + e.localeString(iv.e, o))
	})

	ctor = rt.ToValue(func(call goja.ConstructorCall) *goja.Object {
		e.throwTypeError("Interval cannot be constructed directly; use Interval.fromDateTimes, …")
		return nil
	}).(*goja.Object)
	_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	s := func(name string, fn func(call goja.FunctionCall) goja.Value) { e.defineMethod(ctor, name, fn) }
	s("fromDateTimes", func(call goja.FunctionCall) goja.Value {
		return e.wrapIv(makeInterval(e.argDT(arg(call, 0)), e.argDT(arg(call, 1))))
	})
	s("after", func(call goja.FunctionCall) goja.Value {
		start := e.argDT(arg(call, 0))
		return e.wrapIv(makeInterval(start, start.plus(e.durationLike(arg(call, 1)))))
	})
	s("before", func(call goja.FunctionCall) goja.Value {
		end := e.argDT(arg(call, 0))
		return e.wrapIv(makeInterval(end.minus(e.durationLike(arg(call, 1))), end))
	})
	s("fromISO", func(call goja.FunctionCall) goja.Value {
		text := jsString(arg(call, 0))
		opts := optObject(call, 1)
		z := e.resolveZone(optValue(opts, "zone"))
		setZone := optBool(opts, "setZone", false)
		a, b, ok := strings.Cut(text, "/")
		if ok && a != "" && b != "" {
			start, _ := e.fromParsed(a, parseISO, "ISO 8601", z, setZone)
			end, _ := e.fromParsed(b, parseISO, "ISO 8601", z, setZone)
			switch {
			case start != nil && start.valid() && end != nil && end.valid():
				return e.wrapIv(makeInterval(start, end))
			case start != nil && start.valid():
				if dur, ok := parseISODuration(b); ok {
					return e.wrapIv(makeInterval(start, start.plus(dur)))
				}
			case end != nil && end.valid():
				if dur, ok := parseISODuration(a); ok {
					return e.wrapIv(makeInterval(end.minus(dur), end))
				}
			}
		}
		return e.wrapIv(invalidInterval("unparsable", `the input "`+text+`" can't be parsed as ISO 8601`))
	})
	s("invalid", func(call goja.FunctionCall) goja.Value {
		reason := arg(call, 0)
		if isNullish(reason) || reason.String() == "" {
			e.throw(argumentError("need to specify a reason the Interval is invalid"))
		}
		expl := ""
		if v := arg(call, 1); !isNullish(v) {
			expl = v.String()
		}
		return e.wrapIv(invalidInterval(reason.String(), expl))
	})
	s("isInterval", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(exportIv(arg(call, 0)) != nil)
	})
	return proto, ctor
}

// jsZone backs a Zone object (dt.zone).
type jsZone struct {
	e *Env
	z *zone
}

func (e *Env) wrapZone(z *zone) goja.Value {
	o := e.rt.NewDynamicObject(&jsZone{e: e, z: z})
	_ = o.SetPrototype(e.zoneProto)
	return o
}

// Get serves Zone's getters.
func (j *jsZone) Get(key string) goja.Value {
	z, e := j.z, j.e
	switch key {
	case "type":
		switch z.kind {
		case zoneFixed:
			return e.rt.ToValue("fixed")
		case zoneIANA:
			return e.rt.ToValue("iana")
		}
		return e.rt.ToValue("invalid")
	case "name":
		return e.rt.ToValue(z.name)
	case "ianaName":
		return e.rt.ToValue(z.ianaName())
	case "isUniversal":
		return e.rt.ToValue(z.universal())
	case "isValid":
		return e.rt.ToValue(z.valid())
	}
	return nil
}

// Set refuses new properties.
func (j *jsZone) Set(string, goja.Value) bool { return false }

// Has reports the getters.
func (j *jsZone) Has(key string) bool {
	switch key {
	case "type", "name", "ianaName", "isUniversal", "isValid":
		return true
	}
	return false
}

// Delete succeeds for non-getters.
func (j *jsZone) Delete(key string) bool { return !j.Has(key) }

// Keys lists no own enumerable properties.
func (j *jsZone) Keys() []string { return nil }

func (e *Env) buildZoneProto() *goja.Object {
	proto := e.rt.NewObject()
	this := func(call goja.FunctionCall) *zone {
		if z := exportZone(call.This); z != nil {
			return z
		}
		e.throwTypeError("not a Zone")
		return nil
	}
	e.defineMethod(proto, "offset", func(call goja.FunctionCall) goja.Value {
		z := this(call)
		off := z.offsetAt(int64(arg(call, 0).ToFloat()))
		if off%60 == 0 {
			return e.int(off / 60)
		}
		return e.num(float64(off) / 60)
	})
	e.defineMethod(proto, "formatOffset", func(call goja.FunctionCall) goja.Value {
		z := this(call)
		off := z.offsetAt(int64(arg(call, 0).ToFloat()))
		style := offsetShort
		switch jsString(arg(call, 1)) {
		case "narrow":
			style = offsetNarrow
		case "techie":
			style = offsetTechie
		}
		return e.rt.ToValue(formatOffset(off, style))
	})
	e.defineMethod(proto, "offsetName", func(call goja.FunctionCall) goja.Value {
		z := this(call)
		d := makeDT(int64(arg(call, 0).ToFloat()), z)
		long := jsString(optValue(optObject(call, 1), "format")) == "long"
		return e.rt.ToValue(offsetName(d, long))
	})
	e.defineMethod(proto, "equals", func(call goja.FunctionCall) goja.Value {
		z := this(call)
		if oz := exportZone(arg(call, 0)); oz != nil {
			return e.rt.ToValue(z.equals(oz))
		}
		return e.rt.ToValue(false)
	})
	return proto
}
