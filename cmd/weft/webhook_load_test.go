package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
)

// TestServeWebhookBurst fires 500 concurrent calls at an onReceived webhook
// of a running `weft serve` and checks that every acknowledged call became
// exactly one execution that ran to success.
func TestServeWebhookBurst(t *testing.T) {
	const calls = 500
	p := startWeft(t, newServeConfig(t, ""))
	user := register(t, p.base, "burst@example.com")
	wf := map[string]any{
		"name": "burst",
		"nodes": []map[string]any{
			{"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": []int{0, 0},
				"webhookId": "burst-hook", "parameters": map[string]any{"path": "burst", "httpMethod": "POST"}},
			{"name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": []int{200, 0},
				"parameters": map[string]any{"assignments": map[string]any{"assignments": []map[string]any{
					{"id": "a", "name": "n", "type": "number", "value": "={{ $json.body.n }}"}}}}},
		},
		"connections": map[string]any{"Hook": map[string]any{"main": [][]map[string]any{{{"node": "Set", "type": "main", "index": 0}}}}},
	}
	var created struct {
		ID string `json:"id"`
	}
	user.must(http.StatusCreated, "POST", "/api/workflows", wf, &created)
	user.must(http.StatusOK, "POST", "/api/workflows/"+created.ID+"/activate", nil, nil)

	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Post(p.base+"/webhook/burst", "application/json", bytes.NewReader([]byte(`{"n":`+strconv.Itoa(i)+`}`)))
			if err != nil {
				errs <- err
				return
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Errorf("call %d: status %d", i, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	// Every acknowledged call runs: exactly one successful execution each.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		counts := map[string]int{}
		cursor := ""
		for {
			var page struct {
				Data       []execution `json:"data"`
				NextCursor string      `json:"next_cursor"`
			}
			user.must(http.StatusOK, "GET", "/api/executions?limit=250&workflow_id="+created.ID+"&cursor="+cursor, nil, &page)
			for _, x := range page.Data {
				if x.Mode != nodes.ModeWebhook {
					t.Fatalf("execution %s has mode %s", x.ID, x.Mode)
				}
				counts[x.Status]++
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		total := 0
		for _, n := range counts {
			total += n
		}
		if total > calls {
			t.Fatalf("%d executions for %d calls: %v", total, calls, counts)
		}
		if counts[nodes.StatusSuccess] == calls {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes: %v, want %d successful executions", counts, calls)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
