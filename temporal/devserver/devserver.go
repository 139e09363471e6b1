// Package devserver runs a complete Temporal server inside the current process:
// the four Temporal services on loopback ports, persistence and visibility in two
// SQLite files (or in memory), namespaces and custom search attributes registered
// at start, and optionally the Temporal Web UI on its own port.
//
// It is what `weft serve` uses when no TEMPORAL_ADDRESS is configured, and what
// tests use when they need a real server.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Defaults applied by Start to zero fields of Options.
const (
	DefaultIP        = "127.0.0.1"
	DefaultNamespace = "default"
	// DefaultRetention is how long closed workflow histories are kept in
	// namespaces that Start creates. It is fixed when a namespace is created;
	// later starts do not change it.
	DefaultRetention = 7 * 24 * time.Hour
	// DBFileName is the name of the SQLite file inside Options.DataDir that
	// holds executions, histories, tasks and namespaces. Visibility records
	// are in VisibilityFileName next to it.
	DBFileName = "temporal.db"
)

// Options.SQLiteSync values.
const (
	SyncFull   = "full"
	SyncNormal = "normal"
)

// clusterName names the single Temporal cluster. It is persisted in the
// database, so it must never change.
const clusterName = "active"

// Options configures Start. The zero value is a usable in-memory server with a
// Web UI, both on free loopback ports.
type Options struct {
	// DataDir is the directory holding the SQLite files DBFileName and
	// VisibilityFileName. It is created if missing. Empty means an in-memory
	// database for tests: unreachable after Stop, though its memory is only
	// freed when the process exits.
	DataDir string
	// IP is the address every listener binds to. Default DefaultIP.
	IP string
	// FrontendPort is the gRPC port clients and workers dial (Temporal's usual
	// is 7233). 0 picks a free port.
	FrontendPort int
	// UIPort is the Temporal Web UI's HTTP port (Temporal's usual is 8233).
	// 0 picks a free port; -1 runs no UI.
	UIPort int
	// Namespace is the main namespace, created at start if missing.
	// Default DefaultNamespace.
	Namespace string
	// ExtraNamespaces are created at start too, with the same search attributes.
	ExtraNamespaces []string
	// SearchAttributes are custom search attributes registered in every
	// namespace at start, if not already there. SQLite visibility has a fixed
	// number of columns per type (10 Keyword, 3 Text, 3 Int, 3 Double, 3 Bool,
	// 3 Datetime, 3 KeywordList per namespace).
	SearchAttributes map[string]enums.IndexedValueType
	// SQLiteSync is the database file's synchronous setting: SyncFull
	// (default) or SyncNormal, faster, which keeps every commit through a
	// crash of the process but not through a power loss.
	SQLiteSync string
	// Logger receives the Temporal server's logs, all of them, including the
	// burst of warnings its services log while they stop. Nil logs warnings
	// and errors to stderr, minus known noise, and nothing once Stop is called.
	Logger *zap.Logger
}

// Server is a running embedded Temporal server. Stop it with Stop.
type Server struct {
	server     temporal.Server
	muteLogger func()
	ui         *uiserver.Server
	uiDone     chan struct{}
	frontend   string
	uiAddress  string
	namespace  string

	stopOnce sync.Once
	stopErr  error
}

// Start starts the server and returns once the frontend answers, every
// namespace is usable and every search attribute is registered. ctx bounds the
// wait; the server keeps running after ctx is done, until Stop.
//
// A new data directory gets the schema and one history shard; an existing
// database file is reopened as is, with its workflows, timers and namespaces.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	namespaces := append([]string{opts.Namespace}, opts.ExtraNamespaces...)

	// Frontend, history, matching, worker, then the UI. Bad ports must fail
	// here: past this point the server and the UI server handle a failed
	// listen by exiting the process.
	want := []int{opts.FrontendPort, 0, 0, 0}
	if opts.UIPort >= 0 {
		want = append(want, opts.UIPort)
	}
	ports, err := pickPorts(opts.IP, want...)
	if err != nil {
		return nil, err
	}

	sqlConf, visConf, err := prepareDatabase(opts.DataDir, namespaces, opts.SearchAttributes, opts.SQLiteSync)
	if err != nil {
		return nil, err
	}

	frontend := hostPort(opts.IP, ports[0])
	services := map[string]config.Service{}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for i, name := range []primitives.ServiceName{
		primitives.FrontendService,
		primitives.HistoryService,
		primitives.MatchingService,
		primitives.WorkerService,
	} {
		services[string(name)] = config.Service{RPC: config.RPC{GRPCPort: ports[i], BindOnIP: opts.IP}}
		hosts[name] = static.SingleLocalHost(hostPort(opts.IP, ports[i]))
	}

	conf := &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: opts.IP},
		},
		Persistence: config.Persistence{
			DefaultStore:     "sqlite",
			VisibilityStore:  "sqlite-visibility",
			NumHistoryShards: 1,
			DataStores: map[string]config.DataStore{
				"sqlite":            {SQL: sqlConf},
				"sqlite-visibility": {SQL: visConf},
			},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services,
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		// The worker service dials the frontend through this address.
		PublicClient: config.PublicClient{HostPort: frontend},
	}

	logger, muteLogger := serverLogger(opts.Logger)
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("devserver: new server: %w", err)
	}
	// On failure, Start has already stopped whatever it started.
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("devserver: start: %w", err)
	}
	s := &Server{server: srv, muteLogger: muteLogger, frontend: frontend, namespace: opts.Namespace}

	if err := waitReady(ctx, frontend, namespaces, opts.SearchAttributes); err != nil {
		_ = s.Stop()
		return nil, err
	}
	if len(ports) > 4 {
		if err := s.startUI(ctx, opts.IP, ports[4]); err != nil {
			_ = s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// FrontendHostPort is the host:port SDK clients and workers dial.
func (s *Server) FrontendHostPort() string { return s.frontend }

// UIAddress is the Web UI's base URL, like "http://127.0.0.1:8233", or "" when
// the server runs without a UI.
func (s *Server) UIAddress() string { return s.uiAddress }

// Namespace is the main namespace (Options.Namespace).
func (s *Server) Namespace() string { return s.namespace }

// Stop stops the UI server and then the Temporal services, letting in-flight
// requests finish. Calling it again returns the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.muteLogger()
		if s.ui != nil {
			s.ui.Stop()
			<-s.uiDone
		}
		if err := s.server.Stop(); err != nil {
			s.stopErr = fmt.Errorf("devserver: stop: %w", err)
		}
	})
	return s.stopErr
}

// startUI runs the Web UI server. Its Start blocks until Stop, so it runs in a
// goroutine; this returns once the UI answers its health check.
func (s *Server) startUI(ctx context.Context, ip string, port int) error {
	s.ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                ip,
		Port:                port,
		TemporalGRPCAddress: s.frontend,
		EnableUI:            true,
		DefaultNamespace:    s.namespace,
		// Served over plain HTTP, so its CSRF cookie must not be Secure-only.
		CORS:     uiconfig.CORS{CookieInsecure: true},
		HideLogs: true,
		// No calls to the internet for release news.
		DisableNewsFetch: true,
	}))
	s.uiDone = make(chan struct{})
	go func() {
		defer close(s.uiDone)
		// Start returns nil once Stop closes it; on any other error the UI
		// server exits the process itself, which pickPorts makes unlikely.
		_ = s.ui.Start()
	}()
	s.uiAddress = "http://" + hostPort(ip, port)
	health := s.uiAddress + "/healthz"
	return poll(ctx, "ui server", func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, health, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
}

func withDefaults(opts Options) (Options, error) {
	if opts.IP == "" {
		opts.IP = DefaultIP
	}
	if net.ParseIP(opts.IP) == nil {
		return opts, fmt.Errorf("devserver: IP %q is not an IP address", opts.IP)
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	switch strings.ToLower(opts.SQLiteSync) {
	case "":
		opts.SQLiteSync = SyncFull
	case SyncFull, SyncNormal:
		opts.SQLiteSync = strings.ToLower(opts.SQLiteSync)
	default:
		return opts, fmt.Errorf("devserver: SQLiteSync %q: want %s or %s", opts.SQLiteSync, SyncFull, SyncNormal)
	}
	if opts.FrontendPort < 0 || opts.FrontendPort > 65535 {
		return opts, fmt.Errorf("devserver: bad frontend port %d", opts.FrontendPort)
	}
	if opts.UIPort < -1 || opts.UIPort > 65535 {
		return opts, fmt.Errorf("devserver: bad UI port %d", opts.UIPort)
	}
	seen := map[string]bool{opts.Namespace: true}
	for _, ns := range opts.ExtraNamespaces {
		if ns == "" || seen[ns] {
			return opts, fmt.Errorf("devserver: empty or repeated namespace %q", ns)
		}
		seen[ns] = true
	}
	return opts, nil
}

// pickPorts checks that each port is free on ip, replacing each 0 with a port
// the system picks. All listeners are held until every port is known, so the
// picked ports are distinct.
func pickPorts(ip string, want ...int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, len(want))
	for i, p := range want {
		l, err := net.Listen("tcp", hostPort(ip, p))
		if err != nil {
			return nil, fmt.Errorf("devserver: port %d: %w", p, err)
		}
		listeners = append(listeners, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

func hostPort(ip string, port int) string {
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// serverLogger adapts the caller's logger, or builds one that writes warnings
// and errors to stderr until mute is called. Stopping the server makes its
// services and internal workers log dozens of warnings about closed
// connections, so Stop mutes the default logger first.
func serverLogger(l *zap.Logger) (logger log.Logger, mute func()) {
	if l != nil {
		return log.NewZapLogger(l), func() {}
	}
	level := zap.NewAtomicLevelAt(zapcore.WarnLevel)
	cfg := zap.NewProductionConfig()
	cfg.Level = level
	cfg.Encoding = "console"
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.Sampling = nil
	cfg.DisableStacktrace = true
	zl, err := cfg.Build(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return quietCore{c} }))
	if err != nil {
		return log.NewNoopLogger(), func() {}
	}
	return log.NewZapLogger(zl), func() { level.SetLevel(zapcore.FatalLevel + 1) }
}

// quietCore drops the warnings the server logs on every start of a setup like
// this one, where they call for no action.
type quietCore struct{ zapcore.Core }

var startupNoise = []string{
	"HTTP API port has not been set.", // Nexus is not used
}

// startupRace is what the server's own worker service logs while it dials
// the frontend before the frontend reports healthy, a race of every start
// that resolves itself: entries whose error field holds it are dropped.
const startupRace = "Frontend is not healthy yet"

func (c quietCore) With(fields []zapcore.Field) zapcore.Core {
	return quietCore{c.Core.With(fields)}
}

func (c quietCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	for _, prefix := range startupNoise {
		if strings.HasPrefix(e.Message, prefix) {
			return ce
		}
	}
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c quietCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	for _, f := range fields {
		if err, ok := f.Interface.(error); ok && f.Type == zapcore.ErrorType && strings.Contains(err.Error(), startupRace) {
			return nil
		}
		if f.Type == zapcore.StringType && strings.Contains(f.String, startupRace) {
			return nil
		}
	}
	return c.Core.Write(e, fields)
}

// dynamicConfig is the server's fixed dynamic configuration. Task-processing
// rate limits are left at their defaults on purpose: raising them went with
// 20 s stalls (DESIGN.md), likely the lost notifications described below.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// The frontend's visibility API limit (default 10/s) is shared by the
		// Web UI's polling and weft's own list calls.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// A client waiting for a workflow's result long-polls the history
		// service, which wakes it through a one-slot channel per waiter and
		// drops a notification when the slot is full. Under CPU load a burst of
		// events can drop the closing one, and the waiter then sleeps out the
		// whole long poll: 20 s by default. Clients poll again on expiry, so a
		// short poll bounds the stall. Update waits use the same interval.
		dynamicconfig.HistoryLongPollExpirationInterval.Key(): 2 * time.Second,
	}
}

// poll calls try every 50 ms until it succeeds or ctx is done.
func poll(ctx context.Context, what string, try func(context.Context) error) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := try(attempt)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: waiting for %s: %w", what, errors.Join(ctx.Err(), err))
		case <-tick.C:
		}
	}
}
