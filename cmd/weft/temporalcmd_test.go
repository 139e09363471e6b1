package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/weft/weft/temporal"
	"github.com/weft/weft/temporal/devserver"
)

// TestTemporalSetup registers weft's search attributes on a Temporal server
// that lacks them, as on an external cluster, and again (idempotent).
func TestTemporalSetup(t *testing.T) {
	srv, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, Namespace: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	t.Setenv("TEMPORAL_ADDRESS", srv.FrontendHostPort())
	t.Setenv("TEMPORAL_NAMESPACE", "ops")
	t.Setenv("LOG_LEVEL", "warn")
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: "ops", Logger: temporal.SDKLogger(zap.NewNop())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	custom := func() map[string]bool {
		res, err := c.OperatorService().ListSearchAttributes(context.Background(), &operatorservice.ListSearchAttributesRequest{Namespace: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for name := range res.GetCustomAttributes() {
			out[name] = true
		}
		return out
	}
	if custom()["WeftWorkflowId"] {
		t.Fatal("the fresh namespace already has WeftWorkflowId")
	}
	for i := range 2 {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), []string{"temporal", "setup"}, &stdout, &stderr); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "WeftTriggerMode") {
			t.Fatalf("output %q", stdout.String())
		}
	}
	have := custom()
	for name := range temporal.SearchAttributes() {
		if !have[name] {
			t.Errorf("search attribute %s is not registered (have %v)", name, have)
		}
	}

	var stderr bytes.Buffer
	if code := Main(context.Background(), []string{"temporal", "nonsense"}, &stderr, &stderr); code != 2 {
		t.Fatalf("bad usage exit %d", code)
	}
}

// TestTemporalConnectionConfig: TLS with a client certificate, a CA
// bundle, an API key (which implies TLS), and the errors of half a pair.
func TestTemporalConnectionConfig(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir)

	c, err := loadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := c.temporalClientOptions("localhost:7233", zap.NewNop())
	if err != nil || opts.ConnectionOptions.TLS != nil || opts.Credentials != nil {
		t.Fatalf("default: plain gRPC expected, got tls=%v creds=%v err=%v", opts.ConnectionOptions.TLS, opts.Credentials, err)
	}

	c, err = loadConfig(envOf(map[string]string{"TEMPORAL_ADDRESS": "ns.acct.tmprl.cloud:7233", "TEMPORAL_NAMESPACE": "ns.acct",
		"TEMPORAL_TLS_CERT": cert, "TEMPORAL_TLS_KEY": key, "TEMPORAL_TLS_CA": cert, "TEMPORAL_TLS_SERVER_NAME": "ns.acct.tmprl.cloud"}))
	if err != nil {
		t.Fatal(err)
	}
	opts, err = c.temporalClientOptions(c.TemporalAddress, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	tc := opts.ConnectionOptions.TLS
	if tc == nil || len(tc.Certificates) != 1 || tc.RootCAs == nil || tc.ServerName != "ns.acct.tmprl.cloud" || opts.Namespace != "ns.acct" {
		t.Fatalf("mTLS options %+v", opts)
	}

	c, err = loadConfig(envOf(map[string]string{"TEMPORAL_ADDRESS": "eu-west-1.aws.api.temporal.io:7233", "TEMPORAL_API_KEY": "k-123"}))
	if err != nil {
		t.Fatal(err)
	}
	opts, err = c.temporalClientOptions(c.TemporalAddress, zap.NewNop())
	if err != nil || opts.Credentials == nil || opts.ConnectionOptions.TLS == nil || len(opts.ConnectionOptions.TLS.Certificates) != 0 {
		t.Fatalf("API key options: creds=%v tls=%v err=%v", opts.Credentials, opts.ConnectionOptions.TLS, err)
	}

	if _, err := loadConfig(envOf(map[string]string{"TEMPORAL_TLS_CERT": cert})); err == nil || !strings.Contains(err.Error(), "TEMPORAL_TLS_KEY") {
		t.Fatalf("cert without key: %v", err)
	}
	c, err = loadConfig(envOf(map[string]string{"TEMPORAL_TLS_CERT": cert, "TEMPORAL_TLS_KEY": filepath.Join(dir, "missing.pem")}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.temporalClientOptions("x:1", zap.NewNop()); err == nil || !strings.Contains(err.Error(), "TEMPORAL_TLS_CERT") {
		t.Fatalf("missing key file: %v", err)
	}
	if _, err := loadConfig(envOf(map[string]string{"TEMPORAL_UI_URL": "temporal:8080"})); err == nil {
		t.Fatal("TEMPORAL_UI_URL without scheme accepted")
	}
}

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "weft"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestExternalTemporalUILinks: `weft api` on an external Temporal links
// executions to TEMPORAL_UI_URL.
func TestExternalTemporalUILinks(t *testing.T) {
	srv, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, SearchAttributes: temporal.SearchAttributes()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	cfg, err := loadConfig(envOf(map[string]string{"WEFT_DATA_DIR": t.TempDir(), "PORT": "0",
		"TEMPORAL_ADDRESS": srv.FrontendHostPort(), "TEMPORAL_UI_URL": "https://temporal.example.com/"}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := start(context.Background(), cfg, zap.NewNop(), roles{api: true})
	if s != nil {
		defer s.stop()
	}
	if err != nil {
		t.Fatal(err)
	}
	c := register(t, "http://"+s.listener.Addr().String(), "ann@example.com")
	var created struct {
		ID string `json:"id"`
	}
	c.must(201, "POST", "/api/workflows", map[string]any{"name": "w", "nodes": []any{
		map[string]any{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": []any{0, 0}, "parameters": map[string]any{}},
	}, "connections": map[string]any{}}, &created)
	var x struct {
		ID          string `json:"id"`
		TemporalURL string `json:"temporal_ui_url"`
	}
	c.must(201, "POST", "/api/workflows/"+created.ID+"/execute", nil, &x)
	if want := "https://temporal.example.com/namespaces/default/workflows/weft-exec-" + x.ID; x.TemporalURL != want {
		t.Fatalf("temporal_ui_url %q, want %q", x.TemporalURL, want)
	}
}
