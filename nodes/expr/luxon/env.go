// Package luxon gives goja runtimes the Luxon 3 date library that n8n
// expressions use: the DateTime, Duration and Interval globals, and n8n's date
// extension methods (beginningOf, format, diffTo, …) on DateTimes and JS Dates.
//
// Everything is implemented in Go on goja objects; no JavaScript library is
// loaded. Semantics follow Luxon 3.4.4 (the version n8n 1.123 ships) with the
// en-US locale: the formats, week rules (ISO, weeks start on Monday), month-end
// clamping, DST handling and diff arithmetic are Luxon's, checked against real
// Luxon and n8n-workflow in testdata/oracle.json.
//
// A runtime gets the globals once with Install, which returns an Env; the
// expression engine keeps the Env next to its runtime, points it at the
// workflow's time zone with SetZone, and turns values back with IsDateTime
// and ToISO. String and number toDateTime() are StringToDateTime and
// NumberToDateTime; ParseToDateTime is the same string rule for Go callers.
//
// Differences from Luxon worth knowing:
//   - Only the en-US locale: setLocale/reconfigure are accepted and ignored.
//   - isWeekend is n8n's method dt.isWeekend(), not Luxon's getter.
//   - Timestamps are whole milliseconds (Luxon keeps fractions from fromMillis(1.5)).
//   - Time zone names in toLocaleString/ZZZZZ come from a table of common
//     zones; others fall back to ICU's "GMT+hh:mm" form.
//   - "local"/"system" zones are the host zone (time.Local), as Luxon's SystemZone.
//   - Not implemented: local-week units in set/fromObject, fromFormatExplain,
//     toLocaleParts (returns []), Interval.merge/xor/difference, custom Zone objects.
package luxon

import (
	"errors"
	"os"
	"reflect"
	"time"
	_ "time/tzdata" // IANA zones must not depend on the host's zoneinfo

	"github.com/dop251/goja"
)

// Env is the Luxon state of one goja runtime: its default zone, its clock and
// the prototypes of its DateTime, Duration and Interval objects. An Env made
// by NewEnv has no runtime and serves the Go DateTime API only. It is not
// safe for concurrent use, like the runtime itself.
type Env struct {
	rt      *goja.Runtime
	defZone *zone
	now     func() time.Time
	zones   zoneCache

	dtProto   *goja.Object
	durProto  *goja.Object
	ivProto   *goja.Object
	zoneProto *goja.Object
	dtCtor    *goja.Object
	durCtor   *goja.Object
	ivCtor    *goja.Object
	errorCtor goja.Value
	dateCtor  goja.Value

	fmtCache   map[string][]fmtToken
	parseCache map[string]*formatParser
}

// Install defines the globals DateTime, Duration and Interval in rt and returns
// the runtime's Env. zone is the workflow time zone, Luxon's default zone (nil
// means UTC); now is the clock behind DateTime.now() (nil means time.Now).
func Install(rt *goja.Runtime, zone *time.Location, now func() time.Time) (*Env, error) {
	if rt == nil {
		return nil, errors.New("luxon: nil runtime")
	}
	e := NewEnv(zone, now)
	e.rt = rt
	e.errorCtor = rt.Get("Error")
	e.dateCtor = rt.Get("Date")
	if e.errorCtor == nil || e.dateCtor == nil {
		return nil, errors.New("luxon: runtime lacks Error or Date")
	}
	e.zoneProto = e.buildZoneProto()
	e.dtProto, e.dtCtor = e.buildDateTime()
	e.durProto, e.durCtor = e.buildDuration()
	e.ivProto, e.ivCtor = e.buildInterval()
	for name, v := range map[string]*goja.Object{"DateTime": e.dtCtor, "Duration": e.durCtor, "Interval": e.ivCtor} {
		if err := rt.Set(name, v); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// NewEnv returns an Env without a JavaScript runtime, for Go callers of the
// DateTime API (see DateTimeOf): zone is Luxon's default zone (nil means UTC),
// now the clock (nil means time.Now). Install builds on it.
func NewEnv(zone *time.Location, now func() time.Time) *Env {
	e := &Env{
		zones:      zoneCache{},
		fmtCache:   map[string][]fmtToken{},
		parseCache: map[string]*formatParser{},
	}
	e.SetZone(zone)
	e.SetNow(now)
	return e
}

// SetZone changes the default zone (Luxon's Settings.defaultZone); nil is UTC.
// time.UTC gives Luxon's fixed "UTC" zone, which prints offsets as "Z".
func (e *Env) SetZone(loc *time.Location) {
	e.defZone = zoneForLocation(loc)
}

// SetNow changes the clock used by DateTime.now(), $now-style defaults and
// diffNow; nil means time.Now.
func (e *Env) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	e.now = now
}

// Zone returns the default zone as a Go location.
func (e *Env) Zone() *time.Location { return e.defZone.location() }

func (e *Env) nowMillis() int64 { return e.now().UnixMilli() }

// NewDateTime returns a DateTime for the instant t in the default zone, the
// way DateTime.fromJSDate would; $now is NewDateTime(now).
func (e *Env) NewDateTime(t time.Time) goja.Value {
	return e.wrapDT(makeDT(t.UnixMilli(), e.defZone))
}

// Now returns DateTime.now(): the clock's instant in the default zone.
func (e *Env) Now() goja.Value { return e.NewDateTime(e.now()) }

// Today returns n8n's $today: the start of the current day in the default zone.
func (e *Env) Today() goja.Value {
	return e.wrapDT(makeDT(e.nowMillis(), e.defZone).startOf(uDays))
}

// IsDateTime reports whether v is a DateTime created by this package and, if
// it is valid, its instant (in a location with the DateTime's offset rules).
// An invalid DateTime gives the zero time and true.
func IsDateTime(v goja.Value) (time.Time, bool) {
	d := exportDT(v)
	if d == nil {
		return time.Time{}, false
	}
	if !d.valid() {
		return time.Time{}, true
	}
	return d.time(), true
}

// ToISO returns what Luxon's toISO gives for v when v is a DateTime ("" and
// ok for an invalid one, whose toISO is null), or for a Duration; ok is false
// for other values. The engine uses it where n8n serialises a DateTime into
// item JSON.
func ToISO(v goja.Value) (iso string, ok bool) {
	if d := exportDT(v); d != nil {
		s, _ := d.toISO(isoOpts{})
		return s, true
	}
	if d := exportDur(v); d != nil {
		s, _ := d.toISO()
		return s, true
	}
	return "", false
}

var (
	jsDTType   = reflect.TypeOf((*jsDT)(nil))
	jsDurType  = reflect.TypeOf((*jsDur)(nil))
	jsIvType   = reflect.TypeOf((*jsIv)(nil))
	jsZoneType = reflect.TypeOf((*jsZone)(nil))
)

// exported returns the Go value behind a dynamic object of type typ. It checks
// ExportType first: exporting a plain object would copy it into a map.
func exported(v goja.Value, typ reflect.Type) any {
	o, ok := v.(*goja.Object)
	if !ok || o.ExportType() != typ {
		return nil
	}
	return o.Export()
}

func exportDT(v goja.Value) *dateTime {
	if j, ok := exported(v, jsDTType).(*jsDT); ok {
		return j.d
	}
	return nil
}

func exportDur(v goja.Value) *duration {
	if j, ok := exported(v, jsDurType).(*jsDur); ok {
		return j.d
	}
	return nil
}

func exportIv(v goja.Value) *interval {
	if j, ok := exported(v, jsIvType).(*jsIv); ok {
		return j.iv
	}
	return nil
}

func exportZone(v goja.Value) *zone {
	if j, ok := exported(v, jsZoneType).(*jsZone); ok {
		return j.z
	}
	return nil
}

// throw raises err as a JS Error in the runtime (goja's convention for native
// functions is to panic with the thrown value).
func (e *Env) throw(err error) {
	name, msg := "Error", err.Error()
	var le *luxonError
	if errors.As(err, &le) {
		name = le.name
	}
	ctor, _ := goja.AssertConstructor(e.errorCtor)
	if ctor == nil {
		panic(e.rt.NewGoError(err))
	}
	obj, cerr := ctor(nil, e.rt.ToValue(msg))
	if cerr != nil {
		panic(e.rt.NewGoError(err))
	}
	_ = obj.Set("name", name)
	panic(obj)
}

func (e *Env) throwTypeError(msg string) {
	panic(e.rt.NewTypeError(msg))
}

// resolveZone is Luxon's normalizeZone for a JS argument.
func (e *Env) resolveZone(v goja.Value) *zone {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return e.defZone
	}
	if z := exportZone(v); z != nil {
		return z
	}
	switch typeOf(v) {
	case "string":
		return e.zoneByName(v.String())
	case "number":
		return fixedZone(int(v.ToFloat() * 60))
	}
	return &zone{kind: zoneInvalid, name: v.String()}
}

// zoneByName resolves a zone name: "default", "local"/"system" (the host's
// zone, like Luxon's SystemZone), "utc"/"gmt", "UTC+2"-style offsets, IANA names.
func (e *Env) zoneByName(s string) *zone {
	switch lowerASCII(s) {
	case "default":
		return e.defZone
	case "local", "system":
		return systemZone()
	case "utc", "gmt":
		return utcZone
	}
	if off, ok := parseFixedSpecifier(s); ok {
		return fixedZone(off)
	}
	return e.zones.lookup(s)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// systemZone is Luxon's SystemZone: the host's zone, never "fixed".
func systemZone() *zone {
	name := time.Local.String()
	if name == "Local" || name == "" {
		name = os.Getenv("TZ")
		if name == "" {
			name = "UTC"
		}
	}
	return &zone{kind: zoneIANA, name: name, loc: time.Local}
}
