package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
	"github.com/weft/weft/persistence"
)

// benchSizes are a scenario run's sizes: the standard set, or --quick's
// smoke test.
type benchSizes struct {
	Load         time.Duration // each load phase of scenarios 1 and 4
	SingleCalls  int           // single-client calls (scenario 1b) and manual runs (scenario 2)
	Waiters      int           // scenario 3's executions
	WaitSeconds  int           // and how long each waits
	CRUDClients  int
	CRUDRows     int
	OneCore      time.Duration // scenario 5's loops
	CodeItems    int
	LargeItems   int // scenario 6: items of LargeItemSize bytes
	LargeItemLen int
}

var (
	fullSizes  = benchSizes{Load: 10 * time.Second, SingleCalls: 200, Waiters: 1000, WaitSeconds: 10, CRUDClients: 200, CRUDRows: 50, OneCore: 3 * time.Second, CodeItems: 10000, LargeItems: 1000, LargeItemLen: 10000}
	quickSizes = benchSizes{Load: 1 * time.Second, SingleCalls: 10, Waiters: 50, WaitSeconds: 1, CRUDClients: 20, CRUDRows: 5, OneCore: 200 * time.Millisecond, CodeItems: 1000, LargeItems: 100, LargeItemLen: 10000}
)

func runBenchScenarios(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("weft bench scenarios", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "short runs and small sizes: a smoke test, not a measurement")
	only := fs.String("only", "", "run only the scenarios listed, e.g. 1,3")
	verbose := fs.Bool("v", false, "log weft's warnings to stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the scenarios (go tool pprof) to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: weft bench scenarios [--quick] [--only 1,2,...]")
		return 2
	}
	sizes := fullSizes
	if *quick {
		sizes = quickSizes
	}
	log := zap.NewNop()
	if *verbose {
		log, _ = newLogger("warn", "console")
	}
	b, err := startBench(ctx, log)
	if err != nil {
		fmt.Fprintf(stderr, "weft bench: start weft: %v\n", err)
		if b != nil {
			b.close()
		}
		return 1
	}
	defer b.close()
	b.sizes = sizes
	fmt.Fprintf(stderr, "weft bench: weft is running at %s (data in %s); %d CPUs\n", b.base, b.dir, runtime.NumCPU())

	scenarios := []struct {
		id  string
		run func(context.Context) error
	}{
		{"1", b.webhookScenario}, {"2", b.pureScenario}, {"3", b.waitScenario},
		{"4", b.crudScenario}, {"5", b.oneCoreScenario}, {"6", b.largeScenario},
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "weft bench: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "weft bench: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	failed := false
	for _, s := range scenarios {
		if *only != "" && !listed(*only, s.id) {
			continue
		}
		fmt.Fprintf(stderr, "weft bench: scenario %s…\n", s.id)
		if err := s.run(ctx); err != nil {
			fmt.Fprintf(stderr, "weft bench: scenario %s: %v\n", s.id, err)
			b.add(s.id, "failed", err.Error(), "")
			failed = true
		}
	}
	b.out.flush(stdout)
	if failed {
		return 1
	}
	return 0
}

func listed(list, id string) bool {
	for _, s := range bytes.Split([]byte(list), []byte(",")) {
		if string(bytes.TrimSpace(s)) == id {
			return true
		}
	}
	return false
}

// benchRun is weft started for the scenarios, and their results.
type benchRun struct {
	stack  *stack
	dir    string
	base   string
	token  string
	client *http.Client
	sizes  benchSizes
	out    *table
}

func (b *benchRun) add(scenario, metric, value, target string) {
	b.out.row(scenario, metric, value, target)
}

// startBench starts weft in-process as `weft serve` does, in a temporary
// data directory, on free ports, without the Temporal Web UI, and
// registers a user.
func startBench(ctx context.Context, log *zap.Logger) (*benchRun, error) {
	dir, err := os.MkdirTemp("", "weft-bench-")
	if err != nil {
		return nil, err
	}
	b := &benchRun{dir: dir, client: benchClient(256), out: newTable("scenario", "metric", "value", "target")}
	env := map[string]string{
		"WEFT_DATA_DIR": dir, "PORT": "0", "WEFT_TEMPORAL_PORT": "0",
		"RATE_LIMIT_REQUESTS": "60000000", "JWT_ACCESS_EXPIRY": "24h", "EXECUTIONS_DATA_PRUNE": "false",
	}
	cfg, err := loadConfig(func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		// Pool settings and the like may be tried from the environment.
		switch k {
		case "DB_MAX_OPEN_CONNS", "DB_MAX_IDLE_CONNS", "WEFT_TEMPORAL_SQLITE_SYNC", "GENERIC_TIMEZONE":
			return os.Getenv(k)
		}
		return ""
	})
	if err != nil {
		return b, err
	}
	cfg.TemporalUIPort = -1
	b.stack, err = start(ctx, cfg, log, roles{api: true, worker: true, embedded: true})
	if err != nil {
		return b, err
	}
	b.base = "http://" + displayAddr(b.stack.listener.Addr())
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	err = b.call(ctx, http.MethodPost, "/api/auth/register",
		map[string]any{"email": "bench@example.com", "password": "bench-password", "name": "Bench"}, &pair)
	if err != nil {
		return b, err
	}
	b.token = pair.AccessToken
	return b, nil
}

func (b *benchRun) close() {
	if b.stack != nil {
		b.stack.stop()
	}
	b.client.CloseIdleConnections()
	_ = os.RemoveAll(b.dir)
}

// request builds an authenticated API request.
func (b *benchRun) request(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	return req, nil
}

// call sends one API request and decodes its JSON answer into out; a
// non-2xx answer is an error.
func (b *benchRun) call(ctx context.Context, method, path string, body, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return err
		}
	}
	req, err := b.request(ctx, method, path, raw)
	if err != nil {
		return err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// createWorkflow saves a workflow and returns its id.
func (b *benchRun) createWorkflow(ctx context.Context, w benchWorkflow) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := b.call(ctx, http.MethodPost, "/api/workflows", w.body(), &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// execute runs a workflow manually and waits for it.
func (b *benchRun) execute(ctx context.Context, id string, wait bool) (*persistence.Execution, error) {
	path := "/api/workflows/" + id + "/execute"
	if wait {
		path += "?wait=true"
	}
	var e persistence.Execution
	if err := b.call(ctx, http.MethodPost, path, nil, &e); err != nil {
		return nil, err
	}
	if wait && e.Status != nodes.StatusSuccess {
		msg := ""
		if e.Error != nil {
			msg = ": " + *e.Error
		}
		return &e, fmt.Errorf("execution %s ended %s%s", e.ID, e.Status, msg)
	}
	return &e, nil
}

// benchWorkflow builds workflow definitions.
type benchWorkflow struct {
	name  string
	nodes []map[string]any
	conns map[string]map[string][][]map[string]any
}

func newBenchWorkflow(name string) *benchWorkflow {
	return &benchWorkflow{name: name, conns: map[string]map[string][][]map[string]any{}}
}

func (w *benchWorkflow) node(name, typ string, version float64, params map[string]any) *benchWorkflow {
	if params == nil {
		params = map[string]any{}
	}
	w.nodes = append(w.nodes, map[string]any{"id": fmt.Sprintf("n%d", len(w.nodes)), "name": name, "type": typ,
		"typeVersion": version, "position": []int{200 * len(w.nodes), 0}, "parameters": params})
	return w
}

// edge connects output out of from to input in of to.
func (w *benchWorkflow) edge(from string, out int, to string, in int) *benchWorkflow {
	if w.conns[from] == nil {
		w.conns[from] = map[string][][]map[string]any{"main": nil}
	}
	main := w.conns[from]["main"]
	for len(main) <= out {
		main = append(main, []map[string]any{})
	}
	main[out] = append(main[out], map[string]any{"node": to, "type": "main", "index": in})
	w.conns[from]["main"] = main
	return w
}

func (w benchWorkflow) body() map[string]any {
	return map[string]any{"name": w.name, "nodes": w.nodes, "connections": w.conns,
		"settings": map[string]any{"executionOrder": "v1"}}
}

// assignments is a Set node's (3.3+) parameters.
func assignments(keep bool, nameTypeValue ...string) map[string]any {
	var list []any
	for i := 0; i+2 < len(nameTypeValue); i += 3 {
		list = append(list, map[string]any{"id": strconv.Itoa(i), "name": nameTypeValue[i], "type": nameTypeValue[i+1], "value": nameTypeValue[i+2]})
	}
	return map[string]any{"assignments": map[string]any{"assignments": list}, "includeOtherFields": keep}
}

// numberRule is a filter condition: $json.n op right.
func numberRule(op string, right float64) map[string]any {
	return map[string]any{
		"options":    map[string]any{"caseSensitive": true, "typeValidation": "strict", "version": 2},
		"conditions": []any{map[string]any{"leftValue": "={{ $json.n }}", "rightValue": right, "operator": map[string]any{"type": "number", "operation": op}}},
		"combinator": "and",
	}
}

const (
	tManual  = "n8n-nodes-base.manualTrigger"
	tWebhook = "n8n-nodes-base.webhook"
	tRespond = "n8n-nodes-base.respondToWebhook"
	tSet     = "n8n-nodes-base.set"
	tIf      = "n8n-nodes-base.if"
	tSwitch  = "n8n-nodes-base.switch"
	tMerge   = "n8n-nodes-base.merge"
	tCode    = "n8n-nodes-base.code"
	tWait    = "n8n-nodes-base.wait"
	tNoOp    = "n8n-nodes-base.noOp"
)

// webhookLoad drives a webhook of an active workflow.
func (b *benchRun) webhookLoad(ctx context.Context, path string, clients int, d time.Duration) *loadResult {
	body := []byte(`{"name":"bench","n":42}`)
	return loadTest(ctx, load{Concurrency: clients, Duration: d, Next: func(int, int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, b.base+"/webhook/"+path, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}})
}

// countExecutions counts a workflow's executions by status.
func (b *benchRun) countExecutions(ctx context.Context, workflowID string) (map[string]int, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := b.stack.db.Gorm().WithContext(ctx).Table("executions").Select("status, count(*) AS n").
		Where("workflow_id = ?", workflowID).Group("status").Scan(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}

// settle waits until none of a workflow's executions is unfinished and
// returns their counts by status.
func (b *benchRun) settle(ctx context.Context, workflowID string, limit time.Duration) (map[string]int, error) {
	deadline := time.Now().Add(limit)
	for {
		n, err := b.countExecutions(ctx, workflowID)
		if err != nil {
			return nil, err
		}
		if n[nodes.StatusNew]+n[nodes.StatusRunning]+n[nodes.StatusWaiting] == 0 {
			return n, nil
		}
		if time.Now().After(deadline) {
			return n, fmt.Errorf("executions still unfinished after %s: %v", limit, n)
		}
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// webhookScenario is scenario 1: Webhook → Set → Respond to Webhook
// (responseNode) with 20 clients, then n8n's reference workflow, Webhook →
// Edit Fields (lastNode), with 20 clients and with one.
func (b *benchRun) webhookScenario(ctx context.Context) error {
	respond := newBenchWorkflow("bench respond").
		node("Webhook", tWebhook, 2, map[string]any{"httpMethod": "POST", "path": "bench-respond", "responseMode": "responseNode"}).
		node("Set", tSet, 3.4, assignments(false, "greeting", "string", "={{ 'hello ' + $json.body.name }}", "n", "number", "={{ $json.body.n }}")).
		node("Respond", tRespond, 1.1, map[string]any{"respondWith": "firstIncomingItem"}).
		edge("Webhook", 0, "Set", 0).edge("Set", 0, "Respond", 0)
	last := newBenchWorkflow("bench lastNode").
		node("Webhook", tWebhook, 2, map[string]any{"httpMethod": "POST", "path": "bench-last", "responseMode": "lastNode"}).
		node("Edit Fields", tSet, 3.4, assignments(false, "greeting", "string", "={{ 'hello ' + $json.body.name }}")).
		edge("Webhook", 0, "Edit Fields", 0)
	for _, w := range []*benchWorkflow{respond, last} {
		id, err := b.createWorkflow(ctx, *w)
		if err != nil {
			return err
		}
		if err := b.call(ctx, http.MethodPost, "/api/workflows/"+id+"/activate", nil, nil); err != nil {
			return err
		}
		w.name = id
	}
	// A few calls first: the first execution pays for cold caches.
	for _, p := range []string{"bench-respond", "bench-last"} {
		if r := b.webhookLoad(ctx, p, 1, 200*time.Millisecond); r.OK() == 0 {
			return fmt.Errorf("webhook %s: %s", p, r.FirstError)
		}
	}
	add := func(label string, r *loadResult, rateTarget, p99Target string) {
		b.add("1", label+": executions/s", fmt.Sprintf("%.1f", r.RPS()), rateTarget)
		if ok := r.OK(); ok > 0 && r.CPU > 0 {
			// Steadier than the rate on a shared machine: the work each
			// execution costs, whoever else uses the cores.
			b.add("1", label+": CPU per execution (whole process)", fmtDur(r.CPU/time.Duration(ok)), "")
		}
		b.add("1", label+": p50 / p90 / p99 / max", fmt.Sprintf("%s / %s / %s / %s",
			fmtDur(r.Percentile(50)), fmtDur(r.Percentile(90)), fmtDur(r.Percentile(99)), fmtDur(r.Percentile(100))), p99Target)
		errs := strconv.Itoa(r.NonOK + r.Transport)
		if r.FirstError != "" {
			errs += " (" + r.FirstError + ")"
		}
		b.add("1", label+": errors", errs, "0")
	}
	r := b.webhookLoad(ctx, "bench-respond", 20, b.sizes.Load)
	add("responseNode, 20 clients", r, "≥ 100/s", "p99 < 500 ms")
	r = b.webhookLoad(ctx, "bench-last", 20, b.sizes.Load)
	add("lastNode, 20 clients", r, "≥ 100/s", "p99 < 500 ms")
	single := b.singleCalls(ctx, "bench-respond")
	b.add("1", "responseNode, 1 client: p50 / p99", fmt.Sprintf("%s / %s", fmtDur(percentile(single, 50)), fmtDur(percentile(single, 99))), "p50 < 20 ms")
	single = b.singleCalls(ctx, "bench-last")
	b.add("1", "lastNode, 1 client: p50 / p99", fmt.Sprintf("%s / %s", fmtDur(percentile(single, 50)), fmtDur(percentile(single, 99))), "p50 < 20 ms")
	// Every answered call is a finished execution; check none was lost.
	for _, w := range []*benchWorkflow{respond, last} {
		n, err := b.settle(ctx, w.name, time.Minute)
		if err != nil {
			return err
		}
		if bad := sum(n) - n[nodes.StatusSuccess]; bad > 0 {
			return fmt.Errorf("workflow %s: %d executions did not succeed: %v", w.name, bad, n)
		}
	}
	return nil
}

func sum(m map[string]int) int {
	t := 0
	for _, v := range m {
		t += v
	}
	return t
}

// singleCalls calls a webhook SingleCalls times, one at a time, and
// returns the sorted latencies.
func (b *benchRun) singleCalls(ctx context.Context, path string) []time.Duration {
	var lat []time.Duration
	for range b.sizes.SingleCalls {
		r := b.webhookLoadOnce(ctx, path)
		lat = append(lat, r)
	}
	sortDurations(lat)
	return lat
}

func (b *benchRun) webhookLoadOnce(ctx context.Context, path string) time.Duration {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/webhook/"+path, bytes.NewReader([]byte(`{"name":"bench","n":42}`)))
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	resp, err := b.client.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	return time.Since(t0)
}

func sortDurations(d []time.Duration) { slices.Sort(d) }

// pureWorkflow is scenario 2's ten nodes: Set, If, Switch, Merge and Code
// after a manual trigger.
func pureWorkflow() *benchWorkflow {
	return newBenchWorkflow("bench pure").
		node("Start", tManual, 1, nil).
		node("Fields", tSet, 3.4, assignments(true, "n", "number", "15", "name", "string", "bench")).
		node("Big?", tIf, 2.2, map[string]any{"conditions": numberRule("gt", 10)}).
		node("Label", tSet, 3.4, assignments(true, "label", "string", "={{ $json.name.toUpperCase() }}")).
		node("Route", tSwitch, 3.2, map[string]any{"rules": map[string]any{"values": []any{
			map[string]any{"conditions": numberRule("gt", 10)}, map[string]any{"conditions": numberRule("lte", 10)}}}}).
		node("Double", tCode, 2, map[string]any{"jsCode": "return $input.all().map(i => ({json: {...i.json, n: i.json.n * 2}}));"}).
		node("Other", tSet, 3.4, assignments(true, "side", "string", "other")).
		node("Merge", tMerge, 3, map[string]any{"mode": "append"}).
		node("Total", tSet, 3.4, assignments(true, "total", "number", "={{ $json.n + 1 }}")).
		node("Count", tCode, 2, map[string]any{"jsCode": "return [{json: {count: $input.all().length}}];"}).
		edge("Start", 0, "Fields", 0).edge("Fields", 0, "Big?", 0).edge("Big?", 0, "Label", 0).
		edge("Label", 0, "Route", 0).edge("Route", 0, "Double", 0).edge("Double", 0, "Merge", 0).
		edge("Fields", 0, "Other", 0).edge("Other", 0, "Merge", 1).
		edge("Merge", 0, "Total", 0).edge("Total", 0, "Count", 0)
}

// pureScenario is scenario 2: the ten-node pure workflow executed
// manually through the API (?wait=true), one call at a time.
func (b *benchRun) pureScenario(ctx context.Context) error {
	id, err := b.createWorkflow(ctx, *pureWorkflow())
	if err != nil {
		return err
	}
	if _, err := b.execute(ctx, id, true); err != nil {
		return err
	}
	var lat []time.Duration
	for range b.sizes.SingleCalls {
		t0 := time.Now()
		if _, err := b.execute(ctx, id, true); err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
	}
	sortDurations(lat)
	b.add("2", "10 pure nodes, manual, end to end: p50 / p99", fmt.Sprintf("%s / %s", fmtDur(percentile(lat, 50)), fmtDur(percentile(lat, 99))), "p50 < 30 ms")
	return nil
}

// waitScenario is scenario 3: many executions at once, each waiting on a
// timer, then finishing.
func (b *benchRun) waitScenario(ctx context.Context) error {
	n, wait := b.sizes.Waiters, b.sizes.WaitSeconds
	w := newBenchWorkflow("bench wait").
		node("Start", tManual, 1, nil).
		node("Wait", tWait, 1.1, map[string]any{"resume": "timeInterval", "amount": wait, "unit": "seconds"}).
		node("After", tNoOp, 1, nil).
		edge("Start", 0, "Wait", 0).edge("Wait", 0, "After", 0)
	id, err := b.createWorkflow(ctx, *w)
	if err != nil {
		return err
	}
	runtime.GC()
	rss := trackRSS()
	t0 := time.Now()
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if _, err := b.execute(ctx, id, false); err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	started := time.Since(t0)
	if firstErr != nil {
		rss.Stop()
		return firstErr
	}
	counts, err := b.settle(ctx, id, time.Duration(wait)*time.Second+5*time.Minute)
	done := time.Since(t0)
	peak := rss.Stop()
	if err != nil {
		return err
	}
	if counts[nodes.StatusSuccess] != n {
		return fmt.Errorf("%d of %d executions succeeded: %v", counts[nodes.StatusSuccess], n, counts)
	}
	// How late each finished after its timer was due.
	var late time.Duration
	var rows []persistence.Execution
	if err := b.stack.db.Gorm().WithContext(ctx).Where("workflow_id = ?", id).Find(&rows).Error; err != nil {
		return err
	}
	for _, e := range rows {
		if e.FinishedAt != nil {
			late = max(late, e.FinishedAt.Sub(e.StartedAt)-time.Duration(wait)*time.Second)
		}
	}
	label := fmt.Sprintf("%d executions waiting %d s", n, wait)
	b.add("3", label+": all started after", fmtDur(started), "")
	b.add("3", label+": all done after", fmtDur(done), fmt.Sprintf("≤ %d s", wait+20))
	b.add("3", label+": latest finish after its timer", fmtDur(late), "≤ 20 s")
	b.add("3", label+": peak RSS (whole process)", fmtBytes(peak), "< 1 GiB")
	return nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// crudScenario is scenario 4: many clients listing and getting workflows.
func (b *benchRun) crudScenario(ctx context.Context) error {
	var ids []string
	for i := range b.sizes.CRUDRows {
		w := pureWorkflow()
		w.name = fmt.Sprintf("bench crud %d", i)
		id, err := b.createWorkflow(ctx, *w)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	clients := b.sizes.CRUDClients
	list := loadTest(ctx, load{Concurrency: clients, Duration: b.sizes.Load, Next: func(int, int) (*http.Request, error) {
		return b.request(context.Background(), http.MethodGet, "/api/workflows?limit=20", nil)
	}})
	get := loadTest(ctx, load{Concurrency: clients, Duration: b.sizes.Load, Next: func(c, n int) (*http.Request, error) {
		return b.request(context.Background(), http.MethodGet, "/api/workflows/"+ids[(c+n)%len(ids)], nil)
	}})
	for _, r := range []struct {
		label string
		res   *loadResult
	}{{"list 20 workflows", list}, {"get one workflow", get}} {
		label := fmt.Sprintf("%s, %d clients", r.label, clients)
		// CPU time of the whole process (weft, the embedded Temporal
		// server and the load generator) per answered request.
		cpu := r.res.CPU / time.Duration(max(r.res.Requests, 1))
		b.add("4", label+": requests/s", fmt.Sprintf("%.0f", r.res.RPS()), "")
		b.add("4", label+": p50 / p99", fmt.Sprintf("%s / %s", fmtDur(r.res.Percentile(50)), fmtDur(r.res.Percentile(99))), "p99 < 20 ms")
		b.add("4", label+": CPU per request (whole process)", fmt.Sprintf("%.0f µs", float64(cpu)/float64(time.Microsecond)), "")
		if e := r.res.NonOK + r.res.Transport; e > 0 {
			return fmt.Errorf("%s: %d errors (%s)", r.label, e, r.res.FirstError)
		}
	}
	return nil
}

// memRuns is a RunReader over runs in memory.
type memRuns map[string][]*nodes.NodeRun

func (m memRuns) Runs(node string) ([]*nodes.NodeRun, error) { return m[node], nil }

// oneCoreScenario is scenario 5: expressions and the Code node, in this
// process, on one core (GOMAXPROCS=1 while it runs).
func (b *benchRun) oneCoreScenario(ctx context.Context) error {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)

	items := func(n int) []nodes.Item {
		out := make([]nodes.Item, n)
		for i := range out {
			out[i] = nodes.NewItem(map[string]any{"id": float64(i), "name": "item " + strconv.Itoa(i)})
		}
		return out
	}
	w := newBenchWorkflow("one core").node("Start", tManual, 1, nil).
		node("Code", tCode, 2, map[string]any{"jsCode": "return $input.all().map(i => ({json: {id: i.json.id * 2, name: i.json.name}}));"}).
		edge("Start", 0, "Code", 0)
	raw, _ := json.Marshal(w.body())
	def, err := nodes.ParseWorkflow(raw)
	if err != nil {
		return err
	}
	in := items(b.sizes.CodeItems)
	runs := memRuns{"Start": {{ExecutionStatus: nodes.StatusSuccess, Source: []*nodes.SourceRef{},
		Data: map[string][][]nodes.Item{nodes.ConnectionMain: {in}}}}}
	engine := expr.New(expr.Options{})
	nctx := &nodes.Context{Context: ctx, Workflow: def, Node: def.Node("Code"), Inputs: [][]nodes.Item{in},
		Source: []*nodes.SourceRef{{PreviousNode: "Start"}}, Runs: runs, Expr: engine,
		Now: time.Now, Location: time.UTC}

	// Expressions through the data proxy, as a node evaluates them.
	count := 0
	t0 := time.Now()
	for time.Since(t0) < b.sizes.OneCore {
		for range 1000 {
			if _, err := nctx.Evaluate("={{ $json.id + 1 }}", count%len(in)); err != nil {
				return err
			}
			count++
		}
	}
	rate := float64(count) / time.Since(t0).Seconds()
	b.add("5", "expression {{ $json.id + 1 }} per item, 1 core", fmt.Sprintf("%.0f/s", rate), "≥ 300,000/s")

	// The engine alone, on a plain environment.
	env := expr.Env{"$json": map[string]any{"a": 1.0}}
	count = 0
	t0 = time.Now()
	for time.Since(t0) < b.sizes.OneCore {
		for range 1000 {
			if _, err := engine.Resolve("={{ $json.a + 1 }}", env); err != nil {
				return err
			}
			count++
		}
	}
	b.add("5", "expression engine alone, 1 core", fmt.Sprintf("%.0f/s", float64(count)/time.Since(t0).Seconds()), "")

	code := nodes.Lookup(tCode)
	if code == nil {
		return errors.New("the Code node is not registered")
	}
	count = 0
	t0 = time.Now()
	for count == 0 || time.Since(t0) < b.sizes.OneCore {
		out, err := code.Node.Execute(nctx, nctx.Inputs)
		if err != nil {
			return err
		}
		if len(out) == 0 || len(out[0]) != len(in) {
			return fmt.Errorf("the Code node returned %d outputs", len(out))
		}
		count += len(in)
	}
	b.add("5", fmt.Sprintf("Code node over %d items, 1 core", len(in)), fmt.Sprintf("%.0f items/s", float64(count)/time.Since(t0).Seconds()), "")
	return nil
}

// largeScenario is scenario 6: large items through three nodes.
func (b *benchRun) largeScenario(ctx context.Context) error {
	n, size := b.sizes.LargeItems, b.sizes.LargeItemLen
	w := newBenchWorkflow("bench large").
		node("Start", tManual, 1, nil).
		node("Generate", tCode, 2, map[string]any{"jsCode": fmt.Sprintf(
			"const pad = 'x'.repeat(%d); const out = []; for (let i = 0; i < %d; i++) out.push({json: {i, pad}}); return out;", size, n)}).
		node("Tag", tSet, 3.4, assignments(true, "tag", "string", "={{ 'item ' + $json.i }}")).
		node("Count", tCode, 2, map[string]any{"jsCode": "return [{json: {count: $input.all().length}}];"}).
		edge("Start", 0, "Generate", 0).edge("Generate", 0, "Tag", 0).edge("Tag", 0, "Count", 0)
	id, err := b.createWorkflow(ctx, *w)
	if err != nil {
		return err
	}
	runtime.GC()
	rss := trackRSS()
	var lat []time.Duration
	for range 3 {
		t0 := time.Now()
		if _, err := b.execute(ctx, id, true); err != nil {
			rss.Stop()
			return err
		}
		lat = append(lat, time.Since(t0))
	}
	peak := rss.Stop()
	sortDurations(lat)
	mb := float64(n*size) / 1e6
	b.add("6", fmt.Sprintf("%.0f MB of items (%d) through 3 nodes: median of 3", mb, n), fmtDur(lat[1]), "")
	b.add("6", "peak RSS (whole process)", fmtBytes(peak), "")
	return nil
}
