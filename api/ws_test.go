package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/weft/weft/persistence"
	"github.com/weft/weft/persistence/dbtest"
	"github.com/weft/weft/temporal"
)

// wsMsg is a server message as a client reads it.
type wsMsg struct {
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data"`
	EventID int64           `json:"event_id"`
}

// eventBody is the data of an execution or node event.
type eventBody struct {
	ExecutionID      string            `json:"executionId"`
	WorkflowID       string            `json:"workflowId"`
	Node             string            `json:"node"`
	Status           string            `json:"status"`
	Items            []int             `json:"items"`
	Preview          []json.RawMessage `json:"preview"`
	PreviewTruncated bool              `json:"previewTruncated"`
}

// wsURL turns an httptest server's URL into the WebSocket endpoint.
func wsURL(srv *httptest.Server, query string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/ws" + query
}

// dialWS connects with the token in the Authorization header.
func dialWS(t *testing.T, srv *httptest.Server, token string) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, ""), http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// readWS reads one message within d.
func readWS(t *testing.T, conn *websocket.Conn, d time.Duration) (wsMsg, error) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(d))
	var m wsMsg
	err := conn.ReadJSON(&m)
	return m, err
}

// mustReadWS reads one message or fails.
func mustReadWS(t *testing.T, conn *websocket.Conn) wsMsg {
	t.Helper()
	m, err := readWS(t, conn, 10*time.Second)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

func subscribe(t *testing.T, conn *websocket.Conn, key, id string) wsMsg {
	t.Helper()
	if err := conn.WriteJSON(map[string]string{"type": "subscribe", key: id}); err != nil {
		t.Fatal(err)
	}
	return mustReadWS(t, conn)
}

// testBus returns the bus a deployment on db would use: LISTEN/NOTIFY on
// PostgreSQL, in-process on SQLite.
func testBus(t *testing.T, db *persistence.DB) Bus {
	t.Helper()
	if db.Dialect() != "postgres" {
		return NewLocalBus()
	}
	b, err := NewPGBus(context.Background(), db, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// threeNodes is Start → Code (two items) → Set.
var threeNodes = map[string]any{"name": "live", "nodes": []any{
	map[string]any{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
	map[string]any{"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": []any{200, 0},
		"parameters": map[string]any{"jsCode": "return [{json: {n: 1, big: 'x'.repeat(1500)}}, {json: {n: 2, big: 'y'.repeat(1500)}}];"}},
	map[string]any{"name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": []any{400, 0},
		"parameters": map[string]any{"mode": "raw", "jsonOutput": "={\"double\": {{ $json.n * 2 }}}"}},
}, "connections": map[string]any{
	"Start": map[string]any{"main": []any{[]any{map[string]any{"node": "Code", "type": "main", "index": 0}}}},
	"Code":  map[string]any{"main": []any{[]any{map[string]any{"node": "Set", "type": "main", "index": 0}}}},
}}

// TestWebSocketExecutionEvents runs an execution on a real Temporal stack
// and checks what two WebSocket clients see: the owner every event in
// order, another user nothing; and that the metrics moved.
func TestWebSocketExecutionEvents(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		bus := testBus(t, db)
		reg := prometheus.NewRegistry()
		metrics := temporal.NewMetrics(reg)
		stack := newStackWith(t, db, temporal.NewSDKMetricsHandler(reg), func(a *temporal.Activities) {
			a.Events = EventPublisher(bus, nil)
			a.Metrics = metrics
			a.Recorder = temporal.DBRecorder{DB: db, Metrics: metrics}
		})
		a := newTestAPI(t, db, stack.runner, func(c *Config) { c.Bus, c.Metrics = bus, reg })
		srv := httptest.NewServer(a.srv.Handler())
		t.Cleanup(srv.Close)

		ann := a.register("ann@example.com")
		bob := a.register("bob@example.com")
		wf := a.create(ann.AccessToken, threeNodes)
		bobs := a.create(bob.AccessToken, map[string]any{"name": "bob's", "nodes": []any{}, "connections": map[string]any{}})

		annWS := dialWS(t, srv, ann.AccessToken)
		if m := subscribe(t, annWS, "workflow_id", wf.ID); m.Type != "subscribed" || m.EventID != 1 {
			t.Fatalf("ann's subscribe answer %+v %s", m, m.Data)
		}
		bobWS := dialWS(t, srv, bob.AccessToken)
		if m := subscribe(t, bobWS, "workflow_id", wf.ID); m.Type != "error" || !strings.Contains(string(m.Data), `"NOT_FOUND"`) {
			t.Fatalf("bob subscribing to ann's workflow got %+v %s", m, m.Data)
		}
		if m := subscribe(t, bobWS, "workflow_id", bobs.ID); m.Type != "subscribed" {
			t.Fatalf("bob's own subscribe answer %+v %s", m, m.Data)
		}

		w, body := a.do("POST", "/api/workflows/"+wf.ID+"/execute?wait=true", ann.AccessToken, nil, nil)
		if w.Code != http.StatusCreated {
			t.Fatalf("execute: %d %s", w.Code, body)
		}
		var x executionView
		a.json(body, &x)
		if x.Status != "success" {
			t.Fatalf("execution %s", body)
		}

		var got []string
		var nodeDone = map[string]eventBody{}
		last := int64(1)
		for {
			m := mustReadWS(t, annWS)
			if m.EventID != last+1 {
				t.Fatalf("event_id %d after %d", m.EventID, last)
			}
			last = m.EventID
			var d eventBody
			if err := json.Unmarshal(m.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.ExecutionID != x.ID || d.WorkflowID != wf.ID {
				t.Fatalf("event of another execution: %s", m.Data)
			}
			got = append(got, m.Type+" "+d.Node)
			if m.Type == "node.completed" {
				nodeDone[d.Node] = d
			}
			if m.Type == "execution.completed" {
				break
			}
		}
		want := []string{"execution.started ", "node.executing Start", "node.completed Start", "node.executing Code",
			"node.completed Code", "node.executing Set", "node.completed Set", "execution.completed "}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("events\n got %q\nwant %q", got, want)
		}
		code := nodeDone["Code"]
		if len(code.Items) != 1 || code.Items[0] != 2 || code.Status != "success" {
			t.Fatalf("Code's node.completed %+v", code)
		}
		// Two items of ~1.5 KB each: only the first fits the preview.
		if len(code.Preview) != 1 || !code.PreviewTruncated || !strings.Contains(string(code.Preview[0]), `"n":1`) {
			t.Fatalf("Code's preview %d items, truncated %v: %s", len(code.Preview), code.PreviewTruncated, code.Preview)
		}
		set := nodeDone["Set"]
		if len(set.Preview) != 2 || set.PreviewTruncated || string(set.Preview[1]) != `{"json":{"double":4}}` {
			t.Fatalf("Set's preview %s (truncated %v)", set.Preview, set.PreviewTruncated)
		}

		// A save is announced too.
		if w, body := a.do("PUT", "/api/workflows/"+wf.ID, ann.AccessToken, map[string]any{"name": "renamed"}, nil); w.Code != http.StatusOK {
			t.Fatalf("save: %d %s", w.Code, body)
		}
		m := mustReadWS(t, annWS)
		if m.Type != EventWorkflowUpdated || !strings.Contains(string(m.Data), `"name":"renamed"`) {
			t.Fatalf("after a save: %+v %s", m, m.Data)
		}

		// Bob saw nothing of ann's.
		if m, err := readWS(t, bobWS, 300*time.Millisecond); err == nil {
			t.Fatalf("bob received %+v %s", m, m.Data)
		}

		// Metrics moved.
		text := scrape(t, srv)
		for _, frag := range []string{
			`weft_executions_started_total{mode="manual"} 1`,
			`weft_executions_finished_total{mode="manual",status="success"} 1`,
			`weft_execution_duration_seconds_count{mode="manual",status="success"} 1`,
			`weft_node_duration_seconds_count{status="success",type="n8n-nodes-base.code"} 1`,
			`weft_http_request_duration_seconds_count{method="POST",route="/api/workflows/:id/execute",status="201"} 1`,
			`weft_websocket_connections 2`,
			`temporal_request_total{`,
			`temporal_workflow_task_execution_latency_seconds_bucket{`,
		} {
			if !strings.Contains(text, frag) {
				t.Errorf("/metrics lacks %q", frag)
			}
		}
		if t.Failed() {
			t.Log(text)
		}
	})
}

// scrape reads GET /metrics.
func scrape(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// TestWebSocketHandshake checks who may connect and how tokens travel.
func TestWebSocketHandshake(t *testing.T) {
	db := dbtest.SQLite(t)
	a := newTestAPI(t, db, nil, func(c *Config) { c.Bus = NewLocalBus() })
	srv := httptest.NewServer(a.srv.Handler())
	t.Cleanup(srv.Close)
	ann := a.register("ann@example.com")

	cases := []struct {
		name   string
		query  string
		header http.Header
		status int
		proto  string
	}{
		{name: "no token", status: http.StatusUnauthorized},
		{name: "bad token", header: http.Header{"Authorization": {"Bearer nope"}}, status: http.StatusUnauthorized},
		{name: "refresh token is not an access token", query: "?token=" + ann.RefreshToken, status: http.StatusUnauthorized},
		{name: "header", header: http.Header{"Authorization": {"Bearer " + ann.AccessToken}}, status: http.StatusSwitchingProtocols},
		{name: "query", query: "?token=" + ann.AccessToken, status: http.StatusSwitchingProtocols},
		{name: "subprotocol from a browser on an allowed origin",
			header: http.Header{"Sec-WebSocket-Protocol": {"weft, bearer." + ann.AccessToken}, "Origin": {"http://editor.local"}},
			status: http.StatusSwitchingProtocols, proto: "weft"},
		{name: "wrong origin", header: http.Header{"Authorization": {"Bearer " + ann.AccessToken}, "Origin": {"http://evil.example"}},
			status: http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, tc.query), tc.header)
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, tc.status, err)
			}
			if tc.status != http.StatusSwitchingProtocols {
				b, _ := io.ReadAll(resp.Body)
				var e errorBody
				if json.Unmarshal(b, &e) != nil || e.Code == "" {
					t.Fatalf("refusal body is not {code, message, details}: %s", b)
				}
				return
			}
			defer conn.Close()
			if conn.Subprotocol() != tc.proto {
				t.Fatalf("subprotocol %q, want %q", conn.Subprotocol(), tc.proto)
			}
			// A bad message gets an error message, and the connection stays.
			if err := conn.WriteJSON(map[string]string{"type": "dance", "workflow_id": "x"}); err != nil {
				t.Fatal(err)
			}
			if m := mustReadWS(t, conn); m.Type != "error" || !strings.Contains(string(m.Data), "VALIDATION_ERROR") {
				t.Fatalf("answer to a bad message: %+v %s", m, m.Data)
			}
			if m := subscribe(t, conn, "execution_id", "00000000-0000-0000-0000-000000000000"); m.Type != "error" {
				t.Fatalf("subscribing to a missing execution: %+v %s", m, m.Data)
			}
		})
	}
}

// TestWebSocketSlowClientDropped checks that a client that does not read
// is dropped while the bus and a reading client go on.
func TestWebSocketSlowClientDropped(t *testing.T) {
	db := dbtest.SQLite(t)
	bus := NewLocalBus()
	reg := prometheus.NewRegistry()
	a := newTestAPI(t, db, nil, func(c *Config) { c.Bus, c.Metrics = bus, reg })
	srv := httptest.NewServer(a.srv.Handler())
	t.Cleanup(srv.Close)
	ann := a.register("ann@example.com")
	wf := a.create(ann.AccessToken, map[string]any{"name": "w", "nodes": []any{}, "connections": map[string]any{}})

	slow := dialWS(t, srv, ann.AccessToken)
	subscribe(t, slow, "workflow_id", wf.ID)
	fast := dialWS(t, srv, ann.AccessToken)
	subscribe(t, fast, "workflow_id", wf.ID)

	const total, batch = 1200, 40
	data, _ := json.Marshal(map[string]string{"pad": strings.Repeat("z", 32<<10)})
	received := make(chan int64, total)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range total {
			m, err := readWS(t, fast, 10*time.Second)
			if err != nil {
				return
			}
			received <- m.EventID
		}
	}()
	for i := 0; i < total; i += batch {
		start := time.Now()
		for range batch {
			_ = bus.Publish(context.Background(), Message{Type: "node.completed", WorkflowID: wf.ID, Data: data})
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("publishing %d events took %v: a client blocks the bus", batch, d)
		}
		for range batch {
			select {
			case <-received:
			case <-time.After(10 * time.Second):
				t.Fatalf("the reading client stopped receiving after %d events", i)
			}
		}
	}
	wg.Wait()

	// The slow client finds its buffered events, then the end.
	n := 0
	var err error
	for {
		if _, err = readWS(t, slow, 10*time.Second); err != nil {
			break
		}
		n++
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the slow client was not dropped (read %d events)", n)
	}
	if n >= total {
		t.Fatalf("the slow client got all %d events", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(scrape(t, srv), "weft_websocket_connections 1") {
		if time.Now().After(deadline) {
			t.Fatal("the dropped connection is still counted")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
