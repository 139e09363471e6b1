package nodes

// A minimal Go rendering of the parts of Luxon's DateTime and Duration
// that the Date & Time node uses: zones, ISO output, toFormat tokens (en-US),
// fromFormat parsing, plus/minus with month clamping, startOf, diff and
// Duration output. The nodes/expr/luxon package (being written) is the
// full implementation for expressions; the two should be unified.

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones must resolve wherever weft runs
)

// dtZone is a Luxon zone.
type dtZone struct {
	name string
	loc  *time.Location
	// fixed marks fixed-offset zones (Luxon's FixedOffsetZone, e.g. "UTC",
	// "UTC+2"), which print "Z" in ISO output at offset zero.
	fixed bool
}

var dtUTC = &dtZone{name: "UTC", loc: time.UTC, fixed: true}

var fixedZoneRE = regexp.MustCompile(`(?i)^utc([+-]\d{1,2})(?::(\d{2}))?$`)

// resolveZone is Luxon's normalizeZone for zone names.
func resolveZone(name string) (*dtZone, bool) {
	switch strings.ToLower(name) {
	case "utc", "gmt":
		return dtUTC, true
	case "", "local", "system", "default":
		return nil, false
	}
	if m := fixedZoneRE.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[1])
		mins := 0
		if m[2] != "" {
			mins, _ = strconv.Atoi(m[2])
		}
		if strings.HasPrefix(m[1], "-") {
			mins = -mins
		}
		return fixedZone(h*60 + mins), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return &dtZone{name: name, loc: loc}, true
}

// fixedZone is a fixed-offset zone of off minutes.
func fixedZone(off int) *dtZone {
	if off == 0 {
		return dtUTC
	}
	name := "UTC" + formatOffset(off, "narrow")
	return &dtZone{name: name, loc: time.FixedZone(name, off*60), fixed: true}
}

// zoneOfLocation is the zone of a time.Time that arrived from an expression.
func zoneOfLocation(loc *time.Location) *dtZone {
	if loc == nil || loc == time.UTC || loc.String() == "UTC" {
		return dtUTC
	}
	if z, ok := resolveZone(loc.String()); ok {
		return z
	}
	return &dtZone{name: loc.String(), loc: loc}
}

// offsetAt returns the zone's offset in minutes at epoch milliseconds ms.
func (z *dtZone) offsetAt(ms int64) int {
	_, s := time.UnixMilli(ms).In(z.loc).Zone()
	return s / 60
}

// luxonTime is a Luxon DateTime: an instant, a zone, or an invalid reason.
type luxonTime struct {
	ms      int64
	zone    *dtZone
	invalid string
}

func invalidTime(reason string) luxonTime { return luxonTime{invalid: reason} }

func (d luxonTime) valid() bool { return d.invalid == "" }

// local returns the wall-clock time in the zone.
func (d luxonTime) local() time.Time { return time.UnixMilli(d.ms).In(d.zone.loc) }

func (d luxonTime) offset() int { return d.zone.offsetAt(d.ms) }

// setZone is Luxon's setZone: the same instant in another zone.
func (d luxonTime) setZone(name string) luxonTime {
	z, ok := resolveZone(name)
	if !ok {
		return invalidTime("unsupported zone")
	}
	if !d.valid() {
		return d
	}
	d.zone = z
	return d
}

// formatOffset prints an offset in minutes: narrow "+5", "+5:30"; short
// "+05:00"; techie "+0500".
func formatOffset(off int, format string) string {
	sign := "+"
	if off < 0 {
		sign = "-"
		off = -off
	}
	h, m := off/60, off%60
	switch format {
	case "narrow":
		if m > 0 {
			return sign + strconv.Itoa(h) + ":" + pad(m, 2)
		}
		return sign + strconv.Itoa(h)
	case "techie":
		return sign + pad(h, 2) + pad(m, 2)
	}
	return sign + pad(h, 2) + ":" + pad(m, 2)
}

func pad(n, width int) string {
	s := strconv.Itoa(abs(n))
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	if n < 0 {
		return "-" + s
	}
	return s
}

// iso is Luxon's toISO (and toString).
func (d luxonTime) iso() string {
	if !d.valid() {
		return "Invalid DateTime"
	}
	t := d.local()
	var b strings.Builder
	y := t.Year()
	if y < 0 || y > 9999 {
		if y < 0 {
			b.WriteString("-")
		} else {
			b.WriteString("+")
		}
		b.WriteString(pad(abs(y), 6))
	} else {
		b.WriteString(pad(y, 4))
	}
	b.WriteString("-" + pad(int(t.Month()), 2) + "-" + pad(t.Day(), 2))
	b.WriteString("T" + pad(t.Hour(), 2) + ":" + pad(t.Minute(), 2) + ":" + pad(t.Second(), 2) + "." + pad(t.Nanosecond()/1e6, 3))
	off := d.offset()
	if d.zone.fixed && off == 0 {
		b.WriteString("Z")
	} else {
		b.WriteString(formatOffset(off, "short"))
	}
	return b.String()
}

// localTS is Date.UTC of wall-clock fields (month and day may overflow).
func localTS(y, mo, d, h, mi, s int, ms float64) int64 {
	whole := math.Floor(ms)
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	return t.UnixMilli() + int64(whole)
}

// fixOffset is Luxon's fixOffset: the instant for a local timestamp given
// an offset guess o, settling on the zone's offset there.
func fixOffset(local int64, o int, z *dtZone) (int64, int) {
	utcGuess := local - int64(o)*60000
	o2 := z.offsetAt(utcGuess)
	if o == o2 {
		return utcGuess, o
	}
	utcGuess -= int64(o2-o) * 60000
	o3 := z.offsetAt(utcGuess)
	if o2 == o3 {
		return utcGuess, o2
	}
	return local - int64(min(o2, o3))*60000, max(o2, o3)
}

func daysInMonth(y, m int) int {
	mod := ((m-1)%12+12)%12 + 1
	y += (m - mod) / 12
	return time.Date(y, time.Month(mod)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Luxon's unit names, plural, in order.
var luxonUnits = []string{"years", "quarters", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds"}

// normalizeLuxonUnit is Duration.normalizeUnit.
func normalizeLuxonUnit(u string) (string, bool) {
	l := strings.ToLower(u)
	for _, n := range luxonUnits {
		if l == n || l+"s" == n {
			return n, true
		}
	}
	return "", false
}

// casualMillis is Luxon's casual conversion of each unit to milliseconds.
var casualMillis = map[string]float64{
	"years": 365 * 86400000, "quarters": 91 * 86400000, "months": 30 * 86400000,
	"weeks": 7 * 86400000, "days": 86400000, "hours": 3600000, "minutes": 60000,
	"seconds": 1000, "milliseconds": 1,
}

// plus adds amounts of units (Luxon's plus): calendar units move the wall
// clock, clamping the day to the month's length; their fractions and the
// time units add milliseconds.
func (d luxonTime) plus(dur map[string]float64) luxonTime {
	if !d.valid() {
		return d
	}
	t := d.local()
	tr := func(u string) float64 { return math.Trunc(dur[u]) }
	y := t.Year() + int(tr("years"))
	mo := int(t.Month()) + int(tr("months")) + int(tr("quarters"))*3
	day := min(t.Day(), daysInMonth(y, mo)) + int(tr("days")) + int(tr("weeks"))*7
	// Duration.as("milliseconds") of the remainder, summed in unit order.
	millis := 0.0
	for _, u := range luxonUnits {
		v := dur[u]
		switch u {
		case "years", "quarters", "months", "weeks", "days":
			v -= math.Trunc(v)
		}
		millis += v * casualMillis[u]
	}
	ts, _ := fixOffset(localTS(y, mo, day, t.Hour(), t.Minute(), t.Second(), float64(t.Nanosecond()/1e6)), d.offset(), d.zone)
	if millis != 0 {
		ts += int64(millis)
	}
	return luxonTime{ms: ts, zone: d.zone}
}

// startOf is Luxon's startOf for year, quarter, month, week (ISO, Monday),
// day, hour, minute and second.
func (d luxonTime) startOf(unit string) luxonTime {
	if !d.valid() {
		return d
	}
	u, ok := normalizeLuxonUnit(unit)
	if !ok {
		return d
	}
	t := d.local()
	y, mo, day := t.Year(), int(t.Month()), t.Day()
	h, mi, s, ms := t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6
	switch u {
	case "years":
		mo = 1
		fallthrough
	case "quarters", "months":
		day = 1
		fallthrough
	case "weeks", "days":
		h = 0
		fallthrough
	case "hours":
		mi = 0
		fallthrough
	case "minutes":
		s = 0
		fallthrough
	case "seconds":
		ms = 0
	}
	if u == "weeks" {
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		day -= wd - 1
	}
	if u == "quarters" {
		mo = (mo-1)/3*3 + 1
	}
	ts, _ := fixOffset(localTS(y, mo, day, h, mi, s, float64(ms)), d.offset(), d.zone)
	return luxonTime{ms: ts, zone: d.zone}
}

// get is DateTime#get for year, month, day, hour, minute and second.
func (d luxonTime) get(part string) any {
	if !d.valid() {
		return nil
	}
	t := d.local()
	switch part {
	case "year":
		return float64(t.Year())
	case "month":
		return float64(t.Month())
	case "day":
		return float64(t.Day())
	case "hour":
		return float64(t.Hour())
	case "minute":
		return float64(t.Minute())
	case "second":
		return float64(t.Second())
	case "millisecond":
		return float64(t.Nanosecond() / 1e6)
	case "week", "weekNumber":
		_, w := t.ISOWeek()
		return float64(w)
	}
	return nil
}

// luxonDuration is a Luxon Duration's values by unit (plural names).
type luxonDuration struct {
	values  map[string]float64
	invalid bool
}

// diff is Luxon's DateTime#diff(other, units): d minus other.
func (d luxonTime) diff(other luxonTime, units []string) (luxonDuration, error) {
	norm := make([]string, 0, len(units))
	for _, u := range units {
		n, ok := normalizeLuxonUnit(u)
		if !ok {
			return luxonDuration{}, NewNodeError("Invalid unit %s", u)
		}
		norm = append(norm, n)
	}
	if len(norm) == 0 {
		return luxonDuration{}, NewNodeError("Invalid unit undefined")
	}
	if !d.valid() || !other.valid() {
		return luxonDuration{invalid: true}, nil
	}
	otherIsLater := other.ms > d.ms
	earlier, later := other, d
	if otherIsLater {
		earlier, later = d, other
	}
	res := luxonDiff(earlier, later, norm)
	if otherIsLater {
		for k, v := range res.values {
			if v != 0 {
				res.values[k] = -v
			}
		}
	}
	return res, nil
}

func hasUnit(units []string, u string) bool {
	for _, x := range units {
		if x == u {
			return true
		}
	}
	return false
}

// dayDiff counts calendar days between the local dates of two times.
func dayDiff(a, b luxonTime) float64 {
	day := func(d luxonTime) int64 {
		t := d.local()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	return math.Floor(float64(day(b)-day(a)) / 86400000)
}

func luxonDiff(earlier, later luxonTime, units []string) luxonDuration {
	differs := []struct {
		unit string
		f    func(a, b luxonTime) float64
	}{
		{"years", func(a, b luxonTime) float64 { return float64(b.local().Year() - a.local().Year()) }},
		{"quarters", func(a, b luxonTime) float64 {
			qa, qb := (int(a.local().Month())+2)/3, (int(b.local().Month())+2)/3
			return float64(qb - qa + (b.local().Year()-a.local().Year())*4)
		}},
		{"months", func(a, b luxonTime) float64 {
			return float64(int(b.local().Month()) - int(a.local().Month()) + (b.local().Year()-a.local().Year())*12)
		}},
		{"weeks", func(a, b luxonTime) float64 {
			days := dayDiff(a, b)
			return (days - math.Mod(days, 7)) / 7
		}},
		{"days", dayDiff},
	}
	results := map[string]float64{}
	cursor := earlier
	var highWater luxonTime
	hasHigh, lowest := false, ""
	for _, df := range differs {
		if !hasUnit(units, df.unit) {
			continue
		}
		lowest = df.unit
		results[df.unit] = df.f(cursor, later)
		highWater = earlier.plus(results)
		hasHigh = true
		if highWater.ms > later.ms {
			results[df.unit]--
			cursor = earlier.plus(results)
			if cursor.ms > later.ms {
				highWater = cursor
				results[df.unit]--
				cursor = earlier.plus(results)
			}
		} else {
			cursor = highWater
		}
	}
	remaining := float64(later.ms - cursor.ms)
	var lower []string
	for _, u := range units {
		switch u {
		case "hours", "minutes", "seconds", "milliseconds":
			lower = append(lower, u)
		}
	}
	if len(lower) == 0 && hasHigh {
		sameAsCursor := highWater == cursor
		if highWater.ms < later.ms {
			highWater = cursor.plus(map[string]float64{lowest: 1})
			sameAsCursor = false
		}
		if !sameAsCursor {
			results[lowest] += remaining / float64(highWater.ms-cursor.ms)
		}
	}
	if len(lower) == 0 {
		return luxonDuration{values: results}
	}
	shifted := shiftMillis(remaining, lower)
	out := map[string]float64{}
	for _, u := range luxonUnits {
		a, inA := shifted[u]
		b, inB := results[u]
		if inA || inB {
			out[u] = a + b
		}
	}
	return luxonDuration{values: out}
}

// unitMillis converts between time units exactly.
var unitMillis = map[string]float64{"hours": 3600000, "minutes": 60000, "seconds": 1000, "milliseconds": 1}

// shiftMillis is Duration.fromMillis(ms).shiftTo(units...) for time units.
func shiftMillis(ms float64, units []string) map[string]float64 {
	built := map[string]float64{}
	acc := map[string]float64{}
	var accOrder []string
	last := ""
	for _, k := range luxonUnits {
		if hasUnit(units, k) {
			last = k
			own := 0.0
			for _, ak := range accOrder {
				own += unitMillis[ak] / unitMillis[k] * acc[ak]
				acc[ak] = 0
			}
			if k == "milliseconds" {
				own += ms
			}
			i := math.Trunc(own)
			built[k] = i
			acc[k] = (own*1000 - i*1000) / 1000
			accOrder = append(accOrder, k)
		} else if k == "milliseconds" {
			acc[k] = ms
			accOrder = append(accOrder, k)
		}
	}
	for _, key := range accOrder {
		if acc[key] != 0 {
			if key == last {
				built[last] += acc[key]
			} else {
				built[last] += acc[key] / (unitMillis[last] / unitMillis[key])
			}
		}
	}
	normalizeDuration(built)
	return built
}

// normalizeDuration is Luxon's normalizeValues for time units: roll whole
// lower units up, then push fractions down.
func normalizeDuration(vals map[string]float64) {
	total := 0.0
	for u, v := range vals {
		total += v * unitMillis[u]
	}
	factor := 1.0
	if total < 0 {
		factor = -1
	}
	prev := ""
	for i := len(luxonUnits) - 1; i >= 0; i-- {
		cur := luxonUnits[i]
		if _, ok := vals[cur]; !ok {
			continue
		}
		if prev != "" {
			conv := unitMillis[cur] / unitMillis[prev]
			rollUp := math.Floor(vals[prev] * factor / conv)
			vals[cur] += rollUp * factor
			vals[prev] -= rollUp * conv * factor
		}
		prev = cur
	}
	prev = ""
	for _, cur := range luxonUnits {
		if _, ok := vals[cur]; !ok {
			continue
		}
		if prev != "" {
			frac := math.Mod(vals[prev], 1)
			vals[prev] -= frac
			vals[cur] += frac * (unitMillis[prev] / unitMillis[cur])
		}
		prev = cur
	}
}

// toObject is Duration#toObject, with singular-free plural keys.
func (d luxonDuration) toObject() map[string]any {
	out := map[string]any{}
	if d.invalid {
		return out
	}
	for k, v := range d.values {
		out[k] = v
	}
	return out
}

// iso is Duration#toISO (and toString).
func (d luxonDuration) iso() string {
	if d.invalid {
		return "Invalid Duration"
	}
	v := d.values
	s := "P"
	if v["years"] != 0 {
		s += jsNumberString(v["years"]) + "Y"
	}
	if v["months"] != 0 || v["quarters"] != 0 {
		s += jsNumberString(v["months"]+v["quarters"]*3) + "M"
	}
	if v["weeks"] != 0 {
		s += jsNumberString(v["weeks"]) + "W"
	}
	if v["days"] != 0 {
		s += jsNumberString(v["days"]) + "D"
	}
	if v["hours"] != 0 || v["minutes"] != 0 || v["seconds"] != 0 || v["milliseconds"] != 0 {
		s += "T"
	}
	if v["hours"] != 0 {
		s += jsNumberString(v["hours"]) + "H"
	}
	if v["minutes"] != 0 {
		s += jsNumberString(v["minutes"]) + "M"
	}
	if v["seconds"] != 0 || v["milliseconds"] != 0 {
		s += jsNumberString(math.Floor((v["seconds"]+v["milliseconds"]/1000)*1000+0.5)/1000) + "S"
	}
	if s == "P" {
		s += "T0S"
	}
	return s
}

// --- formatting -----------------------------------------------------------

var (
	monthsLong   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	weekdaysLong = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	// meridiemSpace separates the time from AM/PM: ICU 72 made it U+202F,
	// V8 (so Node.js 20 and later) puts a plain space back.
	meridiemSpace = " "
)

// formatToken is a piece of a Luxon format string.
type formatToken struct {
	literal bool
	val     string
}

// parseLuxonFormat splits a format string into tokens (runs of one letter)
// and literals (quoted text), as Luxon's Formatter.parseFormat does.
func parseLuxonFormat(f string) []formatToken {
	var out []formatToken
	var current rune = -1
	cur := ""
	bracketed := false
	isSpace := func(s string) bool { return strings.TrimSpace(s) == "" }
	for _, c := range f {
		switch {
		case c == '\'':
			if len(cur) > 0 || bracketed {
				val := cur
				if val == "" {
					val = "'"
				}
				out = append(out, formatToken{literal: bracketed || isSpace(cur), val: val})
			}
			current = -1
			cur = ""
			bracketed = !bracketed
		case bracketed:
			cur += string(c)
		case c == current:
			cur += string(c)
		default:
			if len(cur) > 0 {
				out = append(out, formatToken{literal: isSpace(cur), val: cur})
			}
			cur = string(c)
			current = c
		}
	}
	if len(cur) > 0 {
		out = append(out, formatToken{literal: bracketed || isSpace(cur), val: cur})
	}
	return out
}

// isoWeekday is 1 for Monday … 7 for Sunday.
func isoWeekday(t time.Time) int {
	wd := int(t.Weekday())
	if wd == 0 {
		return 7
	}
	return wd
}

// zoneShortName approximates Intl's short zone name in en-US.
func (d luxonTime) zoneShortName() string {
	off := d.offset()
	if d.zone.fixed && off == 0 || d.zone.name == "Etc/UTC" || d.zone.name == "UTC" {
		return "UTC"
	}
	abbr, _ := d.local().Zone()
	switch abbr {
	case "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AKST", "AKDT", "HST":
		if strings.HasPrefix(d.zone.name, "America/") || strings.HasPrefix(d.zone.name, "US/") || strings.HasPrefix(d.zone.name, "Pacific/Honolulu") {
			return abbr
		}
	}
	if off == 0 {
		return "GMT"
	}
	return "GMT" + formatOffset(off, "narrow")
}

// zoneLongName approximates Intl's long zone name in en-US.
func (d luxonTime) zoneLongName() string {
	short := d.zoneShortName()
	names := map[string]string{
		"UTC": "Coordinated Universal Time", "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
		"CST": "Central Standard Time", "CDT": "Central Daylight Time", "MST": "Mountain Standard Time",
		"MDT": "Mountain Daylight Time", "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
		"AKST": "Alaska Standard Time", "AKDT": "Alaska Daylight Time", "HST": "Hawaii-Aleutian Standard Time",
		"GMT": "Greenwich Mean Time",
	}
	if n, ok := names[short]; ok {
		return n
	}
	return "GMT" + formatOffset(d.offset(), "short")
}

// toFormat is Luxon's DateTime#toFormat with the en-US locale.
func (d luxonTime) toFormat(f string) string {
	if !d.valid() {
		return "Invalid DateTime"
	}
	var b strings.Builder
	for _, tok := range parseLuxonFormat(f) {
		if tok.literal {
			b.WriteString(tok.val)
			continue
		}
		b.WriteString(d.formatToken(tok.val))
	}
	return b.String()
}

func (d luxonTime) formatToken(tok string) string {
	t := d.local()
	ms := t.Nanosecond() / 1e6
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	wy, wn := t.ISOWeek()
	meridiem := "AM"
	if t.Hour() >= 12 {
		meridiem = "PM"
	}
	date := func(month string, weekday bool) string {
		var s string
		switch month {
		case "numeric":
			s = strconv.Itoa(int(t.Month())) + "/" + strconv.Itoa(t.Day()) + "/" + strconv.Itoa(t.Year())
		case "short":
			s = monthsLong[t.Month()-1][:3] + " " + strconv.Itoa(t.Day()) + ", " + strconv.Itoa(t.Year())
		default:
			s = monthsLong[t.Month()-1] + " " + strconv.Itoa(t.Day()) + ", " + strconv.Itoa(t.Year())
		}
		if weekday {
			s = weekdaysLong[isoWeekday(t)-1] + ", " + s
		}
		return s
	}
	clock := func(seconds bool, h24 bool, zone string) string {
		var s string
		if h24 {
			s = pad(t.Hour(), 2) + ":" + pad(t.Minute(), 2)
		} else {
			s = strconv.Itoa(h12) + ":" + pad(t.Minute(), 2)
		}
		if seconds {
			s += ":" + pad(t.Second(), 2)
		}
		if !h24 {
			s += meridiemSpace + meridiem
		}
		switch zone {
		case "short":
			s += " " + d.zoneShortName()
		case "long":
			s += " " + d.zoneLongName()
		}
		return s
	}
	switch tok {
	case "S":
		return strconv.Itoa(ms)
	case "u", "SSS":
		return pad(ms, 3)
	case "uu":
		return pad(ms/10, 2)
	case "uuu":
		return strconv.Itoa(ms / 100)
	case "s":
		return strconv.Itoa(t.Second())
	case "ss":
		return pad(t.Second(), 2)
	case "m":
		return strconv.Itoa(t.Minute())
	case "mm":
		return pad(t.Minute(), 2)
	case "h":
		return strconv.Itoa(h12)
	case "hh":
		return pad(h12, 2)
	case "H":
		return strconv.Itoa(t.Hour())
	case "HH":
		return pad(t.Hour(), 2)
	case "Z":
		return formatOffset(d.offset(), "narrow")
	case "ZZ":
		return formatOffset(d.offset(), "short")
	case "ZZZ":
		return formatOffset(d.offset(), "techie")
	case "ZZZZ":
		return d.zoneShortName()
	case "ZZZZZ":
		return d.zoneLongName()
	case "z":
		return d.zone.name
	case "a":
		return meridiem
	case "d":
		return strconv.Itoa(t.Day())
	case "dd":
		return pad(t.Day(), 2)
	case "c", "E":
		return strconv.Itoa(isoWeekday(t))
	case "ccc", "EEE":
		return weekdaysLong[isoWeekday(t)-1][:3]
	case "cccc", "EEEE":
		return weekdaysLong[isoWeekday(t)-1]
	case "ccccc", "EEEEE":
		return weekdaysLong[isoWeekday(t)-1][:1]
	case "L", "M":
		return strconv.Itoa(int(t.Month()))
	case "LL", "MM":
		return pad(int(t.Month()), 2)
	case "LLL", "MMM":
		return monthsLong[t.Month()-1][:3]
	case "LLLL", "MMMM":
		return monthsLong[t.Month()-1]
	case "LLLLL", "MMMMM":
		return monthsLong[t.Month()-1][:1]
	case "y":
		return strconv.Itoa(t.Year())
	case "yy":
		return pad(t.Year()%100, 2)
	case "yyyy":
		return pad(t.Year(), 4)
	case "yyyyyy":
		return pad(t.Year(), 6)
	case "G":
		if t.Year() > 0 {
			return "AD"
		}
		return "BC"
	case "GG":
		if t.Year() > 0 {
			return "Anno Domini"
		}
		return "Before Christ"
	case "GGGGG":
		if t.Year() > 0 {
			return "A"
		}
		return "B"
	case "kk":
		return pad(wy%100, 2)
	case "kkkk":
		return pad(wy, 4)
	case "W", "n":
		return strconv.Itoa(wn)
	case "WW", "nn":
		return pad(wn, 2)
	case "ii":
		return pad(wy%100, 2)
	case "iiii":
		return pad(wy, 4)
	case "o":
		return strconv.Itoa(t.YearDay())
	case "ooo":
		return pad(t.YearDay(), 3)
	case "q":
		return strconv.Itoa((int(t.Month()) + 2) / 3)
	case "qq":
		return pad((int(t.Month())+2)/3, 2)
	case "X":
		return strconv.FormatInt(int64(math.Floor(float64(d.ms)/1000)), 10)
	case "x":
		return strconv.FormatInt(d.ms, 10)
	case "D":
		return date("numeric", false)
	case "DD":
		return date("short", false)
	case "DDD":
		return date("long", false)
	case "DDDD":
		return date("long", true)
	case "t":
		return clock(false, false, "")
	case "tt":
		return clock(true, false, "")
	case "ttt":
		return clock(true, false, "short")
	case "tttt":
		return clock(true, false, "long")
	case "T":
		return clock(false, true, "")
	case "TT":
		return clock(true, true, "")
	case "TTT":
		return clock(true, true, "short")
	case "TTTT":
		return clock(true, true, "long")
	case "f":
		return date("numeric", false) + ", " + clock(false, false, "")
	case "ff":
		return date("short", false) + ", " + clock(false, false, "")
	case "fff":
		return date("long", false) + " at " + clock(false, false, "short")
	case "ffff":
		return date("long", true) + " at " + clock(false, false, "long")
	case "F":
		return date("numeric", false) + ", " + clock(true, false, "")
	case "FF":
		return date("short", false) + ", " + clock(true, false, "")
	case "FFF":
		return date("long", false) + " at " + clock(true, false, "short")
	case "FFFF":
		return date("long", true) + " at " + clock(true, false, "long")
	}
	return tok
}

// --- parsing with a Luxon format -------------------------------------------

// fromFormat is Luxon's DateTime.fromFormat(text, format) in zone z (when
// the text carries no offset); now fills date fields above the first one
// given.
func fromFormat(text, format string, z *dtZone, now time.Time) luxonTime {
	type unit struct {
		tok   string
		group int
	}
	var re strings.Builder
	re.WriteString("(?i)^")
	var units []unit
	group := 0
	num := func(tok, pattern string) {
		group++
		units = append(units, unit{tok, group})
		re.WriteString("(" + pattern + ")")
	}
	names := func(tok string, list []string, n int) {
		alts := make([]string, len(list))
		for i, s := range list {
			if n > 0 {
				s = s[:n]
			}
			alts[i] = regexp.QuoteMeta(s)
		}
		group++
		units = append(units, unit{tok, group})
		re.WriteString("(" + strings.Join(alts, "|") + ")")
	}
	for _, t := range parseLuxonFormat(format) {
		if t.literal {
			re.WriteString(strings.ReplaceAll(regexp.QuoteMeta(t.val), " ", "[ \u00a0]"))
			continue
		}
		switch t.val {
		case "y":
			num(t.val, `\d{1,6}`)
		case "yy", "kk":
			num(t.val, `\d{2,4}`)
		case "yyyy", "kkkk":
			num(t.val, `\d{4}`)
		case "yyyyy":
			num(t.val, `\d{4,6}`)
		case "yyyyyy":
			num(t.val, `\d{6}`)
		case "M", "L", "d", "H", "h", "m", "s", "q", "W":
			num(t.val, `\d\d?`)
		case "MM", "LL", "dd", "HH", "hh", "mm", "ss", "qq", "WW":
			num(t.val, `\d{2}`)
		case "o", "S":
			num(t.val, `\d{1,3}`)
		case "ooo", "SSS":
			num(t.val, `\d{3}`)
		case "u":
			num(t.val, `\d{1,9}`)
		case "E", "c":
			num(t.val, `\d`)
		case "MMM", "LLL":
			names(t.val, monthsLong, 3)
		case "MMMM", "LLLL":
			names(t.val, monthsLong, 0)
		case "EEE", "ccc":
			names(t.val, weekdaysLong, 3)
		case "EEEE", "cccc":
			names(t.val, weekdaysLong, 0)
		case "a":
			names(t.val, []string{"AM", "PM"}, 0)
		case "Z", "ZZ":
			group += 2
			units = append(units, unit{"Z:", group - 1})
			re.WriteString(`([+-]\d\d?)(?::(\d{2}))?`)
		case "ZZZ":
			group += 2
			units = append(units, unit{"Z", group - 1})
			re.WriteString(`([+-]\d\d?)(\d{2})?`)
		case "z":
			num(t.val, `[a-z_+\-/]{1,256}?`)
		default:
			re.WriteString(regexp.QuoteMeta(t.val))
		}
	}
	re.WriteString("$")
	rx, err := regexp.Compile(re.String())
	if err != nil {
		return invalidTime("unparsable")
	}
	m := rx.FindStringSubmatch(text)
	if m == nil {
		return invalidTime("unparsable")
	}
	fields := map[string]int{}
	have := map[string]bool{}
	set := func(k string, v int) { fields[k] = v; have[k] = true }
	zone := z
	var pm *bool
	indexOf := func(list []string, s string, n int) int {
		for i, e := range list {
			if n > 0 {
				e = e[:n]
			}
			if strings.EqualFold(e, s) {
				return i + 1
			}
		}
		return 0
	}
	for _, u := range units {
		v := m[u.group]
		n, _ := strconv.Atoi(v)
		switch u.tok {
		case "y", "yyyy", "yyyyy", "yyyyyy":
			set("year", n)
		case "yy":
			set("year", untruncateYear(n))
		case "M", "MM", "L", "LL":
			set("month", n)
		case "MMM", "LLL":
			set("month", indexOf(monthsLong, v, 3))
		case "MMMM", "LLLL":
			set("month", indexOf(monthsLong, v, 0))
		case "d", "dd":
			set("day", n)
		case "H", "HH", "h", "hh":
			set("hour", n)
		case "m", "mm":
			set("minute", n)
		case "s", "ss":
			set("second", n)
		case "S", "SSS":
			set("millisecond", n)
		case "u":
			f, _ := strconv.ParseFloat("0."+v, 64)
			set("millisecond", int(math.Floor(f*1000)))
		case "o", "ooo":
			set("ordinal", n)
		case "a":
			isPM := strings.EqualFold(v, "PM")
			pm = &isPM
		case "Z:", "Z":
			h, _ := strconv.Atoi(m[u.group])
			mins := 0
			if m[u.group+1] != "" {
				mins, _ = strconv.Atoi(m[u.group+1])
			}
			if strings.HasPrefix(m[u.group], "-") {
				mins = -mins
			}
			zone = fixedZone(h*60 + mins)
		case "z":
			zz, ok := resolveZone(v)
			if !ok {
				return invalidTime("unsupported zone")
			}
			zone = zz
		}
	}
	if pm != nil && have["hour"] {
		switch {
		case *pm && fields["hour"] != 12:
			fields["hour"] += 12
		case !*pm && fields["hour"] == 12:
			fields["hour"] = 0
		}
	}
	nowLocal := now.In(zone.loc)
	if have["ordinal"] && !have["month"] && !have["day"] {
		y := nowLocal.Year()
		if have["year"] {
			y = fields["year"]
		}
		if fields["ordinal"] < 1 || fields["ordinal"] > time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() {
			return invalidTime("unit out of range")
		}
		t := time.Date(y, 1, fields["ordinal"], 0, 0, 0, 0, time.UTC)
		set("year", y)
		set("month", int(t.Month()))
		set("day", t.Day())
	}
	order := []string{"year", "month", "day", "hour", "minute", "second", "millisecond"}
	nowVals := map[string]int{
		"year": nowLocal.Year(), "month": int(nowLocal.Month()), "day": nowLocal.Day(), "hour": nowLocal.Hour(),
		"minute": nowLocal.Minute(), "second": nowLocal.Second(), "millisecond": nowLocal.Nanosecond() / 1e6,
	}
	defaults := map[string]int{"month": 1, "day": 1}
	found := false
	for _, k := range order {
		if have[k] {
			found = true
			continue
		}
		if found {
			fields[k] = defaults[k]
		} else {
			fields[k] = nowVals[k]
		}
	}
	if fields["month"] < 1 || fields["month"] > 12 || fields["day"] < 1 || fields["day"] > daysInMonth(fields["year"], fields["month"]) ||
		fields["hour"] > 23 || fields["minute"] > 59 || fields["second"] > 59 || fields["millisecond"] > 999 {
		return invalidTime("unit out of range")
	}
	local := localTS(fields["year"], fields["month"], fields["day"], fields["hour"], fields["minute"], fields["second"], float64(fields["millisecond"]))
	ts, _ := fixOffset(local, zone.offsetAt(local), zone)
	return luxonTime{ms: ts, zone: zone}
}

// untruncateYear is Luxon's two-digit year rule (cutoff 60).
func untruncateYear(y int) int {
	if y > 99 {
		return y
	}
	if y > 60 {
		return 1900 + y
	}
	return 2000 + y
}
