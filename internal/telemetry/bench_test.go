package telemetry

import (
	"context"
	"os"
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
	res, err := RunBench(ctx, BenchConfig{Broker: b.URL(), Embedded: b, IngestUser: IngestUser, IngestPass: "pw", Messages: 3000, Devices: devs, Prefix: prefix, Secret: BenchSecret, Inflight: 4, Timeout: time.Minute}, reg, NewStore(db))
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

// EnvMQTT names the variable holding the external broker for tests
// (scripts/test.sh sets it to tcp://127.0.0.1:1883 when Mosquitto answers).
const EnvMQTT = "SIDI_TEST_MQTT"

func mosquitto(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvMQTT)
	if u == "" {
		t.Skipf("no MQTT broker: set %s=tcp://127.0.0.1:1883 to run", EnvMQTT)
	}
	return u
}

func TestRunBenchMosquitto(t *testing.T) {
	broker := mosquitto(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	prefix, devs, reg, err := BenchDevices(100)
	if err != nil {
		t.Fatal(err)
	}
	res, err := RunBench(ctx, BenchConfig{Broker: broker, Messages: 3000, Devices: devs, Prefix: prefix, Secret: BenchSecret, Inflight: 4, Timeout: 30 * time.Second}, reg, NewStore(db))
	t.Logf("%+v", res)
	if err != nil {
		t.Fatal(err)
	}
	if res.Lost != 0 || res.Stored != 3000 || res.Ratio <= 0 {
		t.Fatalf("%+v", res)
	}
}
