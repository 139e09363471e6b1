package local_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

// plainCreds is a CredentialSource with plain data by type.
type plainCreds map[string]map[string]any

func (c plainCreds) Credential(_ context.Context, _, typ string, ref nodes.CredentialRef) (map[string]any, error) {
	if d, ok := c[typ]; ok && ref.ID != "" {
		return d, nil
	}
	return nil, nodes.NewNodeError("credential of type %s not found", typ)
}

// TestServiceNodesOnTemporal runs a Python Code node and a Slack node on
// the embedded Temporal server: the Python node runs as a regular activity,
// the Slack node posts to a local Slack Web API, and the token appears
// nowhere in the workflow's history.
func TestServiceNodesOnTemporal(t *testing.T) {
	const token = "xoxb-history-must-not-see-this"
	var posted []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/chat.postMessage" || r.Header.Get("Authorization") != "Bearer "+token {
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		var req map[string]any
		_ = json.Unmarshal(body, &req)
		posted = append(posted, req["text"].(string))
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": req["channel"], "ts": "1700000000.000100",
			"message": map[string]any{"text": req["text"], "type": "message"}})
	}))
	defer srv.Close()
	t.Setenv("WEFT_SLACK_API_URL", srv.URL+"/api")
	// The service nodes go through the network policy, which refuses
	// loopback addresses unless allowed.
	nodes.SetNetPolicy(nodes.NetPolicy{AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	t.Cleanup(func() { nodes.SetNetPolicy(nodes.NetPolicy{}) })
	engine.Activities.Credentials = plainCreds{"slackApi": {"accessToken": token}}
	t.Cleanup(func() { engine.Activities.Credentials = nil })

	var w nodes.Workflow
	if err := json.Unmarshal([]byte(`{"id":"svc","name":"svc","nodes":[
		{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
		{"name":"Py","type":"n8n-nodes-base.code","typeVersion":2,"parameters":{"language":"pythonNative",
			"pythonCode":"return [{'json': {'msg': 'hi ' + str(n)}} for n in range(2)]"}},
		{"name":"Slack","type":"n8n-nodes-base.slack","typeVersion":2.2,"parameters":{"resource":"message","operation":"post",
			"channelId":{"__rl":true,"mode":"id","value":"C1"},"text":"={{ $json.msg }}"},
			"credentials":{"slackApi":{"id":"c1","name":"Slack account"}}}],
		"connections":{"Start":{"main":[[{"node":"Py","type":"main","index":0}]]},"Py":{"main":[[{"node":"Slack","type":"main","index":0}]]}}}`), &w); err != nil {
		t.Fatal(err)
	}
	x, err := engine.Execute(testContext(t), &w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x.Result.Status != nodes.StatusSuccess {
		t.Fatalf("status %s: %+v", x.Result.Status, x.Result.Error)
	}
	if strings.Join(posted, "|") != "hi 0|hi 1" {
		t.Fatalf("posted %q", posted)
	}
	out := x.RunData["Slack"][0].Data["main"][0]
	if len(out) != 2 || out[1].JSON["message_timestamp"] != "1700000000.000100" {
		t.Fatalf("Slack output %+v", out)
	}

	it := engine.Client.Temporal.GetWorkflowHistory(testContext(t), temporal.WorkflowID(x.ID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	activities := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(protojson.Format(e), token) {
			t.Fatalf("the token is in history event %s", e.GetEventType())
		}
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "RunNode" {
			activities++
		}
	}
	if activities != 2 {
		t.Fatalf("%d RunNode activities scheduled, want 2 (Py and Slack run as activities)", activities)
	}
}
