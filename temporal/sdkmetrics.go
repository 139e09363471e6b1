package temporal

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// NewSDKMetricsHandler returns a client.MetricsHandler that exposes the
// Temporal SDK's own metrics (requests, polls, task latencies, …) through
// reg: counters as NAME_total, gauges as NAME, timers as NAME_seconds
// histograms, the SDK's tags as labels.
//
// It is a small adapter of our own rather than the SDK's contrib modules
// (contrib/tally, contrib/opentelemetry): those are separate modules whose
// releases move go.temporal.io/sdk and its API forward, which the pinned
// server (see DESIGN.md) does not compile against. The SDK emits one name
// with different tag sets, which Prometheus vectors refuse, so the series
// are kept here and reported by an unchecked collector.
func NewSDKMetricsHandler(reg prometheus.Registerer) client.MetricsHandler {
	c := &sdkCollector{series: map[string]*sdkSeries{}}
	reg.MustRegister(c)
	return sdkHandler{c: c}
}

type sdkKind int

const (
	sdkCounter sdkKind = iota
	sdkGauge
	sdkTimer
)

// sdkBuckets are the timers' histogram buckets, in seconds.
var sdkBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

type sdkSeries struct {
	kind   sdkKind
	desc   *prometheus.Desc
	values []string
	// value is a counter's total or a gauge's last value.
	value float64
	// count, sum and buckets are a timer's histogram.
	count   uint64
	sum     float64
	buckets []uint64
}

type sdkCollector struct {
	mu     sync.Mutex
	series map[string]*sdkSeries
	descs  map[string]*prometheus.Desc
}

// Describe sends nothing: the collector is unchecked, since the SDK's
// series appear as it runs.
func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

// Collect reports every series seen so far.
func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.series {
		switch s.kind {
		case sdkCounter:
			ch <- prometheus.MustNewConstMetric(s.desc, prometheus.CounterValue, s.value, s.values...)
		case sdkGauge:
			ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, s.value, s.values...)
		case sdkTimer:
			b := make(map[float64]uint64, len(sdkBuckets))
			var cum uint64
			for i, ub := range sdkBuckets {
				cum += s.buckets[i]
				b[ub] = cum
			}
			ch <- prometheus.MustNewConstHistogram(s.desc, s.count, s.sum, b, s.values...)
		}
	}
}

// get returns the series of a name and tag set, creating it.
func (c *sdkCollector) get(kind sdkKind, name string, tags map[string]string) *sdkSeries {
	name = sanitizeMetricName(name)
	switch kind {
	case sdkCounter:
		if !strings.HasSuffix(name, "_total") {
			name += "_total"
		}
	case sdkTimer:
		name += "_seconds"
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var id strings.Builder
	id.WriteString(name)
	labels := make([]string, len(keys))
	values := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = sanitizeMetricName(k)
		values[i] = tags[k]
		id.WriteString("\xff" + labels[i] + "\xfe" + values[i])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.series[id.String()]; s != nil {
		return s
	}
	if c.descs == nil {
		c.descs = map[string]*prometheus.Desc{}
	}
	descID := name + "\xff" + strings.Join(labels, "\xfe")
	desc := c.descs[descID]
	if desc == nil {
		desc = prometheus.NewDesc(name, "Temporal SDK metric "+name+".", labels, nil)
		c.descs[descID] = desc
	}
	s := &sdkSeries{kind: kind, desc: desc, values: values}
	if kind == sdkTimer {
		s.buckets = make([]uint64, len(sdkBuckets))
	}
	c.series[id.String()] = s
	return s
}

// sanitizeMetricName keeps [a-zA-Z0-9_] and turns anything else into _.
func sanitizeMetricName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

type sdkHandler struct {
	c    *sdkCollector
	tags map[string]string
}

// WithTags implements client.MetricsHandler.
func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return sdkHandler{c: h.c, tags: merged}
}

// Counter implements client.MetricsHandler.
func (h sdkHandler) Counter(name string) client.MetricsCounter {
	s := h.c.get(sdkCounter, name, h.tags)
	return client.MetricsCounter(counterFunc(func(d int64) {
		h.c.mu.Lock()
		s.value += float64(d)
		h.c.mu.Unlock()
	}))
}

// Gauge implements client.MetricsHandler.
func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	s := h.c.get(sdkGauge, name, h.tags)
	return gaugeFunc(func(v float64) {
		h.c.mu.Lock()
		s.value = v
		h.c.mu.Unlock()
	})
}

// Timer implements client.MetricsHandler.
func (h sdkHandler) Timer(name string) client.MetricsTimer {
	s := h.c.get(sdkTimer, name, h.tags)
	return timerFunc(func(d time.Duration) {
		v := d.Seconds()
		i := sort.SearchFloat64s(sdkBuckets, v)
		h.c.mu.Lock()
		s.count++
		s.sum += v
		if i < len(sdkBuckets) {
			s.buckets[i]++
		}
		h.c.mu.Unlock()
	})
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

var _ client.MetricsHandler = sdkHandler{}
