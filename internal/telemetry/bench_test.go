package telemetry

import (
	"context"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestRunBenchEmbedded(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	prefix, devs, reg, err := BenchDevices(100)
	if err != nil {
		t.Fatal(err)
	}
	b, err := StartBroker(ctx, BrokerConfig{Addr: "127.0.0.1:0", IngestSecret: "pw"}, reg)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	res, err := RunBench(ctx, BenchConfig{Broker: b.URL(), Embedded: b, IngestUser: IngestUser, IngestPass: "pw", Messages: 3000, Devices: devs, Prefix: prefix, Secret: BenchSecret, Inflight: 1, Timeout: time.Minute}, reg, NewStore(db))
	t.Logf("bench %s: %+v %v", time.Since(t0), res, err)
	if err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	b.Close()
	t.Logf("close %s", time.Since(t0))
	if res.Lost != 0 || res.Stored != 3000 || res.Ratio <= 0 {
		t.Fatalf("%+v", res)
	}
}
