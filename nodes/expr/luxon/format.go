package luxon

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// fmtToken is one piece of a Luxon format string: a literal or a token run
// such as "yyyy" (Luxon's Formatter.parseFormat).
type fmtToken struct {
	literal bool
	val     string
}

// parseFormat splits a format string like Luxon 3.4: runs of one repeated
// character are tokens, 'quoted' text and whitespace are literals.
func parseFormat(f string) []fmtToken {
	var out []fmtToken
	var cur strings.Builder
	var current rune = -1
	bracketed := false
	push := func(forceLiteral bool) {
		if cur.Len() == 0 {
			return
		}
		s := cur.String()
		out = append(out, fmtToken{literal: forceLiteral || isAllSpace(s), val: s})
		cur.Reset()
	}
	for _, c := range f {
		switch {
		case c == '\'':
			push(bracketed)
			current = -1
			bracketed = !bracketed
		case bracketed:
			cur.WriteRune(c)
		case c == current:
			cur.WriteRune(c)
		default:
			push(false)
			cur.WriteRune(c)
			current = c
		}
	}
	push(bracketed)
	return out
}

func isAllSpace(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return s != ""
}

// tokens returns the parsed format, cached per Env.
func (e *Env) tokens(f string) []fmtToken {
	if t, ok := e.fmtCache[f]; ok {
		return t
	}
	t := parseFormat(f)
	if len(e.fmtCache) > 256 {
		clear(e.fmtCache)
	}
	e.fmtCache[f] = t
	return t
}

// toFormat is Luxon's DateTime#toFormat: "Invalid DateTime" for an invalid d.
func (e *Env) toFormat(d *dateTime, f string) string {
	if !d.valid() {
		return "Invalid DateTime"
	}
	return e.format(d, f, false)
}

// format renders d (which must be valid) with Luxon's toFormat tokens in en-US; allowZ renders a zero
// fixed offset as "Z" (Luxon's technical formats).
func (e *Env) format(d *dateTime, f string, allowZ bool) string {
	b := make([]byte, 0, len(f)+16)
	for _, t := range e.tokens(f) {
		if t.literal {
			b = append(b, t.val...)
			continue
		}
		b = e.appendToken(b, d, t.val, allowZ)
	}
	return string(b)
}

func lastTwo(n int) int {
	s := strconv.Itoa(n)
	if len(s) > 2 {
		s = s[len(s)-2:]
	}
	v, _ := strconv.Atoi(s)
	return v
}

func (e *Env) appendToken(b []byte, d *dateTime, tok string, allowZ bool) []byte {
	c := d.c
	hour12 := c.hour % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch tok {
	case "S":
		return appendPadded(b, c.millisecond, 0)
	case "u", "SSS":
		return appendPadded(b, c.millisecond, 3)
	case "uu":
		return appendPadded(b, c.millisecond/10, 2)
	case "uuu":
		return appendPadded(b, c.millisecond/100, 0)
	case "s":
		return appendPadded(b, c.second, 0)
	case "ss":
		return appendPadded(b, c.second, 2)
	case "m":
		return appendPadded(b, c.minute, 0)
	case "mm":
		return appendPadded(b, c.minute, 2)
	case "h":
		return appendPadded(b, hour12, 0)
	case "hh":
		return appendPadded(b, hour12, 2)
	case "H":
		return appendPadded(b, c.hour, 0)
	case "HH":
		return appendPadded(b, c.hour, 2)
	case "Z", "ZZ", "ZZZ":
		if allowZ && d.z.universal() && d.o == 0 {
			return append(b, 'Z')
		}
		style := map[string]offsetStyle{"Z": offsetNarrow, "ZZ": offsetShort, "ZZZ": offsetTechie}[tok]
		return append(b, formatOffset(d.o, style)...)
	case "ZZZZ":
		return append(b, offsetName(d, false)...)
	case "ZZZZZ":
		return append(b, offsetName(d, true)...)
	case "z":
		return append(b, d.z.name...)
	case "a":
		if c.hour < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case "d":
		return appendPadded(b, c.day, 0)
	case "dd":
		return appendPadded(b, c.day, 2)
	case "c", "E":
		_, _, wd := d.weekData()
		return appendPadded(b, wd, 0)
	case "ccc", "EEE":
		_, _, wd := d.weekData()
		return append(b, weekdayNames[wd-1][:3]...)
	case "cccc", "EEEE":
		_, _, wd := d.weekData()
		return append(b, weekdayNames[wd-1]...)
	case "ccccc", "EEEEE":
		_, _, wd := d.weekData()
		return append(b, weekdayNames[wd-1][0])
	case "L", "M":
		return appendPadded(b, c.month, 0)
	case "LL", "MM":
		return appendPadded(b, c.month, 2)
	case "LLL", "MMM":
		return append(b, monthNames[c.month-1][:3]...)
	case "LLLL", "MMMM":
		return append(b, monthNames[c.month-1]...)
	case "LLLLL", "MMMMM":
		return append(b, monthNames[c.month-1][0])
	case "y":
		return appendPadded(b, c.year, 0)
	case "yy":
		return appendPadded(b, lastTwo(c.year), 2)
	case "yyyy":
		return appendPadded(b, c.year, 4)
	case "yyyyyy":
		return appendPadded(b, c.year, 6)
	case "G":
		return append(b, era(c.year, "BC", "AD")...)
	case "GG":
		return append(b, era(c.year, "Before Christ", "Anno Domini")...)
	case "GGGGG":
		return append(b, era(c.year, "B", "A")...)
	case "kk":
		wy, _, _ := d.weekData()
		return appendPadded(b, lastTwo(wy), 2)
	case "kkkk":
		wy, _, _ := d.weekData()
		return appendPadded(b, wy, 4)
	case "W":
		_, wn, _ := d.weekData()
		return appendPadded(b, wn, 0)
	case "WW":
		_, wn, _ := d.weekData()
		return appendPadded(b, wn, 2)
	case "n", "nn":
		_, wn, _ := localWeek(c.year, c.month, c.day)
		return appendPadded(b, wn, len(tok))
	case "ii":
		wy, _, _ := localWeek(c.year, c.month, c.day)
		return appendPadded(b, lastTwo(wy), 2)
	case "iiii":
		wy, _, _ := localWeek(c.year, c.month, c.day)
		return appendPadded(b, wy, 4)
	case "o":
		return appendPadded(b, ordinalOf(c.year, c.month, c.day), 0)
	case "ooo":
		return appendPadded(b, ordinalOf(c.year, c.month, c.day), 3)
	case "q":
		return appendPadded(b, (c.month+2)/3, 0)
	case "qq":
		return appendPadded(b, (c.month+2)/3, 2)
	case "X":
		return strconv.AppendInt(b, floorDiv(d.ts, 1000), 10)
	case "x":
		return strconv.AppendInt(b, d.ts, 10)
	}
	if opts, ok := macroTokens[tok]; ok {
		return append(b, e.localeString(d, opts)...)
	}
	return append(b, tok...)
}

func era(year int, bc, ad string) string {
	if year < 0 {
		return bc
	}
	return ad
}

// localWeek is the en-US locale week (weeks start on Sunday, week 1 holds
// January 1st): Luxon's localWeekYear, localWeekNumber, localWeekday.
func localWeek(y, m, d int) (weekYear, weekNumber, weekday int) {
	const startOfWeek, minDays = 7, 1
	local := func(iso int) int { return (iso-startOfWeek+7)%7 + 1 }
	firstWeekOffset := func(year int) int {
		return -local(isoWeekday(year, 1, minDays)) + minDays - 1
	}
	weeksIn := func(year int) int {
		return (daysInYear(year) - firstWeekOffset(year) + firstWeekOffset(year+1)) / 7
	}
	ordinal := ordinalOf(y, m, d)
	weekday = local(isoWeekday(y, m, d))
	weekNumber = int(math.Floor(float64(ordinal-weekday+14-minDays) / 7))
	switch {
	case weekNumber < 1:
		weekYear = y - 1
		weekNumber = weeksIn(weekYear)
	case weekNumber > weeksIn(y):
		weekYear = y + 1
		weekNumber = 1
	default:
		weekYear = y
	}
	return
}

// expandFormat is Luxon's DateTime.expandFormat for en-US macro tokens.
func expandFormat(f string) string {
	var b strings.Builder
	for _, t := range parseFormat(f) {
		if !t.literal {
			if exp, ok := macroExpansions[t.val]; ok {
				b.WriteString(exp)
				continue
			}
		}
		b.WriteString(t.val)
	}
	return b.String()
}

// macroExpansions are the en-US token sequences of Luxon's macro tokens (what
// fromFormat matches for them).
var macroExpansions = map[string]string{
	"D": "M/d/yyyyy", "DD": "MMM d, yyyyy", "DDD": "MMMM d, yyyyy", "DDDD": "EEEE, MMMM d, yyyyy",
	"t": "h:m a", "tt": "h:m:s a", "ttt": "h:m:s a ZZZ", "tttt": "h:m:s a ZZZZZ",
	"T": "H:m", "TT": "H:m:s", "TTT": "H:m:s ZZZ", "TTTT": "H:m:s ZZZZZ",
	"f": "M/d/yyyyy, h:m a", "ff": "MMM d, yyyyy, h:m a", "fff": "MMMM d, yyyyy at h:m a ZZZ",
	"ffff": "EEEE, MMMM d, yyyyy at h:m a ZZZZZ",
	"F":    "M/d/yyyyy, h:m:s a", "FF": "MMM d, yyyyy, h:m:s a", "FFF": "MMMM d, yyyyy at h:m:s a ZZZ",
	"FFFF": "EEEE, MMMM d, yyyyy at h:m:s a ZZZZZ",
}

// offsetName is the zone's name for the offset at d (Intl's timeZoneName in
// en-US for IANA zones; the zone's own name for fixed zones).
func offsetName(d *dateTime, long bool) string {
	if d.z.kind != zoneIANA {
		return d.z.name
	}
	abbr, _ := d.time().Zone()
	dst := d.isInDST()
	if long {
		if names, ok := metazoneLong[d.z.name]; ok {
			if dst {
				return names[1]
			}
			return names[0]
		}
		if d.o == 0 {
			return "GMT"
		}
		return "GMT" + formatOffset(d.o, offsetShort)
	}
	switch {
	case usShortZones[d.z.name]:
		return abbr
	case d.z.name == "Etc/UTC" || d.z.name == "Etc/GMT" || d.z.name == "UTC" || d.z.name == "Etc/Universal" || d.z.name == "Etc/Zulu":
		return "UTC"
	case d.o == 0 && gmtZones[d.z.name]:
		return "GMT"
	}
	return "GMT" + formatOffset(d.o, offsetNarrow)
}

var usShortZones = map[string]bool{
	"America/New_York": true, "America/Detroit": true, "America/Toronto": true, "America/Chicago": true,
	"America/Denver": true, "America/Phoenix": true, "America/Los_Angeles": true, "America/Anchorage": true,
	"Pacific/Honolulu": true, "America/Halifax": true, "America/Mexico_City": true, "America/Boise": true,
	"America/Indiana/Indianapolis": true, "America/Winnipeg": true, "America/Edmonton": true,
	"America/Vancouver": true, "America/Regina": true, "America/Juneau": true, "America/Puerto_Rico": true,
	"US/Eastern": true, "US/Central": true, "US/Mountain": true, "US/Pacific": true, "US/Alaska": true,
	"US/Hawaii": true, "US/Arizona": true, "EST5EDT": true, "CST6CDT": true, "MST7MDT": true, "PST8PDT": true,
}

var gmtZones = map[string]bool{
	"Europe/London": true, "Europe/Dublin": true, "Africa/Abidjan": true, "Africa/Accra": true,
	"Atlantic/Reykjavik": true, "GMT": true, "Europe/Belfast": true, "Europe/Guernsey": true,
	"Europe/Isle_of_Man": true, "Europe/Jersey": true,
}

var (
	eastern      = [2]string{"Eastern Standard Time", "Eastern Daylight Time"}
	central      = [2]string{"Central Standard Time", "Central Daylight Time"}
	mountain     = [2]string{"Mountain Standard Time", "Mountain Daylight Time"}
	pacific      = [2]string{"Pacific Standard Time", "Pacific Daylight Time"}
	centralEU    = [2]string{"Central European Standard Time", "Central European Summer Time"}
	easternEU    = [2]string{"Eastern European Standard Time", "Eastern European Summer Time"}
	westernEU    = [2]string{"Western European Standard Time", "Western European Summer Time"}
	utcNames     = [2]string{"Coordinated Universal Time", "Coordinated Universal Time"}
	metazoneLong = map[string][2]string{
		"America/New_York": eastern, "America/Detroit": eastern, "America/Toronto": eastern, "US/Eastern": eastern,
		"America/Indiana/Indianapolis": eastern, "EST5EDT": eastern,
		"America/Chicago": central, "America/Mexico_City": {"Central Standard Time", "Central Daylight Time"},
		"America/Winnipeg": central, "US/Central": central, "America/Regina": central, "CST6CDT": central,
		"America/Denver": mountain, "America/Phoenix": mountain, "America/Boise": mountain, "America/Edmonton": mountain,
		"US/Mountain": mountain, "US/Arizona": mountain, "MST7MDT": mountain,
		"America/Los_Angeles": pacific, "America/Vancouver": pacific, "US/Pacific": pacific, "PST8PDT": pacific,
		"America/Anchorage": {"Alaska Standard Time", "Alaska Daylight Time"}, "America/Juneau": {"Alaska Standard Time", "Alaska Daylight Time"},
		"US/Alaska":           {"Alaska Standard Time", "Alaska Daylight Time"},
		"Pacific/Honolulu":    {"Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Daylight Time"},
		"US/Hawaii":           {"Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Daylight Time"},
		"America/Halifax":     {"Atlantic Standard Time", "Atlantic Daylight Time"},
		"America/Puerto_Rico": {"Atlantic Standard Time", "Atlantic Daylight Time"},
		"America/St_Johns":    {"Newfoundland Standard Time", "Newfoundland Daylight Time"},
		"Europe/Berlin":       centralEU, "Europe/Paris": centralEU, "Europe/Madrid": centralEU, "Europe/Rome": centralEU,
		"Europe/Amsterdam": centralEU, "Europe/Zurich": centralEU, "Europe/Warsaw": centralEU, "Europe/Stockholm": centralEU,
		"Europe/Vienna": centralEU, "Europe/Brussels": centralEU, "Europe/Prague": centralEU, "Europe/Budapest": centralEU,
		"Europe/Oslo": centralEU, "Europe/Copenhagen": centralEU, "Europe/Belgrade": centralEU, "Europe/Luxembourg": centralEU,
		"Europe/Monaco": centralEU, "Europe/Malta": centralEU, "Europe/Zagreb": centralEU, "Europe/Ljubljana": centralEU,
		"Europe/Bratislava": centralEU, "Africa/Tunis": centralEU, "Africa/Algiers": centralEU,
		"Europe/Helsinki": easternEU, "Europe/Kyiv": easternEU, "Europe/Kiev": easternEU, "Europe/Athens": easternEU,
		"Europe/Bucharest": easternEU, "Europe/Sofia": easternEU, "Europe/Riga": easternEU, "Europe/Vilnius": easternEU,
		"Europe/Tallinn": easternEU, "Africa/Cairo": easternEU, "Asia/Beirut": easternEU, "Europe/Chisinau": easternEU,
		"Europe/Lisbon": westernEU, "Atlantic/Canary": westernEU, "Atlantic/Madeira": westernEU,
		"Europe/London": {"Greenwich Mean Time", "British Summer Time"},
		"Europe/Dublin": {"Greenwich Mean Time", "Irish Standard Time"},
		"Etc/UTC":       utcNames, "Etc/GMT": utcNames, "UTC": utcNames, "Etc/Universal": utcNames, "Etc/Zulu": utcNames,
		"Europe/Moscow":                  {"Moscow Standard Time", "Moscow Summer Time"},
		"Europe/Istanbul":                {"Türkiye Standard Time", "Türkiye Summer Time"},
		"Asia/Jerusalem":                 {"Israel Standard Time", "Israel Daylight Time"},
		"Asia/Tokyo":                     {"Japan Standard Time", "Japan Daylight Time"},
		"Asia/Seoul":                     {"Korean Standard Time", "Korean Daylight Time"},
		"Asia/Shanghai":                  {"China Standard Time", "China Daylight Time"},
		"Asia/Hong_Kong":                 {"Hong Kong Standard Time", "Hong Kong Summer Time"},
		"Asia/Singapore":                 {"Singapore Standard Time", "Singapore Standard Time"},
		"Asia/Kolkata":                   {"India Standard Time", "India Standard Time"},
		"Asia/Calcutta":                  {"India Standard Time", "India Standard Time"},
		"Asia/Dubai":                     {"Gulf Standard Time", "Gulf Standard Time"},
		"Asia/Karachi":                   {"Pakistan Standard Time", "Pakistan Summer Time"},
		"Asia/Dhaka":                     {"Bangladesh Standard Time", "Bangladesh Summer Time"},
		"Asia/Bangkok":                   {"Indochina Time", "Indochina Time"},
		"Asia/Jakarta":                   {"Western Indonesia Time", "Western Indonesia Time"},
		"Asia/Manila":                    {"Philippine Standard Time", "Philippine Summer Time"},
		"Asia/Tehran":                    {"Iran Standard Time", "Iran Daylight Time"},
		"Asia/Kathmandu":                 {"Nepal Time", "Nepal Time"},
		"Australia/Sydney":               {"Australian Eastern Standard Time", "Australian Eastern Daylight Time"},
		"Australia/Melbourne":            {"Australian Eastern Standard Time", "Australian Eastern Daylight Time"},
		"Australia/Brisbane":             {"Australian Eastern Standard Time", "Australian Eastern Daylight Time"},
		"Australia/Adelaide":             {"Australian Central Standard Time", "Australian Central Daylight Time"},
		"Australia/Perth":                {"Australian Western Standard Time", "Australian Western Daylight Time"},
		"Pacific/Auckland":               {"New Zealand Standard Time", "New Zealand Daylight Time"},
		"America/Sao_Paulo":              {"Brasilia Standard Time", "Brasilia Summer Time"},
		"America/Argentina/Buenos_Aires": {"Argentina Standard Time", "Argentina Summer Time"},
		"America/Bogota":                 {"Colombia Standard Time", "Colombia Summer Time"},
		"America/Lima":                   {"Peru Standard Time", "Peru Summer Time"},
		"America/Santiago":               {"Chile Standard Time", "Chile Summer Time"},
		"America/Caracas":                {"Venezuela Time", "Venezuela Time"},
		"Africa/Johannesburg":            {"South Africa Standard Time", "South Africa Standard Time"},
		"Africa/Lagos":                   {"West Africa Standard Time", "West Africa Summer Time"},
		"Africa/Nairobi":                 {"East Africa Time", "East Africa Time"},
	}
)
