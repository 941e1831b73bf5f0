// Package metrics exposes lre's Prometheus metrics. It owns one registry
// (never the global one), decorates core's outbound interfaces
// (Timestamper, Mailer, WebhookPoster) and its Store to measure them, and
// counts what the web layer reports. cmd/lre wires it; core knows nothing of it.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and every series lre exports.
type Metrics struct {
	reg         *prometheus.Registry
	deposits    *prometheus.CounterVec
	tsaLatency  *prometheus.HistogramVec
	tsaFailures *prometheus.CounterVec
	tsaRejects  *prometheus.CounterVec
	smtp        *prometheus.CounterVec
	hookResults *prometheus.CounterVec
	http        *prometheus.HistogramVec
	outcomes    *prometheus.CounterVec
	returned    *prometheus.CounterVec
}

// New returns Metrics on a fresh registry that also carries the Go runtime
// and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		deposits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lre_deposits_total", Help: "Deposit requests by result: deposited, pending_timestamp, replayed, rejected, error.",
		}, []string{"result"}),
		tsaLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lre_timestamp_duration_seconds", Help: "Time to obtain a verified RFC 3161 token, by authority.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15},
		}, []string{"tsa"}),
		tsaFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lre_timestamp_failures_total", Help: "Timestamp requests that brought no valid token, by authority.",
		}, []string{"tsa"}),
		tsaRejects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lre_timestamp_rejected_total", Help: "Answers of an authority refused, by authority and reason: gen_time (clock skew), nonce, imprint, signature, usage, chain, status, weak_hash, malformed, transport.",
		}, []string{"tsa", "reason"}),
		smtp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lre_smtp_results_total", Help: "Outgoing mail attempts by outcome class: accepted, temporary, permanent, error.",
		}, []string{"class"}),
		hookResults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lre_webhook_attempts_total", Help: "Webhook delivery attempts by result: delivered, http_4xx, http_5xx, http_other, network.",
		}, []string{"result"}),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lre_http_request_duration_seconds", Help: "HTTP requests by method, route pattern and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lre_notifications_total", Help: "Notification outcomes recorded for the sending policy: delivered, hard_bounce, soft_bounce. A late bounce after a delivery counts once more.",
		}, []string{"outcome"}),
		returned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lre_returned_mail_kept_total", Help: "Returned mail not applied to any letter (no report, or not tied to the mail sent), by result: kept under DATA/bounces, or dropped (quarantine full, or a write error).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.deposits, m.tsaLatency, m.tsaFailures, m.tsaRejects, m.smtp, m.hookResults, m.http, m.outcomes, m.returned,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveHTTP records one request; route is the pattern (/r/:token), never
// the raw path, so that no token becomes a label.
func (m *Metrics) ObserveHTTP(method, route string, status int, d time.Duration) {
	m.http.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

// TimestampRejected counts one refused answer of the authority at url; it
// fits rfc3161.WithRejected.
func (m *Metrics) TimestampRejected(url, reason string) {
	m.tsaRejects.WithLabelValues(url, reason).Inc()
}

// ObserveKept counts a returned message set aside: result is kept or dropped.
func (m *Metrics) ObserveKept(result string) { m.returned.WithLabelValues(result).Inc() }

// ObserveDeposit counts one deposit request by result.
func (m *Metrics) ObserveDeposit(result string) { m.deposits.WithLabelValues(result).Inc() }

// Queues are the depths the queue collector reports.
type Queues struct {
	Outbox, Webhooks, PendingTimestamps int
	OldestOutboxDue, OldestWebhookDue   time.Time // zero when empty
}

// WatchQueues registers gauges read from stats at each scrape: depth and
// age of the oldest due entry of each queue.
func (m *Metrics) WatchQueues(stats func(context.Context) (Queues, error), now func() time.Time) {
	m.reg.MustRegister(&queueCollector{stats: stats, now: now})
}

var (
	depthDesc = prometheus.NewDesc("lre_queue_depth", "Unfinished entries per queue: outbox, webhooks, pending_timestamps.", []string{"queue"}, nil)
	ageDesc   = prometheus.NewDesc("lre_queue_oldest_due_seconds", "How long the oldest due entry of a queue has waited (0 when none).", []string{"queue"}, nil)
	errDesc   = prometheus.NewDesc("lre_queue_stats_errors_total", "Scrapes whose queue statistics could not be read.", nil, nil)
)

type queueCollector struct {
	stats func(context.Context) (Queues, error)
	now   func() time.Time
	fails float64
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- depthDesc
	ch <- ageDesc
	ch <- errDesc
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	q, err := c.stats(ctx)
	if err != nil {
		c.fails++
		ch <- prometheus.MustNewConstMetric(errDesc, prometheus.CounterValue, c.fails)
		return
	}
	ch <- prometheus.MustNewConstMetric(errDesc, prometheus.CounterValue, c.fails)
	for name, n := range map[string]int{"outbox": q.Outbox, "webhooks": q.Webhooks, "pending_timestamps": q.PendingTimestamps} {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n), name)
	}
	for name, t := range map[string]time.Time{"outbox": q.OldestOutboxDue, "webhooks": q.OldestWebhookDue} {
		age := 0.0
		if !t.IsZero() {
			age = max(c.now().Sub(t).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, age, name)
	}
}
