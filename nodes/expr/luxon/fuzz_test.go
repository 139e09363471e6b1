package luxon

import (
	"testing"
	"time"
)

// FuzzParseFormat feeds arbitrary text to the parsers and arbitrary formats to
// toFormat/fromFormat: none may panic.
func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{
		"2024-03-15T10:30:00Z", "2024-W11-5", "2024-075", "10:30", "+002024-03-15T00:00:00[Europe/Berlin]",
		"2024-03-15 10:30:15 +05:00", "Fri, 15 Mar 2024 10:30:00 GMT", "P1Y2M3DT4H5M6.7S", "yyyy-MM-dd'T'HH:mm",
		"'", "''", "ZZZZZ z a", "D DD t TTTT ffff", "kkkk-WW-c ooo q",
	} {
		f.Add(s)
	}
	env := &Env{zones: zoneCache{}, now: time.Now, defZone: utcZone, fmtCache: map[string][]fmtToken{}, parseCache: map[string]*formatParser{}}
	dt := makeDT(1710498600123, utcZone)
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []func(string) (parseResult, bool){parseISO, parseSQL, parseRFC2822, parseHTTP} {
			r, ok := p(s)
			if d, err := env.resolveParsed(r, ok, s, "x", utcZone, true); err == nil && d.valid() {
				_ = d.String()
			}
		}
		parseISODuration(s)
		_ = env.format(dt, s, false)
		_, _ = env.fromFormat(s, s, utcZone, false)
		_, _ = env.fromFormat("2024-03-15", s, utcZone, false)
		_, _ = ParseToDateTime(s, nil)
	})
}
