package nodes

import "testing"

func legacyNode(t *testing.T, typ, code string, in []Item) *Context {
	t.Helper()
	w := testWorkflow(t, []string{"Start", typ + ":F"}, "Start->F")
	w.Node("F").Parameters = map[string]any{"functionCode": code, "factor": "={{ $json.n * 100 }}"}
	runs := &memRuns{runs: map[string][]*NodeRun{"Start": {nodeRun(nil, in)}}}
	return testContext(w, "F", runs, []*SourceRef{src("Start", 0, 0)}, in)
}

func TestLegacyFunctionNodes(t *testing.T) {
	const fn, fnItem = "n8n-nodes-base.function", "n8n-nodes-base.functionItem"
	cases := []struct {
		name, typ, code, onError string
		out, paired, err         string
	}{
		{name: "items", typ: fn, code: "for (item of items) {\n  item.json.i = item.index;\n}\nreturn items;",
			out: `[{"i":0,"n":1,"s":"a"},{"i":1,"n":2,"s":"b"},{"i":2,"n":3,"s":"c"}]`, paired: `[{"item":0},{"item":1},{"item":2}]`},
		{name: "items are copies", typ: fn, code: "items[0].json.n = 9;\nreturn [{json: {a: $input.first().json.n, b: $json.n, c: $item(2).$json.n}}];",
			out: `[{"a":1,"b":1,"c":3}]`},
		{name: "single object", typ: fn, code: "return {json: {x: 1}};", out: `[{"x":1}]`},
		{name: "plain objects", typ: fn, code: "return [{x: 1}];", out: `[{"x":1}]`},
		{name: "getNodeParameter", typ: fn, code: "return [{json: {f: getNodeParameter('factor', 1)}}];", out: `[{"f":200}]`},
		{name: "nothing returned", typ: fn, code: "const a = 1;", err: "No data got returned. Always return an Array of items!"},
		{name: "not an array", typ: fn, code: "return 5;", err: "Always an Array of items has to be returned!"},
		{name: "json not an object", typ: fn, code: "return [{json: 5}];", err: "The json-property has to be an object!"},
		{name: "throw", typ: fn, code: "const a = 1;\nthrow new Error('nope');", err: "nope [Line 2]"},
		{name: "throw, continue", typ: fn, code: "throw new Error('nope');", onError: OnErrorContinueRegularOutput, out: `[{"error":"nope"}]`},

		{name: "item", typ: fnItem, code: "item.d = item.n * 2;\nreturn item;",
			out: `[{"d":2,"n":1,"s":"a"},{"d":4,"n":2,"s":"b"},{"d":6,"n":3,"s":"c"}]`, paired: `[{"item":0},{"item":1},{"item":2}]`},
		{name: "item proxy", typ: fnItem, code: "return {i: $itemIndex, p: getNodeParameter('factor')};",
			out: `[{"i":0,"p":100},{"i":1,"p":200},{"i":2,"p":300}]`},
		{name: "item binary", typ: fnItem, code: "setBinaryData({data: {data: 'aGk=', mimeType: 'text/plain'}});\nreturn {has: getBinaryData().data.mimeType};",
			out: `[{"has":"text/plain"},{"has":"text/plain"},{"has":"text/plain"}]`},
		{name: "item nothing", typ: fnItem, code: "const a = 1;", err: "No data got returned. Always an object has to be returned!"},
		{name: "item throw", typ: fnItem, code: "if (item.n === 2) {\n  throw new Error('bad');\n}\nreturn item;", err: "bad [Line 2 | Item Index: 1]"},
		{name: "item throw, continue", typ: fnItem, code: "if (item.n === 2) {\n  throw new Error('bad');\n}\nreturn item;",
			onError: OnErrorContinueRegularOutput, out: `[{"n":1,"s":"a"},{"error":"bad"},{"n":3,"s":"c"}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := abc()
			ctx := legacyNode(t, c.typ, c.code, in)
			ctx.Node.OnError = c.onError
			out, err := Lookup(c.typ).Node.Execute(ctx, ctx.Inputs)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			js := make([]any, len(out[0]))
			paired := make([]any, len(out[0]))
			for i, it := range out[0] {
				js[i] = it.JSON
				paired[i] = pairedJSON(it.PairedItem)
			}
			if got := mustJSON(js); got != c.out {
				t.Errorf("output %s, want %s", got, c.out)
			}
			if c.paired != "" && mustJSON(paired) != c.paired {
				t.Errorf("pairedItem %s, want %s", mustJSON(paired), c.paired)
			}
			if in[0].JSON["n"] != 1.0 {
				t.Errorf("input changed: %v", in[0].JSON)
			}
		})
	}
}
