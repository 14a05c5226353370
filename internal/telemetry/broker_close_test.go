package telemetry

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

// TestBrokerCloseWhileClientsLeave closes the broker while its clients are
// dropping their connections: Close must disconnect every client and return
// in every round. mochi's own shutdown path read-locks the client map twice
// and deadlocks when a leaving client's delete is queued between the two
// locks (a CI run hung 28 minutes in Clients.Delete). That window is a few
// nanoseconds wide, so this test seldom catches the old path; it guards the
// shutdown Broker.Close now takes (one read lock, then the listener).
func TestBrokerCloseWhileClientsLeave(t *testing.T) {
	const clients, rounds = 40, 15
	devs, reg := testDevices(t, "TSGCLOSE", clients)
	for round := range rounds {
		b, err := StartBroker(context.Background(), BrokerConfig{Addr: "127.0.0.1:0", IngestSecret: "ingest-pw"}, reg)
		if err != nil {
			t.Fatal(err)
		}
		conns := make([]net.Conn, 0, clients)
		for i, d := range devs {
			conn, err := net.Dial("tcp", b.Addr())
			if err != nil {
				t.Fatal(err)
			}
			c := paho.NewClient(paho.ClientConfig{Conn: conn})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			ca, err := c.Connect(ctx, &paho.Connect{ClientID: fmt.Sprintf("close-%d-%d", round, i), CleanStart: true,
				Username: d.Code, UsernameFlag: true, Password: []byte("secret-" + d.Code), PasswordFlag: true, KeepAlive: 30})
			cancel()
			if err != nil || ca.ReasonCode != 0 {
				t.Fatalf("round %d client %d: connect: %v %+v", round, i, err, ca)
			}
			conns = append(conns, conn)
		}
		var wg sync.WaitGroup
		for _, conn := range conns {
			wg.Go(func() { conn.Close() })
		}
		closed := make(chan error, 1)
		go func() { closed <- b.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("round %d: close: %v", round, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: the broker did not close within 20 s while %d clients left", round, clients)
		}
		wg.Wait()
	}
}
