package luxon

import (
	"math"
	"strings"
	"time"
)

// dateTime is Luxon's DateTime: an instant (epoch milliseconds) seen in a zone.
// It is immutable; every operation returns a new value.
type dateTime struct {
	ts  int64
	z   *zone
	o   int   // offset at ts, seconds east of UTC
	c   civil // wall-clock fields at ts in z
	inv *invalidInfo

	week [3]int // ISO weekYear, weekNumber, weekday; weekday 0 = not computed yet
}

// makeDT builds a DateTime for instant ts in zone z (Luxon's constructor).
func makeDT(ts int64, z *zone) *dateTime {
	if !z.valid() {
		return invalidDT("unsupported zone", `the zone "`+z.name+`" is not supported`)
	}
	if ts > maxDate || ts < -maxDate {
		return invalidDT("invalid input", "")
	}
	o := z.offsetAt(ts)
	local := ts + int64(o)*msPerSecond
	if local > maxDate || local < -maxDate {
		return invalidDT("invalid input", "")
	}
	return &dateTime{ts: ts, z: z, o: o, c: civilFromLocal(local)}
}

// fromMillis is Luxon's DateTime.fromMillis for a number ms.
func fromMillis(ms float64, z *zone) *dateTime {
	if ms < -maxDate || ms > maxDate {
		return invalidDT("Timestamp out of range", "")
	}
	if math.IsNaN(ms) {
		return invalidDT("invalid input", "")
	}
	return makeDT(int64(ms), z)
}

// invalidDT is Luxon's DateTime.invalid.
func invalidDT(reason, explanation string) *dateTime {
	return &dateTime{z: utcZone, inv: &invalidInfo{reason: reason, explanation: explanation}}
}

func (d *dateTime) valid() bool { return d.inv == nil }

// weekData returns the ISO week year, week number and weekday, computing them once.
func (d *dateTime) weekData() (weekYear, weekNumber, weekday int) {
	if d.week[2] == 0 {
		d.week[0], d.week[1], d.week[2] = isoWeek(d.c.year, d.c.month, d.c.day)
	}
	return d.week[0], d.week[1], d.week[2]
}

// intGetters are Luxon's whole-number DateTime getters.
var intGetters = map[string]bool{
	"year": true, "month": true, "day": true, "hour": true, "minute": true, "second": true,
	"millisecond": true, "quarter": true, "ordinal": true, "daysInYear": true, "weekday": true,
	"weekNumber": true, "weekYear": true, "weeksInWeekYear": true, "localWeekday": true,
	"localWeekNumber": true, "localWeekYear": true,
}

// getter is the value of one of Luxon's whole-number getters (year, month,
// weekNumber, ordinal, …); ok is false for any other name. An invalid
// DateTime answers 0 and ok, where Luxon answers NaN.
func (d *dateTime) getter(key string) (x int, ok bool) {
	if !intGetters[key] || !d.valid() {
		return 0, intGetters[key]
	}
	c := d.c
	switch key {
	case "year":
		return c.year, true
	case "month":
		return c.month, true
	case "day":
		return c.day, true
	case "hour":
		return c.hour, true
	case "minute":
		return c.minute, true
	case "second":
		return c.second, true
	case "millisecond":
		return c.millisecond, true
	case "quarter":
		return (c.month + 2) / 3, true
	case "ordinal":
		return ordinalOf(c.year, c.month, c.day), true
	case "daysInYear":
		return daysInYear(c.year), true
	case "localWeekday", "localWeekNumber", "localWeekYear":
		wy, wn, wd := localWeek(c.year, c.month, c.day)
		switch key {
		case "localWeekday":
			return wd, true
		case "localWeekNumber":
			return wn, true
		}
		return wy, true
	}
	wy, wn, wd := d.weekData()
	switch key {
	case "weekday":
		return wd, true
	case "weekNumber":
		return wn, true
	case "weekYear":
		return wy, true
	}
	return weeksInWeekYear(wy), true
}

// time returns the instant as a Go time in an equivalent location.
func (d *dateTime) time() time.Time {
	return time.UnixMilli(d.ts).In(d.z.location())
}

// fixOffset finds the offset for a local time in z; o is the guess, which
// decides ambiguous wall times (Luxon's fixOffset).
func fixOffset(local int64, o int, z *zone) (int64, int) {
	utcGuess := local - int64(o)*msPerSecond
	o2 := z.offsetAt(utcGuess)
	if o == o2 {
		return utcGuess, o
	}
	utcGuess -= int64(o2-o) * msPerSecond
	o3 := z.offsetAt(utcGuess)
	if o2 == o3 {
		return utcGuess, o2
	}
	return local - int64(min(o2, o3))*msPerSecond, max(o2, o3)
}

// dtUnit indexes the units a DateTime can be built from or set.
type dtUnit int8

const (
	dYear dtUnit = iota
	dMonth
	dDay
	dOrdinal
	dWeekYear
	dWeekNumber
	dWeekday
	dHour
	dMinute
	dSecond
	dMillisecond
	dQuarter
	numDTUnits
)

// parseDTUnit is Luxon's DateTime normalizeUnit.
func parseDTUnit(s string) (dtUnit, error) {
	switch strings.ToLower(s) {
	case "year", "years":
		return dYear, nil
	case "month", "months":
		return dMonth, nil
	case "day", "days":
		return dDay, nil
	case "hour", "hours":
		return dHour, nil
	case "minute", "minutes":
		return dMinute, nil
	case "quarter", "quarters":
		return dQuarter, nil
	case "second", "seconds":
		return dSecond, nil
	case "millisecond", "milliseconds":
		return dMillisecond, nil
	case "weekday", "weekdays":
		return dWeekday, nil
	case "weeknumber", "weeksnumber", "weeknumbers":
		return dWeekNumber, nil
	case "weekyear", "weekyears":
		return dWeekYear, nil
	case "ordinal":
		return dOrdinal, nil
	}
	return 0, invalidUnitError(s)
}

// dtUnits is a set of DateTime unit values (Luxon's normalized object).
type dtUnits struct {
	has uint16
	v   [numDTUnits]float64
}

func (u *dtUnits) set(k dtUnit, x float64) { u.has |= 1 << k; u.v[k] = x }
func (u *dtUnits) isSet(k dtUnit) bool     { return u.has&(1<<k) != 0 }
func (u *dtUnits) empty() bool             { return u.has == 0 }

// truthy is JS truthiness of a set unit value.
func (u *dtUnits) truthy(k dtUnit) bool { return u.isSet(k) && u.v[k] != 0 && !math.IsNaN(u.v[k]) }

func unitOutOfRange(unit string, v float64) *invalidInfo {
	return &invalidInfo{
		reason:      "unit out of range",
		explanation: "you specified " + jsNumber(v) + " (of type number) as a " + unit + ", which is invalid",
	}
}

func integerBetween(x float64, lo, hi int) bool {
	return isInteger(x) && x >= float64(lo) && x <= float64(hi)
}

func invalidGregorian(u *dtUnits) *invalidInfo {
	y, m, d := u.v[dYear], u.v[dMonth], u.v[dDay]
	switch {
	case !isInteger(y):
		return unitOutOfRange("year", y)
	case !integerBetween(m, 1, 12):
		return unitOutOfRange("month", m)
	case !integerBetween(d, 1, daysInMonth(int(y), int(m))):
		return unitOutOfRange("day", d)
	}
	return nil
}

func invalidWeek(u *dtUnits) *invalidInfo {
	wy, wn, wd := u.v[dWeekYear], u.v[dWeekNumber], u.v[dWeekday]
	switch {
	case !isInteger(wy):
		return unitOutOfRange("weekYear", wy)
	case !integerBetween(wn, 1, weeksInWeekYear(int(wy))):
		return unitOutOfRange("week", wn)
	case !integerBetween(wd, 1, 7):
		return unitOutOfRange("weekday", wd)
	}
	return nil
}

func invalidOrdinal(u *dtUnits) *invalidInfo {
	y, o := u.v[dYear], u.v[dOrdinal]
	switch {
	case !isInteger(y):
		return unitOutOfRange("year", y)
	case !integerBetween(o, 1, daysInYear(int(y))):
		return unitOutOfRange("ordinal", o)
	}
	return nil
}

func invalidTime(u *dtUnits) *invalidInfo {
	h, mi, s, ms := u.v[dHour], u.v[dMinute], u.v[dSecond], u.v[dMillisecond]
	validHour := integerBetween(h, 0, 23) || (h == 24 && mi == 0 && s == 0 && ms == 0)
	switch {
	case !validHour:
		return unitOutOfRange("hour", h)
	case !integerBetween(mi, 0, 59):
		return unitOutOfRange("minute", mi)
	case !integerBetween(s, 0, 59):
		return unitOutOfRange("second", s)
	case !integerBetween(ms, 0, 999):
		return unitOutOfRange("millisecond", ms)
	}
	return nil
}

var (
	gregorianOrder = []dtUnit{dYear, dMonth, dDay, dHour, dMinute, dSecond, dMillisecond}
	weekOrder      = []dtUnit{dWeekYear, dWeekNumber, dWeekday, dHour, dMinute, dSecond, dMillisecond}
	ordinalOrder   = []dtUnit{dYear, dOrdinal, dHour, dMinute, dSecond, dMillisecond}
)

func defaultUnitValue(k dtUnit) float64 {
	switch k {
	case dMonth, dDay, dWeekNumber, dWeekday, dOrdinal:
		return 1
	}
	return 0
}

// gregorianLocal turns gregorian/week/ordinal units into a local timestamp.
func unitsLocal(u *dtUnits, useWeek, useOrdinal bool) int64 {
	t := func(k dtUnit) int64 { return jsTrunc(u.v[k]) }
	var y, m, d int64
	switch {
	case useWeek:
		yy, mm, dd := dateFromISOWeek(int(t(dWeekYear)), int(t(dWeekNumber)), int(t(dWeekday)))
		y, m, d = int64(yy), int64(mm), int64(dd)
	case useOrdinal:
		y, m, d = t(dYear), 1, t(dOrdinal)
	default:
		y, m, d = t(dYear), t(dMonth), t(dDay)
	}
	return localMillis(y, m, d, t(dHour), t(dMinute), t(dSecond), t(dMillisecond))
}

// fromObject is Luxon's DateTime.fromObject; units missing above the largest
// given one come from now, those below default to their minimum. specific,
// when not nil, is a parsed offset (seconds) used as the offset guess.
func (e *Env) fromObject(u *dtUnits, z *zone, specific *int) (*dateTime, error) {
	if !z.valid() {
		return invalidDT("unsupported zone", `the zone "`+z.name+`" is not supported`), nil
	}
	tsNow := e.nowMillis()
	offsetProvis := 0
	if specific != nil {
		offsetProvis = *specific
	} else {
		offsetProvis = z.offsetAt(tsNow)
	}
	containsOrdinal := u.isSet(dOrdinal)
	containsGregorYear := u.isSet(dYear)
	containsGregorMD := u.isSet(dMonth) || u.isSet(dDay)
	containsGregor := containsGregorYear || containsGregorMD
	definiteWeekDef := u.truthy(dWeekYear) || u.truthy(dWeekNumber)
	if (containsGregor || containsOrdinal) && definiteWeekDef {
		return nil, conflictError("Can't mix weekYear/weekNumber units with year/month/day or ordinals")
	}
	if containsGregorMD && containsOrdinal {
		return nil, conflictError("Can't mix ordinal dates with month/day")
	}
	useWeek := definiteWeekDef || (u.truthy(dWeekday) && !containsGregor)

	nowC := civilFromLocal(tsNow + int64(offsetProvis)*msPerSecond)
	var now dtUnits
	now.set(dYear, float64(nowC.year))
	now.set(dMonth, float64(nowC.month))
	now.set(dDay, float64(nowC.day))
	now.set(dHour, float64(nowC.hour))
	now.set(dMinute, float64(nowC.minute))
	now.set(dSecond, float64(nowC.second))
	now.set(dMillisecond, float64(nowC.millisecond))
	order := gregorianOrder
	switch {
	case useWeek:
		order = weekOrder
		wy, wn, wd := isoWeek(nowC.year, nowC.month, nowC.day)
		now.set(dWeekYear, float64(wy))
		now.set(dWeekNumber, float64(wn))
		now.set(dWeekday, float64(wd))
	case containsOrdinal:
		order = ordinalOrder
		now.set(dOrdinal, float64(ordinalOf(nowC.year, nowC.month, nowC.day)))
	}
	n := *u
	foundFirst := false
	for _, k := range order {
		switch {
		case n.isSet(k):
			foundFirst = true
		case foundFirst:
			n.set(k, defaultUnitValue(k))
		default:
			n.set(k, now.v[k])
		}
	}
	var inv *invalidInfo
	switch {
	case useWeek:
		inv = invalidWeek(&n)
	case containsOrdinal:
		inv = invalidOrdinal(&n)
	default:
		inv = invalidGregorian(&n)
	}
	if inv == nil {
		inv = invalidTime(&n)
	}
	if inv != nil {
		return &dateTime{z: utcZone, inv: inv}, nil
	}
	local := unitsLocal(&n, useWeek, !useWeek && containsOrdinal)
	ts, _ := fixOffset(local, offsetProvis, z)
	dt := makeDT(ts, z)
	if !dt.valid() {
		return dt, nil
	}
	if n.truthy(dWeekday) && containsGregor {
		if _, _, wd := dt.weekData(); float64(wd) != n.v[dWeekday] {
			iso, _ := dt.toISO(isoOpts{})
			return invalidDT("mismatched weekday",
				"you can't specify both a weekday of "+jsNumber(n.v[dWeekday])+" and a date of "+iso), nil
		}
	}
	return dt, nil
}

// set is Luxon's DateTime#set.
func (d *dateTime) set(u *dtUnits) (*dateTime, error) {
	if !d.valid() {
		return d, nil
	}
	settingWeek := u.isSet(dWeekYear) || u.isSet(dWeekNumber) || u.isSet(dWeekday)
	containsOrdinal := u.isSet(dOrdinal)
	containsGregor := u.isSet(dYear) || u.isSet(dMonth) || u.isSet(dDay)
	containsGregorMD := u.isSet(dMonth) || u.isSet(dDay)
	definiteWeekDef := u.truthy(dWeekYear) || u.truthy(dWeekNumber)
	if (containsGregor || containsOrdinal) && definiteWeekDef {
		return nil, conflictError("Can't mix weekYear/weekNumber units with year/month/day or ordinals")
	}
	if containsGregorMD && containsOrdinal {
		return nil, conflictError("Can't mix ordinal dates with month/day")
	}
	var mixed dtUnits
	mixed.set(dHour, float64(d.c.hour))
	mixed.set(dMinute, float64(d.c.minute))
	mixed.set(dSecond, float64(d.c.second))
	mixed.set(dMillisecond, float64(d.c.millisecond))
	var local int64
	switch {
	case settingWeek:
		wy, wn, wd := d.weekData()
		mixed.set(dWeekYear, float64(wy))
		mixed.set(dWeekNumber, float64(wn))
		mixed.set(dWeekday, float64(wd))
		overlay(&mixed, u)
		t := func(k dtUnit) int { return int(jsTrunc(mixed.v[k])) }
		// Luxon computes an ordinal from the week fields and lets Date.UTC roll it over.
		jan4 := isoWeekday(t(dWeekYear), 1, 4)
		wy2 := t(dWeekYear)
		ordinal := t(dWeekNumber)*7 + t(dWeekday) - jan4 - 3
		y := wy2
		if ordinal < 1 {
			y = wy2 - 1
			ordinal += daysInYear(y)
		} else if ordinal > daysInYear(wy2) {
			y = wy2 + 1
			ordinal -= daysInYear(wy2)
		}
		local = localMillis(int64(y), 1, int64(ordinal), jsTrunc(mixed.v[dHour]), jsTrunc(mixed.v[dMinute]),
			jsTrunc(mixed.v[dSecond]), jsTrunc(mixed.v[dMillisecond]))
	case containsOrdinal:
		mixed.set(dYear, float64(d.c.year))
		mixed.set(dOrdinal, float64(ordinalOf(d.c.year, d.c.month, d.c.day)))
		overlay(&mixed, u)
		local = unitsLocal(&mixed, false, true)
	default:
		mixed.set(dYear, float64(d.c.year))
		mixed.set(dMonth, float64(d.c.month))
		mixed.set(dDay, float64(d.c.day))
		overlay(&mixed, u)
		if !u.isSet(dDay) {
			dim := float64(daysInMonth(int(jsTrunc(mixed.v[dYear])), int(jsTrunc(mixed.v[dMonth]))))
			mixed.v[dDay] = math.Min(dim, mixed.v[dDay])
		}
		local = unitsLocal(&mixed, false, false)
	}
	ts, _ := fixOffset(local, d.o, d.z)
	return d.withTS(ts), nil
}

func overlay(dst, src *dtUnits) {
	for k := dtUnit(0); k < numDTUnits; k++ {
		if src.isSet(k) && k != dQuarter {
			dst.set(k, src.v[k])
		}
	}
}

// withTS is Luxon's clone with a new timestamp in the same zone.
func (d *dateTime) withTS(ts int64) *dateTime {
	if ts == d.ts {
		return d
	}
	return makeDT(ts, d.z)
}

// durationFromObject is what Luxon's adjustTime builds for the fractional
// parts of a duration; casual matrix, all units present.
func fractionMillis(dur *duration) float64 {
	var f duration
	g := dur.vals.get
	f.vals.set(uYears, g(uYears)-math.Trunc(g(uYears)))
	f.vals.set(uQuarters, g(uQuarters)-math.Trunc(g(uQuarters)))
	f.vals.set(uMonths, g(uMonths)-math.Trunc(g(uMonths)))
	f.vals.set(uWeeks, g(uWeeks)-math.Trunc(g(uWeeks)))
	f.vals.set(uDays, g(uDays)-math.Trunc(g(uDays)))
	f.vals.set(uHours, g(uHours))
	f.vals.set(uMinutes, g(uMinutes))
	f.vals.set(uSeconds, g(uSeconds))
	f.vals.set(uMilliseconds, g(uMilliseconds))
	return f.as(uMilliseconds)
}

// plus is Luxon's DateTime#plus (adjustTime): calendar units move the wall
// clock (clamping the day to the month's end), time units move the instant.
func (d *dateTime) plus(dur *duration) *dateTime {
	if !d.valid() {
		return d
	}
	if !dur.valid() {
		return invalidDT("invalid input", "")
	}
	g := dur.vals.get
	year := int64(d.c.year) + jsTrunc(g(uYears))
	month := int64(d.c.month) + jsTrunc(g(uMonths)) + jsTrunc(g(uQuarters))*3
	day := int64(min(d.c.day, daysInMonth(int(year), int(month)))) + jsTrunc(g(uDays)) + jsTrunc(g(uWeeks))*7
	millisToAdd := fractionMillis(dur)
	local := localMillis(year, month, day, int64(d.c.hour), int64(d.c.minute), int64(d.c.second), int64(d.c.millisecond))
	ts, _ := fixOffset(local, d.o, d.z)
	if millisToAdd != 0 {
		if math.IsNaN(millisToAdd) || math.Abs(millisToAdd) > 2*maxDate {
			return invalidDT("invalid input", "")
		}
		ts += int64(millisToAdd)
	}
	return d.withTS(ts)
}

// minus is plus of the negated duration.
func (d *dateTime) minus(dur *duration) *dateTime { return d.plus(dur.negate()) }

// startOf is Luxon's DateTime#startOf; weeks start on Monday.
func (d *dateTime) startOf(u durUnit) *dateTime {
	if !d.valid() {
		return d
	}
	var o dtUnits
	switch u {
	case uYears:
		o.set(dMonth, 1)
		fallthrough
	case uQuarters, uMonths:
		o.set(dDay, 1)
		fallthrough
	case uWeeks, uDays:
		o.set(dHour, 0)
		fallthrough
	case uHours:
		o.set(dMinute, 0)
		fallthrough
	case uMinutes:
		o.set(dSecond, 0)
		fallthrough
	case uSeconds:
		o.set(dMillisecond, 0)
	}
	if u == uWeeks {
		o.set(dWeekday, 1)
	}
	if u == uQuarters {
		q := (d.c.month + 2) / 3
		o.set(dMonth, float64((q-1)*3+1))
	}
	r, _ := d.set(&o) // these combinations never conflict
	return r
}

// endOf is Luxon's DateTime#endOf: one unit later, its start, minus 1 ms.
func (d *dateTime) endOf(u durUnit) *dateTime {
	if !d.valid() {
		return d
	}
	var one duration
	one.vals.set(u, 1)
	return d.plus(&one).startOf(u).plus(durationFromMillis(-1))
}

// setZone is Luxon's DateTime#setZone.
func (d *dateTime) setZone(z *zone, keepLocalTime bool) *dateTime {
	if z.equals(d.z) {
		return d
	}
	if !z.valid() {
		return invalidDT("unsupported zone", `the zone "`+z.name+`" is not supported`)
	}
	if !d.valid() {
		return d
	}
	ts := d.ts
	if keepLocalTime {
		ts, _ = fixOffset(d.c.localMillis(), z.offsetAt(d.ts), z)
	}
	return makeDT(ts, z)
}

// isInDST is Luxon's DateTime#isInDST.
func (d *dateTime) isInDST() bool {
	if !d.valid() || d.z.universal() {
		return false
	}
	var jan, may dtUnits
	jan.set(dMonth, 1)
	jan.set(dDay, 1)
	may.set(dMonth, 5)
	a, _ := d.set(&jan)
	b, _ := d.set(&may)
	return d.o > a.o || d.o > b.o
}

// hasSame is Luxon's DateTime#hasSame.
func (d *dateTime) hasSame(other *dateTime, u durUnit) bool {
	if !d.valid() || !other.valid() {
		return false
	}
	adj := d.setZone(other.z, true)
	return adj.startOf(u).ts <= other.ts && other.ts <= adj.endOf(u).ts
}

// equals is Luxon's DateTime#equals (same instant, same zone).
func (d *dateTime) equals(o *dateTime) bool {
	return d.valid() && o.valid() && d.ts == o.ts && d.z.equals(o.z)
}

// dayStart is the local day number, used by Luxon's dayDiff.
func (d *dateTime) dayNumber() int64 {
	return daysFromCivil(int64(d.c.year), int64(d.c.month), int64(d.c.day))
}

// diff is Luxon's DateTime#diff: d minus other in the given units.
func (d *dateTime) diff(other *dateTime, units []durUnit, longterm bool) *duration {
	if !d.valid() || !other.valid() {
		return invalidDuration("created by diffing an invalid DateTime", "")
	}
	otherIsLater := other.ts > d.ts
	earlier, later := other, d
	if otherIsLater {
		earlier, later = d, other
	}
	r := diffDates(earlier, later, units, longterm)
	if otherIsLater {
		return r.negate()
	}
	return r
}

func containsUnit(units []durUnit, u durUnit) bool {
	for _, x := range units {
		if x == u {
			return true
		}
	}
	return false
}

// diffDates is Luxon's impl/diff.js.
func diffDates(earlier, later *dateTime, units []durUnit, longterm bool) *duration {
	results := &duration{longterm: longterm}
	cursor := earlier
	var highWater *dateTime
	lowestOrder := durUnit(-1)
	plusResults := func() *dateTime {
		return earlier.plus(&duration{vals: results.vals})
	}
	dayDiff := func(a, b *dateTime) float64 { return float64(b.dayNumber() - a.dayNumber()) }
	for _, u := range []durUnit{uYears, uQuarters, uMonths, uWeeks, uDays} {
		if !containsUnit(units, u) {
			continue
		}
		lowestOrder = u
		var n float64
		switch u {
		case uYears:
			n = float64(later.c.year - cursor.c.year)
		case uQuarters:
			n = float64((later.c.month+2)/3-(cursor.c.month+2)/3) + float64(later.c.year-cursor.c.year)*4
		case uMonths:
			n = float64(later.c.month-cursor.c.month) + float64(later.c.year-cursor.c.year)*12
		case uWeeks:
			days := dayDiff(cursor, later)
			n = (days - math.Mod(days, 7)) / 7
		case uDays:
			n = dayDiff(cursor, later)
		}
		results.vals.set(u, n)
		highWater = plusResults()
		if highWater.ts > later.ts {
			results.vals.v[u]--
			cursor = plusResults()
			if cursor.ts > later.ts {
				highWater = cursor
				results.vals.v[u]--
				cursor = plusResults()
			}
		} else {
			cursor = highWater
		}
	}
	remaining := float64(later.ts - cursor.ts)
	var lower []durUnit
	for _, u := range units {
		if u >= uHours {
			lower = append(lower, u)
		}
	}
	if len(lower) == 0 {
		if highWater != nil && highWater.ts < later.ts {
			var one duration
			one.vals.set(lowestOrder, 1)
			highWater = cursor.plus(&one)
		}
		if highWater != nil && highWater != cursor {
			results.vals.set(lowestOrder, results.vals.get(lowestOrder)+remaining/float64(highWater.ts-cursor.ts))
		}
	}
	if len(lower) > 0 {
		return durationFromMillis(remaining).shiftTo(lower...).plus(results)
	}
	return results
}

// isoOpts are the options of toISO / toISOTime.
type isoOpts struct {
	basic                bool
	suppressSeconds      bool
	suppressMilliseconds bool
	excludeOffset        bool
	extendedZone         bool
	includePrefix        bool
}

func (d *dateTime) appendISODate(b []byte, extended bool) []byte {
	y := d.c.year
	long := y > 9999 || y < 0
	if long && y >= 0 {
		b = append(b, '+')
	}
	if long {
		b = appendPadded(b, y, 6)
	} else {
		b = appendPadded(b, y, 4)
	}
	if extended {
		b = append(b, '-')
	}
	b = appendPadded(b, d.c.month, 2)
	if extended {
		b = append(b, '-')
	}
	return appendPadded(b, d.c.day, 2)
}

func (d *dateTime) appendISOTime(b []byte, o isoOpts) []byte {
	ext := !o.basic
	c := d.c
	b = appendPadded(b, c.hour, 2)
	showSec := c.millisecond != 0 || c.second != 0 || !o.suppressSeconds
	if ext {
		b = append(b, ':')
		b = appendPadded(b, c.minute, 2)
		if showSec {
			b = append(b, ':')
		}
	} else {
		b = appendPadded(b, c.minute, 2)
	}
	if showSec {
		b = appendPadded(b, c.second, 2)
		if c.millisecond != 0 || !o.suppressMilliseconds {
			b = append(b, '.')
			b = appendPadded(b, c.millisecond, 3)
		}
	}
	if !o.excludeOffset {
		switch {
		case d.z.universal() && d.o == 0 && !o.extendedZone:
			b = append(b, 'Z')
		default:
			off := d.o
			if off < 0 {
				b = append(b, '-')
				off = -off
			} else {
				b = append(b, '+')
			}
			b = appendPadded(b, off/3600, 2)
			b = append(b, ':')
			b = appendPadded(b, off%3600/60, 2)
		}
	}
	if o.extendedZone {
		b = append(b, '[')
		b = append(b, d.z.ianaName()...)
		b = append(b, ']')
	}
	return b
}

// ianaName is Luxon's zone.ianaName.
func (z *zone) ianaName() string {
	if z.kind == zoneFixed {
		if z.fixed == 0 {
			return "Etc/UTC"
		}
		return "Etc/GMT" + formatOffset(-z.fixed, offsetNarrow)
	}
	return z.name
}

// toISO is Luxon's DateTime#toISO; ok is false for an invalid DateTime (null).
func (d *dateTime) toISO(o isoOpts) (string, bool) {
	if !d.valid() {
		return "", false
	}
	var buf [40]byte
	b := d.appendISODate(buf[:0], !o.basic)
	b = append(b, 'T')
	b = d.appendISOTime(b, o)
	return string(b), true
}

// toISODate is Luxon's DateTime#toISODate.
func (d *dateTime) toISODate(basic bool) (string, bool) {
	if !d.valid() {
		return "", false
	}
	var buf [16]byte
	return string(d.appendISODate(buf[:0], !basic)), true
}

// toISOTime is Luxon's DateTime#toISOTime.
func (d *dateTime) toISOTime(o isoOpts) (string, bool) {
	if !d.valid() {
		return "", false
	}
	var buf [40]byte
	b := buf[:0]
	if o.includePrefix {
		b = append(b, 'T')
	}
	return string(d.appendISOTime(b, o)), true
}

// String is Luxon's toString: ISO, or "Invalid DateTime".
func (d *dateTime) String() string {
	if s, ok := d.toISO(isoOpts{}); ok {
		return s
	}
	return "Invalid DateTime"
}
