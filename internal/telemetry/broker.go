package telemetry

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// IngestUser is the MQTT username of the ingester (and of the bench's bare
// subscriber) on the embedded broker; its password is BrokerConfig.IngestSecret.
const IngestUser = "sidi-ingest"

// BrokerConfig configures the embedded MQTT broker.
type BrokerConfig struct {
	Addr         string // host:port to listen on ("127.0.0.1:0" picks a free port)
	IngestSecret string // password of IngestUser; required
	Logger       *slog.Logger
}

// Broker is the embedded MQTT broker (mochi-mqtt) of `sidi demo` and
// `sidi serve --mqtt-listen`. Devices log in with their equipment code and
// secret (checked by the Registry) and may publish only to their own
// telemetry topic; the ingest credential may subscribe to everything and
// publish nothing. Shared subscriptions ($share/GROUP/…) are available.
type Broker struct {
	srv  *mqtt.Server
	tcp  *listeners.TCP
	hook *aclHook
}

// Sink receives a device's telemetry publish inside the broker, before
// the broker acknowledges it: a nil error acknowledges the publish (QoS 1),
// an error refuses it with "server busy" so the device sends it again.
type Sink func(ctx context.Context, topic string, payload []byte) error

// SetSink hands every telemetry publish to sink (nil: none). The embedded
// broker's own ingester uses it (Ingester.Submit): a device's PUBACK then
// means the message is durably stored. The ingester does not subscribe
// over TCP to the embedded broker because mochi-mqtt v2.7.9 can deadlock
// delivering QoS 1 to a subscriber under concurrent publishing (a nested
// read lock in Inflight.NextImmediate while a publisher waits to write).
func (b *Broker) SetSink(sink Sink) {
	b.hook.async.Store(nil)
	if sink == nil {
		b.hook.sink.Store(nil)
		return
	}
	b.hook.sink.Store(&sink)
}

// AsyncSink receives a device's telemetry publish inside the broker
// without holding up the device's connection: it returns at once (an
// error refuses the publish with "server busy") and calls done exactly
// once when the message is durably stored (nil) or cannot be (an error).
// The broker sends the device's PUBACK from done, so the PUBACK still
// means "stored", and a connection may have as many messages in the
// pipeline as its receive maximum allows.
type AsyncSink func(ctx context.Context, topic string, payload []byte, done func(error)) error

// SetAsyncSink is SetSink for an AsyncSink (Ingester.SubmitAsync); it
// replaces any Sink. QoS 1 publishes are acknowledged from done; QoS 0 ones
// are not acknowledged at all; QoS 2 ones wait for done inside the broker,
// as with SetSink. A publish taken by the sink is not forwarded to the
// broker's subscribers: the in-process ingester is the consumer.
func (b *Broker) SetAsyncSink(sink AsyncSink) {
	b.hook.sink.Store(nil)
	if sink == nil {
		b.hook.async.Store(nil)
		return
	}
	b.hook.async.Store(&sink)
}

// StartBroker starts the broker; Close stops it.
func StartBroker(ctx context.Context, cfg BrokerConfig, reg Registry) (*Broker, error) {
	if cfg.IngestSecret == "" {
		return nil, fmt.Errorf("telemetry: the embedded broker needs an ingest secret")
	}
	log := slog.New(slog.DiscardHandler)
	if cfg.Logger != nil {
		// mochi logs every closed connection as a warning; keep its errors.
		log = slog.New(errorsOnly{cfg.Logger.Handler()})
	}
	srv := mqtt.New(&mqtt.Options{Logger: log, InlineClient: false})
	srv.Options.Capabilities.MaximumSessionExpiryInterval = 24 * 3600
	srv.Options.Capabilities.MaximumPacketSize = MaxPayload + 1024
	hook := &aclHook{ctx: ctx, reg: reg, ingest: []byte(cfg.IngestSecret), topics: map[string]string{}}
	if err := srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("telemetry: broker hook: %w", err)
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "sidi-tcp", Address: cfg.Addr})
	if err := srv.AddListener(tcp); err != nil {
		return nil, fmt.Errorf("telemetry: broker listen on %s: %w", cfg.Addr, err)
	}
	if err := srv.Serve(); err != nil {
		srv.Close()
		return nil, fmt.Errorf("telemetry: broker serve: %w", err)
	}
	return &Broker{srv: srv, tcp: tcp, hook: hook}, nil
}

// Addr is the address the broker listens on (host:port).
func (b *Broker) Addr() string { return b.tcp.Address() }

// URL is the broker's address as a client URL (tcp://host:port).
func (b *Broker) URL() string { return "tcp://" + b.Addr() }

// Close stops the broker and disconnects its clients.
//
// It closes the listener itself before mochi's Server.Close: mochi's own
// way of disconnecting a listener's clients (Clients.GetByListener) takes
// the clients' read lock twice, so a client ending its session at that
// moment (Clients.Delete waiting for the write lock) deadlocks the
// shutdown for good. Clients.GetAll takes the lock once and returns a
// copy; Server.Close then finds the listener already closed.
func (b *Broker) Close() error {
	b.srv.Listeners.Close(b.tcp.ID(), func(id string) {
		for _, cl := range b.srv.Clients.GetAll() {
			if cl.Net.Listener == id && !cl.Closed() {
				_ = b.srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
			}
		}
	})
	return b.srv.Close()
}

type aclHook struct {
	mqtt.HookBase
	ctx    context.Context
	reg    Registry
	ingest []byte
	mu     sync.Mutex
	topics map[string]string // device code → the one topic it may publish to
	sink   atomic.Pointer[Sink]
	async  atomic.Pointer[AsyncSink]
}

func (h *aclHook) ID() string { return "sidi-acl" }

func (h *aclHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnPublish}, []byte{b})
}

// OnPublish runs after the ACL check and before the PUBACK.
func (h *aclHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if ap := h.async.Load(); ap != nil && string(cl.Properties.Username) != IngestUser {
		return h.publishAsync(cl, pk, *ap)
	}
	sp := h.sink.Load()
	if sp == nil || string(cl.Properties.Username) == IngestUser {
		return pk, nil
	}
	if err := (*sp)(h.ctx, pk.TopicName, pk.Payload); err != nil {
		return pk, packets.ErrServerBusy
	}
	return pk, nil
}

// publishAsync hands pk to sink. For QoS 1 it tells mochi to drop the
// packet (ErrRejectPacket: no PUBACK, no fan-out) and writes the PUBACK
// itself once the sink reports the commit; the connection meanwhile reads
// its next packets. The PUBACKs of one connection go out in the order the
// sink commits, which is the order of its queue (one committer), so in the
// order the publishes arrived.
func (h *aclHook) publishAsync(cl *mqtt.Client, pk packets.Packet, sink AsyncSink) (packets.Packet, error) {
	payload := bytes.Clone(pk.Payload) // mochi may reuse its read buffer
	qos, id := pk.FixedHeader.Qos, pk.PacketID
	switch qos {
	case 0:
		if err := sink(h.ctx, pk.TopicName, payload, func(error) {}); err != nil {
			return pk, packets.ErrRejectPacket
		}
		return pk, packets.ErrRejectPacket
	case 1:
		err := sink(h.ctx, pk.TopicName, payload, func(err error) {
			if err != nil {
				if cl.Properties.ProtocolVersion < 5 {
					return // no PUBACK: the device sends it again on its next connection
				}
				cl.WritePacket(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Puback}, PacketID: id, ReasonCode: packets.ErrServerBusy.Code})
				return
			}
			cl.WritePacket(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Puback}, PacketID: id, ReasonCode: packets.CodeSuccess.Code})
		})
		if err != nil {
			return pk, packets.ErrServerBusy
		}
		return pk, packets.ErrRejectPacket
	default:
		res := make(chan error, 1)
		if err := sink(h.ctx, pk.TopicName, payload, func(err error) { res <- err }); err != nil {
			return pk, packets.ErrServerBusy
		}
		select {
		case err := <-res:
			if err != nil {
				return pk, packets.ErrServerBusy
			}
			return pk, nil
		case <-h.ctx.Done():
			return pk, packets.ErrServerBusy
		}
	}
}

func (h *aclHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	user, pass := string(pk.Connect.Username), string(pk.Connect.Password)
	if user == IngestUser {
		return subtle.ConstantTimeCompare([]byte(pass), h.ingest) == 1
	}
	if user == "" || pass == "" {
		return false
	}
	d, err := h.reg.Authenticate(h.ctx, user, pass)
	if err != nil {
		return false
	}
	h.mu.Lock()
	h.topics[d.Code] = Topic(d.CreditCode, d.Code)
	h.mu.Unlock()
	return true
}

func (h *aclHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	user := string(cl.Properties.Username)
	if user == IngestUser {
		return !write
	}
	if !write {
		return false
	}
	h.mu.Lock()
	allowed, ok := h.topics[user]
	h.mu.Unlock()
	return ok && topic == allowed
}

// errorsOnly passes on records at level Error and above.
type errorsOnly struct{ slog.Handler }

func (h errorsOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.Handler.Enabled(ctx, l)
}

func (h errorsOnly) WithAttrs(as []slog.Attr) slog.Handler {
	return errorsOnly{h.Handler.WithAttrs(as)}
}

func (h errorsOnly) WithGroup(name string) slog.Handler { return errorsOnly{h.Handler.WithGroup(name)} }
