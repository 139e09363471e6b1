package luxon

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// conformanceCase is one field of one item from shared/conformance/cases
// (exprtable-luxon, exprtable-date-extensions, exprtable-string-convert,
// exprtable-assignment-types): what real n8n 1.123 produced in zone UTC.
type conformanceCase struct {
	Case  string          `json:"case"`
	Field string          `json:"field"`
	Item  int             `json:"item"`
	Type  string          `json:"type"`
	Expr  string          `json:"expr"`
	JSON  map[string]any  `json:"json"`
	Want  json.RawMessage `json:"want"`
}

func TestConformance(t *testing.T) {
	raw, err := os.ReadFile("testdata/conformance.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []conformanceCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	rt, _ := newRuntime(t, time.UTC)
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%d", c.Case, c.Field, c.Item), func(t *testing.T) {
			v, err := eval(t, rt, c.Expr, c.JSON)
			if err != nil {
				t.Fatalf("%s: %v", c.Expr, err)
			}
			got := setFieldJSON(t, v, c.Type)
			if !sameJSON(got, string(c.Want)) {
				t.Errorf("%s\n got  %s\n want %s", c.Expr, got, c.Want)
			}
		})
	}
}

// TestTemplateText covers exprtable-templating's dtInText: a DateTime inside
// template text renders through toString, i.e. as ISO.
func TestTemplateText(t *testing.T) {
	rt, _ := newRuntime(t, time.UTC)
	for ts, want := range map[string]string{
		"2024-03-15T10:30:00Z": "at 2024-03-15T10:30:00.000Z",
		"2023-01-02T03:04:05Z": "at 2023-01-02T03:04:05.000Z",
	} {
		v, err := eval(t, rt, "`at ${DateTime.fromISO($json.ts)}`", map[string]any{"ts": ts})
		if err != nil {
			t.Fatal(err)
		}
		if v.String() != want {
			t.Errorf("got %q want %q", v.String(), want)
		}
	}
}
