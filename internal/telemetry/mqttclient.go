package telemetry

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// ClientConfig is what every Sidi MQTT client (ingester, publisher, bare
// subscriber) needs to connect.
type ClientConfig struct {
	Broker   string // tcp://host:port or mqtt://host:port
	ClientID string
	Username string
	Password string
	// Persistent keeps the session on the broker for SessionExpiry after a
	// disconnect (clean start false), so unacknowledged QoS 1 messages are
	// redelivered to the next connection with the same client id.
	Persistent    bool
	SessionExpiry time.Duration
	// ReceiveMaximum (MQTT v5) bounds the QoS 1 messages the broker sends
	// before they are acknowledged (0 = the library's 65535).
	ReceiveMaximum uint16
	ManualAck      bool
	// EndSession discards the broker's session on a clean disconnect
	// (session expiry 0), for benches and tests that leave nothing behind.
	EndSession bool
	OnPublish  func(paho.PublishReceived) (bool, error)
	OnUp       func(*autopaho.ConnectionManager)
	OnError    func(error)
}

// BrokerURL parses and checks a broker address.
func BrokerURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "tcp" && u.Scheme != "mqtt") || u.Port() == "" {
		return nil, fmt.Errorf("MQTT 服务器地址须形如 tcp://主机:端口（收到 %q） broker must look like tcp://host:port", s)
	}
	return u, nil
}

// Connect dials the broker (reconnecting on its own until ctx ends) and
// waits for the first connection.
func Connect(ctx context.Context, cfg ClientConfig) (*autopaho.ConnectionManager, error) {
	u, err := BrokerURL(cfg.Broker)
	if err != nil {
		return nil, err
	}
	onErr := cfg.OnError
	if onErr == nil {
		onErr = func(error) {}
	}
	ac := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		KeepAlive:                     30,
		CleanStartOnInitialConnection: !cfg.Persistent,
		ReconnectBackoff:              autopaho.NewConstantBackoff(500 * time.Millisecond),
		ConnectTimeout:                10 * time.Second,
		ConnectUsername:               cfg.Username,
		ConnectPassword:               []byte(cfg.Password),
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			if cfg.OnUp != nil {
				cfg.OnUp(cm)
			}
		},
		OnConnectError: onErr,
		ClientConfig: paho.ClientConfig{
			ClientID:                   cfg.ClientID,
			EnableManualAcknowledgment: cfg.ManualAck,
			SendAcksInterval:           2 * time.Millisecond,
			OnClientError:              onErr,
		},
	}
	if cfg.Persistent && cfg.SessionExpiry > 0 {
		ac.SessionExpiryInterval = uint32(cfg.SessionExpiry / time.Second)
	}
	if cfg.EndSession {
		ac.DisconnectPacketBuilder = func() *paho.Disconnect {
			zero := uint32(0)
			return &paho.Disconnect{Properties: &paho.DisconnectProperties{SessionExpiryInterval: &zero}}
		}
	}
	if cfg.ReceiveMaximum > 0 {
		rm := cfg.ReceiveMaximum
		ac.ConnectPacketBuilder = func(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
			if cp.Properties == nil {
				cp.Properties = &paho.ConnectProperties{}
			}
			cp.Properties.ReceiveMaximum = &rm
			return cp, nil
		}
	}
	if cfg.OnPublish != nil {
		ac.OnPublishReceived = []func(paho.PublishReceived) (bool, error){cfg.OnPublish}
	}
	cctx, stop := context.WithCancel(ctx)
	cm, err := autopaho.NewConnection(cctx, ac)
	if err != nil {
		stop()
		return nil, fmt.Errorf("telemetry: connect %s: %w", u.Host, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := cm.AwaitConnection(wctx); err != nil {
		stop() // no retrying in the background after a failed start
		return nil, fmt.Errorf("telemetry: connect %s: %w", u.Host, err)
	}
	context.AfterFunc(ctx, stop)
	return cm, nil
}
