package nodes

import (
	"github.com/weft/weft/nodes/corpus"

	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"
)

// transformCase is one row of testdata/transform_cases.json: a node, its
// parameters and input items, with the output (json and binary keys) or
// error message that n8n's own node classes (n8n-nodes-base 1.121.0, as in
// n8n 1.123) gave. Rows marked invalid are refused by Validate.
type transformCase struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	TypeVersion float64        `json:"typeVersion"`
	Parameters  map[string]any `json:"parameters"`
	Items       []Item         `json:"items"`
	Invalid     bool           `json:"invalid"`
	Want        [][]struct {
		JSON   map[string]any `json:"json"`
		Binary []string       `json:"binary"`
	} `json:"want"`
	Error string `json:"error"`
}

func TestTransformCases(t *testing.T) {
	b, err := os.ReadFile("testdata/transform_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []transformCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 150 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			reg := Lookup(c.Type)
			if reg == nil {
				t.Fatalf("%s not registered", c.Type)
			}
			n := &NodeInstance{Name: "N", Type: c.Type, TypeVersion: c.TypeVersion, Parameters: c.Parameters}
			if err := reg.Node.Validate(n); c.Invalid {
				if err == nil {
					t.Fatal("Validate accepted an invalid node")
				}
				return
			} else if err != nil {
				// Validate may refuse what is sure to fail at run time.
				if c.Error == "" {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			in := [][]Item{c.Items}
			ctx := newCaseContext(&Workflow{Nodes: []*NodeInstance{n}}, n, in)
			out, err := reg.Node.Execute(ctx, in)
			if c.Error != "" {
				if err == nil {
					t.Fatalf("want error %q, got %v", c.Error, itemOutputs(out))
				}
				if err.Error() != c.Error {
					t.Errorf("error %q, want %q", err.Error(), c.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			want := make([]any, len(c.Want))
			for i, o := range c.Want {
				list := make([]any, len(o))
				for j, it := range o {
					list[j] = it.JSON
				}
				want[i] = list
			}
			if got, w := itemOutputs(out), corpus.Outputs(want); !reflect.DeepEqual(got, w) {
				gb, _ := json.Marshal(got)
				wb, _ := json.Marshal(w)
				t.Fatalf("output differs\ngot:  %s\nwant: %s", gb, wb)
			}
			for i, o := range c.Want {
				for j, it := range o {
					var keys []string
					for k := range out[i][j].Binary {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					if !reflect.DeepEqual(keys, it.Binary) {
						t.Errorf("output %d item %d binary keys %v, want %v", i, j, keys, it.Binary)
					}
				}
			}
		})
	}
}
