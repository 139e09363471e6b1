package api

import (
	"fmt"
	"testing"

	"github.com/weft/weft/persistence"
)

// exportWF is a small n8n export as the editor would post it, with fields
// weft ignores (id, active, owner, versionId) that must not take effect.
func exportWF(name string) map[string]any {
	return map[string]any{
		"id": "attacker-chosen-id", "active": true, "owner_id": "someone-else", "versionId": "v-x", "name": name,
		"nodes": []any{
			map[string]any{"id": "a1", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
			map[string]any{"id": "a2", "name": "Pass", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": []any{220, 0}, "parameters": map[string]any{}},
		},
		"connections": map[string]any{"Start": map[string]any{"main": []any{[]any{map[string]any{"node": "Pass", "type": "main", "index": 0}}}}},
		"settings":    map[string]any{"executionOrder": "v1", "saveManualExecutions": true},
		"tags":        []any{map[string]any{"id": "1", "name": "sales"}, "ops"},
		"pinData":     map[string]any{},
	}
}

func TestWorkflowScenarios(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		ann := a.register("ann@example.com")
		bob := a.register("bob@example.com")
		carl := a.register("carl@example.com")
		wf := a.create(bob.AccessToken, exportWF("Orders"))
		if wf.ID == "attacker-chosen-id" || wf.Active || wf.VersionID == "" || len(wf.Tags) != 2 || len(wf.Nodes) != 2 {
			t.Fatalf("created = %+v", wf)
		}
		bad := exportWF("Broken")
		bad["nodes"].([]any)[1].(map[string]any)["type"] = "n8n-nodes-base.doesNotExist"
		noTrigger := exportWF("No trigger")
		noTrigger["nodes"] = noTrigger["nodes"].([]any)[1:]
		noTrigger["connections"] = map[string]any{}
		cyc := exportWF("Cycle")
		cyc["connections"].(map[string]any)["Pass"] = map[string]any{"main": []any{[]any{map[string]any{"node": "Pass", "type": "main", "index": 0}}}}
		id := wf.ID
		a.run([]scenario{
			{name: "get own", method: "GET", url: "/api/workflows/" + id, token: bob.AccessToken, status: 200, contains: []string{`"name":"Orders"`, `"version_id"`, `"typeVersion":1`}},
			{name: "get other's", method: "GET", url: "/api/workflows/" + id, token: carl.AccessToken, status: 404, contains: []string{`"code":"NOT_FOUND"`}},
			{name: "admin gets any", method: "GET", url: "/api/workflows/" + id, token: ann.AccessToken, status: 200},
			{name: "update other's", method: "PUT", url: "/api/workflows/" + id, token: carl.AccessToken, body: map[string]any{"name": "mine"}, status: 404},
			{name: "delete other's", method: "DELETE", url: "/api/workflows/" + id, token: carl.AccessToken, status: 404},
			{name: "activate other's", method: "POST", url: "/api/workflows/" + id + "/activate", token: carl.AccessToken, status: 404},
			{name: "nodes of other's", method: "GET", url: "/api/workflows/" + id + "/nodes", token: carl.AccessToken, status: 404},
			{name: "unknown node type", method: "POST", url: "/api/workflows", token: bob.AccessToken, body: bad, status: 422, contains: []string{`"code":"WORKFLOW_INVALID"`, `"node":"Pass"`, "doesNotExist"}},
			{name: "no trigger", method: "POST", url: "/api/workflows", token: bob.AccessToken, body: noTrigger, status: 422, contains: []string{"trigger"}},
			{name: "cycle", method: "POST", url: "/api/workflows", token: bob.AccessToken, body: cyc, status: 422, contains: []string{"cycle"}},
			{name: "no name", method: "POST", url: "/api/workflows", token: bob.AccessToken, body: map[string]any{"nodes": []any{}}, status: 400, contains: []string{"name is required"}},
			{name: "bad json", method: "POST", url: "/api/workflows", token: bob.AccessToken, body: `{"name": "x",`, status: 400},
			{name: "not an object", method: "POST", url: "/api/workflows", token: bob.AccessToken, body: `[1,2]`, status: 400},
			{name: "empty workflow is fine", method: "POST", url: "/api/workflows", token: bob.AccessToken, body: map[string]any{"name": "Draft"}, status: 201, contains: []string{`"nodes":[]`}},
			{name: "rename keeps graph", method: "PUT", url: "/api/workflows/" + id, token: bob.AccessToken, body: map[string]any{"name": "Orders v2", "active": true}, status: 200, contains: []string{`"name":"Orders v2"`, `"name":"Pass"`, `"active":false`}},
			{name: "invalid update refused", method: "PUT", url: "/api/workflows/" + id, token: bob.AccessToken, body: map[string]any{"nodes": bad["nodes"]}, status: 422},
			{name: "unchanged after refusal", method: "GET", url: "/api/workflows/" + id, token: bob.AccessToken, status: 200, contains: []string{"n8n-nodes-base.noOp"}, absent: []string{"doesNotExist"}},
			{name: "activate", method: "POST", url: "/api/workflows/" + id + "/activate", token: bob.AccessToken, status: 200, contains: []string{`"active":true`}},
			{name: "filter active", method: "GET", url: "/api/workflows?active=true", token: bob.AccessToken, status: 200, contains: []string{`"Orders v2"`}, absent: []string{"Draft"}},
			{name: "filter tag", method: "GET", url: "/api/workflows?tag=ops", token: bob.AccessToken, status: 200, contains: []string{`"Orders v2"`}, absent: []string{"Draft"}},
			{name: "search", method: "GET", url: "/api/workflows?search=draf", token: bob.AccessToken, status: 200, contains: []string{"Draft"}, absent: []string{"Orders"}},
			{name: "bad limit", method: "GET", url: "/api/workflows?limit=1000", token: bob.AccessToken, status: 400},
			{name: "bad active", method: "GET", url: "/api/workflows?active=maybe", token: bob.AccessToken, status: 400},
			{name: "carl sees none", method: "GET", url: "/api/workflows", token: carl.AccessToken, status: 200, contains: []string{`"data":[]`}},
			{name: "deactivate", method: "POST", url: "/api/workflows/" + id + "/deactivate", token: bob.AccessToken, status: 200, contains: []string{`"active":false`}},
			{name: "duplicate", method: "POST", url: "/api/workflows/" + id + "/duplicate", token: bob.AccessToken, status: 201, contains: []string{`"name":"Orders v2 (copy)"`, `"active":false`}},
		})

		// Pagination walks every workflow once.
		for i := range 5 {
			a.create(carl.AccessToken, exportWF(fmt.Sprintf("Paged %d", i)))
		}
		seen := map[string]bool{}
		url := "/api/workflows?limit=2"
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			_, body := a.do("GET", url, carl.AccessToken, nil, nil)
			var l list[workflowView]
			a.json(body, &l)
			for _, w := range l.Data {
				if seen[w.ID] {
					t.Fatalf("workflow %s listed twice", w.Name)
				}
				seen[w.ID] = true
			}
			if l.NextCursor == "" {
				break
			}
			url = "/api/workflows?limit=2&cursor=" + l.NextCursor
		}
		if len(seen) != 5 {
			t.Fatalf("paged through %d of 5", len(seen))
		}

		a.run([]scenario{
			{name: "delete", method: "DELETE", url: "/api/workflows/" + id, token: bob.AccessToken, status: 204},
			{name: "gone", method: "GET", url: "/api/workflows/" + id, token: bob.AccessToken, status: 404},
		})
	})
}

func TestNodeAndConnectionScenarios(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		a.register("admin@example.com")
		bob := a.register("bob@example.com")
		carl := a.register("carl@example.com")
		wf := a.create(bob.AccessToken, exportWF("Graph"))

		_, body := a.do("GET", "/api/workflows/"+wf.ID+"/nodes", bob.AccessToken, nil, nil)
		var nl list[map[string]any]
		a.json(body, &nl)
		if len(nl.Data) != 2 {
			t.Fatalf("nodes: %s", body)
		}
		var passID string
		for _, n := range nl.Data {
			if n["name"] == "Pass" {
				passID = n["id"].(string)
			}
		}
		w, body := a.do("POST", "/api/workflows/"+wf.ID+"/nodes", bob.AccessToken, map[string]any{
			"name": "Extra", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": []any{440, 0}}, nil)
		if w.Code != 201 {
			t.Fatalf("add node: %d %s", w.Code, body)
		}
		var extra map[string]any
		a.json(body, &extra)
		extraID := extra["id"].(string)

		w, body = a.do("POST", "/api/workflows/"+wf.ID+"/connections", bob.AccessToken, map[string]any{
			"source_node_id": passID, "source_output": 0, "target_node_id": extraID, "target_input": 0}, nil)
		if w.Code != 201 {
			t.Fatalf("add connection: %d %s", w.Code, body)
		}
		var conn connectionView
		a.json(body, &conn)

		a.run([]scenario{
			{name: "get node", method: "GET", url: "/api/nodes/" + passID, token: bob.AccessToken, status: 200, contains: []string{`"name":"Pass"`, `"node_id":"a2"`}},
			{name: "get other's node", method: "GET", url: "/api/nodes/" + passID, token: carl.AccessToken, status: 404},
			{name: "update other's node", method: "PUT", url: "/api/nodes/" + passID, token: carl.AccessToken, body: map[string]any{"name": "x"}, status: 404},
			{name: "delete other's connection", method: "DELETE", url: "/api/connections/" + conn.ID, token: carl.AccessToken, status: 404},
			{name: "add node to other's workflow", method: "POST", url: "/api/workflows/" + wf.ID + "/nodes", token: carl.AccessToken, body: map[string]any{"name": "X", "type": "n8n-nodes-base.noOp", "typeVersion": 1}, status: 404},
			{name: "duplicate connection", method: "POST", url: "/api/workflows/" + wf.ID + "/connections", token: bob.AccessToken, body: map[string]any{"source_node_id": passID, "target_node_id": extraID}, status: 409},
			{name: "connection creating a cycle", method: "POST", url: "/api/workflows/" + wf.ID + "/connections", token: bob.AccessToken, body: map[string]any{"source_node_id": extraID, "target_node_id": passID}, status: 422, contains: []string{"cycle"}},
			{name: "connection to missing output", method: "POST", url: "/api/workflows/" + wf.ID + "/connections", token: bob.AccessToken, body: map[string]any{"source_node_id": passID, "source_output": 3, "target_node_id": extraID}, status: 422},
			{name: "node with bad version", method: "POST", url: "/api/workflows/" + wf.ID + "/nodes", token: bob.AccessToken, body: map[string]any{"name": "V", "type": "n8n-nodes-base.noOp", "typeVersion": 99}, status: 422, contains: []string{`"node":"V"`}},
			{name: "node without type", method: "POST", url: "/api/workflows/" + wf.ID + "/nodes", token: bob.AccessToken, body: map[string]any{"name": "V"}, status: 400},
			{name: "rename node", method: "PUT", url: "/api/nodes/" + passID, token: bob.AccessToken, body: map[string]any{"name": "Renamed", "disabled": true}, status: 200, contains: []string{`"name":"Renamed"`, `"disabled":true`}},
			{name: "connections follow rename", method: "GET", url: "/api/workflows/" + wf.ID, token: bob.AccessToken, status: 200, contains: []string{`"node":"Renamed"`, `"Renamed":{"main"`}, absent: []string{`"Pass"`}},
			{name: "delete connection", method: "DELETE", url: "/api/connections/" + conn.ID, token: bob.AccessToken, status: 204},
			{name: "connection gone", method: "DELETE", url: "/api/connections/" + conn.ID, token: bob.AccessToken, status: 404},
			{name: "delete node", method: "DELETE", url: "/api/nodes/" + passID, token: bob.AccessToken, status: 204},
			{name: "node gone from graph", method: "GET", url: "/api/workflows/" + wf.ID, token: bob.AccessToken, status: 200, absent: []string{"Renamed"}},
			{name: "node types", method: "GET", url: "/api/nodes/types", token: bob.AccessToken, status: 200, contains: []string{`"name":"n8n-nodes-base.noOp"`, `"trigger":true`}},
		})
	})
}
