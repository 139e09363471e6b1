package nodes

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

type panicNode struct{}

func (panicNode) Describe() Description                        { return Description{Name: "weft-test.panic"} }
func (panicNode) Validate(*NodeInstance) error                 { return nil }
func (panicNode) Execute(*Context, [][]Item) ([][]Item, error) { panic("oops") }

func TestExecuteRecoversPanics(t *testing.T) {
	ctx := &Context{Context: context.Background(), Node: &NodeInstance{Name: "N"}}
	out, err := execute(panicNode{}, ctx)
	ne := AsNodeError(err)
	if out != nil || ne == nil || ne.Message != `internal error in node "N": oops` || !strings.Contains(ne.Description, "goroutine") {
		t.Fatalf("out %v, err %+v", out, err)
	}
}

func TestRouteErrorItems(t *testing.T) {
	inputs := [][]Item{{NewItem(map[string]any{"n": 1.0}), NewItem(map[string]any{"n": 2.0})}}
	sources := []*SourceRef{{PreviousNode: "P"}}
	out := [][]Item{{
		{JSON: map[string]any{"a": 1.0}, Error: &NodeError{Message: "flagged"}, PairedItem: PairedItems{{Item: 1}}},
		NewItem(map[string]any{"error": true}).Paired(0),
		NewItem(map[string]any{"error": 0.0}).Paired(0),
		NewItem(map[string]any{"error": "e", "message": "m", "details": "d"}).Paired(0),
	}, {NewItem(map[string]any{"error": "second output"}).Paired(1)}}
	got := routeErrorItems(out, 3, inputs, sources)
	for i := range got {
		for j := range got[i] {
			normalizeItem(&got[i][j])
		}
	}
	want := `[[{"error":0},{"details":"d","error":"e","message":"m"}],[],[{"error":"flagged"},{"error":true,"n":1},{"error":"second output","n":2}]]`
	if s := itemsJSON(t, got); s != want {
		t.Fatalf("routed\n got %s\nwant %s", s, want)
	}
	// Without sources (a trigger) items are not merged.
	got = routeErrorItems([][]Item{{NewItem(map[string]any{"error": "x"}).Paired(0)}}, 2, inputs, nil)
	if s := itemsJSON(t, got); s != `[[],[{"error":"x"}]]` {
		t.Fatalf("routed without sources %s", s)
	}
}

func itemsJSON(t *testing.T, outs [][]Item) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("[")
	for i, o := range outs {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("[")
		for j, it := range o {
			if j > 0 {
				b.WriteString(",")
			}
			s, err := json.Marshal(it.JSON)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(s)
		}
		b.WriteString("]")
	}
	b.WriteString("]")
	return b.String()
}
