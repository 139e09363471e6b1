package api

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/weft/weft/persistence"
)

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAuthScenarios(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		ann := a.register("ann@example.com")
		if ann.User.Role != persistence.RoleAdmin {
			t.Fatalf("first user is %s, want admin", ann.User.Role)
		}
		bob := a.register("bob@example.com")
		if bob.User.Role != persistence.RoleMember || bob.ExpiresIn != 900 {
			t.Fatalf("second user = %+v", bob)
		}
		secret := a.srv.cfg.JWTSecret
		claimsFor := func(mut func(jwt.MapClaims)) jwt.MapClaims {
			now := time.Now()
			c := jwt.MapClaims{"sub": ann.User.ID, "iss": "weft", "typ": "access", "sid": "whatever",
				"email": "ann@example.com", "role": "admin", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
			if mut != nil {
				mut(c)
			}
			return c
		}
		// The real session id of ann's login, for forged-but-otherwise-valid tokens.
		p, _ := a.srv.parseAccess(ann.AccessToken)
		sid := p.Session
		noneToken := func() string {
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
			b := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"` + ann.User.ID + `","iss":"weft","typ":"access","sid":"` + sid + `","exp":9999999999}`))
			return h + "." + b + "."
		}()
		a.run([]scenario{
			{name: "me", method: "GET", url: "/api/auth/me", token: ann.AccessToken, status: 200, contains: []string{`"email":"ann@example.com"`, `"role":"admin"`}, absent: []string{"password"}},
			{name: "no token", method: "GET", url: "/api/auth/me", status: 401, contains: []string{`"code":"UNAUTHORIZED"`}},
			{name: "garbage token", method: "GET", url: "/api/auth/me", token: "abc.def.ghi", status: 401},
			{name: "alg none", method: "GET", url: "/api/auth/me", token: noneToken, status: 401},
			{name: "wrong key", method: "GET", url: "/api/auth/me", token: sign(t, jwt.SigningMethodHS256, []byte("not-the-secret"), claimsFor(func(c jwt.MapClaims) { c["sid"] = sid })), status: 401},
			{name: "HS512 with the right key", method: "GET", url: "/api/auth/me", token: sign(t, jwt.SigningMethodHS512, secret, claimsFor(func(c jwt.MapClaims) { c["sid"] = sid })), status: 401},
			{name: "expired", method: "GET", url: "/api/auth/me", token: sign(t, jwt.SigningMethodHS256, secret, claimsFor(func(c jwt.MapClaims) { c["sid"] = sid; c["exp"] = time.Now().Add(-time.Minute).Unix() })), status: 401},
			{name: "not yet valid", method: "GET", url: "/api/auth/me", token: sign(t, jwt.SigningMethodHS256, secret, claimsFor(func(c jwt.MapClaims) { c["sid"] = sid; c["nbf"] = time.Now().Add(time.Hour).Unix() })), status: 401},
			{name: "no expiry", method: "GET", url: "/api/auth/me", token: sign(t, jwt.SigningMethodHS256, secret, claimsFor(func(c jwt.MapClaims) { c["sid"] = sid; delete(c, "exp") })), status: 401},
			{name: "unknown session", method: "GET", url: "/api/auth/me", token: sign(t, jwt.SigningMethodHS256, secret, claimsFor(nil)), status: 401},
			{name: "forged with right key and live session is accepted", method: "GET", url: "/api/auth/me", token: sign(t, jwt.SigningMethodHS256, secret, claimsFor(func(c jwt.MapClaims) { c["sid"] = sid })), status: 200},
			{name: "refresh token as access token", method: "GET", url: "/api/auth/me", token: ann.RefreshToken, status: 401},
			{name: "100 KB of dots", method: "GET", url: "/api/auth/me", token: strings.Repeat(".", 100<<10), status: 401},
			{name: "register duplicate", method: "POST", url: "/api/auth/register", body: map[string]any{"email": "ANN@example.com", "password": "long enough pw"}, status: 409, contains: []string{`"code":"CONFLICT"`}},
			{name: "register short password", method: "POST", url: "/api/auth/register", body: map[string]any{"email": "c@example.com", "password": "short"}, status: 400, contains: []string{`"password"`}},
			{name: "register bad email", method: "POST", url: "/api/auth/register", body: map[string]any{"email": "nope", "password": "long enough pw"}, status: 400},
			{name: "register bad json", method: "POST", url: "/api/auth/register", body: `{"email":`, status: 400, contains: []string{"not valid JSON"}},
			{name: "register mass assignment", method: "POST", url: "/api/auth/register", body: map[string]any{"email": "eve@example.com", "password": "long enough pw", "role": "admin", "id": "00000000-0000-0000-0000-000000000000", "active": true}, status: 201, contains: []string{`"role":"member"`}, absent: []string{"00000000-0000-0000-0000-000000000000"}},
			{name: "login wrong password", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "ann@example.com", "password": "wrong password"}, status: 401},
			{name: "login unknown user", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "nobody@example.com", "password": "wrong password"}, status: 401},
			{name: "login", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "Ann@Example.com", "password": "correct horse battery"}, status: 200, contains: []string{`"access_token"`, `"refresh_token"`, `"expires_in":900`, `"user"`}},
			{name: "audit for members", method: "GET", url: "/api/audit", token: bob.AccessToken, status: 403, contains: []string{`"code":"FORBIDDEN"`}},
			{name: "audit for admins", method: "GET", url: "/api/audit", token: ann.AccessToken, status: 200, contains: []string{`"user.login_failed"`, `"user.register"`}},
			{name: "unknown route", method: "GET", url: "/api/nope", token: ann.AccessToken, status: 404},
			{name: "wrong method", method: "DELETE", url: "/api/auth/login", status: 405},
		})
	})
}

func TestRefreshRotationReuseAndLogout(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		a := newTestAPI(t, db, nil, nil)
		first := a.register("ann@example.com")

		w, body := a.do("POST", "/api/auth/refresh", "", map[string]any{"refresh_token": first.RefreshToken}, nil)
		if w.Code != 200 {
			t.Fatalf("refresh: %d %s", w.Code, body)
		}
		var second tokenPair
		a.json(body, &second)
		if second.RefreshToken == first.RefreshToken {
			t.Fatal("refresh did not rotate the token")
		}
		// Replaying the first refresh token is reuse: the family dies,
		// including the second token and the access tokens of the login.
		a.run([]scenario{
			{name: "replayed refresh token", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": first.RefreshToken}, status: 401, contains: []string{"reuse"}},
			{name: "rotated token revoked too", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": second.RefreshToken}, status: 401},
			{name: "access token of the family ended", method: "GET", url: "/api/auth/me", token: second.AccessToken, status: 401},
		})

		// Logout ends the session: its access token stops working at once.
		w, body = a.do("POST", "/api/auth/login", "", map[string]any{"email": "ann@example.com", "password": "correct horse battery"}, nil)
		if w.Code != 200 {
			t.Fatalf("login: %d %s", w.Code, body)
		}
		var s tokenPair
		a.json(body, &s)
		a.run([]scenario{
			{name: "before logout", method: "GET", url: "/api/auth/me", token: s.AccessToken, status: 200},
			{name: "logout", method: "POST", url: "/api/auth/logout", token: s.AccessToken, body: map[string]any{"refresh_token": s.RefreshToken}, status: 204},
			{name: "after logout", method: "GET", url: "/api/auth/me", token: s.AccessToken, status: 401},
			{name: "refresh after logout", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": s.RefreshToken}, status: 401},
		})
	})
}

func TestDeactivatedUserAndClosedRegistration(t *testing.T) {
	db := dbtestSQLite(t)
	a := newTestAPI(t, db, nil, nil)
	a.register("admin@example.com")
	bob := a.register("bob@example.com")
	u, err := db.UserByID(t.Context(), bob.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	u.Active = false
	if err := db.UpdateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	a.run([]scenario{
		{name: "token of deactivated user", method: "GET", url: "/api/auth/me", token: bob.AccessToken, status: 401, contains: []string{"deactivated"}},
		{name: "login of deactivated user", method: "POST", url: "/api/auth/login", body: map[string]any{"email": "bob@example.com", "password": "correct horse battery"}, status: 401},
		{name: "refresh of deactivated user", method: "POST", url: "/api/auth/refresh", body: map[string]any{"refresh_token": bob.RefreshToken}, status: 401},
	})
	closed := newTestAPI(t, db, nil, func(c *Config) { c.RegistrationClosed = true })
	closed.run([]scenario{
		{name: "closed registration", method: "POST", url: "/api/auth/register", body: map[string]any{"email": "new@example.com", "password": "long enough pw"}, status: 403},
	})
}
