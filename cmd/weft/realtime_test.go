package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/devserver"
)

// TestSplitRolesEvents runs `weft worker` and `weft api` as two processes
// on PostgreSQL: a WebSocket client of the API process sees the nodes that
// run on the worker process (LISTEN/NOTIFY between them), and each process
// exposes its metrics (the worker on METRICS_PORT). SQLite has no bus
// between processes, so this runs on PostgreSQL only.
func TestSplitRolesEvents(t *testing.T) {
	mk, ok := databases(t)["postgres"]
	if !ok {
		t.Skip("the cross-process event bus needs PostgreSQL: set WEFT_TEST_POSTGRES_URL")
	}
	cfg := mk(t)
	srv, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, SearchAttributes: temporal.SearchAttributes()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	external := "TEMPORAL_ADDRESS=" + srv.FrontendHostPort()
	metricsPort := freePort(t)
	worker := startRole(t, cfg, "worker", []string{external, "METRICS_PORT=" + strconv.Itoa(metricsPort)})
	api := startRole(t, cfg, "api", []string{external})

	c := register(t, api.base, "ann@example.com")
	wf := map[string]any{"name": "split events", "nodes": []any{
		map[string]any{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
		map[string]any{"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": []any{200, 0},
			"parameters": map[string]any{"jsCode": "return [{json: {from: 'worker'}}];"}},
	}, "connections": map[string]any{"Start": map[string]any{"main": []any{[]any{map[string]any{"node": "Code", "type": "main", "index": 0}}}}}}
	var created struct {
		ID string `json:"id"`
	}
	c.must(http.StatusCreated, "POST", "/api/workflows", wf, &created)

	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(api.base, "http")+"/api/ws?token="+c.token, nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	defer conn.Close()
	read := func() (string, json.RawMessage) {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		var m struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("read: %v\nworker log:\n%s", err, worker.log.String())
		}
		return m.Type, m.Data
	}
	if err := conn.WriteJSON(map[string]string{"type": "subscribe", "workflow_id": created.ID}); err != nil {
		t.Fatal(err)
	}
	if typ, data := read(); typ != "subscribed" {
		t.Fatalf("subscribe: %s %s", typ, data)
	}
	var x execution
	c.must(http.StatusCreated, "POST", "/api/workflows/"+created.ID+"/execute?wait=true", nil, &x)
	var got []string
	for {
		typ, data := read()
		var e temporal.Event
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, typ+" "+e.Node)
		if typ == temporal.EventNodeCompleted && e.Node == "Code" &&
			(len(e.Items) != 1 || e.Items[0] != 1 || len(e.Preview) != 1 || string(e.Preview[0]) != `{"json":{"from":"worker"}}`) {
			t.Fatalf("Code's node.completed: %s", data)
		}
		if typ == temporal.EventExecutionCompleted {
			break
		}
	}
	want := "execution.started |node.executing Start|node.completed Start|node.executing Code|node.completed Code|execution.completed "
	if strings.Join(got, "|") != want {
		t.Fatalf("events %q", got)
	}

	get := func(url string) string {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
		}
		return string(b)
	}
	wm := get("http://127.0.0.1:" + strconv.Itoa(metricsPort) + "/metrics")
	for _, frag := range []string{`weft_executions_finished_total{mode="manual",status="success"} 1`, `weft_node_duration_seconds_count{status="success",type="n8n-nodes-base.code"} 1`, "temporal_request_total{"} {
		if !strings.Contains(wm, frag) {
			t.Errorf("worker metrics lack %q", frag)
		}
	}
	am := get(api.base + "/metrics")
	for _, frag := range []string{"weft_websocket_connections 1", `route="/api/workflows/:id/execute",status="201"`} {
		if !strings.Contains(am, frag) {
			t.Errorf("api metrics lack %q", frag)
		}
	}

	if code := api.signal(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("weft api exit %d", code)
	}
	// The API closed the stream on its way out.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("after SIGTERM the stream ended with %v, want going away", err)
	}
	if code := worker.signal(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("weft worker exit %d", code)
	}
}
