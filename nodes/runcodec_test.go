package nodes

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// codecRuns are runs covering what a NodeRun holds.
func codecRuns(t *testing.T) map[string]*NodeRun {
	t.Helper()
	hinted := func(text string) Item {
		var it Item
		if err := json.Unmarshal([]byte(text), &it); err != nil {
			t.Fatal(err)
		}
		return it
	}
	idx := 2
	floats := map[string]any{
		"zero": 0.0, "negZero": math.Copysign(0, -1), "tenth": 0.1, "big": 1e21, "bigger": 1.5e300,
		"tiny": 1e-7, "small": 0.000001, "negTiny": -2.5e-9, "int": 12345678901234.0, "third": 1.0 / 3,
	}
	stale := hinted(`{"json":{"b":1,"a":{"d":1,"c":2},"gone":3}}`)
	delete(stale.JSON, "gone")
	stale.JSON["new"] = "x"
	return map[string]*NodeRun{
		"nil":   nil,
		"empty": {},
		"minimal": {StartTime: 1700000000000, ExecutionTime: 12, ExecutionIndex: 3, ExecutionStatus: StatusSuccess,
			Source: []*SourceRef{}, Data: map[string][][]Item{}, Hints: []map[string]any{}, State: map[string]any{}},
		"no hints": {StartTime: 1, ExecutionStatus: StatusSuccess, Source: []*SourceRef{{PreviousNode: "A"}, nil, {PreviousNode: "B<&>", PreviousNodeOutput: 1, PreviousNodeRun: 2}},
			Data: map[string][][]Item{ConnectionMain: {{
				NewItem(map[string]any{"b": "x", "a": []any{1.0, "two", nil, true, false, map[string]any{"z": 1.0, "y": []any{}}}, "c": map[string]any{}}),
				NewItem(floats),
				NewItem(map[string]any{"html": "<a href=\"x\">&</a>", "uni": "é ü 日本 \u2028 \u2029", "bad": "a\xffb", "ctl": "\t\n\x01", "q\"k\\": `\"`}),
				NewItem(map[string]any{"goInt": 3, "goTime": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "strs": []string{"a"}}),
				{},
				{JSON: map[string]any{}},
			}}},
		},
		"binary, pairing, errors": {ExecutionStatus: StatusError, Source: []*SourceRef{{PreviousNode: "A"}},
			Data: map[string][][]Item{ConnectionMain: {{
				{JSON: map[string]any{"a": 1.0}, Binary: map[string]*Binary{"data": {Data: "eA==", MimeType: "text/plain", FileName: "x.txt"}, "b": {ID: "s3:1"}}, PairedItem: PairedItems{{Item: 4}}},
				{JSON: map[string]any{}, PairedItem: PairedItems{{Item: 1, Input: 1}, {Item: 0, SourceOverwrite: &SourceRef{PreviousNode: "Loop", PreviousNodeRun: 1}}}},
				{JSON: map[string]any{}, PairedItem: PairedItems{}, Binary: map[string]*Binary{}},
				{JSON: map[string]any{"e": "x"}, Error: &NodeError{Message: "boom", Name: "NodeOperationError", ItemIndex: &idx, Timestamp: 5}},
			}}, "ai_tool": {{NewItem(map[string]any{"t": 1.0})}}},
			Error: &NodeError{Message: "failed <here>", Description: "d", Node: "N", LineNumber: 3, HTTPCode: "500"},
			Hints: []map[string]any{{"message": "hint", "location": "outputPane"}},
			State: map[string]any{"items": []any{map[string]any{"b": 1.0, "a": 2.0}}, "done": false, "n": 2.0},
		},
		"nil outputs": {ExecutionStatus: StatusSuccess, Data: map[string][][]Item{ConnectionMain: {nil, {}, {NewItem(nil)}, nil}, "other": nil}},
		"hints": {ExecutionStatus: StatusSuccess, Source: []*SourceRef{{PreviousNode: "A"}},
			Data: map[string][][]Item{ConnectionMain: {{
				hinted(`{"json":{"name":"Ann","email":"a@x","z":{"y":1,"x":[{"b":1,"a":2},3,{"d":{"f":1,"e":2}}]},"a":true}}`),
				hinted(`{"pairedItem":{"item":2},"binary":{"data":{"mimeType":"text/plain","data":"eA=="}},"json":{"b":"}\"{","a":[],"n":1e21,"m":-0.000001}}`),
				hinted(`{"json":{"q\"k":1,"\u00e9":"<&>","b\\":"\\","c":{"b":0.1,"a":[{"y":null,"x":{}}]}}}`),
				stale,
				NewItem(map[string]any{"b": 1.0, "a": 2.0}).WithKeyOrder(&KeyOrder{Keys: []string{"b", "a"}}),
				Item{}.WithKeyOrder(&KeyOrder{Keys: []string{"b", "a"}}),
			}, {hinted(`{"json":{"y":{"b":[1,{"d":1,"c":2}]},"x":1}}`)}}},
		},
	}
}

func TestEncodeRunMatchesJSONMarshal(t *testing.T) {
	for name, r := range codecRuns(t) {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := EncodeRun(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("EncodeRun:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestEncodeRunRefusesWhatJSONMarshalRefuses(t *testing.T) {
	for name, r := range map[string]*NodeRun{
		"NaN":        {Data: map[string][][]Item{ConnectionMain: {{NewItem(map[string]any{"n": math.NaN()})}}}},
		"hinted Inf": {Data: map[string][][]Item{ConnectionMain: {{NewItem(map[string]any{"b": math.Inf(1), "a": 1.0}).WithKeyOrder(&KeyOrder{Keys: []string{"b", "a"}})}}}},
		"state":      {State: map[string]any{"c": make(chan int)}},
	} {
		if _, err := json.Marshal(r); err == nil {
			t.Fatalf("%s: json.Marshal accepted it", name)
		}
		if b, err := EncodeRun(r); err == nil {
			t.Errorf("%s: EncodeRun gave %s", name, b)
		}
	}
}

// oldDecode is how run stores read runs before DecodeRun.
func oldDecode(t *testing.T, b []byte) *NodeRun {
	t.Helper()
	var r NodeRun
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestDecodeRunRoundTrips(t *testing.T) {
	for name, r := range codecRuns(t) {
		t.Run(name, func(t *testing.T) {
			b, err := EncodeRun(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeRun(b)
			if err != nil {
				t.Fatal(err)
			}
			// Values and key order as encoding/json reads them.
			old := oldDecode(t, b)
			if !reflect.DeepEqual(got, old) {
				t.Errorf("DecodeRun:\n got %#v\nwant %#v", got, old)
			}
			again, err := EncodeRun(got)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(old)
			if err != nil {
				t.Fatal(err)
			}
			// The text again, but for what encoding/json changes too (a
			// nil run reads as a zero one, invalid UTF-8 as U+FFFD).
			if name != "nil" && name != "no hints" {
				want = b
			}
			if !bytes.Equal(again, want) {
				t.Errorf("encoded again:\n got %s\nwant %s", again, want)
			}
		})
	}
}

func TestDecodeRunReadsOldRows(t *testing.T) {
	rows := []string{
		`null`,
		`{}`,
		`{"startTime":1,"executionTime":2,"executionIndex":3,"executionStatus":"success","source":null}`,
		// Members in another order, whitespace, "data" first and null.
		" {\n \"data\" : { \"main\" : [ [ { \"json\" : { \"b\" : 1 , \"a\" : [ { \"d\" : 1 , \"c\" : 2 } ] } , \"pairedItem\" : 0 } , null ] , null , [ ] ] } ,\n \"executionStatus\" : \"error\" , \"startTime\" : 5 } ",
		`{"data":null,"source":[{"previousNode":"A"}],"error":{"message":"x"},"hints":[{"message":"h"}],"state":{"k":[1,"2"]}}`,
		`{"data":{"main":[[{"json":null,"pairedItem":null},{"json":{},"pairedItem":{"item":1,"sourceOverwrite":{"previousNode":"L","previousNodeRun":2}}},{"pairedItem":[1,{"item":2,"input":1}],"json":{"z":"\u00e9\n","a":1e400}},{"binary":{"data":{"data":"eA=="}},"error":{"message":"e"}}]],"x":[]}}`,
		`{"executionStatus":"success","executionStatus":"error","data":{"main":[[{"json":{"a":1}}]]},"data":{"main":[[{"json":{"b":1,"a":2}}]]}}`,
	}
	for _, row := range rows {
		got, err := DecodeRun([]byte(row))
		if err != nil {
			t.Errorf("%s: %v", row, err)
			continue
		}
		if want := oldDecode(t, []byte(row)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", row, got, want)
		}
	}
	// A run as the store saved it before EncodeRun.
	for name, r := range codecRuns(t) {
		old, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRun(old)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := oldDecode(t, old); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", name, got, want)
		}
	}
}

func TestDecodeRunRefusesInvalidText(t *testing.T) {
	for _, text := range []string{
		``,
		` `,
		`{`,
		`{"startTime":1`,
		`{"startTime":1}x`,
		`{"startTime":1,}`,
		`{"data":{"main":[[{"json":{]]}}`,
		`{"data":{"main":[[{"json":{"a":1}}]]}`,
		`{"data":{"main":[[{"json":{"a":"\x"}}]]}}`,
		`{"data":{"main":[[{"json":{"a":tru}}]]}}`,
		`{"startTime":"x"}`,
		`{"source":{}}`,
		`{"data":5}`,
		`{"data":[]}`,
		`{"data":{"main":5}}`,
		`{"data":{"main":[5]}}`,
		`{"data":{"main":[[5]]}}`,
		`{"data":{"main":[[{"json":5}]]}}`,
		`{"data":{"main":[[{"json":[]}]]}}`,
		`{"data":{"main":[[{"json":{},"pairedItem":"x"}]]}}`,
		`{"data":{"main":[[{"json":{},"binary":5}]]}}`,
		`[1]`,
		`5`,
		`"run"`,
	} {
		var r NodeRun
		if json.Unmarshal([]byte(text), &r) == nil {
			t.Fatalf("%q: encoding/json accepts it", text)
		}
		if got, err := DecodeRun([]byte(text)); err == nil {
			t.Errorf("%q: DecodeRun gave %#v and no error", text, got)
		}
	}
}
