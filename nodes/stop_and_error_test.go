package nodes

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStopAndError(t *testing.T) {
	cases := []struct {
		name, params, want, description string
	}{
		{"message expression", `{"errorMessage":"=Invalid item: {{ JSON.stringify($json) }}"}`, `Invalid item: {"ok":false}`, ""},
		{"object message", `{"errorType":"errorObject","errorObject":"{\"message\":\"boom\",\"description\":\"why\"}"}`, "boom", "why"},
		{"object description", `{"errorType":"errorObject","errorObject":"{\"code\":\"404\",\"description\":\"The resource could not be fetched\"}"}`, "The resource could not be fetched", "The resource could not be fetched"},
		{"object error field", `{"errorType":"errorObject","errorObject":"{\"error\":\"bad\"}"}`, "bad", ""},
		{"object without text", `{"errorType":"errorObject","errorObject":"{\"code\":1}"}`, `Error: {"code":1}`, ""},
		{"object from expression", `{"errorType":"errorObject","errorObject":"={{ {message: 'from ' + $json.ok} }}"}`, "from false", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, in := condNode(t, "n8n-nodes-base.stopAndError", 1, c.params, map[string]any{"ok": false})
			out, err := condRun(t, ctx, in)
			if err == nil {
				t.Fatalf("no error, output %v", out)
			}
			ne := AsNodeError(err)
			if ne.Message != c.want || ne.Description != c.description || ne.Node != "N" {
				t.Fatalf("got %+v", ne)
			}
		})
	}
	if n := Lookup("n8n-nodes-base.stopAndError").OutputCount(&NodeInstance{}); n != 1 {
		t.Fatalf("%d outputs", n)
	}
	for params, want := range map[string]string{
		`{"errorType":"panic"}`:                                 "errorType",
		`{"errorType":"errorObject","errorObject":"{nope"}`:     "errorObject",
		`{"errorType":"errorObject","errorObject":"={{ {} }}"}`: "",
	} {
		var p map[string]any
		_ = json.Unmarshal([]byte(params), &p)
		err := StopAndError{}.Validate(&NodeInstance{TypeVersion: 1, Parameters: p})
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v", params, err)
		}
	}
}
