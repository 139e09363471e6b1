package luxon

import (
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// oracleCase is an expression evaluated by real Luxon 3.4.4 with n8n-workflow
// 1.120's extensions (what n8n 1.123 ships) under Node 20, default zone tz and
// the clock at testNow; want is the encoded result.
type oracleCase struct {
	TZ   string         `json:"tz"`
	Expr string         `json:"expr"`
	JSON map[string]any `json:"json"`
	Want encoded        `json:"want"`
}

// encoded is a typed result: t is the JS type (or DateTime, Duration,
// Interval, json for plain objects, error), v its value.
type encoded struct {
	T string          `json:"t"`
	V json.RawMessage `json:"v"`
}

// encode turns a goja result into the oracle's encoding.
func encode(t *testing.T, v goja.Value, err error) (string, string) {
	t.Helper()
	if err != nil {
		if ex, ok := err.(*goja.Exception); ok {
			if o, ok := ex.Value().(*goja.Object); ok {
				if msg := o.Get("message"); msg != nil {
					return "error", mustJSON(msg.String())
				}
			}
			return "error", mustJSON(ex.Value().String())
		}
		return "error", mustJSON(err.Error())
	}
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined", ""
	case goja.IsNull(v):
		return "null", ""
	}
	if d := exportDT(v); d != nil {
		return "DateTime", mustJSON(d.String())
	}
	if d := exportDur(v); d != nil {
		s, _ := d.toISO()
		return "Duration", mustJSON(s)
	}
	if o, ok := v.(*goja.Object); ok {
		if o.ClassName() == "Date" {
			tm, ok := o.Export().(time.Time)
			if !ok {
				return "Date", mustJSON("Invalid Date")
			}
			return "Date", mustJSON(tm.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		b, err := o.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return "json", mustJSON(string(b))
	}
	switch x := v.Export().(type) {
	case string:
		return "string", mustJSON(x)
	case bool:
		return "boolean", mustJSON(x)
	case int64:
		return "number", mustJSON(x)
	case float64:
		if math.IsNaN(x) {
			return "number", mustJSON("NaN")
		}
		if math.IsInf(x, 0) {
			return "number", mustJSON(v.String())
		}
		return "number", mustJSON(x)
	}
	return "other", mustJSON(v.String())
}

func mustJSON(x any) string {
	b, _ := json.Marshal(x)
	return string(b)
}

func TestOracle(t *testing.T) {
	raw, err := os.ReadFile("testdata/oracle.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []oracleCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	runtimes := map[string]*goja.Runtime{}
	for _, c := range cases {
		rt := runtimes[c.TZ]
		if rt == nil {
			loc, err := time.LoadLocation(c.TZ)
			if err != nil {
				t.Fatal(err)
			}
			rt, _ = newRuntime(t, loc)
			runtimes[c.TZ] = rt
		}
		t.Run(c.TZ+"/"+c.Expr, func(t *testing.T) {
			v, err := eval(t, rt, c.Expr, c.JSON)
			typ, val := encode(t, v, err)
			want := string(c.Want.V)
			if typ != c.Want.T || !sameJSON(val, want) {
				t.Errorf("%s\n got  %s %s\n want %s %s", c.Expr, typ, val, c.Want.T, want)
			}
		})
	}
}
