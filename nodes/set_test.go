package nodes

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// assign builds an assignments parameter from name, type, value triples.
func assign(t *testing.T, triples ...any) string {
	t.Helper()
	var list []any
	for i := 0; i+2 < len(triples); i += 3 {
		list = append(list, map[string]any{"id": "x", "name": triples[i], "type": triples[i+1], "value": triples[i+2]})
	}
	b, err := json.Marshal(map[string]any{"assignments": list})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSetManual(t *testing.T) {
	in := map[string]any{"name": "Ann", "n": 4.0, "tags": []any{"a", "b"}, "user": map[string]any{"city": "Oslo"}}
	cases := []struct {
		name    string
		version float64
		params  string
		onError string
		want    string
		wantErr string
	}{
		{"types", 3.4, `{"assignments":` + assign(t,
			"s", "string", "={{ $json.n }}", "num", "number", "17.5", "empty", "number", "", "b", "boolean", "false",
			"arr", "array", "['x', 'y']", "obj", "object", "{k: 1}", "str", "string", "={{ $json.user }}",
			"copy", "array", "={{ $json.tags }}") + `}`, "",
			`[[{"s":"4","num":17.5,"empty":0,"b":false,"arr":["x","y"],"obj":{"k":1},"str":"{\"city\":\"Oslo\"}","copy":["a","b"]}]]`, ""},
		{"conversion error", 3.4, `{"assignments":` + assign(t, "x", "number", "abc") + `}`, "", "",
			"'x' expects a number but we got 'abc' [item 0]"},
		{"conversion error for an array", 3.4, `{"assignments":` + assign(t, "x", "number", "={{ $json.tags }}") + `}`, "", "",
			"'x' expects a number but we got array [item 0]"},
		{"boolean conversion error", 3.4, `{"assignments":` + assign(t, "x", "boolean", "yes") + `}`, "", "",
			"'x' expects a boolean but we got 'yes' [item 0]"},
		{"ignore conversion errors", 3.4, `{"assignments":` + assign(t, "x", "number", "abc", "m", "string", "={{ $json.missing }}") +
			`,"options":{"ignoreConversionErrors":true}}`, "", `[[{"x":"abc","m":null}]]`, ""},
		{"missing is null from 3.2", 3.2, `{"fields":{"values":[{"name":"m","type":"stringValue","stringValue":"={{ $json.missing }}"}]},"include":"none"}`, "",
			`[[{"m":null}]]`, ""},
		{"missing string fails in 3.1", 3.1, `{"fields":{"values":[{"name":"m","type":"stringValue","stringValue":"={{ $json.missing }}"}]}}`, "", "",
			"'m' expects a string but we got 'undefined' [item 0]"},
		{"missing string is text in 3.0", 3, `{"fields":{"values":[{"name":"m","type":"stringValue","stringValue":"={{ $json.missing }}"}]},"include":"none"}`, "",
			`[[{"m":"undefined"}]]`, ""},
		{"include other fields", 3.4, `{"assignments":` + assign(t, "name", "string", "Bob") + `,"includeOtherFields":true}`, "",
			`[[{"name":"Bob","n":4,"tags":["a","b"],"user":{"city":"Oslo"}}]]`, ""},
		{"include selected", 3.4, `{"assignments":` + assign(t, "x", "number", 1) + `,"includeOtherFields":true,"include":"selected","includeFields":"name, user.city, nope"}`, "",
			`[[{"name":"Ann","city":"Oslo","x":1}]]`, ""},
		{"include except", 3.4, `{"assignments":` + assign(t, "x", "number", 1) + `,"includeOtherFields":true,"include":"except","excludeFields":"tags,user.city"}`, "",
			`[[{"name":"Ann","n":4,"user":{},"x":1}]]`, ""},
		{"include defaults to all before 3.3", 3.2, `{"fields":{"values":[{"name":"x","type":"numberValue","numberValue":"2"}]}}`, "",
			`[[{"name":"Ann","n":4,"tags":["a","b"],"user":{"city":"Oslo"},"x":2}]]`, ""},
		{"include none before 3.3", 3.2, `{"fields":{"values":[{"name":"x","type":"booleanValue","booleanValue":"true"}]},"include":"none"}`, "",
			`[[{"x":true}]]`, ""},
		{"dot notation", 3.4, `{"assignments":` + assign(t, "user.zip", "string", "0150", "list[1].v", "number", 2, `a["b.c"]`, "string", "q") + `,"includeOtherFields":true}`, "",
			`[[{"name":"Ann","n":4,"tags":["a","b"],"user":{"city":"Oslo","zip":"0150"},"list":[null,{"v":2}],"a":{"b.c":"q"}}]]`, ""},
		{"dot notation off", 3.4, `{"assignments":` + assign(t, "user.zip", "string", "0150", "['name']", "string", "Bob") + `,"includeOtherFields":true,"options":{"dotNotation":false}}`, "",
			`[[{"name":"Bob","n":4,"tags":["a","b"],"user":{"city":"Oslo"},"user.zip":"0150"}]]`, ""},
		{"a path through a scalar replaces it", 3.4, `{"assignments":` + assign(t, "name.first", "string", "A") + `,"includeOtherFields":true,"include":"selected","includeFields":"name"}`, "",
			`[[{"name":{"first":"A"}}]]`, ""},
		{"later duplicate wins", 3.4, `{"assignments":` + assign(t, "x", "number", 1, "x", "number", 2) + `}`, "", `[[{"x":2}]]`, ""},
		{"fields objectValue expression", 3.1, `{"fields":{"values":[{"name":"o","type":"objectValue","objectValue":"={\"n\": {{ $json.n }}, \"t\": {{ $json.tags }} }"}]},"include":"none"}`, "",
			`[[{"o":{"n":4,"t":["a","b"]}}]]`, ""},
		{"continue on fail", 3.4, `{"assignments":` + assign(t, "x", "number", "abc") + `}`, OnErrorContinueErrorOutput,
			`[[{"error":"'x' expects a number but we got 'abc' [item 0]","pairedItem":{"item":0}}]]`, ""},
		{"unknown include", 3.2, `{"include":"some"}`, "", "", `The include option "some" is not known!`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, items := condNode(t, "n8n-nodes-base.set", c.version, c.params, CloneJSON(in).(map[string]any))
			ctx.Node.OnError = c.onError
			out, err := condRun(t, ctx, items)
			if c.wantErr != "" {
				if err == nil || AsNodeError(err).Message != c.wantErr {
					t.Fatalf("got %v, want error %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := condJSON(out), condWant(t, c.want); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Fatalf("got %s, want %s", g, c.want)
			}
			if items[0][0].JSON["user"].(map[string]any)["city"] != "Oslo" || len(items[0][0].JSON) != 4 {
				t.Fatalf("input item changed: %v", items[0][0].JSON)
			}
		})
	}
}

func TestSetRaw(t *testing.T) {
	cases := []struct {
		name    string
		params  string
		onError string
		want    string
		wantErr string
	}{
		{"template", `{"mode":"raw","jsonOutput":"={\"key\": {{ $json.id }}, \"label\": \"{{ $json.name }}\", \"tags\": {{ $json.tags }}, \"none\": {{ $json.missing }} }"}`, "",
			`[[{"key":7,"label":"Ann","tags":["x"],"none":null}]]`, ""},
		{"literal merged", `{"mode":"raw","jsonOutput":"{\"name\": \"Bob\", \"extra\": 1}","includeOtherFields":true}`, "",
			`[[{"id":7,"name":"Bob","tags":["x"],"extra":1}]]`, ""},
		{"whole expression object", `{"mode":"raw","jsonOutput":"={{ {a: $json.id} }}"}`, "", `[[{"a":7}]]`, ""},
		{"repaired JSON", `{"mode":"raw","jsonOutput":"{'a': 1, b: 2,}"}`, "", `[[{"a":1,"b":2}]]`, ""},
		{"invalid JSON", `{"mode":"raw","jsonOutput":"={ nope {{ $json.id }}"}`, "", "", "The 'JSON Output' in item 0 contains invalid JSON"},
		{"not an object", `{"mode":"raw","jsonOutput":"[1, 2]"}`, "", "", "The 'JSON Output' in item 0 does not contain a valid JSON object"},
		{"continue on fail", `{"mode":"raw","jsonOutput":"[1]"}`, OnErrorContinueRegularOutput,
			`[[{"error":"The 'JSON Output' in item 0 does not contain a valid JSON object"}]]`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, items := condNode(t, "n8n-nodes-base.set", 3.4, c.params, map[string]any{"id": 7.0, "name": "Ann", "tags": []any{"x"}})
			ctx.Node.OnError = c.onError
			out, err := condRun(t, ctx, items)
			if c.wantErr != "" {
				if err == nil || AsNodeError(err).Message != c.wantErr {
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
			if c.onError != "" && (len(out[0][0].PairedItem) != 1 || out[0][0].PairedItem[0].Item != 0) {
				t.Fatalf("error item pairing %v", out[0][0].PairedItem)
			}
		})
	}
}

func TestSetBinaryAndDuplicates(t *testing.T) {
	bin := map[string]*Binary{"data": {Data: "aGk=", MimeType: "text/plain"}}
	cases := []struct {
		name       string
		version    float64
		params     string
		wantBinary []string
	}{
		{"3.4 keeps binary with input fields", 3.4, `{"includeOtherFields":true}`, []string{"data"}},
		{"3.4 drops binary without input fields", 3.4, `{}`, nil},
		{"3.4 stripBinary", 3.4, `{"includeOtherFields":true,"options":{"stripBinary":true}}`, nil},
		{"3.3 drops binary by default", 3.3, `{"includeOtherFields":true}`, nil},
		{"3.3 includeBinary", 3.3, `{"options":{"includeBinary":true}}`, []string{"data"}},
		{"binary assignment", 3.4, `{"assignments":{"assignments":[{"name":"file","type":"binary","value":"data"}]}}`, []string{"file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, items := condNode(t, "n8n-nodes-base.set", c.version, c.params, map[string]any{"a": 1.0})
			items[0][0].Binary = bin
			out, err := condRun(t, ctx, items)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for k := range out[0][0].Binary {
				got = append(got, k)
			}
			if !reflect.DeepEqual(got, c.wantBinary) {
				t.Fatalf("binary %v, want %v", got, c.wantBinary)
			}
		})
	}
	t.Run("missing binary property", func(t *testing.T) {
		ctx, items := condNode(t, "n8n-nodes-base.set", 3.4, `{"assignments":{"assignments":[{"name":"f","type":"binary","value":"nope"}]}}`, map[string]any{})
		if _, err := condRun(t, ctx, items); err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("got %v", err)
		}
	})
	for mode, want := range map[string]int{ModeManual: 3, ModeTrigger: 1} {
		ctx, items := condNode(t, "n8n-nodes-base.set", 3.4, `{"duplicateItem":true,"duplicateCount":2}`, map[string]any{"a": 1.0})
		ctx.Execution.Mode = mode
		out, err := condRun(t, ctx, items)
		if err != nil || len(out[0]) != want {
			t.Errorf("%s execution: %d items, %v", mode, len(out[0]), err)
		}
	}
}

func TestSetLegacy(t *testing.T) {
	cases := []struct {
		name    string
		version float64
		params  string
		want    string
	}{
		{"keep input and set by type", 2, `{"values":{"string":[{"name":"s","value":"x"}],"number":[{"name":"n","value":"12"}],"boolean":[{"name":"b","value":"={{ $json.a }}"}]}}`,
			`[[{"a":"yes","o":{"p":1},"s":"x","n":12,"b":true}]]`},
		{"version 1 keeps numeric text", 1, `{"values":{"number":[{"name":"n","value":"12"}]},"keepOnlySet":true}`, `[[{"n":"12"}]]`},
		{"keep only set with dots", 2, `{"values":{"string":[{"name":"o.q","value":"v"}]},"keepOnlySet":true}`, `[[{"o":{"q":"v"}}]]`},
		{"dot notation off", 2, `{"values":{"string":[{"name":"o.q","value":"v"}]},"keepOnlySet":true,"options":{"dotNotation":false}}`, `[[{"o.q":"v"}]]`},
		{"strings are set last", 2, `{"values":{"string":[{"name":"x","value":"s"}],"boolean":[{"name":"x","value":true}]},"keepOnlySet":true}`, `[[{"x":"s"}]]`},
		{"default name", 2, `{"values":{"number":[{"value":3}]},"keepOnlySet":true}`, `[[{"propertyName":3}]]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, items := condNode(t, "n8n-nodes-base.set", c.version, c.params, map[string]any{"a": "yes", "o": map[string]any{"p": 1.0}})
			out, err := condRun(t, ctx, items)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := condJSON(out), condWant(t, c.want); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func TestSetValidate(t *testing.T) {
	cases := []struct {
		name    string
		version float64
		params  string
		want    string
	}{
		{"ok", 3.4, `{"assignments":{"assignments":[{"name":"a","type":"number","value":"={{ 1 }}"}]}}`, ""},
		{"unknown mode", 3.4, `{"mode":"json"}`, "mode"},
		{"unknown assignment type", 3.4, `{"assignments":{"assignments":[{"name":"a","type":"date","value":1}]}}`, "assignments.assignments[0].type"},
		{"assignments not a list", 3.4, `{"assignments":{"assignments":{}}}`, "assignments.assignments"},
		{"assignments not an object", 3.3, `{"assignments":[1]}`, `"assignments"`},
		{"unknown field type", 3.2, `{"fields":{"values":[{"name":"a","type":"dateValue"}]}}`, "fields.values[0].type"},
		{"unknown include", 3.4, `{"include":"most"}`, "include"},
		{"include none from 3.3 still runs", 3.4, `{"include":"none"}`, ""},
		{"include none before 3.3", 3.2, `{"include":"none"}`, ""},
		{"invalid literal JSON", 3.4, `{"mode":"raw","jsonOutput":"[1]"}`, "jsonOutput"},
		{"expression JSON", 3.4, `{"mode":"raw","jsonOutput":"={ {{ 1 }} }"}`, ""},
		{"legacy unknown type", 2, `{"values":{"date":[]}}`, "values.date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p map[string]any
			if err := json.Unmarshal([]byte(c.params), &p); err != nil {
				t.Fatal(err)
			}
			err := Set{}.Validate(&NodeInstance{TypeVersion: c.version, Parameters: p})
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

func TestSetPathHelper(t *testing.T) {
	p := setPathHelper{dots: true}
	obj := map[string]any{"a.b": 1.0, "x": map[string]any{"y": []any{1.0, map[string]any{"z": 2.0}}}}
	if got := p.get(obj, "a.b"); got != 1.0 {
		t.Errorf("an existing dotted key is read as it is: %v", got)
	}
	if got := p.get(obj, "x.y[1].z"); got != 2.0 {
		t.Errorf("nested get: %v", got)
	}
	if got := p.get(obj, "x.nope"); !isUndef(got) {
		t.Errorf("missing path: %v", got)
	}
	p.set(obj, "x.missing", p.get(obj, "x.nope"))
	if _, ok := obj["x"].(map[string]any)["missing"]; ok {
		t.Error("setting undefined created a key")
	}
	p.unset(obj, "x.y[1].z")
	if got := p.get(obj, "x.y[1]"); !reflect.DeepEqual(got, map[string]any{}) {
		t.Errorf("unset: %v", got)
	}
	flat := setPathHelper{}
	flat.set(obj, "['a.b']", 3.0)
	if obj["a.b"] != 3.0 {
		t.Errorf("bracketed key: %v", obj)
	}
	legacy := setPathHelper{literal: true}
	legacy.set(obj, "['a.b']", 4.0)
	if obj["['a.b']"] != 4.0 {
		t.Errorf("legacy literal key: %v", obj)
	}
}
