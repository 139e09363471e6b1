package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/weft/weft/api"
	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/devserver"
)

// roles says which parts a process runs.
type roles struct {
	api, worker bool
	// embedded runs a Temporal server in the process unless
	// TEMPORAL_ADDRESS names one.
	embedded bool
}

// stack is a running weft process: what it started, to stop in reverse.
type stack struct {
	cfg      *config
	log      *zap.Logger
	db       *persistence.DB
	temporal *devserver.Server
	tclient  client.Client
	worker   worker.Worker
	api      *api.Server
	http     *http.Server
	listener net.Listener
	uiURL    string
	// bus relays events to WebSocket clients; metrics serves /metrics on
	// METRICS_PORT.
	bus     api.Bus
	metrics *http.Server
}

func runServe(ctx context.Context, args []string, _, stderr io.Writer) int {
	return runRoles(ctx, "serve", args, stderr, roles{api: true, worker: true, embedded: true})
}

func runAPI(ctx context.Context, args []string, _, stderr io.Writer) int {
	return runRoles(ctx, "api", args, stderr, roles{api: true})
}

func runWorker(ctx context.Context, args []string, _, stderr io.Writer) int {
	return runRoles(ctx, "worker", args, stderr, roles{worker: true})
}

// runRoles starts the roles, waits for ctx (SIGINT/SIGTERM) and stops them
// gracefully.
func runRoles(ctx context.Context, name string, args []string, stderr io.Writer, r roles) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "usage: weft %s (configured by environment variables; see README)\n", name)
		return 2
	}
	cfg, err := loadConfig(os.Getenv)
	if err == nil {
		err = cfg.checkSecrets()
	}
	if err != nil {
		fmt.Fprintf(stderr, "weft %s: configuration:\n%v\n", name, err)
		return 2
	}
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		fmt.Fprintf(stderr, "weft %s: %v\n", name, err)
		return 2
	}
	defer func() { _ = log.Sync() }()
	s, err := start(ctx, cfg, log, r)
	if err != nil {
		log.Error("weft could not start", zap.Error(err))
		if s != nil {
			s.stop()
		}
		return 1
	}
	<-ctx.Done()
	log.Info("shutting down: draining requests and stopping the worker")
	s.stop()
	log.Info("weft stopped")
	return 0
}

// start brings up the database, Temporal (embedded or external), the worker
// and the API, as the roles ask.
func start(ctx context.Context, cfg *config, log *zap.Logger, r roles) (s *stack, err error) {
	s = &stack{cfg: cfg, log: log}
	if !cfg.external {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return s, fmt.Errorf("data dir: %w", err)
		}
		if err := cfg.ensureSecrets(log); err != nil {
			return s, err
		}
	}
	keys, err := cfg.keyring()
	if err != nil {
		return s, err
	}
	nodes.SetNetPolicy(cfg.NetPolicy)
	s.db, err = persistence.Open(ctx, cfg.databaseDSN(), persistence.Options{MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns})
	if err != nil {
		return s, err
	}
	applied, err := s.db.Migrate(ctx)
	if err != nil {
		return s, fmt.Errorf("migrate database: %w", err)
	}
	if len(applied) > 0 {
		log.Info("applied database migrations", zap.Ints("versions", applied))
	}

	hostPort := cfg.TemporalAddress
	if hostPort == "" && r.embedded {
		s.temporal, err = devserver.Start(ctx, devserver.Options{
			DataDir: cfg.DataDir, FrontendPort: cfg.TemporalPort, UIPort: cfg.TemporalUIPort,
			Namespace: cfg.Namespace, SearchAttributes: temporal.SearchAttributes(), SQLiteSync: cfg.TemporalSQLiteSync,
		})
		if err != nil {
			return s, fmt.Errorf("embedded temporal server: %w", err)
		}
		hostPort = s.temporal.FrontendHostPort()
		s.uiURL = s.temporal.UIAddress()
	}
	if hostPort == "" {
		hostPort = client.DefaultHostPort
	}
	if cfg.TemporalUIURL != "" {
		s.uiURL = cfg.TemporalUIURL
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	topts, err := cfg.temporalClientOptions(hostPort, log)
	if err != nil {
		return s, err
	}
	topts.MetricsHandler = temporal.NewSDKMetricsHandler(reg)
	if s.temporal != nil {
		// Loopback to the server in this process: gzip (the SDK's
		// default) only costs CPU, 3 % of it in scenario 1 of `weft bench`.
		topts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	s.tclient, err = client.DialContext(ctx, topts)
	if err != nil {
		return s, fmt.Errorf("connect to temporal at %s: %w", hostPort, err)
	}
	if s.temporal == nil {
		if err := temporal.RegisterSearchAttributes(ctx, s.tclient, cfg.Namespace); err != nil {
			log.Warn("could not register weft's search attributes on temporal; executions will not be searchable by them", zap.Error(err))
		}
	}
	// The client keeps large trigger items in the database the workers
	// read (`weft api` and `weft worker` share it).
	tc := &temporal.Client{Temporal: s.tclient, TaskQueue: temporal.DefaultTaskQueue, Store: s.db.RunStore()}
	if err := s.startBus(ctx, r); err != nil {
		return s, err
	}

	// With the worker in this process, webhook calls hear their answers
	// from it directly (temporal.Replies).
	var replies *temporal.Replies
	if r.worker && r.api {
		replies = temporal.NewReplies()
	}
	if r.worker {
		metrics := temporal.NewMetrics(reg)
		acts := &temporal.Activities{
			Store:       temporal.NewCachedRunStore(s.db.RunStore(), 64<<20),
			Definitions: temporal.NewDBDefinitions(s.db),
			Recorder:    temporal.DBRecorder{DB: s.db, Metrics: metrics},
			Expr:        expr.New(expr.Options{}),
			Logger:      log.Named("worker"),
			Credentials: temporal.NewDBCredentials(s.db, keys),
			Workflows:   temporal.DBWorkflows{DB: s.db},
			PublicURL:   cfg.PublicURL,
			Events:      api.EventPublisher(s.bus, log.Named("events")),
			Metrics:     metrics,
			Replies:     replies,
		}
		if cfg.Timezone != "" {
			acts.Location, _ = time.LoadLocation(cfg.Timezone)
		}
		s.worker = worker.New(s.tclient, temporal.DefaultTaskQueue, worker.Options{})
		temporal.Register(s.worker, acts)
		temporal.RegisterSchedules(s.worker, &temporal.ScheduleActivities{Store: s.db, Client: tc, Logger: log.Named("schedules")})
		temporal.RegisterPrune(s.worker, &temporal.Pruner{DB: s.db, Enabled: cfg.Prune, Logger: log.Named("prune"),
			Options: persistence.PruneOptions{MaxAge: cfg.PruneMaxAge, MaxCount: cfg.PruneMaxCount}})
		if err := s.worker.Start(); err != nil {
			return s, fmt.Errorf("start worker: %w", err)
		}
		if err := temporal.EnsurePruneSchedule(ctx, s.tclient, temporal.DefaultTaskQueue, cfg.Prune); err != nil {
			log.Warn("execution data retention is not scheduled", zap.Error(err))
		}
	}

	if r.api {
		s.api = api.New(api.Config{
			JWTSecret: []byte(cfg.JWTSecret), AccessExpiry: cfg.AccessExpiry, RefreshExpiry: cfg.RefreshExpiry,
			RegistrationClosed: cfg.RegistrationOff, AllowedOrigins: cfg.AllowedOrigins,
			RateLimitRequests: cfg.RateRequests, RateLimitDuration: cfg.RateDuration,
			TemporalUIURL: s.uiURL, TemporalNamespace: cfg.Namespace, DefaultTimezone: cfg.Timezone, EncryptionKeys: keys,
			WebhookURL: cfg.WebhookURL, WebhookTimeout: cfg.WebhookTimeout, WebhookCredentials: temporal.NewDBCredentials(s.db, keys),
			Bus: s.bus, Metrics: reg, NoMetricsRoute: !cfg.Metrics || cfg.MetricsPort != 0, HSTSMaxAge: cfg.HSTSMaxAge,
			TrustedProxies: cfg.TrustedProxies,
		}, s.db, api.TemporalRunner{Client: tc, Replies: replies}, log.Named("api"))
		s.listener, err = net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
		if err != nil {
			return s, fmt.Errorf("listen on port %d: %w", cfg.Port, err)
		}
		s.http = apiHTTPServer(cfg, s.api.Handler())
		s.http.RegisterOnShutdown(s.api.CloseStreams)
		go func() {
			if err := s.http.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("http server", zap.Error(err))
			}
		}()
		go s.api.RunReconciler(ctx, time.Minute, 2*time.Minute)
	}

	if cfg.Metrics && cfg.MetricsPort != 0 {
		if err := s.serveMetrics(reg); err != nil {
			return s, err
		}
	}

	fields := []zap.Field{zap.String("temporal", hostPort), zap.String("namespace", cfg.Namespace)}
	if s.listener != nil {
		fields = append(fields, zap.String("api", "http://"+displayAddr(s.listener.Addr())))
	}
	if s.uiURL != "" {
		fields = append(fields, zap.String("temporal_ui", s.uiURL))
	}
	if !cfg.external {
		fields = append(fields, zap.String("data_dir", cfg.DataDir))
	}
	log.Info("weft is running", fields...)
	return s, nil
}

// startBus chooses the event bus: PostgreSQL's LISTEN/NOTIFY when the
// database is PostgreSQL (so `weft api` and `weft worker` processes, and
// API replicas, share events), in-process on SQLite, where separate
// processes have no bus between them.
func (s *stack) startBus(ctx context.Context, r roles) error {
	if s.db.Dialect() != "postgres" {
		if r.api != r.worker {
			s.log.Warn("the database is SQLite: no event bus between processes, so WebSocket clients only see events of this process")
		}
		s.bus = api.NewLocalBus()
		return nil
	}
	bus, err := api.NewPGBus(ctx, s.db, r.api, s.log.Named("events"))
	if err != nil {
		return err
	}
	s.bus = bus
	return nil
}

// serveMetrics serves GET /metrics on METRICS_PORT.
func (s *stack) serveMetrics(reg *prometheus.Registry) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(s.cfg.MetricsPort))
	if err != nil {
		return fmt.Errorf("listen on METRICS_PORT %d: %w", s.cfg.MetricsPort, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.metrics.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("metrics server", zap.Error(err))
		}
	}()
	return nil
}

// displayAddr turns a wildcard listen address into one a person can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// stop shuts down in reverse order: stop taking requests (draining those in
// flight), stop the worker (letting running activities finish), then
// Temporal and the database.
func (s *stack) stop() {
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := s.http.Shutdown(ctx); err != nil {
			s.log.Warn("http shutdown", zap.Error(err))
		}
		cancel()
	}
	if s.worker != nil {
		s.worker.Stop()
	}
	if b, ok := s.bus.(*api.PGBus); ok {
		b.Close()
	}
	if s.metrics != nil {
		_ = s.metrics.Close()
	}
	if s.tclient != nil {
		s.tclient.Close()
	}
	if s.temporal != nil {
		if err := s.temporal.Stop(); err != nil {
			s.log.Warn("temporal server stop", zap.Error(err))
		}
	}
	if s.db != nil {
		_ = s.db.Close()
	}
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: weft migrate")
		return 2
	}
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "weft migrate: configuration:\n%v\n", err)
		return 2
	}
	if !cfg.external {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			fmt.Fprintf(stderr, "weft migrate: %v\n", err)
			return 1
		}
	}
	db, err := persistence.Open(ctx, cfg.databaseDSN(), persistence.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "weft migrate: %v\n", err)
		return 1
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "weft migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "applied %d migration(s) %v\n", len(applied), applied)
	return 0
}

// apiHTTPServer is the API's HTTP server with the configured timeouts: a
// client that sends its headers or body too slowly, or keeps an idle
// connection, is disconnected. There is no write timeout: ?wait=true,
// webhooks answered by their last node and WebSocket streams answer late
// on purpose (each bounds its own wait).
func apiHTTPServer(cfg *config, h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: cfg.HTTPReadHeaderTimeout, ReadTimeout: cfg.HTTPReadTimeout,
		IdleTimeout: cfg.HTTPIdleTimeout, MaxHeaderBytes: 1 << 20}
}
