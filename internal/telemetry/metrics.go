package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ingester's Prometheus instruments. A nil *Metrics
// records nothing.
type Metrics struct {
	received   prometheus.Counter
	stored     prometheus.Counter
	duplicates prometheus.Counter
	dead       *prometheus.CounterVec
	batchSize  prometheus.Histogram
	commit     prometheus.Histogram
	lag        prometheus.Histogram
	storeErrs  prometheus.Counter
	obsErrs    *prometheus.CounterVec
}

// NewMetrics registers the ingest metrics on reg; depth reports the
// ingester's queue depth (nil for none).
func NewMetrics(reg prometheus.Registerer, depth func() float64) (*Metrics, error) {
	m := &Metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: "sidi_telemetry_received_total",
			Help: "Telemetry messages received from MQTT (redeliveries included)."}),
		stored: prometheus.NewCounter(prometheus.CounterOpts{Name: "sidi_telemetry_stored_total",
			Help: "Telemetry messages durably stored (new rows)."}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "sidi_telemetry_duplicates_total",
			Help: "Valid telemetry messages already stored (redeliveries), skipped."}),
		dead: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sidi_telemetry_dead_letters_total",
			Help: "Telemetry messages refused and dead-lettered, by reason code."}, []string{"reason"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sidi_telemetry_batch_size",
			Help: "Messages per committed batch.", Buckets: []float64{1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000}}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sidi_telemetry_commit_seconds",
			Help: "Time to commit one batch.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sidi_telemetry_lag_seconds",
			Help: "Ingest lag: reception time minus the device timestamp.", Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 60, 600, 3600}}),
		storeErrs: prometheus.NewCounter(prometheus.CounterOpts{Name: "sidi_telemetry_store_errors_total",
			Help: "Failed batch commits (the batch is retried; nothing is acknowledged before it commits)."}),
		obsErrs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sidi_telemetry_observer_errors_total",
			Help: "Errors returned by observers (rules, alarms …), by observer position."}, []string{"observer"}),
	}
	cs := []prometheus.Collector{m.received, m.stored, m.duplicates, m.dead, m.batchSize, m.commit, m.lag, m.storeErrs, m.obsErrs}
	if depth != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sidi_telemetry_queue_depth",
			Help: "Messages received and waiting for their batch to commit."}, depth))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, r := range Reasons {
		m.dead.WithLabelValues(r)
	}
	return m, nil
}

func (m *Metrics) batch(n, stored, valid int, dead []DeadLetter, d time.Duration) {
	if m == nil {
		return
	}
	m.received.Add(float64(n))
	m.stored.Add(float64(stored))
	m.duplicates.Add(float64(valid - stored))
	for _, x := range dead {
		m.dead.WithLabelValues(x.Reason).Inc()
	}
	m.batchSize.Observe(float64(n))
	m.commit.Observe(d.Seconds())
}

func (m *Metrics) observeLag(d time.Duration) {
	if m != nil {
		m.lag.Observe(d.Seconds())
	}
}

func (m *Metrics) storeError() {
	if m != nil {
		m.storeErrs.Inc()
	}
}

func (m *Metrics) observerError(i string) {
	if m != nil {
		m.obsErrs.WithLabelValues(i).Inc()
	}
}
