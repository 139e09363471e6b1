package nodes

import (
	"strings"
	"testing"
)

// TestCodeConformance runs every Code node of the conformance corpus on the
// inputs n8n gave it and compares its output with n8n's.
func TestCodeConformance(t *testing.T) {
	n := forEachCaseRun(t, func(n *NodeInstance) bool { return n.Type == codeTypeName },
		func(t *testing.T, r *caseRun) {
			out, err := r.run()
			r.check(t, out, err)
		})
	if n < 90 {
		t.Fatalf("only %d Code node runs in the corpus", n)
	}
}

// codeNode builds a Code node instance and a context running it on in.
func codeNode(t *testing.T, mode, code string, in ...[]Item) *Context {
	t.Helper()
	w := testWorkflow(t, []string{"Start", "n8n-nodes-base.code:Code"}, "Start->Code")
	n := w.Node("Code")
	n.TypeVersion = 2
	n.Parameters = map[string]any{"jsCode": code}
	if mode != "" {
		n.Parameters["mode"] = mode
	}
	runs := &memRuns{runs: map[string][]*NodeRun{"Start": {nodeRun(nil, in...)}}}
	return testContext(w, "Code", runs, []*SourceRef{src("Start", 0, 0)}, in...)
}

func abc() []Item {
	return items([]map[string]any{{"n": 1.0, "s": "a"}, {"n": 2.0, "s": "b"}, {"n": 3.0, "s": "c"}})
}

func TestCodeNode(t *testing.T) {
	type want struct {
		out    string // the items' json, as JSON
		paired string // the items' pairedItem, as JSON
		err    string
	}
	cases := []struct {
		name, mode, code string
		in               []Item
		onError          string
		want             want
	}{
		{name: "items mutated in place", code: "for (const item of items) { item.json.d = item.json.n * 2 }\nreturn items;",
			want: want{out: `[{"d":2,"n":1,"s":"a"},{"d":4,"n":2,"s":"b"},{"d":6,"n":3,"s":"c"}]`, paired: `[{"item":0},{"item":1},{"item":2}]`}},
		{name: "$input.all() is one array", code: "for (const item of $input.all()) { item.json.x = 1 }\nreturn $input.all();",
			want: want{out: `[{"n":1,"s":"a","x":1},{"n":2,"s":"b","x":1},{"n":3,"s":"c","x":1}]`}},
		{name: "items changes show in $input", code: "items[0].json.n = 7;\nreturn [{json: {first: $input.first().json.n, json: $json.n}}];",
			want: want{out: `[{"first":7,"json":7}]`, paired: `[null]`}},
		{name: "plain objects are wrapped", code: "return [{a: 1}, {a: 2}];", want: want{out: `[{"a":1},{"a":2}]`}},
		{name: "a single object", code: "return {a: 1, when: new Date(Date.UTC(2024, 0, 15)), gone: undefined, nan: NaN};",
			want: want{out: `[{"a":1,"nan":null,"when":"2024-01-15T00:00:00.000Z"}]`}},
		{name: "a single item", code: "return {json: {a: 1}, pairedItem: 2};", want: want{out: `[{"a":1}]`, paired: `[{"item":2}]`}},
		{name: "null is no items", code: "return null;", want: want{out: `[]`}},
		{name: "empty array", code: "return [];", want: want{out: `[]`}},
		{name: "await", code: "const x = await Promise.resolve(5);\nreturn [{json: {x}}];", want: want{out: `[{"x":5}]`}},
		{name: "input unchanged by the script", code: "items[0].json.n = 99; return [];", want: want{out: `[]`}},
		{name: "pairedItem kept", code: "return [{json: {}, pairedItem: {item: 1}}, {json: {}, pairedItem: [0, 2]}];",
			want: want{out: `[{},{}]`, paired: `[{"item":1},[{"item":0},{"item":2}]]`}},
		{name: "binary kept", code: "return [{json: {}, binary: {data: {data: 'aGk=', mimeType: 'text/plain'}}}];", want: want{out: `[{}]`}},
		{name: "$('Start') reads the parent", code: "return $('Start').all().map(i => ({json: {n: i.json.n * 10}}));",
			want: want{out: `[{"n":10},{"n":20},{"n":30}]`}},
		{name: "undefined", code: "const a = 1;", want: want{err: "Code doesn't return items properly"}},
		{name: "a number", code: "return 5;", want: want{err: "Code doesn't return items properly"}},
		{name: "array of numbers", code: "return [1, 2];", want: want{err: "Code doesn't return items properly"}},
		{name: "json not an object", code: "return [{json: 5}];", want: want{err: "A 'json' property isn't an object [item 0]"}},
		{name: "binary not an object", code: "return [{json: {}, binary: 5}];", want: want{err: "A 'binary' property isn't an object [item 0]"}},
		{name: "reserved key beside unknown", code: "return [{json: {}, foo: 1}];", want: want{err: "Invalid output format [item 0]"}},
		{name: "unknown key", code: "return [{json: {}}, {foo: 1}];", want: want{err: "Unknown top-level item key: foo [item 1]"}},
		{name: "inconsistent", code: "return [{json: {}}, {binary: {}}];", want: want{err: "Inconsistent item format"}},
		{name: "throw", code: "const a = 1;\nthrow new Error('nope');", want: want{err: "nope [line 2]"}},
		{name: "type error", code: "const a = undefined;\nreturn a.b;", want: want{err: "Cannot read property 'b' of undefined [line 2]"}},
		{name: "colon in message", code: "throw new Error('a: b');", want: want{err: "b [line 1]"}},
		{name: "named function line", code: "function f() {\n  throw new Error('deep');\n}\nf();", want: want{err: "deep [line 2]"}},
		// n8n says "Unknown error" for thrown values that are not errors;
		// the engine reports the value.
		{name: "thrown string", code: "throw 'x';", want: want{err: "x [line 1]"}},
		{name: "syntax error", code: "return [;", want: want{err: "Unexpected token ;"}},
		{name: "proxy error keeps its message", code: "return $('Nope').all();", want: want{err: "Referenced node doesn't exist"}},
		{name: "continueOnFail", code: "throw new Error('nope');", onError: OnErrorContinueRegularOutput,
			want: want{out: `[{"error":"nope [line 1]"}]`, paired: `[null]`}},

		{name: "each: json and plain", mode: codeEachItem, code: "if ($json.n === 2) return {x: $itemIndex};\nreturn {json: {s: item.json.s, same: item === $input.item}};",
			want: want{out: `[{"s":"a","same":true},{"x":1},{"s":"c","same":true}]`, paired: `[{"item":0},{"item":1},{"item":2}]`}},
		{name: "each: falsy drops the item", mode: codeEachItem, code: "if ($json.n === 2) return null;\nif ($json.n === 3) return;\nreturn $json;",
			want: want{out: `[{"n":1,"s":"a"}]`, paired: `[{"item":0}]`}},
		{name: "each: pairedItem is the input's", mode: codeEachItem, code: "return {json: {}, pairedItem: 7};",
			want: want{out: `[{},{},{}]`, paired: `[{"item":0},{"item":1},{"item":2}]`}},
		{name: "each: binary only", mode: codeEachItem, code: "return {binary: {f: {data: 'aGk='}}};", want: want{out: `[{},{},{}]`}},
		{name: "each: error names the item", mode: codeEachItem, code: "if ($json.n === 2) {\n  throw new Error('bad');\n}\nreturn $json;",
			want: want{err: "bad [line 2, for item 1]"}},
		{name: "each: continueOnFail", mode: codeEachItem, code: "if ($json.n === 2) {\n  throw new Error('bad');\n}\nreturn $json;",
			onError: OnErrorContinueErrorOutput,
			want:    want{out: `[{"n":1,"s":"a"},{"error":"bad [line 2, for item 1]"},{"n":3,"s":"c"}]`, paired: `[{"item":0},{"item":1},{"item":2}]`}},
		{name: "each: $input.all() refused", mode: codeEachItem, code: "const x = 1;\nreturn {n: $input.all().length};",
			want: want{err: "Can't use .all() here [line 2, for item 0]"}},
		{name: "each: commented $input.first()", mode: codeEachItem, code: "// $input.first()\nreturn $json;",
			want: want{out: `[{"n":1,"s":"a"},{"n":2,"s":"b"},{"n":3,"s":"c"}]`}},
		{name: "each: json not an object", mode: codeEachItem, code: "return {json: [1]};", want: want{err: "A 'json' property isn't an object [item 0]"}},
		{name: "each: a string", mode: codeEachItem, code: "return 'x';", want: want{err: "A 'json' property isn't an object [item 0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			if in == nil {
				in = abc()
			}
			ctx := codeNode(t, c.mode, c.code, in)
			ctx.Node.OnError = c.onError
			out, err := Code{}.Execute(ctx, ctx.Inputs)
			if c.want.err != "" {
				if err == nil || err.Error() != c.want.err {
					t.Fatalf("error = %v, want %q", err, c.want.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if len(out) != 1 {
				t.Fatalf("%d outputs", len(out))
			}
			js := make([]any, len(out[0]))
			paired := make([]any, len(out[0]))
			for i, it := range out[0] {
				js[i] = it.JSON
				paired[i] = pairedJSON(it.PairedItem)
			}
			if got := mustJSON(js); got != c.want.out {
				t.Errorf("output %s, want %s", got, c.want.out)
			}
			if c.want.paired != "" {
				if got := mustJSON(paired); got != c.want.paired {
					t.Errorf("pairedItem %s, want %s", got, c.want.paired)
				}
			}
			if in[0].JSON["n"] != 1.0 {
				t.Errorf("the script changed the input: %v", in[0].JSON)
			}
		})
	}
}

func TestCodeUnknownLanguageRefused(t *testing.T) {
	ctx := codeNode(t, "", "", abc())
	ctx.Node.Parameters["language"] = "ruby"
	if _, err := (Code{}).Execute(ctx, ctx.Inputs); err == nil || err.Error() != "Unsupported language: ruby" {
		t.Fatalf("error %v", err)
	}
}

func TestCodeErrorDetails(t *testing.T) {
	ctx := codeNode(t, codeEachItem, "const a = null;\nif ($itemIndex === 1) a.x = 1;\nreturn $json;", abc())
	_, err := Code{}.Execute(ctx, ctx.Inputs)
	ne := AsNodeError(err)
	if ne == nil || ne.LineNumber != 2 || ne.ItemIndex == nil || *ne.ItemIndex != 1 || ne.Node != "Code" ||
		!strings.HasSuffix(ne.Message, " [line 2, for item 1]") {
		t.Fatalf("error %+v", ne)
	}
	ctx = codeNode(t, "", "throw new TypeError('a: b');", abc())
	_, err = Code{}.Execute(ctx, ctx.Inputs)
	if ne := AsNodeError(err); ne == nil || ne.Message != "b [line 1]" || ne.Description != "a" {
		t.Fatalf("error %+v", ne)
	}
}

func TestCodeBinaryOutput(t *testing.T) {
	ctx := codeNode(t, "", "return [{json: {}, binary: {data: {data: 'aGk=', mimeType: 'text/plain', fileName: 'a.txt'}}}];", abc())
	out, err := Code{}.Execute(ctx, ctx.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	b := out[0][0].Binary["data"]
	if b == nil || b.Data != "aGk=" || b.MimeType != "text/plain" || b.FileName != "a.txt" {
		t.Fatalf("binary %+v", b)
	}
}

func TestCodeConsole(t *testing.T) {
	ctx := codeNode(t, "", "console.log('hi', 1, {a: [1]});\nfor (let i = 0; i < 1000; i++) console.log(i);\nconsole.warn('w');\nreturn [];", abc())
	var lines []string
	ctx.Console = func(l string) { lines = append(lines, l) }
	if _, err := (Code{}).Execute(ctx, ctx.Inputs); err != nil {
		t.Fatal(err)
	}
	if len(lines) != maxConsoleLog || lines[0] != `hi 1 {"a":[1]}` || lines[1] != "0" {
		t.Fatalf("%d lines, first %q", len(lines), lines[:2])
	}
}

func TestCodeValidate(t *testing.T) {
	cases := []struct {
		params  map[string]any
		version float64
		want    string
	}{
		{map[string]any{"jsCode": "return [];"}, 2, ""},
		{map[string]any{"jsCode": "return [];", "mode": codeEachItem, "language": "javaScript"}, 2, ""},
		{map[string]any{"language": "pythonNative", "pythonCode": "return []"}, 2, ""},
		{map[string]any{"language": "python"}, 2, ""},
		{map[string]any{"language": "ruby"}, 2, `unknown language "ruby"`},
		{map[string]any{"language": "python"}, 1, ""},
		{map[string]any{"mode": "sometimes"}, 2, `unknown mode "sometimes"`},
	}
	for _, c := range cases {
		t.Run(mustJSON(c.params), func(t *testing.T) {
			err := Code{}.Validate(&NodeInstance{Name: "Code", Type: codeTypeName, TypeVersion: c.version, Parameters: c.params})
			if c.want == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}
