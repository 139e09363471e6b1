package api

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/weft/weft/nodes/expr"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/devserver"
)

// The embedded Temporal server the tests that run executions share,
// started by the first of them (in memory, no UI).
var (
	temporalOnce   sync.Once
	temporalServer *devserver.Server
	temporalErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if temporalServer != nil {
		if err := temporalServer.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop temporal:", err)
		}
	}
	os.Exit(code)
}

// quietLogger keeps the SDK's info logs out of test output.
var quietLogger = tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

// testStack is what `weft serve` wires around the API, in process: a
// Temporal client and a worker running the interpreter against db, on a
// task queue of its own.
type testStack struct {
	runner TemporalRunner
	client client.Client
	worker worker.Worker
}

// newStack starts a worker for db on the shared embedded Temporal server
// and returns the runner the API uses with it.
func newStack(t *testing.T, db *persistence.DB) *testStack {
	t.Helper()
	return newStackWith(t, db, nil, nil)
}

// newStackWith is newStack with the client's metrics handler (nil: none)
// and a change to the worker's activities (nil: none).
func newStackWith(t *testing.T, db *persistence.DB, metrics client.MetricsHandler, mutate func(*temporal.Activities)) *testStack {
	t.Helper()
	temporalOnce.Do(func() {
		temporalServer, temporalErr = devserver.Start(context.Background(), devserver.Options{
			UIPort: -1, SearchAttributes: temporal.SearchAttributes(),
		})
	})
	if temporalErr != nil {
		t.Fatal(temporalErr)
	}
	c, err := client.Dial(client.Options{HostPort: temporalServer.FrontendHostPort(), Namespace: temporalServer.Namespace(), Logger: quietLogger,
		MetricsHandler: metrics})
	if err != nil {
		t.Fatal(err)
	}
	queue := "weft-test-" + uuid.NewString()
	tc := &temporal.Client{Temporal: c, TaskQueue: queue, Store: db.RunStore()}
	t.Cleanup(c.Close)
	// As in `weft serve`, webhook calls hear their answers from the worker
	// in the process; split() gives the runner of a process without one.
	replies := temporal.NewReplies()
	w := startWorker(t, tc, db, func(a *temporal.Activities) {
		a.Replies = replies
		if mutate != nil {
			mutate(a)
		}
	})
	return &testStack{runner: TemporalRunner{Client: tc, Replies: replies}, client: c, worker: w}
}

// split returns the runner of an API process with no worker of its own
// (`weft api`): webhook answers come through Temporal only.
func (s *testStack) split() TemporalRunner { return TemporalRunner{Client: s.runner.Client} }

// startWorker starts a worker running the interpreter and scheduled runs
// against db on tc's task queue, with mutate's change to its activities
// (nil: none); it stops at cleanup if not before.
func startWorker(t *testing.T, tc *temporal.Client, db *persistence.DB, mutate func(*temporal.Activities)) worker.Worker {
	t.Helper()
	w := worker.New(tc.Temporal, tc.TaskQueue, worker.Options{})
	acts := &temporal.Activities{
		Store:       db.RunStore(),
		Definitions: temporal.NewDBDefinitions(db),
		Recorder:    temporal.DBRecorder{DB: db},
		Expr:        expr.New(expr.Options{}),
		Credentials: temporal.NewDBCredentials(db, testKeys),
		Workflows:   temporal.DBWorkflows{DB: db},
	}
	if mutate != nil {
		mutate(acts)
	}
	temporal.Register(w, acts)
	temporal.RegisterSchedules(w, &temporal.ScheduleActivities{Store: db, Client: tc})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(w.Stop) })
	return stopOnce{w, &once}
}

// stopOnce is a worker whose Stop may be called again at cleanup.
type stopOnce struct {
	worker.Worker
	once *sync.Once
}

func (s stopOnce) Stop() { s.once.Do(s.Worker.Stop) }
