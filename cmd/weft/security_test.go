package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSecuritySlowClients: the API's HTTP server disconnects a client that
// sends its headers a byte at a time (slowloris) or stops in the middle of
// its body, and keeps answering other clients meanwhile and afterwards.
func TestSecuritySlowClients(t *testing.T) {
	cfg := &config{HTTPReadHeaderTimeout: 300 * time.Millisecond, HTTPReadTimeout: 600 * time.Millisecond, HTTPIdleTimeout: time.Second}
	srv := apiHTTPServer(cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, "body", http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()

	// closedWithin reports whether the server closed conn within d while
	// the client trickles what remains of send, a byte every 50 ms.
	closedWithin := func(conn net.Conn, send string, d time.Duration) bool {
		deadline := time.Now().Add(d)
		go func() {
			for i := range len(send) {
				if _, err := conn.Write([]byte{send[i]}); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		_ = conn.SetReadDeadline(deadline)
		buf := make([]byte, 512)
		for {
			_, err := conn.Read(buf)
			if err == nil {
				continue // a 408 or 400 before the close is fine
			}
			var ne net.Error
			return !(errors.As(err, &ne) && ne.Timeout())
		}
	}
	follow := func(step string) {
		t.Helper()
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("%s: follow-up request: %v", step, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "ok" {
			t.Fatalf("%s: follow-up answered %d %s", step, resp.StatusCode, b)
		}
	}

	t.Run("headers sent slowly", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		slow := "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Slow: aaaaaaaaaa\r\n", 20) + "\r\n"
		if !closedWithin(conn, slow, 3*time.Second) {
			t.Fatal("the server kept a connection whose headers never ended")
		}
		follow("headers")
	})
	t.Run("body sent slowly", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if !closedWithin(conn, strings.Repeat("a", 1000), 3*time.Second) {
			t.Fatal("the server kept a connection whose body never ended")
		}
		follow("body")
	})
	t.Run("idle keep-alive connection", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("first request: %v", err)
		}
		resp.Body.Close()
		if !closedWithin(conn, "", 3*time.Second) {
			t.Fatal("the server kept an idle connection past its idle timeout")
		}
		follow("idle")
	})
}

// TestSecurityHTTPServerDefaults: weft serve's server has its timeouts set
// by default, and the environment changes them.
func TestSecurityHTTPServerDefaults(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srv := apiHTTPServer(cfg, http.NotFoundHandler())
	if srv.ReadHeaderTimeout != 10*time.Second || srv.ReadTimeout != time.Minute || srv.IdleTimeout != 2*time.Minute || cfg.HSTSMaxAge != 0 {
		t.Fatalf("defaults: %+v", srv)
	}
	env := map[string]string{"WEFT_HTTP_READ_HEADER_TIMEOUT": "2s", "WEFT_HTTP_READ_TIMEOUT": "30s", "WEFT_HTTP_IDLE_TIMEOUT": "5s", "HSTS_MAX_AGE": "8760h"}
	cfg, err = loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	srv = apiHTTPServer(cfg, http.NotFoundHandler())
	if srv.ReadHeaderTimeout != 2*time.Second || srv.ReadTimeout != 30*time.Second || srv.IdleTimeout != 5*time.Second || cfg.HSTSMaxAge != 8760*time.Hour {
		t.Fatalf("from the environment: %+v", srv)
	}
}
