// Package local runs weft executions inside the current process: an
// embedded Temporal server (temporal/devserver, in memory, no Web UI), one
// worker with the interpreter, and in-memory run store, definitions and
// recorder. `weft execute`, `weft conformance` and tests use it.
package local

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/conformance"
	"github.com/weft/weft/temporal/devserver"
)

// Options configure an Engine.
type Options struct {
	// CacheBytes bounds the worker's cache of decoded runs; 0 means 64 MiB.
	CacheBytes int64
	// Location is the timezone of workflows that name none; nil is UTC.
	Location *time.Location
	// Worker tunes the worker.
	Worker worker.Options
	// Logger receives the Temporal client's and worker's logs; nil logs
	// warnings and errors to stderr.
	Logger *zap.Logger
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
	// Workflows holds the saved workflows sub-workflows and error
	// workflows resolve to (put them with Workflows.Put).
	Workflows *temporal.MemoryWorkflows

	server *devserver.Server
	client client.Client
	worker worker.Worker
	log    *zap.Logger
}

// Start boots an embedded Temporal server and a worker.
func Start(ctx context.Context, opts Options) (*Engine, error) {
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 64 << 20
	}
	if opts.Logger == nil {
		opts.Logger = warnLogger()
	}
	srv, err := devserver.Start(ctx, devserver.Options{UIPort: -1, SearchAttributes: temporal.SearchAttributes()})
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, client.Options{
		HostPort: srv.FrontendHostPort(), Namespace: srv.Namespace(), Logger: temporal.SDKLogger(opts.Logger),
		// Loopback: compression would only cost CPU.
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
	})
	if err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("dial embedded temporal server: %w", err)
	}
	store := temporal.NewCachedRunStore(temporal.NewMemoryRunStore(), opts.CacheBytes)
	e := &Engine{
		Client:      &temporal.Client{Temporal: c, TaskQueue: temporal.DefaultTaskQueue, Store: store},
		Store:       store,
		Definitions: temporal.NewMemoryDefinitions(),
		Recorder:    temporal.NewMemoryRecorder(),
		server:      srv,
		client:      c,
		log:         opts.Logger,
	}
	e.Activities = &temporal.Activities{
		Store: e.Store, Definitions: e.Definitions, Recorder: e.Recorder, Logger: opts.Logger,
		Expr: expr.New(expr.Options{Location: opts.Location}), Location: opts.Location,
	}
	e.Workflows = temporal.NewMemoryWorkflows(e.Definitions)
	e.Activities.Workflows = e.Workflows
	e.worker = worker.New(c, temporal.DefaultTaskQueue, opts.Worker)
	temporal.Register(e.worker, e.Activities)
	if err := e.worker.Start(); err != nil {
		c.Close()
		_ = srv.Stop()
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return e, nil
}

// warnLogger logs warnings and errors to stderr.
func warnLogger() *zap.Logger {
	cfg := zap.NewDevelopmentConfig()
	cfg.Level = zap.NewAtomicLevelAt(zap.WarnLevel)
	cfg.DisableStacktrace = true
	l, err := cfg.Build()
	if err != nil {
		return zap.NewNop()
	}
	return l
}

// Close stops the worker, the client and the server.
func (e *Engine) Close() {
	e.worker.Stop()
	e.client.Close()
	if err := e.server.Stop(); err != nil {
		e.log.Warn("stopping the embedded temporal server", zap.Error(err))
	}
}

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

// Namespace is the namespace executions run in.
func (e *Engine) Namespace() string { return e.server.Namespace() }
