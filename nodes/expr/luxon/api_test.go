package luxon

import (
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// TestSemantics pins, by name, behaviours the brief calls out: invalid input,
// DST transitions, month-end clamping and leap years (values from real Luxon).
func TestSemantics(t *testing.T) {
	rt, _ := newRuntime(t, time.UTC)
	for _, c := range []struct{ name, expr, want string }{
		{"invalid/unparsable", `DateTime.fromISO("garbage").invalidExplanation`, `the input "garbage" can't be parsed as ISO 8601`},
		{"invalid/toISO null", `String(DateTime.fromISO("2024-02-30").toISO())`, "null"},
		{"invalid/toString", `DateTime.fromISO("2024-02-30").toString()`, "Invalid DateTime"},
		{"invalid/isValid", `String(DateTime.fromISO("2024-02-30").isValid)`, "false"},
		{"invalid/explanation", `DateTime.fromObject({year: 2023, month: 2, day: 29}).invalidExplanation`, "you specified 29 (of type number) as a day, which is invalid"},
		{"invalid/zone", `DateTime.now().setZone("Mars/Olympus").invalidReason`, "unsupported zone"},
		{"invalid/JSON", `JSON.stringify({a: DateTime.invalid("x")})`, `{"a":null}`},
		{"dst/spring gap", `DateTime.fromISO("2024-03-10T02:30:00", {zone: "America/New_York"}).toISO()`, "2024-03-10T03:30:00.000-04:00"},
		{"dst/spring plus hour", `DateTime.fromISO("2024-03-10T01:30:00", {zone: "America/New_York"}).plus({hours: 1}).toISO()`, "2024-03-10T03:30:00.000-04:00"},
		{"dst/fall plus hour", `DateTime.fromISO("2024-11-03T00:30:00", {zone: "America/New_York"}).plus({hours: 1}).toISO()`, "2024-11-03T01:30:00.000-04:00"},
		{"dst/fall plus day keeps wall time", `DateTime.fromISO("2024-11-03T00:30:00", {zone: "America/New_York"}).plus({days: 1}).toISO()`, "2024-11-04T00:30:00.000-05:00"},
		{"dst/berlin set into gap", `DateTime.fromISO("2024-03-31T01:30:00", {zone: "Europe/Berlin"}).set({hour: 2, minute: 30}).toISO()`, "2024-03-31T03:30:00.000+02:00"},
		{"clamp/jan31+1m leap", `DateTime.fromISO("2024-01-31T10:30:45.123Z").plus({months: 1}).toISO()`, "2024-02-29T10:30:45.123Z"},
		{"clamp/may31-1m", `DateTime.fromISO("2025-05-31T05:00:00Z").minus({months: 1}).toISO()`, "2025-04-30T05:00:00.000Z"},
		{"clamp/set month", `DateTime.fromISO("2024-01-31T10:30:45.123Z").set({month: 2}).toISO()`, "2024-02-29T10:30:45.123Z"},
		{"leap/feb29+1y", `DateTime.fromISO("2024-02-29T00:00:00Z").plus({years: 1}).toISO()`, "2025-02-28T00:00:00.000Z"},
		{"leap/isInLeapYear", `String(DateTime.fromISO("2000-02-29").isInLeapYear) + String(DateTime.fromISO("1900-02-28").isInLeapYear)`, "truefalse"},
		{"leap/daysInYear", `String(DateTime.fromISO("2024-06-01").daysInYear)`, "366"},
		{"compare", `String(DateTime.fromISO("2024-01-01") < DateTime.fromISO("2024-01-02"))`, "true"},
		{"string concat is valueOf", `"" + DateTime.fromISO("2024-03-15T10:30:00Z")`, "1710498600000"},
		{"template literal is ISO", "`${DateTime.fromISO(\"2024-03-15T10:30:00Z\")}`", "2024-03-15T10:30:00.000Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := eval(t, rt, c.expr, nil)
			if err != nil {
				t.Fatal(err)
			}
			if v.String() != c.want {
				t.Errorf("%s = %q, want %q", c.expr, v.String(), c.want)
			}
		})
	}
}

func TestAPI(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	rt, env := newRuntime(t, berlin)

	now := env.Now()
	if iso, ok := ToISO(now); !ok || iso != "2024-05-20T14:34:56.789+02:00" {
		t.Errorf("Now: %q %v", iso, ok)
	}
	if iso, _ := ToISO(env.Today()); iso != "2024-05-20T00:00:00.000+02:00" {
		t.Errorf("Today: %q", iso)
	}
	tm, ok := IsDateTime(now)
	if !ok || !tm.Equal(testNow) || tm.Location().String() != "Europe/Berlin" {
		t.Errorf("IsDateTime: %v %v", tm, ok)
	}
	if _, ok := IsDateTime(rt.ToValue("2024-01-01")); ok {
		t.Error("a string is not a DateTime")
	}
	if _, ok := IsDateTime(rt.NewObject()); ok {
		t.Error("a plain object is not a DateTime")
	}
	inv, _ := rt.RunString(`DateTime.fromISO("x")`)
	if tm, ok := IsDateTime(inv); !ok || !tm.IsZero() {
		t.Errorf("invalid DateTime: %v %v", tm, ok)
	}
	if iso, ok := ToISO(inv); !ok || iso != "" {
		t.Errorf("ToISO(invalid) = %q %v", iso, ok)
	}
	dur, _ := rt.RunString(`Duration.fromObject({hours: 2})`)
	if iso, ok := ToISO(dur); !ok || iso != "PT2H" {
		t.Errorf("ToISO(Duration) = %q", iso)
	}

	env.SetZone(time.UTC)
	if iso, _ := ToISO(env.NewDateTime(testNow)); iso != "2024-05-20T12:34:56.789Z" {
		t.Errorf("NewDateTime after SetZone(UTC): %q", iso)
	}
	env.SetNow(func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) })
	if v, _ := rt.RunString(`DateTime.now().toISO()`); v.String() != "2030-01-02T03:04:05.000Z" {
		t.Errorf("SetNow: %s", v)
	}
	if env.Zone() != time.UTC {
		t.Errorf("Zone = %v", env.Zone())
	}
}

func TestCallDateExtension(t *testing.T) {
	rt, env := newRuntime(t, time.UTC)
	dt, _ := rt.RunString(`DateTime.fromISO("2024-03-15T10:30:00Z")`)
	jsDate, _ := rt.RunString(`new Date(Date.UTC(2024, 2, 15, 10, 30))`)
	check := func(recv goja.Value, name string, args []goja.Value, want string) {
		t.Helper()
		v, ok := env.CallDateExtension(recv, name, args)
		if !ok {
			t.Fatalf("%s: not found", name)
		}
		got := v.String()
		if iso, isDT := ToISO(v); isDT {
			got = "DateTime " + iso
		} else if o, isObj := v.(*goja.Object); isObj && o.ClassName() == "Date" {
			got = "Date " + o.Export().(time.Time).UTC().Format(time.RFC3339)
		}
		if got != want {
			t.Errorf("%s: got %q want %q", name, got, want)
		}
	}
	check(dt, "beginningOf", []goja.Value{rt.ToValue("month")}, "DateTime 2024-03-01T00:00:00.000Z")
	check(jsDate, "beginningOf", []goja.Value{rt.ToValue("month")}, "Date 2024-03-01T00:00:00Z")
	check(jsDate, "plus", []goja.Value{rt.ToValue(2), rt.ToValue("days")}, "Date 2024-03-17T10:30:00Z")
	check(jsDate, "toDateTime", nil, "DateTime 2024-03-15T10:30:00.000Z")
	check(dt, "format", []goja.Value{rt.ToValue("yyyy")}, "2024")
	check(dt, "isWeekend", nil, "false")
	if _, ok := env.CallDateExtension(rt.ToValue("2024"), "format", nil); ok {
		t.Error("strings are not date receivers")
	}
	if _, ok := env.CallDateExtension(dt, "toUpperCase", nil); ok {
		t.Error("toUpperCase is not a date extension")
	}
}

func TestStringAndNumberToDateTime(t *testing.T) {
	_, env := newRuntime(t, time.UTC)
	for _, c := range []struct{ in, format, want, err string }{
		{in: "2024-03-15T10:30:00+02:00", want: "2024-03-15T10:30:00.000+02:00"},
		{in: "2024-03-15", want: "2024-03-15T00:00:00.000Z"},
		{in: "Fri, 15 Mar 2024 10:30:00 GMT", want: "2024-03-15T10:30:00.000Z"},
		{in: "2024-03-15 10:30:00", want: "2024-03-15T10:30:00.000Z"},
		{in: "garbage", err: "cannot convert to Luxon DateTime"},
		{in: "15/03/2024", format: "dd/MM/yyyy", want: "2024-03-15T00:00:00.000Z"},
		{in: "1710498600", format: "s", want: "2024-03-15T10:30:00.000Z"},
	} {
		v, err := env.StringToDateTime(c.in, c.format)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if iso, _ := ToISO(v); iso != c.want {
			t.Errorf("%q: %q want %q", c.in, iso, c.want)
		}
	}
	if _, err := env.NumberToDateTime(1, "days"); err == nil || !strings.Contains(err.Error(), "Unsupported format 'days'") {
		t.Errorf("NumberToDateTime(days): %v", err)
	}
	v, err := env.NumberToDateTime(45366.4375, "excel")
	if iso, _ := ToISO(v); err != nil || iso != "2024-03-15T10:30:00.000Z" {
		t.Errorf("excel: %q %v", iso, err)
	}
}

func TestParseToDateTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		zone *time.Location
		want string // RFC 3339 with the offset the result carries
	}{
		{"2024-03-15T10:30:00Z", nil, "2024-03-15T10:30:00Z"},
		{"2024-03-15T10:30:00+02:00", nil, "2024-03-15T10:30:00+02:00"},
		{"2024-03-15", ny, "2024-03-15T00:00:00-04:00"},
		{"2024-03-15 10:30", ny, "2024-03-15T10:30:00-04:00"},
		{"Fri, 15 Mar 2024 10:30:00 +0100", nil, "2024-03-15T10:30:00+01:00"},
		{"Fri, 15 Mar 2024 10:30:00 GMT", ny, "2024-03-15T10:30:00Z"},
		{"2024-W11-5", nil, "2024-03-15T00:00:00Z"},
		{"March 15, 2024", nil, "2024-03-15T00:00:00Z"},
		{"2024/03/15", ny, "2024-03-15T00:00:00-04:00"},
	} {
		got, err := ParseToDateTime(c.in, c.zone)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if s := got.Format(time.RFC3339); s != c.want {
			t.Errorf("%q: %s want %s", c.in, s, c.want)
		}
	}
	for _, bad := range []string{"", "garbage", "1710498600000", "2024-02-30"} {
		if _, err := ParseToDateTime(bad, nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestInstallNilRuntime(t *testing.T) {
	if _, err := Install(nil, nil, nil); err == nil {
		t.Error("want error")
	}
}

func TestSplitBounds(t *testing.T) {
	rt, _ := newRuntime(t, time.UTC)
	for _, src := range []string{
		`Interval.fromDateTimes(DateTime.fromISO("2024-01-01"), DateTime.fromISO("2025-01-01")).splitBy({milliseconds: 1})`,
		`Interval.fromDateTimes(DateTime.fromISO("2024-01-01"), DateTime.fromISO("2025-01-01")).splitBy({days: -1})`,
		`Interval.fromDateTimes(DateTime.fromISO("2024-01-01"), DateTime.fromISO("2025-01-01")).divideEqually(1e9)`,
	} {
		if _, err := rt.RunString(src); err == nil {
			t.Errorf("%s: want an error", src)
		}
	}
}

func TestHugeComponents(t *testing.T) {
	rt, _ := newRuntime(t, time.UTC)
	for _, src := range []string{
		`DateTime.fromObject({year: 1e15}).isValid`,
		`DateTime.fromISO("2024-01-01").set({hour: 1e18}).isValid`,
		`DateTime.fromISO("2024-01-01").plus({years: 1e17}).isValid`,
		`DateTime.fromISO("2024-01-01").plus({milliseconds: 1e300}).isValid`,
		`DateTime.local(275761).isValid`,
	} {
		v, err := rt.RunString(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if v.ToBoolean() {
			t.Errorf("%s: want invalid", src)
		}
	}
}
