package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// BenchDevices returns n bench boilers under a fresh random code prefix,
// their registry and their secrets.
func BenchDevices(n int) (prefix string, devs []Device, reg *StaticRegistry, err error) {
	var b [4]byte
	rand.Read(b[:])
	prefix = "BENCH" + strings.ToUpper(hex.EncodeToString(b[:]))
	// Each run has its own credit code, so its subscribers can subscribe to
	// its devices only (BenchFilter).
	credit := "9163" + prefix + "X"
	secrets := make([]string, n)
	for i := range n {
		devs = append(devs, Device{ID: int64(i + 1), Code: fmt.Sprintf("%s%05d", prefix, i), CreditCode: credit, Type: TypeBoiler, Region: "632801", Name: "【演示数据】压测锅炉", Fuel: "natural_gas"})
		secrets[i] = "bench-" + devs[i].Code
	}
	reg, err = NewStaticRegistry(devs, secrets)
	return prefix, devs, reg, err
}

// BenchFilter is the topic filter of the devices of one BenchDevices call
// (they share a credit code). The bench's subscribers use it: on a shared
// broker a subscription to every telemetry topic also queues other
// clients' messages (tests, simulators, other benches), which count
// against the broker's per-client queue and not against the bench's own
// messages, and Mosquitto then drops messages for the bench's subscriber.
func BenchFilter(devs []Device) string {
	return TopicPrefix + devs[0].CreditCode + "/+" + TopicSuffix
}

// BenchSecret is the secret BenchDevices gives a device.
func BenchSecret(code string) string { return "bench-" + code }

// Publisher publishes QoS 1 telemetry for a set of devices, one MQTT
// connection per device (each logs in with its own credentials).
type Publisher struct {
	conns map[string]*autopaho.ConnectionManager
	devs  map[string]Device
}

// NewPublisher connects every device in devs; secret gives each its password.
func NewPublisher(ctx context.Context, broker string, devs []Device, secret func(code string) string) (*Publisher, error) {
	p := &Publisher{conns: map[string]*autopaho.ConnectionManager{}, devs: map[string]Device{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	sem := make(chan struct{}, 32)
	for _, d := range devs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cm, err := Connect(ctx, ClientConfig{Broker: broker, ClientID: "dev-" + d.Code, Username: d.Code, Password: secret(d.Code), EndSession: true})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("device %s: %w", d.Code, err)
				}
				return
			}
			p.conns[d.Code], p.devs[d.Code] = cm, d
		}()
	}
	wg.Wait()
	if firstErr != nil {
		p.Close()
		return nil, firstErr
	}
	return p, nil
}

// Publish sends one message of device code at QoS 1 and waits for the
// broker's acknowledgement.
func (p *Publisher) Publish(ctx context.Context, code string, at time.Time, pts []Point) error {
	cm, ok := p.conns[code]
	if !ok {
		return fmt.Errorf("telemetry: publisher has no device %s", code)
	}
	d := p.devs[code]
	r, err := cm.Publish(ctx, &paho.Publish{Topic: Topic(d.CreditCode, d.Code), QoS: 1, Payload: Encode(at, pts)})
	if err != nil {
		return err
	}
	if r != nil && r.ReasonCode >= 0x80 {
		return fmt.Errorf("telemetry: broker refused %s: reason 0x%02x", code, r.ReasonCode)
	}
	return nil
}

// Close disconnects every device.
func (p *Publisher) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, cm := range p.conns {
		cm.Disconnect(ctx)
	}
}

// BenchPoints are the five points of a bench message.
func BenchPoints(i int) []Point {
	f := float64(i%100) / 100
	return []Point{{PointSteamPressure, 1.0 + f/10, "MPa"}, {PointSteamTemp, 183 + f, "°C"}, {PointWaterLevel, -20 + f*10, "mm"},
		{PointFlueTemp, 150 + f*5, "°C"}, {PointO2, 3.5 + f, "%"}}
}

// publishAll publishes n messages spread over devs with inflight concurrent
// publishes per device; message k of a device is stamped base + k ms. It
// returns how many the broker acknowledged.
//
// consumed, when not nil, reports how many messages the consumer has
// acknowledged; publishers then stay at most ahead messages ahead of it,
// so a broker with a bounded per-client queue (Mosquitto's
// max_queued_messages, 1000 by default, on top of the receive maximum the
// consumer announces) never has to drop messages it has already
// acknowledged to the publisher (benchAhead). Mosquitto 2.0.11 with the
// system configuration still sometimes drops messages for the bare
// subscriber at 30,000 messages, with ahead = 1024, 500 and 100 alike, so
// the gate is not what bounds its queue (see docs/PERFORMANCE.md).
func publishAll(ctx context.Context, p *Publisher, devs []Device, n, inflight int, base time.Time, consumed func() int64, ahead int) (int64, error) {
	var acked atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(devs)*inflight)
	// tokens admits a publish; with a consumer, one more token is released
	// for each message it acknowledges.
	tokens := make(chan struct{}, n)
	if consumed == nil {
		for range n {
			tokens <- struct{}{}
		}
	} else {
		for range min(ahead, n) {
			tokens <- struct{}{}
		}
		pctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			released := int64(min(ahead, n))
			t := time.NewTicker(500 * time.Microsecond)
			defer t.Stop()
			for released < int64(n) {
				select {
				case <-pctx.Done():
					return
				case <-t.C:
				}
				for c := consumed(); released < min(c+int64(ahead), int64(n)); released++ {
					tokens <- struct{}{}
				}
			}
		}()
	}
	for range inflight * len(devs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := next.Add(1) - 1
				if k >= int64(n) {
					return
				}
				select {
				case <-tokens:
				case <-ctx.Done():
					errs <- ctx.Err()
					return
				}
				dev := devs[k%int64(len(devs))]
				seq := k / int64(len(devs))
				if err := p.Publish(ctx, dev.Code, base.Add(time.Duration(seq)*time.Millisecond), BenchPoints(int(k))); err != nil {
					errs <- err
					return
				}
				acked.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	return acked.Load(), <-errs
}

// benchAhead is how far the publishers may run ahead of a TCP consumer.
const benchAhead = 500

// BenchConfig configures RunBench.
type BenchConfig struct {
	Broker string // tcp://host:port of the broker both phases use
	// Embedded is set when Broker is the embedded broker: both phases then
	// receive inside it (Broker.SetSink), the bare one counting, the
	// pipeline one through Ingester.Submit.
	Embedded    *Broker
	IngestUser  string // credentials of the bare subscriber and the ingester ("" on Mosquitto)
	IngestPass  string
	Messages    int
	Devices     []Device
	Prefix      string // the devices' common code prefix (to count what was stored)
	Secret      func(code string) string
	Inflight    int // concurrent publishes per device connection (default 4)
	Window      int
	Batch       int
	Observers   []Observer
	Timeout     time.Duration // per phase (default 5 min)
	StorageName string
}

// BenchResult is the JSON line of `sidi bench telemetry`.
type BenchResult struct {
	Broker             string  `json:"broker"`
	Storage            string  `json:"storage"`
	Messages           int     `json:"messages"`
	Devices            int     `json:"devices"`
	PointsPerMessage   int     `json:"points_per_message"`
	PipelineMsgsPerS   float64 `json:"pipeline_msgs_per_s"`
	PipelinePointsPerS float64 `json:"pipeline_points_per_s"`
	BareMsgsPerS       float64 `json:"bare_msgs_per_s"`
	Ratio              float64 `json:"ratio"`
	Published          int64   `json:"published_acked"`
	Stored             int     `json:"stored"`
	Lost               int64   `json:"lost"`
	MaxQueue           int64   `json:"max_queue"`
	RSSMB              float64 `json:"rss_mb"`
}

// RunBench publishes cfg.Messages five-point QoS 1 messages twice through
// the same broker and publisher: first to a bare subscriber (receive and
// acknowledge, nothing else), then to the ingester (decode, store durably,
// observers). Each rate is messages over the time from the first publish to
// the last message received (bare) or observed after its commit (pipeline).
func RunBench(ctx context.Context, cfg BenchConfig, reg Registry, st *Store) (BenchResult, error) {
	if cfg.Inflight <= 0 {
		cfg.Inflight = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.Window <= 0 {
		cfg.Window = 1024
	}
	res := BenchResult{Broker: cfg.Broker, Storage: cfg.StorageName, Messages: cfg.Messages, Devices: len(cfg.Devices), PointsPerMessage: len(BenchPoints(0))}
	pub, err := NewPublisher(ctx, cfg.Broker, cfg.Devices, cfg.Secret)
	if err != nil {
		return res, err
	}
	defer pub.Close()
	perDevice := time.Duration(cfg.Messages/len(cfg.Devices)+1) * time.Millisecond
	base := time.Now().Add(-2 * perDevice)

	// Phase 1: a bare subscriber.
	var got atomic.Int64
	bareDone := make(chan struct{})
	var once sync.Once
	count := func(topic string) {
		if strings.Contains(topic, cfg.Prefix) && got.Add(1) == int64(cfg.Messages) {
			once.Do(func() { close(bareDone) })
		}
	}
	var cm *autopaho.ConnectionManager
	if cfg.Embedded != nil {
		cfg.Embedded.SetSink(func(_ context.Context, topic string, _ []byte) error { count(topic); return nil })
	} else {
		subscribed := make(chan error, 1)
		cm, err = Connect(ctx, ClientConfig{Broker: cfg.Broker, ClientID: "sidi-bench-bare-" + cfg.Prefix, Username: cfg.IngestUser, Password: cfg.IngestPass, EndSession: true,
			ReceiveMaximum: uint16(max(cfg.Window, 1)),
			OnPublish:      func(pr paho.PublishReceived) (bool, error) { count(pr.Packet.Topic); return true, nil },
			OnUp: func(cm *autopaho.ConnectionManager) {
				_, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: BenchFilter(cfg.Devices), QoS: 1}}})
				select {
				case subscribed <- err:
				default:
				}
			}})
		if err != nil {
			return res, fmt.Errorf("bare subscriber: %w", err)
		}
		if err := <-subscribed; err != nil {
			return res, fmt.Errorf("bare subscriber: %w", err)
		}
	}
	t0 := time.Now()
	var gate func() int64
	if cfg.Embedded == nil {
		gate = got.Load
	}
	if _, err := publishAll(ctx, pub, cfg.Devices, cfg.Messages, cfg.Inflight, base, gate, benchAhead); err != nil {
		return res, fmt.Errorf("publish (bare): %w", err)
	}
	select {
	case <-bareDone:
	case <-time.After(cfg.Timeout):
		return res, fmt.Errorf("bare subscriber received %d of %d", got.Load(), cfg.Messages)
	}
	res.BareMsgsPerS = float64(cfg.Messages) / time.Since(t0).Seconds()
	if cm != nil {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		cm.Disconnect(dctx)
		cancel()
	}

	// Phase 2: the ingester.
	counter := &countObserver{want: int64(cfg.Messages), done: make(chan struct{})}
	ictx, stop := context.WithCancel(ctx)
	defer stop()
	in := NewIngester(IngestConfig{Client: ClientConfig{Broker: cfg.Broker, ClientID: "sidi-bench-ingest-" + cfg.Prefix, Username: cfg.IngestUser, Password: cfg.IngestPass, EndSession: true},
		Filter: BenchFilter(cfg.Devices), Window: cfg.Window, Batch: cfg.Batch}, reg, st, append(append([]Observer(nil), cfg.Observers...), counter))
	runErr := make(chan error, 1)
	if cfg.Embedded != nil {
		go func() { in.RunLocal(ictx); runErr <- nil }()
		cfg.Embedded.SetAsyncSink(in.SubmitAsync)
		defer cfg.Embedded.SetSink(nil)
	} else {
		go func() { runErr <- in.Run(ictx) }()
	}
	select {
	case <-in.Subscribed():
	case err := <-runErr:
		return res, fmt.Errorf("ingester: %w", err)
	case <-time.After(30 * time.Second):
		return res, fmt.Errorf("ingester did not subscribe")
	}
	t0 = time.Now()
	gate = nil
	if cfg.Embedded == nil {
		gate = func() int64 { return in.Stats().Acked }
	}
	published, err := publishAll(ctx, pub, cfg.Devices, cfg.Messages, cfg.Inflight, base.Add(perDevice), gate, benchAhead)
	if err != nil {
		return res, fmt.Errorf("publish (pipeline): %w", err)
	}
	select {
	case <-counter.done:
	case <-time.After(cfg.Timeout):
		return res, fmt.Errorf("pipeline observed %d of %d messages in %s (ingester %+v)", counter.n.Load(), cfg.Messages, cfg.Timeout, in.Stats())
	}
	res.PipelineMsgsPerS = float64(counter.n.Load()) / time.Since(t0).Seconds()
	res.PipelinePointsPerS = res.PipelineMsgsPerS * float64(res.PointsPerMessage)
	stop()
	<-runErr
	res.Published = published
	res.MaxQueue = in.Stats().MaxQueue
	if res.Stored, err = st.Count(ctx, cfg.Prefix); err != nil {
		return res, err
	}
	res.Lost = max(published-int64(res.Stored), 0)
	if res.BareMsgsPerS > 0 {
		res.Ratio = res.PipelineMsgsPerS / res.BareMsgsPerS
	}
	res.RSSMB = PeakRSSMB()
	return res, nil
}

type countObserver struct {
	n    atomic.Int64
	want int64
	done chan struct{}
	once sync.Once
}

func (c *countObserver) Observe(_ context.Context, b []Message) error {
	if c.n.Add(int64(len(b))) >= c.want {
		c.once.Do(func() { close(c.done) })
	}
	return nil
}

// PeakRSSMB is the process's peak resident set (VmHWM) in MiB, 0 where
// /proc is not available.
func PeakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
