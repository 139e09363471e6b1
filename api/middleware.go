package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/weft/weft/nodes"
)

const requestIDKey = "weft.request_id"

// logExecutionKey holds the id of an execution a request started, for the
// request log line.
const logExecutionKey = "weft.log.execution_id"

// requestID returns the request's id.
func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// withRequestID gives every request an id (the client's X-Request-ID when
// it is sane) and echoes it in the answer.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsAny(id, " \t\r\n") {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

// logRequests writes one structured line per request.
func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		fields := []zap.Field{
			zap.String("request_id", requestID(c)),
			zap.String("method", c.Request.Method),
			zap.String("route", c.FullPath()),
			zap.Int("status", c.Writer.Status()),
			zap.Duration("duration", time.Since(start)),
			zap.String("ip", c.ClientIP()),
		}
		if u := currentUser(c); u != nil {
			fields = append(fields, zap.String("user_id", u.ID))
		}
		route := c.FullPath()
		if id := c.Param("id"); id != "" {
			fields = append(fields, zap.String("object_id", id))
			switch {
			case strings.HasPrefix(route, "/api/workflows/"):
				fields = append(fields, zap.String("workflow_id", id))
			case strings.HasPrefix(route, "/api/executions/"):
				fields = append(fields, zap.String("execution_id", id))
			}
		}
		if id := c.GetString(logExecutionKey); id != "" {
			fields = append(fields, zap.String("execution_id", id))
		}
		s.log.Info("request", fields...)
	}
}

// recovery turns a panic into a logged 500 with the error body.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.writeError(c, fmt.Errorf("panic: %v", r))
			}
		}()
		c.Next()
	}
}

// cors answers preflights and sets CORS headers for allowed origins.
func (s *Server) cors() gin.HandlerFunc {
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin != "" && s.originAllowed(origin) {
			h := c.Writer.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Vary", "Origin")
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-ID")
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Expose-Headers", "X-Request-ID, Retry-After")
			h.Set("Access-Control-Max-Age", "600")
		}
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}

func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// limitBody caps request bodies; a larger body fails to read with 413.
func (s *Server) limitBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > s.cfg.MaxBodyBytes {
			s.writeErrorStatus(c, http.StatusRequestEntityTooLarge, invalid("request body is larger than %d bytes", s.cfg.MaxBodyBytes))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
		c.Next()
	}
}

// limiter is a set of token buckets keyed by IP, user or account.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	lastGC  time.Time
	// now is the clock (time.Now); tests freeze it, so what a test sees
	// does not depend on how fast it runs.
	now func() time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// newLimiter allows n requests per window per key, in bursts of n.
func newLimiter(n int, window time.Duration) *limiter {
	if n <= 0 {
		return nil
	}
	return &limiter{every: rate.Limit(float64(n) / window.Seconds()), burst: n, buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes a token for key, or says how long to wait for one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastGC) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastGC = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateLimited answers 429 with Retry-After.
func (s *Server) rateLimited(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	s.writeError(c, nodes.Errorf(nodes.CodeRateLimit, "too many requests, retry in %d s", int(math.Ceil(wait.Seconds()))))
}

// limitIP applies the per-IP limit.
func (s *Server) limitIP() gin.HandlerFunc {
	return func(c *gin.Context) {
		if ok, wait := s.ipLimit.allow(c.ClientIP()); !ok {
			s.rateLimited(c, wait)
			return
		}
		c.Next()
	}
}

// limitUser applies the per-user limit (after authentication).
func (s *Server) limitUser() gin.HandlerFunc {
	return func(c *gin.Context) {
		if u := currentUser(c); u != nil {
			if ok, wait := s.userLimit.allow(u.ID); !ok {
				s.rateLimited(c, wait)
				return
			}
		}
		c.Next()
	}
}
