package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.TemporalPort != 7233 || c.TemporalUIPort != 8233 || c.DataDir != ".weft" ||
		c.Namespace != "default" || c.AccessExpiry != 15*time.Minute || c.RefreshExpiry != 168*time.Hour || c.external ||
		!c.Metrics || c.MetricsPort != 0 {
		t.Fatalf("defaults = %+v", c)
	}
	if err := c.checkSecrets(); err != nil {
		t.Fatalf("embedded mode needs no secrets: %v", err)
	}
	c, err = loadConfig(envOf(map[string]string{"DB_MAX_OPEN_CONNS": "12", "DB_MAX_IDLE_CONNS": "3", "WEFT_TEMPORAL_SQLITE_SYNC": "NORMAL"}))
	if err != nil || c.DBMaxOpenConns != 12 || c.DBMaxIdleConns != 3 || c.TemporalSQLiteSync != "normal" {
		t.Fatalf("pool and sync settings: %+v, %v", c, err)
	}
	if got := c.databaseDSN(); got != filepath.Join(".weft", "weft.db") {
		t.Fatalf("dsn %q", got)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad port", map[string]string{"PORT": "eighty"}, "PORT"},
		{"bad duration", map[string]string{"JWT_ACCESS_EXPIRY": "15"}, "JWT_ACCESS_EXPIRY"},
		{"bad metrics switch", map[string]string{"METRICS": "maybe"}, "METRICS"},
		{"bad metrics port", map[string]string{"METRICS_PORT": "ninety"}, "METRICS_PORT"},
		{"database without secrets", map[string]string{"DATABASE_URL": "postgres://x@h/db"}, "JWT_SECRET is required"},
		{"database without encryption key", map[string]string{"DATABASE_URL": "postgres://x@h/db", "JWT_SECRET": strings.Repeat("s", 32)}, "ENCRYPTION_KEY is required"},
		{"short secret", map[string]string{"JWT_SECRET": "short"}, "at least 32"},
		{"bad allow private", map[string]string{"WEFT_HTTP_ALLOW_PRIVATE": "maybe"}, "WEFT_HTTP_ALLOW_PRIVATE"},
		{"bad allow list", map[string]string{"WEFT_HTTP_ALLOW_HOSTS": "10.0.0.0/99"}, "WEFT_HTTP_ALLOW_HOSTS"},
		{"short old key", map[string]string{"ENCRYPTION_KEYS_OLD": "short"}, "ENCRYPTION_KEYS_OLD"},
		{"bad pool size", map[string]string{"DB_MAX_OPEN_CONNS": "-1"}, "DB_MAX_OPEN_CONNS"},
		{"idle above open", map[string]string{"DB_MAX_OPEN_CONNS": "4", "DB_MAX_IDLE_CONNS": "8"}, "DB_MAX_IDLE_CONNS"},
		{"bad temporal sync", map[string]string{"WEFT_TEMPORAL_SQLITE_SYNC": "off"}, "WEFT_TEMPORAL_SQLITE_SYNC"},
		{"DB_HOST means external", map[string]string{"DB_HOST": "db", "DB_USER": "weft", "DB_PASSWORD": "p@ss"}, "JWT_SECRET is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadConfig(envOf(c.env))
			if err == nil {
				err = cfg.checkSecrets()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error naming %q", err, c.want)
			}
		})
	}
}

func TestDurationsAcceptDays(t *testing.T) {
	c, err := loadConfig(envOf(map[string]string{"JWT_REFRESH_EXPIRY": "7d", "JWT_ACCESS_EXPIRY": "10m"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RefreshExpiry != 7*24*time.Hour || c.AccessExpiry != 10*time.Minute {
		t.Fatalf("expiries %v %v", c.RefreshExpiry, c.AccessExpiry)
	}
	if _, err := loadConfig(envOf(map[string]string{"JWT_REFRESH_EXPIRY": "xd"})); err == nil {
		t.Fatal("xd accepted")
	}
}

func TestDBVariablesBuildURL(t *testing.T) {
	c, err := loadConfig(envOf(map[string]string{"DB_HOST": "db.local", "DB_PORT": "6543", "DB_USER": "weft", "DB_PASSWORD": "p@ss/w", "DB_NAME": "flows"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://weft:p%40ss%2Fw@db.local:6543/flows?sslmode=disable" {
		t.Fatalf("url %q", c.DatabaseURL)
	}
}

func TestEnsureSecretsGeneratesOnceAndKeeps(t *testing.T) {
	dir := t.TempDir()
	c := &config{DataDir: dir}
	if err := c.ensureSecrets(zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	if len(c.JWTSecret) < 32 || len(c.EncryptionKey) < 32 || c.JWTSecret == c.EncryptionKey {
		t.Fatalf("secrets %q %q", c.JWTSecret, c.EncryptionKey)
	}
	info, err := os.Stat(filepath.Join(dir, "jwt_secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", info, err)
	}
	again := &config{DataDir: dir}
	if err := again.ensureSecrets(zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	if again.JWTSecret != c.JWTSecret || again.EncryptionKey != c.EncryptionKey {
		t.Fatal("a restart generated new secrets instead of reading the kept ones")
	}
	set := &config{DataDir: t.TempDir(), JWTSecret: strings.Repeat("x", 40)}
	if err := set.ensureSecrets(zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	if set.JWTSecret != strings.Repeat("x", 40) {
		t.Fatal("an explicit JWT_SECRET was replaced")
	}
	if _, err := os.Stat(filepath.Join(set.DataDir, "jwt_secret")); !os.IsNotExist(err) {
		t.Fatal("an explicit secret was written to disk")
	}
}
