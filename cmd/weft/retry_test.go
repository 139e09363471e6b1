package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
)

// retryAPI calls a running weft's API as one user.
type retryAPI struct {
	t     *testing.T
	base  string
	token string
}

// call sends a request and decodes the JSON answer into out, failing the
// test unless the status is want.
func (c *retryAPI) call(method, path string, body any, want int, out any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// serve starts weft's API and worker on an embedded Temporal server and a
// SQLite database in a temporary directory, and returns a client of a
// registered user.
func serveInProcess(t *testing.T) *retryAPI {
	t.Helper()
	cfg, err := loadConfig(func(name string) string {
		return map[string]string{"WEFT_DATA_DIR": t.TempDir(), "PORT": "0", "WEFT_TEMPORAL_PORT": "0"}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.TemporalUIPort = -1
	ctx, cancel := context.WithCancel(context.Background())
	s, err := start(ctx, cfg, zap.NewNop(), roles{api: true, worker: true, embedded: true})
	if s != nil {
		t.Cleanup(s.stop)
	}
	t.Cleanup(cancel)
	if err != nil {
		t.Fatal(err)
	}
	c := &retryAPI{t: t, base: "http://" + s.listener.Addr().String() + "/api"}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	c.call("POST", "/auth/register", map[string]any{"email": "ann@example.com", "password": "correct horse battery"}, http.StatusCreated, &tokens)
	c.token = tokens.AccessToken
	return c
}

type retriedExecution struct {
	ID      string  `json:"id"`
	Status  string  `json:"status"`
	Mode    string  `json:"mode"`
	RetryOf *string `json:"retry_of"`
}

func TestRetryOverAPI(t *testing.T) {
	c := serveInProcess(t)
	node := func(name, typ string, version, x float64, params map[string]any) map[string]any {
		return map[string]any{"name": name, "type": typ, "typeVersion": version, "position": []any{x, 0}, "parameters": params}
	}
	edge := func(to string) map[string]any {
		return map[string]any{"main": []any{[]any{map[string]any{"node": to, "type": "main", "index": 0}}}}
	}
	// A's output is random, so a run of A again would not match the first.
	// B fails in a manual execution ($execution.mode "test") and passes in
	// the retry.
	wf := map[string]any{
		"name": "Retry me",
		"nodes": []any{
			node("Start", "n8n-nodes-base.manualTrigger", 1, 0, map[string]any{}),
			node("A", "n8n-nodes-base.code", 2, 200, map[string]any{"jsCode": "return [{json: {r: Math.random()}}];"}),
			node("B", "n8n-nodes-base.code", 2, 400, map[string]any{"jsCode": "if ($execution.mode === 'test') throw new Error('B fails when run by hand'); return $input.all();"}),
			node("C", "n8n-nodes-base.noOp", 1, 600, map[string]any{}),
		},
		"connections": map[string]any{"Start": edge("A"), "A": edge("B"), "B": edge("C")},
		"settings":    map[string]any{"executionOrder": "v1"},
	}
	var created struct {
		ID string `json:"id"`
	}
	c.call("POST", "/workflows", wf, http.StatusCreated, &created)

	var old, retry retriedExecution
	c.call("POST", "/workflows/"+created.ID+"/execute?wait=true", nil, http.StatusCreated, &old)
	if old.Status != nodes.StatusError {
		t.Fatalf("first execution %+v", old)
	}
	c.call("POST", "/executions/"+old.ID+"/retry?wait=true", nil, http.StatusCreated, &retry)
	if retry.Status != nodes.StatusSuccess || retry.Mode != nodes.ModeRetry || retry.RetryOf == nil || *retry.RetryOf != old.ID {
		t.Fatalf("retry %+v", retry)
	}

	type data struct {
		Data struct {
			ResultData nodes.ResultData `json:"resultData"`
		} `json:"data"`
	}
	var before, after data
	c.call("GET", "/executions/"+old.ID+"/data", nil, http.StatusOK, &before)
	c.call("GET", "/executions/"+retry.ID+"/data", nil, http.StatusOK, &after)
	was, is := before.Data.ResultData.RunData, after.Data.ResultData.RunData
	for _, n := range []string{"Start", "A"} {
		if len(is[n]) != 1 || !reflect.DeepEqual(is[n], was[n]) {
			t.Fatalf("%s was not copied: %s, was %s", n, asJSON(t, is[n]), asJSON(t, was[n]))
		}
	}
	for _, n := range []string{"B", "C"} {
		if len(is[n]) != 1 || is[n][0].ExecutionStatus != nodes.StatusSuccess || !reflect.DeepEqual(is[n][0].Output(0)[0].JSON, was["A"][0].Output(0)[0].JSON) {
			t.Fatalf("%s runs %s", n, asJSON(t, is[n]))
		}
	}
	if was["B"][0].ExecutionStatus != nodes.StatusError {
		t.Fatalf("the old execution's B run changed: %s", asJSON(t, was["B"]))
	}
	if after.Data.ResultData.LastNodeExecuted != "C" {
		t.Fatalf("last node %q", after.Data.ResultData.LastNodeExecuted)
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
