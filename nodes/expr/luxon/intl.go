package luxon

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// intlOpts are the Intl.DateTimeFormat options Luxon's presets and
// toLocaleString use; formatting emulates ICU's en-US patterns.
type intlOpts struct {
	year, month, day, weekday    string
	hour, minute, second         string
	timeZoneName, era, hourCycle string
	hour12                       string // "", "true", "false"
	dateStyle, timeStyle         string
}

// pairs lists the set options in Luxon's preset key order.
func (o intlOpts) pairs() [][2]string {
	var out [][2]string
	add := func(k, v string) {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	add("year", o.year)
	add("month", o.month)
	add("day", o.day)
	add("weekday", o.weekday)
	add("hour", o.hour)
	add("minute", o.minute)
	add("second", o.second)
	add("hourCycle", o.hourCycle)
	add("timeZoneName", o.timeZoneName)
	return out
}

const (
	iN = "numeric"
	iS = "short"
	iL = "long"
)

var (
	intlDateShort = intlOpts{year: iN, month: iN, day: iN}
	intlPresets   = map[string]intlOpts{
		"DATE_SHORT":                  intlDateShort,
		"DATE_MED":                    {year: iN, month: iS, day: iN},
		"DATE_MED_WITH_WEEKDAY":       {year: iN, month: iS, day: iN, weekday: iS},
		"DATE_FULL":                   {year: iN, month: iL, day: iN},
		"DATE_HUGE":                   {year: iN, month: iL, day: iN, weekday: iL},
		"TIME_SIMPLE":                 {hour: iN, minute: iN},
		"TIME_WITH_SECONDS":           {hour: iN, minute: iN, second: iN},
		"TIME_WITH_SHORT_OFFSET":      {hour: iN, minute: iN, second: iN, timeZoneName: iS},
		"TIME_WITH_LONG_OFFSET":       {hour: iN, minute: iN, second: iN, timeZoneName: iL},
		"TIME_24_SIMPLE":              {hour: iN, minute: iN, hourCycle: "h23"},
		"TIME_24_WITH_SECONDS":        {hour: iN, minute: iN, second: iN, hourCycle: "h23"},
		"TIME_24_WITH_SHORT_OFFSET":   {hour: iN, minute: iN, second: iN, hourCycle: "h23", timeZoneName: iS},
		"TIME_24_WITH_LONG_OFFSET":    {hour: iN, minute: iN, second: iN, hourCycle: "h23", timeZoneName: iL},
		"DATETIME_SHORT":              {year: iN, month: iN, day: iN, hour: iN, minute: iN},
		"DATETIME_SHORT_WITH_SECONDS": {year: iN, month: iN, day: iN, hour: iN, minute: iN, second: iN},
		"DATETIME_MED":                {year: iN, month: iS, day: iN, hour: iN, minute: iN},
		"DATETIME_MED_WITH_SECONDS":   {year: iN, month: iS, day: iN, hour: iN, minute: iN, second: iN},
		"DATETIME_MED_WITH_WEEKDAY":   {year: iN, month: iS, day: iN, weekday: iS, hour: iN, minute: iN},
		"DATETIME_FULL":               {year: iN, month: iL, day: iN, hour: iN, minute: iN, timeZoneName: iS},
		"DATETIME_FULL_WITH_SECONDS":  {year: iN, month: iL, day: iN, hour: iN, minute: iN, second: iN, timeZoneName: iS},
		"DATETIME_HUGE":               {year: iN, month: iL, day: iN, weekday: iL, hour: iN, minute: iN, timeZoneName: iL},
		"DATETIME_HUGE_WITH_SECONDS":  {year: iN, month: iL, day: iN, weekday: iL, hour: iN, minute: iN, second: iN, timeZoneName: iL},
	}
	macroTokens = map[string]intlOpts{
		"D": intlPresets["DATE_SHORT"], "DD": intlPresets["DATE_MED"], "DDD": intlPresets["DATE_FULL"], "DDDD": intlPresets["DATE_HUGE"],
		"t": intlPresets["TIME_SIMPLE"], "tt": intlPresets["TIME_WITH_SECONDS"], "ttt": intlPresets["TIME_WITH_SHORT_OFFSET"],
		"tttt": intlPresets["TIME_WITH_LONG_OFFSET"], "T": intlPresets["TIME_24_SIMPLE"], "TT": intlPresets["TIME_24_WITH_SECONDS"],
		"TTT": intlPresets["TIME_24_WITH_SHORT_OFFSET"], "TTTT": intlPresets["TIME_24_WITH_LONG_OFFSET"],
		"f": intlPresets["DATETIME_SHORT"], "ff": intlPresets["DATETIME_MED"], "fff": intlPresets["DATETIME_FULL"],
		"ffff": intlPresets["DATETIME_HUGE"], "F": intlPresets["DATETIME_SHORT_WITH_SECONDS"],
		"FF": intlPresets["DATETIME_MED_WITH_SECONDS"], "FFF": intlPresets["DATETIME_FULL_WITH_SECONDS"],
		"FFFF": intlPresets["DATETIME_HUGE_WITH_SECONDS"],
	}
)

// intlOptsArg reads a toLocaleString options object; nil gives def.
func (e *Env) intlOptsArg(o *goja.Object, def intlOpts) intlOpts {
	if o == nil {
		return def
	}
	get := func(k string) string {
		if v := optValue(o, k); v != nil && !goja.IsNull(v) {
			return v.String()
		}
		return ""
	}
	r := intlOpts{
		year: get("year"), month: get("month"), day: get("day"), weekday: get("weekday"),
		hour: get("hour"), minute: get("minute"), second: get("second"),
		timeZoneName: get("timeZoneName"), era: get("era"), hourCycle: get("hourCycle"),
		hour12: get("hour12"), dateStyle: get("dateStyle"), timeStyle: get("timeStyle"),
	}
	if r == (intlOpts{}) {
		return def
	}
	return r
}

// nnbsp is the narrow no-break space ICU puts before AM/PM in en-US. V8's
// Intl.DateTimeFormat#format turns it into a plain space, formatToParts keeps
// it; Luxon uses formatToParts only for fixed zones that tzdata cannot name
// (offset 0 and non-whole hours), so only those keep the NNBSP.
const nnbsp = "\u202f"

// viaParts reports whether Luxon formats d through formatToParts.
func viaParts(d *dateTime) bool {
	return d.z.kind == zoneFixed && (d.o == 0 || d.o%3600 != 0)
}

// localeString formats d like Intl.DateTimeFormat("en-US", opts) in d's zone.
func (e *Env) localeString(d *dateTime, o intlOpts) string {
	switch o.dateStyle {
	case "full":
		o.weekday, o.month, o.day, o.year = iL, iL, iN, iN
	case "long":
		o.month, o.day, o.year = iL, iN, iN
	case "medium":
		o.month, o.day, o.year = iS, iN, iN
	case "short":
		o.month, o.day, o.year = iN, iN, "2-digit"
	}
	switch o.timeStyle {
	case "full":
		o.hour, o.minute, o.second, o.timeZoneName = iN, "2-digit", "2-digit", iL
	case "long":
		o.hour, o.minute, o.second, o.timeZoneName = iN, "2-digit", "2-digit", iS
	case "medium":
		o.hour, o.minute, o.second = iN, "2-digit", "2-digit"
	case "short":
		o.hour, o.minute = iN, "2-digit"
	}
	date := localeDate(d, o)
	tm := localeTime(d, o)
	switch {
	case date == "":
		return tm
	case tm == "":
		return date
	case o.month == iL:
		return date + " at " + tm
	}
	return date + ", " + tm
}

func numPart(v int, style string) string {
	if style == "2-digit" {
		return string(appendPadded(nil, v%100, 2))
	}
	return strconv.Itoa(v)
}

func localeDate(d *dateTime, o intlOpts) string {
	c := d.c
	_, _, wd := d.weekData()
	var wdStr string
	switch o.weekday {
	case iL:
		wdStr = weekdayNames[wd-1]
	case iS:
		wdStr = weekdayNames[wd-1][:3]
	case "narrow":
		wdStr = weekdayNames[wd-1][:1]
	}
	var core string
	year := ""
	if o.year != "" {
		year = numPart(c.year, o.year)
	}
	day := ""
	if o.day != "" {
		day = numPart(c.day, o.day)
	}
	switch o.month {
	case iL, iS, "narrow":
		m := monthNames[c.month-1]
		if o.month == iS {
			m = m[:3]
		} else if o.month == "narrow" {
			m = m[:1]
		}
		core = m
		if day != "" {
			core += " " + day
		}
		if year != "" {
			if day != "" {
				core += ", " + year
			} else {
				core += " " + year
			}
		}
	case iN, "2-digit":
		parts := []string{numPart(c.month, o.month)}
		if day != "" {
			parts = append(parts, day)
		}
		if year != "" {
			parts = append(parts, year)
		}
		core = strings.Join(parts, "/")
	default:
		switch {
		case day != "" && year != "":
			core = day + " " + year
		case day != "":
			core = day
		default:
			core = year
		}
	}
	switch {
	case wdStr == "":
		return core
	case core == "":
		return wdStr
	}
	return wdStr + ", " + core
}

func localeTime(d *dateTime, o intlOpts) string {
	if o.hour == "" && o.minute == "" && o.second == "" {
		if o.timeZoneName != "" {
			return localeZone(d, o.timeZoneName)
		}
		return ""
	}
	c := d.c
	h24 := o.hourCycle == "h23" || o.hourCycle == "h24" || o.hour12 == "false"
	var b strings.Builder
	if o.hour != "" {
		switch {
		case h24:
			b.WriteString(string(appendPadded(nil, c.hour, 2)))
		default:
			h := c.hour % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(numPart(h, o.hour))
		}
	}
	if o.minute != "" {
		if b.Len() > 0 {
			b.WriteByte(':')
			b.WriteString(string(appendPadded(nil, c.minute, 2)))
		} else {
			b.WriteString(strconv.Itoa(c.minute))
		}
	}
	if o.second != "" {
		if b.Len() > 0 {
			b.WriteByte(':')
			b.WriteString(string(appendPadded(nil, c.second, 2)))
		} else {
			b.WriteString(strconv.Itoa(c.second))
		}
	}
	if o.hour != "" && !h24 {
		if viaParts(d) {
			b.WriteString(nnbsp)
		} else {
			b.WriteByte(' ')
		}
		if c.hour < 12 {
			b.WriteString("AM")
		} else {
			b.WriteString("PM")
		}
	}
	if o.timeZoneName != "" {
		b.WriteByte(' ')
		b.WriteString(localeZone(d, o.timeZoneName))
	}
	return b.String()
}

func localeZone(d *dateTime, style string) string {
	if d.z.kind == zoneFixed && !viaParts(d) {
		// Luxon names whole-hour fixed zones Etc/GMT∓h, which ICU calls GMT±h.
		if style == iL {
			return "GMT" + formatOffset(d.o, offsetShort)
		}
		return "GMT" + formatOffset(d.o, offsetNarrow)
	}
	return offsetName(d, style == iL)
}

// toRelative is Luxon's toRelative / toRelativeCalendar in en-US.
func (e *Env) toRelative(d *dateTime, o *goja.Object, calendary bool) string {
	var base *dateTime
	if v := optValue(o, "base"); v != nil {
		base = e.argDT(v)
	} else {
		base = makeDT(e.nowMillis(), d.z)
	}
	end := d
	units := []durUnit{uYears, uMonths, uDays, uHours, uMinutes, uSeconds}
	if calendary {
		units = []durUnit{uYears, uMonths, uDays}
	}
	var single *durUnit
	if v := optValue(o, "unit"); v != nil {
		if uo, ok := v.(*goja.Object); ok && uo.ClassName() == "Array" {
			units = e.durUnitsArg(v, uSeconds)
		} else {
			u := e.durUnitArg(v)
			single = &u
		}
	}
	if !calendary {
		if p := optValue(o, "padding"); p != nil && p.ToFloat() != 0 {
			pad := p.ToFloat()
			if d.ts < base.ts {
				pad = -pad
			}
			end = d.plus(durationFromMillis(pad))
		}
	}
	round := optBool(o, "round", true)
	style := "long"
	if v := optValue(o, "style"); v != nil {
		style = v.String()
	}
	numericAuto := calendary
	if v := optValue(o, "numeric"); v != nil && calendary {
		numericAuto = v.String() == "auto"
	}
	start := base
	differ := func(u durUnit) float64 {
		if calendary {
			if !end.hasSame(start, u) {
				return end.startOf(u).diff(start.startOf(u), []durUnit{u}, false).get(u)
			}
			return 0
		}
		return end.diff(start, []durUnit{u}, false).get(u)
	}
	format := func(c float64, u durUnit) string {
		digits := 2
		if round || calendary {
			digits = 0
		}
		f := math.Pow(10, float64(digits))
		c = math.Trunc(c*f) / f
		return relativeFormat(c, u, style, numericAuto)
	}
	if single != nil {
		return format(differ(*single), *single)
	}
	for _, u := range units {
		if c := differ(u); math.Abs(c) >= 1 {
			return format(c, u)
		}
	}
	zero := 0.0
	if start.ts > end.ts {
		zero = math.Copysign(0, -1)
	}
	return format(zero, units[len(units)-1])
}

// relativeFormat is Luxon's English.formatRelativeTime, which Luxon uses
// instead of Intl.RelativeTimeFormat for English locales.
func relativeFormat(c float64, u durUnit, style string, auto bool) string {
	singular := [numDurUnits]string{"year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond"}
	short := [numDurUnits]string{"yr.", "qtr.", "mo.", "wk.", "day", "hr.", "min.", "sec.", "ms"}
	lastable := u != uHours && u != uMinutes && u != uSeconds
	if auto && lastable {
		switch c {
		case 1:
			if u == uDays {
				return "tomorrow"
			}
			return "next " + singular[u]
		case -1:
			if u == uDays {
				return "yesterday"
			}
			return "last " + singular[u]
		case 0:
			if u == uDays {
				return "today"
			}
			return "this " + singular[u]
		}
	}
	past := c < 0 || (c == 0 && math.Signbit(c))
	abs := math.Abs(c)
	var name string
	switch {
	case style != "long" && abs == 1:
		name = short[u]
	case style != "long" && u == uDays:
		name = "days"
	case style != "long":
		name = short[u]
	case abs == 1:
		name = singular[u]
	default:
		name = u.String()
	}
	if past {
		return jsNumber(abs) + " " + name + " ago"
	}
	return "in " + jsNumber(abs) + " " + name
}

func groupThousands(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if len(intPart) <= 3 {
		return s
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
