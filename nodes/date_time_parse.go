package nodes

// Parsing date strings the way n8n's Date & Time node does: through
// moment(string), which tries ISO 8601, then RFC 2822, then falls back to
// JavaScript's Date parser. Strings without an offset are read in UTC (the
// zone n8n's process runs in for the conformance corpus).

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	isoExtendedRE = regexp.MustCompile(`^\s*((?:[+-]\d{6}|\d{4})-(?:\d\d-\d\d|W\d\d-\d|W\d\d|\d\d\d|\d\d))(?:(T| )(\d\d(?::\d\d(?::\d\d(?:[.,]\d+)?)?)?)([+-]\d\d(?::?\d\d)?|\s*Z)?)?$`)
	isoBasicRE    = regexp.MustCompile(`^\s*((?:[+-]\d{6}|\d{4})(?:\d\d\d\d|W\d\d\d|W\d\d|\d\d\d|\d\d|))(?:(T| )(\d\d(?:\d\d(?:\d\d(?:[.,]\d+)?)?)?)([+-]\d\d(?::?\d\d)?|\s*Z)?)?$`)
	isoOffsetRE   = regexp.MustCompile(`^([+-])(\d\d):?(\d\d)?$`)
	rfcCommentRE  = regexp.MustCompile(`\([^()]*\)|[\n\t]`)
	spacesRE      = regexp.MustCompile(`\s\s+`)
	parenRE       = regexp.MustCompile(`\([^()]*\)`)
	jsTimeRE      = regexp.MustCompile(`^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?`)
	jsOffsetRE    = regexp.MustCompile(`^[+-](\d{1,4}):?(\d{2})?`)
	rfc2822RE     = regexp.MustCompile(`^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s)?(\d{1,2})\s(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s(\d{2,4})\s(\d\d):(\d\d)(?::(\d\d))?\s(?:(UT|GMT|[ECMP][SD]T)|([Zz])|([+-]\d{4}))$`)
)

// parseMomentString returns the instant moment(s) gives, in epoch
// milliseconds, or false when moment finds the string invalid.
func parseMomentString(s string) (int64, bool) {
	if ms, ok, matched := parseISOLike(s); matched {
		return ms, ok
	}
	if ms, ok, matched := parseRFC2822(s); matched {
		return ms, ok
	}
	return parseJSDate(s)
}

// parseISOLike is moment's ISO 8601 parser; matched is false when s is not
// ISO-shaped at all.
func parseISOLike(s string) (ms int64, ok, matched bool) {
	m := isoExtendedRE.FindStringSubmatch(s)
	extended := true
	if m == nil {
		m = isoBasicRE.FindStringSubmatch(s)
		extended = false
	}
	if m == nil {
		return 0, false, false
	}
	datePart, timePart, zonePart := m[1], m[3], m[4]
	y, mo, d, ok := isoDate(datePart, extended)
	if !ok {
		return 0, false, true
	}
	h, mi, sec, milli := 0, 0, 0, 0
	if timePart != "" {
		digits := strings.ReplaceAll(timePart, ":", "")
		frac := ""
		if i := strings.IndexAny(digits, ".,"); i >= 0 {
			frac = digits[i+1:]
			digits = digits[:i]
		}
		h, _ = strconv.Atoi(digits[:2])
		if len(digits) >= 4 {
			mi, _ = strconv.Atoi(digits[2:4])
		}
		if len(digits) >= 6 {
			sec, _ = strconv.Atoi(digits[4:6])
		}
		if frac != "" {
			f, _ := strconv.ParseFloat("0."+frac, 64)
			milli = int(f * 1000)
		}
	}
	if h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi != 0 || sec != 0 || milli != 0)) {
		return 0, false, true
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, milli*1e6, time.UTC)
	ms = t.UnixMilli()
	zonePart = strings.TrimSpace(zonePart)
	switch {
	case zonePart == "" || zonePart == "Z":
	default:
		zm := isoOffsetRE.FindStringSubmatch(zonePart)
		if zm == nil {
			return 0, false, true
		}
		oh, _ := strconv.Atoi(zm[2])
		om, _ := strconv.Atoi(zm[3])
		off := int64(oh*60+om) * 60000
		if zm[1] == "-" {
			off = -off
		}
		ms -= off
	}
	return ms, true, true
}

// isoDate reads moment's ISO date forms: calendar, week and ordinal dates.
func isoDate(s string, extended bool) (y, m, d int, ok bool) {
	sign := 1
	if s[0] == '+' || s[0] == '-' {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
		y, _ = strconv.Atoi(s[:6])
		s = s[6:]
	} else {
		y, _ = strconv.Atoi(s[:4])
		s = s[4:]
	}
	y *= sign
	s = strings.TrimPrefix(s, "-")
	if !extended && strings.Contains(s, "-") {
		return 0, 0, 0, false
	}
	switch {
	case strings.HasPrefix(s, "W"):
		w, _ := strconv.Atoi(s[1:3])
		wd := 1
		if len(s) > 3 {
			wd, _ = strconv.Atoi(strings.TrimPrefix(s[3:], "-"))
		}
		if w < 1 || w > isoWeeksInYear(y) || wd < 1 || wd > 7 {
			return 0, 0, 0, false
		}
		// ISO week 1 holds January 4th.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		t := monday.AddDate(0, 0, (w-1)*7+wd-1)
		return t.Year(), int(t.Month()), t.Day(), true
	case len(s) == 0:
		return y, 1, 1, true
	case len(s) == 2:
		m, _ = strconv.Atoi(s)
		return y, m, 1, m >= 1 && m <= 12
	case len(s) == 3:
		o, _ := strconv.Atoi(s)
		if o < 1 || o > time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() {
			return 0, 0, 0, false
		}
		t := time.Date(y, 1, o, 0, 0, 0, 0, time.UTC)
		return t.Year(), int(t.Month()), t.Day(), true
	case len(s) == 4 || (len(s) == 5 && s[2] == '-'):
		s = strings.ReplaceAll(s, "-", "")
		m, _ = strconv.Atoi(s[:2])
		d, _ = strconv.Atoi(s[2:4])
		if m < 1 || m > 12 || d < 1 || d > monthDays(y, m) {
			return 0, 0, 0, false
		}
		return y, m, d, true
	}
	return 0, 0, 0, false
}

// monthDays is the number of days in month m (1 to 12) of year y.
func monthDays(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isoWeeksInYear(y int) int {
	_, w := time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

var rfcZoneOffsets = map[string]int{"UT": 0, "GMT": 0, "EDT": -4 * 60, "EST": -5 * 60, "CDT": -5 * 60, "CST": -6 * 60, "MDT": -6 * 60, "MST": -7 * 60, "PDT": -7 * 60, "PST": -8 * 60}

// parseRFC2822 is moment's RFC 2822 parser.
func parseRFC2822(s string) (ms int64, ok, matched bool) {
	s = rfcCommentRE.ReplaceAllString(s, " ")
	s = spacesRE.ReplaceAllString(s, " ")
	s = strings.TrimSpace(s)
	m := rfc2822RE.FindStringSubmatch(s)
	if m == nil {
		return 0, false, false
	}
	day, _ := strconv.Atoi(m[2])
	mon := strings.Index("JanFebMarAprMayJunJulAugSepOctNovDec", m[3])/3 + 1
	y, _ := strconv.Atoi(m[4])
	if len(m[4]) <= 2 {
		if y <= 49 {
			y += 2000
		} else {
			y += 1900
		}
	}
	h, _ := strconv.Atoi(m[5])
	mi, _ := strconv.Atoi(m[6])
	sec, _ := strconv.Atoi(m[7])
	if day < 1 || day > monthDays(y, mon) || h > 23 || mi > 59 || sec > 59 {
		return 0, false, true
	}
	t := time.Date(y, time.Month(mon), day, h, mi, sec, 0, time.UTC)
	if m[1] != "" && t.Weekday().String()[:3] != m[1] {
		return 0, false, true
	}
	off := 0
	switch {
	case m[8] != "":
		off = rfcZoneOffsets[m[8]]
	case m[10] != "":
		hh, _ := strconv.Atoi(m[10][1:3])
		mm, _ := strconv.Atoi(m[10][3:5])
		off = hh*60 + mm
		if m[10][0] == '-' {
			off = -off
		}
	}
	return t.UnixMilli() - int64(off)*60000, true, true
}

// parseJSDate approximates JavaScript's legacy Date parser (new Date(s))
// for the forms people write: month names or numbers in m/d/y or y/m/d
// order, an optional time with AM/PM, and an optional zone.
func parseJSDate(s string) (int64, bool) {
	s = parenRE.ReplaceAllString(s, " ")
	var nums []int
	var numLens []int
	month, h, mi, sec, milli := 0, -1, 0, 0, 0
	pm, am := false, false
	off, hasOff := 0, false
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == ':' && h < 0 {
				// A time: h:mm[:ss[.ms]]
				tm := jsTimeRE.FindStringSubmatch(s[i:])
				if tm == nil {
					return 0, false
				}
				h, _ = strconv.Atoi(tm[1])
				mi, _ = strconv.Atoi(tm[2])
				sec, _ = strconv.Atoi(tm[3])
				if tm[4] != "" {
					f, _ := strconv.ParseFloat("0."+tm[4], 64)
					milli = int(f * 1000)
				}
				i += len(tm[0])
				continue
			}
			n, _ := strconv.Atoi(s[i:j])
			nums = append(nums, n)
			numLens = append(numLens, j-i)
			i = j
		case c == '+' || c == '-':
			om := jsOffsetRE.FindStringSubmatch(s[i:])
			if om != nil && (hasOff || h >= 0) {
				a, _ := strconv.Atoi(om[1])
				b, _ := strconv.Atoi(om[2])
				if len(om[1]) > 2 {
					if om[2] != "" {
						return 0, false
					}
					a, b = a/100, a%100
				}
				off = a*60 + b
				if c == '-' {
					off = -off
				}
				hasOff = true
				i += len(om[0])
				continue
			}
			i++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '.') {
				j++
			}
			word := strings.ToLower(strings.TrimSuffix(s[i:j], "."))
			i = j
			switch {
			case word == "am" || word == "a.m":
				am = true
			case word == "pm" || word == "p.m":
				pm = true
			case word == "z" || word == "utc" || word == "gmt" || word == "ut":
				hasOff = true
			case rfcZoneOffsets[strings.ToUpper(word)] != 0:
				off, hasOff = rfcZoneOffsets[strings.ToUpper(word)], true
			case len(word) >= 3 && monthIndex(word[:3]) > 0:
				month = monthIndex(word[:3])
			case len(word) >= 3 && isWeekdayPrefix(word[:3]):
			case word == "t" || word == "at" || word == "of":
			default:
				return 0, false
			}
		default:
			i++
		}
	}
	y, d := 2001, 1
	switch {
	case month > 0:
		switch len(nums) {
		case 0:
		case 1:
			if nums[0] > 31 {
				y = nums[0]
			} else {
				d = nums[0]
			}
		default:
			if nums[0] > 31 || numLens[0] >= 3 {
				y, d = nums[0], nums[1]
			} else {
				d, y = nums[0], nums[1]
			}
		}
	case len(nums) >= 3:
		if nums[0] > 31 || numLens[0] >= 3 {
			y, month, d = nums[0], nums[1], nums[2]
		} else {
			month, d, y = nums[0], nums[1], nums[2]
		}
	case len(nums) == 2:
		if nums[0] > 31 || numLens[0] >= 3 {
			y, month = nums[0], nums[1]
		} else {
			month, d = nums[0], nums[1]
		}
	default:
		return 0, false
	}
	if y < 50 && y >= 0 {
		y += 2000
	} else if y < 100 && y >= 0 {
		y += 1900
	}
	if h < 0 {
		h = 0
	}
	if pm && h < 12 {
		h += 12
	}
	if am && h == 12 {
		h = 0
	}
	if month < 1 || month > 12 || d < 1 || d > monthDays(y, month) || h > 24 || mi > 59 || sec > 59 {
		return 0, false
	}
	t := time.Date(y, time.Month(month), d, h, mi, sec, milli*1e6, time.UTC)
	return t.UnixMilli() - int64(off)*60000, true
}

func monthIndex(prefix string) int {
	i := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", prefix)
	if i < 0 || i%3 != 0 {
		return 0
	}
	return i/3 + 1
}

func isWeekdayPrefix(prefix string) bool {
	i := strings.Index("monwedthufrisatsuntue", prefix)
	return i >= 0 && i%3 == 0
}
