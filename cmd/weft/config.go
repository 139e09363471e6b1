package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// config is everything the server roles read from the environment.
type config struct {
	Port            int
	DataDir         string
	TemporalAddress string
	Namespace       string
	TemporalPort    int
	TemporalUIPort  int
	DatabaseURL     string
	JWTSecret       string
	EncryptionKey   string
	// EncryptionKeysOld still decrypt credentials written before a key
	// rotation (ENCRYPTION_KEYS_OLD, comma-separated).
	EncryptionKeysOld []string
	// EncryptionKeyNew is the key `weft credentials rotate-key` moves
	// credentials to (ENCRYPTION_KEY_NEW).
	EncryptionKeyNew string
	// NetPolicy is what the HTTP Request node may reach
	// (WEFT_HTTP_ALLOW_PRIVATE, WEFT_HTTP_ALLOW_HOSTS).
	NetPolicy       nodes.NetPolicy
	AccessExpiry    time.Duration
	RefreshExpiry   time.Duration
	RegistrationOff bool
	AllowedOrigins  []string
	RateRequests    int
	RateDuration    time.Duration
	LogLevel        string
	LogFormat       string
	// Timezone is GENERIC_TIMEZONE: the zone of workflows that name none
	// (schedules and dates); empty is UTC.
	Timezone string
	// PublicURL is the base URL callers reach weft at (WEBHOOK_URL, as
	// n8n names it, or WEFT_PUBLIC_URL; default http://localhost:PORT):
	// resume URLs are built on it.
	PublicURL string
	// WebhookURL is the public base URL of webhooks (WEBHOOK_URL) and
	// WebhookTimeout how long a webhook call waits for its answer
	// (WEFT_WEBHOOK_TIMEOUT).
	WebhookURL     string
	WebhookTimeout time.Duration
	// HTTPReadHeaderTimeout, HTTPReadTimeout and HTTPIdleTimeout bound how
	// long the API server waits for a request's headers, for the whole
	// request with its body, and for the next request on a kept-alive
	// connection (WEFT_HTTP_READ_HEADER_TIMEOUT, default 10s;
	// WEFT_HTTP_READ_TIMEOUT, 60s; WEFT_HTTP_IDLE_TIMEOUT, 2m): a slow
	// client cannot hold connections open.
	HTTPReadHeaderTimeout time.Duration
	HTTPReadTimeout       time.Duration
	HTTPIdleTimeout       time.Duration
	// HSTSMaxAge, when set, sends Strict-Transport-Security (HSTS_MAX_AGE,
	// e.g. 8760h; unset: none).
	HSTSMaxAge time.Duration
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed
	// (WEFT_TRUSTED_PROXIES, comma-separated IPs or CIDR ranges).
	TrustedProxies []string
	// Metrics serves GET /metrics (METRICS, default true); MetricsPort,
	// when set, serves it on a port of its own instead of the API's (the
	// only way to scrape `weft worker`).
	Metrics     bool
	MetricsPort int
	// TemporalUIURL is the Temporal Web UI executions link to
	// (TEMPORAL_UI_URL); the embedded server's UI when empty.
	TemporalUIURL string
	// TemporalTLSCert and TemporalTLSKey are PEM files of a client
	// certificate for mTLS (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY);
	// TemporalTLSCA a CA bundle to verify the server with instead of the
	// system's (TEMPORAL_TLS_CA); TemporalTLSServerName overrides the name
	// checked (TEMPORAL_TLS_SERVER_NAME).
	TemporalTLSCert, TemporalTLSKey, TemporalTLSCA, TemporalTLSServerName string
	// TemporalAPIKey authenticates to Temporal Cloud with an API key
	// (TEMPORAL_API_KEY); it implies TLS.
	TemporalAPIKey string
	// TemporalTLS turns TLS on without a client certificate
	// (TEMPORAL_TLS=true); implied by the options above.
	TemporalTLS bool
	// Prune, PruneMaxAge and PruneMaxCount are execution data retention
	// (EXECUTIONS_DATA_PRUNE, EXECUTIONS_DATA_MAX_AGE in hours,
	// EXECUTIONS_DATA_PRUNE_MAX_COUNT, 0 for no limit), n8n's settings.
	Prune         bool
	PruneMaxAge   time.Duration
	PruneMaxCount int
	// DBMaxOpenConns and DBMaxIdleConns size the app database's connection
	// pool (DB_MAX_OPEN_CONNS, DB_MAX_IDLE_CONNS; 0 keeps the defaults:
	// 20 open for PostgreSQL, 8 for SQLite, idle as many as open).
	DBMaxOpenConns, DBMaxIdleConns int
	// TemporalSQLiteSync is the embedded Temporal server's SQLite
	// synchronous setting (WEFT_TEMPORAL_SQLITE_SYNC): full (default) or
	// normal, faster but not durable through a power loss.
	TemporalSQLiteSync string
	// external is true when DATABASE_URL (or DB_HOST) names a database:
	// then the secrets must come from the environment.
	external bool
}

// loadConfig reads the environment. getenv is os.Getenv in production.
func loadConfig(getenv func(string) string) (*config, error) {
	c := &config{
		DataDir:          or(getenv("WEFT_DATA_DIR"), ".weft"),
		TemporalAddress:  getenv("TEMPORAL_ADDRESS"),
		Namespace:        or(getenv("TEMPORAL_NAMESPACE"), "default"),
		DatabaseURL:      getenv("DATABASE_URL"),
		JWTSecret:        getenv("JWT_SECRET"),
		EncryptionKey:    getenv("ENCRYPTION_KEY"),
		EncryptionKeyNew: strings.TrimSpace(getenv("ENCRYPTION_KEY_NEW")),
		RegistrationOff:  strings.EqualFold(getenv("WEFT_REGISTRATION"), "closed"),
		LogLevel:         or(getenv("LOG_LEVEL"), "info"),
		LogFormat:        or(getenv("LOG_FORMAT"), "console"),
		Timezone:         getenv("GENERIC_TIMEZONE"),
		WebhookURL:       getenv("WEBHOOK_URL"),
		TemporalUIURL:    strings.TrimRight(getenv("TEMPORAL_UI_URL"), "/"),
		TemporalTLSCert:  getenv("TEMPORAL_TLS_CERT"),
		TemporalTLSKey:   getenv("TEMPORAL_TLS_KEY"),
		TemporalTLSCA:    getenv("TEMPORAL_TLS_CA"),
		TemporalAPIKey:   getenv("TEMPORAL_API_KEY"),

		TemporalTLSServerName: getenv("TEMPORAL_TLS_SERVER_NAME"),
	}
	var errs []error
	intVar := func(name string, def int, dst *int) {
		v := getenv(name)
		if v == "" {
			*dst = def
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535*1000 {
			errs = append(errs, fmt.Errorf("%s=%q is not a valid number", name, v))
			return
		}
		*dst = n
	}
	durVar := func(name string, def time.Duration, dst *time.Duration) {
		v := getenv(name)
		if v == "" {
			*dst = def
			return
		}
		d, err := parseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q is not a valid duration (e.g. 15m, 168h, 7d)", name, v))
			return
		}
		*dst = d
	}
	intVar("PORT", 8080, &c.Port)
	intVar("WEFT_TEMPORAL_PORT", 7233, &c.TemporalPort)
	intVar("WEFT_TEMPORAL_UI_PORT", 8233, &c.TemporalUIPort)
	intVar("RATE_LIMIT_REQUESTS", 600, &c.RateRequests)
	intVar("METRICS_PORT", 0, &c.MetricsPort)
	intVar("DB_MAX_OPEN_CONNS", 0, &c.DBMaxOpenConns)
	intVar("DB_MAX_IDLE_CONNS", 0, &c.DBMaxIdleConns)
	switch v := strings.ToLower(getenv("WEFT_TEMPORAL_SQLITE_SYNC")); v {
	case "", "full", "normal":
		c.TemporalSQLiteSync = v
	default:
		errs = append(errs, fmt.Errorf("WEFT_TEMPORAL_SQLITE_SYNC=%q: want full or normal", v))
	}
	switch strings.ToLower(getenv("METRICS")) {
	case "", "true", "1", "on", "yes":
		c.Metrics = true
	case "false", "0", "off", "no":
	default:
		errs = append(errs, fmt.Errorf("METRICS=%q: want true or false", getenv("METRICS")))
	}
	durVar("RATE_LIMIT_DURATION", time.Minute, &c.RateDuration)
	durVar("JWT_ACCESS_EXPIRY", 15*time.Minute, &c.AccessExpiry)
	durVar("JWT_REFRESH_EXPIRY", 7*24*time.Hour, &c.RefreshExpiry)
	durVar("WEFT_WEBHOOK_TIMEOUT", time.Minute, &c.WebhookTimeout)
	durVar("WEFT_HTTP_READ_HEADER_TIMEOUT", 10*time.Second, &c.HTTPReadHeaderTimeout)
	durVar("WEFT_HTTP_READ_TIMEOUT", time.Minute, &c.HTTPReadTimeout)
	durVar("WEFT_HTTP_IDLE_TIMEOUT", 2*time.Minute, &c.HTTPIdleTimeout)
	durVar("HSTS_MAX_AGE", 0, &c.HSTSMaxAge)
	boolVar := func(name string, def bool, dst *bool) {
		switch v := strings.ToLower(strings.TrimSpace(getenv(name))); v {
		case "":
			*dst = def
		case "true", "1", "yes":
			*dst = true
		case "false", "0", "no":
			*dst = false
		default:
			errs = append(errs, fmt.Errorf("%s=%q is not true or false", name, v))
		}
	}
	boolVar("TEMPORAL_TLS", false, &c.TemporalTLS)
	boolVar("EXECUTIONS_DATA_PRUNE", true, &c.Prune)
	var maxAgeHours int
	intVar("EXECUTIONS_DATA_MAX_AGE", 336, &maxAgeHours)
	c.PruneMaxAge = time.Duration(maxAgeHours) * time.Hour
	intVar("EXECUTIONS_DATA_PRUNE_MAX_COUNT", 10000, &c.PruneMaxCount)
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		errs = append(errs, errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together"))
	}
	if c.TemporalUIURL != "" {
		if u, err := url.Parse(c.TemporalUIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("TEMPORAL_UI_URL=%q is not an http(s) URL", c.TemporalUIURL))
		}
	}
	if c.DBMaxIdleConns > 0 && c.DBMaxOpenConns > 0 && c.DBMaxIdleConns > c.DBMaxOpenConns {
		errs = append(errs, fmt.Errorf("DB_MAX_IDLE_CONNS=%d exceeds DB_MAX_OPEN_CONNS=%d", c.DBMaxIdleConns, c.DBMaxOpenConns))
	}
	for _, p := range strings.Split(getenv("WEFT_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				errs = append(errs, fmt.Errorf("WEFT_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p))
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	for _, o := range strings.Split(getenv("ALLOWED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
		}
	}
	if c.DatabaseURL == "" && getenv("DB_HOST") != "" {
		u := url.URL{Scheme: "postgres", Host: getenv("DB_HOST") + ":" + or(getenv("DB_PORT"), "5432"),
			Path: "/" + or(getenv("DB_NAME"), "weft"), RawQuery: "sslmode=" + or(getenv("DB_SSLMODE"), "disable")}
		if user := getenv("DB_USER"); user != "" {
			u.User = url.UserPassword(user, getenv("DB_PASSWORD"))
		}
		c.DatabaseURL = u.String()
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			errs = append(errs, fmt.Errorf("GENERIC_TIMEZONE=%q is not a known IANA time zone", c.Timezone))
		}
	}
	for _, k := range strings.Split(getenv("ENCRYPTION_KEYS_OLD"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.EncryptionKeysOld = append(c.EncryptionKeysOld, k)
		}
	}
	np, err := nodes.ParseNetPolicy(getenv("WEFT_HTTP_ALLOW_PRIVATE"), getenv("WEFT_HTTP_ALLOW_HOSTS"))
	if err != nil {
		errs = append(errs, err)
	}
	c.NetPolicy = np
	c.PublicURL = strings.TrimRight(or(getenv("WEBHOOK_URL"), or(getenv("WEFT_PUBLIC_URL"), "http://localhost:"+strconv.Itoa(c.Port))), "/")
	c.external = c.DatabaseURL != ""
	return c, errors.Join(errs...)
}

// checkSecrets refuses to serve without secrets when the database is
// external (several processes must share them), and refuses short ones.
func (c *config) checkSecrets() error {
	var errs []error
	if c.external {
		if c.JWTSecret == "" {
			errs = append(errs, errors.New("JWT_SECRET is required when DATABASE_URL is set (at least 32 characters)"))
		}
		if c.EncryptionKey == "" {
			errs = append(errs, errors.New("ENCRYPTION_KEY is required when DATABASE_URL is set (at least 32 characters)"))
		}
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("JWT_SECRET must be at least 32 characters"))
	}
	if c.EncryptionKey != "" && len(c.EncryptionKey) < 32 {
		errs = append(errs, errors.New("ENCRYPTION_KEY must be at least 32 characters"))
	}
	for i, k := range c.EncryptionKeysOld {
		if len(k) < 32 {
			errs = append(errs, fmt.Errorf("ENCRYPTION_KEYS_OLD: key %d must be at least 32 characters", i+1))
		}
	}
	if c.EncryptionKeyNew != "" && len(c.EncryptionKeyNew) < 32 {
		errs = append(errs, errors.New("ENCRYPTION_KEY_NEW must be at least 32 characters"))
	}
	return errors.Join(errs...)
}

// keyring is the credential keyring: ENCRYPTION_KEY writes, it and
// ENCRYPTION_KEYS_OLD read.
func (c *config) keyring() (*persistence.Keyring, error) {
	return persistence.NewKeyring(c.EncryptionKey, c.EncryptionKeysOld...)
}

// parseDuration is time.ParseDuration plus a whole number of days ("7d").
func parseDuration(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// databaseDSN is the app database: DATABASE_URL, or SQLite in the data dir.
func (c *config) databaseDSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "weft.db")
}

// ensureSecrets fills JWT_SECRET and ENCRYPTION_KEY from files in the data
// dir, generating them once, when the environment does not set them
// (embedded mode only; loadConfig refuses their absence otherwise).
func (c *config) ensureSecrets(log *zap.Logger) error {
	for _, s := range []struct {
		name, file string
		dst        *string
	}{{"JWT_SECRET", "jwt_secret", &c.JWTSecret}, {"ENCRYPTION_KEY", "encryption_key", &c.EncryptionKey}} {
		if *s.dst != "" {
			continue
		}
		path := filepath.Join(c.DataDir, s.file)
		b, err := os.ReadFile(path)
		switch {
		case err == nil && len(strings.TrimSpace(string(b))) >= 32:
			*s.dst = strings.TrimSpace(string(b))
		case err == nil || errors.Is(err, os.ErrNotExist):
			if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
				return err
			}
			var raw [32]byte
			if _, err := rand.Read(raw[:]); err != nil {
				return err
			}
			*s.dst = hex.EncodeToString(raw[:])
			if err := os.WriteFile(path, []byte(*s.dst+"\n"), 0o600); err != nil {
				return fmt.Errorf("keep generated %s: %w", s.name, err)
			}
			log.Warn(s.name+" is not set: generated one and kept it in the data dir; set it explicitly in production",
				zap.String("file", path))
		default:
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	return nil
}

// newLogger builds the zap logger LOG_LEVEL and LOG_FORMAT ask for, writing
// to stderr.
func newLogger(level, format string) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL=%q: %w", level, err)
	}
	var cfg zap.Config
	switch format {
	case "json":
		cfg = zap.NewProductionConfig()
	case "console":
		cfg = zap.NewDevelopmentConfig()
		cfg.DisableStacktrace = true
	default:
		return nil, fmt.Errorf("LOG_FORMAT=%q: want json or console", format)
	}
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.OutputPaths = []string{"stderr"}
	cfg.ErrorOutputPaths = []string{"stderr"}
	return cfg.Build()
}
