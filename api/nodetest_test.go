package api

import (
	"testing"

	"github.com/weft/weft/persistence"
)

func TestNodeTestScenarios(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		a.register("admin@example.com")
		bob := a.register("bob@example.com")
		carl := a.register("carl@example.com")
		wf := exportWF("Tested")
		nodes := wf["nodes"].([]any)
		nodes = append(nodes,
			map[string]any{"id": "c1", "name": "Double", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": []any{440, 0},
				"parameters": map[string]any{"jsCode": "console.log('items', $input.all().length);\nreturn $input.all().map(i => ({json: {n: i.json.n * 2}}));"}},
			map[string]any{"id": "c2", "name": "Boom", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": []any{440, 200},
				"parameters": map[string]any{"jsCode": "throw new Error('kaput');"}},
			map[string]any{"id": "s1", "name": "Label", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": []any{660, 0},
				"parameters": map[string]any{"assignments": map[string]any{"assignments": []any{
					map[string]any{"id": "x", "name": "label", "value": "={{ 'n=' + $json.n }}", "type": "string"}}}, "options": map[string]any{}}},
			map[string]any{"id": "w1", "name": "Pause", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "position": []any{660, 200},
				"parameters": map[string]any{"resume": "timeInterval", "amount": 1, "unit": "seconds"}},
		)
		wf["nodes"] = nodes
		v := a.create(bob.AccessToken, wf)
		id := func(nodeID string) string { return persistence.NodeRowID(v.ID, nodeID) }
		a.run([]scenario{
			{name: "code node on given items", method: "POST", url: "/api/nodes/" + id("c1") + "/test", token: bob.AccessToken,
				body:   map[string]any{"items": []any{map[string]any{"n": 2}, map[string]any{"json": map[string]any{"n": 5}}}},
				status: 200, contains: []string{`"executionStatus":"success"`, `{"json":{"n":4}`, `{"json":{"n":10}`, `"console":["items 2"]`}},
			{name: "expression node", method: "POST", url: "/api/nodes/" + id("s1") + "/test", token: bob.AccessToken,
				body: map[string]any{"items": []any{map[string]any{"n": 7}}}, status: 200, contains: []string{`"label":"n=7"`}},
			{name: "failing node reports the error in the run", method: "POST", url: "/api/nodes/" + id("c2") + "/test", token: bob.AccessToken,
				body: map[string]any{"items": []any{map[string]any{}}}, status: 200, contains: []string{`"executionStatus":"error"`, "kaput"}},
			{name: "wait cannot run alone", method: "POST", url: "/api/nodes/" + id("w1") + "/test", token: bob.AccessToken, body: map[string]any{}, status: 400},
			{name: "items must be objects", method: "POST", url: "/api/nodes/" + id("c1") + "/test", token: bob.AccessToken, body: map[string]any{"items": []any{1}}, status: 400},
			{name: "too many inputs", method: "POST", url: "/api/nodes/" + id("c1") + "/test", token: bob.AccessToken, body: map[string]any{"inputs": []any{[]any{}, []any{}}}, status: 400},
			{name: "other user's node", method: "POST", url: "/api/nodes/" + id("c1") + "/test", token: carl.AccessToken, body: map[string]any{}, status: 404},
		})
	})
}

// Every parameter of every registered node type is documented: the
// node-types API is generated from the parameter structs' doc tags.
func TestNodeTypesDocumentEveryParameter(t *testing.T) {
	a := newTestAPI(t, dbtestSQLite(t), nil, nil)
	tok := a.register("ann@example.com").AccessToken
	w, body := a.do("GET", "/api/nodes/types", tok, nil, nil)
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, body)
	}
	var l list[nodeTypeView]
	a.json(body, &l)
	if len(l.Data) < 20 {
		t.Fatalf("only %d node types", len(l.Data))
	}
	for _, ty := range l.Data {
		if len(ty.Versions) == 0 || ty.DisplayName == "" || ty.Description == "" {
			t.Errorf("%s: incomplete description %+v", ty.Name, ty)
		}
		for _, p := range ty.Parameters {
			if p.Description == "" {
				t.Errorf("%s: parameter %q has no doc tag", ty.Name, p.Name)
			}
		}
	}
}
