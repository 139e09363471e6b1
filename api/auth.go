package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

const (
	userKey     = "weft.user"
	bcryptCost  = 12
	issuer      = "weft"
	maxTokenLen = 4096
)

// accessClaims are the claims of an access token.
type accessClaims struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// Session is the refresh-token family the token was issued with;
	// logging out revokes the family and so ends the access token too.
	Session string `json:"sid"`
	Type    string `json:"typ"`
	jwt.RegisteredClaims
}

// tokenPair is what login, register and refresh answer.
type tokenPair struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	TokenType    string    `json:"token_type"`
	ExpiresIn    int       `json:"expires_in"`
	User         *userView `json:"user"`
}

type userView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

func viewUser(u *persistence.User) *userView {
	return &userView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Active: u.Active, CreatedAt: u.CreatedAt}
}

// issueTokens creates an access token and a refresh token of family
// (a new family when empty).
func (s *Server) issueTokens(ctx context.Context, u *persistence.User, family string) (*tokenPair, error) {
	refresh, err := randomToken()
	if err != nil {
		return nil, err
	}
	family, err = s.db.SaveRefreshToken(ctx, u.ID, family, refresh, time.Now().Add(s.cfg.RefreshExpiry))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	claims := accessClaims{
		Email: u.Email, Role: u.Role, Session: family, Type: "access",
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: u.ID, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.AccessExpiry)), ID: family + "." + refresh[:8],
		},
	}
	access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.cfg.JWTSecret)
	if err != nil {
		return nil, err
	}
	return &tokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(s.cfg.AccessExpiry.Seconds()), User: viewUser(u)}, nil
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

var errBadToken = nodes.Errorf(nodes.CodeUnauthorized, "invalid or expired access token")

// tokenLeeway is the clock skew allowed on a token's times.
const tokenLeeway = 5 * time.Second

// parseAccess verifies an access token: HS256 only, our issuer, not expired
// and already valid, of type access. The claims are shared: read only.
func (s *Server) parseAccess(token string) (*accessClaims, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, errBadToken
	}
	if c, ok := s.tokens.get(token, time.Now()); ok {
		return c, nil
	}
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(tokenLeeway))
	if err != nil || claims.Type != "access" || claims.Subject == "" || claims.Session == "" {
		return nil, errBadToken
	}
	s.tokens.put(token, &claims)
	return &claims, nil
}

// verifiedTokens remembers access tokens that passed parseAccess, by their
// exact text, so a client's next requests skip decoding and the HMAC (5 %
// of the CPU of serving a read under load). Only the signature's verdict
// is remembered: expiry is checked at every hit, and authenticate still
// reads the user and the session from the database for every request, so
// logout and deactivation end a token at its next request, as before.
type verifiedTokens struct {
	mu     sync.Mutex
	max    int
	claims map[string]*accessClaims
}

// maxVerifiedTokens bounds the tokens kept (each at most maxTokenLen
// bytes, in practice ~400).
const maxVerifiedTokens = 4096

func newVerifiedTokens(n int) *verifiedTokens {
	return &verifiedTokens{max: n, claims: map[string]*accessClaims{}}
}

// get returns the claims of a token verified before that has not expired
// at now (with the leeway parseAccess allows).
func (v *verifiedTokens) get(token string, now time.Time) (*accessClaims, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.claims[token]
	if !ok {
		return nil, false
	}
	if !now.Before(c.ExpiresAt.Add(tokenLeeway)) {
		delete(v.claims, token)
		return nil, false
	}
	return c, true
}

// put remembers a verified token; when full, an arbitrary one goes.
func (v *verifiedTokens) put(token string, c *accessClaims) {
	if c.ExpiresAt == nil {
		return // parseAccess requires an expiry; never remember one without
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.claims) >= v.max {
		for k := range v.claims {
			delete(v.claims, k)
			break
		}
	}
	v.claims[token] = c
}

// bearer extracts the token from "Authorization: Bearer …".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate resolves a token to an active user whose session is live.
func (s *Server) authenticate(ctx context.Context, token string) (*persistence.User, error) {
	claims, err := s.parseAccess(token)
	if err != nil {
		return nil, err
	}
	u, live, err := s.db.SessionUser(ctx, claims.Subject, claims.Session)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			return nil, errBadToken
		}
		return nil, err
	}
	if !u.Active {
		return nil, nodes.Errorf(nodes.CodeUnauthorized, "user is deactivated")
	}
	if !live {
		return nil, nodes.Errorf(nodes.CodeUnauthorized, "session has ended")
	}
	return u, nil
}

// requireAuth lets only authenticated users through.
func (s *Server) requireAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		u, err := s.authenticate(c.Request.Context(), bearer(c.Request))
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="weft"`)
			s.writeError(c, err)
			return
		}
		c.Set(userKey, u)
		c.Next()
	}
}

// requireAdmin lets only admins through (after requireAuth).
func (s *Server) requireAdmin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if u := currentUser(c); u == nil || u.Role != persistence.RoleAdmin {
			s.writeError(c, nodes.Errorf(nodes.CodeForbidden, "admin role required"))
			return
		}
		c.Next()
	}
}

func currentUser(c *gin.Context) *persistence.User {
	u, _ := c.Get(userKey)
	user, _ := u.(*persistence.User)
	return user
}

func scopeOf(c *gin.Context) persistence.Scope {
	u := currentUser(c)
	return persistence.Scope{UserID: u.ID, Admin: u.Role == persistence.RoleAdmin}
}

type registerBody struct {
	Email    string `json:"email" validate:"required,email,max=254"`
	Password string `json:"password" validate:"required,min=8,max=72"`
	Name     string `json:"name" validate:"max=200"`
}

func (s *Server) register(c *gin.Context) {
	if s.cfg.RegistrationClosed {
		s.writeError(c, nodes.Errorf(nodes.CodeForbidden, "registration is closed"))
		return
	}
	var body registerBody
	if !s.bind(c, &body) {
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(body.Password), bcryptCost)
	if err != nil {
		s.writeError(c, err)
		return
	}
	u := &persistence.User{Email: body.Email, Name: body.Name, PasswordHash: string(hash), Active: true}
	if err := s.db.CreateUser(c.Request.Context(), u); err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, u.ID, persistence.AuditUserRegister, "user", u.ID, nil)
	pair, err := s.issueTokens(c.Request.Context(), u, "")
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, pair)
}

type loginBody struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=1024"`
}

// dummyHash makes a login for an unknown email cost as much as a real one.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("weft-timing-equaliser"), bcryptCost)

func (s *Server) login(c *gin.Context) {
	var body loginBody
	if !s.bind(c, &body) {
		return
	}
	if ok, wait := s.loginIPLimit.allow(c.ClientIP()); !ok {
		s.rateLimited(c, wait)
		return
	}
	if ok, wait := s.loginLimit.allow(persistence.NormalizeEmail(body.Email)); !ok {
		s.rateLimited(c, wait)
		return
	}
	ctx := c.Request.Context()
	u, err := s.db.UserByEmail(ctx, body.Email)
	if err != nil && nodes.ErrorCode(err) != nodes.CodeNotFound {
		s.writeError(c, err)
		return
	}
	hash := dummyHash
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(body.Password)) != nil || u == nil {
		actor := ""
		if u != nil {
			actor = u.ID
		}
		s.audit(c, actor, persistence.AuditUserLoginFailed, "user", actor, map[string]any{"email": persistence.NormalizeEmail(body.Email)})
		s.writeError(c, nodes.Errorf(nodes.CodeUnauthorized, "invalid email or password"))
		return
	}
	if !u.Active {
		s.audit(c, u.ID, persistence.AuditUserLoginFailed, "user", u.ID, map[string]any{"email": u.Email, "reason": "deactivated"})
		s.writeError(c, nodes.Errorf(nodes.CodeUnauthorized, "user is deactivated"))
		return
	}
	pair, err := s.issueTokens(ctx, u, "")
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, u.ID, persistence.AuditUserLogin, "user", u.ID, nil)
	c.JSON(http.StatusOK, pair)
}

type refreshBody struct {
	RefreshToken string `json:"refresh_token" validate:"required,max=512"`
}

func (s *Server) refresh(c *gin.Context) {
	var body refreshBody
	if !s.bind(c, &body) {
		return
	}
	ctx := c.Request.Context()
	rt, err := s.db.UseRefreshToken(ctx, body.RefreshToken)
	if err != nil {
		if errors.Is(err, persistence.ErrTokenReused) {
			s.audit(c, "", persistence.AuditTokenReuse, "user", "", nil)
		}
		s.writeError(c, err)
		return
	}
	u, err := s.db.UserByID(ctx, rt.UserID)
	if err != nil || !u.Active {
		s.writeError(c, nodes.Errorf(nodes.CodeUnauthorized, "user is deactivated"))
		return
	}
	pair, err := s.issueTokens(ctx, u, rt.FamilyID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, pair)
}

func (s *Server) logout(c *gin.Context) {
	var body struct {
		RefreshToken string `json:"refresh_token" validate:"max=512"`
	}
	if !s.bind(c, &body) {
		return
	}
	ctx := c.Request.Context()
	if body.RefreshToken != "" {
		if err := s.db.RevokeFamily(ctx, body.RefreshToken); err != nil {
			s.writeError(c, err)
			return
		}
	}
	// The access token's own session ends too.
	if claims, err := s.parseAccess(bearer(c.Request)); err == nil {
		if err := s.db.RevokeSession(ctx, claims.Session); err != nil {
			s.writeError(c, err)
			return
		}
		s.audit(c, claims.Subject, persistence.AuditUserLogout, "user", claims.Subject, nil)
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) { c.JSON(http.StatusOK, viewUser(currentUser(c))) }
