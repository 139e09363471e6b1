package nodes

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// condNode builds a node instance from JSON parameters and a context to run
// it on the given input items.
func condNode(t *testing.T, typ string, version float64, params string, items ...map[string]any) (*Context, [][]Item) {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		t.Fatalf("params: %v", err)
	}
	n := &NodeInstance{Name: "N", Type: typ, TypeVersion: version, Parameters: p}
	in := [][]Item{make([]Item, len(items))}
	for i, j := range items {
		in[0][i] = NewItem(j)
	}
	ctx := &Context{
		Workflow:  &Workflow{Name: "w", Nodes: []*NodeInstance{n}},
		Node:      n,
		Execution: ExecutionInfo{ID: "1", Mode: ModeManual},
		Inputs:    in,
		Runs:      noRuns{},
		Expr:      expr.New(expr.Options{}),
		Now:       func() time.Time { return time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC) },
		Location:  time.UTC,
	}
	return ctx, in
}

// condRun executes the node of ctx.
func condRun(t *testing.T, ctx *Context, in [][]Item) ([][]Item, error) {
	t.Helper()
	return Lookup(ctx.Node.Type).Node.Execute(ctx, in)
}

// condJSON returns the json of each output's items.
func condJSON(out [][]Item) [][]map[string]any {
	res := make([][]map[string]any, len(out))
	for i, o := range out {
		res[i] = []map[string]any{}
		for _, it := range o {
			res[i] = append(res[i], it.JSON)
		}
	}
	return res
}

func condWant(t *testing.T, s string) [][]map[string]any {
	t.Helper()
	var v [][]map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

const numberGT10 = `{"conditions":{"options":{"caseSensitive":true,"typeValidation":"strict","version":2},
	"conditions":[{"leftValue":"={{ $json.v }}","rightValue":10,"operator":{"type":"number","operation":"gt"}}],"combinator":"and"}`

func TestIfNode(t *testing.T) {
	items := []map[string]any{{"v": 5.0}, {"v": 15.0}, {"v": 20.5}}
	cases := []struct {
		name    string
		version float64
		params  string
		onError string
		items   []map[string]any
		want    string
		wantErr string
	}{
		{"routes true and false", 2.2, numberGT10 + `}`, "", items,
			`[[{"v":15},{"v":20.5}],[{"v":5}]]`, ""},
		{"strict type error fails", 2.2, numberGT10 + `}`, "", []map[string]any{{"v": "15"}}, "",
			"Wrong type: '15' is a string but was expecting a number [condition 0, item 0]"},
		{"continue on fail sends the item to false", 2.2, numberGT10 + `}`, OnErrorContinueRegularOutput,
			[]map[string]any{{"v": "15"}, {"v": 11.0}}, `[[{"v":11}],[{"v":"15"}]]`, ""},
		{"loose from the node parameter (2.1+)", 2.2,
			`{"conditions":{"conditions":[{"leftValue":"={{ $json.v }}","rightValue":"10","operator":{"type":"number","operation":"gt"}}],"combinator":"and"},"looseTypeValidation":true}`,
			"", []map[string]any{{"v": "15"}, {"v": "7"}}, `[[{"v":"15"}],[{"v":"7"}]]`, ""},
		{"loose from options (2.0)", 2,
			`{"conditions":{"conditions":[{"leftValue":"={{ $json.v }}","rightValue":"10","operator":{"type":"number","operation":"gt"}}],"combinator":"and"},"options":{"looseTypeValidation":true}}`,
			"", []map[string]any{{"v": "15"}}, `[[{"v":"15"}],[]]`, ""},
		{"version 2.0 loose boolean is truthiness", 2,
			`{"conditions":{"conditions":[{"leftValue":"={{ $json.f }}","operator":{"type":"boolean","operation":"true","singleValue":true}}],"combinator":"and"},"options":{"looseTypeValidation":true}}`,
			"", []map[string]any{{"f": "false"}, {"f": ""}}, `[[{"f":"false"}],[{"f":""}]]`, ""},
		{"version 2.2 loose boolean parses", 2.2,
			`{"conditions":{"conditions":[{"leftValue":"={{ $json.f }}","operator":{"type":"boolean","operation":"true","singleValue":true}}],"combinator":"and"},"looseTypeValidation":true}`,
			"", []map[string]any{{"f": "false"}, {"f": "no"}}, `[[{"f":"no"}],[{"f":"false"}]]`, ""},
		{"ignoreCase option without stored options", 2.2,
			`{"conditions":{"conditions":[{"leftValue":"={{ $json.c }}","rightValue":"oslo","operator":{"type":"string","operation":"equals"}}],"combinator":"and"},"options":{"ignoreCase":true}}`,
			"", []map[string]any{{"c": "OSLO"}}, `[[{"c":"OSLO"}],[]]`, ""},
		{"version 1 all", 1,
			`{"conditions":{"number":[{"value1":"={{ $json.v }}","operation":"larger","value2":10}],"string":[{"value1":"={{ $json.s }}","operation":"startsWith","value2":"a"}]},"combineOperation":"all"}`,
			"", []map[string]any{{"v": 11.0, "s": "ab"}, {"v": 11.0, "s": "b"}, {"v": 1.0, "s": "a"}},
			`[[{"v":11,"s":"ab"}],[{"v":11,"s":"b"},{"v":1,"s":"a"}]]`, ""},
		{"version 1 any", 1,
			`{"conditions":{"number":[{"value1":"={{ $json.v }}","operation":"larger","value2":10}],"string":[{"value1":"={{ $json.s }}","operation":"startsWith","value2":"a"}]},"combineOperation":"any"}`,
			"", []map[string]any{{"v": 11.0, "s": "b"}, {"v": 1.0, "s": "a"}, {"v": 1.0, "s": "b"}},
			`[[{"v":11,"s":"b"},{"v":1,"s":"a"}],[{"v":1,"s":"b"}]]`, ""},
		{"expression syntax error", 2.2,
			`{"conditions":{"conditions":[{"leftValue":"={{ $json.a + }}","rightValue":1,"operator":{"type":"number","operation":"gt"}}],"combinator":"and"}}`,
			"", []map[string]any{{}}, "", "invalid syntax"},
		// n8n swallows a TypeError inside {{ }}: the value is empty and the
		// condition sees nothing.
		{"runtime error in expression is an empty value", 2.2,
			`{"conditions":{"conditions":[{"leftValue":"={{ $json.a.b.c }}","operator":{"type":"string","operation":"empty","singleValue":true}}],"combinator":"and"}}`,
			"", []map[string]any{{}}, `[[{}],[]]`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, in := condNode(t, "n8n-nodes-base.if", c.version, c.params, c.items...)
			ctx.Node.OnError = c.onError
			out, err := condRun(t, ctx, in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want error %q", err, c.wantErr)
				}
				ne := AsNodeError(err)
				if ne.Node != "N" || ne.ItemIndex == nil {
					t.Fatalf("error not attributed: %+v", ne)
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
}

func TestIfPairsItems(t *testing.T) {
	ctx, in := condNode(t, "n8n-nodes-base.if", 2.2, numberGT10+`}`, map[string]any{"v": 1.0}, map[string]any{"v": 50.0})
	in[0][1].PairedItem = PairedItems{{Item: 7}}
	out, err := condRun(t, ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if out[0][0].PairedItem[0].Item != 1 || out[1][0].PairedItem[0].Item != 0 {
		t.Fatalf("paired items %v %v", out[0][0].PairedItem, out[1][0].PairedItem)
	}
}

func TestIfValidate(t *testing.T) {
	cases := []struct {
		name    string
		version float64
		params  string
		want    string
	}{
		{"ok", 2.2, numberGT10 + `}`, ""},
		{"unknown operation", 2.2, `{"conditions":{"conditions":[{"operator":{"type":"number","operation":"near"}}]}}`, "conditions.conditions[0].operator.operation"},
		{"unknown type", 2, `{"conditions":{"conditions":[{"operator":{"type":"money","operation":"gt"}}]}}`, "conditions.conditions[0].operator.type"},
		{"malformed", 2.1, `{"conditions":[1,2]}`, `"conditions"`},
		{"v1 ok", 1, `{"conditions":{"string":[{"value1":"a","operation":"regex","value2":"b"}]},"combineOperation":"any"}`, ""},
		{"v1 bad combine", 1, `{"combineOperation":"most"}`, "combineOperation"},
		{"v1 bad operation", 1, `{"conditions":{"boolean":[{"operation":"larger"}]}}`, "conditions.boolean[0].operation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p map[string]any
			if err := json.Unmarshal([]byte(c.params), &p); err != nil {
				t.Fatal(err)
			}
			err := If{}.Validate(&NodeInstance{TypeVersion: c.version, Parameters: p})
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
