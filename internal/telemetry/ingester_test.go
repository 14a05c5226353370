package telemetry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// testDevices returns n boilers of one user unit with secrets "secret-<code>".
func testDevices(t testing.TB, prefix string, n int) ([]Device, *StaticRegistry) {
	t.Helper()
	var ds []Device
	var secrets []string
	for i := range n {
		d := Device{ID: int64(i + 1), Code: fmt.Sprintf("%s%04d", prefix, i), CreditCode: "91632801MA000TEST1", Type: TypeBoiler, Region: "632801", Name: fmt.Sprintf("测试锅炉%d", i)}
		ds = append(ds, d)
		secrets = append(secrets, "secret-"+d.Code)
	}
	r, err := NewStaticRegistry(ds, secrets)
	if err != nil {
		t.Fatal(err)
	}
	return ds, r
}

type recorder struct {
	mu      sync.Mutex
	batches [][]Message
	fail    error
	name    string
	order   *[]string
}

func (r *recorder) Observe(_ context.Context, b []Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, b)
	*r.order = append(*r.order, r.name)
	return r.fail
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, b := range r.batches {
		n += len(b)
	}
	return n
}

func startBroker(t testing.TB, reg Registry) *Broker {
	t.Helper()
	b, err := StartBroker(context.Background(), BrokerConfig{Addr: "127.0.0.1:0", IngestSecret: "ingest-pw"}, reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func startIngester(t testing.TB, ctx context.Context, cfg IngestConfig, reg Registry, st *Store, obs []Observer) (*Ingester, chan error) {
	t.Helper()
	in := NewIngester(cfg, reg, st, obs)
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	select {
	case <-in.Subscribed():
	case err := <-done:
		t.Fatalf("ingester stopped: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("ingester did not subscribe")
	}
	return in, done
}

func waitFor(t testing.TB, what string, d time.Duration, ok func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIngestEmbeddedBroker(t *testing.T) {
	// sync: the broker waits for the commit inside its hook (SetSink);
	// async: it reads on and sends the PUBACK from the commit (SetAsyncSink).
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "sync", true: "async"}[async], func(t *testing.T) { testIngestEmbeddedBroker(t, async) })
	}
}

func testIngestEmbeddedBroker(t *testing.T, async bool) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		devs, reg := testDevices(t, "TSGTEST", 3)
		b := startBroker(t, reg)
		st := NewStore(db)
		var order []string
		first := &recorder{name: "rules", order: &order, fail: errors.New("rule engine down")}
		second := &recorder{name: "alarms", order: &order}
		preg := prometheus.NewRegistry()
		m, err := NewMetrics(preg, nil)
		if err != nil {
			t.Fatal(err)
		}
		in := NewIngester(IngestConfig{Metrics: m}, reg, st, []Observer{first, second})
		done := make(chan struct{})
		go func() { in.RunLocal(ctx); close(done) }()
		if async {
			b.SetAsyncSink(in.SubmitAsync)
		} else {
			b.SetSink(in.Submit)
		}

		pub := func(d Device, secret, topic string, payloads ...[]byte) []byte {
			cm, err := Connect(ctx, ClientConfig{Broker: b.URL(), ClientID: "pub-" + d.Code, Username: d.Code, Password: secret})
			if err != nil {
				t.Fatal(err)
			}
			defer cm.Disconnect(context.Background())
			var codes []byte
			for _, p := range payloads {
				r, err := cm.Publish(ctx, &paho.Publish{Topic: topic, QoS: 1, Payload: p})
				if err != nil && r == nil {
					t.Fatal(err)
				}
				codes = append(codes, r.ReasonCode)
			}
			return codes
		}
		now := time.Now()
		pts := []Point{{PointSteamPressure, 1.02, "MPa"}, {PointWaterLevel, -10, "mm"}}
		var good [][]byte
		for i := range 20 {
			good = append(good, Encode(now.Add(time.Duration(i-20)*time.Second), pts))
		}
		if rc := pub(devs[0], "secret-"+devs[0].Code, Topic(devs[0].CreditCode, devs[0].Code), append(good, []byte(`{"ts":`), good[0])...); rc[0] != 0 {
			t.Fatalf("publish refused: %v", rc)
		}
		// A device may not publish as another device.
		if rc := pub(devs[1], "secret-"+devs[1].Code, Topic(devs[0].CreditCode, devs[0].Code), good[0]); rc[0] < 0x80 {
			t.Fatalf("cross-device publish accepted: %v", rc)
		}
		// A wrong secret does not connect.
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		if _, err := Connect(cctx, ClientConfig{Broker: b.URL(), ClientID: "bad", Username: devs[2].Code, Password: "nope"}); err == nil {
			t.Fatal("wrong secret connected")
		}
		ccancel()
		// The embedded broker acknowledged each publish after its commit.
		if s := in.Stats(); s.Received != 22 {
			t.Fatalf("acknowledged before stored: %+v", s)
		}
		if s := in.Stats(); s.Stored != 20 || s.Dead != 1 || s.Duplicates != 1 || s.Acked != 22 {
			t.Fatalf("stats %+v", s)
		}
		if n, _ := st.Count(ctx, "TSGTEST"); n != 20 {
			t.Fatalf("stored %d", n)
		}
		ds, _ := st.DeadLetters(ctx, 10)
		if len(ds) != 1 || ds[0].Reason != ReasonBadJSON || string(ds[0].Payload) != `{"ts":` {
			t.Fatalf("dead letters %+v", ds)
		}
		waitFor(t, "observers", 5*time.Second, func() bool { return second.count() == 21 })
		if first.count() != 21 || order[0] != "rules" || order[1] != "alarms" {
			t.Fatalf("observers: %d %v", first.count(), order)
		}
		if v := counterValue(t, m.obsErrs.WithLabelValues("0")); v < 1 {
			t.Fatalf("observer errors not counted: %v", v)
		}
		if v := counterValue(t, m.dead.WithLabelValues(ReasonBadJSON)); v != 1 {
			t.Fatalf("dead-letter metric %v", v)
		}
		cancel()
		<-done
	})
}

func counterValue(t testing.TB, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
