package temporal_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
)

func runWith(items ...map[string]any) *nodes.NodeRun {
	out := make([]nodes.Item, len(items))
	for i, j := range items {
		out[i] = nodes.NewItem(j)
	}
	return &nodes.NodeRun{ExecutionStatus: nodes.StatusSuccess, Data: map[string][][]nodes.Item{nodes.ConnectionMain: {out}}}
}

func TestMemoryRunStore(t *testing.T) {
	ctx := context.Background()
	s := temporal.NewMemoryRunStore()
	if err := s.SaveRun(ctx, "x", "A", 0, runWith(map[string]any{"v": 1.0})); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRun(ctx, "x", "A", 1, runWith(map[string]any{"v": 2.0})); err != nil {
		t.Fatal(err)
	}
	// Saving a run index again replaces it: activities are retried.
	if err := s.SaveRun(ctx, "x", "A", 1, runWith(map[string]any{"v": 3.0})); err != nil {
		t.Fatal(err)
	}
	r, err := s.LoadRun(ctx, "x", "A", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v := r.Output(0)[0].JSON["v"]; v != 3.0 {
		t.Fatalf("run 1 holds %v", v)
	}
	// Loaded runs are copies.
	r.Output(0)[0].JSON["v"] = 99.0
	if again, _ := s.LoadRun(ctx, "x", "A", 1); again.Output(0)[0].JSON["v"] != 3.0 {
		t.Fatal("a loaded run shares items with the store")
	}
	for _, miss := range []struct {
		node string
		run  int
	}{{"A", 2}, {"B", 0}, {"A", -1}} {
		if _, err := s.LoadRun(ctx, "x", miss.node, miss.run); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("LoadRun(%s, %d) = %v, want NOT_FOUND", miss.node, miss.run, err)
		}
	}
	// Stored trigger items are loadable but are not run data.
	if err := s.SaveRun(ctx, "x", nodes.TriggerRunNode, 0, runWith(map[string]any{"t": true})); err != nil {
		t.Fatal(err)
	}
	if r, err := s.LoadRun(ctx, "x", nodes.TriggerRunNode, 0); err != nil || r.Output(0)[0].JSON["t"] != true {
		t.Fatalf("trigger items %+v, %v", r, err)
	}
	rd, err := s.LoadRunData(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(rd) != 1 || len(rd["A"]) != 2 {
		t.Fatalf("run data %v", rd)
	}
	if err := s.SaveRun(ctx, "x", "Gap", 1, runWith()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadRunData(ctx, "x"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("run data with a gap: %v", err)
	}
	if err := s.DeleteExecution(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if rd, _ := s.LoadRunData(ctx, "x"); len(rd) != 0 {
		t.Fatalf("deleted execution still has %v", rd)
	}
}

// countingStore counts the loads that reach the store behind a cache, and
// can be told to fail saves.
type countingStore struct {
	nodes.RunStore
	loads    int
	failSave bool
}

func (c *countingStore) LoadRun(ctx context.Context, x, node string, run int) (*nodes.NodeRun, error) {
	c.loads++
	return c.RunStore.LoadRun(ctx, x, node, run)
}

func (c *countingStore) SaveRun(ctx context.Context, x, node string, run int, r *nodes.NodeRun) error {
	if c.failSave {
		return errors.New("disk full")
	}
	return c.RunStore.SaveRun(ctx, x, node, run, r)
}

func TestCachedRunStore(t *testing.T) {
	ctx := context.Background()
	back := &countingStore{RunStore: temporal.NewMemoryRunStore()}
	big := strings.Repeat("x", 4000)
	c := temporal.NewCachedRunStore(back, 10_000)
	for i := range 3 {
		if err := c.SaveRun(ctx, "x", "A", i, runWith(map[string]any{"pad": big, "i": float64(i)})); err != nil {
			t.Fatal(err)
		}
	}
	// Only two 4 kB runs fit in 10 kB: run 0 was evicted.
	if _, err := c.LoadRun(ctx, "x", "A", 2); err != nil || back.loads != 0 {
		t.Fatalf("cached run: err %v, %d loads", err, back.loads)
	}
	if _, err := c.LoadRun(ctx, "x", "A", 0); err != nil || back.loads != 1 {
		t.Fatalf("evicted run: err %v, %d loads", err, back.loads)
	}
	if _, err := c.LoadRun(ctx, "x", "A", 0); err != nil || back.loads != 1 {
		t.Fatalf("reloaded run not cached: err %v, %d loads", err, back.loads)
	}
	// A run larger than the whole cache is never cached.
	huge := runWith(map[string]any{"pad": strings.Repeat("y", 20_000)})
	if err := c.SaveRun(ctx, "x", "B", 0, huge); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LoadRun(ctx, "x", "B", 0); err != nil || back.loads != 2 {
		t.Fatalf("huge run: err %v, %d loads", err, back.loads)
	}
	// A failed save leaves no stale entry behind.
	back.failSave = true
	if err := c.SaveRun(ctx, "x", "A", 2, runWith(map[string]any{"i": 42.0})); err == nil {
		t.Fatal("save error swallowed")
	}
	back.failSave = false
	r, err := c.LoadRun(ctx, "x", "A", 2)
	if err != nil || r.Output(0)[0].JSON["i"] != 2.0 {
		t.Fatalf("after failed save: %v %v", r, err)
	}
	if err := c.DeleteExecution(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LoadRun(ctx, "x", "A", 2); nodes.ErrorCode(err) != nodes.CodeNotFound {
		t.Fatalf("deleted execution still cached: %v", err)
	}
}

func TestMemoryDefinitions(t *testing.T) {
	ctx := context.Background()
	d := temporal.NewMemoryDefinitions()
	w := &nodes.Workflow{Name: "w", Nodes: []*nodes.NodeInstance{{Name: "A", Type: "n8n-nodes-base.noOp", Parameters: map[string]any{}}}}
	d.Put("v1", w)
	w.Name = "changed after Put"
	got, err := d.Definition(ctx, "v1")
	if err != nil || got.Name != "w" {
		t.Fatalf("definition %v, %v", got, err)
	}
	if _, err := d.Definition(ctx, "v2"); nodes.ErrorCode(err) != nodes.CodeNotFound {
		t.Fatalf("missing version: %v", err)
	}
}
