package nodes

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func switchRule(op string, right any) string {
	r, _ := json.Marshal(right)
	return `{"conditions":{"options":{"caseSensitive":true,"typeValidation":"strict","version":2},"conditions":[{"leftValue":"={{ $json.n }}","rightValue":` +
		string(r) + `,"operator":{"type":"number","operation":"` + op + `"}}],"combinator":"and"}}`
}

func TestSwitchNode(t *testing.T) {
	rules := `{"rules":{"values":[` + switchRule("gt", 10) + `,` + switchRule("gt", 20) + `,` + switchRule("lt", 0) + `]}`
	items := []map[string]any{{"n": 5.0}, {"n": 15.0}, {"n": 25.0}, {"n": -1.0}}
	cases := []struct {
		name    string
		params  string
		onError string
		items   []map[string]any
		want    string
		wantErr string
		outputs int
	}{
		{"first match", rules + `}`, "", items, `[[{"n":15},{"n":25}],[],[{"n":-1}]]`, "", 3},
		{"all matching", rules + `,"options":{"allMatchingOutputs":true}}`, "", items, `[[{"n":15},{"n":25}],[{"n":25}],[{"n":-1}]]`, "", 3},
		{"extra fallback", rules + `,"options":{"fallbackOutput":"extra"}}`, "", items, `[[{"n":15},{"n":25}],[],[{"n":-1}],[{"n":5}]]`, "", 4},
		{"fallback to a rule's output", rules + `,"options":{"fallbackOutput":2}}`, "", items, `[[{"n":15},{"n":25}],[],[{"n":5},{"n":-1}]]`, "", 3},
		{"no rules", `{"rules":{"values":[]}}`, "", items, `[[]]`, "", 0},
		{"default rule matches everything", `{}`, "", items[:2], `[[{"n":5},{"n":15}]]`, "", 1},
		{"expression mode", `{"mode":"expression","numberOutputs":3,"output":"={{ $json.n > 10 ? 2 : 0 }}"}`, "", items[:2], `[[{"n":5}],[],[{"n":15}]]`, "", 3},
		{"expression numeric text", `{"mode":"expression","numberOutputs":2,"output":"={{ '1' }}"}`, "", items[:1], `[[],[{"n":5}]]`, "", 2},
		{"expression index too high", `{"mode":"expression","numberOutputs":2,"output":"={{ 2 }}"}`, "", items[:1], "", "The ouput 2 is not allowed.", 2},
		{"expression index negative", `{"mode":"expression","numberOutputs":2,"output":"={{ -1 }}"}`, "", items[:1], "", "The ouput -1 is not allowed", 2},
		{"expression not a number", `{"mode":"expression","numberOutputs":2,"output":"={{ 'x' }}"}`, "", items[:1], "", "Invalid input for 'Output Index' [item 0]", 2},
		{"continue on fail", `{"mode":"expression","numberOutputs":2,"output":"={{ $json.n > 10 ? 5 : 1 }}"}`, OnErrorContinueRegularOutput,
			items[:2], `[[{"error":"The ouput 5 is not allowed"}],[{"n":5}]]`, "", 2},
		{"type error", `{"rules":{"values":[` + switchRule("gt", "10") + `]}}`, "", items[:1], "", "Wrong type: '10' is a string but was expecting a number", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, in := condNode(t, "n8n-nodes-base.switch", 3.2, c.params, c.items...)
			ctx.Node.OnError = c.onError
			if got := switchOutputs(ctx.Node); got != c.outputs {
				t.Errorf("Outputs() = %d, want %d", got, c.outputs)
			}
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
			for _, o := range out {
				for _, it := range o {
					if len(it.PairedItem) != 1 && it.JSON["error"] == nil {
						t.Fatalf("item without pairing: %+v", it)
					}
				}
			}
		})
	}
}

func TestSwitchValidate(t *testing.T) {
	cases := []struct{ name, params, want string }{
		{"ok", `{"rules":{"values":[` + switchRule("gt", 1) + `]},"options":{"fallbackOutput":0}}`, ""},
		{"unknown mode", `{"mode":"random"}`, "mode"},
		{"bad rule operation", `{"rules":{"values":[{"conditions":{"conditions":[{"operator":{"type":"number","operation":"near"}}]}}]}}`, "rules.values[0].conditions.conditions[0].operator.operation"},
		{"rules not a list", `{"rules":{"values":3}}`, "rules.values"},
		{"fallback not an index", `{"rules":{"values":[` + switchRule("gt", 1) + `]},"options":{"fallbackOutput":1.5}}`, "options.fallbackOutput"},
		{"fallback unknown", `{"options":{"fallbackOutput":"last"}}`, "options.fallbackOutput"},
		{"negative outputs", `{"mode":"expression","numberOutputs":-2}`, "numberOutputs"},
		{"expression outputs", `{"mode":"expression","numberOutputs":"={{ 3 }}"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p map[string]any
			if err := json.Unmarshal([]byte(c.params), &p); err != nil {
				t.Fatal(err)
			}
			err := Switch{}.Validate(&NodeInstance{TypeVersion: 3.2, Parameters: p})
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestSwitchLegacy(t *testing.T) {
	items := []map[string]any{{"n": 5.0}, {"n": 15.0}, {"n": 25.0}}
	rulesV1 := `{"dataType":"number","value1":"={{ $json.n }}","rules":{"rules":[{"operation":"larger","value2":20,"output":2},{"operation":"larger","value2":10,"output":1}]}`
	rulesV2 := `{"dataType":"number","value1":"={{ $json.n }}","rules":{"rules":[{"operation":"larger","value2":20},{"operation":"larger","value2":10}]}`
	cases := []struct {
		name    string
		version float64
		params  string
		onError string
		want    string
		wantErr string
		outputs int
	}{
		{"v1 rules pick outputs", 1, rulesV1 + `}`, "", `[[],[{"n":15}],[{"n":25}]]`, "", 4},
		{"v1 fallback", 1, rulesV1 + `,"fallbackOutput":3}`, "", `[[],[{"n":15}],[{"n":25}],[{"n":5}]]`, "", 4},
		{"v1 output out of range", 1, `{"value1":1,"rules":{"rules":[{"operation":"equal","value2":1,"output":4}]}}`, "", "",
			"The ouput 4 is not allowed. It has to be between 0 and 3!", 4},
		{"v2 one output per rule", 2, rulesV2 + `}`, "", `[[{"n":25}],[{"n":15}]]`, "", 2},
		{"v2 fallback", 2, rulesV2 + `,"fallbackOutput":0}`, "", `[[{"n":5},{"n":25}],[{"n":15}]]`, "", 2},
		{"v2 expression", 2, `{"mode":"expression","outputsAmount":2,"output":"={{ $json.n > 10 ? 1 : 0 }}"}`, "", `[[{"n":5}],[{"n":15},{"n":25}]]`, "", 2},
		{"v2 string rules", 2, `{"dataType":"string","value1":"={{ 'n' + $json.n }}","rules":{"rules":[{"operation":"endsWith","value2":"5"}]}}`, "",
			`[[{"n":5},{"n":15},{"n":25}]]`, "", 1},
		{"continue on fail", 1, `{"mode":"expression","output":"={{ $json.n > 10 ? 9 : 0 }}"}`, OnErrorContinueRegularOutput,
			`[[{"n":5},{"error":"The ouput 9 is not allowed. It has to be between 0 and 3!"},{"error":"The ouput 9 is not allowed. It has to be between 0 and 3!"}]]`, "", 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, in := condNode(t, "n8n-nodes-base.switch", c.version, c.params, items...)
			ctx.Node.OnError = c.onError
			if got := switchOutputs(ctx.Node); got != c.outputs {
				t.Errorf("Outputs() = %d, want %d", got, c.outputs)
			}
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
			got := condJSON(out)
			for len(got) > 0 && len(got[len(got)-1]) == 0 {
				got = got[:len(got)-1]
			}
			if want := condWant(t, c.want); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
	bad := &NodeInstance{TypeVersion: 1, Parameters: map[string]any{"dataType": "number",
		"rules": map[string]any{"rules": []any{map[string]any{"operation": "contains"}}}}}
	if err := (Switch{}).Validate(bad); err == nil || !strings.Contains(err.Error(), "rules.rules[0].operation") {
		t.Fatalf("validate: %v", err)
	}
}
