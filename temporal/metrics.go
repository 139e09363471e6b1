package temporal

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the worker's Prometheus metrics: executions started and
// finished, execution durations and node durations. A nil *Metrics counts
// nothing.
type Metrics struct {
	started  *prometheus.CounterVec
	finished *prometheus.CounterVec
	duration *prometheus.HistogramVec
	node     *prometheus.HistogramVec
}

// durationBuckets span a pure node's milliseconds to a long execution's
// hour, in seconds.
var durationBuckets = []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		started: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weft_executions_started_total",
			Help: "Executions that started running, by trigger mode (resumes after a wait are not counted).",
		}, []string{"mode"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weft_executions_finished_total",
			Help: "Executions that finished, by final status (success, error, canceled) and trigger mode.",
		}, []string{"status", "mode"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "weft_execution_duration_seconds",
			Help:    "Wall-clock time from an execution's start to its end (waits included), by final status and mode.",
			Buckets: durationBuckets,
		}, []string{"status", "mode"}),
		node: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "weft_node_duration_seconds",
			Help:    "Time one node run took in the worker, by node type and run status.",
			Buckets: durationBuckets,
		}, []string{"type", "status"}),
	}
	reg.MustRegister(m.started, m.finished, m.duration, m.node)
	return m
}

func (m *Metrics) executionStarted(mode string) {
	if m != nil {
		m.started.WithLabelValues(mode).Inc()
	}
}

func (m *Metrics) executionFinished(status, mode string, d time.Duration) {
	if m != nil {
		m.finished.WithLabelValues(status, mode).Inc()
		m.duration.WithLabelValues(status, mode).Observe(max(d, 0).Seconds())
	}
}

func (m *Metrics) nodeRan(nodeType, status string, d time.Duration) {
	if m != nil {
		m.node.WithLabelValues(nodeType, status).Observe(d.Seconds())
	}
}
