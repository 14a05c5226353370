package alarms

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"sidi/internal/boiler"
	"sidi/internal/telemetry"
)

// Options tune an Engine; zero values take the defaults.
type Options struct {
	// Window is the averaging window of online efficiency (≥ 30 s; default 60 s).
	Window time.Duration
	// StaleEvery is how often the stale-device rule runs (default 1 s).
	StaleEvery time.Duration
	// MaxPending bounds the queued changes (default 100,000); beyond it
	// new changes are dropped and counted, memory does not grow.
	MaxPending int
	// Now is the clock (tests).
	Now func() time.Time
	// Report receives the writer's errors (default: dropped).
	Report func(error)
	// Table is the efficiency coefficient table (default boiler.Default()).
	Table *boiler.Table
	// Q5 is the surface loss assumed online when a boiler reports none (percent).
	Q5 float64
}

// MinWindow is the shortest averaging window DOMAIN §6 allows.
const MinWindow = 30 * time.Second

type evKind int

const (
	evActive evKind = iota
	evClear
	evEfficiency
)

type event struct {
	kind  evKind
	dev   telemetry.Device
	rule  Rule // the matching rule (active) or any rule of the type (clear)
	value float64
	at    time.Time
	n     int64
	eff   Efficiency
	tries int // failed writes so far
}

type key struct {
	dev int64
	typ string
}

type sample struct {
	v  float64
	at time.Time
}

type window struct {
	start                 time.Time
	flue, air, o2, co     float64
	nFlue, nAir, nO2, nCO int
	samples               int
}

type devState struct {
	dev      telemetry.Device
	lastSeen time.Time
	last     map[string]sample
	active   map[string]string // alarm type → severity while its condition holds
	win      window
}

type group struct {
	alarmType string
	rules     []Rule
}

// Engine evaluates the rules on every committed batch. It implements
// telemetry.Observer.
type Engine struct {
	svc  *Service
	opt  Options
	tab  boiler.Table
	wake chan struct{}

	mu       sync.Mutex
	groups   map[string][]group // by equipment type: the rules that apply, grouped by alarm type
	stale    map[string][]Rule  // by equipment type
	effRules map[string][]Rule
	devices  map[int64]*devState
	pending  []event
	lastAct  map[key]int // index in pending of the key's latest active event
	preload  map[int64]map[string]string
	rulesGen int64 // the service's rule generation the engine has loaded

	dropped  atomic.Int64
	written  atomic.Int64
	observed atomic.Int64
}

var _ telemetry.Observer = (*Engine)(nil)

// NewEngine returns an engine over svc; Start loads its rules and state.
func NewEngine(svc *Service, opt Options) (*Engine, error) {
	if opt.Window == 0 {
		opt.Window = 60 * time.Second
	}
	if opt.Window < MinWindow {
		return nil, fmt.Errorf("alarms: efficiency window %s is shorter than %s", opt.Window, MinWindow)
	}
	if opt.StaleEvery <= 0 {
		opt.StaleEvery = time.Second
	}
	if opt.MaxPending <= 0 {
		opt.MaxPending = 100_000
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Report == nil {
		opt.Report = func(error) {}
	}
	tab := boiler.Default()
	if opt.Table != nil {
		tab = *opt.Table
	}
	return &Engine{svc: svc, opt: opt, tab: tab, wake: make(chan struct{}, 1),
		devices: map[int64]*devState{}, lastAct: map[key]int{}}, nil
}

// Load reads the enabled rules and the active alarms (so a restart clears
// and updates the alarms it left, never duplicates them). Call it before
// Observe, and again after rules change.
func (e *Engine) Load(ctx context.Context) error {
	gen := e.svc.rulesGen.Load()
	rules, err := e.svc.Rules(ctx, true)
	if err != nil {
		return err
	}
	active, err := e.svc.activeKeys(ctx)
	if err != nil {
		return err
	}
	groups := map[string][]group{}
	stale := map[string][]Rule{}
	eff := map[string][]Rule{}
	byType := map[string]map[string][]Rule{}
	for _, r := range rules {
		switch r.Kind {
		case KindStale:
			stale[r.EquipmentType] = append(stale[r.EquipmentType], r)
		case KindEfficiencyLow:
			eff[r.EquipmentType] = append(eff[r.EquipmentType], r)
		default:
			if byType[r.EquipmentType] == nil {
				byType[r.EquipmentType] = map[string][]Rule{}
			}
			byType[r.EquipmentType][r.AlarmType] = append(byType[r.EquipmentType][r.AlarmType], r)
		}
	}
	for et, m := range byType {
		for at, rs := range m {
			groups[et] = append(groups[et], group{alarmType: at, rules: rs})
		}
		sort.Slice(groups[et], func(i, j int) bool { return groups[et][i].alarmType < groups[et][j].alarmType })
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.groups, e.stale, e.effRules = groups, stale, eff
	e.rulesGen = gen
	e.preload = active
	for id, st := range e.devices {
		if a, ok := active[id]; ok {
			st.active = a
		}
	}
	return nil
}

// Run writes queued changes and runs the stale-device rule until ctx ends,
// then writes what is left.
func (e *Engine) Run(ctx context.Context) {
	tick := time.NewTicker(e.opt.StaleEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			e.Flush(context.WithoutCancel(ctx))
			return
		case <-e.wake:
		case <-tick.C:
			e.CheckStale()
		}
		e.Flush(ctx)
	}
}

// Flush commits the queued changes now (Run does it continuously). A
// batch that fails is put back; one that has failed maxTries times is
// written change by change and the changes that still fail are dropped
// and reported, so one bad change cannot block the rest for ever.
func (e *Engine) Flush(ctx context.Context) error {
	e.mu.Lock()
	evs := e.pending
	e.pending = nil
	clear(e.lastAct)
	rules := e.rulesGen
	e.mu.Unlock()
	if g := e.svc.rulesGen.Load(); g != rules {
		if err := e.Load(ctx); err != nil {
			e.opt.Report(err)
		}
	}
	if len(evs) == 0 {
		return nil
	}
	err := e.svc.apply(ctx, evs)
	if err == nil {
		e.written.Add(int64(len(evs)))
		return nil
	}
	err = fmt.Errorf("alarms: write %d changes: %w", len(evs), err)
	e.opt.Report(err)
	if evs[0].tries+1 < maxTries {
		for i := range evs {
			evs[i].tries++
		}
		e.requeue(evs)
		return err
	}
	for _, ev := range evs {
		if one := e.svc.apply(ctx, []event{ev}); one != nil {
			e.dropped.Add(1)
			e.opt.Report(fmt.Errorf("alarms: dropped a change of device %d (%s): %w", ev.dev.ID, ev.rule.AlarmType, one))
			continue
		}
		e.written.Add(1)
	}
	return err
}

// maxTries is how often a batch is written whole before it is split.
const maxTries = 3

// requeue puts back changes a failed write left, ahead of newer ones.
func (e *Engine) requeue(evs []event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(evs)+len(e.pending) > e.opt.MaxPending {
		e.dropped.Add(int64(len(evs)))
		return
	}
	e.pending = append(evs, e.pending...)
	clear(e.lastAct)
	for i, ev := range e.pending {
		k := key{ev.dev.ID, ev.rule.AlarmType}
		switch ev.kind {
		case evActive:
			e.lastAct[k] = i
		case evClear:
			delete(e.lastAct, k)
		}
	}
}

// Stats are the engine's counters.
type Stats struct {
	Observed, Written, Dropped int64
	Pending, Devices           int
}

// Stats reports the counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Stats{Observed: e.observed.Load(), Written: e.written.Load(), Dropped: e.dropped.Load(), Pending: len(e.pending), Devices: len(e.devices)}
}

// Observe evaluates a committed batch. It only touches memory and returns
// at once; the writer commits the changes.
func (e *Engine) Observe(_ context.Context, batch []Message) error {
	now := e.opt.Now()
	e.mu.Lock()
	for _, m := range batch {
		e.observe(m, now)
	}
	n := len(e.pending)
	e.mu.Unlock()
	e.observed.Add(int64(len(batch)))
	if n > 0 {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// Message is telemetry.Message (short name inside the package).
type Message = telemetry.Message

func (e *Engine) state(d telemetry.Device) *devState {
	st := e.devices[d.ID]
	if st == nil {
		st = &devState{last: map[string]sample{}, active: e.preload[d.ID]}
		if st.active == nil {
			st.active = map[string]string{}
		}
		delete(e.preload, d.ID)
		e.devices[d.ID] = st
	}
	st.dev = d
	return st
}

func (e *Engine) observe(m Message, now time.Time) {
	if !finitePoints(m.Points) {
		m.Points = finiteOnly(m.Points)
	}
	st := e.state(m.Device)
	st.lastSeen = now
	for _, r := range e.rulesOf(e.stale, m.Device.Type) {
		if _, on := st.active[r.AlarmType]; on {
			e.queue(event{kind: evClear, dev: m.Device, rule: r, at: m.At})
			delete(st.active, r.AlarmType)
		}
	}
	for _, g := range e.groupsOf(m.Device.Type) {
		var hit *Rule
		var value float64
		evaluated := false
		for i := range g.rules {
			r := &g.rules[i]
			v, ok := m.Value(r.Point)
			if !ok {
				continue
			}
			match, val, ok := r.test(v, m.At, st.last[r.Point])
			if !ok {
				continue
			}
			evaluated = true
			if match && (hit == nil || rank(r.Severity) > rank(hit.Severity)) {
				hit, value = r, val
			}
			if !match && hit == nil {
				value = val
			}
		}
		e.settle(st, m, g.rules[0], hit, value, evaluated)
	}
	for _, p := range m.Points {
		st.last[p.Name] = sample{p.Value, m.At}
	}
	if m.Device.Fuel != "" {
		e.efficiency(st, m)
	}
}

// settle turns one alarm type's evaluation into a queued change.
func (e *Engine) settle(st *devState, m Message, any Rule, hit *Rule, value float64, evaluated bool) {
	if hit != nil {
		st.active[hit.AlarmType] = hit.Severity
		e.queue(event{kind: evActive, dev: m.Device, rule: *hit, value: value, at: m.At, n: 1})
		return
	}
	if _, on := st.active[any.AlarmType]; on && evaluated {
		delete(st.active, any.AlarmType)
		e.queue(event{kind: evClear, dev: m.Device, rule: any, value: value, at: m.At})
	}
}

// test reports whether v (at t, after prev) meets the rule, the value the
// alarm records, and whether the rule could be evaluated at all.
func (r Rule) test(v float64, t time.Time, prev sample) (match bool, value float64, ok bool) {
	switch r.Kind {
	case KindHigh:
		return v > r.Threshold, v, true
	case KindLow:
		return v < r.Threshold, v, true
	case KindBool:
		return v >= r.Threshold, v, true
	case KindRate:
		if prev.at.IsZero() || !t.After(prev.at) {
			return false, 0, false
		}
		rate := (v - prev.v) / t.Sub(prev.at).Seconds()
		if rate < 0 {
			rate = -rate
		}
		return rate > r.Threshold, rate, true
	}
	return false, 0, false
}

func (e *Engine) groupsOf(equipType string) []group {
	if equipType == "" {
		return e.groups[""]
	}
	return append(e.groups[""][:len(e.groups[""]):len(e.groups[""])], e.groups[equipType]...)
}

func (e *Engine) rulesOf(m map[string][]Rule, equipType string) []Rule {
	if equipType == "" {
		return m[""]
	}
	return append(m[""][:len(m[""]):len(m[""])], m[equipType]...)
}

// queue adds a change, merging repeated active updates of one alarm.
func (e *Engine) queue(ev event) {
	k := key{ev.dev.ID, ev.rule.AlarmType}
	if ev.kind == evActive {
		if i, ok := e.lastAct[k]; ok {
			p := &e.pending[i]
			p.n += ev.n
			p.value, p.at = ev.value, ev.at
			if rank(ev.rule.Severity) > rank(p.rule.Severity) {
				p.rule = ev.rule
			}
			return
		}
	}
	if len(e.pending) >= e.opt.MaxPending {
		e.dropped.Add(1)
		return
	}
	e.pending = append(e.pending, ev)
	switch ev.kind {
	case evActive:
		e.lastAct[k] = len(e.pending) - 1
	case evClear:
		delete(e.lastAct, k)
	}
}

// CheckStale raises the stale-device alarm of every device seen whose last
// message is older than its rule allows (Run calls it every StaleEvery).
func (e *Engine) CheckStale() {
	now := e.opt.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, st := range e.devices {
		for _, r := range e.rulesOf(e.stale, st.dev.Type) {
			age := now.Sub(st.lastSeen).Seconds()
			if _, on := st.active[r.AlarmType]; on || age <= r.Threshold {
				continue
			}
			st.active[r.AlarmType] = r.Severity
			e.queue(event{kind: evActive, dev: st.dev, rule: r, value: age, at: now, n: 1})
		}
	}
	if len(e.pending) > 0 {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
}

// efficiency adds a boiler's readings to its window and, once the window
// spans Window, computes the efficiency of the averages.
func (e *Engine) efficiency(st *devState, m Message) {
	w := &st.win
	if w.samples == 0 || m.At.Before(w.start) {
		*w = window{start: m.At}
	}
	w.samples++
	add := func(name string, sum *float64, n *int) {
		if v, ok := m.Value(name); ok {
			*sum += v
			*n++
		}
	}
	add(telemetry.PointFlueTemp, &w.flue, &w.nFlue)
	add(telemetry.PointAirTemp, &w.air, &w.nAir)
	add(telemetry.PointO2, &w.o2, &w.nO2)
	add(telemetry.PointCO, &w.co, &w.nCO)
	if m.At.Sub(w.start) < e.opt.Window {
		return
	}
	done := *w
	*w = window{}
	if done.nFlue == 0 || done.nAir == 0 || done.nO2 == 0 {
		return
	}
	in := boiler.Input{Fuel: m.Device.Fuel, FlueTemp: done.flue / float64(done.nFlue), AirTemp: done.air / float64(done.nAir),
		O2: done.o2 / float64(done.nO2), Q5: e.opt.Q5}
	if done.nCO > 0 {
		in.COppm = done.co / float64(done.nCO)
	}
	r, err := e.tab.Compute(in)
	if err != nil {
		return // a boiler on standby or a faulty probe: no value, no alarm
	}
	flags := ""
	if len(r.Flags) > 0 {
		flags = r.Flags[0]
	}
	e.queue(event{kind: evEfficiency, dev: m.Device, at: m.At, eff: Efficiency{
		EquipmentCode: m.Device.Code, Fuel: r.Fuel, WindowStart: done.start, WindowEnd: m.At, Samples: done.samples,
		FlueTemp: in.FlueTemp, AirTemp: in.AirTemp, O2: in.O2, COppm: in.COppm,
		Alpha: r.Alpha, Q2: r.Q2, Q3: r.Q3, Q5: r.Q5, Efficiency: r.Efficiency, Version: r.Version, Flags: flags,
	}, rule: Rule{AlarmType: "\x00efficiency"}})
	rules := e.rulesOf(e.effRules, m.Device.Type)
	if len(rules) == 0 {
		return
	}
	var hit *Rule
	for i := range rules {
		if r.Efficiency < rules[i].Threshold && (hit == nil || rank(rules[i].Severity) > rank(hit.Severity)) {
			hit = &rules[i]
		}
	}
	e.settle(st, m, rules[0], hit, r.Efficiency, true)
}

func finitePoints(ps []telemetry.Point) bool {
	for _, p := range ps {
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			return false
		}
	}
	return true
}

// finiteOnly drops the points a rule cannot compare (the ingester should
// have refused them; the engine does not trust it to).
func finiteOnly(ps []telemetry.Point) []telemetry.Point {
	out := make([]telemetry.Point, 0, len(ps))
	for _, p := range ps {
		if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
			out = append(out, p)
		}
	}
	return out
}
