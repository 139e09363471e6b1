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
		t.Run(c.Name, func(t *testing.T) {
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
		})
	}
}
