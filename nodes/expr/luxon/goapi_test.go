package luxon

import (
	"reflect"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestGoDateTime pins the Go API against values from real Luxon 3.4.4 and
// checks that the JavaScript binding gives the same answer for the same
// operation: one implementation behind both.
func TestGoDateTime(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	_, env := newRuntime(t, time.UTC)
	rt, _ := newRuntime(t, time.UTC)
	at := func(loc *time.Location, y, mo, d, h, mi, s, ms int) DateTime {
		return env.DateTimeOf(time.Date(y, time.Month(mo), d, h, mi, s, ms*1e6, loc))
	}
	must := func(d DateTime, err error) DateTime {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		name string
		got  func() string
		js   string
		want string
	}{
		{"plus month clamps to leap day",
			func() string { return must(at(time.UTC, 2024, 1, 31, 10, 30, 45, 123).Plus(1, "month")).String() },
			`DateTime.fromISO("2024-01-31T10:30:45.123Z").plus({months: 1}).toString()`, "2024-02-29T10:30:45.123Z"},
		{"minus month clamps",
			func() string { return must(at(time.UTC, 2025, 5, 31, 5, 0, 0, 0).Minus(1, "months")).String() },
			`DateTime.fromISO("2025-05-31T05:00:00Z").minus({months: 1}).toString()`, "2025-04-30T05:00:00.000Z"},
		{"plus hour over the spring gap",
			func() string { return must(at(ny, 2024, 3, 10, 1, 30, 0, 0).Plus(1, "hours")).String() },
			`DateTime.fromISO("2024-03-10T01:30:00", {zone: "America/New_York"}).plus({hours: 1}).toString()`, "2024-03-10T03:30:00.000-04:00"},
		{"plus day keeps the wall clock over the fall back",
			func() string { return must(at(ny, 2024, 11, 3, 0, 30, 0, 0).Plus(1, "Day")).String() },
			`DateTime.fromISO("2024-11-03T00:30:00", {zone: "America/New_York"}).plus({days: 1}).toString()`, "2024-11-04T00:30:00.000-05:00"},
		{"fractional days add milliseconds",
			func() string { return must(at(time.UTC, 2024, 1, 1, 0, 0, 0, 0).Plus(1.5, "days")).String() },
			`DateTime.fromISO("2024-01-01T00:00:00Z").plus({days: 1.5}).toString()`, "2024-01-02T12:00:00.000Z"},
		{"startOf week is Monday",
			func() string { return must(at(time.UTC, 2024, 3, 15, 10, 30, 0, 0).StartOf("week")).String() },
			`DateTime.fromISO("2024-03-15T10:30:00Z").startOf("week").toString()`, "2024-03-11T00:00:00.000Z"},
		{"startOf quarter",
			func() string { return must(at(ny, 2024, 5, 15, 10, 30, 0, 0).StartOf("quarter")).String() },
			`DateTime.fromISO("2024-05-15T10:30:00", {zone: "America/New_York"}).startOf("quarter").toString()`, "2024-04-01T00:00:00.000-04:00"},
		{"endOf month",
			func() string { return must(at(time.UTC, 2024, 2, 10, 0, 0, 0, 0).EndOf("month")).String() },
			`DateTime.fromISO("2024-02-10T00:00:00Z").endOf("month").toString()`, "2024-02-29T23:59:59.999Z"},
		{"format with zone names",
			func() string { return at(ny, 2024, 3, 15, 10, 30, 0, 0).Format("cccc, dd LLL yyyy HH:mm ZZZZ (z)") },
			`DateTime.fromISO("2024-03-15T10:30:00", {zone: "America/New_York"}).toFormat("cccc, dd LLL yyyy HH:mm ZZZZ (z)")`, "Friday, 15 Mar 2024 10:30 EDT (America/New_York)"},
		// Luxon formats the fixed UTC zone through formatToParts, which keeps
		// ICU's narrow no-break space before AM/PM.
		{"format macro tokens",
			func() string { return at(time.UTC, 2024, 3, 15, 13, 5, 9, 0).Format("ff") },
			`DateTime.fromISO("2024-03-15T13:05:09Z").toFormat("ff")`, "Mar 15, 2024, 1:05\u202fPM"},
		{"setZone fixed offset",
			func() string { return at(time.UTC, 2024, 3, 15, 10, 30, 0, 0).SetZone("UTC+5:30").String() },
			`DateTime.fromISO("2024-03-15T10:30:00Z").setZone("UTC+5:30").toString()`, "2024-03-15T16:00:00.000+05:30"},
		{"setZone IANA UTC is not fixed",
			func() string { return at(time.UTC, 2024, 3, 15, 10, 30, 0, 0).SetZone("Etc/UTC").String() },
			`DateTime.fromISO("2024-03-15T10:30:00Z").setZone("Etc/UTC").toString()`, "2024-03-15T10:30:00.000+00:00"},
		{"setZone unknown zone",
			func() string { return at(time.UTC, 2024, 3, 15, 10, 30, 0, 0).SetZone("Mars/Olympus").InvalidReason() },
			`DateTime.fromISO("2024-03-15T10:30:00Z").setZone("Mars/Olympus").invalidReason`, "unsupported zone"},
		{"invalid toString",
			func() string { return at(time.UTC, 2024, 3, 15, 0, 0, 0, 0).SetZone("Mars/Olympus").String() },
			`DateTime.fromISO("2024-03-15").setZone("Mars/Olympus").toString()`, "Invalid DateTime"},
		{"invalid toFormat",
			func() string { return at(time.UTC, 2024, 3, 15, 0, 0, 0, 0).SetZone("Mars/Olympus").Format("yyyy") },
			`DateTime.fromISO("2024-03-15").setZone("Mars/Olympus").toFormat("yyyy")`, "Invalid DateTime"},
		{"fromFormat in the default zone",
			func() string {
				return must(NewEnv(ny, nil).FromFormat("15/03/2024 10:30", "dd/MM/yyyy HH:mm")).String()
			},
			`DateTime.fromFormat("15/03/2024 10:30", "dd/MM/yyyy HH:mm", {zone: "America/New_York"}).toString()`, "2024-03-15T10:30:00.000-04:00"},
		{"fromFormat fills from now",
			func() string {
				e := NewEnv(time.UTC, func() time.Time { return testNow })
				return must(e.FromFormat("10:30", "HH:mm")).String()
			},
			`DateTime.fromFormat("10:30", "HH:mm").toString()`, "2024-05-20T10:30:00.000Z"},
		{"fromFormat unparsable",
			func() string { return must(env.FromFormat("2024-13-07", "yyyy-MM-dd")).InvalidReason() },
			`DateTime.fromFormat("2024-13-07", "yyyy-MM-dd").invalidReason`, "unit out of range"},
		{"fromMillis",
			func() string { return NewEnv(ny, nil).FromMillis(1710498600000).String() },
			`DateTime.fromMillis(1710498600000, {zone: "America/New_York"}).toString()`, "2024-03-15T06:30:00.000-04:00"},
		{"fromMillis out of range",
			func() string { return env.FromMillis(1e300).InvalidReason() },
			`DateTime.fromMillis(1e300).invalidReason`, "Timestamp out of range"},
		{"now",
			func() string { return NewEnv(ny, func() time.Time { return testNow }).NowDateTime().String() },
			`DateTime.now().setZone("America/New_York").toString()`, "2024-05-20T08:34:56.789-04:00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.got(); got != c.want {
				t.Errorf("Go API: %q, want %q", got, c.want)
			}
			v, err := eval(t, rt, c.js, nil)
			if err != nil {
				t.Fatal(err)
			}
			if v.String() != c.want {
				t.Errorf("JS %s: %q, want %q", c.js, v.String(), c.want)
			}
		})
	}
}

func TestGoGetAndDiff(t *testing.T) {
	env := NewEnv(nil, nil)
	d := env.DateTimeOf(time.Date(2024, 12, 30, 10, 0, 0, 0, time.UTC))
	for _, c := range []struct {
		name string
		want float64
		ok   bool
	}{
		{"year", 2024, true}, {"month", 12, true}, {"quarter", 4, true}, {"weekNumber", 1, true},
		{"weekYear", 2025, true}, {"weekday", 1, true}, {"ordinal", 365, true}, {"hour", 10, true},
		{"zoneName", 0, false}, {"nonsense", 0, false},
	} {
		t.Run("get "+c.name, func(t *testing.T) {
			got, ok := d.Get(c.name)
			if got != c.want || ok != c.ok {
				t.Errorf("Get(%q) = %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
			}
		})
	}
	invalid := d.SetZone("Nowhere/Land")
	t.Run("get on invalid", func(t *testing.T) {
		if _, ok := invalid.Get("ordinal"); ok {
			t.Error("an invalid DateTime has no ordinal")
		}
	})

	start := env.DateTimeOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	end := env.DateTimeOf(time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC))
	for _, c := range []struct {
		name    string
		a, b    DateTime
		units   []string
		want    map[string]float64
		wantISO string
		err     string
	}{
		{name: "months and days", a: end, b: start, units: []string{"month", "day"},
			want: map[string]float64{"months": 2, "days": 14.5}, wantISO: "P2M14.5D"},
		{name: "negative", a: start, b: end, units: []string{"days"},
			want: map[string]float64{"days": -74.5}, wantISO: "P-74.5D"},
		{name: "time units", a: end, b: start, units: []string{"hours", "minutes"},
			want: map[string]float64{"hours": 1788, "minutes": 0}, wantISO: "PT1788H"},
		{name: "unknown unit", a: end, b: start, units: []string{"fortnight"}, err: "Invalid unit fortnight"},
		{name: "no unit", a: end, b: start, err: "Invalid unit undefined"},
		{name: "invalid side", a: invalid, b: start, units: []string{"fortnight"}, want: map[string]float64{}},
	} {
		t.Run("diff "+c.name, func(t *testing.T) {
			dur, err := c.a.Diff(c.b, c.units...)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := dur.Object(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Object = %v, want %v", got, c.want)
			}
			iso, ok := dur.ISO()
			if iso != c.wantISO || ok != (c.wantISO != "") {
				t.Errorf("ISO = %q, %v; want %q", iso, ok, c.wantISO)
			}
		})
	}
}

func TestGoUnitErrors(t *testing.T) {
	env := NewEnv(nil, nil)
	d := env.DateTimeOf(time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC))
	if _, err := d.Plus(1, "fortnight"); err == nil || err.Error() != "Invalid unit fortnight" {
		t.Errorf("Plus: %v", err)
	}
	if _, err := d.StartOf("decade"); err == nil || err.Error() != "Invalid unit decade" {
		t.Errorf("StartOf: %v", err)
	}
	// Luxon answers an invalid DateTime itself before looking at the unit.
	inv := d.SetZone("Nowhere/Land")
	if r, err := inv.Plus(1, "fortnight"); err != nil || r.Valid() {
		t.Errorf("invalid Plus: %v %v", r, err)
	}
	if r, err := inv.StartOf("decade"); err != nil || r.Valid() {
		t.Errorf("invalid StartOf: %v %v", r, err)
	}
	if _, err := env.FromFormat("10 PM", "HH a"); err == nil {
		t.Error("a meridiem with 24-hour tokens is a conflict")
	}
	for in, want := range map[string]string{"Day": "days", "quarters": "quarters", "MILLISECOND": "milliseconds", "weekday": ""} {
		got, err := NormalizeUnit(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("NormalizeUnit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if d := env.Invalid("unparsable", "").SetZone("Europe/Berlin"); d.InvalidReason() != "unparsable" {
		t.Errorf("setZone keeps an invalid DateTime: %q", d.InvalidReason())
	}
	if d := env.Invalid("unparsable", "").SetZone("Nowhere/Land"); d.InvalidReason() != "unsupported zone" {
		t.Errorf("setZone to an unknown zone: %q", d.InvalidReason())
	}
	var zero DateTime
	if zero.Valid() || zero.String() != "Invalid DateTime" || zero.Format("yyyy") != "Invalid DateTime" {
		t.Error("the zero DateTime is invalid")
	}
}
