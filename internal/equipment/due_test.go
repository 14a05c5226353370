package equipment

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/telemetry"
)

func TestNextDue(t *testing.T) {
	elevator := []Interval{{Type: "elevator", Kind: KindPeriodic, FirstMonths: 12, EveryMonths: 12, Years: []int{1, 4, 7, 9, 11, 13, 15}}}
	vessel := func(every int) []Interval {
		return []Interval{{Type: "pressure_vessel", Kind: KindPeriodic, FirstMonths: 36, EveryMonths: every}}
	}
	boiler := []Interval{{Kind: KindExternal, FirstMonths: 12, EveryMonths: 12}, {Kind: KindInternal, FirstMonths: 24, EveryMonths: 24}}
	cases := []struct {
		name      string
		inService string
		ivs       []Interval
		last      map[string]string
		due, kind string
	}{
		{"elevator first", "2020-06-01", elevator, nil, "2021-06-01", KindPeriodic},
		{"elevator after year 1: year 4", "2020-06-01", elevator, map[string]string{KindPeriodic: "2021-05-20"}, "2024-06-01", KindPeriodic},
		{"elevator year 4 done late: year 7", "2020-06-01", elevator, map[string]string{KindPeriodic: "2024-07-15"}, "2027-06-01", KindPeriodic},
		{"elevator after year 15: yearly", "2000-03-01", elevator, map[string]string{KindPeriodic: "2025-03-01"}, "2026-03-01", KindPeriodic},
		{"elevator year 15 done early: year 16", "2010-03-01", elevator, map[string]string{KindPeriodic: "2025-02-20"}, "2026-03-01", KindPeriodic},
		{"elevator inspected two months early: still due", "2010-03-01", elevator, map[string]string{KindPeriodic: "2024-12-20"}, "2025-03-01", KindPeriodic},
		{"vessel first within 3 years", "2022-01-10", vessel(72), nil, "2025-01-10", KindPeriodic},
		{"vessel grade 1–2 every 6 years", "2015-01-10", vessel(72), map[string]string{KindPeriodic: "2018-01-01"}, "2024-01-01", KindPeriodic},
		{"boiler: external first", "2024-05-01", boiler, nil, "2025-05-01", KindExternal},
		{"boiler: internal after external", "2024-05-01", boiler, map[string]string{KindExternal: "2025-05-01"}, "2026-05-01", KindExternal},
		{"boiler: internal earliest", "2024-05-01", boiler, map[string]string{KindExternal: "2026-01-01", KindInternal: "2024-03-01"}, "2026-03-01", KindInternal},
		{"leap day", "2024-02-29", vessel(36), nil, "2027-03-01", KindPeriodic},
		{"no intervals", "2024-02-29", nil, nil, "", ""},
		{"bad date", "2024-13-01", boiler, nil, "", ""},
	}
	for _, c := range cases {
		due, kind := NextDue(c.inService, c.ivs, c.last)
		if due != c.due || kind != c.kind {
			t.Errorf("%s: %s %s, want %s %s", c.name, due, kind, c.due, c.kind)
		}
	}
}

func TestApplicableIntervals(t *testing.T) {
	all := []Interval{
		{Type: "crane", Kind: KindPeriodic, EveryMonths: 24}, {Type: "crane", Variant: "43", Kind: KindPeriodic, EveryMonths: 12},
		{Type: "pressure_vessel", Kind: KindPeriodic, EveryMonths: 36}, {Type: "pressure_vessel", Variant: "1", Kind: KindPeriodic, EveryMonths: 72},
	}
	for _, c := range []struct {
		typ, variant string
		every        int
	}{{"crane", "43", 12}, {"crane", "41", 24}, {"pressure_vessel", "1", 72}, {"pressure_vessel", "", 36}, {"pressure_vessel", "3", 36}} {
		got := applicable(all, c.typ, c.variant)
		if len(got) != 1 || got[0].EveryMonths != c.every {
			t.Errorf("%s/%s: %+v", c.typ, c.variant, got)
		}
	}
}

func TestDueState(t *testing.T) {
	for _, c := range []struct{ status, due, today, want string }{
		{StatusInUse, "2026-02-28", "2026-03-01", DueOverdue},
		{StatusInUse, "2026-03-01", "2026-03-01", DueSoon},
		{StatusInUse, "2026-04-01", "2026-03-01", DueSoon},
		{StatusInUse, "2026-04-02", "2026-03-01", DueOK},
		{StatusStopped, "2020-01-01", "2026-03-01", ""},
		{StatusInUse, "", "2026-03-01", ""},
	} {
		if got := dueState(c.status, c.due, c.today); got != c.want {
			t.Errorf("%+v: %s", c, got)
		}
	}
	for _, c := range []struct{ inService, registered, today, prefix string }{
		{"2026-01-01", "2026-01-31", "2026-03-01", ""},
		{"2026-01-01", "2026-02-01", "2026-03-01", "逾期登记"},
		{"2026-01-01", "", "2026-01-31", ""},
		{"2026-01-01", "", "2026-02-01", "逾期未登记"},
		{"2026-01-01", "2025-12-20", "2026-03-01", ""}, // registered before entering service
	} {
		got := registrationLate(c.inService, c.registered, c.today)
		if (c.prefix == "") != (got == "") || len(got) < len(c.prefix) || got[:len(c.prefix)] != c.prefix {
			t.Errorf("%+v: %q", c, got)
		}
	}
}

// BenchmarkDevice measures the ingest path's lookup: one device of a
// register of 100,000, from memory, from parallel goroutines.
func BenchmarkDevice(b *testing.B) {
	s := &Service{}
	s.cache = newCache(s)
	m := map[string]*regEntry{}
	codes := make([]string, 100_000)
	for i := range codes {
		codes[i] = fmt.Sprintf("1100QH001%04d%05d", 2000+i%25, i+1)
		m[codes[i]] = &regEntry{dev: telemetry.Device{ID: int64(i + 1), Code: codes[i], CreditCode: "91632801MA7XQ2B3C1", Type: telemetry.TypeBoiler}, inUse: true}
	}
	s.cache.m.Store(&m)
	s.cache.loadedAt.Store(1 << 62) // fresh
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Device(ctx, "91632801MA7XQ2B3C1", codes[i%len(codes)]); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}

// BenchmarkAuthenticate measures a device's MQTT credential check: one
// SHA-256 and a constant-time compare, from memory.
func BenchmarkAuthenticate(b *testing.B) {
	s := &Service{}
	s.cache = newCache(s)
	secret := "sd1_" + strings.Repeat("x", 43)
	e := &regEntry{dev: telemetry.Device{ID: 1, Code: "1100QH001202100001"}, inUse: true, hasSecret: true, hash: sha256.Sum256([]byte(secret))}
	m := map[string]*regEntry{e.dev.Code: e}
	s.cache.m.Store(&m)
	s.cache.loadedAt.Store(1 << 62)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Authenticate(ctx, e.dev.Code, secret); err != nil {
			b.Fatal(err)
		}
	}
}
