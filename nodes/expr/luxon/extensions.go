package luxon

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// n8nDurationUnits is n8n's DURATION_MAP for plus/minus(n, unit).
var n8nDurationUnits = map[string]string{
	"day": "days", "month": "months", "year": "years", "week": "weeks", "hour": "hours",
	"minute": "minutes", "second": "seconds", "millisecond": "milliseconds", "ms": "milliseconds",
	"sec": "seconds", "secs": "seconds", "hr": "hours", "hrs": "hours", "min": "minutes", "mins": "minutes",
}

// n8nDateTimeUnits is n8n's DATETIMEUNIT_MAP for beginningOf and extract.
var n8nDateTimeUnits = map[string]string{
	"days": "day", "months": "month", "years": "year", "hours": "hour", "minutes": "minute",
	"seconds": "second", "milliseconds": "millisecond", "hrs": "hour", "hr": "hour", "mins": "minute",
	"min": "minute", "secs": "second", "sec": "second", "ms": "millisecond",
}

// diffToUnits are the units n8n's diffTo accepts (dateParts + durationUnits).
var diffToUnits = map[string]bool{
	"day": true, "week": true, "month": true, "year": true, "hour": true, "minute": true, "second": true,
	"millisecond": true, "weekNumber": true, "yearDayNumber": true, "weekday": true,
	"milliseconds": true, "seconds": true, "minutes": true, "hours": true, "days": true, "weeks": true,
	"months": true, "quarters": true, "years": true,
}

// extensionError is n8n's ExpressionExtensionError.
func extensionError(msg string) error {
	return &luxonError{name: "ExpressionExtensionError", msg: msg}
}

// dateExt is one n8n date extension. d is the receiver as a DateTime;
// jsDate says the receiver was a JS Date (results that are dates go back as
// JS Dates then).
type dateExt func(e *Env, d *dateTime, this goja.Value, jsDate bool, args []goja.Value) goja.Value

func argAt(args []goja.Value, i int) goja.Value {
	if i < len(args) {
		return args[i]
	}
	return goja.Undefined()
}

// dateResult returns a date-valued result as a DateTime, or as a JS Date when
// the receiver was a JS Date.
func (e *Env) dateResult(d *dateTime, jsDate bool) goja.Value {
	if jsDate {
		return e.jsDate(d)
	}
	return e.wrapDT(d)
}

// dateExtensions are n8n's date extension functions (n8n-workflow 1.120).
var dateExtensions = map[string]dateExt{
	"beginningOf": func(e *Env, d *dateTime, _ goja.Value, jsDate bool, args []goja.Value) goja.Value {
		unit := "week"
		if v := argAt(args, 0); !goja.IsUndefined(v) {
			unit = v.String()
		}
		if m, ok := n8nDateTimeUnits[unit]; ok {
			unit = m
		}
		u, err := parseDurUnit(unit)
		if err != nil {
			e.throw(err)
		}
		return e.dateResult(d.startOf(u), jsDate)
	},
	"endOfMonth": func(e *Env, d *dateTime, _ goja.Value, jsDate bool, _ []goja.Value) goja.Value {
		return e.dateResult(d.endOf(uMonths), jsDate)
	},
	"extract": func(e *Env, d *dateTime, _ goja.Value, _ bool, args []goja.Value) goja.Value {
		part := "week"
		if v := argAt(args, 0); !goja.IsUndefined(v) {
			part = v.String()
		}
		if part == "yearDayNumber" {
			// n8n computes this from a JS Date in the host's zone; weft's host zone is UTC.
			if !d.valid() {
				return e.num(nan)
			}
			u := makeDT(d.ts, utcZone)
			return e.int(ordinalOf(u.c.year, u.c.month, u.c.day))
		}
		if part == "week" {
			part = "weekNumber"
		}
		if m, ok := n8nDateTimeUnits[part]; ok {
			part = m
		}
		if v := (&jsDT{e: e, d: d}).Get(part); v != nil {
			return v
		}
		return goja.Undefined()
	},
	"format": func(e *Env, d *dateTime, _ goja.Value, _ bool, args []goja.Value) goja.Value {
		f := argAt(args, 0)
		if isNullish(f) {
			e.throwTypeError("Cannot read properties of undefined (reading 'length')")
		}
		if !d.valid() {
			return e.rt.ToValue("Invalid DateTime")
		}
		return e.rt.ToValue(e.format(d, f.String(), false))
	},
	"isBetween": func(e *Env, d *dateTime, _ goja.Value, _ bool, args []goja.Value) goja.Value {
		if len(args) != 2 {
			e.throw(extensionError("isBetween(): expected exactly two args"))
		}
		first, ok1 := e.convertToDateTime(args[0])
		second, ok2 := e.convertToDateTime(args[1])
		if !ok1 || !ok2 {
			return goja.Undefined()
		}
		a, b, x := dtValue(first), dtValue(second), dtValue(d)
		if a > b {
			return e.rt.ToValue(b < x && x < a)
		}
		return e.rt.ToValue(b > x && x > a)
	},
	"isDst": func(e *Env, d *dateTime, _ goja.Value, _ bool, _ []goja.Value) goja.Value {
		return e.rt.ToValue(d.isInDST())
	},
	"isInLast": func(e *Env, d *dateTime, _ goja.Value, _ bool, args []goja.Value) goja.Value {
		now := makeDT(e.nowMillis(), e.defZone)
		past := now.minus(e.durationArgs(goja.FunctionCall{Arguments: n8nPair(args)}))
		x := dtValue(d)
		return e.rt.ToValue(dtValue(past) <= x && x <= dtValue(now))
	},
	"isWeekend": func(e *Env, d *dateTime, _ goja.Value, _ bool, _ []goja.Value) goja.Value {
		if !d.valid() {
			return e.rt.ToValue(false)
		}
		_, _, wd := d.weekData()
		return e.rt.ToValue(wd == 6 || wd == 7)
	},
	"minus": func(e *Env, d *dateTime, _ goja.Value, jsDate bool, args []goja.Value) goja.Value {
		return e.dateResult(d.minus(e.durationArgs(goja.FunctionCall{Arguments: n8nPlusArgs(args)})), jsDate)
	},
	"plus": func(e *Env, d *dateTime, _ goja.Value, jsDate bool, args []goja.Value) goja.Value {
		return e.dateResult(d.plus(e.durationArgs(goja.FunctionCall{Arguments: n8nPlusArgs(args)})), jsDate)
	},
	"toDateTime": func(e *Env, d *dateTime, this goja.Value, jsDate bool, _ []goja.Value) goja.Value {
		if !jsDate {
			return this
		}
		return e.wrapDT(d)
	},
	"diffTo": func(e *Env, d *dateTime, _ goja.Value, _ bool, args []goja.Value) goja.Value {
		return e.diffTo(d, argAt(args, 0), argAt(args, 1))
	},
	"diffToNow": func(e *Env, d *dateTime, _ goja.Value, _ bool, args []goja.Value) goja.Value {
		return e.diffTo(d, e.Now(), argAt(args, 0))
	},
	"toInt":   toIntExt,
	"toFloat": toIntExt,
	"toBoolean": func(*Env, *dateTime, goja.Value, bool, []goja.Value) goja.Value {
		return goja.Undefined()
	},
	"isEmpty": func(e *Env, _ *dateTime, _ goja.Value, _ bool, _ []goja.Value) goja.Value {
		return e.rt.ToValue(false)
	},
	"isNotEmpty": func(e *Env, _ *dateTime, _ goja.Value, _ bool, _ []goja.Value) goja.Value {
		return e.rt.ToValue(true)
	},
}

func toIntExt(e *Env, d *dateTime, _ goja.Value, _ bool, _ []goja.Value) goja.Value {
	return e.millis(d)
}

// n8nPlusArgs keeps plus(x) as Luxon's and turns plus(n, unit) into a pair;
// n8n's defaults are 0 and "minutes".
func n8nPlusArgs(args []goja.Value) []goja.Value {
	if len(args) == 1 {
		return args
	}
	return n8nPair(args)
}

func n8nPair(args []goja.Value) []goja.Value {
	return []goja.Value{argAt(args, 0), argAt(args, 1)}
}

// dtValue is valueOf for comparisons (NaN when invalid).
func dtValue(d *dateTime) float64 {
	if !d.valid() {
		return nan
	}
	return float64(d.ts)
}

// convertToDateTime is n8n's utils.convertToDateTime: strings go through
// new Date(string); Dates and DateTimes convert; anything else fails.
func (e *Env) convertToDateTime(v goja.Value) (*dateTime, bool) {
	if d := exportDT(v); d != nil {
		return d, true
	}
	if o, ok := v.(*goja.Object); ok && o.ClassName() == "Date" {
		return e.fromJSDate(o, e.defZone), true
	}
	if typeOf(v) == "string" {
		ctor, _ := goja.AssertConstructor(e.dateCtor)
		o, err := ctor(nil, v)
		if err != nil {
			return nil, false
		}
		d := e.fromJSDate(o, e.defZone)
		if !d.valid() {
			return nil, false
		}
		return d, true
	}
	return nil, false
}

// diffTo is n8n's diffTo: a number for one unit, an object for several.
func (e *Env) diffTo(d *dateTime, otherV, unitV goja.Value) goja.Value {
	var names []string
	if o, ok := unitV.(*goja.Object); ok && o.ClassName() == "Array" {
		for _, k := range o.Keys() {
			names = append(names, o.Get(k).String())
		}
	} else if !goja.IsUndefined(unitV) {
		names = []string{unitV.String()}
	}
	if len(names) == 0 {
		names = []string{"days"}
	}
	for _, u := range names {
		if !diffToUnits[u] {
			e.throw(extensionError(fmt.Sprintf("Unsupported unit '%s'. Supported: 'milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'quarters', 'years'.", u)))
		}
	}
	units := make([]durUnit, len(names))
	for i, n := range names {
		u, err := parseDurUnit(n)
		if err != nil {
			e.throw(err)
		}
		units[i] = u
	}
	var other *dateTime
	switch {
	case exportDT(otherV) != nil:
		other = exportDT(otherV)
	case typeOf(otherV) == "string":
		t, err := e.parseToDateTime(otherV.String())
		if err != nil {
			e.throw(extensionError("cannot convert to Luxon DateTime"))
		}
		other = t
	default:
		if o, ok := otherV.(*goja.Object); ok && o.ClassName() == "Date" {
			other = e.fromJSDate(o, e.defZone)
		} else {
			other = invalidDT("invalid input", "")
		}
	}
	r := d.diff(other, units, false)
	if len(units) > 1 {
		return e.durObject(r)
	}
	return e.num(r.as(units[0]))
}

// installDateTimeExtensions puts n8n's date extensions on DateTime.prototype
// (plus and minus already accept n8n's (n, unit) form).
func (e *Env) installDateTimeExtensions(proto *goja.Object, m func(string, dtMethod)) {
	for name, fn := range dateExtensions {
		if name == "plus" || name == "minus" {
			continue
		}
		fn := fn
		m(name, func(d *dateTime, call goja.FunctionCall) goja.Value {
			return fn(e, d, call.This, false, call.Arguments)
		})
	}
}

// CallDateExtension calls n8n's date extension name (beginningOf, format,
// diffTo, …) on recv, a DateTime or a JS Date, the way n8n's extend() does.
// ok is false when recv is neither or name is not a date extension. Like any
// goja native function it panics with a JS exception on bad arguments, so
// call it from inside a goja call.
func (e *Env) CallDateExtension(recv goja.Value, name string, args []goja.Value) (result goja.Value, ok bool) {
	fn, found := dateExtensions[name]
	if !found {
		return nil, false
	}
	if d := exportDT(recv); d != nil {
		return fn(e, d, recv, false, args), true
	}
	if o, isObj := recv.(*goja.Object); isObj && o.ClassName() == "Date" {
		return fn(e, e.fromJSDate(o, e.defZone), recv, true, args), true
	}
	return nil, false
}

// InstallDateExtensions adds n8n's date extension methods to Date.prototype
// (non-enumerable), for engines that dispatch extensions by prototype.
func (e *Env) InstallDateExtensions() error {
	date, ok := e.dateCtor.(*goja.Object)
	if !ok {
		return errors.New("luxon: Date is not an object")
	}
	proto, ok := date.Get("prototype").(*goja.Object)
	if !ok {
		return errors.New("luxon: Date.prototype missing")
	}
	for name, fn := range dateExtensions {
		fn := fn
		e.defineMethod(proto, name, func(call goja.FunctionCall) goja.Value {
			o, ok := call.This.(*goja.Object)
			if !ok || o.ClassName() != "Date" {
				e.throwTypeError("not a Date")
			}
			return fn(e, e.fromJSDate(o, e.defZone), call.This, true, call.Arguments)
		})
	}
	return nil
}

// StringToDateTime is n8n's string extension toDateTime(format?): with a
// format, "ms"/"s"/"us"/"excel" read the string as a number and anything else
// is a Luxon format (an unparsable string gives an invalid DateTime); without
// one, ParseToDateTime's rules apply and failure is an error.
func (e *Env) StringToDateTime(s, format string) (goja.Value, error) {
	switch format {
	case "":
		d, err := e.parseToDateTime(s)
		if err != nil {
			return nil, extensionError("cannot convert to Luxon DateTime")
		}
		return e.wrapDT(d), nil
	case "ms", "s", "us", "excel":
		return e.NumberToDateTime(jsToNumber(s), format)
	}
	d, err := e.fromFormat(s, format, e.defZone, false)
	if err != nil {
		return nil, extensionError("cannot convert to Luxon DateTime")
	}
	return e.wrapDT(d), nil
}

// NumberToDateTime is n8n's number extension toDateTime(format?): "ms"
// (default), "s", "us" or "excel" (days since 1900 with Excel's leap bug).
func (e *Env) NumberToDateTime(x float64, format string) (goja.Value, error) {
	var ms float64
	switch format {
	case "", "ms":
		ms = x
	case "s":
		ms = x * 1000
	case "us":
		ms = x / 1000
	case "excel":
		ms = (x - (25567 + 2)) * 86400 * 1000
	default:
		return nil, extensionError(fmt.Sprintf("Unsupported format '%s'. toDateTime() supports 'ms', 's', 'us' and 'excel'.", format))
	}
	if math.IsNaN(ms) {
		return e.wrapDT(invalidDT("invalid input", "")), nil
	}
	if ms < -maxDate || ms > maxDate {
		return e.wrapDT(invalidDT("Timestamp out of range", "")), nil
	}
	return e.wrapDT(makeDT(int64(math.Round(ms)), e.defZone)), nil
}

// jsToNumber is JavaScript's Number(string) for plain decimal strings.
func jsToNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		if n, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return float64(n)
		}
	}
	return nan
}

// parseToDateTime is n8n's tryToParseDateTime on a string: ISO (offset kept),
// HTTP, RFC 2822, SQL, then a Date.parse-like fallback, in the default zone.
func (e *Env) parseToDateTime(s string) (*dateTime, error) {
	s = strings.TrimSpace(s)
	for _, p := range []struct {
		parse  func(string) (parseResult, bool)
		format string
	}{{parseISO, "ISO 8601"}, {parseHTTP, "HTTP"}, {parseRFC2822, "RFC 2822"}, {parseSQL, "SQL"}} {
		d, err := e.fromParsed(s, p.parse, p.format, e.defZone, true)
		if err == nil && d.valid() {
			return d, nil
		}
	}
	if ms, ok := dateParse(s, e.defZone); ok {
		return makeDT(ms, e.defZone), nil
	}
	return nil, errors.New("value is not a valid date")
}

// ParseToDateTime parses s with n8n's rules for turning strings into dates
// (tryToParseDateTime): ISO 8601 (an explicit offset is kept in the result's
// location), HTTP dates, RFC 2822, SQL, and finally common Date.parse forms.
// Strings without an offset are read in zone (nil means UTC).
func ParseToDateTime(s string, zone *time.Location) (time.Time, error) {
	d, err := NewEnv(zone, nil).parseToDateTime(s)
	if err != nil {
		return time.Time{}, err
	}
	return d.time(), nil
}

// dateParseLayouts are forms V8's Date.parse accepts beyond ISO 8601.
var dateParseLayouts = []string{
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/01/02", "2006/1/2",
	"01/02/2006 15:04:05", "01/02/2006 15:04", "01/02/2006", "1/2/2006",
	"January 2, 2006 15:04:05", "January 2, 2006", "Jan 2, 2006 15:04:05", "Jan 2, 2006",
	"2 January 2006 15:04:05", "2 January 2006", "2 Jan 2006 15:04:05", "2 Jan 2006",
	"Mon Jan 2 2006 15:04:05 GMT-0700", "Mon Jan 2 2006 15:04:05", "Mon Jan 02 2006", "Jan 2 2006",
	"Mon, 2 Jan 2006 15:04:05 MST", "Mon, 02 Jan 2006 15:04:05 -0700",
}

// dateParse approximates Date.parse for non-ISO strings (local time = zone).
func dateParse(s string, z *zone) (int64, bool) {
	if i := strings.Index(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	for _, layout := range dateParseLayouts {
		if t, err := time.ParseInLocation(layout, s, z.location()); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}
