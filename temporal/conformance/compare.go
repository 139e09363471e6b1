package conformance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/corpus"
)

// Outcome is what weft did with a case's workflow.
type Outcome struct {
	// Status is the execution's status.
	Status string
	// Order lists the node of every recorded run in execution order.
	Order []string
	// RunData is the execution's run data.
	RunData nodes.RunData
}

// Compare returns the differences between what n8n did (c.Expected) and
// what weft did, one line each, in a stable order; none means the case
// passes.
func Compare(c *Case, got *Outcome) []string {
	var diffs []string
	if got.Status != c.Expected.Status {
		diffs = append(diffs, fmt.Sprintf("status %s, n8n %s", got.Status, c.Expected.Status))
	}
	names := make([]string, 0, len(c.Expected.Nodes))
	for n := range c.Expected.Nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		want := c.Expected.Nodes[name]
		runs := got.RunData[name]
		if len(runs) != len(want) {
			diffs = append(diffs, fmt.Sprintf("%s: %d runs, n8n %d", name, len(runs), len(want)))
			continue
		}
		for i, w := range want {
			diffs = append(diffs, compareRun(fmt.Sprintf("%s[%d]", name, i), w, runs[i])...)
		}
	}
	var extra []string
	for name := range got.RunData {
		if _, ok := c.Expected.Nodes[name]; !ok && len(got.RunData[name]) > 0 {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		diffs = append(diffs, fmt.Sprintf("%s ran %d times; n8n did not run it", name, len(got.RunData[name])))
	}
	if !slices.Equal(got.Order, c.Expected.Order) {
		diffs = append(diffs, fmt.Sprintf("order %s, n8n %s", strings.Join(got.Order, ","), strings.Join(c.Expected.Order, ",")))
	}
	return diffs
}

func compareRun(label string, want ExpectedRun, run *nodes.NodeRun) []string {
	var diffs []string
	if run.ExecutionStatus != want.Status {
		msg := fmt.Sprintf("%s: status %s, n8n %s", label, run.ExecutionStatus, want.Status)
		if run.Error != nil {
			msg += " (" + run.Error.Message + ")"
		}
		diffs = append(diffs, msg)
	}
	gotOut := outputJSON(run)
	wantOut := corpus.Outputs(want.Output)
	if !reflect.DeepEqual(gotOut, wantOut) {
		diffs = append(diffs, fmt.Sprintf("%s: output %s, n8n %s", label, short(gotOut), short(wantOut)))
	}
	return diffs
}

// outputJSON returns the run's main outputs in corpus.Outputs's form, an
// item without json counting as {}.
func outputJSON(run *nodes.NodeRun) []any {
	main := run.Main()
	out := make([][]map[string]any, len(main))
	for i, items := range main {
		out[i] = make([]map[string]any, len(items))
		for j, it := range items {
			out[i][j] = it.JSON
			if out[i][j] == nil {
				out[i][j] = map[string]any{}
			}
		}
	}
	return corpus.Outputs(out)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	const max = 300
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
