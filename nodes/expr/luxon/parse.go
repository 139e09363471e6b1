package luxon

import (
	"regexp"
	"strconv"
	"strings"
)

// parseResult is what a parser extracted: unit values plus an optional zone
// (a fixed offset, or an IANA name) and, for fromFormat, a specific offset.
type parseResult struct {
	u        dtUnits
	hasOff   bool
	off      int // seconds
	iana     string
	specific *int
}

func (r *parseResult) hasZone() bool { return r.hasOff || r.iana != "" }

// fromParsed is Luxon's parseDataToDateTime: interpret the parsed fields in the
// parsed zone (or z), then convert to z unless setZone is true.
func (e *Env) fromParsed(text string, parse func(string) (parseResult, bool), format string, z *zone, setZone bool) (*dateTime, error) {
	r, ok := parse(text)
	return e.resolveParsed(r, ok, text, format, z, setZone)
}

func (e *Env) resolveParsed(r parseResult, ok bool, text, format string, z *zone, setZone bool) (*dateTime, error) {
	if !ok || (r.u.empty() && !r.hasZone()) {
		return invalidDT("unparsable", `the input "`+text+`" can't be parsed as `+format), nil
	}
	interp := z
	switch {
	case r.iana != "":
		interp = e.zones.lookup(r.iana)
	case r.hasOff:
		interp = fixedZone(r.off)
	}
	d, err := e.fromObject(&r.u, interp, r.specific)
	if err != nil || setZone {
		return d, err
	}
	return d.setZone(z, false), nil
}

// isoScanner walks an ISO 8601 / SQL string.
type isoScanner struct {
	s string
	i int
}

func (p *isoScanner) eof() bool { return p.i >= len(p.s) }

func (p *isoScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// fixed reads exactly n digits.
func (p *isoScanner) fixed(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for k := 0; k < n; k++ {
		c := p.s[p.i+k]
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

// sepDigits reads an optional separator followed by exactly n digits; on
// failure nothing is consumed.
func (p *isoScanner) sepDigits(sep byte, n int) (int, bool) {
	save := p.i
	if p.peek() == sep {
		p.i++
	}
	v, ok := p.fixed(n)
	if !ok {
		p.i = save
	}
	return v, ok
}

// time reads Luxon's isoTimeBaseRegex: HH[:mm[:ss[.fff]]].
func (p *isoScanner) time(u *dtUnits) bool {
	h, ok := p.fixed(2)
	if !ok {
		return false
	}
	u.set(dHour, float64(h))
	m, s := 0, 0
	if mm, ok := p.sepDigits(':', 2); ok {
		m = mm
		if ss, ok := p.sepDigits(':', 2); ok {
			s = ss
			if c := p.peek(); (c == '.' || c == ',') && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]) {
				start := p.i + 1
				end := start
				for end < len(p.s) && isDigit(p.s[end]) && end-start < 30 {
					end++
				}
				u.set(dMillisecond, parseMillis(p.s[start:end]))
				p.i = end
			}
		}
	}
	u.set(dMinute, float64(m))
	u.set(dSecond, float64(s))
	return true
}

// parseMillis is Luxon's: floor(parseFloat("0." + fraction) * 1000).
func parseMillis(fraction string) float64 {
	f, err := strconv.ParseFloat("0."+fraction, 64)
	if err != nil {
		return 0
	}
	x := f * 1000
	return float64(int64(x))
}

// offset reads Z or ±HH[[:]mm]; ok is false when none is there.
func (p *isoScanner) offset(r *parseResult) bool {
	c := p.peek()
	if c == 'Z' {
		p.i++
		r.hasOff, r.off = true, 0
		return true
	}
	if c != '+' && c != '-' {
		return false
	}
	save := p.i
	p.i++
	h, ok := p.fixed(2)
	if !ok {
		p.i = save
		return false
	}
	m := 0
	if mm, ok := p.sepDigits(':', 2); ok {
		m = mm
	}
	off := h*3600 + m*60
	if c == '-' {
		off = -off
	}
	r.hasOff, r.off = true, off
	return true
}

func isIANAChar(c byte) bool {
	return c == '_' || c == '+' || c == '-' || c == '/' || c == ':' ||
		(c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || isDigit(c)
}

// ianaRun reads an IANA-looking name starting with a letter, '_', '+' or '-'.
func (p *isoScanner) ianaRun() string {
	start := p.i
	if c := p.peek(); !(c == '_' || c == '+' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
		return ""
	}
	for p.i < len(p.s) && isIANAChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// zoneSuffix reads the ISO time's optional offset and [IANA] suffix.
func (p *isoScanner) zoneSuffix(r *parseResult) {
	p.offset(r)
	if p.peek() == '[' {
		save := p.i
		p.i++
		name := p.ianaRun()
		if name != "" && p.peek() == ']' {
			p.i++
			r.iana = name
		} else {
			p.i = save
		}
	}
}

// timeExtension reads an optional "T" + time + zone.
func (p *isoScanner) timeExtension(r *parseResult) {
	if p.peek() != 'T' {
		r.u.set(dHour, 0)
		r.u.set(dMinute, 0)
		r.u.set(dSecond, 0)
		return
	}
	save := p.i
	p.i++
	var u dtUnits
	if !p.time(&u) {
		p.i = save
		r.u.set(dHour, 0)
		r.u.set(dMinute, 0)
		r.u.set(dSecond, 0)
		return
	}
	overlay(&r.u, &u)
	p.zoneSuffix(r)
}

// parseISO is Luxon's parseISODate: calendar, week and ordinal dates with an
// optional time, or a time alone.
func parseISO(s string) (parseResult, bool) {
	if r, ok := parseISOYmd(s); ok {
		return r, true
	}
	if r, ok := parseISOWeek(s); ok {
		return r, true
	}
	if r, ok := parseISOOrdinal(s); ok {
		return r, true
	}
	var r parseResult
	p := isoScanner{s: s}
	if !p.time(&r.u) {
		return r, false
	}
	p.zoneSuffix(&r)
	return r, p.eof()
}

func (p *isoScanner) year() (int, bool) {
	if c := p.peek(); c == '+' || c == '-' {
		p.i++
		y, ok := p.fixed(6)
		if c == '-' {
			y = -y
		}
		return y, ok
	}
	return p.fixed(4)
}

func parseISOYmd(s string) (parseResult, bool) {
	var r parseResult
	p := isoScanner{s: s}
	y, ok := p.year()
	if !ok {
		return r, false
	}
	month, day := 1, 1
	if m, ok := p.sepDigits('-', 2); ok {
		month = m
		if d, ok := p.sepDigits('-', 2); ok {
			day = d
		}
	}
	r.u.set(dYear, float64(y))
	r.u.set(dMonth, float64(month))
	r.u.set(dDay, float64(day))
	p.timeExtension(&r)
	return r, p.eof()
}

func parseISOWeek(s string) (parseResult, bool) {
	var r parseResult
	p := isoScanner{s: s}
	wy, ok := p.fixed(4)
	if !ok {
		return r, false
	}
	if p.peek() == '-' {
		p.i++
	}
	if p.peek() != 'W' {
		return r, false
	}
	p.i++
	wn, ok := p.fixed(2)
	if !ok {
		return r, false
	}
	r.u.set(dWeekYear, float64(wy))
	r.u.set(dWeekNumber, float64(wn))
	if wd, ok := p.sepDigits('-', 1); ok {
		r.u.set(dWeekday, float64(wd))
	}
	p.timeExtension(&r)
	return r, p.eof()
}

func parseISOOrdinal(s string) (parseResult, bool) {
	var r parseResult
	p := isoScanner{s: s}
	y, ok := p.fixed(4)
	if !ok {
		return r, false
	}
	o, ok := p.sepDigits('-', 3)
	if !ok {
		return r, false
	}
	r.u.set(dYear, float64(y))
	r.u.set(dOrdinal, float64(o))
	p.timeExtension(&r)
	return r, p.eof()
}

// parseSQL is Luxon's parseSQL: "yyyy-MM-dd[ HH:mm[:ss[.SSS]][ ][offset|zone]]"
// or the time part alone.
func parseSQL(s string) (parseResult, bool) {
	var r parseResult
	p := isoScanner{s: s}
	if y, ok := p.fixed(4); ok && p.peek() == '-' {
		p.i++
		m, ok1 := p.fixed(2)
		if ok1 && p.peek() == '-' {
			p.i++
			if d, ok2 := p.fixed(2); ok2 {
				r.u.set(dYear, float64(y))
				r.u.set(dMonth, float64(m))
				r.u.set(dDay, float64(d))
				if p.peek() == ' ' {
					save := p.i
					p.i++
					var u dtUnits
					if p.time(&u) {
						overlay(&r.u, &u)
						p.sqlZone(&r)
					} else {
						p.i = save
					}
				}
				if !r.u.isSet(dHour) {
					r.u.set(dHour, 0)
					r.u.set(dMinute, 0)
					r.u.set(dSecond, 0)
				}
				if p.eof() {
					return r, true
				}
			}
		}
	}
	r = parseResult{}
	p = isoScanner{s: s}
	if !p.time(&r.u) {
		return r, false
	}
	p.sqlZone(&r)
	return r, p.eof()
}

// sqlZone reads SQL's optional " " then an offset or an IANA name.
func (p *isoScanner) sqlZone(r *parseResult) {
	save := p.i
	if p.peek() == ' ' {
		p.i++
	}
	if p.offset(r) {
		return
	}
	if name := p.ianaRun(); name != "" {
		r.iana = name
		return
	}
	p.i = save
}

var (
	monthShortNames = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthNames      = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	weekdayNames    = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

	rfc2822Re = regexp.MustCompile(`^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s)?(\d{1,2})\s(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s(\d{2,4})\s(\d\d):(\d\d)(?::(\d\d))?\s(?:(UT|GMT|[ECMP][SD]T)|([Zz])|(?:([+-]\d\d)(\d\d)))$`)
	rfc1123Re = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$`)
	rfc850Re  = regexp.MustCompile(`^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-(\d\d) (\d\d):(\d\d):(\d\d) GMT$`)
	asciiRe   = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ( \d|\d\d) (\d\d):(\d\d):(\d\d) (\d{4})$`)

	rfcCommentRe = regexp.MustCompile(`\([^()]*\)|[\n\t]`)
	rfcSpacesRe  = regexp.MustCompile(`\s\s+`)
)

// untruncateYear maps two-digit years: > 60 to the 1900s, else the 2000s.
func untruncateYear(y int) int {
	if y > 99 {
		return y
	}
	if y > 60 {
		return 1900 + y
	}
	return 2000 + y
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// fromStrings is Luxon's helper for RFC 2822 and HTTP dates.
func fromStrings(weekday, year, month, day, hour, minute, second string) dtUnits {
	var u dtUnits
	y := atoi(year)
	if len(year) == 2 {
		y = untruncateYear(y)
	}
	u.set(dYear, float64(y))
	u.set(dMonth, float64(indexOf(monthShortNames, month)+1))
	u.set(dDay, float64(atoi(day)))
	u.set(dHour, float64(atoi(hour)))
	u.set(dMinute, float64(atoi(minute)))
	if second != "" {
		u.set(dSecond, float64(atoi(second)))
	}
	if weekday != "" {
		wd := 0
		if len(weekday) > 3 {
			wd = indexOf(weekdayNames, weekday) + 1
		} else {
			for i, n := range weekdayNames {
				if n[:3] == weekday {
					wd = i + 1
				}
			}
		}
		u.set(dWeekday, float64(wd))
	}
	return u
}

var obsOffsets = map[string]int{
	"GMT": 0, "EDT": -4 * 60, "EST": -5 * 60, "CDT": -5 * 60, "CST": -6 * 60,
	"MDT": -6 * 60, "MST": -7 * 60, "PDT": -7 * 60, "PST": -8 * 60,
}

// parseRFC2822 is Luxon's parseRFC2822Date.
func parseRFC2822(s string) (parseResult, bool) {
	s = rfcCommentRe.ReplaceAllString(s, " ")
	s = strings.TrimSpace(rfcSpacesRe.ReplaceAllString(s, " "))
	m := rfc2822Re.FindStringSubmatch(s)
	if m == nil {
		return parseResult{}, false
	}
	r := parseResult{u: fromStrings(m[1], m[4], m[3], m[2], m[5], m[6], m[7]), hasOff: true}
	switch {
	case m[8] != "":
		r.off = obsOffsets[m[8]] * 60
	case m[9] != "":
		r.off = 0
	default:
		r.off = signedOffset(m[10], m[11]) * 60
	}
	return r, true
}

// signedOffset is Luxon's: minutes from "+05"/"-05" and "30".
func signedOffset(hourStr, minStr string) int {
	h, _ := strconv.Atoi(strings.TrimPrefix(hourStr, "+"))
	m, _ := strconv.Atoi(minStr)
	if h < 0 || strings.HasPrefix(hourStr, "-") {
		m = -m
	}
	return h*60 + m
}

// parseHTTP is Luxon's parseHTTPDate (RFC 1123, RFC 850, asctime), always UTC.
func parseHTTP(s string) (parseResult, bool) {
	if m := rfc1123Re.FindStringSubmatch(s); m != nil {
		return parseResult{u: fromStrings(m[1], m[4], m[3], m[2], m[5], m[6], m[7]), hasOff: true}, true
	}
	if m := rfc850Re.FindStringSubmatch(s); m != nil {
		return parseResult{u: fromStrings(m[1], m[4], m[3], m[2], m[5], m[6], m[7]), hasOff: true}, true
	}
	if m := asciiRe.FindStringSubmatch(s); m != nil {
		return parseResult{u: fromStrings(m[1], m[7], m[2], m[3], m[4], m[5], m[6]), hasOff: true}, true
	}
	return parseResult{}, false
}
