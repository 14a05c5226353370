package alarms

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/telemetry"
)

// Candidate is a device the equipment register found overdue for its
// periodic inspection (特种设备安全法 art. 40): a hazard candidate.
type Candidate struct {
	Device telemetry.Device
	Reason string // what users read: 定期检验已超期 35 天（应于 2026-11-01）
	Ref    string // the register's reference: due date and kind
}

// OpenOverdue opens an inspection hazard for each candidate that has no
// open one (OpenHazard is idempotent) and reports how many it opened. A
// candidate the service refuses is skipped and reported in the error; the
// others still open.
func (s *Service) OpenOverdue(ctx context.Context, cs []Candidate) (int, error) {
	opened := 0
	var firstErr error
	for _, c := range cs {
		_, created, err := s.OpenHazard(ctx, SourceInspection, c.Device, c.Reason, c.Ref)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("alarms: overdue hazard of %s: %w", c.Device.Code, err)
			}
			continue
		}
		if created {
			opened++
		}
	}
	return opened, firstErr
}

// RunOverdue asks fetch for the overdue equipment now and then every
// interval until ctx ends, and opens their hazards. The lead passes the
// register's OverdueCandidates adapted to Candidate.
func (s *Service) RunOverdue(ctx context.Context, every time.Duration, fetch func(context.Context) ([]Candidate, error), report func(error)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		cs, err := fetch(ctx)
		if err == nil {
			_, err = s.OpenOverdue(ctx, cs)
		}
		if err != nil && report != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
