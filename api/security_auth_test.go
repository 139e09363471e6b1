package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/weft/weft/persistence"
)

// attack is one refused request and the follow-up that must succeed after
// it: the server refuses the attack and keeps serving.
type attack struct {
	scenario
	// then is the follow-up; its status must be 2xx.
	then scenario
}

// runAttacks runs each attack and its follow-up.
func (a *testAPI) runAttacks(attacks []attack) {
	a.t.Helper()
	for _, at := range attacks {
		a.t.Run(at.name, func(t *testing.T) {
			sub := &testAPI{t: t, srv: a.srv, db: a.db}
			sub.run([]scenario{at.scenario})
			then := at.then
			then.name = "then " + then.name
			if then.status == 0 {
				then.status = http.StatusOK
			}
			sub.run([]scenario{then})
		})
	}
}

// alter changes one character in the middle of a token's part (0 header,
// 1 claims, 2 signature).
func alter(token string, part int) string {
	parts := strings.Split(token, ".")
	p := []byte(parts[part])
	i := len(p) / 2
	if p[i] == 'A' {
		p[i] = 'B'
	} else {
		p[i] = 'A'
	}
	parts[part] = string(p)
	return strings.Join(parts, ".")
}

// TestSecurityJWT: forged, misused, stale and oversized access tokens are
// 401; tokens of a session that logged out, of a refresh family that was
// replayed, or of a deactivated user stop working at once. After each
// refusal a valid token still works.
func TestSecurityJWT(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		ann := a.register("ann@example.com")
		bob := a.register("bob@example.com")
		secret := a.srv.cfg.JWTSecret
		sid := func() string { p, _ := a.srv.parseAccess(bob.AccessToken); return p.Session }()
		claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
			now := time.Now()
			c := jwt.MapClaims{"sub": bob.User.ID, "iss": "weft", "typ": "access", "sid": sid, "email": "bob@example.com", "role": "admin",
				"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
			if mut != nil {
				mut(c)
			}
			return c
		}
		rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
		pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
		unsigned := func(alg string) string {
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","typ":"JWT"}`))
			b := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":%q,"iss":"weft","typ":"access","sid":%q,"exp":9999999999}`, bob.User.ID, sid)))
			return h + "." + b + "."
		}
		me := scenario{name: "me", method: "GET", url: "/api/auth/me", token: bob.AccessToken, contains: []string{`"email":"bob@example.com"`, `"role":"member"`}}
		forged := func(name, token string) attack {
			return attack{scenario: scenario{name: name, method: "GET", url: "/api/auth/me", token: token, status: 401, contains: []string{`"code":"UNAUTHORIZED"`}}, then: me}
		}
		a.runAttacks([]attack{
			forged("alg none", unsigned("none")),
			forged("alg NONE", unsigned("NONE")),
			forged("HS256 with a wrong key", sign(t, jwt.SigningMethodHS256, []byte("not-the-secret"), claims(nil))),
			forged("HS256 keyed with the RSA public key (alg confusion)", sign(t, jwt.SigningMethodHS256, pubPEM, claims(nil))),
			forged("RS256", sign(t, jwt.SigningMethodRS256, rsaKey, claims(nil))),
			forged("ES256", sign(t, jwt.SigningMethodES256, ecKey, claims(nil))),
			forged("HS512 with the right key", sign(t, jwt.SigningMethodHS512, secret, claims(nil))),
			forged("HS384 with the right key", sign(t, jwt.SigningMethodHS384, secret, claims(nil))),
			forged("refresh token as access token", bob.RefreshToken),
			forged("typ refresh", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["typ"] = "refresh" }))),
			forged("other issuer", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "n8n" }))),
			forged("expired", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }))),
			forged("not yet valid (nbf)", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }))),
			forged("issued in the future (iat)", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() }))),
			forged("no expiry", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") }))),
			forged("no session", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "sid") }))),
			forged("unknown session", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sid"] = "00000000-0000-0000-0000-000000000000" }))),
			forged("someone else's session", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) {
				p, _ := a.srv.parseAccess(ann.AccessToken)
				c["sid"] = p.Session
				c["sub"] = "no-such-user"
			}))),
			// bob's token was verified above (sid) and is remembered as
			// verified: nothing but its exact text may profit from that.
			forged("bob's token, its signature altered", alter(bob.AccessToken, 2)),
			forged("bob's token, its claims altered", alter(bob.AccessToken, 1)),
			forged("100 KB of dots", strings.Repeat(".", 100<<10)),
			forged("three empty parts", ".."),
			forged("not base64", "a$b.c$d.e$f"),
		})

		// Over real HTTP, a huge Authorization header is answered at once
		// (401 under the header limit, 431 over it), and the server serves on.
		srv := httptest.NewServer(a.srv.Handler())
		defer srv.Close()
		for _, n := range []int{100 << 10, 2 << 20} {
			req, _ := http.NewRequest("GET", srv.URL+"/api/auth/me", nil)
			req.Header.Set("Authorization", "Bearer "+strings.Repeat(".", n))
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%d bytes of dots: %v", n, err)
			}
			resp.Body.Close()
			if (resp.StatusCode != 401 && resp.StatusCode != 431) || time.Since(start) > 5*time.Second {
				t.Fatalf("%d bytes of dots: %d after %v", n, resp.StatusCode, time.Since(start))
			}
			req, _ = http.NewRequest("GET", srv.URL+"/api/auth/me", nil)
			req.Header.Set("Authorization", "Bearer "+bob.AccessToken)
			if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
				t.Fatalf("follow-up after %d bytes: %v %v", n, resp, err)
			}
			resp.Body.Close()
		}

		login := func(email string) tokenPair {
			t.Helper()
			w, body := a.do("POST", "/api/auth/login", "", map[string]any{"email": email, "password": "correct horse battery"}, nil)
			if w.Code != 200 {
				t.Fatalf("login: %d %s", w.Code, body)
			}
			var p tokenPair
			a.json(body, &p)
			return p
		}

		// Logout ends the session's access token at once (it carries its
		// refresh family, checked on every request), not the other
		// sessions of the user.
		s1, s2 := login("bob@example.com"), login("bob@example.com")
		a.runAttacks([]attack{
			{scenario: scenario{name: "logout", method: "POST", url: "/api/auth/logout", token: s1.AccessToken, body: map[string]any{"refresh_token": s1.RefreshToken}, status: 204},
				then: scenario{name: "other session lives", method: "GET", url: "/api/auth/me", token: s2.AccessToken}},
			{scenario: scenario{name: "access token after logout", method: "GET", url: "/api/auth/me", token: s1.AccessToken, status: 401},
				then: scenario{name: "other session lives", method: "GET", url: "/api/auth/me", token: s2.AccessToken}},
			{scenario: scenario{name: "refresh after logout", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": s1.RefreshToken}, status: 401},
				then: scenario{name: "other session refreshes", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": s2.RefreshToken}}},
		})
		// Logout with the access token only ends its session too.
		s3 := login("bob@example.com")
		a.runAttacks([]attack{
			{scenario: scenario{name: "logout without refresh token", method: "POST", url: "/api/auth/logout", token: s3.AccessToken, status: 204},
				then: me},
			{scenario: scenario{name: "its access token is dead", method: "GET", url: "/api/auth/me", token: s3.AccessToken, status: 401},
				then: me},
			{scenario: scenario{name: "its refresh token is dead", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": s3.RefreshToken}, status: 401},
				then: me},
		})

		// A replayed refresh token revokes its whole family: the rotated
		// token and every access token of the login.
		s4 := login("bob@example.com")
		w, body := a.do("POST", "/api/auth/refresh", "", map[string]any{"refresh_token": s4.RefreshToken}, nil)
		if w.Code != 200 {
			t.Fatalf("refresh: %d %s", w.Code, body)
		}
		var rotated tokenPair
		a.json(body, &rotated)
		a.runAttacks([]attack{
			{scenario: scenario{name: "replayed refresh token", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": s4.RefreshToken}, status: 401, contains: []string{"reuse"}},
				then: me},
			{scenario: scenario{name: "rotated refresh token revoked", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": rotated.RefreshToken}, status: 401},
				then: me},
			{scenario: scenario{name: "family's new access token revoked", method: "GET", url: "/api/auth/me", token: rotated.AccessToken, status: 401},
				then: me},
			{scenario: scenario{name: "family's first access token revoked", method: "GET", url: "/api/auth/me", token: s4.AccessToken, status: 401},
				then: me},
		})

		// A deactivated user's live tokens stop working at once.
		carl := a.register("carl@example.com")
		u, err := db.UserByID(t.Context(), carl.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		u.Active = false
		if err := db.UpdateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		a.runAttacks([]attack{
			{scenario: scenario{name: "deactivated user's access token", method: "GET", url: "/api/auth/me", token: carl.AccessToken, status: 401, contains: []string{"deactivated"}},
				then: me},
			{scenario: scenario{name: "deactivated user's refresh token", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": carl.RefreshToken}, status: 401},
				then: me},
			{scenario: scenario{name: "deactivated user's login", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "carl@example.com", "password": "correct horse battery"}, status: 401},
				then: me},
		})
	})
}

// clock is a settable time for the rate limiters.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// freezeLimiters makes every limiter of the server read clk, so what a test
// sees does not depend on how long bcrypt takes under load.
func freezeLimiters(s *Server, clk *clock) {
	for _, l := range []*limiter{s.ipLimit, s.userLimit, s.loginLimit, s.loginIPLimit} {
		if l != nil {
			l.now = clk.now
		}
	}
}

// loginFrom posts a login from the client address ip.
func (a *testAPI) loginFrom(ip, email, password string, header map[string]string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest("POST", "/api/auth/login", strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = ip + ":40000"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	a.srv.Handler().ServeHTTP(w, req)
	return w
}

// TestSecurityLoginBruteForce: failed logins are limited per account and
// per client address (RATE_LIMIT_REQUESTS/10 per RATE_LIMIT_DURATION per
// account, at least 5; twice that per address), with 429 and Retry-After;
// X-Forwarded-For does not reset the address; the limit lifts with time.
// The limiters read a frozen clock, so the test is deterministic.
func TestSecurityLoginBruteForce(t *testing.T) {
	db := dbtestSQLite(t)
	a := newTestAPI(t, db, nil, func(c *Config) { c.RateLimitRequests = 50; c.RateLimitDuration = time.Minute })
	clk := &clock{t: time.Now()}
	freezeLimiters(a.srv, clk)
	a.register("ann@example.com")
	a.register("bob@example.com")
	const pw = "correct horse battery"

	// Per account: 5 attempts from 5 addresses, the 6th from a sixth is 429,
	// even with the right password.
	for i := range 5 {
		if w := a.loginFrom(fmt.Sprintf("198.51.100.%d", i+1), "ann@example.com", "wrong password!", nil); w.Code != 401 {
			t.Fatalf("attempt %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := a.loginFrom("198.51.100.9", "ANN@example.com", pw, nil)
	if w.Code != 429 || w.Header().Get("Retry-After") != "12" || !strings.Contains(w.Body.String(), `"code":"RATE_LIMIT"`) {
		t.Fatalf("6th attempt on the account: %d Retry-After %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	// Follow-up: another account from the same address logs in.
	if w := a.loginFrom("198.51.100.9", "bob@example.com", pw, nil); w.Code != 200 {
		t.Fatalf("other account: %d %s", w.Code, w.Body)
	}
	// After Retry-After, the account may try again.
	clk.advance(12 * time.Second)
	if w := a.loginFrom("198.51.100.9", "ann@example.com", pw, nil); w.Code != 200 {
		t.Fatalf("after Retry-After: %d %s", w.Code, w.Body)
	}

	// Per address: 10 attempts on 10 accounts from one address, the 11th
	// is 429, whatever X-Forwarded-For says.
	for i := range 10 {
		if w := a.loginFrom("203.0.113.7", fmt.Sprintf("user%d@example.com", i), "guess", nil); w.Code != 401 {
			t.Fatalf("spray %d: %d %s", i, w.Code, w.Body)
		}
	}
	for _, h := range []map[string]string{nil, {"X-Forwarded-For": "192.0.2.55"}, {"X-Real-IP": "192.0.2.56"}} {
		w := a.loginFrom("203.0.113.7", "user99@example.com", "guess", h)
		if w.Code != 429 || w.Header().Get("Retry-After") != "6" {
			t.Fatalf("11th attempt from the address (%v): %d Retry-After %q", h, w.Code, w.Header().Get("Retry-After"))
		}
	}
	// Follow-up: another address is not limited.
	if w := a.loginFrom("203.0.113.8", "bob@example.com", pw, nil); w.Code != 200 {
		t.Fatalf("other address: %d %s", w.Code, w.Body)
	}
	clk.advance(6 * time.Second)
	if w := a.loginFrom("203.0.113.7", "bob@example.com", pw, nil); w.Code != 200 {
		t.Fatalf("address after Retry-After: %d %s", w.Code, w.Body)
	}
}

// TestSecurityTrustedProxy: behind a configured proxy, X-Forwarded-For
// names the client, so two clients behind it have buckets of their own.
func TestSecurityTrustedProxy(t *testing.T) {
	a := newTestAPI(t, dbtestSQLite(t), nil, func(c *Config) {
		c.RateLimitRequests = 50
		c.TrustedProxies = []string{"10.0.0.0/8"}
	})
	clk := &clock{t: time.Now()}
	freezeLimiters(a.srv, clk)
	for i := range 10 {
		a.loginFrom("10.0.0.1", fmt.Sprintf("u%d@example.com", i), "guess", map[string]string{"X-Forwarded-For": "192.0.2.1"})
	}
	if w := a.loginFrom("10.0.0.1", "x@example.com", "guess", map[string]string{"X-Forwarded-For": "192.0.2.1"}); w.Code != 429 {
		t.Fatalf("client behind the proxy not limited: %d", w.Code)
	}
	if w := a.loginFrom("10.0.0.1", "x@example.com", "guess", map[string]string{"X-Forwarded-For": "192.0.2.2"}); w.Code != 401 {
		t.Fatalf("another client behind the proxy: %d", w.Code)
	}
}

// TestSecurityRegistrationClosed: with WEFT_REGISTRATION=closed sign-up is
// 403 however the request is dressed, and existing users still log in.
func TestSecurityRegistrationClosed(t *testing.T) {
	db := dbtestSQLite(t)
	newTestAPI(t, db, nil, nil).register("admin@example.com")
	a := newTestAPI(t, db, nil, func(c *Config) { c.RegistrationClosed = true })
	login := scenario{name: "login", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "admin@example.com", "password": "correct horse battery"}}
	a.runAttacks([]attack{
		{scenario: scenario{name: "register", method: "POST", url: "/api/auth/register", body: map[string]any{"email": "new@example.com", "password": "long enough pw"}, status: 403}, then: login},
		{scenario: scenario{name: "register as admin", method: "POST", url: "/api/auth/register", body: map[string]any{"email": "new@example.com", "password": "long enough pw", "role": "admin"}, status: 403}, then: login},
		{scenario: scenario{name: "register through another method", method: "PUT", url: "/api/auth/register", body: map[string]any{"email": "new@example.com", "password": "long enough pw"}, status: 405}, then: login},
	})
	if _, err := db.UserByEmail(t.Context(), "new@example.com"); err == nil {
		t.Fatal("a user was created while registration is closed")
	}
}
