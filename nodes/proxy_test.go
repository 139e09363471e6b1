package nodes

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// memRuns is an in-memory RunReader that counts reads.
type memRuns struct {
	runs  map[string][]*NodeRun
	reads map[string]int
}

func (m *memRuns) Runs(node string) ([]*NodeRun, error) {
	if m.reads == nil {
		m.reads = map[string]int{}
	}
	m.reads[node]++
	return m.runs[node], nil
}

// items builds items from json objects, item i paired with paired[i] when
// given.
func items(js []map[string]any, paired ...PairedItems) []Item {
	out := make([]Item, len(js))
	for i, j := range js {
		out[i] = NewItem(j)
		if i < len(paired) {
			out[i].PairedItem = paired[i]
		}
	}
	return out
}

func pi(item int) PairedItems          { return PairedItems{{Item: item}} }
func piIn(item, input int) PairedItems { return PairedItems{{Item: item, Input: input}} }
func src(node string, out, run int) *SourceRef {
	return &SourceRef{PreviousNode: node, PreviousNodeOutput: out, PreviousNodeRun: run}
}

func nodeRun(source []*SourceRef, outputs ...[]Item) *NodeRun {
	return &NodeRun{ExecutionStatus: StatusSuccess, Source: source, Data: map[string][][]Item{ConnectionMain: outputs}}
}

// testWorkflow builds a workflow from node names (type:name, type defaults
// to noOp) and edges "A->B", "A:1->B" (output 1), "A->B:1" (input 1).
func testWorkflow(t testing.TB, nodes []string, edges ...string) *Workflow {
	t.Helper()
	w := &Workflow{ID: "wf1", Name: "Proxy Test", Connections: Connections{}}
	for i, n := range nodes {
		typ := "n8n-nodes-base.noOp"
		if k := strings.Index(n, ":"); k >= 0 {
			typ, n = n[:k], n[k+1:]
		}
		w.Nodes = append(w.Nodes, &NodeInstance{Name: n, Type: typ, TypeVersion: 1, Position: [2]float64{float64(i * 200), 0}, Parameters: map[string]any{}})
	}
	for _, e := range edges {
		from, to, _ := strings.Cut(e, "->")
		out, in := 0, 0
		if k := strings.Index(from, ":"); k >= 0 {
			out, _ = strconv.Atoi(from[k+1:])
			from = from[:k]
		}
		if k := strings.Index(to, ":"); k >= 0 {
			in, _ = strconv.Atoi(to[k+1:])
			to = to[:k]
		}
		if w.Connections[from] == nil {
			w.Connections[from] = map[string][][]Connection{}
		}
		outs := w.Connections[from][ConnectionMain]
		for len(outs) <= out {
			outs = append(outs, nil)
		}
		outs[out] = append(outs[out], Connection{Node: to, Type: ConnectionMain, Index: in})
		w.Connections[from][ConnectionMain] = outs
	}
	return w
}

var proxyNow = time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)

func testContext(w *Workflow, node string, runs *memRuns, source []*SourceRef, inputs ...[]Item) *Context {
	return &Context{
		Context:   context.Background(),
		Workflow:  w,
		Node:      w.Node(node),
		Execution: ExecutionInfo{ID: "42", Mode: ModeManual, ResumeURL: "http://localhost:5678/webhook-waiting/42"},
		Inputs:    inputs,
		Source:    source,
		Runs:      runs,
		Expr:      expr.New(expr.Options{}),
		Now:       func() time.Time { return proxyNow },
		Location:  time.UTC,
	}
}

// filterChain is Start → Source → Data → Slim → Even (a Filter: kept items
// on output 0, discarded on output 1) → Back, recorded as n8n pairs items.
func filterChain(t *testing.T) (*Workflow, *memRuns, *Context) {
	t.Helper()
	w := testWorkflow(t, []string{"Start", "Source", "Data", "Slim", "n8n-nodes-base.filter:Even", "Back", "Unrun", "Loop"},
		"Start->Source", "Source->Data", "Data->Slim", "Slim->Even", "Even->Back", "Start->Unrun")
	w.Node("Even").Parameters = map[string]any{"conditions": map[string]any{"combinator": "and"}}
	w.Node("Back").Parameters = map[string]any{"field": "={{ $json.id * 10 }}", "plain": "x", "self": "={{ $parameter.self }}"}
	people := []map[string]any{{"id": 1.0, "name": "Ann"}, {"id": 2.0, "name": "Bob"}, {"id": 3.0, "name": "Cid"}, {"id": 4.0, "name": "Dan"}}
	ids := []map[string]any{{"id": 1.0}, {"id": 2.0}, {"id": 3.0}, {"id": 4.0}}
	start := items([]map[string]any{{}}, pi(0))
	source := items(people, pi(0), pi(0), pi(0), pi(0))
	data := items(people, pi(0), pi(1), pi(2), pi(3))
	data[1].Binary = map[string]*Binary{"data": {Data: "aGk=", MimeType: "text/plain", FileName: "hi.txt"}}
	slim := items(ids, pi(0), pi(1), pi(2), pi(3))
	kept := items([]map[string]any{ids[1], ids[3]}, pi(1), pi(3))
	dropped := items([]map[string]any{ids[0], ids[2]}, pi(0), pi(2))
	runs := &memRuns{runs: map[string][]*NodeRun{
		"Start":  {nodeRun(nil, start)},
		"Source": {nodeRun([]*SourceRef{src("Start", 0, 0)}, source)},
		"Data":   {nodeRun([]*SourceRef{src("Source", 0, 0)}, data)},
		"Slim":   {nodeRun([]*SourceRef{src("Data", 0, 0)}, slim)},
		"Even":   {nodeRun([]*SourceRef{src("Slim", 0, 0)}, kept, dropped)},
		"Loop": {
			{ExecutionStatus: StatusSuccess, State: map[string]any{"noItemsLeft": false, "currentRunIndex": 0.0}},
			{ExecutionStatus: StatusSuccess, State: map[string]any{"noItemsLeft": true, "currentRunIndex": 1.0}},
		},
	}}
	in := items([]map[string]any{ids[1], ids[3]})
	in[0].Binary = map[string]*Binary{"data": {Data: "aGk=", MimeType: "text/plain", FileName: "hi.txt"}}
	ctx := testContext(w, "Back", runs, []*SourceRef{src("Even", 0, 0)}, in)
	return w, runs, ctx
}

func evalFor(t *testing.T, ctx *Context, itemIndex int, expression string) (any, error) {
	t.Helper()
	return ctx.Expr.Resolve("={{ "+expression+" }}", ctx.ExprEnv(itemIndex))
}

func TestProxyVariables(t *testing.T) {
	cases := []struct {
		expr string
		item int
		want any
	}{
		{`$json.id`, 0, 2.0},
		{`$json.id`, 1, 4.0},
		{`$data.id`, 1, 4.0},
		{`$binary.data.fileName`, 0, "hi.txt"},
		{`$binary.data.data`, 0, nil},
		{`Object.keys($binary).length`, 1, 0.0},
		{`$input.item.json.id`, 1, 4.0},
		{`$input.item.binary.data.data`, 0, "aGk="},
		{`$input.item.pairedItem.item`, 1, 1.0},
		{`$input.all().length`, 0, 2.0},
		{`$input.first().json.id`, 1, 2.0},
		{`$input.last().json.id`, 0, 4.0},
		{`$input.all()[0] === $input.first()`, 0, true},
		{`$input.item.json === $json`, 0, true},
		{`$input.params.conditions.combinator`, 0, "and"},
		{`$('Data').item.json.name`, 0, "Bob"},
		{`$('Data').item.json.name`, 1, "Dan"},
		{`$('Source').item.json.name`, 1, "Dan"},
		{`$('Slim').item.json.id`, 0, 2.0},
		{`$('Even').item.json.id`, 1, 4.0},
		{`$('Data').item.binary.data.fileName`, 0, "hi.txt"},
		{`$('Data').pairedItem().json.name`, 0, "Bob"},
		{`$('Data').pairedItem(1).json.name`, 0, "Dan"},
		{`$('Data').itemMatching(1).json.name`, 0, "Dan"},
		{`$('Data').all().length`, 0, 4.0},
		{`$('Data').all().map(i => i.json.name).join()`, 0, "Ann,Bob,Cid,Dan"},
		{`$('Data').first().json.name`, 0, "Ann"},
		{`$('Data').last().json.name`, 0, "Dan"},
		{`$('Data').all(0, 0)[2].json.name`, 0, "Cid"},
		{`$('Data').all()[1].pairedItem.item`, 0, 1.0},
		{`$('Even').all().map(i => i.json.id).join()`, 0, "2,4"},
		{`$('Even').all(1).map(i => i.json.id).join()`, 0, "1,3"},
		{`$('Data').isExecuted`, 0, true},
		{`$('Unrun').isExecuted`, 0, false},
		{`$('Data').params`, 0, map[string]any{}},
		{`$('Loop').context.noItemsLeft`, 0, true},
		{`$('Loop').context.currentRunIndex`, 0, 1.0},
		{`$node["Data"].json.name`, 0, "Ann"},
		{`$node["Data"].json.name`, 1, "Bob"},
		{`$node["Data"].data.name`, 1, "Bob"},
		{`$node["Data"].binary.data.mimeType`, 1, "text/plain"},
		{`$node["Data"].runIndex`, 0, 0.0},
		{`$node["Unrun"].runIndex`, 0, -1.0},
		{`$node["Back"].parameter.field`, 1, 40.0},
		{`$node["Loop"].context.noItemsLeft`, 0, true},
		{`$items().length`, 0, 2.0},
		{`$items("Data")[1].json.name`, 0, "Bob"},
		{`$items("Even", 1)[0].json.id`, 0, 1.0},
		{`$item(1).$json.id`, 0, 4.0},
		{`$item(1).$node["Data"].json.name`, 0, "Bob"},
		{`$itemIndex`, 1, 1.0},
		{`$position`, 1, 1.0},
		{`$thisItemIndex`, 1, 1.0},
		{`$thisItem.json.id`, 1, 4.0},
		{`$runIndex`, 0, 0.0},
		{`$prevNode.name`, 0, "Even"},
		{`$prevNode.outputIndex`, 0, 0.0},
		{`$prevNode.runIndex`, 0, 0.0},
		{`$parameter.field`, 0, 20.0},
		{`$parameter.field`, 1, 40.0},
		{`$parameter.plain`, 0, "x"},
		{`$parameter.self`, 0, nil},
		{`$parameter.missing`, 0, nil},
		{`$rawParameter.field`, 0, "={{ $json.id * 10 }}"},
		{`$workflow.id`, 0, "wf1"},
		{`$workflow.name`, 0, "Proxy Test"},
		{`$workflow.active`, 0, false},
		{`$execution.id`, 0, "42"},
		{`$execution.mode`, 0, "test"},
		{`$execution.resumeUrl`, 0, "http://localhost:5678/webhook-waiting/42"},
		{`($execution.customData.set("k", "v"), $execution.customData.get("k"))`, 0, "v"},
		{`($execution.customData.setAll({a: "1", b: 2}), $execution.customData.getAll())`, 0, map[string]any{"a": "1", "b": "2", "k": "v"}},
		{`$vars`, 0, map[string]any{}},
		{`$mode`, 0, "manual"},
		{`$evaluateExpression("{" + "{ $json.id + 1 }" + "}")`, 1, 5.0},
		{`$evaluateExpression("{" + "{ $json.id + 1 }" + "}", 1)`, 0, 5.0},
		{`$jmespath($json, "id")`, 1, 4.0},
		{`$jmespath($('Data').all().map(i => i.json), "[?id > ` + "`2`" + `].name")`, 0, []any{"Cid", "Dan"}},
		{`$jmesPath({a: {b: [1, 2]} }, "length(a.b)")`, 0, 2.0},
	}
	_, _, ctx := filterChain(t)
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			got, err := evalFor(t, ctx, c.item, c.expr)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !reflect.DeepEqual(roundTrip(got), roundTrip(c.want)) {
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
	if ctx.Execution.CustomData["k"] != "v" {
		t.Fatalf("customData not kept on the context: %v", ctx.Execution.CustomData)
	}
}

func TestProxyNowToday(t *testing.T) {
	_, _, ctx := filterChain(t)
	ctx.Location = time.FixedZone("X", 2*3600)
	env := ctx.ExprEnv(0)
	get := func(name string) time.Time {
		t.Helper()
		v, err := env[name].(expr.Getter)()
		if err != nil {
			t.Fatal(err)
		}
		return v.(time.Time)
	}
	now := get("$now")
	if !now.Equal(proxyNow) || now.Location() != ctx.Location {
		t.Fatalf("$now = %v", now)
	}
	today := get("$today")
	if want := time.Date(2024, 3, 5, 0, 0, 0, 0, ctx.Location); !today.Equal(want) {
		t.Fatalf("$today = %v, want %v", today, want)
	}
}

func TestProxyErrors(t *testing.T) {
	cases := []struct {
		expr, want string
	}{
		{`$('Nope').all()`, "Referenced node doesn't exist"},
		{`$('').all()`, "When calling $(), please specify a node"},
		{`$('Unrun').all()`, "Node 'Unrun' hasn't been executed"},
		{`$('Unrun').item`, "Invalid expression"},
		{`$('Back').item`, "Invalid expression"},
		{`$('Data').all(0, 3)`, `Run 3 of node "Data" not found`},
		{`$('Data').all(2)`, `Node "Data" has no branch with index 2.`},
		{`$('Data').itemMatching()`, "Missing item index for .itemMatching()"},
		{`$('Data').pairedItem(7)`, "Can’t get data for expression"},
		{`$input.first(1)`, "$input.first() should have no arguments"},
		{`$input.last(1)`, "$input.last() should have no arguments"},
		{`$node["Unrun"].json`, `connect "Back" to "Unrun"`},
		{`$env.HOME`, "access to env vars denied"},
		{`$execution.customData.set("bad key", "v")`, `Custom data key can only contain letters, numbers, and underscores (key "bad key")`},
		{`$execution.customData.set("k", {})`, `Custom data values must be a string (key "k")`},
	}
	_, _, ctx := filterChain(t)
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			_, err := evalFor(t, ctx, 0, c.expr)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
			if ne := AsNodeError(err); ne.Name != "ExpressionError" && !strings.Contains(c.expr, "customData") {
				t.Fatalf("error is a %s", ne.Name)
			}
		})
	}
}

func TestProxyNoInput(t *testing.T) {
	w, runs, _ := filterChain(t)
	ctx := testContext(w, "Back", runs, nil)
	for _, c := range []struct{ expr, want string }{
		{`$json.id`, "Node 'Back' hasn't been executed"},
		{`$input.all()`, "No execution data available"},
		{`$input.item`, "No execution data available"},
	} {
		if _, err := evalFor(t, ctx, 0, c.expr); err == nil || err.Error() != c.want {
			t.Errorf("%s: error = %v, want %q", c.expr, err, c.want)
		}
	}
	if v, err := evalFor(t, ctx, 0, `$prevNode.name`); err != nil || v != nil {
		t.Errorf("$prevNode.name without source = %v, %v", v, err)
	}
	_, _, ctx = filterChain(t)
	if _, err := evalFor(t, ctx, 5, `$json.id`); err == nil || err.Error() != `"Back" node has 2 item(s) but you're trying to access item 5` {
		t.Errorf("out of range: %v", err)
	}
}

// twoInputs is Start → A, Start → B, A → M (input 0), B → M (input 1),
// M → Cur; M's items pair with A's, B's or both.
func twoInputs(t *testing.T, mPaired ...PairedItems) *Context {
	t.Helper()
	w := testWorkflow(t, []string{"Start", "A", "B", "M", "Cur"},
		"Start->A", "Start->B", "A->M", "B->M:1", "M->Cur")
	start := items([]map[string]any{{}}, pi(0))
	a := items([]map[string]any{{"a": "a0"}, {"a": "a1"}}, pi(0), pi(0))
	b := items([]map[string]any{{"b": "b0"}}, pi(0))
	mJSON := make([]map[string]any, len(mPaired))
	for i := range mJSON {
		mJSON[i] = map[string]any{"m": float64(i)}
	}
	runs := &memRuns{runs: map[string][]*NodeRun{
		"Start": {nodeRun(nil, start)},
		"A":     {nodeRun([]*SourceRef{src("Start", 0, 0)}, a)},
		"B":     {nodeRun([]*SourceRef{src("Start", 0, 0)}, b)},
		"M":     {nodeRun([]*SourceRef{src("A", 0, 0), src("B", 0, 0)}, items(mJSON, mPaired...))},
	}}
	return testContext(w, "Cur", runs, []*SourceRef{src("M", 0, 0)}, items(mJSON))
}

func TestProxyPairedItemTwoInputs(t *testing.T) {
	ctx := twoInputs(t,
		piIn(1, 0), // from A's item 1
		piIn(0, 1), // from B's item 0
		PairedItems{{Item: 0, Input: 0}, {Item: 0, Input: 1}}, // from A's 0 and B's 0
		PairedItems{{Item: 0, Input: 0}, {Item: 1, Input: 0}}, // from A's 0 and 1: ambiguous for A, not for Start
		nil,                              // unpaired
		PairedItems{{Item: 0, Input: 5}}, // input M does not have
	)
	cases := []struct {
		item       int
		expr, want string
	}{
		{0, `$('A').item.json.a`, "a1"},
		{1, `$('B').item.json.b`, "b0"},
		{2, `$('A').item.json.a`, "a0"},
		{2, `$('B').item.json.b`, "b0"},
		{2, `JSON.stringify($('Start').item.json)`, "{}"},
		{3, `JSON.stringify($('Start').item.json)`, "{}"},
		{3, `$('A').item.json.a`, "error: Multiple matches found"},
		{1, `$('A').item.json.a`, "error: Invalid expression"},
		{4, `$('A').item.json.a`, "error: Paired item data for item from node 'M' is unavailable. Ensure 'M' is providing the required output."},
		{4, `$('A').pairedItem().json.a`, "error: Paired item data for pairedItem from node 'M' is unavailable. Ensure 'M' is providing the required output."},
		{5, `$('A').item.json.a`, "error: Branch not found"},
		{0, `$('M').item.json.m`, "0"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			v, err := evalFor(t, ctx, c.item, c.expr)
			got := toText(v)
			if err != nil {
				got = "error: " + err.Error()
			}
			if got != c.want {
				t.Fatalf("item %d: got %q, want %q", c.item, got, c.want)
			}
		})
	}
}

func TestProxyScriptingMessages(t *testing.T) {
	ctx := twoInputs(t, PairedItems{{Item: 0, Input: 0}, {Item: 1, Input: 0}})
	ctx.Node.Type = codeTypeName
	if _, err := evalFor(t, ctx, 0, `$('A').item`); err == nil || err.Error() != "Multiple matches" {
		t.Fatalf("Code node message: %v", err)
	}
}

func TestResolvePairedItem(t *testing.T) {
	_, _, ctx := filterChain(t)
	it, err := ctx.ResolvePairedItem("Data", src("Even", 0, 0), PairedItem{Item: 1})
	if err != nil || it.JSON["name"] != "Dan" {
		t.Fatalf("got %v, %v", it.JSON, err)
	}
	it, err = ctx.ResolvePairedItem("Even", src("Even", 1, 0), PairedItem{Item: 0})
	if err != nil || it.JSON["id"] != 1.0 {
		t.Fatalf("got %v, %v", it.JSON, err)
	}
	if _, err := ctx.ResolvePairedItem("Data", src("Even", 0, 0), PairedItem{Item: 9}); err == nil {
		t.Fatal("no error for a missing item")
	}
}

// TestProxyLazy checks that evaluations read other nodes' runs only when
// an expression touches them, and once per Context.
func TestProxyLazy(t *testing.T) {
	_, runs, ctx := filterChain(t)
	for i := 0; i < 2; i++ {
		if _, err := evalFor(t, ctx, i, `$json.id + $input.all().length + $itemIndex`); err != nil {
			t.Fatal(err)
		}
	}
	if len(runs.reads) != 0 {
		t.Fatalf("runs read without being referenced: %v", runs.reads)
	}
	for i := 0; i < 2; i++ {
		if _, err := evalFor(t, ctx, i, `$('Data').item.json.name + $('Data').all().length`); err != nil {
			t.Fatal(err)
		}
	}
	for node, n := range runs.reads {
		if n != 1 {
			t.Fatalf("runs of %s read %d times", node, n)
		}
	}
	if runs.reads["Data"] != 1 || runs.reads["Unrun"] != 0 {
		t.Fatalf("reads: %v", runs.reads)
	}
}

// TestConformancePairedItemExpressions evaluates, at the expression level,
// the expressions of conformance cases whose nodes (Set) are built on other
// branches, with the pairing the upstream nodes give their items in n8n.
func TestConformancePairedItemExpressions(t *testing.T) {
	cases := []struct {
		cas, node string
		fields    []string
		// pair sets the pairing n8n records for nodes that do not pair
		// one-to-one (the Filter keeps items 1 and 3).
		pair func(r *caseRun)
	}{
		{cas: "expr-paired-item", node: "Back", fields: []string{"id", "name", "viaSlim"}, pair: func(r *caseRun) {
			even := r.Runs.Run("Even", 0).Data[ConnectionMain]
			for o, idx := range [][]int{{1, 3}, {0, 2}} {
				for i, orig := range idx {
					even[o][i].PairedItem = pi(orig)
				}
			}
		}},
		{cas: "expr-node-all-first", node: "Ref", fields: []string{"count", "firstName", "lastName", "legacy", "total", "itemN"}},
		{cas: "expr-code-node-refs", node: "Ref", fields: []string{"count", "firstName", "itemName", "inputTotal", "firstJson"}},
		{cas: "expr-input-context", node: "Ctx", fields: []string{"inputItem", "index", "run", "wf", "count", "first", "prev", "self"}},
		{cas: "code-paired-item-auto", node: "Lookup", fields: []string{"n", "pairedName"}},
		{cas: "exprtable-core-vars", node: "Exprs", fields: []string{"city", "inputItem", "allLen", "firstId", "lastName",
			"codeIds", "codeItem", "codeTotal", "matching", "nodeJson", "itemsSecond", "itemIndex", "runIndex", "wfName",
			"wfActive", "prev", "jmesCity", "jmesFilter", "jmesLen"}},
	}
	for _, c := range cases {
		t.Run(c.cas, func(t *testing.T) {
			r := loadCase(t, c.cas).prepare(t, c.node, 0)
			if c.pair != nil {
				c.pair(r)
			}
			assigns := r.Node.Parameters["assignments"].(map[string]any)["assignments"].([]any)
			want := r.Want.Output[0]
			for i := range r.Ctx.Inputs[0] {
				for _, a := range assigns {
					a := a.(map[string]any)
					name := a["name"].(string)
					if !slices.Contains(c.fields, name) {
						continue
					}
					got, err := r.Ctx.Evaluate(a["value"], i)
					if err != nil {
						t.Fatalf("item %d %s: %v", i, name, err)
					}
					if !reflect.DeepEqual(roundTrip(got), roundTrip(want[i][name])) {
						t.Errorf("item %d %s = %v, want %v", i, name, got, want[i][name])
					}
				}
			}
		})
	}
}

// TestConformancePairedItemMissing reproduces the broken chain of
// code-paired-item-missing: Pairs returned two items for three without
// pairing them.
func TestConformancePairedItemMissing(t *testing.T) {
	c := loadCase(t, "code-paired-item-missing")
	r := c.prepare(t, "Lookup", 0)
	_, err := r.Ctx.Evaluate(`={{ $('Data').item.json.name }}`, 0)
	if err == nil || err.Error() != r.Want.Error {
		t.Fatalf("error = %v, want %q", err, r.Want.Error)
	}
	b, _ := json.Marshal(AsNodeError(err))
	if !strings.Contains(string(b), `"itemIndex":0`) {
		t.Fatalf("error does not name the item: %s", b)
	}
}

// benchChain is a 20-node chain whose last node has n input items paired
// with the first node's items.
func benchChain(b *testing.B, n int) *Context {
	b.Helper()
	names := []string{"Start"}
	var edges []string
	for i := 1; i < 20; i++ {
		names = append(names, "N"+string(rune('A'+i)))
		edges = append(edges, names[i-1]+"->"+names[i])
	}
	w := testWorkflow(b, names, edges...)
	js := make([]map[string]any, n)
	paired := make([]PairedItems, n)
	for i := range js {
		js[i] = map[string]any{"id": float64(i), "name": "n" + string(rune('a'+i%26))}
		paired[i] = pi(i)
	}
	runs := &memRuns{runs: map[string][]*NodeRun{"Start": {nodeRun(nil, items(js, paired...))}}}
	for i := 1; i < 19; i++ {
		runs.runs[names[i]] = []*NodeRun{nodeRun([]*SourceRef{src(names[i-1], 0, 0)}, items(js, paired...))}
	}
	return testContext(w, names[19], runs, []*SourceRef{src(names[18], 0, 0)}, items(js))
}

// BenchmarkExprEnvSimple evaluates {{ $json.id }} for each of 1000 items.
func BenchmarkExprEnvSimple(b *testing.B) {
	ctx := benchChain(b, 1000)
	for b.Loop() {
		for i := 0; i < 1000; i++ {
			if _, err := ctx.Evaluate("={{ $json.id }}", i); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExprEnvArith evaluates {{ $json.id + 1 }} (scenario 5 of weft
// bench) for each of 1000 items.
func BenchmarkExprEnvArith(b *testing.B) {
	ctx := benchChain(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < 1000; i++ {
			if _, err := ctx.Evaluate("={{ $json.id + 1 }}", i); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExprEnvPaired evaluates {{ $('Start').item.json.name }} (18
// hops back) for each of 1000 items.
func BenchmarkExprEnvPaired(b *testing.B) {
	ctx := benchChain(b, 1000)
	for b.Loop() {
		for i := 0; i < 1000; i++ {
			if _, err := ctx.Evaluate("={{ $('Start').item.json.name }}", i); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCodeAllItems runs a Code node over 1000 items.
func BenchmarkCodeAllItems(b *testing.B) {
	ctx := benchChain(b, 1000)
	ctx.Node.Type = codeTypeName
	ctx.Node.Parameters = map[string]any{"jsCode": "return $input.all().map(i => ({json: {id: i.json.id * 2}}));"}
	for b.Loop() {
		if _, err := (Code{}).Execute(ctx, ctx.Inputs); err != nil {
			b.Fatal(err)
		}
	}
}
