package luxon

import (
	"math"
	"strings"

	"github.com/dop251/goja"
)

// jsDur backs a Duration object; its unit getters are served here.
type jsDur struct {
	e *Env
	d *duration
}

func (e *Env) wrapDur(d *duration) goja.Value {
	o := e.rt.NewDynamicObject(&jsDur{e: e, d: d})
	_ = o.SetPrototype(e.durProto)
	return o
}

var durGetters = map[string]bool{
	"years": true, "quarters": true, "months": true, "weeks": true, "days": true, "hours": true,
	"minutes": true, "seconds": true, "milliseconds": true, "isValid": true, "invalidReason": true,
	"invalidExplanation": true, "locale": true, "numberingSystem": true, "conversionAccuracy": true,
	"values": true, "isLuxonDuration": true,
}

// Get serves Luxon's Duration getters.
func (j *jsDur) Get(key string) goja.Value {
	d, e := j.d, j.e
	if u, err := parseDurUnit(key); err == nil && key == u.String() {
		return e.num(d.get(u))
	}
	switch key {
	case "isValid":
		return e.rt.ToValue(d.valid())
	case "invalidReason":
		if d.valid() {
			return goja.Null()
		}
		return e.rt.ToValue(d.inv.reason)
	case "invalidExplanation":
		if d.valid() || d.inv.explanation == "" {
			return goja.Null()
		}
		return e.rt.ToValue(d.inv.explanation)
	case "locale":
		if !d.valid() {
			return goja.Null()
		}
		return e.rt.ToValue("en-US")
	case "numberingSystem":
		if !d.valid() {
			return goja.Null()
		}
		return e.rt.ToValue("latn")
	case "conversionAccuracy":
		if d.longterm {
			return e.rt.ToValue("longterm")
		}
		return e.rt.ToValue("casual")
	case "values":
		return e.durObject(d)
	case "isLuxonDuration":
		return e.rt.ToValue(true)
	}
	return nil
}

// Set refuses new properties.
func (j *jsDur) Set(string, goja.Value) bool { return false }

// Has reports the getters.
func (j *jsDur) Has(key string) bool { return durGetters[key] }

// Delete succeeds for non-getters.
func (j *jsDur) Delete(key string) bool { return !durGetters[key] }

// Keys lists no own enumerable properties.
func (j *jsDur) Keys() []string { return nil }

// durObject is Duration#toObject: the values in their key order.
func (e *Env) durObject(d *duration) *goja.Object {
	o := e.rt.NewObject()
	if !d.valid() {
		return o
	}
	for _, k := range d.vals.keys() {
		_ = o.Set(k.String(), e.num(d.vals.v[k]))
	}
	return o
}

func (e *Env) thisDur(call goja.FunctionCall) *duration {
	if d := exportDur(call.This); d != nil {
		return d
	}
	e.throwTypeError("not a Duration")
	return nil
}

// durFromObject is Duration.fromObject's normalizeObject.
func (e *Env) durFromObject(v goja.Value) *duration {
	o, ok := v.(*goja.Object)
	if !ok {
		got := typeOf(v)
		if goja.IsNull(v) {
			got = "null"
		}
		e.throw(argumentError("Duration.fromObject: argument expected to be an object, got %s", got))
	}
	d := &duration{}
	for _, k := range o.Keys() {
		val := o.Get(k)
		if isNullish(val) {
			continue
		}
		u, err := parseDurUnit(k)
		if err != nil {
			e.throw(err)
		}
		d.vals.set(u, e.asNumber(val))
	}
	return d
}

// durationLike is Luxon's Duration.fromDurationLike.
func (e *Env) durationLike(v goja.Value) *duration {
	if d := exportDur(v); d != nil {
		return d
	}
	switch typeOf(v) {
	case "number":
		return durationFromMillis(v.ToFloat())
	case "object":
		if !goja.IsNull(v) {
			return e.durFromObject(v)
		}
	}
	e.throw(argumentError("Unknown duration argument %s of type %s", jsString(v), typeOf(v)))
	return nil
}

func (e *Env) durOpts(d *duration, o *goja.Object) *duration {
	if o != nil && durOptsLongterm(o) {
		d.longterm = true
	}
	return d
}

// formatDuration is Luxon's Duration#toFormat.
func (e *Env) formatDuration(d *duration, f string, floor bool) string {
	tokens := parseFormat(f)
	field := func(t string) (durUnit, bool) {
		switch t[0] {
		case 'S':
			return uMilliseconds, true
		case 's':
			return uSeconds, true
		case 'm':
			return uMinutes, true
		case 'h':
			return uHours, true
		case 'd':
			return uDays, true
		case 'w':
			return uWeeks, true
		case 'M':
			return uMonths, true
		case 'y':
			return uYears, true
		}
		return 0, false
	}
	var units []durUnit
	for _, t := range tokens {
		if !t.literal {
			if u, ok := field(t.val); ok {
				units = append(units, u)
			}
		}
	}
	collapsed := d.shiftTo(units...)
	var b []byte
	for _, t := range tokens {
		if t.literal {
			b = append(b, t.val...)
			continue
		}
		u, ok := field(t.val)
		if !ok {
			b = append(b, t.val...)
			continue
		}
		x := collapsed.get(u)
		if floor {
			x = math.Floor(x)
		} else {
			x = roundTo(x, 3)
		}
		b = appendPaddedFloat(b, x, len(t.val))
	}
	return string(b)
}

// appendPaddedFloat is Luxon's padStart for possibly fractional numbers.
func appendPaddedFloat(b []byte, x float64, width int) []byte {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return appendPadded(b, int(x), width)
	}
	s := jsNumber(math.Abs(x))
	if x < 0 {
		b = append(b, '-')
	}
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// toHuman is Duration#toHuman in en-US.
func (e *Env) toHuman(d *duration, o *goja.Object) string {
	short := false
	if v := optValue(o, "unitDisplay"); v != nil && v.String() != "long" {
		short = true
	}
	listStyle := "narrow"
	if v := optValue(o, "listStyle"); v != nil {
		listStyle = v.String()
	}
	shortNames := [numDurUnits]string{"yr", "qtr", "mth", "wk", "day", "hr", "min", "sec", "ms"}
	shortPlural := [numDurUnits]string{"yrs", "qtrs", "mths", "wks", "days", "hr", "min", "sec", "ms"}
	var parts []string
	for u := uYears; u <= uMilliseconds; u++ {
		if !d.vals.has(u) {
			continue
		}
		x := d.vals.v[u]
		num := groupThousands(jsNumber(roundTo(x, 3)))
		var name string
		if short {
			name = shortPlural[u]
			if x == 1 {
				name = shortNames[u]
			}
		} else {
			name = strings.TrimSuffix(u.String(), "s")
			if x != 1 {
				name += "s"
			}
		}
		parts = append(parts, num+" "+name)
	}
	switch {
	case len(parts) == 0:
		return ""
	case len(parts) == 1:
		return parts[0]
	}
	head := strings.Join(parts[:len(parts)-1], ", ")
	last := parts[len(parts)-1]
	switch listStyle {
	case "long":
		if len(parts) == 2 {
			return head + " and " + last
		}
		return head + ", and " + last
	case "short":
		if len(parts) == 2 {
			return head + " & " + last
		}
		return head + ", & " + last
	}
	return head + ", " + last
}

// buildDuration creates Duration.prototype and the Duration constructor.
func (e *Env) buildDuration() (proto, ctor *goja.Object) {
	rt := e.rt
	proto = rt.NewObject()
	m := func(name string, fn func(d *duration, call goja.FunctionCall) goja.Value) {
		e.defineMethod(proto, name, func(call goja.FunctionCall) goja.Value {
			return fn(e.thisDur(call), call)
		})
	}
	iso := func(d *duration, call goja.FunctionCall) goja.Value { return e.strOrNull(d.toISO()) }
	m("toISO", iso)
	m("toJSON", iso)
	m("toString", iso)
	m("toISOTime", func(d *duration, call goja.FunctionCall) goja.Value {
		ms := d.toMillis()
		if !d.valid() || ms < 0 || ms >= msPerDay {
			return goja.Null()
		}
		opts := e.isoOptsArg(optObject(call, 0))
		opts.excludeOffset = true
		return e.strOrNull(makeDT(int64(ms), utcZone).toISOTime(opts))
	})
	millis := func(d *duration, call goja.FunctionCall) goja.Value { return e.num(d.toMillis()) }
	m("toMillis", millis)
	m("valueOf", millis)
	m("toObject", func(d *duration, call goja.FunctionCall) goja.Value { return e.durObject(d) })
	m("toFormat", func(d *duration, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return rt.ToValue("Invalid Duration")
		}
		o := optObject(call, 1)
		floor := optBool(o, "floor", true) && optBool(o, "round", true)
		return rt.ToValue(e.formatDuration(d, arg(call, 0).String(), floor))
	})
	m("toHuman", func(d *duration, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return rt.ToValue("Invalid Duration")
		}
		return rt.ToValue(e.toHuman(d, optObject(call, 0)))
	})
	m("plus", func(d *duration, call goja.FunctionCall) goja.Value {
		return e.wrapDur(d.plus(e.durationLike(arg(call, 0))))
	})
	m("minus", func(d *duration, call goja.FunctionCall) goja.Value {
		return e.wrapDur(d.plus(e.durationLike(arg(call, 0)).negate()))
	})
	m("negate", func(d *duration, call goja.FunctionCall) goja.Value { return e.wrapDur(d.negate()) })
	m("get", func(d *duration, call goja.FunctionCall) goja.Value {
		return e.num(d.get(e.durUnitArg(arg(call, 0))))
	})
	m("as", func(d *duration, call goja.FunctionCall) goja.Value {
		return e.num(d.as(e.durUnitArg(arg(call, 0))))
	})
	m("shiftTo", func(d *duration, call goja.FunctionCall) goja.Value {
		units := make([]durUnit, len(call.Arguments))
		for i, a := range call.Arguments {
			units[i] = e.durUnitArg(a)
		}
		return e.wrapDur(d.shiftTo(units...))
	})
	m("shiftToAll", func(d *duration, call goja.FunctionCall) goja.Value {
		return e.wrapDur(d.shiftTo(uYears, uMonths, uWeeks, uDays, uHours, uMinutes, uSeconds, uMilliseconds))
	})
	m("normalize", func(d *duration, call goja.FunctionCall) goja.Value { return e.wrapDur(d.normalize()) })
	m("rescale", func(d *duration, call goja.FunctionCall) goja.Value { return e.wrapDur(d.rescale()) })
	m("set", func(d *duration, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return call.This
		}
		add := e.durFromObject(arg(call, 0))
		out := &duration{longterm: d.longterm, vals: d.vals}
		for _, k := range add.vals.keys() {
			out.vals.set(k, add.vals.v[k])
		}
		return e.wrapDur(out)
	})
	m("mapUnits", func(d *duration, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return call.This
		}
		fn, ok := goja.AssertFunction(arg(call, 0))
		if !ok {
			e.throwTypeError("mapUnits requires a function")
		}
		out := &duration{longterm: d.longterm}
		for _, k := range d.vals.keys() {
			r, err := fn(goja.Undefined(), e.num(d.vals.v[k]), rt.ToValue(k.String()))
			if err != nil {
				panic(err)
			}
			out.vals.set(k, e.asNumber(r))
		}
		return e.wrapDur(out)
	})
	m("reconfigure", func(d *duration, call goja.FunctionCall) goja.Value {
		out := *d
		if v := optValue(optObject(call, 0), "conversionAccuracy"); v != nil {
			out.longterm = v.String() == "longterm"
		}
		return e.wrapDur(&out)
	})
	m("equals", func(d *duration, call goja.FunctionCall) goja.Value {
		o := exportDur(arg(call, 0))
		return rt.ToValue(o != nil && d.equals(o))
	})

	ctor = rt.ToValue(func(call goja.ConstructorCall) *goja.Object {
		e.throwTypeError("Duration cannot be constructed directly; use Duration.fromObject, …")
		return nil
	}).(*goja.Object)
	_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	s := func(name string, fn func(call goja.FunctionCall) goja.Value) { e.defineMethod(ctor, name, fn) }
	s("fromMillis", func(call goja.FunctionCall) goja.Value {
		d := &duration{}
		d.vals.set(uMilliseconds, e.asNumber(arg(call, 0)))
		return e.wrapDur(e.durOpts(d, optObject(call, 1)))
	})
	s("fromObject", func(call goja.FunctionCall) goja.Value {
		return e.wrapDur(e.durOpts(e.durFromObject(arg(call, 0)), optObject(call, 1)))
	})
	s("fromDurationLike", func(call goja.FunctionCall) goja.Value {
		if d := exportDur(arg(call, 0)); d != nil {
			return arg(call, 0)
		}
		return e.wrapDur(e.durationLike(arg(call, 0)))
	})
	s("fromISO", func(call goja.FunctionCall) goja.Value {
		text := jsString(arg(call, 0))
		d, ok := parseISODuration(text)
		if !ok {
			return e.wrapDur(invalidDuration("unparsable", `the input "`+text+`" can't be parsed as ISO 8601`))
		}
		return e.wrapDur(e.durOpts(d, optObject(call, 1)))
	})
	s("fromISOTime", func(call goja.FunctionCall) goja.Value {
		text := jsString(arg(call, 0))
		var r parseResult
		p := isoScanner{s: strings.TrimPrefix(text, "T")}
		if !p.time(&r.u) || !p.eof() {
			return e.wrapDur(invalidDuration("unparsable", `the input "`+text+`" can't be parsed as ISO 8601`))
		}
		d := &duration{}
		d.vals.set(uHours, r.u.v[dHour])
		d.vals.set(uMinutes, r.u.v[dMinute])
		d.vals.set(uSeconds, r.u.v[dSecond])
		if r.u.isSet(dMillisecond) {
			d.vals.set(uMilliseconds, r.u.v[dMillisecond])
		}
		return e.wrapDur(d)
	})
	s("invalid", func(call goja.FunctionCall) goja.Value {
		reason := arg(call, 0)
		if isNullish(reason) || reason.String() == "" {
			e.throw(argumentError("need to specify a reason the Duration is invalid"))
		}
		expl := ""
		if v := arg(call, 1); !isNullish(v) {
			expl = v.String()
		}
		return e.wrapDur(invalidDuration(reason.String(), expl))
	})
	s("isDuration", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(exportDur(arg(call, 0)) != nil)
	})
	s("normalizeUnit", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(e.durUnitArg(arg(call, 0)).String())
	})
	return proto, ctor
}

// parseISODuration parses Luxon's ISO 8601 duration form, e.g. "P1Y2M3DT4H5M6.7S".
func parseISODuration(s string) (*duration, bool) {
	m := isoDurationRe.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	neg := s[0] == '-'
	d := &duration{}
	num := func(str string) float64 {
		f, _ := parseFloatJS(str)
		return f
	}
	maybeNeg := func(x float64, force bool) float64 {
		if force || (x != 0 && neg) {
			return -x
		}
		return x
	}
	units := []durUnit{uYears, uMonths, uWeeks, uDays, uHours, uMinutes, uSeconds}
	for i, u := range units {
		str := m[i+1]
		if str == "" {
			continue
		}
		d.vals.set(u, maybeNeg(num(str), u == uSeconds && str == "-0"))
	}
	if ms := m[8]; ms != "" {
		d.vals.set(uMilliseconds, maybeNeg(parseMillis(strings.TrimPrefix(ms, "-")), strings.HasPrefix(m[7], "-")))
	}
	return d, true
}
