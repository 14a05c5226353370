package services

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/alarms"
	"sidi/internal/telemetry"
	"sidi/internal/web"
)

// StartAlarms builds the rules engine over the alarms service, loads its
// rules and active alarms, and runs its writer and stale-device ticker
// until ctx ends. The engine is the telemetry.Observer the ingester calls
// with every committed batch; done is closed when it has written what was
// left after ctx ended.
func (s *Set) StartAlarms(ctx context.Context, opt alarms.Options) (eng *alarms.Engine, done <-chan struct{}, err error) {
	eng, err = alarms.NewEngine(s.Alarms, opt)
	if err != nil {
		return nil, nil, err
	}
	if err := eng.Load(ctx); err != nil {
		return nil, nil, err
	}
	ch := make(chan struct{})
	go func() { defer close(ch); eng.Run(ctx) }()
	return eng, ch, nil
}

// AlarmSections are the alarms part's sections of the equipment
// record page (/equipment/{code}): alarms, hazards, efficiency chart.
func (s *Set) AlarmSections() []telemetry.SectionFunc {
	return web.AlarmSections(s.Alarms)
}

// OverdueHazards are the register's equipment in use whose periodic
// inspection is overdue today, as candidates for inspection hazard tickets
// (alarms.RunOverdue opens one per device while none is open).
func (s *Set) OverdueHazards(ctx context.Context) ([]alarms.Candidate, error) {
	due, err := s.Equipment.OverdueCandidates(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]alarms.Candidate, 0, len(due))
	for _, o := range due {
		out = append(out, alarms.Candidate{
			Device: o.Device,
			Reason: fmt.Sprintf("%s已超期 %d 天（应于 %s）", o.KindLabel, o.DaysOverdue, o.Due),
			Ref:    o.Kind + "@" + o.Due,
		})
	}
	return out, nil
}

// StartObservers starts what reads committed telemetry: the rules engine
// (alarms, hazard tickets, online boiler efficiency) and, when overdue is
// set, the hourly pass that opens hazard tickets for overdue inspections —
// the server's job, not every ingest worker's (several `sidi ingest`
// processes share one stream); report receives their errors. stop ends
// them and waits until the engine has written what was queued; call it
// after the ingester has stopped.
func (s *Set) StartObservers(ctx context.Context, report func(error), overdue bool) (observers []telemetry.Observer, stop func(), err error) {
	cctx, cancel := context.WithCancel(ctx)
	eng, done, err := s.StartAlarms(cctx, alarms.Options{Window: 30 * time.Second, Report: report})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	overdueDone := make(chan struct{})
	go func() {
		defer close(overdueDone)
		if overdue {
			s.Alarms.RunOverdue(cctx, time.Hour, s.OverdueHazards, report)
		}
	}()
	return []telemetry.Observer{eng}, func() { cancel(); <-done; <-overdueDone }, nil
}
