package temporal_test

import (
	"testing"

	"github.com/weft/weft/nodes"
)

// BenchmarkChain10 runs a ten-node workflow of pure nodes end to end on the
// embedded server: start, ten local activities, result and run data.
func BenchmarkChain10(b *testing.B) {
	w := loadWorkflow(b, "chain10")
	ctx := testContext(b)
	for b.Loop() {
		x, err := engine.Execute(ctx, w, nil)
		if err != nil {
			b.Fatal(err)
		}
		if x.Result.Status != nodes.StatusSuccess {
			b.Fatalf("status %s", x.Result.Status)
		}
	}
}

// BenchmarkLargeItems pushes 10 MB of items through three nodes.
func BenchmarkLargeItems(b *testing.B) {
	w := loadWorkflow(b, "big")
	ctx := testContext(b)
	for b.Loop() {
		x, err := engine.Execute(ctx, w, nil)
		if err != nil {
			b.Fatal(err)
		}
		if x.Result.Status != nodes.StatusSuccess {
			b.Fatalf("status %s", x.Result.Status)
		}
	}
}
