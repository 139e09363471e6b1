package api

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// node is a node of a test workflow.
func node(name, typ string, version float64, params map[string]any) map[string]any {
	if params == nil {
		params = map[string]any{}
	}
	return map[string]any{"id": name, "name": name, "type": typ, "typeVersion": version, "parameters": params}
}

// chain is a workflow whose nodes are connected one after the other, as
// an n8n export.
func chain(name string, ns ...map[string]any) map[string]any {
	conns := map[string]any{}
	list := make([]any, len(ns))
	for i, n := range ns {
		n["position"] = []any{220 * i, 0}
		list[i] = n
		if i > 0 {
			conns[ns[i-1]["name"].(string)] = map[string]any{"main": []any{[]any{map[string]any{"node": n["name"], "type": "main", "index": 0}}}}
		}
	}
	return map[string]any{"name": name, "nodes": list, "connections": conns, "settings": map[string]any{"executionOrder": "v1"}}
}

func manualTrigger() map[string]any {
	return node("Start", "n8n-nodes-base.manualTrigger", 1, nil)
}

func waitNode(seconds int) map[string]any {
	return node("Wait", "n8n-nodes-base.wait", 1.1, map[string]any{"resume": "timeInterval", "amount": seconds, "unit": "seconds"})
}

func doubleNode() map[string]any {
	return node("Double", "n8n-nodes-base.set", 3.4, map[string]any{
		"assignments":        map[string]any{"assignments": []any{map[string]any{"id": "d", "name": "double", "value": "={{ $json.n * 2 }}", "type": "number"}}},
		"includeOtherFields": true, "options": map[string]any{},
	})
}

func failNode() map[string]any {
	return node("Fail", "n8n-nodes-base.stopAndError", 1, map[string]any{"errorMessage": "=bad item {{ $json.n }}"})
}

// executionOut is an execution as the API answers it.
type executionOut struct {
	ID              string     `json:"id"`
	WorkflowID      string     `json:"workflow_id"`
	VersionID       string     `json:"version_id"`
	Status          string     `json:"status"`
	Mode            string     `json:"mode"`
	StartedAt       time.Time  `json:"started_at"`
	FinishedAt      *time.Time `json:"finished_at"`
	ExecutionTimeMs *int64     `json:"execution_time_ms"`
	Error           *string    `json:"error"`
	RetryOf         *string    `json:"retry_of"`
	TemporalURL     string     `json:"temporal_ui_url"`
}

// execute runs a workflow through the API and returns the execution.
func (a *testAPI) execute(token, workflowID, query string, body any) executionOut {
	a.t.Helper()
	w, out := a.do("POST", "/api/workflows/"+workflowID+"/execute"+query, token, body, nil)
	if w.Code != http.StatusCreated {
		a.t.Fatalf("execute: %d %s", w.Code, out)
	}
	var x executionOut
	a.json(out, &x)
	return x
}

// execution reads one execution.
func (a *testAPI) execution(token, id string) executionOut {
	a.t.Helper()
	w, out := a.do("GET", "/api/executions/"+id, token, nil, nil)
	if w.Code != http.StatusOK {
		a.t.Fatalf("get execution: %d %s", w.Code, out)
	}
	var x executionOut
	a.json(out, &x)
	return x
}

// awaitStatus polls an execution until it has the status, or fails.
func (a *testAPI) awaitStatus(token, id, status string) executionOut {
	a.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		x := a.execution(token, id)
		if x.Status == status {
			return x
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("execution %s is %s, want %s", id, x.Status, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listIDs lists executions and returns their ids, checking the page shape.
func (a *testAPI) listIDs(token, url string) ([]string, string) {
	a.t.Helper()
	w, out := a.do("GET", url, token, nil, nil)
	if w.Code != http.StatusOK {
		a.t.Fatalf("GET %s: %d %s", url, w.Code, out)
	}
	var l list[executionOut]
	a.json(out, &l)
	ids := make([]string, len(l.Data))
	for i, x := range l.Data {
		ids[i] = x.ID
	}
	return ids, l.NextCursor
}

func sameIDs(got []string, want ...string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func TestExecutionScenarios(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		stack := newStack(t, db)
		a := newTestAPI(t, db, stack.runner, func(c *Config) { c.TemporalUIURL = "http://ui.local" })
		ann := a.register("ann@example.com") // the first user is the admin
		bob := a.register("bob@example.com")
		carl := a.register("carl@example.com")
		quick := a.create(bob.AccessToken, exportWF("Quick"))
		double := a.create(bob.AccessToken, chain("Double", manualTrigger(), doubleNode()))
		waits := a.create(bob.AccessToken, chain("Waits", manualTrigger(), waitNode(60)))
		fails := a.create(bob.AccessToken, chain("Fails", manualTrigger(), failNode()))
		tok := bob.AccessToken
		before := time.Now().UTC().Add(-time.Second)

		// Execute, without and with waiting.
		first := a.execute(tok, quick.ID, "", nil)
		if first.ID == "" || first.WorkflowID != quick.ID || first.VersionID != quick.VersionID || first.Mode != nodes.ModeManual {
			t.Fatalf("execute answered %+v", first)
		}
		done := a.execute(tok, quick.ID, "?wait=true", nil)
		if done.Status != nodes.StatusSuccess || done.FinishedAt == nil || done.ExecutionTimeMs == nil || *done.ExecutionTimeMs < 0 || done.Error != nil {
			t.Fatalf("execute ?wait=true answered %+v", done)
		}
		if done.TemporalURL != "http://ui.local/namespaces/default/workflows/weft-exec-"+done.ID {
			t.Errorf("temporal_ui_url %q", done.TemporalURL)
		}
		a.awaitStatus(tok, first.ID, nodes.StatusSuccess)

		// Input items, plain objects and n8n items alike.
		doubled := a.execute(tok, double.ID, "?wait=true", map[string]any{"items": []any{
			map[string]any{"n": 2}, map[string]any{"json": map[string]any{"n": 5}},
		}})
		if doubled.Status != nodes.StatusSuccess {
			t.Fatalf("execute with items: %+v", doubled)
		}
		w, body := a.do("GET", "/api/executions/"+doubled.ID+"/data", tok, nil, nil)
		var data struct {
			Data struct {
				ResultData nodes.ResultData `json:"resultData"`
			} `json:"data"`
		}
		a.json(body, &data)
		rd := data.Data.ResultData
		if w.Code != http.StatusOK || rd.LastNodeExecuted != "Double" || len(rd.RunData["Double"]) != 1 || rd.Error != nil {
			t.Fatalf("data: %d %s", w.Code, body)
		}
		out := rd.RunData["Double"][0].Output(0)
		if len(out) != 2 || out[0].JSON["double"] != 4.0 || out[1].JSON["double"] != 10.0 {
			t.Fatalf("Double output %s", body)
		}

		failed := a.execute(tok, fails.ID, "?wait=true", map[string]any{"items": []any{map[string]any{"n": 7}}})
		if failed.Status != nodes.StatusError || failed.Error == nil || *failed.Error != "bad item 7" || failed.FinishedAt == nil {
			t.Fatalf("failing execution %+v", failed)
		}

		waiting := a.execute(tok, waits.ID, "", nil)
		a.awaitStatus(tok, waiting.ID, nodes.StatusWaiting)
		after := time.Now().UTC().Add(time.Second)

		id, fid, wid := done.ID, failed.ID, waiting.ID
		a.run([]scenario{
			{name: "get", method: "GET", url: "/api/executions/" + id, token: tok, status: 200,
				contains: []string{`"id":"` + id + `"`, `"workflow_id":"` + quick.ID + `"`, `"status":"success"`, `"mode":"manual"`, `"retry_of":null`, `"execution_time_ms":`},
				absent:   []string{`"owner_id"`, `"last_node"`}},
			{name: "data in n8n's shape", method: "GET", url: "/api/executions/" + id + "/data", token: tok, status: 200,
				contains: []string{`{"data":{"resultData":{"runData":{`, `"Start":[{`, `"Pass":[{`, `"executionStatus":"success"`, `"lastNodeExecuted":"Pass"`, `"main":[[{"json":{}`},
				absent:   []string{`"state"`, `"error"`}},
			{name: "data of a failed execution", method: "GET", url: "/api/executions/" + fid + "/data", token: tok, status: 200,
				contains: []string{`"Fail":[{`, `"executionStatus":"error"`, `"message":"bad item 7"`, `"lastNodeExecuted":"Fail"`}},
			{name: "admin gets any", method: "GET", url: "/api/executions/" + id, token: ann.AccessToken, status: 200},
			{name: "unknown id", method: "GET", url: "/api/executions/00000000-0000-0000-0000-000000000000", token: tok, status: 404, contains: []string{`"code":"NOT_FOUND"`}},
			{name: "no token", method: "GET", url: "/api/executions/" + id, status: 401},

			// Another user's execution does not exist for them.
			{name: "other's get", method: "GET", url: "/api/executions/" + id, token: carl.AccessToken, status: 404},
			{name: "other's data", method: "GET", url: "/api/executions/" + id + "/data", token: carl.AccessToken, status: 404},
			{name: "other's stop", method: "POST", url: "/api/executions/" + wid + "/stop", token: carl.AccessToken, status: 404},
			{name: "other's retry", method: "POST", url: "/api/executions/" + fid + "/retry", token: carl.AccessToken, status: 404},
			{name: "other's delete", method: "DELETE", url: "/api/executions/" + id, token: carl.AccessToken, status: 404},
			{name: "other's workflow executions", method: "GET", url: "/api/workflows/" + quick.ID + "/executions", token: carl.AccessToken, status: 404},
			{name: "execute other's workflow", method: "POST", url: "/api/workflows/" + quick.ID + "/execute", token: carl.AccessToken, status: 404},
			{name: "other's list is empty", method: "GET", url: "/api/executions", token: carl.AccessToken, status: 200, contains: []string{`"data":[]`}},
			{name: "other's filtered list is empty", method: "GET", url: "/api/executions?workflow_id=" + quick.ID, token: carl.AccessToken, status: 200, contains: []string{`"data":[]`}},

			// Conflicts.
			{name: "stop a finished execution", method: "POST", url: "/api/executions/" + id + "/stop", token: tok, status: 409, contains: []string{`"code":"CONFLICT"`}},
			{name: "delete a waiting execution", method: "DELETE", url: "/api/executions/" + wid, token: tok, status: 409, contains: []string{`"code":"CONFLICT"`, "waiting"}},
			{name: "retry a successful execution", method: "POST", url: "/api/executions/" + id + "/retry", token: tok, status: 409},

			// Bad requests. None may start an execution: the list filters
			// below count quick's executions.
			{name: "items not a list", method: "POST", url: "/api/workflows/" + quick.ID + "/execute", token: tok, body: `{"items": 5}`, status: 400, contains: []string{`"code":"VALIDATION_ERROR"`}},
			{name: "item not an object", method: "POST", url: "/api/workflows/" + quick.ID + "/execute", token: tok, body: `{"items": [1]}`, status: 400, contains: []string{"items[0] must be an object"}},
			{name: "item json not an object", method: "POST", url: "/api/workflows/" + quick.ID + "/execute", token: tok, body: `{"items": [{"json": {"a": 1}, "pairedItem": "x"}]}`, status: 400},
			{name: "body not json", method: "POST", url: "/api/workflows/" + quick.ID + "/execute", token: tok, body: `{"items": [`, status: 400},
			{name: "body a list", method: "POST", url: "/api/workflows/" + quick.ID + "/execute", token: tok, body: `[{"n": 1}]`, status: 400},
			{name: "bad wait timeout", method: "POST", url: "/api/workflows/" + quick.ID + "/execute?wait=true&timeout=soon", token: tok, status: 400},
			{name: "bad limit", method: "GET", url: "/api/executions?limit=0", token: tok, status: 400},
			{name: "bad started_after", method: "GET", url: "/api/executions?started_after=yesterday", token: tok, status: 400, contains: []string{"started_after"}},
			{name: "bad cursor", method: "GET", url: "/api/executions?cursor=not-a-cursor", token: tok, status: 400},
		})

		t.Run("list filters", func(t *testing.T) {
			mine := []string{first.ID, done.ID, doubled.ID, failed.ID, waiting.ID}
			q := func(params ...string) string {
				v := url.Values{}
				for i := 0; i < len(params); i += 2 {
					v.Set(params[i], params[i+1])
				}
				return "/api/executions?" + v.Encode()
			}
			for _, c := range []struct {
				name string
				url  string
				want []string
			}{
				{"all", q(), mine},
				{"by workflow", q("workflow_id", quick.ID), []string{first.ID, done.ID}},
				{"by workflow route", "/api/workflows/" + quick.ID + "/executions", []string{first.ID, done.ID}},
				{"by status success", q("status", "success"), []string{first.ID, done.ID, doubled.ID}},
				{"by status error", q("status", "error"), []string{failed.ID}},
				{"by status waiting", q("status", "waiting"), []string{waiting.ID}},
				{"by workflow and status", q("workflow_id", fails.ID, "status", "success"), nil},
				{"by mode manual", q("mode", "manual"), mine},
				{"by mode retry", q("mode", "retry"), nil},
				{"started in range", q("started_after", before.Format(time.RFC3339), "started_before", after.Format(time.RFC3339)), mine},
				{"started before range", q("started_before", before.Format(time.RFC3339)), nil},
				{"started after range", q("started_after", after.Format(time.RFC3339)), nil},
				{"admin sees all", q(), mine},
			} {
				t.Run(c.name, func(t *testing.T) {
					token := tok
					if c.name == "admin sees all" {
						token = ann.AccessToken
					}
					got, _ := a.listIDs(token, c.url)
					if !sameIDs(got, c.want...) {
						t.Fatalf("GET %s: %v, want %v", c.url, got, c.want)
					}
				})
			}

			// Pages of two walk every execution once, newest first.
			var walked []string
			page := "/api/executions?limit=2"
			for range len(mine) {
				ids, next := a.listIDs(tok, page)
				if len(ids) > 2 {
					t.Fatalf("page of %d", len(ids))
				}
				walked = append(walked, ids...)
				if next == "" {
					break
				}
				page = "/api/executions?limit=2&cursor=" + next
			}
			if !sameIDs(walked, mine...) {
				t.Fatalf("paged through %v, want %v", walked, mine)
			}
			all, _ := a.listIDs(tok, q())
			if !slices.Equal(walked, all) {
				t.Errorf("pages %v, one list %v: not the same order", walked, all)
			}
		})

		t.Run("stop a waiting execution", func(t *testing.T) {
			w, body := a.do("POST", "/api/executions/"+wid+"/stop", tok, nil, nil)
			var x executionOut
			a.json(body, &x)
			if w.Code != http.StatusOK || x.Status != nodes.StatusCanceled || x.FinishedAt == nil {
				t.Fatalf("stop: %d %s", w.Code, body)
			}
			d, err := stack.client.DescribeWorkflowExecution(context.Background(), temporal.WorkflowID(wid), "")
			if err != nil {
				t.Fatal(err)
			}
			if s := d.GetWorkflowExecutionInfo().GetStatus(); s != enums.WORKFLOW_EXECUTION_STATUS_CANCELED {
				t.Fatalf("temporal status %v", s)
			}
			a.run([]scenario{
				{name: "stop again", method: "POST", url: "/api/executions/" + wid + "/stop", token: tok, status: 409},
				{name: "the waiting node is recorded canceled", method: "GET", url: "/api/executions/" + wid + "/data", token: tok, status: 200,
					contains: []string{`"Wait":[{`, `"executionStatus":"canceled"`, `"message":"The execution was cancelled"`}},
			})
		})

		t.Run("retry a failed execution", func(t *testing.T) {
			w, body := a.do("POST", "/api/executions/"+fid+"/retry?wait=true", tok, nil, nil)
			var x executionOut
			a.json(body, &x)
			if w.Code != http.StatusCreated || x.ID == fid || x.RetryOf == nil || *x.RetryOf != fid || x.Mode != nodes.ModeRetry {
				t.Fatalf("retry: %d %s", w.Code, body)
			}
			// The retry reruns the workflow from its trigger. What it does
			// not do yet: reuse the failed run's successful node outputs
			// (n8n does), nor even its trigger items, so the expression
			// sees no n this time.
			if x.Status != nodes.StatusError || x.Error == nil || !strings.HasPrefix(*x.Error, "bad item") {
				t.Fatalf("retry ran to %s (%v)", x.Status, x.Error)
			}
			got, _ := a.listIDs(tok, "/api/executions?mode=retry")
			if !sameIDs(got, x.ID) {
				t.Fatalf("retries listed: %v", got)
			}
		})

		t.Run("delete a finished execution", func(t *testing.T) {
			a.run([]scenario{
				{name: "delete", method: "DELETE", url: "/api/executions/" + id, token: tok, status: 204},
				{name: "gone", method: "GET", url: "/api/executions/" + id, token: tok, status: 404},
				{name: "data gone", method: "GET", url: "/api/executions/" + id + "/data", token: tok, status: 404},
				{name: "delete again", method: "DELETE", url: "/api/executions/" + id, token: tok, status: 404},
			})
			rd, err := db.RunStore().LoadRunData(context.Background(), id)
			if err != nil || len(rd) != 0 {
				t.Fatalf("run data left: %v, %v", rd, err)
			}
		})
	})
}

// TestHealthz answers 200 with the database and Temporal up, and 503 naming
// the database once it is unreachable.
func TestHealthz(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, newStack(t, db).runner, nil)
		a.run([]scenario{{name: "up", method: "GET", url: "/healthz", status: 200, contains: []string{`"status":"ok"`, `"database":"ok"`, `"temporal":"ok"`}}})
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		w, body := a.do("GET", "/healthz", "", nil, nil)
		if w.Code != http.StatusServiceUnavailable {
			t.Fatalf("healthz with the database closed: %d %s", w.Code, body)
		}
		for _, frag := range []string{`"status":"unavailable"`, `"database":"unreachable"`, `"temporal":"ok"`} {
			if !strings.Contains(string(body), frag) {
				t.Errorf("body lacks %s: %s", frag, body)
			}
		}
	})
}

// TestLargeTriggerItems executes a workflow with 3 MB of input items, more
// than Temporal takes in one payload: the client keeps them in the run
// store, so the execution starts, runs to success and leaves a small
// history, and the stored items are not run data.
func TestLargeTriggerItems(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		stack := newStack(t, db)
		a := newTestAPI(t, db, stack.runner, nil)
		tok := a.register("ann@example.com").AccessToken
		double := a.create(tok, chain("Double", manualTrigger(), doubleNode()))
		const n = 3000
		items := make([]any, n)
		for i := range items {
			items[i] = map[string]any{"n": i, "text": strings.Repeat("x", 1000)}
		}
		body, err := json.Marshal(map[string]any{"items": items})
		if err != nil {
			t.Fatal(err)
		}
		if len(body) < 3_000_000 {
			t.Fatalf("the body is only %d bytes", len(body))
		}
		x := a.execute(tok, double.ID, "?wait=true", body)
		if x.Status != nodes.StatusSuccess || x.Error != nil {
			t.Fatalf("execution %+v", x)
		}

		w, out := a.do("GET", "/api/executions/"+x.ID+"/data", tok, nil, nil)
		var data struct {
			Data struct {
				ResultData nodes.ResultData `json:"resultData"`
			} `json:"data"`
		}
		a.json(out, &data)
		rd := data.Data.ResultData.RunData
		if w.Code != http.StatusOK || len(rd) != 2 || len(rd["Start"]) != 1 || len(rd["Double"]) != 1 {
			t.Fatalf("data: %d, nodes %v", w.Code, slices.Sorted(maps.Keys(rd)))
		}
		start, doubled := rd["Start"][0].Output(0), rd["Double"][0].Output(0)
		if len(start) != n || len(doubled) != n {
			t.Fatalf("Start emitted %d items, Double %d; want %d", len(start), len(doubled), n)
		}
		for i := range n {
			if start[i].JSON["n"] != float64(i) || len(start[i].JSON["text"].(string)) != 1000 || doubled[i].JSON["double"] != float64(2*i) {
				t.Fatalf("item %d: Start %v, Double %v", i, start[i].JSON["n"], doubled[i].JSON["double"])
			}
		}

		size := 0
		it := stack.client.GetWorkflowHistory(context.Background(), temporal.WorkflowID(x.ID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			size += proto.Size(e)
		}
		if size > 64<<10 {
			t.Fatalf("the history is %d bytes", size)
		}
	})
}
