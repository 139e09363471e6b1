package temporal_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/local"
)

// chainInput is the input of a fresh execution of w (stored under
// version) with the given history limit.
func chainInput(t *testing.T, w *nodes.Workflow, version string, limit int) temporal.ExecutionInput {
	t.Helper()
	engine.Definitions.Put(version, w)
	return temporal.ExecutionInput{ExecutionID: uuid.NewString(), WorkflowID: w.ID, VersionID: version,
		Mode: nodes.ModeManual, Workflow: w, HistoryLimit: limit}
}

// runChain runs an execution to its end through the client and returns
// it with the histories of its runs, first run first.
func runChain(t *testing.T, in temporal.ExecutionInput) (*local.Execution, [][]*historyEvent) {
	t.Helper()
	ctx := testContext(t)
	run, err := engine.Client.Start(ctx, in, temporal.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Client.Result(ctx, in.ExecutionID)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := engine.Store.LoadRunData(ctx, in.ExecutionID)
	if err != nil {
		t.Fatal(err)
	}
	return &local.Execution{ID: in.ExecutionID, Result: res, RunData: rd}, runHistories(t, in.ExecutionID, run.GetRunID())
}

// runHistories follows an execution's runs from its first one and returns
// their histories; every run but the last ends by continuing as new.
func runHistories(t *testing.T, executionID, firstRunID string) [][]*historyEvent {
	t.Helper()
	ctx := testContext(t)
	var out [][]*historyEvent
	for runID := firstRunID; runID != ""; {
		it := engine.Client.Temporal.GetWorkflowHistory(ctx, temporal.WorkflowID(executionID), runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		var events []*historyEvent
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			events = append(events, e)
		}
		out = append(out, events)
		runID = events[len(events)-1].GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
	}
	return out
}

// continuedInputs decodes the input each run after the first got.
func continuedInputs(t *testing.T, runs [][]*historyEvent) []temporal.ExecutionInput {
	t.Helper()
	var out []temporal.ExecutionInput
	for _, events := range runs[1:] {
		var in temporal.ExecutionInput
		payloads := events[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
		if err := converter.GetDefaultDataConverter().FromPayloads(payloads, &in); err != nil {
			t.Fatal(err)
		}
		if in.Continued == nil {
			t.Fatal("a continued run's input has no continuation")
		}
		out = append(out, in)
	}
	return out
}

// comparableRuns returns rd without the runs' timings, which differ
// between two executions of the same workflow.
func comparableRuns(rd nodes.RunData) nodes.RunData {
	out := nodes.RunData{}
	for node, runs := range rd {
		for _, r := range runs {
			c := *r
			c.StartTime, c.ExecutionTime = 0, 0
			out[node] = append(out[node], &c)
		}
	}
	return out
}

func recordedStatuses(executionID string) []string {
	var out []string
	for _, r := range engine.Recorder.Records(executionID) {
		out = append(out, r.Status)
	}
	return out
}

func TestContinueAsNew(t *testing.T) {
	t.Run("a long loop gives the run data it gives in one run", func(t *testing.T) {
		w := loadWorkflow(t, "can-loop")
		version := uuid.NewString()
		whole, wholeRuns := runChain(t, chainInput(t, w, version, 0))
		wantStatus(t, whole, nodes.StatusSuccess)
		if len(wholeRuns) != 1 {
			t.Fatalf("with the default limit the execution took %d runs", len(wholeRuns))
		}
		x, runs := runChain(t, chainInput(t, w, version, 200))
		wantStatus(t, x, nodes.StatusSuccess)
		if len(runs) < 3 {
			t.Fatalf("with a limit of 200 events the execution took %d runs, want several", len(runs))
		}
		for i, events := range runs {
			if n := len(events); n > 400 {
				t.Errorf("run %d has %d events", i, n)
			}
		}
		if !reflect.DeepEqual(x.Result, whole.Result) {
			t.Fatalf("result %+v, without continuing %+v", x.Result, whole.Result)
		}
		if got, want := x.Order(), whole.Order(); !slices.Equal(got, want) {
			t.Fatalf("order differs:\n got %v\nwant %v", got, want)
		}
		got, want := comparableRuns(x.RunData), comparableRuns(whole.RunData)
		for node, runs := range want {
			if len(got[node]) != len(runs) {
				t.Fatalf("%s has %d runs, without continuing %d", node, len(got[node]), len(runs))
			}
			for i := range runs {
				if !reflect.DeepEqual(got[node][i], runs[i]) {
					t.Fatalf("run %d of %s differs:\n got %+v\nwant %+v", i, node, got[node][i], runs[i])
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("nodes run: %d, without continuing %d", len(got), len(want))
		}
		if n := len(x.RunData["Body"]); n != 300 {
			t.Fatalf("Body ran %d times", n)
		}
		if out := outputs(t, x, "Final", 0); out != `[[{"batches":44850,"bodyRuns":299,"count":300}]]` {
			t.Fatalf("Final output %s", out)
		}
		if got := recordedStatuses(x.ID); !slices.Equal(got, []string{"running", "success"}) {
			t.Fatalf("recorded %v", got)
		}
		// What a run hands to the next stays small however far the loop
		// got: no items, no growing list of runs.
		for i, e := range runs[:len(runs)-1] {
			attrs := e[len(e)-1].GetWorkflowExecutionContinuedAsNewEventAttributes()
			if size := proto.Size(attrs.GetInput()); size > 8<<10 {
				t.Errorf("run %d continued with an input of %d bytes", i, size)
			}
		}
		for i, in := range continuedInputs(t, runs) {
			if in.Continued.Runs != i+1 || len(in.TriggerItems) != 0 || in.HistoryLimit != 200 {
				t.Errorf("run %d: continuation %+v, %d trigger items, limit %d", i+1, in.Continued, len(in.TriggerItems), in.HistoryLimit)
			}
		}
		if st, err := engine.Client.Status(testContext(t), x.ID); err != nil || st != nodes.StatusSuccess {
			t.Fatalf("status %q, %v", st, err)
		}
	})
	t.Run("a wait after continuing sleeps and resumes", func(t *testing.T) {
		// A limit of one event continues as new after every task.
		x, runs := runChain(t, chainInput(t, loadWorkflow(t, "wait"), uuid.NewString(), 1))
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "Wait", "After")
		if len(runs) != 3 {
			t.Fatalf("%d runs, want one per task", len(runs))
		}
		var timer time.Duration
		for _, e := range runs[1] {
			if a := e.GetTimerStartedEventAttributes(); a != nil {
				timer = a.GetStartToFireTimeout().AsDuration()
			}
		}
		if timer != 2*time.Second {
			t.Fatalf("the second run's timer is %v, want 2s", timer)
		}
		if got, want := recordedStatuses(x.ID), []string{"running", "waiting", "running", "success"}; !slices.Equal(got, want) {
			t.Fatalf("recorded %v, want %v", got, want)
		}
		if got := outputs(t, x, "After", 0); got != `[[{}]]` {
			t.Fatalf("After output %s", got)
		}
	})
	t.Run("the execution timeout counts from the first run", func(t *testing.T) {
		x, runs := runChain(t, chainInput(t, loadWorkflow(t, "timeout"), uuid.NewString(), 1))
		// Temporal may delay a run that follows a very short one, so the
		// timeout may strike before or after Wait; either way it is the
		// continued run that stops.
		wantStatus(t, x, nodes.StatusCanceled)
		if len(runs) != 2 {
			t.Fatalf("%d runs", len(runs))
		}
		if x.Result.Error == nil || x.Result.Error.Name != "TimeoutExecutionCancelledError" {
			t.Fatalf("error %+v", x.Result.Error)
		}
		in := continuedInputs(t, runs)[0]
		if first := runs[0][0].GetEventTime().AsTime(); !in.Continued.StartedAt.Equal(first) {
			t.Fatalf("continued with start %v, the first run started %v", in.Continued.StartedAt, first)
		}
	})
	t.Run("cancel after continuing cancels the execution", func(t *testing.T) {
		ctx := testContext(t)
		in := chainInput(t, loadWorkflow(t, "cancel"), uuid.NewString(), 1)
		first, err := engine.Client.Start(ctx, in, temporal.StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := in.ExecutionID
		for !slices.Contains(recordedStatuses(id), nodes.StatusWaiting) {
			select {
			case <-ctx.Done():
				t.Fatal("execution never waited")
			case <-time.After(20 * time.Millisecond):
			}
		}
		d, err := engine.Client.Temporal.DescribeWorkflowExecution(ctx, temporal.WorkflowID(id), "")
		if err != nil {
			t.Fatal(err)
		}
		if d.GetWorkflowExecutionInfo().GetExecution().GetRunId() == first.GetRunID() {
			t.Fatal("the execution waits in its first run; it should have continued as new")
		}
		if _, ok := d.GetWorkflowExecutionInfo().GetMemo().GetFields()["workflowName"]; !ok {
			t.Fatal("the memo was not carried to the continued run")
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
		if err := engine.Client.Wait(ctx, id); err != nil {
			t.Fatal(err)
		}
		if st, err := engine.Client.Status(ctx, id); err != nil || st != nodes.StatusCanceled {
			t.Fatalf("status after canceling: %q, %v", st, err)
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
		if got, want := recordedStatuses(id), []string{"running", "waiting", "canceled"}; !slices.Equal(got, want) {
			t.Fatalf("recorded %v, want %v", got, want)
		}
	})
	t.Run("a retry that continues as new ends right", func(t *testing.T) {
		w := loadWorkflow(t, "retry-loop")
		w.ID = uuid.NewString()
		version := uuid.NewString()
		old, _ := runChain(t, chainInput(t, w, version, 0))
		wantStatus(t, old, nodes.StatusError)
		wantOrder(t, old, "Start", "Data", "Loop", "Body", "Loop", "Body")
		in := chainInput(t, w, version, 1)
		in.RetryOf, in.Mode = old.ID, nodes.ModeRetry
		x, runs := runChain(t, in)
		wantStatus(t, x, nodes.StatusSuccess)
		wantOrder(t, x, "Start", "Data", "Loop", "Body", "Loop", "Body", "Loop", "Body", "Loop", "Done")
		// The five reused tasks make no history; the five others run one
		// per run.
		if len(runs) != 5 {
			t.Fatalf("the retry took %d runs", len(runs))
		}
		wantCalls(t, w, map[string]int{"Body": 4})
		wantCopied(t, x, old, "Data")
		for run, want := range []string{`[[{"Body":1,"n":1}]]`, `[[{"Body":3,"n":2}]]`, `[[{"Body":4,"n":3}]]`} {
			if got := outputs(t, x, "Body", run); got != want {
				t.Errorf("Body run %d output %s, want %s", run, got, want)
			}
		}
		if got := outputs(t, x, "Done", 0); got != `[[{"Body":1,"n":1},{"Body":3,"n":2},{"Body":4,"n":3}]]` {
			t.Fatalf("Done output %s", got)
		}
		if x.Result.LastNodeExecuted != "Done" {
			t.Fatalf("last node %q", x.Result.LastNodeExecuted)
		}
		if got := recordedStatuses(x.ID); !slices.Equal(got, []string{"running", "success"}) {
			t.Fatalf("recorded %v", got)
		}
	})
}
