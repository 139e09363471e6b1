package devserver_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/weft/weft/temporal/devserver"
)

const taskQueue = "devserver-test"

// The search attributes weft registers.
var (
	attrWorkflowID   = temporal.NewSearchAttributeKeyKeyword("WeftWorkflowId")
	attrWorkflowName = temporal.NewSearchAttributeKeyString("WeftWorkflowName")
	attrTriggerMode  = temporal.NewSearchAttributeKeyKeyword("WeftTriggerMode")

	weftAttributes = map[string]enums.IndexedValueType{
		"WeftWorkflowId":   enums.INDEXED_VALUE_TYPE_KEYWORD,
		"WeftWorkflowName": enums.INDEXED_VALUE_TYPE_TEXT,
		"WeftTriggerMode":  enums.INDEXED_VALUE_TYPE_KEYWORD,
	}
)

func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, greetActivity, name).Get(ctx, &out)
	return out, err
}

func greetActivity(_ context.Context, name string) (string, error) {
	return "hello " + name, nil
}

func sleepWorkflow(ctx workflow.Context, d time.Duration) (string, error) {
	if err := workflow.Sleep(ctx, d); err != nil {
		return "", err
	}
	return "woke", nil
}

// respondWorkflow waits for one "respond" update, which answers after sleeping
// d, the way weft's Respond to Webhook answers a waiting request.
func respondWorkflow(ctx workflow.Context) error {
	done := false
	err := workflow.SetUpdateHandler(ctx, "respond", func(ctx workflow.Context, d time.Duration) (string, error) {
		if err := workflow.Sleep(ctx, d); err != nil {
			return "", err
		}
		done = true
		return "responded", nil
	})
	if err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return done })
}

// start starts a server and stops it when the test ends.
func start(t *testing.T, opts devserver.Options) *devserver.Server {
	t.Helper()
	began := time.Now()
	s, err := devserver.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("server up on %s in %v", s.FrontendHostPort(), time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() {
		began := time.Now()
		if err := s.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		t.Logf("server stopped in %v", time.Since(began).Round(time.Millisecond))
	})
	return s
}

// dial connects a client and runs a worker with the test workflows until the
// test ends or stop is called.
func dial(t *testing.T, hostPort, namespace string) (c client.Client, stop func()) {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  hostPort,
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", hostPort, err)
	}
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterWorkflow(sleepWorkflow)
	w.RegisterWorkflow(respondWorkflow)
	w.RegisterActivity(greetActivity)
	if err := w.Start(); err != nil {
		c.Close()
		t.Fatalf("worker: %v", err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			w.Stop()
			c.Close()
		}
	}
	t.Cleanup(stop)
	return c, stop
}

// eventually calls try until it returns nil, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, try func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := try()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestWorkflowActivityAndSearchAttributes(t *testing.T) {
	s := start(t, devserver.Options{DataDir: t.TempDir(), UIPort: -1, SearchAttributes: weftAttributes})
	if s.Namespace() != "default" || s.UIAddress() != "" {
		t.Fatalf("namespace %q, UI %q", s.Namespace(), s.UIAddress())
	}
	c, _ := dial(t, s.FrontendHostPort(), s.Namespace())
	ctx := t.Context()

	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: s.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range weftAttributes {
		if got := list.GetCustomAttributes()[name]; got != typ {
			t.Errorf("search attribute %s: got %v, want %v", name, got, typ)
		}
	}

	began := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "weft-exec-1",
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			attrWorkflowID.ValueSet("wf-42"),
			attrWorkflowName.ValueSet("Nightly report"),
			attrTriggerMode.ValueSet("manual"),
		),
	}, greetWorkflow, "weft")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatal(err)
	}
	t.Logf("workflow with one activity took %v", time.Since(began).Round(time.Millisecond))
	if out != "hello weft" {
		t.Fatalf("result %q", out)
	}

	query := `WeftWorkflowId = 'wf-42' AND WeftTriggerMode = 'manual'`
	eventually(t, 10*time.Second, func() error {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: s.Namespace(), Query: query})
		if err != nil {
			return err
		}
		if n := len(resp.GetExecutions()); n != 1 {
			return fmt.Errorf("%q found %d executions", query, n)
		}
		if id := resp.GetExecutions()[0].GetExecution().GetWorkflowId(); id != "weft-exec-1" {
			return fmt.Errorf("found %q", id)
		}
		return nil
	})
}

// TestDatabaseInWALMode checks the file is in WAL mode, which the
// server's throughput depends on (see prepareDatabase).
func TestDatabaseInWALMode(t *testing.T) {
	dir := t.TempDir()
	s := start(t, devserver.Options{DataDir: dir, UIPort: -1, SQLiteSync: devserver.SyncNormal})
	c, _ := dial(t, s.FrontendHostPort(), s.Namespace())
	if _, err := c.WorkflowService().DescribeNamespace(t.Context(), &workflowservice.DescribeNamespaceRequest{Namespace: s.Namespace()}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, devserver.DBFileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestExtraNamespaces(t *testing.T) {
	s := start(t, devserver.Options{UIPort: -1, Namespace: "weft", ExtraNamespaces: []string{"other"}, SearchAttributes: weftAttributes})
	for _, ns := range []string{"weft", "other"} {
		began := time.Now()
		c, _ := dial(t, s.FrontendHostPort(), ns)
		run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{TaskQueue: taskQueue}, greetWorkflow, ns)
		if err != nil {
			t.Fatalf("%s: %v", ns, err)
		}
		var out string
		if err := run.Get(t.Context(), &out); err != nil || out != "hello "+ns {
			t.Fatalf("%s: %q, %v", ns, out, err)
		}
		t.Logf("%s: worker and workflow in %v", ns, time.Since(began).Round(time.Millisecond))
	}
}

// TestWaitsLongerThanLongPoll checks that clients waiting for a result or an
// update longer than the server's 2 s history long poll simply poll again.
func TestWaitsLongerThanLongPoll(t *testing.T) {
	s := start(t, devserver.Options{UIPort: -1})
	c, _ := dial(t, s.FrontendHostPort(), s.Namespace())
	ctx := t.Context()

	sleeper, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue}, sleepWorkflow, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	responder, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue}, respondWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	updated := make(chan error, 1)
	go func() {
		handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   responder.GetID(),
			UpdateName:   "respond",
			Args:         []any{3 * time.Second},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			updated <- err
			return
		}
		var out string
		if err := handle.Get(ctx, &out); err != nil || out != "responded" {
			updated <- fmt.Errorf("update result %q, %v", out, err)
			return
		}
		updated <- responder.Get(ctx, nil)
	}()

	waitResult(t, c, sleeper.GetID(), "woke")
	if err := <-updated; err != nil {
		t.Fatal(err)
	}
}

// waitForTimer waits until the workflow has recorded its timer, so that only the
// server's persisted state can fire it.
func waitForTimer(t *testing.T, c client.Client, id string) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		it := c.GetWorkflowHistory(t.Context(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return err
			}
			if ev.GetEventType() == enums.EVENT_TYPE_TIMER_STARTED {
				return nil
			}
		}
		return fmt.Errorf("no timer started in %s", id)
	})
}

// startSleeper starts sleepWorkflow and waits until its timer is recorded.
func startSleeper(t *testing.T, c client.Client, id string, d time.Duration) {
	t.Helper()
	_, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, sleepWorkflow, d)
	if err != nil {
		t.Fatal(err)
	}
	waitForTimer(t, c, id)
}

// waitResult waits for workflow id's result and compares it with want.
func waitResult(t *testing.T, c client.Client, id, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out string
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, &out); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if out != want {
		t.Fatalf("%s: result %q, want %q", id, out, want)
	}
}

func TestRestartKeepsTimers(t *testing.T) {
	dir := t.TempDir()
	s1, err := devserver.Start(t.Context(), devserver.Options{DataDir: dir, UIPort: -1, SearchAttributes: weftAttributes})
	if err != nil {
		t.Fatal(err)
	}
	c1, stopWorker := dial(t, s1.FrontendHostPort(), s1.Namespace())
	startSleeper(t, c1, "sleeper", 3*time.Second)
	stopWorker()
	if err := s1.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s1.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Same directory and port, one more search attribute than before.
	_, port, _ := strings.Cut(s1.FrontendHostPort(), ":")
	frontendPort, _ := strconv.Atoi(port)
	attrs := map[string]enums.IndexedValueType{"WeftExtra": enums.INDEXED_VALUE_TYPE_INT}
	for k, v := range weftAttributes {
		attrs[k] = v
	}
	s2 := start(t, devserver.Options{DataDir: dir, FrontendPort: frontendPort, UIPort: -1, SearchAttributes: attrs})
	c2, _ := dial(t, s2.FrontendHostPort(), s2.Namespace())
	waitResult(t, c2, "sleeper", "woke")

	// The attribute added on restart is usable as soon as Start returns.
	_, err = c2.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		TaskQueue:             taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(temporal.NewSearchAttributeKeyInt64("WeftExtra").ValueSet(7)),
	}, greetWorkflow, "extra")
	if err != nil {
		t.Fatalf("start with the new search attribute: %v", err)
	}

	list, err := c2.OperatorService().ListSearchAttributes(t.Context(), &operatorservice.ListSearchAttributesRequest{Namespace: s2.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range attrs {
		if got := list.GetCustomAttributes()[name]; got != typ {
			t.Errorf("search attribute %s: got %v, want %v", name, got, typ)
		}
	}
}

// TestKillKeepsTimers runs the first server in a child process and kills it
// with SIGKILL while workflows wait on timers, as weft's durability test does
// with the whole binary.
func TestKillKeepsTimers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestChildServer$")
	cmd.Env = append(os.Environ(), "DEVSERVER_CHILD_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	hostPort := ""
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if hp, ok := strings.CutPrefix(lines.Text(), "FRONTEND "); ok {
			hostPort = hp
			break
		}
	}
	if hostPort == "" {
		t.Fatalf("child server did not start: %v", lines.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	c1, stopWorker := dial(t, hostPort, "default")
	const n = 20
	for i := range n {
		id := fmt.Sprintf("sleeper-%d", i)
		_, err := c1.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, sleepWorkflow, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		waitForTimer(t, c1, fmt.Sprintf("sleeper-%d", i))
	}
	stopWorker()
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); err == nil {
		for line := range strings.Lines(string(status)) {
			if strings.HasPrefix(line, "VmRSS:") {
				t.Logf("child server memory: %s", strings.Join(strings.Fields(line)[1:], " "))
			}
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	s := start(t, devserver.Options{DataDir: dir, UIPort: -1, SearchAttributes: weftAttributes})
	c2, _ := dial(t, s.FrontendHostPort(), s.Namespace())
	for i := range n {
		waitResult(t, c2, fmt.Sprintf("sleeper-%d", i), "woke")
	}
}

// TestChildServer is the child process of TestKillKeepsTimers.
func TestChildServer(t *testing.T) {
	dir := os.Getenv("DEVSERVER_CHILD_DIR")
	if dir == "" {
		t.Skip("only runs as TestKillKeepsTimers' child process")
	}
	s, err := devserver.Start(t.Context(), devserver.Options{DataDir: dir, UIPort: -1, SearchAttributes: weftAttributes})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("FRONTEND " + s.FrontendHostPort())
	select {} // until killed
}

func TestUI(t *testing.T) {
	s := start(t, devserver.Options{})
	if !strings.HasPrefix(s.UIAddress(), "http://127.0.0.1:") {
		t.Fatalf("UI address %q", s.UIAddress())
	}
	resp, err := http.Get(s.UIAddress() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
		t.Fatalf("GET /: %d, %.200q", resp.StatusCode, body)
	}

	// The UI's API proxies to the frontend.
	resp, err = http.Get(s.UIAddress() + "/api/v1/namespaces/default")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"default"`) {
		t.Fatalf("GET namespace through the UI: %d, %.200q", resp.StatusCode, body)
	}
}

func TestStartErrors(t *testing.T) {
	notTemporal := t.TempDir()
	if err := os.WriteFile(filepath.Join(notTemporal, devserver.DBFileName), []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy := start(t, devserver.Options{UIPort: -1})
	_, busyPort, _ := strings.Cut(busy.FrontendHostPort(), ":")
	port, _ := strconv.Atoi(busyPort)

	for name, opts := range map[string]devserver.Options{
		"busy frontend port": {FrontendPort: port, UIPort: -1},
		"busy UI port":       {UIPort: port},
		"not a database":     {DataDir: notTemporal, UIPort: -1},
		"repeated namespace": {ExtraNamespaces: []string{"default"}},
		"unknown sync":       {UIPort: -1, SQLiteSync: "off"},
		"too many Text":      {UIPort: -1, SearchAttributes: map[string]enums.IndexedValueType{"A": enums.INDEXED_VALUE_TYPE_TEXT, "B": enums.INDEXED_VALUE_TYPE_TEXT, "C": enums.INDEXED_VALUE_TYPE_TEXT, "D": enums.INDEXED_VALUE_TYPE_TEXT}},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := devserver.Start(t.Context(), opts)
			if err == nil {
				_ = s.Stop()
				t.Fatal("Start succeeded")
			}
			t.Log(err)
		})
	}
}

// BenchmarkWorkflowWithActivity measures one workflow that runs one regular
// activity, start to result, on a file database.
func BenchmarkWorkflowWithActivity(b *testing.B) {
	s, err := devserver.Start(b.Context(), devserver.Options{DataDir: b.TempDir(), UIPort: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Stop() }()
	c, err := client.Dial(client.Options{
		HostPort: s.FrontendHostPort(),
		Logger:   sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterActivity(greetActivity)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	b.ResetTimer()
	for b.Loop() {
		run, err := c.ExecuteWorkflow(b.Context(), client.StartWorkflowOptions{TaskQueue: taskQueue}, greetWorkflow, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Get(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVisibilityInItsOwnFile checks a new data directory keeps visibility
// records in VisibilityFileName, and that a directory from before the split,
// with its records in DBFileName, still lists its executions after restart.
func TestVisibilityInItsOwnFile(t *testing.T) {
	dir := t.TempDir()
	s1, err := devserver.Start(t.Context(), devserver.Options{DataDir: dir, UIPort: -1, SearchAttributes: weftAttributes})
	if err != nil {
		t.Fatal(err)
	}
	c1, stopWorker := dial(t, s1.FrontendHostPort(), s1.Namespace())
	run, err := c1.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: "before-split", TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(attrWorkflowID.ValueSet("wf-old")),
	}, greetWorkflow, "old")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	listed(t, c1, s1.Namespace(), "WeftWorkflowId = 'wf-old'", "before-split")
	stopWorker()
	if err := s1.Stop(); err != nil {
		t.Fatal(err)
	}

	main, vis := filepath.Join(dir, devserver.DBFileName), filepath.Join(dir, devserver.VisibilityFileName)
	if n := countVisibility(t, main); n != 0 {
		t.Fatalf("%d visibility records in %s, want them all in %s", n, devserver.DBFileName, devserver.VisibilityFileName)
	}
	// Make the directory look like one from before the split: the records
	// in the main file, no visibility file.
	db, err := sql.Open("sqlite", "file:"+main+"?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		"ATTACH DATABASE 'file:" + vis + "?mode=ro' AS vis",
		"INSERT INTO executions_visibility (namespace_id, run_id, start_time, execution_time, workflow_id, workflow_type_name, status, close_time, history_length, history_size_bytes, execution_duration, state_transition_count, memo, encoding, task_queue, search_attributes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, _version) " +
			"SELECT namespace_id, run_id, start_time, execution_time, workflow_id, workflow_type_name, status, close_time, history_length, history_size_bytes, execution_duration, state_transition_count, memo, encoding, task_queue, search_attributes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, _version FROM vis.executions_visibility",
		"DETACH DATABASE vis",
	} {
		if _, err := db.Exec(q); err != nil {
			_ = db.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(vis + suffix); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if n := countVisibility(t, main); n == 0 {
		t.Fatal("no records moved back")
	}

	s2 := start(t, devserver.Options{DataDir: dir, UIPort: -1, SearchAttributes: weftAttributes})
	c2, _ := dial(t, s2.FrontendHostPort(), s2.Namespace())
	listed(t, c2, s2.Namespace(), "WeftWorkflowId = 'wf-old'", "before-split")
	if left, _ := filepath.Glob(vis + ".new-*"); len(left) > 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	// New records go to the new file.
	run, err = c2.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: "after-split", TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(attrWorkflowID.ValueSet("wf-new")),
	}, greetWorkflow, "new")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	listed(t, c2, s2.Namespace(), "WeftWorkflowId = 'wf-new'", "after-split")
}

// listed waits until query lists exactly the workflow id.
func listed(t *testing.T, c client.Client, namespace, query, id string) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		resp, err := c.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, Query: query})
		if err != nil {
			return err
		}
		if n := len(resp.GetExecutions()); n != 1 {
			return fmt.Errorf("%q found %d executions", query, n)
		}
		if got := resp.GetExecutions()[0].GetExecution().GetWorkflowId(); got != id {
			return fmt.Errorf("found %q, want %q", got, id)
		}
		if resp.GetExecutions()[0].GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			return fmt.Errorf("status %v", resp.GetExecutions()[0].GetStatus())
		}
		return nil
	})
}

func countVisibility(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM executions_visibility").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestVisibilityIndexesTrimmed checks the visibility file keeps the indexes
// the Web UI filters on and those of the search attributes in use, drops
// the rest, gets a dropped index of a search attribute in use back at the
// next start, and that list queries still find executions.
func TestVisibilityIndexesTrimmed(t *testing.T) {
	dir := t.TempDir()
	vis := filepath.Join(dir, devserver.VisibilityFileName)
	s1, err := devserver.Start(t.Context(), devserver.Options{DataDir: dir, UIPort: -1, SearchAttributes: weftAttributes})
	if err != nil {
		t.Fatal(err)
	}
	idx := visibilityIndexes(t, vis)
	for _, name := range []string{"default_idx", "by_workflow_id", "by_workflow_type", "by_status", "by_temporal_namespace_division"} {
		if !idx[name] {
			t.Errorf("index %s was dropped; have %v", name, idx)
		}
	}
	for _, name := range []string{"by_history_length", "by_task_queue", "by_bool_01", "by_int_03", "by_temporal_keyword_01"} {
		if idx[name] {
			t.Errorf("index %s was kept", name)
		}
	}
	// Two Keyword attributes: two keyword indexes, whichever slots they got.
	var keyword []string
	for name := range idx {
		if strings.HasPrefix(name, "by_keyword_") {
			keyword = append(keyword, name)
		}
	}
	if len(keyword) != 2 {
		t.Fatalf("keyword indexes %v, want the 2 of WeftWorkflowId and WeftTriggerMode", keyword)
	}
	if err := s1.Stop(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite", "file:"+vis+"?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DROP INDEX " + keyword[0]); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := start(t, devserver.Options{DataDir: dir, UIPort: -1, SearchAttributes: weftAttributes})
	if !visibilityIndexes(t, vis)[keyword[0]] {
		t.Fatalf("index %s of a search attribute in use was not created again", keyword[0])
	}
	c, _ := dial(t, s2.FrontendHostPort(), s2.Namespace())
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: "trimmed", TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(attrWorkflowID.ValueSet("wf-trim")),
	}, greetWorkflow, "trim")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	listed(t, c, s2.Namespace(), "WeftWorkflowId = 'wf-trim'", "trimmed")
	// A filter whose index was dropped still answers.
	listed(t, c, s2.Namespace(), "TaskQueue = '"+taskQueue+"' AND HistoryLength > 2", "trimmed")
}

func visibilityIndexes(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility' AND sql IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out[name] = true
	}
	return out
}
