package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/persistence/dbtest"
	"github.com/weft/weft/temporal"
)

// TestPGBusRelays checks LISTEN/NOTIFY between two buses on one PostgreSQL
// schema (two processes), in order, and that a bus on another schema hears
// nothing. It needs WEFT_TEST_POSTGRES_URL, like every PostgreSQL test.
func TestPGBusRelays(t *testing.T) {
	db := dbtest.Postgres(t)
	if db == nil {
		t.Skip("WEFT_TEST_POSTGRES_URL is not set")
	}
	other := dbtest.Postgres(t)
	ctx := context.Background()
	worker, err := NewPGBus(ctx, db, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	api, err := NewPGBus(ctx, db, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	stranger, err := NewPGBus(ctx, other, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stranger.Close)

	got := make(chan Message, 100)
	api.Subscribe(func(m Message) { got <- m })
	heard := make(chan Message, 100)
	stranger.Subscribe(func(m Message) { heard <- m })

	pub := EventPublisher(worker, nil)
	for i, typ := range []string{temporal.EventExecutionStarted, temporal.EventNodeExecuting, temporal.EventNodeCompleted, temporal.EventExecutionCompleted} {
		e := temporal.Event{Type: typ, ExecutionID: "x1", WorkflowID: "w1", Node: "N", RunIndex: i}
		if typ == temporal.EventNodeCompleted {
			// A preview that would not fit NOTIFY is dropped, the event kept.
			e.Preview = []json.RawMessage{json.RawMessage(`"` + strings.Repeat("p", 9000) + `"`)}
			e.Error = strings.Repeat("e", 5000)
		}
		pub.Publish(ctx, e)
	}
	for i, want := range []string{temporal.EventExecutionStarted, temporal.EventNodeExecuting, temporal.EventNodeCompleted, temporal.EventExecutionCompleted} {
		select {
		case m := <-got:
			var e temporal.Event
			if err := json.Unmarshal(m.Data, &e); err != nil {
				t.Fatal(err)
			}
			if m.Type != want || e.Type != want || m.ExecutionID != "x1" || m.WorkflowID != "w1" || e.RunIndex != i {
				t.Fatalf("message %d: %+v %s", i, m, m.Data)
			}
			if want == temporal.EventNodeCompleted && (e.Preview != nil || !e.PreviewTruncated || len(e.Error) > maxEventError+4) {
				t.Fatalf("oversized node.completed not trimmed: preview %d, error %d bytes", len(e.Preview), len(e.Error))
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d (%s) not relayed", i, want)
		}
	}
	select {
	case m := <-heard:
		t.Fatalf("a bus on another schema heard %+v", m)
	case <-time.After(200 * time.Millisecond):
	}
	if err := worker.Publish(ctx, Message{Type: "x", WorkflowID: "w", Data: json.RawMessage(`"` + strings.Repeat("b", 9000) + `"`)}); err == nil {
		t.Fatal("a message over NOTIFY's limit was accepted")
	}
}
