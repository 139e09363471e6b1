package conformance_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal/conformance"
)

func run(status string, outputs ...[]map[string]any) *nodes.NodeRun {
	r := &nodes.NodeRun{ExecutionStatus: status}
	if outputs == nil {
		return r
	}
	main := make([][]nodes.Item, len(outputs))
	for i, o := range outputs {
		for _, j := range o {
			main[i] = append(main[i], nodes.NewItem(j))
		}
	}
	r.Data = map[string][][]nodes.Item{nodes.ConnectionMain: main}
	return r
}

func TestCompare(t *testing.T) {
	var c conformance.Case
	if err := json.Unmarshal([]byte(`{"name":"c","expected":{"status":"success","order":["Start","A","A"],"nodes":{
		"Start":[{"status":"success","output":[[{}]]}],
		"A":[{"status":"success","output":[[{"n":1}],[]]},{"status":"error","output":[],"error":"bad"}]}}}`), &c); err != nil {
		t.Fatal(err)
	}
	good := func() *conformance.Outcome {
		return &conformance.Outcome{Status: "success", Order: []string{"Start", "A", "A"}, RunData: nodes.RunData{
			"Start": {run("success", []map[string]any{{}})},
			"A":     {run("success", []map[string]any{{"n": 1.0}}), run("error")},
		}}
	}
	cases := []struct {
		name   string
		change func(o *conformance.Outcome)
		want   string
	}{
		{"identical", func(*conformance.Outcome) {}, ""},
		{"trailing empty output absent", func(o *conformance.Outcome) {
			o.RunData["A"][0] = run("success", []map[string]any{{"n": 1.0}}, nil, nil)
		}, ""},
		{"status", func(o *conformance.Outcome) { o.Status = "error" }, "status error, n8n success"},
		{"run count", func(o *conformance.Outcome) { o.RunData["A"] = o.RunData["A"][:1] }, "A: 1 runs, n8n 2"},
		{"run status", func(o *conformance.Outcome) { o.RunData["A"][1] = run("success") }, "A[1]: status success, n8n error"},
		{"item json", func(o *conformance.Outcome) {
			o.RunData["A"][0] = run("success", []map[string]any{{"n": 2.0}})
		}, `A[0]: output [[{"n":2}]], n8n [[{"n":1}]]`},
		{"integer json equals n8n's number", func(o *conformance.Outcome) {
			o.RunData["A"][0] = run("success", []map[string]any{{"n": 1}})
		}, ""},
		{"items on the wrong output", func(o *conformance.Outcome) {
			o.RunData["A"][0] = run("success", nil, []map[string]any{{"n": 1.0}})
		}, "A[0]: output"},
		{"extra node", func(o *conformance.Outcome) { o.RunData["B"] = []*nodes.NodeRun{run("success")} }, "B ran 1 times; n8n did not run it"},
		{"order", func(o *conformance.Outcome) { o.Order = []string{"A", "Start", "A"} }, "order A,Start,A, n8n Start,A,A"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := good()
			tc.change(o)
			diffs := conformance.Compare(&c, o)
			got := strings.Join(diffs, "; ")
			if tc.want == "" {
				if got != "" {
					t.Fatalf("unexpected differences: %s", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("differences %q, want one containing %q", got, tc.want)
			}
		})
	}
}

func TestLoadDirAndFindCorpus(t *testing.T) {
	dir, err := conformance.FindCorpus(".")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := conformance.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 71 {
		t.Fatalf("%d cases in %s", len(cases), dir)
	}
	for _, c := range cases {
		if c.Workflow == nil || len(c.Workflow.Nodes) == 0 || c.Expected.Status == "" || len(c.Expected.Order) == 0 {
			t.Fatalf("case %s is incomplete", c.Name)
		}
	}
	if _, err := conformance.LoadDir(t.TempDir()); err == nil {
		t.Fatal("an empty directory loaded")
	}
}
