package luxon

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// testNow is the clock of every test runtime: 2024-05-20T12:34:56.789Z.
var testNow = time.Date(2024, 5, 20, 12, 34, 56, 789e6, time.UTC)

// newRuntime returns a bare goja runtime with Luxon installed in zone, plus the
// string/number toDateTime extensions the expression engine would add.
func newRuntime(t testing.TB, zone *time.Location) (*goja.Runtime, *Env) {
	t.Helper()
	rt := goja.New()
	env, err := Install(rt, zone, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(env.InstallDateExtensions())
	must(rt.Set("__strToDateTime", func(s, f string) goja.Value {
		v, err := env.StringToDateTime(s, f)
		if err != nil {
			panic(rt.NewGoError(err))
		}
		return v
	}))
	must(rt.Set("__numToDateTime", func(n float64, f string) goja.Value {
		v, err := env.NumberToDateTime(n, f)
		if err != nil {
			panic(rt.NewGoError(err))
		}
		return v
	}))
	_, err = rt.RunString(`
		Object.defineProperty(String.prototype, "toDateTime", {value: function (f) { return __strToDateTime(String(this), f === undefined ? "" : String(f)); }});
		Object.defineProperty(Number.prototype, "toDateTime", {value: function (f) { return __numToDateTime(Number(this), f === undefined ? "" : String(f)); }});
	`)
	must(err)
	return rt, env
}

// eval runs expr with $json bound to item.
func eval(t testing.TB, rt *goja.Runtime, expr string, item any) (goja.Value, error) {
	t.Helper()
	if item == nil {
		item = map[string]any{}
	}
	b, err := json.Marshal(item)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.RunString("var $json = " + string(b) + ";"); err != nil {
		t.Fatal(err)
	}
	return rt.RunString("(" + expr + ")")
}

// setFieldJSON converts a result the way n8n's Set node stores a field of the
// given type, as JSON text.
func setFieldJSON(t testing.TB, v goja.Value, typ string) string {
	t.Helper()
	if iso, ok := ToISO(v); ok {
		b, _ := json.Marshal(iso)
		return string(b)
	}
	if o, ok := v.(*goja.Object); ok {
		b, err := o.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if typ == "string" {
			b, _ = json.Marshal(string(b))
		}
		return string(b)
	}
	x := v.Export()
	if typ == "string" {
		if _, isStr := x.(string); !isStr {
			x = v.String()
		}
	}
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameJSON compares two JSON texts structurally.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
