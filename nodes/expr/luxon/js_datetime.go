package luxon

import (
	"math"
	"reflect"
	"time"

	"github.com/dop251/goja"
)

// jsDT backs a DateTime object: instance getters (year, month, …) are served
// here without per-object properties; methods live on the shared prototype.
type jsDT struct {
	e *Env
	d *dateTime
}

var nan = math.NaN()

func (e *Env) wrapDT(d *dateTime) goja.Value {
	o := e.rt.NewDynamicObject(&jsDT{e: e, d: d})
	_ = o.SetPrototype(e.dtProto)
	return o
}

func (e *Env) num(x float64) goja.Value { return e.rt.ToValue(x) }
func (e *Env) int(x int) goja.Value     { return e.rt.ToValue(x) }

// validInt returns x, or NaN for an invalid DateTime (Luxon's getters).
func (j *jsDT) validInt(x int) goja.Value {
	if !j.d.valid() {
		return j.e.num(nan)
	}
	return j.e.int(x)
}

func (j *jsDT) validStr(s string) goja.Value {
	if !j.d.valid() {
		return goja.Null()
	}
	return j.e.rt.ToValue(s)
}

// Get serves Luxon's instance getters.
func (j *jsDT) Get(key string) goja.Value {
	d, e := j.d, j.e
	if x, ok := d.getter(key); ok {
		return j.validInt(x)
	}
	switch key {
	case "daysInMonth":
		if !d.valid() {
			return goja.Undefined()
		}
		return e.int(daysInMonth(d.c.year, d.c.month))
	case "isInLeapYear":
		return e.rt.ToValue(d.valid() && isLeapYear(d.c.year))
	case "zoneName":
		return j.validStr(d.z.name)
	case "zone":
		return e.wrapZone(d.z)
	case "offset":
		if !d.valid() {
			return e.num(nan)
		}
		if d.o%60 == 0 {
			return e.int(d.o / 60)
		}
		return e.num(float64(d.o) / 60)
	case "offsetNameShort":
		return j.validStr(offsetName(d, false))
	case "offsetNameLong":
		return j.validStr(offsetName(d, true))
	case "isOffsetFixed":
		if !d.valid() {
			return goja.Null()
		}
		return e.rt.ToValue(d.z.universal())
	case "isInDST":
		return e.rt.ToValue(d.isInDST())
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
		return j.validStr("en-US")
	case "numberingSystem":
		return j.validStr("latn")
	case "outputCalendar":
		return j.validStr("gregory")
	case "monthLong", "monthShort":
		if !d.valid() {
			return goja.Null()
		}
		if key == "monthShort" {
			return e.rt.ToValue(monthNames[d.c.month-1][:3])
		}
		return e.rt.ToValue(monthNames[d.c.month-1])
	case "weekdayLong", "weekdayShort":
		if !d.valid() {
			return goja.Null()
		}
		_, _, wd := d.weekData()
		if key == "weekdayShort" {
			return e.rt.ToValue(weekdayNames[wd-1][:3])
		}
		return e.rt.ToValue(weekdayNames[wd-1])
	case "ts":
		if !d.valid() {
			return e.num(nan)
		}
		return e.rt.ToValue(d.ts)
	case "isLuxonDateTime":
		return e.rt.ToValue(true)
	}
	return nil
}

var dtGetters = map[string]bool{
	"year": true, "month": true, "day": true, "hour": true, "minute": true, "second": true,
	"millisecond": true, "quarter": true, "weekday": true, "weekNumber": true, "weekYear": true,
	"localWeekday": true, "localWeekNumber": true, "localWeekYear": true, "ordinal": true,
	"daysInMonth": true, "daysInYear": true, "weeksInWeekYear": true, "isInLeapYear": true,
	"zoneName": true, "zone": true, "offset": true, "offsetNameShort": true, "offsetNameLong": true,
	"isOffsetFixed": true, "isInDST": true, "isValid": true, "invalidReason": true,
	"invalidExplanation": true, "locale": true, "numberingSystem": true, "outputCalendar": true,
	"monthLong": true, "monthShort": true, "weekdayLong": true, "weekdayShort": true, "ts": true,
	"isLuxonDateTime": true,
}

// Set refuses new properties: DateTimes are immutable.
func (j *jsDT) Set(string, goja.Value) bool { return false }

// Has reports the getters, so `"year" in dt` holds.
func (j *jsDT) Has(key string) bool { return dtGetters[key] }

// Delete succeeds for anything that is not a getter.
func (j *jsDT) Delete(key string) bool { return !dtGetters[key] }

// Keys lists no own enumerable properties.
func (j *jsDT) Keys() []string { return nil }

// thisDT extracts the receiver of a DateTime method.
func (e *Env) thisDT(call goja.FunctionCall) *dateTime {
	if d := exportDT(call.This); d != nil {
		return d
	}
	e.throwTypeError("not a DateTime")
	return nil
}

// argDT converts a JS argument to a DateTime the way Luxon's
// friendlyDateTime does: DateTimes, JS Dates and unit objects.
func (e *Env) argDT(v goja.Value) *dateTime {
	if d := exportDT(v); d != nil {
		return d
	}
	if o, ok := v.(*goja.Object); ok {
		if o.ClassName() == "Date" {
			return e.fromJSDate(o, e.defZone)
		}
		u := e.dtUnitsFromObject(o)
		d, err := e.fromObject(&u, e.defZone, nil)
		if err != nil {
			e.throw(err)
		}
		return d
	}
	e.throw(argumentError("Unknown datetime argument: %s, of type %s", jsString(v), typeOf(v)))
	return nil
}

func (e *Env) fromJSDate(o *goja.Object, z *zone) *dateTime {
	t, ok := o.Export().(time.Time)
	if !ok {
		return invalidDT("invalid input", "")
	}
	return makeDT(t.UnixMilli(), z)
}

// dtUnitsFromObject is Luxon's normalizeObject with DateTime units.
func (e *Env) dtUnitsFromObject(o *goja.Object) dtUnits {
	var u dtUnits
	for _, k := range o.Keys() {
		v := o.Get(k)
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			continue
		}
		unit, err := parseDTUnit(k)
		if err != nil {
			e.throw(err)
		}
		u.set(unit, e.asNumber(v))
	}
	return u
}

// asNumber is Luxon's asNumber: Number(v), refusing booleans, "" and NaN.
func (e *Env) asNumber(v goja.Value) float64 {
	switch typeOf(v) {
	case "boolean":
		e.throw(argumentError("Invalid unit value %s", jsString(v)))
	case "string":
		if v.String() == "" {
			e.throw(argumentError("Invalid unit value %s", ""))
		}
	}
	f := v.ToFloat()
	if math.IsNaN(f) {
		e.throw(argumentError("Invalid unit value %s", jsString(v)))
	}
	return f
}

func jsString(v goja.Value) string {
	if v == nil {
		return "undefined"
	}
	return v.String()
}

func typeOf(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "object"
	}
	if _, ok := v.(*goja.Object); ok {
		if _, ok := goja.AssertFunction(v); ok {
			return "function"
		}
		return "object"
	}
	switch v.ExportType().Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int64, reflect.Float64, reflect.Int:
		return "number"
	}
	return "object"
}

// arg returns argument i or undefined.
func arg(call goja.FunctionCall, i int) goja.Value {
	if i < len(call.Arguments) {
		return call.Arguments[i]
	}
	return goja.Undefined()
}

func isNullish(v goja.Value) bool { return v == nil || goja.IsUndefined(v) || goja.IsNull(v) }

// optObject returns argument i as an options object, or nil.
func optObject(call goja.FunctionCall, i int) *goja.Object {
	if o, ok := arg(call, i).(*goja.Object); ok {
		return o
	}
	return nil
}

// optBool reads a boolean option (JS truthiness), default def.
func optBool(o *goja.Object, name string, def bool) bool {
	if o == nil {
		return def
	}
	v := o.Get(name)
	if isNullish(v) {
		return def
	}
	return v.ToBoolean()
}

// optValue reads an option, nil when absent.
func optValue(o *goja.Object, name string) goja.Value {
	if o == nil {
		return nil
	}
	v := o.Get(name)
	if goja.IsUndefined(v) {
		return nil
	}
	return v
}

// durUnitArg normalizes a unit argument (Duration.normalizeUnit).
func (e *Env) durUnitArg(v goja.Value) durUnit {
	if isNullish(v) {
		e.throw(invalidUnitError(jsString(v)))
	}
	u, err := parseDurUnit(v.String())
	if err != nil {
		e.throw(err)
	}
	return u
}

// durUnitsArg accepts a unit or an array of units.
func (e *Env) durUnitsArg(v goja.Value, def durUnit) []durUnit {
	if isNullish(v) {
		return []durUnit{def}
	}
	if o, ok := v.(*goja.Object); ok && o.ClassName() == "Array" {
		var out []durUnit
		for _, k := range o.Keys() {
			out = append(out, e.durUnitArg(o.Get(k)))
		}
		return out
	}
	return []durUnit{e.durUnitArg(v)}
}

func (e *Env) isoOptsArg(o *goja.Object) isoOpts {
	var opts isoOpts
	if o == nil {
		return opts
	}
	if v := optValue(o, "format"); v != nil && v.String() == "basic" {
		opts.basic = true
	}
	opts.suppressSeconds = optBool(o, "suppressSeconds", false)
	opts.suppressMilliseconds = optBool(o, "suppressMilliseconds", false)
	opts.excludeOffset = !optBool(o, "includeOffset", true)
	opts.extendedZone = optBool(o, "extendedZone", false)
	opts.includePrefix = optBool(o, "includePrefix", false)
	return opts
}

func (e *Env) strOrNull(s string, ok bool) goja.Value {
	if !ok {
		return goja.Null()
	}
	return e.rt.ToValue(s)
}

type dtMethod func(d *dateTime, call goja.FunctionCall) goja.Value

func (e *Env) defineMethod(proto *goja.Object, name string, fn func(call goja.FunctionCall) goja.Value) {
	f := e.rt.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", e.rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// buildDateTime creates DateTime.prototype and the DateTime constructor.
func (e *Env) buildDateTime() (proto, ctor *goja.Object) {
	rt := e.rt
	proto = rt.NewObject()
	m := func(name string, fn dtMethod) {
		e.defineMethod(proto, name, func(call goja.FunctionCall) goja.Value {
			return fn(e.thisDT(call), call)
		})
	}
	wrap := e.wrapDT

	// Output.
	m("toISO", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return e.strOrNull(d.toISO(e.isoOptsArg(optObject(call, 0))))
	})
	m("toISODate", func(d *dateTime, call goja.FunctionCall) goja.Value {
		basic := false
		if o := optObject(call, 0); o != nil {
			if v := optValue(o, "format"); v != nil && v.String() == "basic" {
				basic = true
			}
		}
		return e.strOrNull(d.toISODate(basic))
	})
	m("toISOTime", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return e.strOrNull(d.toISOTime(e.isoOptsArg(optObject(call, 0))))
	})
	m("toISOWeekDate", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return goja.Null()
		}
		return rt.ToValue(e.format(d, "kkkk-'W'WW-c", true))
	})
	m("toString", func(d *dateTime, call goja.FunctionCall) goja.Value { return rt.ToValue(d.String()) })
	m("toJSON", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return e.strOrNull(d.toISO(isoOpts{}))
	})
	m("toMillis", func(d *dateTime, call goja.FunctionCall) goja.Value { return e.millis(d) })
	m("valueOf", func(d *dateTime, call goja.FunctionCall) goja.Value { return e.millis(d) })
	m("toSeconds", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return e.num(nan)
		}
		return e.num(float64(d.ts) / 1000)
	})
	m("toUnixInteger", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return e.num(nan)
		}
		return rt.ToValue(floorDiv(d.ts, 1000))
	})
	m("toJSDate", func(d *dateTime, call goja.FunctionCall) goja.Value { return e.jsDate(d) })
	m("toBSON", func(d *dateTime, call goja.FunctionCall) goja.Value { return e.jsDate(d) })
	m("toObject", func(d *dateTime, call goja.FunctionCall) goja.Value {
		o := rt.NewObject()
		if !d.valid() {
			return o
		}
		_ = o.Set("year", d.c.year)
		_ = o.Set("month", d.c.month)
		_ = o.Set("day", d.c.day)
		_ = o.Set("hour", d.c.hour)
		_ = o.Set("minute", d.c.minute)
		_ = o.Set("second", d.c.second)
		_ = o.Set("millisecond", d.c.millisecond)
		if optBool(optObject(call, 0), "includeConfig", false) {
			_ = o.Set("outputCalendar", goja.Null())
			_ = o.Set("numberingSystem", goja.Null())
			_ = o.Set("locale", "en-US")
		}
		return o
	})
	m("toFormat", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if isNullish(arg(call, 0)) {
			e.throwTypeError("Cannot read properties of undefined (reading 'length')")
		}
		return rt.ToValue(e.toFormat(d, arg(call, 0).String()))
	})
	m("toLocaleString", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return rt.ToValue("Invalid DateTime")
		}
		return rt.ToValue(e.localeString(d, e.intlOptsArg(optObject(call, 0), intlDateShort)))
	})
	m("toLocaleParts", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return rt.NewArray()
	})
	m("toRFC2822", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return goja.Null()
		}
		return rt.ToValue(e.format(d, "EEE, dd LLL yyyy HH:mm:ss ZZZ", false))
	})
	m("toHTTP", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return goja.Null()
		}
		return rt.ToValue(e.format(d.setZone(utcZone, false), "EEE, dd LLL yyyy HH:mm:ss 'GMT'", true))
	})
	m("toSQLDate", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return e.strOrNull(d.toISODate(false))
	})
	m("toSQLTime", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return goja.Null()
		}
		return rt.ToValue(e.format(d, sqlTimeFormat(optObject(call, 0)), true))
	})
	m("toSQL", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return goja.Null()
		}
		date, _ := d.toISODate(false)
		return rt.ToValue(date + " " + e.format(d, sqlTimeFormat(optObject(call, 0)), true))
	})
	m("toRelative", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return goja.Null()
		}
		return rt.ToValue(e.toRelative(d, optObject(call, 0), false))
	})
	m("toRelativeCalendar", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return goja.Null()
		}
		return rt.ToValue(e.toRelative(d, optObject(call, 0), true))
	})
	m("resolvedLocaleOptions", func(d *dateTime, call goja.FunctionCall) goja.Value {
		o := rt.NewObject()
		_ = o.Set("locale", "en-US")
		_ = o.Set("numberingSystem", "latn")
		_ = o.Set("outputCalendar", "gregory")
		return o
	})

	// Transformation.
	m("plus", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return wrap(d.plus(e.durationArgs(call)))
	})
	m("minus", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return wrap(d.minus(e.durationArgs(call)))
	})
	m("set", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return call.This
		}
		o, ok := arg(call, 0).(*goja.Object)
		if !ok {
			return call.This
		}
		u := e.dtUnitsFromObject(o)
		r, err := d.set(&u)
		if err != nil {
			e.throw(err)
		}
		return wrap(r)
	})
	m("startOf", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return call.This
		}
		return wrap(d.startOf(e.durUnitArg(arg(call, 0))))
	})
	m("endOf", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return call.This
		}
		return wrap(d.endOf(e.durUnitArg(arg(call, 0))))
	})
	m("setZone", func(d *dateTime, call goja.FunctionCall) goja.Value {
		opts := optObject(call, 1)
		keep := optBool(opts, "keepLocalTime", false) || optBool(opts, "keepCalendarTime", false)
		r := d.setZone(e.resolveZone(arg(call, 0)), keep)
		if r == d {
			return call.This
		}
		return wrap(r)
	})
	m("toUTC", func(d *dateTime, call goja.FunctionCall) goja.Value {
		off := 0
		if v := arg(call, 0); !isNullish(v) {
			off = int(v.ToFloat() * 60)
		}
		keep := optBool(optObject(call, 1), "keepLocalTime", false)
		return wrap(d.setZone(fixedZone(off), keep))
	})
	m("toLocal", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return wrap(d.setZone(e.defZone, false))
	})
	m("setLocale", func(d *dateTime, call goja.FunctionCall) goja.Value { return wrap(d) })
	m("reconfigure", func(d *dateTime, call goja.FunctionCall) goja.Value { return wrap(d) })

	// Information and comparison.
	m("get", func(d *dateTime, call goja.FunctionCall) goja.Value {
		j := &jsDT{e: e, d: d}
		if v := j.Get(arg(call, 0).String()); v != nil {
			return v
		}
		return goja.Undefined()
	})
	m("diff", func(d *dateTime, call goja.FunctionCall) goja.Value {
		other := e.argDT(arg(call, 0))
		units := e.durUnitsArg(arg(call, 1), uMilliseconds)
		return e.wrapDur(d.diff(other, units, durOptsLongterm(optObject(call, 2))))
	})
	m("diffNow", func(d *dateTime, call goja.FunctionCall) goja.Value {
		now := makeDT(e.nowMillis(), e.defZone)
		units := e.durUnitsArg(arg(call, 0), uMilliseconds)
		return e.wrapDur(d.diff(now, units, durOptsLongterm(optObject(call, 1))))
	})
	m("until", func(d *dateTime, call goja.FunctionCall) goja.Value {
		if !d.valid() {
			return call.This
		}
		return e.wrapIv(makeInterval(d, e.argDT(arg(call, 0))))
	})
	m("hasSame", func(d *dateTime, call goja.FunctionCall) goja.Value {
		other := e.argDT(arg(call, 0))
		return rt.ToValue(d.hasSame(other, e.durUnitArg(arg(call, 1))))
	})
	m("equals", func(d *dateTime, call goja.FunctionCall) goja.Value {
		other := exportDT(arg(call, 0))
		return rt.ToValue(other != nil && d.equals(other))
	})
	m("getPossibleOffsets", func(d *dateTime, call goja.FunctionCall) goja.Value {
		return rt.NewArray(call.This)
	})

	e.installDateTimeExtensions(proto, m)

	ctorFn := func(call goja.ConstructorCall) *goja.Object {
		e.throwTypeError("DateTime cannot be constructed directly; use DateTime.fromISO, DateTime.now, …")
		return nil
	}
	ctor = rt.ToValue(ctorFn).(*goja.Object)
	_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	e.installDateTimeStatics(ctor)
	return proto, ctor
}

func (e *Env) millis(d *dateTime) goja.Value {
	if !d.valid() {
		return e.num(nan)
	}
	return e.rt.ToValue(d.ts)
}

// jsDate makes a JS Date for d (an Invalid Date for an invalid DateTime).
func (e *Env) jsDate(d *dateTime) goja.Value {
	ctor, _ := goja.AssertConstructor(e.dateCtor)
	ms := e.num(nan)
	if d.valid() {
		ms = e.rt.ToValue(d.ts)
	}
	o, err := ctor(nil, ms)
	if err != nil {
		panic(err)
	}
	return o
}

func durOptsLongterm(o *goja.Object) bool {
	if v := optValue(o, "conversionAccuracy"); v != nil {
		return v.String() == "longterm"
	}
	return false
}

func sqlTimeFormat(o *goja.Object) string {
	fmt := "HH:mm:ss.SSS"
	includeOffset := optBool(o, "includeOffset", true)
	includeZone := optBool(o, "includeZone", false)
	includeSpace := optBool(o, "includeOffsetSpace", true)
	if includeZone || includeOffset {
		if includeSpace {
			fmt += " "
		}
		if includeZone {
			fmt += "z"
		} else {
			fmt += "ZZ"
		}
	}
	return fmt
}

// durationArgs reads plus/minus arguments: Luxon's durationLike (number of
// ms, Duration, object of units) or n8n's (amount, unit) pair.
func (e *Env) durationArgs(call goja.FunctionCall) *duration {
	if len(call.Arguments) >= 2 {
		n := arg(call, 0)
		unitV := arg(call, 1)
		unit := "minutes"
		if !isNullish(unitV) {
			unit = unitV.String()
		}
		if mapped, ok := n8nDurationUnits[unit]; ok {
			unit = mapped
		}
		u, err := parseDurUnit(unit)
		if err != nil {
			e.throw(err)
		}
		d := &duration{}
		if isNullish(n) {
			d.vals.set(u, 0)
		} else {
			d.vals.set(u, e.asNumber(n))
		}
		return d
	}
	return e.durationLike(arg(call, 0))
}

// installDateTimeStatics defines DateTime.now, fromISO and friends.
func (e *Env) installDateTimeStatics(ctor *goja.Object) {
	rt := e.rt
	s := func(name string, fn func(call goja.FunctionCall) goja.Value) {
		e.defineMethod(ctor, name, fn)
	}
	wrap := e.wrapDT
	s("now", func(call goja.FunctionCall) goja.Value { return e.Now() })
	quick := func(call goja.FunctionCall, z *zone) goja.Value {
		args := call.Arguments
		if n := len(args); n > 0 {
			if o, ok := args[n-1].(*goja.Object); ok {
				if zv := optValue(o, "zone"); zv != nil && z == nil {
					z = e.resolveZone(zv)
				}
				args = args[:n-1]
			}
		}
		if z == nil {
			z = e.defZone
		}
		if len(args) == 0 || goja.IsUndefined(args[0]) {
			return wrap(makeDT(e.nowMillis(), z))
		}
		var u dtUnits
		units := []dtUnit{dYear, dMonth, dDay, dHour, dMinute, dSecond, dMillisecond}
		for i, k := range units {
			if i < len(args) && !goja.IsUndefined(args[i]) {
				u.set(k, args[i].ToFloat())
			} else {
				u.set(k, defaultUnitValue(k))
			}
		}
		if inv := invalidGregorian(&u); inv != nil {
			return wrap(&dateTime{z: utcZone, inv: inv})
		}
		if inv := invalidTime(&u); inv != nil {
			return wrap(&dateTime{z: utcZone, inv: inv})
		}
		if !z.valid() {
			return wrap(invalidDT("unsupported zone", `the zone "`+z.name+`" is not supported`))
		}
		ts, _ := fixOffset(unitsLocal(&u, false, false), z.offsetAt(e.nowMillis()), z)
		return wrap(makeDT(ts, z))
	}
	s("local", func(call goja.FunctionCall) goja.Value { return quick(call, nil) })
	s("utc", func(call goja.FunctionCall) goja.Value { return quick(call, utcZone) })
	s("fromJSDate", func(call goja.FunctionCall) goja.Value {
		z := e.resolveZone(optValue(optObject(call, 1), "zone"))
		o, ok := arg(call, 0).(*goja.Object)
		if !ok || o.ClassName() != "Date" {
			return wrap(invalidDT("invalid input", ""))
		}
		if !z.valid() {
			return wrap(invalidDT("unsupported zone", `the zone "`+z.name+`" is not supported`))
		}
		return wrap(e.fromJSDate(o, z))
	})
	s("fromMillis", func(call goja.FunctionCall) goja.Value {
		v := arg(call, 0)
		if typeOf(v) != "number" {
			e.throw(argumentError("fromMillis requires a numerical input, but received a %s with value %s", typeOf(v), jsString(v)))
		}
		return wrap(fromMillis(v.ToFloat(), e.resolveZone(optValue(optObject(call, 1), "zone"))))
	})
	s("fromSeconds", func(call goja.FunctionCall) goja.Value {
		v := arg(call, 0)
		if typeOf(v) != "number" {
			e.throw(argumentError("fromSeconds requires a numerical input"))
		}
		ms := v.ToFloat() * 1000
		z := e.resolveZone(optValue(optObject(call, 1), "zone"))
		if math.IsNaN(ms) || ms < -maxDate || ms > maxDate {
			return wrap(invalidDT("invalid input", ""))
		}
		return wrap(makeDT(int64(ms), z))
	})
	s("fromObject", func(call goja.FunctionCall) goja.Value {
		var u dtUnits
		if o, ok := arg(call, 0).(*goja.Object); ok {
			u = e.dtUnitsFromObject(o)
		}
		z := e.resolveZone(optValue(optObject(call, 1), "zone"))
		d, err := e.fromObject(&u, z, nil)
		if err != nil {
			e.throw(err)
		}
		return wrap(d)
	})
	parsed := func(call goja.FunctionCall, parse func(string) (parseResult, bool), format string) goja.Value {
		text := arg(call, 0)
		opts := optObject(call, 1)
		if isNullish(text) {
			// Luxon's parsers answer null for null/undefined; other values are
			// coerced to strings by RegExp#exec.
			return wrap(invalidDT("unparsable", `the input "`+jsString(text)+`" can't be parsed as `+format))
		}
		d, err := e.fromParsed(text.String(), parse, format, e.resolveZone(optValue(opts, "zone")), optBool(opts, "setZone", false))
		if err != nil {
			e.throw(err)
		}
		return wrap(d)
	}
	s("fromISO", func(call goja.FunctionCall) goja.Value { return parsed(call, parseISO, "ISO 8601") })
	s("fromRFC2822", func(call goja.FunctionCall) goja.Value { return parsed(call, parseRFC2822, "RFC 2822") })
	s("fromHTTP", func(call goja.FunctionCall) goja.Value { return parsed(call, parseHTTP, "HTTP") })
	s("fromSQL", func(call goja.FunctionCall) goja.Value { return parsed(call, parseSQL, "SQL") })
	fromFormat := func(call goja.FunctionCall) goja.Value {
		text, fmtV := arg(call, 0), arg(call, 1)
		if goja.IsUndefined(text) || goja.IsUndefined(fmtV) {
			e.throw(argumentError("fromFormat requires an input string and a format"))
		}
		opts := optObject(call, 2)
		d, err := e.fromFormat(text.String(), fmtV.String(), e.resolveZone(optValue(opts, "zone")), optBool(opts, "setZone", false))
		if err != nil {
			e.throw(err)
		}
		return wrap(d)
	}
	s("fromFormat", fromFormat)
	s("fromString", fromFormat)
	s("invalid", func(call goja.FunctionCall) goja.Value {
		reason := arg(call, 0)
		if isNullish(reason) || reason.String() == "" {
			e.throw(argumentError("need to specify a reason the DateTime is invalid"))
		}
		expl := ""
		if v := arg(call, 1); !isNullish(v) {
			expl = v.String()
		}
		return wrap(invalidDT(reason.String(), expl))
	})
	s("isDateTime", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(exportDT(arg(call, 0)) != nil)
	})
	best := func(call goja.FunctionCall, name string, better func(a, b int64) bool) goja.Value {
		var bestV goja.Value = goja.Undefined()
		var bestD *dateTime
		for _, a := range call.Arguments {
			d := exportDT(a)
			if d == nil {
				e.throw(argumentError("%s requires all arguments be DateTimes", name))
			}
			if bestD == nil || better(d.ts, bestD.ts) {
				bestV, bestD = a, d
			}
		}
		return bestV
	}
	s("min", func(call goja.FunctionCall) goja.Value {
		return best(call, "min", func(a, b int64) bool { return a < b })
	})
	s("max", func(call goja.FunctionCall) goja.Value {
		return best(call, "max", func(a, b int64) bool { return a > b })
	})
	s("expandFormat", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(expandFormat(arg(call, 0).String()))
	})
	for name, opts := range intlPresets {
		o := rt.NewObject()
		for _, kv := range opts.pairs() {
			_ = o.Set(kv[0], kv[1])
		}
		_ = ctor.DefineDataProperty(name, o, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
}
