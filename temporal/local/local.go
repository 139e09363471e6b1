// Package local runs weft executions inside the current process: an
// embedded Temporal server, one worker with the interpreter, and in-memory
// run store, definitions and recorder. `weft execute`, `weft conformance`
// and tests use it.
package local

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/conformance"
)

// Options configure an Engine.
type Options struct {
	// CacheBytes bounds the worker's cache of decoded runs; 0 means 64 MiB.
	CacheBytes int64
	// Location is the timezone of workflows that name none; nil is UTC.
	Location *time.Location
	// Worker tunes the worker.
	Worker worker.Options
}

// Engine is an in-process weft: server, worker and stores.
type Engine struct {
	// Client starts executions.
	Client *temporal.Client
	// Store holds the runs of every execution.
	Store nodes.RunStore
	// Definitions holds the workflow versions executions run.
	Definitions *temporal.MemoryDefinitions
	// Recorder holds what executions reported.
	Recorder *temporal.MemoryRecorder
	// Activities are the worker's activities.
	Activities *temporal.Activities

	server *temporaltest.TestServer
}

// Start boots an embedded Temporal server and a worker.
func Start(ctx context.Context, opts Options) (e *Engine, err error) {
	defer func() {
		// temporaltest panics when the server cannot start.
		if r := recover(); r != nil {
			err = fmt.Errorf("embedded temporal server: %v", r)
		}
	}()
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 64 << 20
	}
	srv := temporaltest.NewServer()
	c := srv.GetDefaultClient()
	if err := temporal.RegisterSearchAttributes(ctx, c, srv.GetDefaultNamespace()); err != nil {
		srv.Stop()
		return nil, err
	}
	e = &Engine{
		Client:      &temporal.Client{Temporal: c, TaskQueue: temporal.DefaultTaskQueue},
		Store:       temporal.NewCachedRunStore(temporal.NewMemoryRunStore(), opts.CacheBytes),
		Definitions: temporal.NewMemoryDefinitions(),
		Recorder:    temporal.NewMemoryRecorder(),
		server:      srv,
	}
	e.Activities = &temporal.Activities{
		Store: e.Store, Definitions: e.Definitions, Recorder: e.Recorder,
		Expr: expr.New(expr.Options{Location: opts.Location}), Location: opts.Location,
	}
	srv.NewWorkerWithOptions(temporal.DefaultTaskQueue, func(r worker.Registry) {
		temporal.Register(r, e.Activities)
	}, opts.Worker)
	return e, nil
}

// Close stops the worker and the server.
func (e *Engine) Close() { e.server.Stop() }

// Execution is a finished execution.
type Execution struct {
	// ID is the execution id.
	ID string
	// Result is how it ended.
	Result *temporal.ExecutionResult
	// RunData holds every node run.
	RunData nodes.RunData
}

// Order lists the node of every run in execution order.
func (x *Execution) Order() []string { return Order(x.RunData) }

// Execute runs a workflow once, manually, with the given trigger items,
// and returns its outcome. The workflow is not validated here.
func (e *Engine) Execute(ctx context.Context, w *nodes.Workflow, trigger []nodes.Item) (*Execution, error) {
	id := uuid.NewString()
	version := uuid.NewString()
	e.Definitions.Put(version, w)
	in := temporal.ExecutionInput{
		ExecutionID: id, WorkflowID: w.ID, VersionID: version, Mode: nodes.ModeManual,
		Workflow: w, TriggerItems: trigger,
	}
	res, err := e.Client.Run(ctx, in, temporal.StartOptions{})
	if err != nil {
		return nil, err
	}
	rd, err := e.Store.LoadRunData(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Execution{ID: id, Result: res, RunData: rd}, nil
}

// Order lists the node of every run in rd by execution index.
func Order(rd nodes.RunData) []string {
	type entry struct {
		node  string
		index int
	}
	var all []entry
	for node, runs := range rd {
		for _, r := range runs {
			all = append(all, entry{node, r.ExecutionIndex})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].index != all[j].index {
			return all[i].index < all[j].index
		}
		return all[i].node < all[j].node
	})
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = e.node
	}
	return out
}

// Conformance returns a conformance.Executor that validates a case's
// workflow and runs it once on the engine.
func (e *Engine) Conformance() conformance.Executor {
	return func(ctx context.Context, c *conformance.Case) (*conformance.Outcome, error) {
		if err := nodes.ValidateWorkflow(c.Workflow); err != nil {
			return nil, err
		}
		x, err := e.Execute(ctx, c.Workflow, nil)
		if err != nil {
			return nil, err
		}
		return &conformance.Outcome{Status: x.Result.Status, Order: x.Order(), RunData: x.RunData}, nil
	}
}
