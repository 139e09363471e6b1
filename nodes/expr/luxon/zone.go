package luxon

import (
	"strconv"
	"strings"
	"time"
)

// zoneKind tells how a zone computes its offset.
type zoneKind uint8

const (
	zoneFixed   zoneKind = iota // a constant offset ("UTC", "UTC+2")
	zoneIANA                    // a tz database zone ("Europe/Berlin")
	zoneInvalid                 // a name that could not be resolved
)

// zone is Luxon's Zone: a fixed offset or an IANA zone. Zones are immutable
// and shared between the DateTimes of one Env.
type zone struct {
	kind  zoneKind
	name  string         // Luxon's zone.name
	fixed int            // offset in seconds for zoneFixed
	loc   *time.Location // location for zoneIANA
}

// utcZone is the fixed zero-offset zone (Luxon's FixedOffsetZone.utcInstance).
var utcZone = &zone{kind: zoneFixed, name: "UTC"}

// fixedZone returns the fixed-offset zone for off seconds east of UTC.
func fixedZone(off int) *zone {
	if off == 0 {
		return utcZone
	}
	return &zone{kind: zoneFixed, name: "UTC" + formatOffset(off, offsetNarrow), fixed: off}
}

// valid reports whether z can compute offsets.
func (z *zone) valid() bool { return z.kind != zoneInvalid }

// universal reports whether z has the same offset at every instant.
func (z *zone) universal() bool { return z.kind == zoneFixed }

// offsetAt returns the offset in seconds east of UTC at the epoch milliseconds ms.
func (z *zone) offsetAt(ms int64) int {
	switch z.kind {
	case zoneFixed:
		return z.fixed
	case zoneIANA:
		_, off := time.UnixMilli(ms).In(z.loc).Zone()
		return off
	}
	return 0
}

// equals is Luxon's Zone#equals.
func (z *zone) equals(o *zone) bool {
	if z == o {
		return true
	}
	if z.kind != o.kind {
		return false
	}
	switch z.kind {
	case zoneFixed:
		return z.fixed == o.fixed
	case zoneIANA:
		return z.name == o.name
	}
	return false
}

// location returns a time.Location with the same rules as z.
func (z *zone) location() *time.Location {
	switch z.kind {
	case zoneIANA:
		return z.loc
	case zoneFixed:
		if z.fixed == 0 {
			return time.UTC
		}
		return time.FixedZone(z.name, z.fixed)
	}
	return time.UTC
}

// offsetStyle selects one of Luxon's offset renderings.
type offsetStyle uint8

const (
	offsetNarrow offsetStyle = iota // +5, +5:30
	offsetShort                     // +05:00
	offsetTechie                    // +0500
)

// formatOffset renders an offset given in seconds the way Luxon's formatOffset
// renders minutes (seconds of historical offsets are dropped).
func formatOffset(off int, style offsetStyle) string {
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	hours := off / 3600
	minutes := (off % 3600) / 60
	b := make([]byte, 0, 8)
	b = append(b, sign)
	switch style {
	case offsetNarrow:
		b = strconv.AppendInt(b, int64(hours), 10)
		if minutes > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(minutes), 10)
		}
	case offsetShort:
		b = appendPadded(b, hours, 2)
		b = append(b, ':')
		b = appendPadded(b, minutes, 2)
	case offsetTechie:
		b = appendPadded(b, hours, 2)
		b = appendPadded(b, minutes, 2)
	}
	return string(b)
}

// parseFixedSpecifier parses Luxon's fixed zone names: "utc", "utc+2",
// "utc-05:30" (case-insensitive). ok is false for anything else.
func parseFixedSpecifier(s string) (off int, ok bool) {
	if len(s) < 3 || !strings.EqualFold(s[:3], "utc") {
		return 0, false
	}
	rest := s[3:]
	if rest == "" {
		return 0, true
	}
	if rest[0] != '+' && rest[0] != '-' {
		return 0, false
	}
	neg := rest[0] == '-'
	rest = rest[1:]
	i := 0
	for i < len(rest) && i < 2 && isDigit(rest[i]) {
		i++
	}
	if i == 0 {
		return 0, false
	}
	h, _ := strconv.Atoi(rest[:i])
	rest = rest[i:]
	m := 0
	if rest != "" {
		if len(rest) != 3 || rest[0] != ':' || !isDigit(rest[1]) || !isDigit(rest[2]) {
			return 0, false
		}
		m = int(rest[1]-'0')*10 + int(rest[2]-'0')
	}
	total := h*3600 + m*60
	if neg {
		total = -total
	}
	return total, true
}

// zoneForLocation turns a Go location into a Luxon zone: UTC becomes the fixed
// UTC zone, anything else an IANA zone under the location's name.
func zoneForLocation(loc *time.Location) *zone {
	if loc == nil || loc == time.UTC {
		return utcZone
	}
	name := loc.String()
	if name == "UTC" || name == "" {
		return utcZone
	}
	if off, ok := parseFixedSpecifier(name); ok {
		return fixedZone(off)
	}
	return &zone{kind: zoneIANA, name: name, loc: loc}
}

// zoneCache resolves zone names once per Env; loading a tz database entry
// parses a file, which is too slow to repeat per item.
type zoneCache map[string]*zone

// lookup resolves an IANA name, remembering failures too.
func (c zoneCache) lookup(name string) *zone {
	if z, ok := c[name]; ok {
		return z
	}
	var z *zone
	if name == "" || name == "Local" || strings.Contains(name, "..") {
		z = &zone{kind: zoneInvalid, name: name}
	} else if loc, err := time.LoadLocation(name); err != nil {
		z = &zone{kind: zoneInvalid, name: name}
	} else {
		z = &zone{kind: zoneIANA, name: name, loc: loc}
	}
	if len(c) > 512 {
		clear(c)
	}
	c[name] = z
	return z
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// appendPadded appends n in decimal, zero-padded to width digits; negative
// numbers get a leading minus before the padding, as Luxon's padStart does.
func appendPadded(b []byte, n int, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
