package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

func webhookWaitNode(params map[string]any) map[string]any {
	p := map[string]any{"resume": "webhook", "httpMethod": "POST"}
	for k, v := range params {
		p[k] = v
	}
	return node("Wait", "n8n-nodes-base.wait", 1.1, p)
}

// runData reads an execution's run data.
func (a *testAPI) runData(token, id string) map[string][]*nodes.NodeRun {
	a.t.Helper()
	w, body := a.do("GET", "/api/executions/"+id+"/data", token, nil, nil)
	if w.Code != http.StatusOK {
		a.t.Fatalf("execution data: %d %s", w.Code, body)
	}
	var d struct {
		Data struct {
			ResultData struct {
				RunData map[string][]*nodes.NodeRun `json:"runData"`
			} `json:"resultData"`
		} `json:"data"`
	}
	a.json(body, &d)
	return d.Data.ResultData.RunData
}

func TestResumeURL(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, newStack(t, db).runner, nil)
		tok := a.register("ann@example.com").AccessToken
		wf := a.create(tok, chain("Approve", manualTrigger(),
			webhookWaitNode(map[string]any{"options": map[string]any{"webhookSuffix": "ok", "responseData": "thanks"}, "responseCode": 202}),
			node("After", "n8n-nodes-base.noOp", 1, nil)))
		timed := a.create(tok, chain("Timed", manualTrigger(), waitNode(60)))

		x := a.execute(tok, wf.ID, "", nil)
		a.awaitStatus(tok, x.ID, nodes.StatusWaiting)
		tx := a.execute(tok, timed.ID, "", nil)
		a.awaitStatus(tok, tx.ID, nodes.StatusWaiting)
		var row struct {
			WaitTill *string `json:"wait_till"`
		}
		_, body := a.do("GET", "/api/executions/"+tx.ID, tok, nil, nil)
		a.json(body, &row)
		if row.WaitTill == nil {
			t.Fatalf("a timed wait has no wait_till: %s", body)
		}
		url := "/webhook-waiting/" + x.ID + "/ok"
		a.run([]scenario{
			{name: "unknown execution", method: "POST", url: "/webhook-waiting/00000000-0000-0000-0000-000000000000", status: http.StatusNotFound, contains: []string{"does not exist"}},
			{name: "wrong suffix", method: "POST", url: "/webhook-waiting/" + x.ID, status: http.StatusNotFound, contains: []string{"another resume URL"}},
			{name: "wrong method", method: "GET", url: url, status: http.StatusMethodNotAllowed, contains: []string{"waits for a POST"}},
			{name: "timer wait", method: "POST", url: "/webhook-waiting/" + tx.ID, status: http.StatusConflict, contains: []string{"not waiting for a call"}},
			{name: "too large", method: "POST", url: url, body: `{"x":"` + strings.Repeat("a", maxResumeBodyBytes) + `"}`, status: http.StatusRequestEntityTooLarge},
			{name: "resume", method: "POST", url: url + "?who=ann", body: map[string]any{"approved": true}, status: http.StatusAccepted, contains: []string{"thanks"}},
		})
		done := a.awaitStatus(tok, x.ID, nodes.StatusSuccess)
		if done.Error != nil {
			t.Fatalf("resumed execution %+v", done)
		}
		rd := a.runData(tok, x.ID)
		out, _ := json.Marshal(rd["After"][0].Output(0)[0].JSON)
		for _, frag := range []string{`"body":{"approved":true}`, `"query":{"who":"ann"}`, `"content-type":"application/json"`} {
			if !strings.Contains(string(out), frag) {
				t.Fatalf("After's item lacks %s: %s", frag, out)
			}
		}
		a.run([]scenario{
			{name: "second call", method: "POST", url: url, body: map[string]any{}, status: http.StatusConflict, contains: []string{"has finished already"}},
		})

		// Stopping a webhook wait cancels it.
		y := a.execute(tok, wf.ID, "", nil)
		a.awaitStatus(tok, y.ID, nodes.StatusWaiting)
		w, body := a.do("POST", "/api/executions/"+y.ID+"/stop", tok, nil, nil)
		if w.Code != http.StatusOK || !strings.Contains(string(body), `"status":"canceled"`) {
			t.Fatalf("stop: %d %s", w.Code, body)
		}
		a.do("POST", "/api/executions/"+tx.ID+"/stop", tok, nil, nil)
	})
}

func TestSubWorkflowsThroughAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, newStack(t, db).runner, nil)
		tok := a.register("ann@example.com").AccessToken
		bob := a.register("bob@example.com").AccessToken
		child := a.create(tok, chain("Child", node("In", nodes.ExecuteWorkflowTriggerType, 1, nil), doubleNode()))
		theirs := a.create(bob, chain("Theirs", node("In", nodes.ExecuteWorkflowTriggerType, 1, nil)))
		call := func(id string) map[string]any {
			return node("Call", nodes.ExecuteWorkflowType, 1.2, map[string]any{"source": "database",
				"workflowId": map[string]any{"__rl": true, "value": id, "mode": "id"}})
		}
		parent := a.create(tok, chain("Parent", manualTrigger(), call(child.ID)))
		x := a.execute(tok, parent.ID, "?wait=true", map[string]any{"items": []any{map[string]any{"n": 2}}})
		if x.Status != nodes.StatusSuccess {
			t.Fatalf("parent %+v", x)
		}
		run := a.runData(tok, x.ID)["Call"][0]
		sub, _ := run.Metadata["subExecution"].(map[string]any)
		if got := run.Output(0); len(got) != 1 || got[0].JSON["double"] != 4.0 || sub["workflowId"] != child.ID {
			t.Fatalf("Call run %+v", run)
		}
		subID, _ := sub["executionId"].(string)
		_, body := a.do("GET", "/api/executions/"+subID, tok, nil, nil)
		for _, frag := range []string{`"mode":"integrated"`, `"parent_execution_id":"` + x.ID + `"`, `"status":"success"`} {
			if !strings.Contains(string(body), frag) {
				t.Fatalf("sub-execution lacks %s: %s", frag, body)
			}
		}

		// Another user's workflow cannot be called.
		other := a.create(tok, chain("Other", manualTrigger(), call(theirs.ID)))
		if x := a.execute(tok, other.ID, "?wait=true", nil); x.Status != nodes.StatusError || x.Error == nil || !strings.Contains(*x.Error, "does not exist") {
			t.Fatalf("calling another user's workflow: %+v", x)
		}

		// Activation refuses a workflow that calls itself through another.
		loopA := a.create(tok, chain("Loop A", node("In", nodes.ExecuteWorkflowTriggerType, 1, nil)))
		loopB := a.create(tok, chain("Loop B", node("In", nodes.ExecuteWorkflowTriggerType, 1, nil), call(loopA.ID)))
		w, body := a.do("PATCH", "/api/workflows/"+loopA.ID, tok, chain("Loop A", node("In", nodes.ExecuteWorkflowTriggerType, 1, nil), call(loopB.ID)), nil)
		if w.Code != http.StatusOK {
			t.Fatalf("update: %d %s", w.Code, body)
		}
		a.run([]scenario{{name: "recursion refused", method: "POST", url: "/api/workflows/" + loopA.ID + "/activate", token: tok,
			status: http.StatusUnprocessableEntity, contains: []string{"calls itself", loopB.ID}}})

		// An error workflow runs for a failed retry (manual runs start none).
		onError := a.create(tok, chain("On error", node("Error Trigger", nodes.ErrorTriggerType, 1, nil)))
		failing := chain("Fails", manualTrigger(), failNode())
		failing["settings"] = map[string]any{"executionOrder": "v1", "errorWorkflow": onError.ID}
		fails := a.create(tok, failing)
		first := a.execute(tok, fails.ID, "?wait=true", nil)
		w, body = a.do("POST", "/api/executions/"+first.ID+"/retry?wait=true", tok, nil, nil)
		if w.Code != http.StatusCreated {
			t.Fatalf("retry: %d %s", w.Code, body)
		}
		var retry executionOut
		a.json(body, &retry)
		// The answer comes once the failure is recorded; the error
		// workflow starts right after.
		var ids []string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if ids, _ = a.listIDs(tok, "/api/executions?mode=error&workflow_id="+onError.ID); len(ids) > 0 || time.Now().After(deadline) {
				break
			}
		}
		if len(ids) != 1 {
			t.Fatalf("error executions %v", ids)
		}
		ex := a.awaitStatus(tok, ids[0], nodes.StatusSuccess)
		item := a.runData(tok, ex.ID)["Error Trigger"][0].Output(0)[0].JSON
		got, _ := json.Marshal(item)
		for _, frag := range []string{`"id":"` + retry.ID + `"`, `"retryOf":"` + first.ID + `"`, `"message":"bad item "`,
			`"lastNodeExecuted":"Fail"`, `"mode":"retry"`, `"workflow":{"id":"` + fails.ID + `","name":"Fails"}`} {
			if !strings.Contains(string(got), frag) {
				t.Fatalf("Error Trigger item lacks %s: %s", frag, got)
			}
		}
	})
}
