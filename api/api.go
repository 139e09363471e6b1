// Package api is weft's HTTP API: a Gin router with one file of routes per
// resource, the middleware every request passes (request id, log, recovery,
// CORS, body limit, rate limits, authentication), and the one table from
// error code to HTTP status.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// Config is the API's configuration.
type Config struct {
	// JWTSecret signs access tokens (HS256).
	JWTSecret []byte
	// AccessExpiry and RefreshExpiry are token lifetimes (15 min, 7 days).
	AccessExpiry  time.Duration
	RefreshExpiry time.Duration
	// RegistrationClosed refuses sign-up (WEFT_REGISTRATION=closed).
	RegistrationClosed bool
	// AllowedOrigins lists origins allowed by CORS and WebSocket checks.
	AllowedOrigins []string
	// MaxBodyBytes caps request bodies (default 16 MiB).
	MaxBodyBytes int64
	// RateLimitRequests per RateLimitDuration per IP and per user; login
	// attempts are limited per account at a tenth of it (at least 5), and
	// per IP at twice that.
	RateLimitRequests int
	RateLimitDuration time.Duration
	// ExecuteWaitTimeout bounds ?wait=true on execute (default 60 s).
	ExecuteWaitTimeout time.Duration
	// TemporalUIURL, when set, gives executions a link to their page in
	// the Temporal Web UI.
	TemporalUIURL string
	// TemporalNamespace is the namespace of the UI links.
	TemporalNamespace string
	// DefaultTimezone is the zone of workflows whose settings name none
	// (GENERIC_TIMEZONE); empty is UTC. Schedules fire in it.
	DefaultTimezone string
	// EncryptionKeys encrypt credentials at rest; without them the
	// credential endpoints answer an internal error.
	EncryptionKeys *persistence.Keyring
	// WebhookURL is the public base URL of webhooks, ending in "/"
	// (WEBHOOK_URL); empty derives it from each request.
	WebhookURL string
	// WebhookTimeout bounds how long a lastNode or responseNode webhook
	// call waits for its answer before 504 (default 60 s).
	WebhookTimeout time.Duration
	// WebhookCredentials resolves the credentials Webhook nodes reference
	// for authenticating callers; nil (or a node referencing none) falls
	// back to the data configured on the node (webhooks.go).
	WebhookCredentials nodes.CredentialSource
	// Bus carries events to the WebSocket clients (GET /api/ws) and takes
	// the API's own (workflow.updated); nil: no events.
	Bus Bus
	// Metrics is the Prometheus registry the API's metrics join and
	// GET /metrics serves; nil: a registry of the API's own.
	Metrics *prometheus.Registry
	// NoMetricsRoute leaves GET /metrics out (METRICS=false, or served on
	// METRICS_PORT instead).
	NoMetricsRoute bool
	// HSTSMaxAge, when set, sends Strict-Transport-Security with this
	// max-age on every answer (HSTS_MAX_AGE; set it when weft is served
	// over TLS, directly or behind a proxy).
	HSTSMaxAge time.Duration
	// TrustedProxies are the addresses (IPs or CIDR ranges) of reverse
	// proxies whose X-Forwarded-For names the client (WEFT_TRUSTED_PROXIES);
	// none by default, so a caller cannot pick the address rate limits and
	// the audit log see.
	TrustedProxies []string
}

func (c *Config) defaults() {
	if c.AccessExpiry == 0 {
		c.AccessExpiry = 15 * time.Minute
	}
	if c.RefreshExpiry == 0 {
		c.RefreshExpiry = 7 * 24 * time.Hour
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 16 << 20
	}
	if c.RateLimitDuration == 0 {
		c.RateLimitDuration = time.Minute
	}
	if c.ExecuteWaitTimeout == 0 {
		c.ExecuteWaitTimeout = 60 * time.Second
	}
	if c.TemporalNamespace == "" {
		c.TemporalNamespace = "default"
	}
	if c.WebhookTimeout == 0 {
		c.WebhookTimeout = 60 * time.Second
	}
	if c.WebhookURL != "" && !strings.HasSuffix(c.WebhookURL, "/") {
		c.WebhookURL += "/"
	}
	if c.Metrics == nil {
		c.Metrics = prometheus.NewRegistry()
	}
}

// Runner starts and controls executions on Temporal. TemporalRunner
// implements it; the API never talks to Temporal otherwise.
type Runner interface {
	// Start starts the interpreter for an execution whose row exists.
	Start(ctx context.Context, req StartRequest) error
	// Cancel cancels a running or waiting execution.
	Cancel(ctx context.Context, executionID string) error
	// Wait blocks until the execution has finished or ctx ends.
	Wait(ctx context.Context, executionID string) error
	// Status returns Temporal's view of an execution: a weft status
	// (running, waiting, success, error, canceled) or a NOT_FOUND error when
	// Temporal has no such workflow.
	Status(ctx context.Context, executionID string) (string, error)
	// Ping checks that Temporal answers.
	Ping(ctx context.Context) error
	// StartForResponse starts an execution for a webhook call answered
	// by a Respond to Webhook node and returns, once it runs, the function
	// that waits for that answer (from the worker in this process, or
	// through Temporal's Update-with-Start).
	StartForResponse(ctx context.Context, req StartRequest) (func(context.Context) (*temporal.WebhookReply, error), error)
	// StartForEnd starts an execution for a webhook call answered when it
	// ends (lastNode) and returns the function that waits for its end.
	StartForEnd(ctx context.Context, req StartRequest) (func(context.Context) error, error)
}

// StartRequest is what Runner.Start needs.
type StartRequest struct {
	Execution    *persistence.Execution
	WorkflowName string
	Definition   *nodes.Workflow
	TriggerItems []nodes.Item
	// RetryOf, when set, is the failed execution whose successful node
	// outputs are reused.
	RetryOf string
	// StartNode, when set, is the trigger node to start from.
	StartNode string
	// Webhook describes the webhook call that starts the execution.
	Webhook *temporal.WebhookTrigger
}

// Server is the HTTP API.
type Server struct {
	cfg        Config
	db         *persistence.DB
	runner     Runner
	log        *zap.Logger
	validate   *validator.Validate
	expr       *expr.Engine
	ipLimit    *limiter
	userLimit  *limiter
	loginLimit *limiter
	// loginIPLimit bounds login attempts per IP address, whatever the
	// account (twice the per-account rate).
	loginIPLimit *limiter
	engine       *gin.Engine
	// activators register the triggers of workflows being activated
	// (activation.go).
	activators []activator
	// hub relays bus events to WebSocket clients (ws.go).
	hub     *hub
	metrics *apiMetrics
	// defs caches encoded definitions by version id (workflowcache.go).
	defs *defCache
	// tokens remembers verified access tokens (auth.go).
	tokens *verifiedTokens
	// views holds buffers for workflow answers (workflowcache.go).
	views sync.Pool
}

// New returns the API server.
func New(cfg Config, db *persistence.DB, runner Runner, log *zap.Logger) *Server {
	cfg.defaults()
	if log == nil {
		log = zap.NewNop()
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, db: db, runner: runner, log: log, validate: validator.New(validator.WithRequiredStructEnabled()),
		expr: expr.New(expr.Options{}), hub: newHub(), metrics: newAPIMetrics(cfg.Metrics),
		defs: newDefCache(defCacheBytes), tokens: newVerifiedTokens(maxVerifiedTokens)}
	if cfg.Bus != nil {
		cfg.Bus.Subscribe(s.hub.dispatch)
	}
	s.validate.RegisterTagNameFunc(func(f reflectStructField) string { return jsonName(f) })
	if cfg.RateLimitRequests > 0 {
		s.ipLimit = newLimiter(cfg.RateLimitRequests, cfg.RateLimitDuration)
		s.userLimit = newLimiter(cfg.RateLimitRequests, cfg.RateLimitDuration)
		s.loginLimit = newLimiter(max(cfg.RateLimitRequests/10, 5), cfg.RateLimitDuration)
		s.loginIPLimit = newLimiter(2*max(cfg.RateLimitRequests/10, 5), cfg.RateLimitDuration)
	}
	s.activators = append(s.activators, recursionCheck{})
	s.activators = append(s.activators, scheduleActivator{s})
	s.activators = append(s.activators, webhookActivator{})
	s.engine = s.routes()
	return s
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.engine }

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		s.log.Error("WEFT_TRUSTED_PROXIES: no proxy is trusted", zap.Error(err))
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.observeRequests(), withRequestID(), s.logRequests(), s.recovery(), s.securityHeaders(), s.cors(), s.limitBody(), s.limitIP())
	r.NoRoute(func(c *gin.Context) {
		s.writeError(c, nodes.Errorf(nodes.CodeNotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		s.writeErrorStatus(c, http.StatusMethodNotAllowed, invalid("method %s is not allowed here", c.Request.Method))
	})
	r.GET("/healthz", s.health)
	s.waitingRoutes(r)
	if !s.cfg.NoMetricsRoute {
		r.GET("/metrics", s.metricsHandler())
	}

	a := r.Group("/api")
	auth := a.Group("/auth")
	auth.POST("/register", s.register)
	auth.POST("/login", s.login)
	auth.POST("/refresh", s.refresh)
	auth.POST("/logout", s.logout)
	s.realtimeRoutes(a)
	s.docRoutes(a)

	p := a.Group("", s.requireAuth(), s.limitUser())
	p.GET("/auth/me", s.me)
	s.workflowRoutes(p)
	s.nodeRoutes(p)
	s.executionRoutes(p)
	s.scheduleRoutes(p)
	s.credentialRoutes(p)
	s.webhookRoutes(r, p)
	p.GET("/audit", s.requireAdmin(), s.listAudit)
	return r
}

// bind decodes a JSON body into dst and validates it; on failure it answers
// and returns false. An empty body decodes as {}.
func (s *Server) bind(c *gin.Context, dst any) bool {
	if err := decodeJSON(c.Request.Body, dst); err != nil {
		s.writeError(c, err)
		return false
	}
	if err := s.validate.Struct(dst); err != nil {
		s.writeError(c, validationError(err))
		return false
	}
	return true
}

// decodeJSON reads one JSON value; an empty body leaves dst as it is.
func decodeJSON(r io.Reader, dst any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(dst); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return invalid("request body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return invalid("request body holds more than one JSON value")
	}
	return nil
}

func validationError(err error) error {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return invalid("%v", err)
	}
	fields := map[string]any{}
	var msgs []string
	for _, fe := range ves {
		msg := fe.Field() + " " + describeRule(fe)
		fields[fe.Field()] = describeRule(fe)
		msgs = append(msgs, msg)
	}
	return invalid("%s", strings.Join(msgs, "; ")).WithDetail("fields", fields)
}

func describeRule(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an email address"
	case "min":
		return "must be at least " + fe.Param() + " characters"
	case "max":
		return "must be at most " + fe.Param() + " characters"
	case "oneof":
		return "must be one of " + fe.Param()
	}
	return "is invalid (" + fe.Tag() + ")"
}

// audit records a critical operation; a failure is logged, not returned.
func (s *Server) audit(c *gin.Context, actor, action, objectType, objectID string, details map[string]any) {
	if err := s.db.Audit(c.Request.Context(), actor, action, objectType, objectID, c.ClientIP(), details); err != nil {
		s.log.Warn("audit write failed", zap.String("action", action), zap.Error(err))
	}
}

// list is the shape of every list answer.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

func pageOf(c *gin.Context) (persistence.Page, error) {
	p := persistence.Page{Cursor: c.Query("cursor")}
	if l := c.Query("limit"); l != "" {
		n, err := atoi(l)
		if err != nil || n < 1 || n > 250 {
			return p, invalid("limit must be a number between 1 and 250").WithDetail("limit", l)
		}
		p.Limit = n
	}
	return p, nil
}

func (s *Server) listAudit(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := persistence.AuditFilter{Action: c.Query("action"), ActorID: c.Query("actor_id"), ObjectType: c.Query("object_type"),
		ObjectID: c.Query("object_id"), Page: page}
	for _, b := range []struct {
		param string
		dst   **time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := c.Query(b.param); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.writeError(c, invalid("%s must be an RFC 3339 time", b.param))
				return
			}
			*b.dst = &t
		}
	}
	entries, next, err := s.db.ListAudit(c.Request.Context(), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[persistence.AuditEntry]{Data: entries, NextCursor: next})
}

func (s *Server) health(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "temporal": "ok"}
	status := http.StatusOK
	if err := s.db.Ping(ctx); err != nil {
		checks["database"] = "unreachable"
		status = http.StatusServiceUnavailable
	}
	if s.runner == nil {
		checks["temporal"] = "not configured"
		status = http.StatusServiceUnavailable
	} else if err := s.runner.Ping(ctx); err != nil {
		checks["temporal"] = "unreachable"
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, gin.H{"status": map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK], "checks": checks})
}
