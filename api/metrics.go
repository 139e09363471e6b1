package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// apiMetrics are the API's Prometheus metrics.
type apiMetrics struct {
	requests      *prometheus.HistogramVec
	wsConnections prometheus.Gauge
	webhooks      *prometheus.CounterVec
}

func newAPIMetrics(reg prometheus.Registerer) *apiMetrics {
	m := &apiMetrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "weft_http_request_duration_seconds",
			Help:    "HTTP request durations by method, route template (\"unmatched\" for unknown paths) and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
		wsConnections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "weft_websocket_connections",
			Help: "Open WebSocket connections (GET /api/ws) on this process.",
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weft_webhook_requests_total",
			Help: "Webhook requests by outcome.",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.requests, m.wsConnections, m.webhooks)
	return m
}

// ObserveWebhook counts one webhook request by its outcome. Outcomes are a
// small fixed set (e.g. "started", "responded", "not_found", "refused",
// "error"); never put ids or paths in them.
func (s *Server) ObserveWebhook(outcome string) {
	s.metrics.webhooks.WithLabelValues(outcome).Inc()
}

// observeRequests times every request by its route template. The
// WebSocket route is left out: its duration is a connection's lifetime
// (weft_websocket_connections counts those).
func (s *Server) observeRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		switch route {
		case "/api/ws":
			return
		case "":
			route = "unmatched"
		}
		method := c.Request.Method
		switch method {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		default:
			method = "other"
		}
		s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(c.Writer.Status())).
			Observe(time.Since(start).Seconds())
	}
}

// metricsHandler serves the registry in Prometheus' text format.
func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.cfg.Metrics, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}
