package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// runBench is `weft bench`: a load generator for any webhook URL, and the
// standard scenarios run against an embedded weft.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		benchUsage(stderr)
		return 2
	}
	switch args[0] {
	case "webhook":
		return runBenchWebhook(ctx, args[1:], stdout, stderr)
	case "scenarios":
		return runBenchScenarios(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		benchUsage(stderr)
		return 0
	}
	fmt.Fprintf(stderr, "weft bench: unknown subcommand %q\n", args[0])
	benchUsage(stderr)
	return 2
}

func benchUsage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  weft bench webhook --url URL [--concurrency N] [--duration D] [--method M] [--body JSON] [--header K:V]...
      drive one URL with N clients in a closed loop; print requests/s, latency percentiles and errors
  weft bench scenarios [--quick]
      start weft in-process (embedded Temporal, SQLite in a temporary directory) and run the standard set`)
}

// headerList is a repeatable --header K:V flag.
type headerList []string

func (h *headerList) String() string { return strings.Join(*h, ", ") }

func (h *headerList) Set(v string) error {
	if k, _, ok := strings.Cut(v, ":"); !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("header %q: want Name:Value", v)
	}
	*h = append(*h, v)
	return nil
}

func runBenchWebhook(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("weft bench webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "the URL to call (required)")
	concurrency := fs.Int("concurrency", 20, "clients, each sending its next request when its last one is answered")
	duration := fs.Duration("duration", 10*time.Second, "how long to send requests")
	method := fs.String("method", http.MethodPost, "HTTP method")
	body := fs.String("body", "{}", "request body (sent as application/json unless --header sets Content-Type)")
	var headers headerList
	fs.Var(&headers, "header", "extra request header Name:Value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *target == "" || *concurrency < 1 || *duration <= 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "weft bench webhook: --url is required, --concurrency and --duration must be positive")
		return 2
	}
	h := http.Header{}
	if *body != "" {
		h.Set("Content-Type", "application/json")
	}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ":")
		h.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	r := loadTest(ctx, load{Method: *method, URL: *target, Body: []byte(*body), Header: h,
		Concurrency: *concurrency, Duration: *duration})
	t := newTable("metric", "value")
	t.row("requests", strconv.Itoa(r.Requests))
	t.row("requests/s", fmt.Sprintf("%.1f", r.RPS()))
	t.row("p50", fmtDur(r.Percentile(50)))
	t.row("p90", fmtDur(r.Percentile(90)))
	t.row("p99", fmtDur(r.Percentile(99)))
	t.row("max", fmtDur(r.Percentile(100)))
	t.row("errors", fmt.Sprintf("%d (non-2xx %d, transport %d)", r.NonOK+r.Transport, r.NonOK, r.Transport))
	t.flush(stdout)
	if r.FirstError != "" {
		fmt.Fprintf(stdout, "first error: %s\n", r.FirstError)
	}
	if r.Requests == 0 {
		return 1
	}
	return 0
}

// load is one closed-loop load run: Concurrency clients each send a
// request, wait for its answer, and send the next, for Duration.
type load struct {
	Method, URL string
	Body        []byte
	Header      http.Header
	Concurrency int
	Duration    time.Duration
	// Next, when set, builds each request instead of Method/URL/Body
	// (client is the client's index, n its request count so far).
	Next func(client, n int) (*http.Request, error)
}

// loadResult is what a load run measured.
type loadResult struct {
	Requests, NonOK, Transport int
	Elapsed                    time.Duration
	// Latencies of every answered request, sorted.
	Latencies  []time.Duration
	FirstError string
	// CPU is the CPU time this process used during the run: the load
	// generator's, and weft's when it runs in the same process.
	CPU time.Duration
}

// RPS is answered requests per second.
func (r *loadResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// OK is the number of 2xx answers.
func (r *loadResult) OK() int { return r.Requests - r.NonOK - r.Transport }

// Percentile returns the p-th percentile latency (nearest rank; 100 is the
// maximum).
func (r *loadResult) Percentile(p float64) time.Duration { return percentile(r.Latencies, p) }

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// benchClient keeps one connection per client open. Its read buffer
// takes a large answer (a page of 20 workflows is ~67 KB) in a few reads
// rather than one per 4 KB: the load generator shares the CPUs it
// measures.
func benchClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        concurrency * 2,
			MaxIdleConnsPerHost: concurrency * 2,
			IdleConnTimeout:     time.Minute,
			ReadBufferSize:      64 << 10,
		},
	}
}

// loadTest runs l and returns its measurements.
func loadTest(ctx context.Context, l load) *loadResult {
	client := benchClient(l.Concurrency)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, l.Duration)
	defer cancel()
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	started, cpu0 := time.Now(), processCPU()
	for c := range l.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var nonOK, transport int
			var firstErr string
			for n := 0; ctx.Err() == nil; n++ {
				var req *http.Request
				var err error
				if l.Next != nil {
					req, err = l.Next(c, n)
				} else {
					req, err = http.NewRequest(l.Method, l.URL, bytes.NewReader(l.Body))
					if err == nil {
						req.Header = l.Header.Clone()
					}
				}
				if err != nil {
					firstErr = err.Error()
					transport++
					break
				}
				// The request is not bound to ctx: one in flight when
				// the time is up still counts.
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				d := time.Since(t0)
				lat = append(lat, d)
				switch {
				case err != nil:
					transport++
					if firstErr == "" {
						firstErr = err.Error()
					}
				case resp.StatusCode < 200 || resp.StatusCode > 299:
					nonOK++
					if firstErr == "" {
						firstErr = req.Method + " " + req.URL.Path + ": " + resp.Status
					}
				}
			}
			mu.Lock()
			res.Latencies = append(res.Latencies, lat...)
			res.NonOK += nonOK
			res.Transport += transport
			if res.FirstError == "" {
				res.FirstError = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed, res.CPU = time.Since(started), processCPU()-cpu0
	res.Requests = len(res.Latencies)
	sort.Slice(res.Latencies, func(i, j int) bool { return res.Latencies[i] < res.Latencies[j] })
	return &res
}

// table prints aligned columns.
type table struct {
	head []string
	rows [][]string
}

func newTable(head ...string) *table { return &table{head: head} }

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) flush(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.head, "\t"))
	dashes := make([]string, len(t.head))
	for i, h := range t.head {
		dashes[i] = strings.Repeat("-", len(h))
	}
	fmt.Fprintln(tw, strings.Join(dashes, "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	_ = tw.Flush()
}

// fmtDur prints a latency in milliseconds with a precision that suits it.
func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.2f s", ms/1000)
}

// procStatus reads a kB field of /proc/self/status (VmRSS, VmHWM) in
// bytes; 0 where there is no /proc.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n << 10
		}
	}
	return 0
}

// rssPeak tracks the process's peak resident set size over a span:
// it resets the kernel's high-water mark when it may (clear_refs 5) and
// samples VmRSS as well, in case it may not.
type rssPeak struct {
	stop  chan struct{}
	done  chan struct{}
	reset bool
	max   int64
}

func trackRSS() *rssPeak {
	p := &rssPeak{stop: make(chan struct{}), done: make(chan struct{})}
	p.reset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	go func() {
		defer close(p.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := procStatus("VmRSS"); v > p.max {
				p.max = v
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// Stop ends the span and returns the peak in bytes.
func (p *rssPeak) Stop() int64 {
	close(p.stop)
	<-p.done
	if p.reset {
		if hwm := procStatus("VmHWM"); hwm > p.max {
			return hwm
		}
	}
	return p.max
}

func fmtBytes(n int64) string {
	return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
}
