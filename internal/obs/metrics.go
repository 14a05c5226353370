// Package obs holds Sidi's operational instruments: the Prometheus metrics
// of one running instance. Nothing here is global: a Metrics value owns its
// own prometheus.Registry, built in the composition root and handed to the
// database (as a store.Observer) and to the web server.
package obs

import (
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sidi/internal/store"
)

// Metrics are the instruments of one instance. The zero value is not
// usable; build it with New. A nil *Metrics records nothing.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	writeWait    prometheus.Histogram
	importRows   *prometheus.CounterVec
	logins       *prometheus.CounterVec
	auditAppends prometheus.Counter
}

// New builds the metrics on a registry of their own, with the Go runtime
// and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sidi_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sidi_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern and method.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method"})
	m.writeWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "sidi_db_write_wait_seconds", Help: "Time a write transaction waited for the database writer.",
		Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5, 10},
	})
	m.importRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sidi_import_rows_total", Help: "Rows of successful imports, by kind (standards, declarations, reports, attendees).",
	}, []string{"kind"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sidi_login_attempts_total", Help: "Password login attempts, by outcome (success, bad_credentials, locked, throttled, disabled, busy, invalid, error).",
	}, []string{"outcome"})
	m.auditAppends = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "sidi_audit_appends_total", Help: "Records appended to the audit chain (inside a transaction that may still roll back).",
	})
	m.reg.MustRegister(m.requests, m.duration, m.writeWait, m.importRows, m.logins, m.auditAppends,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry the metrics live on (for tests and extra collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// WatchDB registers a collector over the connection pools of db: the
// reader and the writer on SQLite, one pool on PostgreSQL.
func (m *Metrics) WatchDB(db *store.DB) error {
	pools := map[string]*sql.DB{"writer": db.Writer()}
	if db.Reader() != db.Writer() {
		pools["reader"] = db.Reader()
	}
	return m.reg.Register(&poolCollector{pools: pools})
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// TokenHandler serves the metrics only to a request carrying
// "Authorization: Bearer <token>"; with an empty token it answers 404.
func (m *Metrics) TokenHandler(token string) http.Handler {
	h := m.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			http.NotFound(w, r)
			return
		}
		got := r.Header.Get("Authorization")
		want := "Bearer " + token
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sidi metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Request records one answered HTTP request. route is the pattern of the
// route table, never the raw path.
func (m *Metrics) Request(route, method string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// WriteWait implements store.Observer.
func (m *Metrics) WriteWait(d time.Duration) {
	if m != nil {
		m.writeWait.Observe(d.Seconds())
	}
}

// AuditAppend implements store.Observer.
func (m *Metrics) AuditAppend() {
	if m != nil {
		m.auditAppends.Inc()
	}
}

// ImportRows implements store.Observer.
func (m *Metrics) ImportRows(kind string, n int) {
	if m != nil && n > 0 {
		m.importRows.WithLabelValues(kind).Add(float64(n))
	}
}

// LoginAttempt implements store.Observer.
func (m *Metrics) LoginAttempt(outcome string) {
	if m != nil {
		m.logins.WithLabelValues(outcome).Inc()
	}
}

var _ store.Observer = (*Metrics)(nil)

// poolCollector reports sql.DB.Stats of each pool at scrape time.
type poolCollector struct {
	pools map[string]*sql.DB
}

var (
	poolOpen      = prometheus.NewDesc("sidi_db_pool_open_connections", "Open connections of a database pool.", []string{"pool"}, nil)
	poolInUse     = prometheus.NewDesc("sidi_db_pool_in_use_connections", "Connections in use.", []string{"pool"}, nil)
	poolIdle      = prometheus.NewDesc("sidi_db_pool_idle_connections", "Idle connections.", []string{"pool"}, nil)
	poolMaxOpen   = prometheus.NewDesc("sidi_db_pool_max_open_connections", "Maximum open connections.", []string{"pool"}, nil)
	poolWaitCount = prometheus.NewDesc("sidi_db_pool_wait_count_total", "Connections waited for.", []string{"pool"}, nil)
	poolWaitDur   = prometheus.NewDesc("sidi_db_pool_wait_duration_seconds_total", "Time spent waiting for a connection.", []string{"pool"}, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpen, poolInUse, poolIdle, poolMaxOpen, poolWaitCount, poolWaitDur} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, db := range c.pools {
		s := db.Stats()
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(s.Idle), name)
		ch <- prometheus.MustNewConstMetric(poolMaxOpen, prometheus.GaugeValue, float64(s.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(poolWaitCount, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(poolWaitDur, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
}
