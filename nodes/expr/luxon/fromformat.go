package luxon

import (
	"regexp"
	"strconv"
	"strings"
)

// deserKind says how a matched token becomes a value.
type deserKind uint8

const (
	deserInt deserKind = iota
	deserUntruncate
	deserOneOf
	deserOffset
	deserString
)

// parseUnit is one token of a fromFormat pattern (Luxon's unitForToken).
type parseUnit struct {
	key     byte // first character of the token; 0 for literals
	literal bool
	groups  int // capture groups beyond the unit's own
	kind    deserKind
	list    []string
	start   int
}

// formatParser is a compiled fromFormat pattern.
type formatParser struct {
	re    *regexp.Regexp
	units []parseUnit
}

func sp() fmtToken                   { return fmtToken{val: " "} }
func lit(s string) fmtToken          { return fmtToken{literal: true, val: s} }
func tok(v string) fmtToken          { return fmtToken{val: v} }
func toks(vs ...fmtToken) []fmtToken { return vs }

// macroTokenLists are what Luxon derives from en-US Intl parts for each macro
// token: whitespace parts become the " " token that matches any space.
var macroTokenLists = func() map[string][]fmtToken {
	slash := lit("/")
	colon := lit(":")
	comma := lit(", ")
	at := lit(" at ")
	dShort := toks(tok("M"), slash, tok("d"), slash, tok("yyyyy"))
	dMed := toks(tok("MMM"), sp(), tok("d"), comma, tok("yyyyy"))
	dFull := toks(tok("MMMM"), sp(), tok("d"), comma, tok("yyyyy"))
	dHuge := append(toks(tok("EEEE"), comma), dFull...)
	t := toks(tok("h"), colon, tok("m"), sp(), tok("a"))
	tt := toks(tok("h"), colon, tok("m"), colon, tok("s"), sp(), tok("a"))
	cat := func(parts ...[]fmtToken) []fmtToken {
		var out []fmtToken
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return map[string][]fmtToken{
		"D": dShort, "DD": dMed, "DDD": dFull, "DDDD": dHuge,
		"t": t, "tt": tt,
		"ttt":  cat(tt, toks(sp(), tok("ZZZ"))),
		"tttt": cat(tt, toks(sp(), tok("ZZZZZ"))),
		"T":    toks(tok("H"), colon, tok("m")),
		"TT":   toks(tok("H"), colon, tok("m"), colon, tok("s")),
		"TTT":  toks(tok("H"), colon, tok("m"), colon, tok("s"), sp(), tok("ZZZ")),
		"TTTT": toks(tok("H"), colon, tok("m"), colon, tok("s"), sp(), tok("ZZZZZ")),
		"f":    cat(dShort, toks(comma), t),
		"ff":   cat(dMed, toks(comma), t),
		"fff":  cat(dFull, toks(at), t, toks(sp(), tok("ZZZ"))),
		"ffff": cat(dHuge, toks(at), t, toks(sp(), tok("ZZZZZ"))),
		"F":    cat(dShort, toks(comma), tt),
		"FF":   cat(dMed, toks(comma), tt),
		"FFF":  cat(dFull, toks(at), tt, toks(sp(), tok("ZZZ"))),
		"FFFF": cat(dHuge, toks(at), tt, toks(sp(), tok("ZZZZZ"))),
	}
}()

func init() {
	for k, list := range macroTokenLists {
		var b strings.Builder
		for _, t := range list {
			b.WriteString(t.val)
		}
		macroExpansions[k] = b.String()
	}
}

var (
	monthsShortList   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	weekdaysShortList = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
)

// oneOfRegex is Luxon's oneOf: dots optional, space and NBSP interchangeable.
func oneOfRegex(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		s = regexp.QuoteMeta(s)
		s = strings.ReplaceAll(s, `\.`, `\.?`)
		s = strings.ReplaceAll(s, " ", "[ \u00a0]")
		parts[i] = s
	}
	return strings.Join(parts, "|")
}

func stripInsensitivities(s string) string {
	s = strings.ReplaceAll(s, ".", "")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.ToLower(s)
}

// unitFor is Luxon's unitForToken for the en-US locale.
func unitFor(t fmtToken) (string, parseUnit) {
	if t.literal {
		return regexp.QuoteMeta(t.val), parseUnit{literal: true}
	}
	key := t.val[0]
	num := func(re string) (string, parseUnit) { return re, parseUnit{key: key, kind: deserInt} }
	oneOf := func(list []string, start int) (string, parseUnit) {
		return oneOfRegex(list), parseUnit{key: key, kind: deserOneOf, list: list, start: start}
	}
	switch t.val {
	case "G":
		return oneOf([]string{"BC", "AD"}, 0)
	case "GG":
		return oneOf([]string{"Before Christ", "Anno Domini"}, 0)
	case "y":
		return num(`\d{1,6}`)
	case "yy", "kk":
		return `\d{2,4}`, parseUnit{key: key, kind: deserUntruncate}
	case "yyyy", "kkkk":
		return num(`\d{4}`)
	case "yyyyy":
		return num(`\d{4,6}`)
	case "yyyyyy":
		return num(`\d{6}`)
	case "M", "L", "d", "H", "h", "m", "q", "s", "W":
		return num(`\d{1,2}`)
	case "MM", "LL", "dd", "HH", "hh", "mm", "qq", "ss", "WW":
		return num(`\d{2}`)
	case "MMM", "LLL":
		return oneOf(monthsShortList, 1)
	case "MMMM", "LLLL":
		return oneOf(monthNames, 1)
	case "o", "S":
		return num(`\d{1,3}`)
	case "ooo", "SSS":
		return num(`\d{3}`)
	case "u":
		return `\d{1,9}`, parseUnit{key: key, kind: deserString}
	case "uu":
		return `\d{1,2}`, parseUnit{key: key, kind: deserString}
	case "uuu":
		return num(`\d`)
	case "a":
		return oneOf([]string{"AM", "PM"}, 0)
	case "E", "c":
		return num(`\d`)
	case "EEE", "ccc":
		return oneOf(weekdaysShortList, 1)
	case "EEEE", "cccc":
		return oneOf(weekdayNames, 1)
	case "Z", "ZZ":
		return `([+-]\d{1,2})(?::(\d{2}))?`, parseUnit{key: key, kind: deserOffset, groups: 2}
	case "ZZZ":
		return `([+-]\d{1,2})(\d{2})?`, parseUnit{key: key, kind: deserOffset, groups: 2}
	case "z":
		return `[a-z_+-/]{1,256}?`, parseUnit{key: key, kind: deserString}
	case " ":
		return `[^\S\n\r]`, parseUnit{key: key, kind: deserString}
	}
	return regexp.QuoteMeta(t.val), parseUnit{literal: true}
}

// parser compiles a format for fromFormat, cached per Env.
func (e *Env) parser(f string) *formatParser {
	if p, ok := e.parseCache[f]; ok {
		return p
	}
	var expanded []fmtToken
	for _, t := range parseFormat(f) {
		if !t.literal {
			if list, ok := macroTokenLists[t.val]; ok {
				expanded = append(expanded, list...)
				continue
			}
		}
		expanded = append(expanded, t)
	}
	var re strings.Builder
	re.WriteString(`(?i)^`)
	p := &formatParser{}
	for _, t := range expanded {
		src, u := unitFor(t)
		re.WriteString("(" + src + ")")
		p.units = append(p.units, u)
	}
	re.WriteString("$")
	p.re = regexp.MustCompile(re.String())
	if len(e.parseCache) > 128 {
		clear(e.parseCache)
	}
	e.parseCache[f] = p
	return p
}

// matched holds deserialized values keyed by token letter, in match order.
type matched struct {
	keys []byte
	vals map[byte]float64
	strs map[byte]string
}

func (m *matched) put(k byte, v float64) {
	if _, ok := m.vals[k]; !ok {
		if _, ok2 := m.strs[k]; !ok2 {
			m.keys = append(m.keys, k)
		}
	}
	m.vals[k] = v
}

func (m *matched) putStr(k byte, s string) {
	if _, ok := m.strs[k]; !ok {
		if _, ok2 := m.vals[k]; !ok2 {
			m.keys = append(m.keys, k)
		}
	}
	m.strs[k] = s
}

func (m *matched) has(k byte) bool {
	_, a := m.vals[k]
	_, b := m.strs[k]
	return a || b
}

// fromFormat is Luxon's DateTime.fromFormat in en-US.
func (e *Env) fromFormat(text, f string, z *zone, setZone bool) (*dateTime, error) {
	p := e.parser(f)
	sub := p.re.FindStringSubmatch(text)
	m := matched{vals: map[byte]float64{}, strs: map[byte]string{}}
	if sub != nil {
		idx := 1
		for _, u := range p.units {
			groups := 1 + u.groups
			if !u.literal && u.key != 0 {
				g := sub[idx : idx+groups]
				switch u.kind {
				case deserInt:
					n, _ := strconv.Atoi(g[0])
					m.put(u.key, float64(n))
				case deserUntruncate:
					n, _ := strconv.Atoi(g[0])
					m.put(u.key, float64(untruncateYear(n)))
				case deserOneOf:
					want := stripInsensitivities(g[0])
					i := -1
					for j, s := range u.list {
						if stripInsensitivities(s) == want {
							i = j
							break
						}
					}
					m.put(u.key, float64(i+u.start))
				case deserOffset:
					m.put(u.key, float64(signedOffset(g[1], g[2])))
				case deserString:
					m.putStr(u.key, g[0])
				}
			}
			idx += groups
		}
	}
	if m.has('a') && m.has('H') {
		return nil, conflictError("Can't include meridiem when specifying 24-hour format")
	}
	var r parseResult
	if s, ok := m.strs['z']; ok {
		r.iana = s
	}
	if off, ok := m.vals['Z']; ok {
		if r.iana == "" {
			r.hasOff, r.off = true, int(off)*60
		}
		spec := int(off) * 60
		r.specific = &spec
	}
	if q, ok := m.vals['q']; ok {
		m.put('M', (q-1)*3+1)
	}
	if h, ok := m.vals['h']; ok {
		a, hasA := m.vals['a']
		if h < 12 && hasA && a == 1 {
			m.vals['h'] = h + 12
		} else if h == 12 && hasA && a == 0 {
			m.vals['h'] = 0
		}
	}
	if g, ok := m.vals['G']; ok && g == 0 {
		if y := m.vals['y']; y != 0 {
			m.vals['y'] = -y
		}
	}
	if u, ok := m.strs['u']; ok {
		m.put('S', parseMillis(u))
	} else if u, ok := m.vals['u']; ok {
		m.put('S', parseMillis(strconv.Itoa(int(u))))
	}
	for _, k := range m.keys {
		v, ok := m.vals[k]
		if !ok {
			continue
		}
		switch k {
		case 'S':
			r.u.set(dMillisecond, v)
		case 's':
			r.u.set(dSecond, v)
		case 'm':
			r.u.set(dMinute, v)
		case 'h', 'H':
			r.u.set(dHour, v)
		case 'd':
			r.u.set(dDay, v)
		case 'o':
			r.u.set(dOrdinal, v)
		case 'L', 'M':
			r.u.set(dMonth, v)
		case 'y':
			r.u.set(dYear, v)
		case 'E', 'c':
			r.u.set(dWeekday, v)
		case 'W':
			r.u.set(dWeekNumber, v)
		case 'k':
			r.u.set(dWeekYear, v)
		case 'q':
			r.u.set(dQuarter, v)
		}
	}
	return e.resolveParsed(r, true, text, "format "+f, z, setZone)
}
