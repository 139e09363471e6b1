package temporal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/local"
)

// engine is the in-process server and worker every test in this package
// shares.
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

func loadWorkflow(t testing.TB, name string) *nodes.Workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "workflows", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := nodes.ParseWorkflow(b)
	if err != nil {
		t.Fatal(err)
	}
	// The loop fixtures loop through a test node, which validation
	// refuses: only Loop Over Items may close a cycle.
	if name != "loop" && name != "retry-loop" {
		if err := nodes.ValidateWorkflow(w); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func execute(t *testing.T, name string) *local.Execution {
	t.Helper()
	x, err := engine.Execute(testContext(t), loadWorkflow(t, name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// outputs returns the json of a run's outputs as compact JSON text.
func outputs(t *testing.T, x *local.Execution, node string, run int) string {
	t.Helper()
	runs := x.RunData[node]
	if run >= len(runs) {
		t.Fatalf("%s has %d runs, want run %d", node, len(runs), run)
	}
	var out [][]map[string]any
	for _, o := range runs[run].Main() {
		js := []map[string]any{}
		for _, it := range o {
			js = append(js, it.JSON)
		}
		out = append(out, js)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantOrder(t *testing.T, x *local.Execution, want ...string) {
	t.Helper()
	if got := x.Order(); !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func wantStatus(t *testing.T, x *local.Execution, want string) {
	t.Helper()
	if x.Result.Status != want {
		t.Fatalf("status %s (error %+v), want %s", x.Result.Status, x.Result.Error, want)
	}
}

func TestBranching(t *testing.T) {
	x := execute(t, "branching")
	wantStatus(t, x, nodes.StatusSuccess)
	wantOrder(t, x, "Start", "Data", "Branch", "Yes", "No")
	if got := outputs(t, x, "Yes", 0); got != `[[{"flag":true,"n":1},{"flag":true,"n":3}]]` {
		t.Fatalf("Yes output %s", got)
	}
	if got := outputs(t, x, "No", 0); got != `[[{"flag":false,"n":2}]]` {
		t.Fatalf("No output %s", got)
	}
	if x.Result.LastNodeExecuted != "No" {
		t.Fatalf("last node %q", x.Result.LastNodeExecuted)
	}
	src := x.RunData["No"][0].Source
	if len(src) != 1 || src[0].PreviousNode != "Branch" || src[0].PreviousNodeOutput != 1 {
		t.Fatalf("No source %+v", src)
	}
}

func TestMerge(t *testing.T) {
	x := execute(t, "merge")
	wantStatus(t, x, nodes.StatusSuccess)
	wantOrder(t, x, "Start", "High", "HighMore", "Low", "Append", "End")
	if got := outputs(t, x, "End", 0); got != `[[{"side":"high"},{"side":"high2"},{"side":"low"}]]` {
		t.Fatalf("End output %s", got)
	}
}

func TestLoop(t *testing.T) {
	x := execute(t, "loop")
	wantStatus(t, x, nodes.StatusSuccess)
	wantOrder(t, x, "Start", "Data", "Loop", "Body", "Loop", "Body", "Loop", "Body", "Loop", "Done")
	if got := outputs(t, x, "Body", 2); got != `[[{"i":4,"pad":"x"}]]` {
		t.Fatalf("last batch %s", got)
	}
	if got := outputs(t, x, "Done", 0); got != `[[{"i":0,"pad":"x"},{"i":1,"pad":"x"},{"i":2,"pad":"x"},{"i":3,"pad":"x"},{"i":4,"pad":"x"}]]` {
		t.Fatalf("Done output %s", got)
	}
	if src := x.RunData["Loop"][1].Source; src[0].PreviousNode != "Body" || src[0].PreviousNodeRun != 0 {
		t.Fatalf("second Loop run source %+v", src[0])
	}
}

func TestStopOnError(t *testing.T) {
	x := execute(t, "error")
	wantStatus(t, x, nodes.StatusError)
	wantOrder(t, x, "Start", "Data", "Boom")
	if x.Result.Error == nil || x.Result.Error.Message != "boom" || x.Result.Error.Node != "Boom" {
		t.Fatalf("error %+v", x.Result.Error)
	}
	if x.Result.LastNodeExecuted != "Boom" {
		t.Fatalf("last node %q", x.Result.LastNodeExecuted)
	}
	run := x.RunData["Boom"][0]
	if run.ExecutionStatus != nodes.StatusError || run.Error == nil || run.Error.Message != "boom" || run.Error.Timestamp == 0 {
		t.Fatalf("Boom run %+v", run)
	}
	recs := engine.Recorder.Records(x.ID)
	if len(recs) != 2 || recs[0].Status != nodes.StatusRunning || recs[1].Status != nodes.StatusError || recs[1].Error.Message != "boom" {
		t.Fatalf("records %+v", recs)
	}
}

func TestRetries(t *testing.T) {
	t.Run("succeeds on the third try", func(t *testing.T) {
		x := execute(t, "retry")
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "Flaky", "After")
		if n := flakyAttempts(x.ID, "Flaky", 0); n != 3 {
			t.Fatalf("%d attempts, want 3", n)
		}
		if !historyHas(t, x.ID, enums.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
			t.Fatal("Flaky did not run as a regular activity")
		}
	})
	t.Run("a pure node retries as a local activity", func(t *testing.T) {
		x := execute(t, "retry-local")
		wantStatus(t, x, nodes.StatusSuccess)
		if n := flakyAttempts(x.ID, "Flaky", 0); n != 3 {
			t.Fatalf("%d attempts, want 3", n)
		}
		if historyHas(t, x.ID, enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
			t.Fatal("a pure node ran as a regular activity")
		}
	})
	t.Run("fails after maxTries", func(t *testing.T) {
		x := execute(t, "retry-exhausted")
		wantStatus(t, x, nodes.StatusError)
		wantOrder(t, x, "Start", "Flaky")
		if n := flakyAttempts(x.ID, "Flaky", 0); n != 2 {
			t.Fatalf("%d attempts, want 2", n)
		}
		if msg := x.RunData["Flaky"][0].Error.Message; msg != "flaky failure 2" {
			t.Fatalf("error %q", msg)
		}
	})
}

func TestContinueOnFail(t *testing.T) {
	x := execute(t, "continue")
	wantStatus(t, x, nodes.StatusSuccess)
	// As n8n's engine does, a node that throws under a continue setting
	// records a failed run and passes its input 0 through on output 0
	// (continueErrorOutput's error output only takes error items).
	wantOrder(t, x, "Start", "Data", "Regular", "AfterRegular", "ErrOut", "Ok")
	if got := outputs(t, x, "AfterRegular", 0); got != `[[{"n":1}]]` {
		t.Fatalf("AfterRegular output %s", got)
	}
	if got := outputs(t, x, "ErrOut", 0); got != `[[{"n":1}],[]]` {
		t.Fatalf("ErrOut output %s", got)
	}
	for _, node := range []string{"Regular", "ErrOut"} {
		run := x.RunData[node][0]
		if run.ExecutionStatus != nodes.StatusError || run.Error == nil {
			t.Fatalf("%s run: status %s, error %v; want a recorded failure", node, run.ExecutionStatus, run.Error)
		}
	}
}

func TestWait(t *testing.T) {
	x := execute(t, "wait")
	wantStatus(t, x, nodes.StatusSuccess)
	wantOrder(t, x, "Start", "Wait", "After")
	timer := timerStarted(t, x.ID)
	if timer != 2*time.Second {
		t.Fatalf("timer %v, want 2s", timer)
	}
	var statuses []string
	for _, r := range engine.Recorder.Records(x.ID) {
		statuses = append(statuses, r.Status)
	}
	if want := []string{"running", "waiting", "running", "success"}; !slices.Equal(statuses, want) {
		t.Fatalf("recorded %v, want %v", statuses, want)
	}
}

func TestTimeout(t *testing.T) {
	x := execute(t, "timeout")
	wantStatus(t, x, nodes.StatusCanceled)
	wantOrder(t, x, "Start", "Wait")
	if x.Result.Error == nil || x.Result.Error.Message != "The execution was cancelled because it timed out" {
		t.Fatalf("error %+v", x.Result.Error)
	}
}

func TestCancel(t *testing.T) {
	ctx := testContext(t)
	w := loadWorkflow(t, "cancel")
	version := uuid.NewString()
	engine.Definitions.Put(version, w)
	id := uuid.NewString()
	in := temporal.ExecutionInput{ExecutionID: id, VersionID: version, Mode: nodes.ModeManual, Workflow: w}
	if _, err := engine.Client.Start(ctx, in, temporal.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	for !slices.ContainsFunc(engine.Recorder.Records(id), func(r temporal.ExecutionRecord) bool { return r.Status == nodes.StatusWaiting }) {
		select {
		case <-ctx.Done():
			t.Fatal("execution never waited")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if st, err := engine.Client.Status(ctx, id); err != nil || st != nodes.StatusWaiting {
		t.Fatalf("status while waiting: %q, %v", st, err)
	}
	if err := engine.Client.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	res, err := engine.Client.Result(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != nodes.StatusCanceled {
		t.Fatalf("status %s", res.Status)
	}
	rd, err := engine.Store.LoadRunData(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if runs := rd["Wait"]; len(runs) != 1 || runs[0].ExecutionStatus != nodes.StatusCanceled {
		t.Fatalf("Wait runs %+v", runs)
	}
	if _, ran := rd["After"]; ran {
		t.Fatal("After ran after the cancellation")
	}
	recs := engine.Recorder.Records(id)
	if last := recs[len(recs)-1]; last.Status != nodes.StatusCanceled {
		t.Fatalf("last record %+v", last)
	}
	if run, err := engine.Client.Start(ctx, in, temporal.StartOptions{}); err == nil {
		t.Fatalf("an execution id was started twice: run %s", run.GetRunID())
	}
}

func TestStatusAndPing(t *testing.T) {
	ctx := testContext(t)
	for name, want := range map[string]string{"branching": nodes.StatusSuccess, "error": nodes.StatusError} {
		x := execute(t, name)
		if st, err := engine.Client.Status(ctx, x.ID); err != nil || st != want {
			t.Fatalf("%s: status %q, %v; want %s", name, st, err, want)
		}
		if err := engine.Client.Wait(ctx, x.ID); err != nil {
			t.Fatalf("%s: wait: %v", name, err)
		}
	}
	if _, err := engine.Client.Status(ctx, "no-such-execution"); nodes.ErrorCode(err) != nodes.CodeNotFound {
		t.Fatalf("unknown execution: %v", err)
	}
	if err := engine.Client.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRunReader(t *testing.T) {
	x := execute(t, "peek")
	wantStatus(t, x, nodes.StatusSuccess)
	if got := outputs(t, x, "Peek", 0); got != `[[{"first":{"n":7},"runs":1}]]` {
		t.Fatalf("Peek output %s", got)
	}
	// A second reader in a later activity sees the same run.
	if got := outputs(t, x, "PeekAgain", 0); got != `[[{"first":{"n":7},"runs":1}]]` {
		t.Fatalf("PeekAgain output %s", got)
	}
}

func TestTriggerItems(t *testing.T) {
	w := loadWorkflow(t, "chain10")
	trigger := []nodes.Item{nodes.NewItem(map[string]any{"hello": "world"})}
	x, err := engine.Execute(testContext(t), w, trigger)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, x, nodes.StatusSuccess)
	if got := outputs(t, x, "N9", 0); got != `[[{"hello":"world"}]]` {
		t.Fatalf("N9 output %s", got)
	}
}

// TestLargeItems sends 10 MB of items through three nodes and checks that
// the workflow history stays small: items go through the store only.
func TestLargeItems(t *testing.T) {
	x := execute(t, "big")
	wantStatus(t, x, nodes.StatusSuccess)
	wantOrder(t, x, "Start", "Big", "A", "B")
	if n := len(x.RunData["B"][0].Output(0)); n != 1000 {
		t.Fatalf("B has %d items", n)
	}
	size := 0
	for _, e := range history(t, x.ID) {
		size += proto.Size(e)
	}
	if size > 64<<10 {
		t.Fatalf("history is %d bytes for 10 MB of items", size)
	}
}

// history returns the events of an execution's workflow.
func history(t *testing.T, executionID string) []*historyEvent {
	t.Helper()
	ctx := testContext(t)
	it := engine.Client.Temporal.GetWorkflowHistory(ctx, temporal.WorkflowID(executionID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []*historyEvent
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func historyHas(t *testing.T, executionID string, typ enums.EventType) bool {
	t.Helper()
	return slices.ContainsFunc(history(t, executionID), func(e *historyEvent) bool { return e.GetEventType() == typ })
}

func timerStarted(t *testing.T, executionID string) time.Duration {
	t.Helper()
	for _, e := range history(t, executionID) {
		if a := e.GetTimerStartedEventAttributes(); a != nil {
			return a.GetStartToFireTimeout().AsDuration()
		}
	}
	t.Fatal("no timer started")
	return 0
}

type historyEvent = historypb.HistoryEvent
