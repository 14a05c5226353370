// Package indicator is the seam between the plan's targets and the
// registries that measure them. A domain package registers named metrics
// (for example "standards.local.published": local standards published since
// the plan started); a plan target is bound to a metric by key, never to a
// SQL string, so its current value always comes from the registry's data.
//
// It imports store only; domains import indicator, not each other.
package indicator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Querier is what metric functions read through (*sql.DB or *sql.Tx).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ErrNoValue is what a metric's Compute returns (wrapped, with the reason)
// when it has no value at a date — a ratio whose denominator is not
// recorded for that year, say. The target then shows no current value
// instead of failing the pages that show it.
var ErrNoValue = errors.New("indicator: no value at this date")

// Metric is one computed measure.
type Metric struct {
	Key         string // stable identifier, "domain.thing.measure"
	Name        string // Chinese name shown to users
	Unit        string // 项, 个, 件, %, …
	Description string // how it is computed, in Chinese, shown in the UI's help
	Domain      string // owning package, e.g. "standards"
	// Tasks are the plan tasks (numbers) the metric informs without a
	// target of the plan: their pages show it as a live figure beside the
	// reports' narrative.
	Tasks []int
	// Compute returns the metric's value as of asOf, counting from since
	// (the plan's start) where the measure is cumulative.
	Compute func(ctx context.Context, q Querier, since, asOf time.Time) (float64, error)
}

// Registry holds the metrics that domains register at start-up. It is built
// once in main and passed down; there is no package-level registry.
type Registry struct {
	mu      sync.RWMutex
	metrics map[string]Metric
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{metrics: map[string]Metric{}} }

// Register adds m; a duplicate or incomplete metric is a programming error.
func (r *Registry) Register(m Metric) error {
	if m.Key == "" || m.Name == "" || m.Compute == nil {
		return fmt.Errorf("indicator: metric %q needs a key, a name and a Compute function", m.Key)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.metrics[m.Key]; dup {
		return fmt.Errorf("indicator: metric %q registered twice", m.Key)
	}
	r.metrics[m.Key] = m
	return nil
}

// Get returns the metric with key.
func (r *Registry) Get(key string) (Metric, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.metrics[key]
	return m, ok
}

// All returns every metric ordered by key.
func (r *Registry) All() []Metric {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Metric, 0, len(r.metrics))
	for _, m := range r.metrics {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
