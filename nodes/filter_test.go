package nodes

import (
	"reflect"
	"strings"
	"testing"
)

func TestFilterNode(t *testing.T) {
	items := []map[string]any{{"v": 5.0}, {"v": 15.0}}
	cases := []struct {
		name    string
		version float64
		params  string
		onError string
		items   []map[string]any
		want    string
		wantErr string
	}{
		{"kept and discarded", 2.2, numberGT10 + `}`, "", items, `[[{"v":15}],[{"v":5}]]`, ""},
		{"none kept", 2.2, numberGT10 + `}`, "", items[:1], `[[],[{"v":5}]]`, ""},
		{"type error", 2.2, numberGT10 + `}`, "", []map[string]any{{"v": "x"}}, "", "Wrong type: 'x' is a string"},
		{"continue on fail discards", 2.2, numberGT10 + `}`, OnErrorContinueErrorOutput,
			[]map[string]any{{"v": "x"}, {"v": 12.0}}, `[[{"v":12}],[{"v":"x"}]]`, ""},
		{"version 1 AND", 1, `{"conditions":{"number":[{"value1":"={{ $json.v }}","operation":"larger","value2":10}]},"combineConditions":"AND"}`,
			"", items, `[[{"v":15}],[{"v":5}]]`, ""},
		{"version 1 OR", 1, `{"conditions":{"number":[{"value1":"={{ $json.v }}","operation":"larger","value2":100},{"value1":"={{ $json.v }}","operation":"smaller","value2":10}]},"combineConditions":"OR"}`,
			"", items, `[[{"v":5}],[{"v":15}]]`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, in := condNode(t, "n8n-nodes-base.filter", c.version, c.params, c.items...)
			ctx.Node.OnError = c.onError
			out, err := condRun(t, ctx, in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want error %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := condJSON(out), condWant(t, c.want); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
	d := Lookup("n8n-nodes-base.filter").Description
	if n := d.OutputCount(&NodeInstance{}); n != 1 {
		t.Fatalf("Filter has %d outputs for connections, want 1", n)
	}
	if err := (Filter{}).Validate(&NodeInstance{TypeVersion: 1, Parameters: map[string]any{"combineConditions": "and"}}); err == nil {
		t.Fatal("lower-case combineConditions accepted")
	}
}
