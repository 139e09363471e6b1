package temporal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/local"
)

func executionOf(id string, res *temporal.ExecutionResult, rd nodes.RunData) *local.Execution {
	return &local.Execution{ID: id, Result: res, RunData: rd}
}

// finished waits for an execution and loads its run data.
func finished(t *testing.T, ctx context.Context, id string) *local.Execution {
	t.Helper()
	res, err := engine.Client.Result(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := engine.Store.LoadRunData(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return executionOf(id, res, rd)
}

func double() *nodes.NodeInstance {
	return node("Double", "n8n-nodes-base.set", 3.4, map[string]any{
		"assignments": map[string]any{"assignments": []any{
			map[string]any{"id": "a", "name": "double", "value": "={{ $json.n * 2 }}", "type": "number"},
		}},
		"includeOtherFields": true,
		"options":            map[string]any{},
	})
}

func callNode(target any, params map[string]any) *nodes.NodeInstance {
	p := map[string]any{"source": "database", "workflowId": target}
	for k, v := range params {
		p[k] = v
	}
	return node("Call", nodes.ExecuteWorkflowType, 1.2, p)
}

// put saves w as the current version of its workflow, owned by owner.
func put(owner string, w *nodes.Workflow) {
	engine.Workflows.Put(owner, uuid.NewString(), w)
}

// childrenOf returns the executions started for parent.
func childrenOf(parent string) []temporal.NewExecution {
	var out []temporal.NewExecution
	for _, e := range engine.Workflows.Executions() {
		if e.ParentExecutionID == parent {
			out = append(out, e)
		}
	}
	return out
}

func items(ns ...float64) []nodes.Item {
	out := make([]nodes.Item, len(ns))
	for i, n := range ns {
		out[i] = nodes.NewItem(map[string]any{"n": n})
	}
	return out
}

func TestSubWorkflow(t *testing.T) {
	ctx := testContext(t)
	owner := uuid.NewString()
	childID := uuid.NewString()
	put(owner, chain(t, childID, "child",
		node("In", nodes.ExecuteWorkflowTriggerType, 1.1, map[string]any{"inputSource": "passthrough"}), double()))

	cases := []struct {
		name     string
		params   map[string]any
		children int
		want     string
	}{
		{"once", nil, 1, `[[{"double":2,"n":1},{"double":4,"n":2}]]`},
		{"each", map[string]any{"mode": "each"}, 2, `[[{"double":2,"n":1},{"double":4,"n":2}]]`},
		{"no wait", map[string]any{"options": map[string]any{"waitForSubWorkflow": false}}, 1, `[[{"n":1},{"n":2}]]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent := chain(t, uuid.NewString(), "parent "+c.name,
				node("Start", "n8n-nodes-base.manualTrigger", 1, nil),
				callNode(map[string]any{"__rl": true, "value": childID, "mode": "id"}, c.params))
			put(owner, parent)
			id := startOn(t, ctx, parent, nodes.ModeManual, items(1, 2))
			x := finished(t, ctx, id)
			wantStatus(t, x, nodes.StatusSuccess)
			if got := outputs(t, x, "Call", 0); got != c.want {
				t.Fatalf("Call output %s, want %s", got, c.want)
			}
			kids := childrenOf(id)
			if len(kids) != c.children {
				t.Fatalf("%d sub-executions, want %d", len(kids), c.children)
			}
			for _, k := range kids {
				if k.Mode != nodes.ModeIntegrated || k.WorkflowID != childID {
					t.Fatalf("sub-execution %+v", k)
				}
				cx := finished(t, ctx, k.ID)
				wantStatus(t, cx, nodes.StatusSuccess)
			}
			meta := x.RunData["Call"][0].Metadata
			if c.children == 1 {
				sub, _ := meta["subExecution"].(map[string]any)
				if sub["executionId"] != kids[0].ID || sub["workflowId"] != childID {
					t.Fatalf("metadata %v", meta)
				}
			} else if fmt.Sprint(meta["subExecutionsCount"]) != "2" {
				t.Fatalf("metadata %v", meta)
			}
		})
	}
}

func TestSubWorkflowRefusals(t *testing.T) {
	ctx := testContext(t)
	owner := uuid.NewString()

	// A workflow calling itself.
	selfID := uuid.NewString()
	self := chain(t, selfID, "self", node("Start", "n8n-nodes-base.manualTrigger", 1, nil), callNode(selfID, nil))
	put(owner, self)
	x := finished(t, ctx, startOn(t, ctx, self, nodes.ModeManual, nil))
	wantStatus(t, x, nodes.StatusError)
	if !strings.Contains(x.Result.Error.Message, "Recursion refused") {
		t.Fatalf("error %+v", x.Result.Error)
	}

	// Another owner's workflow is not found.
	other := uuid.NewString()
	put(uuid.NewString(), chain(t, other, "theirs", node("In", nodes.ExecuteWorkflowTriggerType, 1, nil)))
	caller := chain(t, uuid.NewString(), "caller", node("Start", "n8n-nodes-base.manualTrigger", 1, nil), callNode(other, nil))
	put(owner, caller)
	x = finished(t, ctx, startOn(t, ctx, caller, nodes.ModeManual, nil))
	wantStatus(t, x, nodes.StatusError)
	if !strings.Contains(x.Result.Error.Message, "does not exist") {
		t.Fatalf("error %+v", x.Result.Error)
	}

	// A chain deeper than the limit: w0 → w1 → … → w11.
	ids := make([]string, temporal.MaxSubWorkflowDepth+2)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	var top *nodes.Workflow
	for i, id := range ids {
		trigger := node("In", nodes.ExecuteWorkflowTriggerType, 1, nil)
		if i == 0 {
			trigger = node("Start", "n8n-nodes-base.manualTrigger", 1, nil)
		}
		ns := []*nodes.NodeInstance{trigger}
		if i+1 < len(ids) {
			ns = append(ns, callNode(ids[i+1], nil))
		}
		w := chain(t, id, fmt.Sprintf("level %d", i), ns...)
		put(owner, w)
		if i == 0 {
			top = w
		}
	}
	x = finished(t, ctx, startOn(t, ctx, top, nodes.ModeManual, nil))
	wantStatus(t, x, nodes.StatusError)
	if !strings.Contains(x.Result.Error.Message, "nest too deeply") {
		t.Fatalf("error %+v", x.Result.Error)
	}
}

func TestErrorWorkflow(t *testing.T) {
	ctx := testContext(t)
	owner := uuid.NewString()
	errID := uuid.NewString()
	put(owner, chain(t, errID, "on error",
		node("Error Trigger", nodes.ErrorTriggerType, 1, nil), node("Seen", "n8n-nodes-base.noOp", 1, nil)))
	failing := chain(t, uuid.NewString(), "fails",
		node("Start", "n8n-nodes-base.manualTrigger", 1, nil),
		node("Boom", "n8n-nodes-base.stopAndError", 1, map[string]any{"errorMessage": "boom"}))
	failing.Settings.ErrorWorkflow = errID
	put(owner, failing)

	// A manual execution runs no error workflow, as in n8n.
	manual := startOn(t, ctx, failing, nodes.ModeManual, nil)
	wantStatus(t, finished(t, ctx, manual), nodes.StatusError)
	if kids := childrenOf(manual); len(kids) != 0 {
		t.Fatalf("a manual execution started %+v", kids)
	}

	id := startOn(t, ctx, failing, nodes.ModeTrigger, nil)
	wantStatus(t, finished(t, ctx, id), nodes.StatusError)
	kids := childrenOf(id)
	if len(kids) != 1 || kids[0].Mode != nodes.ModeError || kids[0].WorkflowID != errID {
		t.Fatalf("error executions %+v", kids)
	}
	ex := finished(t, ctx, kids[0].ID)
	wantStatus(t, ex, nodes.StatusSuccess)
	want := fmt.Sprintf(`[[{"execution":{"error":{"message":"boom","name":"NodeOperationError","node":"Boom"},"id":%q,"lastNodeExecuted":"Boom","mode":"trigger","url":"http://localhost:8080/api/executions/%s"},"workflow":{"id":%q,"name":"fails"}}]]`,
		id, id, failing.ID)
	if got := outputs(t, ex, "Error Trigger", 0); got != want {
		t.Fatalf("Error Trigger item\n%s\nwant\n%s", got, want)
	}
}
