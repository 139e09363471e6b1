package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/weft/weft/persistence/dbtest"
)

// The weft binary the end-to-end tests run, built once by the first of
// them into binDir, which TestMain removes.
var (
	binDir   string
	buildBin sync.Once
	binPath  string
	binErr   error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// weftBinary builds the weft binary (once per test run) and returns its
// path.
func weftBinary(t *testing.T) string {
	t.Helper()
	buildBin.Do(func() {
		binDir, binErr = os.MkdirTemp("", "weft-e2e-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "weft")
		build := exec.Command("go", "build", "-o", binPath, ".")
		out, err := build.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("build weft: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// freePort returns a TCP port that was free a moment ago on loopback.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lockedBuffer is a bytes.Buffer safe for a process writing while a test
// reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveConfig is what a `weft serve` process is started with. The same
// config started twice reuses the data dir, the database and the ports.
type serveConfig struct {
	dataDir                    string
	port, temporalPort, uiPort int
	databaseURL                string
	jwtSecret, encryptionKey   string
}

// databases returns one serveConfig per database the tests run against:
// SQLite in the data dir always, and PostgreSQL (a fresh schema) when
// WEFT_TEST_POSTGRES_URL is set. Every config has its own data dir and
// free ports.
func databases(t *testing.T) map[string]func(t *testing.T) serveConfig {
	t.Helper()
	out := map[string]func(t *testing.T) serveConfig{"sqlite": func(t *testing.T) serveConfig { return newServeConfig(t, "") }}
	if os.Getenv(dbtest.PostgresEnv) != "" {
		out["postgres"] = func(t *testing.T) serveConfig { return newServeConfig(t, dbtest.PostgresURL(t)) }
	}
	return out
}

// eachDatabase runs f once per database (see databases).
func eachDatabase(t *testing.T, f func(t *testing.T, cfg serveConfig)) {
	t.Helper()
	for name, mk := range databases(t) {
		t.Run(name, func(t *testing.T) { f(t, mk(t)) })
	}
}

func newServeConfig(t *testing.T, databaseURL string) serveConfig {
	t.Helper()
	c := serveConfig{dataDir: t.TempDir(), port: freePort(t), temporalPort: freePort(t), uiPort: freePort(t), databaseURL: databaseURL}
	if databaseURL != "" {
		c.jwtSecret = strings.Repeat("j", 40)
		c.encryptionKey = strings.Repeat("k", 40)
	}
	return c
}

// env is the process environment: the test's, minus anything that would
// point weft elsewhere, plus the config.
func (c serveConfig) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "PORT", "WEFT_DATA_DIR", "WEFT_TEMPORAL_PORT", "WEFT_TEMPORAL_UI_PORT", "TEMPORAL_ADDRESS",
			"TEMPORAL_NAMESPACE", "DATABASE_URL", "DB_HOST", "JWT_SECRET", "ENCRYPTION_KEY", "LOG_FORMAT",
			"LOG_LEVEL", "WEFT_REGISTRATION", "RATE_LIMIT_REQUESTS":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"PORT="+strconv.Itoa(c.port), "WEFT_DATA_DIR="+c.dataDir,
		"WEFT_TEMPORAL_PORT="+strconv.Itoa(c.temporalPort), "WEFT_TEMPORAL_UI_PORT="+strconv.Itoa(c.uiPort),
		"LOG_LEVEL=info", "RATE_LIMIT_REQUESTS=100000")
	if c.databaseURL != "" {
		env = append(env, "DATABASE_URL="+c.databaseURL, "JWT_SECRET="+c.jwtSecret, "ENCRYPTION_KEY="+c.encryptionKey)
	}
	return env
}

// weftProcess is a running `weft serve`.
type weftProcess struct {
	t    *testing.T
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{}
	// err is cmd.Wait's result, set when done is closed.
	err  error
	base string
}

// startWeft starts `weft serve` with cfg and waits until GET /healthz
// answers 200. The process is killed at the end of the test if it still
// runs.
func startWeft(t *testing.T, cfg serveConfig) *weftProcess {
	t.Helper()
	return startRole(t, cfg, "serve", nil)
}

// startRole starts `weft ROLE` with cfg's environment plus extra, and waits
// until it is ready: GET /healthz answers 200 for the roles with an API, the
// start-up log line for the worker.
func startRole(t *testing.T, cfg serveConfig, role string, extra []string) *weftProcess {
	t.Helper()
	p := &weftProcess{t: t, log: &lockedBuffer{}, done: make(chan struct{}),
		base: "http://127.0.0.1:" + strconv.Itoa(cfg.port)}
	p.cmd = exec.Command(weftBinary(t), role)
	p.cmd.Env = append(cfg.env(), extra...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("weft %s (pid %d) output:\n%s", role, p.cmd.Process.Pid, p.log.String())
		}
	})
	ready := func() bool {
		if role == "worker" {
			return strings.Contains(p.log.String(), "weft is running")
		}
		resp, err := http.Get(p.base + "/healthz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-p.done:
			t.Fatalf("weft %s exited before it was ready (%v):\n%s", role, p.err, p.log.String())
		default:
		}
		if ready() {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("weft %s did not become ready:\n%s", role, p.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signal sends sig and waits up to limit for the process to exit; it
// returns the exit code.
func (p *weftProcess) signal(sig os.Signal, limit time.Duration) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(limit):
		p.t.Fatalf("weft serve did not exit within %s of %v", limit, sig)
	}
	var exit *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal())
		}
		return exit.ExitCode()
	}
	p.t.Fatal(p.err)
	return -1
}

// apiClient calls a weft process's HTTP API as one user.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

// call sends a JSON request and returns the status and body. body may be
// nil, a string or []byte (sent as is) or anything json.Marshal takes.
func (c *apiClient) call(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// must calls and fails the test unless the status is want; it decodes the
// body into v when v is not nil.
func (c *apiClient) must(want int, method, path string, body, v any) {
	c.t.Helper()
	status, out := c.call(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, out, err)
		}
	}
}

// register signs a new user up and returns a client acting as them.
func register(t *testing.T, base, email string) *apiClient {
	t.Helper()
	c := &apiClient{t: t, base: base}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	c.must(http.StatusCreated, "POST", "/api/auth/register", map[string]any{"email": email, "password": "correct horse battery"}, &tokens)
	if tokens.AccessToken == "" {
		t.Fatal("register returned no access token")
	}
	c.token = tokens.AccessToken
	return c
}

// execution is an execution as the API shows it.
type execution struct {
	ID              string     `json:"id"`
	WorkflowID      string     `json:"workflow_id"`
	Status          string     `json:"status"`
	Mode            string     `json:"mode"`
	StartedAt       time.Time  `json:"started_at"`
	FinishedAt      *time.Time `json:"finished_at"`
	ExecutionTimeMs *int64     `json:"execution_time_ms"`
	Error           *string    `json:"error"`
}

// tcpProxy forwards TCP connections to a target, and can be cut off: the
// end-to-end tests put one between weft and PostgreSQL to take the
// database away from a running process.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	l     net.Listener
	conns map[net.Conn]struct{}
}

// newTCPProxy listens on a free loopback port and forwards to target.
func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, target: target, conns: map[net.Conn]struct{}{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	p.serve(l)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(l net.Listener) {
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *tcpProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
	_, _ = io.Copy(c, up)
	_ = c.Close()
}

// cut closes the listener and every forwarded connection.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		_ = p.l.Close()
		p.l = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// restore listens again on the same address.
func (p *tcpProxy) restore() {
	p.t.Helper()
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(l)
}
