package telemetry

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// slowObserver stands for a rules engine that keeps up with only so many
// messages a second.
type slowObserver struct {
	delay time.Duration
	n     atomic.Int64
}

func (o *slowObserver) Observe(_ context.Context, b []Message) error {
	time.Sleep(o.delay)
	o.n.Add(int64(len(b)))
	return nil
}

// TestBackPressure publishes to Mosquitto at more than ten times what the
// ingester sustains (its observer takes 100 ms a batch of at most 32) and
// checks that the ingester holds at most Window messages and that its live
// heap grows by less than MemoryBound(Window, Batch) + 1 MiB (3.5 MiB here).
func TestBackPressure(t *testing.T) {
	broker := mosquitto(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.Open(t, store.SQLite)
	prefix, devs, reg, err := BenchDevices(20)
	if err != nil {
		t.Fatal(err)
	}
	const window, batch = 128, 32
	slow := &slowObserver{delay: 100 * time.Millisecond} // ≤ 320 messages a second
	in, done := startIngester(t, ctx, IngestConfig{Client: ClientConfig{Broker: broker, ClientID: "sidi-bp-" + prefix, EndSession: true}, Share: "bp-" + prefix,
		Window: window, Batch: batch}, reg, NewStore(db), []Observer{slow})
	pub, err := NewPublisher(ctx, broker, devs, BenchSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseline := ms.HeapAlloc
	// 900 messages (below Mosquitto's default queue of 1000 for the
	// ingester's session, so the broker drops none) published as fast as
	// Mosquitto acknowledges them: well over ten times 320 a second.
	const total = 900
	t0 := time.Now()
	if _, err := publishAll(ctx, pub, devs, total, 4, time.Now().Add(-time.Minute), nil, 0); err != nil {
		t.Fatal(err)
	}
	pubRate := total / time.Since(t0).Seconds()
	time.Sleep(300 * time.Millisecond)
	// The ingester is saturated now (its observer is far behind): its live
	// heap is at its largest.
	runtime.GC()
	runtime.ReadMemStats(&ms)
	growth := int64(ms.HeapAlloc) - int64(baseline)
	s := in.Stats()
	if s.MaxQueue > window {
		t.Fatalf("queue reached %d, window %d", s.MaxQueue, window)
	}
	if s.Arrived-s.Acked > window+int64((1+observerDepth)*batch) {
		t.Fatalf("holding %d unacknowledged messages", s.Arrived-s.Acked)
	}
	waitFor(t, "all observed", 30*time.Second, func() bool { return slow.n.Load() >= total })
	pipeRate := total / time.Since(t0).Seconds()
	bound := MemoryBound(window, batch) + 1<<20 // + 1 MiB for the MQTT clients' own state
	t.Logf("published %.0f msg/s, ingested %.0f msg/s (%.1f×); live heap grew %.2f MiB, bound %.2f MiB; max queue %d", pubRate, pipeRate, pubRate/pipeRate,
		float64(growth)/(1<<20), float64(bound)/(1<<20), s.MaxQueue)
	if pubRate < 10*320 {
		t.Logf("warning: publisher reached only %.0f msg/s", pubRate)
	}
	if growth > bound {
		t.Fatalf("heap grew %d bytes, bound %d", growth, bound)
	}
	cancel()
	<-done
}
