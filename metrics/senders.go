package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

// Store counts the sender outcomes (delivered, hard and soft bounces) that
// st commits, whichever path records them: an SMTP reply or a late DSN.
func (m *Metrics) Store(st services.Store) services.Store { return &store{Store: st, m: m} }

type store struct {
	services.Store
	m *Metrics
}

var _ services.Store = (*store)(nil)

// UpdateNotice counts the outcome of the run of fn that committed; a store
// may run fn more than once (batched transactions), so earlier runs don't.
func (st *store) UpdateNotice(ctx context.Context, id string, fn func(n *core.Notice) (core.Change, error)) (core.Notice, error) {
	var outcome string
	n, err := st.Store.UpdateNotice(ctx, id, func(n *core.Notice) (core.Change, error) {
		ch, err := fn(n)
		outcome = ""
		if err == nil && ch.Outcome != nil {
			outcome = ch.Outcome.Outcome
		}
		return ch, err
	})
	if err == nil && outcome != "" {
		st.m.outcomes.WithLabelValues(outcome).Inc()
	}
	return n, err
}

// WatchSenders registers the gauge lre_senders_suspended, read from count
// at each scrape (the letters service's SuspendedSenders). One number, not a series
// per sender: sender ids would make the cardinality grow with the users.
func (m *Metrics) WatchSenders(count func(context.Context) (int, error)) {
	m.reg.MustRegister(&senderCollector{count: count})
}

var suspendedDesc = prometheus.NewDesc("lre_senders_suspended", "Senders whose sending is suspended for too many hard bounces.", nil, nil)

type senderCollector struct {
	count func(context.Context) (int, error)
}

func (c *senderCollector) Describe(ch chan<- *prometheus.Desc) { ch <- suspendedDesc }

// Collect reports nothing when the count cannot be read, rather than a
// false zero.
func (c *senderCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := c.count(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(suspendedDesc, prometheus.GaugeValue, float64(n))
}
