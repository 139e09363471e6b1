package conformance

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Executor runs a case's workflow once and reports what weft did. An error
// means the workflow could not be run at all (invalid, unknown node type).
type Executor func(ctx context.Context, c *Case) (*Outcome, error)

// Result is the verdict on one case.
type Result struct {
	Case *Case
	// Diffs lists what differs from n8n; empty when the case passes.
	Diffs []string
	// Err is set when the case could not be run.
	Err error
	// Duration is how long the run took.
	Duration time.Duration
}

// Passed reports whether weft did what n8n did.
func (r *Result) Passed() bool { return r.Err == nil && len(r.Diffs) == 0 }

// Reason is a one-line account of a failure.
func (r *Result) Reason() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	reason := strings.Join(r.Diffs, "; ")
	const max = 400
	if len(reason) > max {
		reason = reason[:max] + "…"
	}
	return reason
}

// Run runs every case through exec, at most parallel at a time, and
// returns the results in the order of cases.
func Run(ctx context.Context, cases []*Case, parallel int, exec Executor) []*Result {
	parallel = max(parallel, 1)
	results := make([]*Result, len(cases))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			out, err := exec(ctx, c)
			r := &Result{Case: c, Err: err, Duration: time.Since(start)}
			if err == nil {
				r.Diffs = Compare(c, out)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	return results
}

// Report writes one line per result (PASS name, or FAIL name: reason) and
// a final "N passed, N failed" line, and returns the counts.
func Report(w io.Writer, results []*Result) (passed, failed int) {
	for _, r := range results {
		if r.Passed() {
			passed++
			fmt.Fprintf(w, "PASS %s\n", r.Case.Name)
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL %s: %s\n", r.Case.Name, r.Reason())
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	return passed, failed
}
