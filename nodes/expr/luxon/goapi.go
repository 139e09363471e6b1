package luxon

import (
	"time"
)

// DateTime is a Luxon DateTime for Go code: an instant seen in a zone, or an
// invalid value that carries Luxon's reason. It is immutable; every method
// returns a new value. It is the same implementation the JavaScript
// DateTime objects use, so the two give the same answers. A DateTime belongs
// to the Env that made it (whose caches, default zone and clock it uses) and,
// like the Env, is not safe for concurrent use.
type DateTime struct {
	e *Env
	d *dateTime
}

// DateTimeOf returns the DateTime for the instant t in t's location, as the
// expression engine hands DateTimes over (time.UTC is Luxon's fixed "UTC"
// zone, "UTC+2"-named fixed zones are fixed zones, other locations IANA zones).
func (e *Env) DateTimeOf(t time.Time) DateTime {
	return DateTime{e, makeDT(t.UnixMilli(), zoneForLocation(t.Location()))}
}

// FromMillis is DateTime.fromMillis(ms) in the default zone: invalid for NaN
// or an instant out of Luxon's range.
func (e *Env) FromMillis(ms float64) DateTime {
	return DateTime{e, fromMillis(ms, e.defZone)}
}

// NowDateTime is DateTime.now(): the clock's instant in the default zone.
func (e *Env) NowDateTime() DateTime {
	return DateTime{e, makeDT(e.nowMillis(), e.defZone)}
}

// FromFormat is DateTime.fromFormat(text, format) in the default zone (en-US
// names): an unparsable text gives an invalid DateTime; the error is what
// Luxon throws for a contradictory format (a meridiem with 24-hour tokens,
// week and calendar units mixed).
func (e *Env) FromFormat(text, format string) (DateTime, error) {
	d, err := e.fromFormat(text, format, e.defZone, false)
	if err != nil {
		return DateTime{}, err
	}
	return DateTime{e, d}, nil
}

// Invalid is DateTime.invalid(reason, explanation).
func (e *Env) Invalid(reason, explanation string) DateTime {
	return DateTime{e, invalidDT(reason, explanation)}
}

// Valid reports whether d is a valid DateTime (Luxon's isValid).
func (d DateTime) Valid() bool { return d.d != nil && d.d.valid() }

// InvalidReason is Luxon's invalidReason: "" for a valid DateTime.
func (d DateTime) InvalidReason() string {
	if d.d == nil {
		return "invalid input"
	}
	if d.d.valid() {
		return ""
	}
	return d.d.inv.reason
}

// Time returns the instant in a location with the DateTime's offset rules;
// ok is false for an invalid DateTime.
func (d DateTime) Time() (t time.Time, ok bool) {
	if !d.Valid() {
		return time.Time{}, false
	}
	return d.d.time(), true
}

// String is Luxon's toString: the ISO 8601 form, or "Invalid DateTime".
func (d DateTime) String() string {
	if d.d == nil {
		return "Invalid DateTime"
	}
	return d.d.String()
}

// Format is Luxon's toFormat with en-US names ("Invalid DateTime" for an
// invalid DateTime).
func (d DateTime) Format(format string) string {
	if d.d == nil {
		return "Invalid DateTime"
	}
	return d.e.toFormat(d.d, format)
}

// SetZone is Luxon's setZone(name): "utc"/"gmt", "UTC+2"-style offsets,
// IANA names, "default" (the Env's default zone) and "local"/"system" (the
// host's zone). A name Luxon cannot resolve gives an invalid DateTime with the
// reason "unsupported zone"; an invalid DateTime stays as it is otherwise.
func (d DateTime) SetZone(name string) DateTime {
	if d.d == nil {
		return d
	}
	return DateTime{d.e, d.d.setZone(d.e.zoneByName(name), false)}
}

// Plus is Luxon's plus({[unit]: amount}): calendar units (years, quarters,
// months, weeks, days) move the wall clock, clamping the day to the month's
// length, and time units move the instant. unit is singular or plural, in
// any case; an unknown unit is Luxon's InvalidUnitError. An invalid DateTime
// is returned unchanged, before the unit is looked at, as in Luxon.
func (d DateTime) Plus(amount float64, unit string) (DateTime, error) {
	return d.withUnit(unit, func(x *dateTime, u durUnit) *dateTime {
		var dur duration
		dur.vals.set(u, amount)
		return x.plus(&dur)
	})
}

// Minus is Luxon's minus({[unit]: amount}), Plus of -amount.
func (d DateTime) Minus(amount float64, unit string) (DateTime, error) {
	return d.Plus(-amount, unit)
}

// StartOf is Luxon's startOf(unit) (weeks start on Monday); an unknown unit
// is an InvalidUnitError, and an invalid DateTime is returned unchanged.
func (d DateTime) StartOf(unit string) (DateTime, error) {
	return d.withUnit(unit, (*dateTime).startOf)
}

// EndOf is Luxon's endOf(unit): the last millisecond of the unit.
func (d DateTime) EndOf(unit string) (DateTime, error) {
	return d.withUnit(unit, (*dateTime).endOf)
}

// withUnit applies f with a duration unit: an invalid DateTime is returned
// as it is, before the unit is read, as Luxon's methods do.
func (d DateTime) withUnit(unit string, f func(*dateTime, durUnit) *dateTime) (DateTime, error) {
	if !d.Valid() {
		return d, nil
	}
	u, err := parseDurUnit(unit)
	if err != nil {
		return d, err
	}
	return DateTime{d.e, f(d.d, u)}, nil
}

// Get is Luxon's get(name) for the whole-number getters: year, quarter,
// month, day, hour, minute, second, millisecond, ordinal, weekday,
// weekNumber, weekYear, weeksInWeekYear, daysInYear and the locale-week
// ones. ok is false for other names and for an invalid DateTime (where
// Luxon answers NaN).
func (d DateTime) Get(name string) (x float64, ok bool) {
	if !d.Valid() {
		return 0, false
	}
	n, ok := d.d.getter(name)
	return float64(n), ok
}

// Diff is Luxon's diff(other, units): d minus other, in the given units
// (singular or plural). An invalid side gives an invalid Duration, before
// the units are looked at, as in Luxon; an unknown unit is an
// InvalidUnitError, and so is an empty list (Luxon's diff(other, []) fails
// with "Invalid unit undefined").
func (d DateTime) Diff(other DateTime, units ...string) (Duration, error) {
	if !d.Valid() || !other.Valid() {
		return Duration{invalidDuration("created by diffing an invalid DateTime", "")}, nil
	}
	if len(units) == 0 {
		return Duration{}, invalidUnitError("undefined")
	}
	us := make([]durUnit, len(units))
	for i, s := range units {
		u, err := parseDurUnit(s)
		if err != nil {
			return Duration{}, err
		}
		us[i] = u
	}
	return Duration{d.d.diff(other.d, us, false)}, nil
}

// NormalizeUnit is Luxon's Duration.normalizeUnit: the plural name of a
// duration unit given singular or plural in any case ("Day" is "days"), or
// an InvalidUnitError.
func NormalizeUnit(unit string) (string, error) {
	u, err := parseDurUnit(unit)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Duration is a Luxon Duration for Go code.
type Duration struct{ d *duration }

// Valid reports whether the Duration is valid.
func (d Duration) Valid() bool { return d.d != nil && d.d.valid() }

// ISO is Luxon's toISO (and toString); ok is false for an invalid Duration,
// whose toISO is null.
func (d Duration) ISO() (iso string, ok bool) {
	if d.d == nil {
		return "", false
	}
	return d.d.toISO()
}

// Object is Luxon's toObject: the value of each unit the Duration holds,
// keyed by plural unit name; empty for an invalid Duration.
func (d Duration) Object() map[string]float64 {
	out := map[string]float64{}
	if !d.Valid() {
		return out
	}
	for _, k := range d.d.vals.keys() {
		out[k.String()] = d.d.vals.v[k]
	}
	return out
}
