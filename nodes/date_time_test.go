package nodes

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"
)

// dateTimeCase is one row of testdata/date_time_cases.json: Date & Time
// node parameters, the workflow zone and the clock, with the output (or
// error) that n8n's own node (n8n-nodes-base 1.121.0, as in n8n 1.123, on
// Luxon 3.4.4 and moment-timezone 0.5.48, Node.js 20, process zone UTC)
// gave.
type dateTimeCase struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params"`
	TZ     string         `json:"tz"`
	Now    string         `json:"now"`
	Want   map[string]any `json:"want"`
	Error  string         `json:"error"`
}

func TestDateTimeCases(t *testing.T) {
	b, err := os.ReadFile("testdata/date_time_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []dateTimeCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { runDateTimeCase(t, c) })
	}
}

// runDateTimeCase runs the node on one item with the case's parameters,
// zone and clock, and compares its output or error.
func runDateTimeCase(t *testing.T, c dateTimeCase) {
	t.Helper()
	var err error
	n := &NodeInstance{Name: "Date", Type: "n8n-nodes-base.dateTime", TypeVersion: 2, Parameters: c.Params}
	ctx := newCaseContext(&Workflow{Nodes: []*NodeInstance{n}}, n, nil)
	loc := time.UTC
	if c.TZ != "" {
		if loc, err = time.LoadLocation(c.TZ); err != nil {
			t.Fatal(err)
		}
	}
	ctx.Location = loc
	if c.Now != "" {
		now, err := time.Parse(time.RFC3339Nano, c.Now)
		if err != nil {
			t.Fatal(err)
		}
		ctx.Now = func() time.Time { return now }
	}
	in := [][]Item{{NewItem(map[string]any{"keep": "me"})}}
	ctx.Inputs = in
	out, err := DateTime{}.Execute(ctx, in)
	if c.Error != "" {
		if err == nil {
			t.Fatalf("want error %q, got %v", c.Error, out[0][0].JSON)
		}
		if err.Error() != c.Error {
			t.Errorf("error = %q, want %q", err.Error(), c.Error)
		}
		return
	}
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	got := NormalizeJSON(CloneJSON(out[0][0].JSON))
	if !reflect.DeepEqual(got, NormalizeJSON(c.Want)) {
		t.Errorf("got  %v\nwant %v", got, c.Want)
	}
}

// TestDateTimeLuxonEdges pins what the node inherits from Luxon 3.4.4 (read
// from its source, not produced by n8n like testdata/date_time_cases.json):
// an invalid Duration's toString is null, DateTime#plus returns an invalid
// DateTime before it looks at the unit and reads the amount with asNumber,
// fromFormat refuses a meridiem with 24-hour tokens, and "default" names
// Luxon's default zone, the workflow's.
func TestDateTimeLuxonEdges(t *testing.T) {
	for _, c := range []dateTimeCase{
		{Name: "between an out-of-range timestamp as ISO",
			Params: map[string]any{"operation": "getTimeBetweenDates", "startDate": 1e20, "endDate": "2024-01-01", "units": []any{"day"}, "options": map[string]any{"isoString": true}},
			Want:   map[string]any{"timeDifference": nil}},
		{Name: "between an out-of-range timestamp",
			Params: map[string]any{"operation": "getTimeBetweenDates", "startDate": 1e20, "endDate": "2024-01-01", "units": []any{"day"}},
			Want:   map[string]any{"timeDifference": map[string]any{}}},
		{Name: "add a numeric string",
			Params: map[string]any{"operation": "addToDate", "magnitude": "2024-01-31T00:00:00Z", "timeUnit": "months", "duration": "1"},
			Want:   map[string]any{"newDate": "2024-02-29T00:00:00.000Z"}},
		{Name: "subtract a null amount",
			Params: map[string]any{"operation": "subtractFromDate", "magnitude": "2024-01-31T00:00:00Z", "timeUnit": "days", "duration": "={{ null }}"},
			Want:   map[string]any{"newDate": "2024-01-31T00:00:00.000Z"}},
		{Name: "add an unknown unit to an invalid date",
			Params: map[string]any{"operation": "addToDate", "magnitude": 1e20, "timeUnit": "fortnights", "duration": 1.0},
			Want:   map[string]any{"newDate": "Invalid DateTime"}},
		{Name: "add an unknown unit",
			Params: map[string]any{"operation": "addToDate", "magnitude": "2024-01-31", "timeUnit": "fortnights", "duration": 1.0},
			Error:  "Invalid unit fortnights"},
		{Name: "add a boolean",
			Params: map[string]any{"operation": "addToDate", "magnitude": "2024-01-31", "timeUnit": "days", "duration": true},
			Error:  "Invalid unit value true"},
		{Name: "round an invalid date to an unknown unit",
			Params: map[string]any{"operation": "roundDate", "date": 1e20, "toNearest": "fortnight"},
			Want:   map[string]any{"roundedDate": "Invalid DateTime"}},
		{Name: "format from a contradictory format",
			Params: map[string]any{"operation": "formatDate", "date": "22 PM", "format": "yyyy", "options": map[string]any{"fromFormat": "HH a"}},
			Error:  "Can't include meridiem when specifying 24-hour format"},
		{Name: "current date in the default zone",
			Params: map[string]any{"operation": "getCurrentDate", "options": map[string]any{"timezone": "default"}},
			TZ:     "America/New_York",
			Want:   map[string]any{"currentDate": "2024-03-15T06:30:00.000-04:00"}},
	} {
		t.Run(c.Name, func(t *testing.T) { runDateTimeCase(t, c) })
	}
}
