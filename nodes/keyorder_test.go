package nodes

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestItemJSONKeepsKeyOrder(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the item as MarshalJSON writes it after decoding in
	}{
		{"top level", `{"json":{"name":"Ann","email":"a@x","note":""}}`, `{"json":{"name":"Ann","email":"a@x","note":""}}`},
		{"nested and arrays", `{"json":{"z":{"y":1,"x":[{"b":1,"a":2},3,{"d":{"f":1,"e":2}}]},"a":true}}`,
			`{"json":{"z":{"y":1,"x":[{"b":1,"a":2},3,{"d":{"f":1,"e":2}}]},"a":true}}`},
		{"sorted needs no hint", `{"json":{"a":1,"b":{"c":2}}}`, `{"json":{"a":1,"b":{"c":2}}}`},
		{"json after other members", `{"pairedItem":{"item":2},"binary":{"data":{"mimeType":"text/plain","data":"eA=="}},"json":{"b":"}\"{","a":[]}}`,
			`{"json":{"b":"}\"{","a":[]},"binary":{"data":{"data":"eA==","mimeType":"text/plain"}},"pairedItem":{"item":2}}`},
		{"escaped keys and strings", `{"json":{"q\"k":1,"\u00e9":"<&>","b\\":"\\"}}`, `{"json":{"q\"k":1,"é":"\u003c\u0026\u003e","b\\":"\\"}}`},
		{"whitespace", "{ \"json\" : { \"b\" : [ 1 , { \"d\" : 1 , \"c\" : 2 } ] ,\n \"a\" : null } }", `{"json":{"b":[1,{"d":1,"c":2}],"a":null}}`},
		{"duplicate keys: the last value, the first place", `{"json":{"b":1,"a":2,"b":3}}`, `{"json":{"b":3,"a":2}}`},
		{"numbers", `{"json":{"n":1e21,"m":-0.000001,"k":12.5}}`, `{"json":{"n":1e+21,"m":-0.000001,"k":12.5}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var it Item
			if err := json.Unmarshal([]byte(tt.in), &it); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(it)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
			// A second round trip keeps it.
			var again Item
			if err := json.Unmarshal(b, &again); err != nil {
				t.Fatal(err)
			}
			if b2, _ := json.Marshal(again); string(b2) != tt.want {
				t.Errorf("second round trip: %s", b2)
			}
			// The values are those encoding/json decodes.
			var plain struct {
				JSON map[string]any `json:"json"`
			}
			_ = json.Unmarshal([]byte(tt.in), &plain)
			if !reflect.DeepEqual(it.JSON, plain.JSON) {
				t.Errorf("values %v, want %v", it.JSON, plain.JSON)
			}
		})
	}
}

func TestItemKeyOrderStaleHint(t *testing.T) {
	var it Item
	if err := json.Unmarshal([]byte(`{"json":{"z":1,"y":{"q":1,"p":2},"x":3}}`), &it); err != nil {
		t.Fatal(err)
	}
	c := it.Clone()
	if c.KeyOrder() != it.KeyOrder() {
		t.Error("Clone dropped the key order")
	}
	// The map changes after the hint was taken: values come from the map,
	// new keys follow sorted, deleted keys are gone.
	delete(c.JSON, "y")
	c.JSON["b"] = 2.0
	c.JSON["a"] = map[string]any{"k": 1.0}
	c.JSON["x"] = "changed"
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"json":{"z":1,"x":"changed","a":{"k":1},"b":2}}`; string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if b, _ := json.Marshal(it); string(b) != `{"json":{"z":1,"y":{"q":1,"p":2},"x":3}}` {
		t.Errorf("original changed: %s", b)
	}
	// A hint of an object where an array now is (and the reverse) is ignored.
	c.JSON["z"] = []any{map[string]any{"b": 1.0, "a": 2.0}}
	c.JSON["x"] = map[string]any{"b": 1.0, "a": 2.0}
	w := c.WithKeyOrder(&KeyOrder{Keys: []string{"z", "x"}, Fields: map[string]*KeyOrder{
		"z": {Keys: []string{"b", "a"}}, "x": {Elems: []*KeyOrder{{Keys: []string{"b", "a"}}}}}})
	if b, _ := json.Marshal(w); string(b) != `{"json":{"z":[{"a":2,"b":1}],"x":{"a":2,"b":1},"a":{"k":1},"b":2}}` {
		t.Errorf("mismatched hint: %s", b)
	}
}

func TestJSONKeyOrder(t *testing.T) {
	tests := []struct {
		in   string
		want *KeyOrder
	}{
		{`{"b":1,"a":2}`, &KeyOrder{Keys: []string{"b", "a"}}},
		{`{"a":1,"b":2}`, nil},
		{`[1,{"a":{"d":"x","c":"y"}},"s"]`, &KeyOrder{Elems: []*KeyOrder{nil, {Keys: []string{"a"}, Fields: map[string]*KeyOrder{"a": {Keys: []string{"d", "c"}}}}}}},
		{`"just a string with { and ["`, nil},
		{`{"s":"a\\","r":"b\"}"}`, &KeyOrder{Keys: []string{"s", "r"}}},
		{`{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := JSONKeyOrder([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestCodeThenSetKeepsKeyOrder runs a Code node whose objects have unsorted
// keys, then a Set node whose expressions list them: they come in the
// order the script wrote them, also after the items went through JSON.
func TestCodeThenSetKeepsKeyOrder(t *testing.T) {
	script := `return [{json: {o: {name: "Ann", email: "a@x", note: ""}, n: 1}}, {json: {o: {zeta: 1, alpha: 2}}}];`
	for _, viaJSON := range []bool{false, true} {
		t.Run(map[bool]string{false: "in memory", true: "through JSON"}[viaJSON], func(t *testing.T) {
			ctx := codeNode(t, "", script, abc())
			run := RunNode(ctx)
			if run.Error != nil {
				t.Fatal(run.Error)
			}
			out := run.Data[ConnectionMain][0]
			if viaJSON {
				b, err := json.Marshal(out)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(b), `"json":{"o":{"name":"Ann","email":"a@x","note":""},"n":1}`) {
					t.Errorf("encoded: %s", b)
				}
				out = nil
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatal(err)
				}
			}
			w := testWorkflow(t, []string{"Start", "n8n-nodes-base.code:Code", "n8n-nodes-base.set:Set"}, "Start->Code", "Code->Set")
			set := w.Node("Set")
			set.TypeVersion = 3.4
			set.Parameters = map[string]any{"mode": "manual", "includeOtherFields": true, "assignments": map[string]any{"assignments": []any{
				map[string]any{"id": "1", "name": "keys", "type": "array", "value": "={{ $json.o.keys() }}"},
				map[string]any{"id": "2", "name": "top", "type": "string", "value": "={{ Object.keys($json).join() }}"},
				map[string]any{"id": "3", "name": "url", "type": "string", "value": "={{ $json.o.urlEncode() }}"},
			}}}
			runs := &memRuns{runs: map[string][]*NodeRun{"Code": {nodeRun(nil, out)}}}
			sctx := testContext(w, "Set", runs, []*SourceRef{src("Code", 0, 0)}, out)
			srun := RunNode(sctx)
			if srun.Error != nil {
				t.Fatal(srun.Error)
			}
			got := srun.Data[ConnectionMain][0]
			want := []map[string]any{
				{"keys": []any{"name", "email", "note"}, "top": "o,n", "url": "name=Ann&email=a%40x&note="},
				{"keys": []any{"zeta", "alpha"}, "top": "o", "url": "zeta=1&alpha=2"},
			}
			for i, w := range want {
				for k, v := range w {
					if !reflect.DeepEqual(got[i].JSON[k], v) {
						t.Errorf("item %d %s = %#v, want %#v", i, k, got[i].JSON[k], v)
					}
				}
			}
			// Set keeps the input's keys first, in their order.
			b, _ := json.Marshal(got[0])
			if !strings.HasPrefix(string(b), `{"json":{"o":{"name":"Ann","email":"a@x","note":""},"n":1,"keys":`) {
				t.Errorf("Set output: %s", b)
			}
		})
	}
}

func TestItemUnmarshalJSONBadText(t *testing.T) {
	for _, in := range []string{`{"json":{"a":tru`, `{"json":"x"}`, `{"json":{"a":1},"pairedItem":"x"}`, `{"`, `[]`} {
		t.Run(in, func(t *testing.T) {
			var it Item
			if err := it.UnmarshalJSON([]byte(in)); err == nil {
				t.Errorf("no error for %s", in)
			}
		})
	}
}
