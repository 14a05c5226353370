package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// IngestConfig configures an Ingester.
type IngestConfig struct {
	Client ClientConfig // Broker, ClientID, Username, Password are used; the rest is set here
	// Share names the shared-subscription group: workers with the same
	// group split one stream ($share/GROUP/sidi/v1/+/+/telemetry). Empty
	// subscribes to the plain filter.
	Share string
	// Filter replaces the subscription filter TopicFilter (the bench
	// subscribes to its own devices only: BenchFilter).
	Filter string
	// Window is the MQTT v5 receive maximum the ingester announces and the
	// capacity of its queue: at most Window QoS 1 messages are received and
	// not yet acknowledged. Default 1024.
	Window int
	// Batch is the most messages one transaction commits (default 512);
	// Linger is how long a batch smaller than Batch may wait for more once
	// the store is free to take it. The default, 0, is group commit: the
	// store takes whatever has been decoded as soon as it finishes the
	// previous commit, so batches grow with the load and nothing waits on
	// a timer.
	Batch  int
	Linger time.Duration
	// SessionExpiry is how long the broker keeps the session, and the
	// unacknowledged messages in it, after the ingester disappears (default 1 h).
	SessionExpiry time.Duration
	Logger        *slog.Logger
	Metrics       *Metrics
	Now           func() time.Time
}

// Ingester subscribes to the telemetry topics, decodes and validates each
// message, stores batches durably, acknowledges the QoS 1 messages of a
// batch only after its commit, and then hands the batch to the observers.
//
// Memory is bounded: the broker sends at most Window unacknowledged
// messages (receive maximum); the queue holds at most Window; three batches
// of at most Batch are being decoded, committed and acknowledged; the
// observer hand-off holds at most observerDepth batches, and when it is
// full the acknowledger waits, which
// stops acknowledgements, which stops the broker. Each message is at most
// MaxPayload bytes, so the ingester's message memory stays below
// (Window + (3+observerDepth)·Batch) · (MaxPayload + ~1 KiB) (MemoryBound).
type Ingester struct {
	cfg       IngestConfig
	reg       Registry
	st        *Store
	observers []Observer
	log       *slog.Logger
	queue     chan item
	toObs     chan []Message
	cache     map[string]cached

	arrived, received, stored, dead, acked, duplicates, maxQueue atomic.Int64
	subscribed                                                   chan struct{}
	stop                                                         chan struct{} // closed when Run or RunLocal's context ends
	subOnce                                                      sync.Once
}

const observerDepth = 4

// MemoryBound is the most message memory an ingester with window and batch
// holds: Window received and unacknowledged messages in the queue (the
// broker sends no more: MQTT v5 receive maximum), three batches out of the
// queue (being decoded, committed and acknowledged), and observerDepth
// committed batches waiting for the observers,
// each message at most MaxPayload bytes plus 1 KiB of decoded points and
// bookkeeping.
func MemoryBound(window, batch int) int64 {
	return int64(window+(3+observerDepth)*batch) * (MaxPayload + 1024)
}

// item is a received message: from an MQTT subscription (pub and cli, to
// acknowledge) or handed over in-process by the embedded broker (topic,
// payload and done, which learns the outcome of the commit).
type item struct {
	pub     *paho.Publish
	cli     *paho.Client
	topic   string
	payload []byte
	done    chan error
	notify  func(error) // SubmitAsync's callback
	rec     time.Time
}

type cached struct {
	d   Device
	err error
	exp time.Time
}

// NewIngester builds an ingester; Run starts it.
func NewIngester(cfg IngestConfig, reg Registry, st *Store, observers []Observer) *Ingester {
	if cfg.Window <= 0 {
		cfg.Window = 1024
	}
	cfg.Window = min(cfg.Window, 65535)
	if cfg.Batch <= 0 {
		cfg.Batch = 512
	}
	cfg.Linger = max(cfg.Linger, 0)
	if cfg.SessionExpiry <= 0 {
		cfg.SessionExpiry = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Ingester{cfg: cfg, reg: reg, st: st, observers: observers, log: log,
		queue: make(chan item, cfg.Window), toObs: make(chan []Message, observerDepth),
		cache: map[string]cached{}, subscribed: make(chan struct{}), stop: make(chan struct{})}
}

// Stats are the ingester's counters since it started.
type Stats struct {
	Arrived                                   int64 // handed to the queue (redeliveries included)
	Received, Stored, Dead, Acked, Duplicates int64 // of committed batches
	MaxQueue                                  int64 // the queue's high-water mark
}

// Stats returns the counters.
func (in *Ingester) Stats() Stats {
	return Stats{Arrived: in.arrived.Load(), Received: in.received.Load(), Stored: in.stored.Load(), Dead: in.dead.Load(),
		Acked: in.acked.Load(), Duplicates: in.duplicates.Load(), MaxQueue: in.maxQueue.Load()}
}

// QueueDepth is how many received messages wait for their batch.
func (in *Ingester) QueueDepth() int { return len(in.queue) }

// Subscribed is closed once the broker has acknowledged the subscription.
func (in *Ingester) Subscribed() <-chan struct{} { return in.subscribed }

// Filter is the subscription filter of the ingester.
func (in *Ingester) Filter() string {
	f := TopicFilter
	if in.cfg.Filter != "" {
		f = in.cfg.Filter
	}
	if in.cfg.Share == "" {
		return f
	}
	return "$share/" + in.cfg.Share + "/" + f
}

// Run connects and ingests until ctx ends. Messages received and not yet
// committed are not acknowledged: the broker redelivers them to the next
// connection of the same client id.
func (in *Ingester) Run(ctx context.Context) error {
	context.AfterFunc(ctx, func() { close(in.stop) })
	cc := in.cfg.Client
	cc.Persistent, cc.SessionExpiry, cc.ManualAck = true, in.cfg.SessionExpiry, true
	cc.ReceiveMaximum = uint16(in.cfg.Window)
	cc.OnPublish = in.receive
	cc.OnError = func(err error) { in.log.Warn("MQTT 连接错误 mqtt connection error", "err", err) }
	cc.OnUp = func(cm *autopaho.ConnectionManager) { go in.subscribe(ctx, cm) }

	wait := in.start(ctx)
	cm, err := Connect(ctx, cc)
	if err != nil {
		wait()
		return err
	}
	<-ctx.Done()
	dctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cm.Disconnect(dctx)
	wait()
	return nil
}

// RunLocal runs the ingester without an MQTT connection, for messages
// handed over with Submit (the embedded broker's hook), until ctx ends.
func (in *Ingester) RunLocal(ctx context.Context) {
	context.AfterFunc(ctx, func() { close(in.stop) })
	in.subOnce.Do(func() { close(in.subscribed) })
	wait := in.start(ctx)
	<-ctx.Done()
	wait()
}

// start runs the committer and the observer goroutines; the returned
// function waits for both after ctx ends.
func (in *Ingester) start(ctx context.Context) func() {
	wctx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); in.observe(wctx) }()
	go func() { defer wg.Done(); in.commitLoop(ctx); close(in.toObs) }()
	return func() { wg.Wait(); stopWork() }
}

// ErrNotCommitted is what Submit returns for a message that was not stored
// because the ingester stopped first.
var ErrNotCommitted = errors.New("telemetry: ingester stopped before the message was committed")

// Submit hands a received message to a RunLocal ingester and waits until
// its batch is committed (nil; a refused message is dead-lettered and
// also committed) or the ingester stops. The embedded broker acknowledges
// a device's QoS 1 publish only after Submit returns nil.
func (in *Ingester) Submit(ctx context.Context, topic string, payload []byte) error {
	it := item{topic: topic, payload: payload, done: make(chan error, 1), rec: in.cfg.Now()}
	if err := in.enqueue(ctx, it); err != nil {
		return err
	}
	select {
	case err := <-it.done:
		return err
	case <-in.stop:
		// The committer may still finish this batch; it is not waited for.
		return ErrNotCommitted
	}
}

// SubmitAsync hands a received message to a RunLocal ingester and returns
// once it is queued (blocking while the queue is full, which holds up the
// sender: back-pressure). done is called exactly once, from the committer,
// with nil after the message's batch is committed, or with an error when
// it will not be. The embedded broker acknowledges a device's QoS 1 publish
// from done (Broker.SetAsyncSink).
func (in *Ingester) SubmitAsync(ctx context.Context, topic string, payload []byte, done func(error)) error {
	return in.enqueue(ctx, item{topic: topic, payload: payload, notify: done, rec: in.cfg.Now()})
}

// enqueue puts an in-process item on the queue, waiting while it is full.
func (in *Ingester) enqueue(ctx context.Context, it item) error {
	select {
	case in.queue <- it:
	case <-in.stop:
		return ErrNotCommitted
	case <-ctx.Done():
		return ctx.Err()
	}
	in.noteDepth()
	return nil
}

func (in *Ingester) noteDepth() {
	in.arrived.Add(1)
	if d := int64(len(in.queue)); d > in.maxQueue.Load() {
		in.maxQueue.Store(d)
	}
}

func (in *Ingester) subscribe(ctx context.Context, cm *autopaho.ConnectionManager) {
	_, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: in.Filter(), QoS: 1}}})
	if err != nil {
		in.log.Error("MQTT 订阅失败 mqtt subscribe failed", "filter", in.Filter(), "err", err)
		return
	}
	in.log.Info("已订阅遥测主题 subscribed", "filter", in.Filter())
	in.subOnce.Do(func() { close(in.subscribed) })
}

// receive runs on the MQTT client's delivery goroutine: it blocks while the
// queue is full, which stops reading from the broker.
func (in *Ingester) receive(pr paho.PublishReceived) (bool, error) {
	it := item{pub: pr.Packet, cli: pr.Client, topic: pr.Packet.Topic, payload: pr.Packet.Payload, rec: in.cfg.Now()}
	select {
	case in.queue <- it:
	case <-in.stop:
		return false, nil // shutting down: not acknowledged, redelivered later
	}
	in.noteDepth()
	return true, nil
}

// commitLoop runs the three stages of the ingester, each on its own
// goroutine and handing over through unbuffered channels: batching and
// decoding, the durable write, and the acknowledgements (then the
// observers). The next batch is gathered and decoded while the previous
// one commits, and acknowledging a committed batch (a write to each
// device's or the broker's connection) no longer holds up the next
// commit. A batch is acknowledged only after its own commit, in the order
// the batches were taken from the queue. At most three batches are out of
// the queue and unacknowledged.
func (in *Ingester) commitLoop(ctx context.Context) {
	decoded := make(chan decodedBatch)
	committed := make(chan decodedBatch)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); defer close(committed); in.storeLoop(ctx, decoded, committed) }()
	go func() { defer wg.Done(); in.ackLoop(ctx, committed) }()
	in.batchLoop(ctx, decoded)
	close(decoded)
	wg.Wait()
	in.drainLocal()
}

// decodedBatch is a batch taken from the queue, decoded.
type decodedBatch struct {
	items []item
	msgs  []Message
	dead  []DeadLetter
}

// batchLoop takes messages from the queue and decodes them into the next
// batch, and hands that batch to the store stage as soon as the store
// stage is free (group commit; after Linger when Linger is set), or when
// it holds Batch messages, until ctx ends.
func (in *Ingester) batchLoop(ctx context.Context, out chan<- decodedBatch) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var d decodedBatch
	var first time.Time
	for {
		var (
			take  <-chan item
			send  chan<- decodedBatch
			wake  <-chan time.Time
			ready = len(d.items) >= in.cfg.Batch
		)
		if !ready {
			take = in.queue
		}
		if n := len(d.items); n > 0 {
			if wait := in.cfg.Linger - time.Since(first); ready || wait <= 0 {
				send = out
			} else {
				timer.Reset(wait)
				wake = timer.C
			}
		}
		select {
		case send <- d:
			d = decodedBatch{}
		case it := <-take:
			if len(d.items) == 0 {
				first = time.Now()
				d = decodedBatch{items: make([]item, 0, min(in.cfg.Batch, 64)), msgs: make([]Message, 0, min(in.cfg.Batch, 64))}
			}
			in.decodeInto(ctx, &d, it)
		case <-wake:
		case <-ctx.Done():
			finishAll(d.items, ErrNotCommitted)
			return // not committed, not acknowledged: redelivered later
		}
		timer.Stop()
	}
}

// storeLoop commits each decoded batch (retrying until it commits or ctx
// ends) and passes it on to be acknowledged.
func (in *Ingester) storeLoop(ctx context.Context, batches <-chan decodedBatch, out chan<- decodedBatch) {
	for d := range batches {
		if ctx.Err() != nil || in.store(ctx, d) != nil {
			finishAll(d.items, ErrNotCommitted)
			continue
		}
		out <- d // ackLoop always receives until out is closed
	}
}

// ackLoop acknowledges committed batches in order and hands them to the
// observers.
func (in *Ingester) ackLoop(ctx context.Context, committed <-chan decodedBatch) {
	for d := range committed {
		for _, it := range d.items {
			switch {
			case it.done != nil || it.notify != nil:
				it.finish(nil)
				in.acked.Add(1)
			case it.pub.QoS > 0 && it.cli.Ack(it.pub) == nil:
				in.acked.Add(1)
			}
		}
		if len(d.msgs) > 0 && len(in.observers) > 0 && ctx.Err() == nil {
			select {
			case in.toObs <- d.msgs:
			case <-ctx.Done():
			}
		}
	}
}

func finishAll(batch []item, err error) {
	for _, it := range batch {
		it.finish(err)
	}
}

// finish reports the outcome of an in-process item's commit.
func (it item) finish(err error) {
	if it.done != nil {
		it.done <- err
	}
	if it.notify != nil {
		it.notify(err)
	}
}

// drainLocal tells the in-process senders of whatever is still queued
// that it will not be committed (they are not acknowledged).
func (in *Ingester) drainLocal() {
	for {
		select {
		case it := <-in.queue:
			it.finish(ErrNotCommitted)
		default:
			return
		}
	}
}

// decodeInto decodes and validates one message into d; a refused one
// becomes a dead letter.
func (in *Ingester) decodeInto(ctx context.Context, d *decodedBatch, it item) {
	d.items = append(d.items, it)
	m, err := in.decode(ctx, it)
	if err != nil {
		in.log.Debug("遥测报文被拒 telemetry message refused", "topic", it.topic, "err", err)
		d.dead = append(d.dead, NewDeadLetter(it.topic, it.payload, it.rec, err))
		return
	}
	in.cfg.Metrics.observeLag(m.Received.Sub(m.At))
	d.msgs = append(d.msgs, m)
}

// store writes a decoded batch in one transaction, retrying until it
// commits or ctx ends.
func (in *Ingester) store(ctx context.Context, d decodedBatch) error {
	wait := 100 * time.Millisecond
	for {
		start := time.Now()
		n, err := in.st.Write(ctx, d.msgs, d.dead)
		if err == nil {
			in.cfg.Metrics.batch(len(d.items), n, len(d.msgs), d.dead, time.Since(start))
			in.received.Add(int64(len(d.items)))
			in.stored.Add(int64(n))
			in.duplicates.Add(int64(len(d.msgs) - n))
			in.dead.Add(int64(len(d.dead)))
			return nil
		}
		in.cfg.Metrics.storeError()
		in.log.Error("遥测批次写入失败，稍后重试 telemetry batch not stored, retrying", "messages", len(d.items), "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

const deviceCacheTTL = time.Minute

func (in *Ingester) decode(ctx context.Context, it item) (Message, error) {
	credit, code, ok := ParseTopic(it.topic)
	if !ok {
		return Message{}, reject(ReasonBadTopic, "%q", clip(it.topic, 80))
	}
	d, err := in.device(ctx, credit, code, it.rec)
	if err != nil {
		return Message{}, err
	}
	at, pts, err := Decode(it.payload, it.rec)
	if err != nil {
		return Message{}, err
	}
	return Message{Device: d, At: at, Received: it.rec, Points: pts}, nil
}

func (in *Ingester) device(ctx context.Context, credit, code string, now time.Time) (Device, error) {
	key := credit + "/" + code
	if c, ok := in.cache[key]; ok && now.Before(c.exp) {
		return c.d, c.err
	}
	d, err := in.reg.Device(ctx, credit, code)
	switch {
	case errors.Is(err, ErrUnknownDevice):
		err = reject(ReasonUnknownDevice, "%s/%s", clip(credit, 40), clip(code, 40))
	case err != nil:
		return Device{}, reject(ReasonRegistryFailed, "%v", err) // not cached
	}
	if len(in.cache) > 100000 {
		clear(in.cache)
	}
	in.cache[key] = cached{d: d, err: err, exp: now.Add(deviceCacheTTL)}
	return d, err
}

// observe hands committed batches to the observers in order, from one
// goroutine. Errors are counted and logged; the batch is not retried (the
// observers keep their own durable state and see the stored data).
func (in *Ingester) observe(ctx context.Context) {
	for batch := range in.toObs {
		for i, o := range in.observers {
			if err := safeObserve(ctx, o, batch); err != nil {
				in.cfg.Metrics.observerError(strconv.Itoa(i))
				in.log.Error("遥测观察者出错 telemetry observer failed", "observer", fmt.Sprintf("%d:%T", i, o), "messages", len(batch), "err", err)
			}
		}
	}
}

func safeObserve(ctx context.Context, o Observer, batch []Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return o.Observe(ctx, batch)
}
