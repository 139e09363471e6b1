package local_test

import (
	"context"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/weft/weft/nodes"
)

// integrationCreds is the credential source of the engine's worker for
// these tests: plain data by type, as the worker's store would decrypt it.
type integrationCreds struct {
	mu   sync.Mutex
	data map[string]map[string]any
}

func (c *integrationCreds) Credential(_ context.Context, _, typ string, _ nodes.CredentialRef) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.data[typ]
	if !ok {
		return nil, fmt.Errorf("no %s credential", typ)
	}
	out := map[string]any{}
	for k, v := range d {
		out[k] = v
	}
	return out, nil
}

var (
	credsOnce sync.Once
	creds     = &integrationCreds{data: map[string]map[string]any{}}
)

func useCredential(t *testing.T, typ string, data map[string]any) {
	t.Helper()
	if os.Getenv("WEFT_TEST_SKIP_EXTERNAL") == "1" && typ != "smtp" {
		t.Skip("WEFT_TEST_SKIP_EXTERNAL=1")
	}
	credsOnce.Do(func() { engine.Activities.Credentials = creds })
	creds.mu.Lock()
	creds.data[typ] = data
	creds.mu.Unlock()
}

// ioWorkflow is Manual Trigger → node.
func ioWorkflow(typ string, version float64, credType string, params map[string]any) *nodes.Workflow {
	return &nodes.Workflow{
		ID: "wf-" + credType,
		Nodes: []*nodes.NodeInstance{
			{Name: "Start", Type: "n8n-nodes-base.manualTrigger", TypeVersion: 1},
			{Name: "IO", Type: typ, TypeVersion: version, Parameters: params,
				Credentials: map[string]nodes.CredentialRef{credType: {ID: "c1", Name: "test"}}},
		},
		Connections: nodes.Connections{"Start": {nodes.ConnectionMain: {{{Node: "IO", Type: nodes.ConnectionMain}}}}},
	}
}

func runIOWorkflow(t *testing.T, w *nodes.Workflow, trigger ...map[string]any) []map[string]any {
	t.Helper()
	if err := nodes.ValidateWorkflow(w); err != nil {
		t.Fatal(err)
	}
	var items []nodes.Item
	for _, j := range trigger {
		items = append(items, nodes.NewItem(j))
	}
	x, err := engine.Execute(testContext(t), w, items)
	if err != nil {
		t.Fatal(err)
	}
	if x.Result.Status != nodes.StatusSuccess {
		t.Fatalf("status %s: %+v", x.Result.Status, x.Result.Error)
	}
	var out []map[string]any
	for _, it := range x.RunData["IO"][0].Main()[0] {
		out = append(out, it.JSON)
	}
	return out
}

// historyHas reports whether an execution's Temporal history contains s.
func historyHas(t *testing.T, execID, s string) bool {
	t.Helper()
	it := engine.Client.Temporal.GetWorkflowHistory(testContext(t), "weft-exec-"+execID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ev.String(), s) {
			return true
		}
	}
	return false
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func TestPostgresWorkflow(t *testing.T) {
	// Trust auth ignores the password; it is there to be looked for.
	useCredential(t, "postgres", map[string]any{"host": "127.0.0.1", "port": 5432.0, "database": "test", "user": "postgres", "password": "Hist0ry-s3cret"})
	w := ioWorkflow("n8n-nodes-base.postgres", 2.5, "postgres", map[string]any{"operation": "executeQuery",
		"query": "SELECT $1::int + 1 AS n", "options": map[string]any{"queryReplacement": "={{ $json.n }}"}})
	if err := nodes.ValidateWorkflow(w); err != nil {
		t.Fatal(err)
	}
	x, err := engine.Execute(testContext(t), w, []nodes.Item{nodes.NewItem(map[string]any{"n": 41.0})})
	if err != nil || x.Result.Status != nodes.StatusSuccess {
		t.Fatalf("%v %+v", err, x)
	}
	if got := x.RunData["IO"][0].Main()[0][0].JSON["n"]; got != 42.0 {
		t.Fatalf("n = %v", got)
	}
	if historyHas(t, x.ID, "Hist0ry-s3cret") {
		t.Fatal("the credential's password is in the Temporal history")
	}
}

func TestMySQLWorkflow(t *testing.T) {
	useCredential(t, "mySql", map[string]any{"host": "127.0.0.1", "port": 3306.0, "database": "test", "user": "root"})
	out := runIOWorkflow(t, ioWorkflow("n8n-nodes-base.mySql", 2.4, "mySql", map[string]any{"operation": "executeQuery",
		"query": "SELECT $1 + 1 AS n", "options": map[string]any{"queryReplacement": "={{ $json.n }}"}}), map[string]any{"n": 1.0})
	if len(out) != 1 || out[0]["n"] != 2.0 {
		t.Fatal(out)
	}
}

func TestRedisWorkflow(t *testing.T) {
	addr := envOr("WEFT_TEST_REDIS_ADDR", "127.0.0.1:6379")
	host, port, _ := net.SplitHostPort(addr)
	var p float64
	_, _ = fmt.Sscan(port, &p)
	useCredential(t, "redis", map[string]any{"host": host, "port": p})
	key := fmt.Sprintf("weft:wf:%d", time.Now().UnixNano())
	out := runIOWorkflow(t, ioWorkflow("n8n-nodes-base.redis", 1, "redis", map[string]any{"operation": "incr", "key": key, "expire": true, "ttl": 30.0}),
		map[string]any{}, map[string]any{})
	if len(out) != 2 || out[1][key] != 2.0 {
		t.Fatal(out)
	}
}

func TestEmailSendWorkflow(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		tp := textproto.NewConn(c)
		_ = tp.PrintfLine("220 test")
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			switch strings.ToUpper(strings.SplitN(line, " ", 2)[0]) {
			case "EHLO":
				_ = tp.PrintfLine("250 test")
			case "DATA":
				_ = tp.PrintfLine("354 go")
				b, _ := tp.ReadDotBytes()
				got <- string(b)
				_ = tp.PrintfLine("250 ok")
			case "QUIT":
				_ = tp.PrintfLine("221 bye")
				return
			default:
				_ = tp.PrintfLine("250 ok")
			}
		}
	}()
	useCredential(t, "smtp", map[string]any{"host": "127.0.0.1", "port": float64(ln.Addr().(*net.TCPAddr).Port), "secure": false})
	out := runIOWorkflow(t, ioWorkflow("n8n-nodes-base.emailSend", 2.1, "smtp", map[string]any{
		"fromEmail": "weft@example.com", "toEmail": "={{ $json.to }}", "subject": "hi", "emailFormat": "text", "text": "=for {{ $json.to }}",
		"options": map[string]any{"appendAttribution": false}}), map[string]any{"to": "ann@example.com"})
	if len(out) != 1 || fmt.Sprint(out[0]["accepted"]) != "[ann@example.com]" {
		t.Fatal(out)
	}
	select {
	case msg := <-got:
		if !strings.Contains(msg, "for ann@example.com") {
			t.Fatal(msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
}
