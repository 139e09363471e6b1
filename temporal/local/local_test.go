package local_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/conformance"
	"github.com/weft/weft/temporal/local"
)

var engine *local.Engine

func TestMain(m *testing.M) {
	e, err := local.Start(context.Background(), local.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	engine = e
	code := m.Run()
	e.Close()
	os.Exit(code)
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestConformanceRunner runs the small cases in testdata/cases, two of
// which must fail with a reason.
func TestConformanceRunner(t *testing.T) {
	cases, err := conformance.LoadDir("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	results := conformance.Run(testContext(t), cases, 3, engine.Conformance())
	var out bytes.Buffer
	passed, failed := conformance.Report(&out, results)
	want := []string{
		"PASS branches",
		"PASS chain",
		`FAIL unknown-type: node "X" has unknown type "n8n-nodes-base.nothingLikeThis"`,
		"PASS wait-zero",
		"FAIL wrong-order: order Start,High,Low, n8n Start,Low,High",
		"3 passed, 2 failed",
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if passed != 3 || failed != 2 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("report:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
}

// corpusExpectedToFail lists corpus cases that run but do not yet match
// n8n, with the reason. The test fails if one of them starts to pass, so
// that it is taken off the list.
var corpusExpectedToFail = map[string]string{}

// TestCorpus runs the n8n conformance corpus end to end. Every case whose
// node types are all registered must match n8n (but for
// corpusExpectedToFail); the others cannot run until their node types
// land, and are listed.
func TestCorpus(t *testing.T) {
	dir, err := conformance.FindCorpus(".")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := conformance.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var runnable []*conformance.Case
	missing := map[string]int{}
	for _, c := range cases {
		absent := map[string]bool{}
		for _, n := range c.Workflow.Nodes {
			if nodes.Lookup(n.Type) == nil {
				absent[n.Type] = true
			}
		}
		for typ := range absent {
			missing[typ]++
		}
		if len(absent) == 0 {
			runnable = append(runnable, c)
		}
	}
	var types []string
	for typ, n := range missing {
		types = append(types, fmt.Sprintf("%s (%d cases)", typ, n))
	}
	sort.Strings(types)
	t.Logf("%d of %d corpus cases runnable; node types not registered: %s", len(runnable), len(cases), strings.Join(types, ", "))
	for _, r := range conformance.Run(testContext(t), runnable, 4, engine.Conformance()) {
		reason, known := corpusExpectedToFail[r.Case.Name]
		switch {
		case r.Passed() && known:
			t.Errorf("%s passes now: take it off corpusExpectedToFail", r.Case.Name)
		case !r.Passed() && known:
			t.Logf("known failure %s (%s): %s", r.Case.Name, reason, r.Reason())
		case !r.Passed():
			t.Errorf("FAIL %s: %s", r.Case.Name, r.Reason())
		}
	}
}

func TestOrder(t *testing.T) {
	rd := nodes.RunData{
		"B": {{ExecutionIndex: 1}, {ExecutionIndex: 3}},
		"A": {{ExecutionIndex: 0}, {ExecutionIndex: 2}},
	}
	if got := strings.Join(local.Order(rd), ","); got != "A,B,A,B" {
		t.Fatalf("order %s", got)
	}
}

func TestRegisterSearchAttributes(t *testing.T) {
	// The devserver registered them at start; registering again is a no-op.
	for range 2 {
		if err := temporal.RegisterSearchAttributes(testContext(t), engine.Client.Temporal, engine.Namespace()); err != nil {
			t.Fatal(err)
		}
	}
}
