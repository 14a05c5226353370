package alarms_test

import (
	"fmt"
	"testing"
	"time"

	"sidi/internal/alarms"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/telemetry"
)

// BenchmarkObserve measures rule evaluation alone: batches of 500 five-point
// boiler messages over 2,000 devices, nothing alarming (the common case).
func BenchmarkObserve(b *testing.B) {
	eng := benchEngine(b)
	batch := make([]telemetry.Message, 500)
	at := t0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at = at.Add(time.Second)
		for j := range batch {
			d := golmud
			d.ID = int64((i*len(batch) + j) % 2000)
			d.Code = fmt.Sprintf("1110BENCH%09d", d.ID)
			batch[j] = msg(d, at, pt(telemetry.PointSteamPressure, 1.0), pt(telemetry.PointWaterLevel, 0), pt(telemetry.PointFlueTemp, 150),
				pt(telemetry.PointAirTemp, 20), pt(telemetry.PointO2, 3.5))
		}
		if err := eng.Observe(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := eng.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkAlarmWrite measures the writer: one batch of 500 new alarms
// (500 devices losing water level at once) committed in one transaction.
func BenchmarkAlarmWrite(b *testing.B) {
	eng := benchEngine(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batch := make([]telemetry.Message, 500)
		for j := range batch {
			d := golmud
			d.ID = int64(i*500 + j + 1)
			d.Code = fmt.Sprintf("1110BENCH%09d", d.ID)
			batch[j] = msg(d, t0, pt(telemetry.PointLowWater, 1))
		}
		eng.Observe(ctx, batch)
		if err := eng.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "alarms/s")
}

func benchEngine(b *testing.B) *alarms.Engine {
	b.Helper()
	svc := alarms.NewService(storetest.Open(b, store.SQLite))
	if _, err := svc.EnsureRules(ctx); err != nil {
		b.Fatal(err)
	}
	eng, err := alarms.NewEngine(svc, alarms.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := eng.Load(ctx); err != nil {
		b.Fatal(err)
	}
	return eng
}
