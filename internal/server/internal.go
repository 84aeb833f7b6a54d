package server

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HealthPath answers GET with the server's status as JSON.
const HealthPath = "/_vigil/health"

// serveInternal answers Vigil's own endpoints: the links of delivered
// messages, the health check, the clock of --dev mode and the Prometheus
// metrics. /metrics is also the path of an S3 bucket named
// "metrics", so only unsigned requests get the metrics there; signed ones
// go to the APIs (/_vigil/metrics always serves the metrics).
func (s *Server) serveInternal(w http.ResponseWriter, r *http.Request) bool {
	if s.opt.Links != nil && s.opt.Links(w, r) {
		return true
	}
	switch r.URL.Path {
	case "/":
		// A browser's visit; a signed GET / is S3's ListBuckets.
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.Header.Get("Authorization") != "" || r.URL.RawQuery != "" {
			return false
		}
		b := s.homePage()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(b)
		}
		return true
	case HealthPath:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return false
		}
		var body any = map[string]string{"status": "ok"}
		if s.opt.Health != nil {
			body = s.opt.Health()
		}
		b, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return true
	case ClockPath:
		s.serveClock(w, r)
		return true
	case DeadDeliveriesPath, RetryDeliveriesPath:
		s.serveDeliveries(w, r)
		return true
	case "/metrics", "/_vigil/metrics":
		if s.opt.Metrics == nil || r.Method != http.MethodGet ||
			(r.URL.Path == "/metrics" && (r.Header.Get("Authorization") != "" || r.URL.Query().Has("X-Amz-Signature"))) {
			return false
		}
		s.opt.Metrics.handler.ServeHTTP(w, r)
		return true
	}
	return false
}

// homePage says what this server is and where to go from here, until
// there is a console.
func (s *Server) homePage() []byte {
	var rows strings.Builder
	for _, st := range s.opt.Router.Status() {
		if st.Implemented > 0 {
			fmt.Fprintf(&rows, "<tr><td>%s</td><td>%d of %d operations</td></tr>\n", html.EscapeString(st.ServiceID), st.Implemented, st.Total)
		}
	}
	return []byte(`<!doctype html>
<html><head><meta charset="utf-8"><title>Vigil</title></head>
<body>
<h1>Vigil</h1>
<p>A self-hosted server for the AWS monitoring APIs (version ` + html.EscapeString(s.opt.Version) + `). It has no web
console yet: point the AWS CLI, boto3 or an AWS SDK at this address, signed with the
credentials it printed when it started.</p>
<table>
` + rows.String() + `</table>
<p>Every other modeled operation answers 501 NotImplemented.
<a href="` + HealthPath + `">Health</a> lists the operations of every service;
<a href="/_vigil/metrics">metrics</a> are in Prometheus' format.
The documentation is in the README and the docs/ directory of Vigil's source.</p>
</body></html>
`)
}

// Metrics are Vigil's own Prometheus metrics.
type Metrics struct {
	// Registry holds the metrics; callers may register more.
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

// NewMetrics returns the front door's metrics in a new registry with the Go
// runtime and process collectors.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_requests_total",
			Help: "API requests by service, operation and HTTP status.",
		}, []string{"service", "operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_request_duration_seconds",
			Help:    "API request latency by service and operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"service", "operation"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

func (m *Metrics) observe(service, op string, status int, d time.Duration) {
	if service == "" {
		service = "unknown"
	}
	if op == "" {
		op = "unknown"
	}
	m.requests.WithLabelValues(service, op, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(service, op).Observe(d.Seconds())
}
