package telemetry

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestIngestChild is the ingester process of TestKillIngester (the test
// binary re-executed); it does nothing in a normal run.
func TestIngestChild(t *testing.T) {
	if os.Getenv("SIDI_INGEST_CHILD") != "1" {
		t.Skip("helper process of TestKillIngester")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	f, err := os.Open(os.Getenv("SIDI_INGEST_DEVICES"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := ReadDevices(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Config{DataDir: os.Getenv("SIDI_INGEST_DATA"), URL: os.Getenv("SIDI_INGEST_DB")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := NewIngester(IngestConfig{Client: ClientConfig{Broker: os.Getenv("SIDI_INGEST_BROKER"), ClientID: os.Getenv("SIDI_INGEST_CLIENT"), EndSession: true},
		Share: os.Getenv("SIDI_INGEST_SHARE"), Window: 256, Batch: 64}, reg, NewStore(db), nil)
	go func() {
		select {
		case <-in.Subscribed():
			fmt.Println("SUBSCRIBED")
		case <-ctx.Done():
		}
	}()
	if err := in.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestKillIngester kills an ingester process with SIGKILL while a QoS 1
// publisher is publishing to Mosquitto, restarts it with the same client
// id, and checks that every published message is stored exactly once: what
// the dead process had acknowledged was committed, and what it had not was
// redelivered by the broker from the persistent session.
func TestKillIngester(t *testing.T) {
	broker := mosquitto(t)
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(dialect), func(t *testing.T) { killIngester(t, broker, dialect) })
	}
}

func killIngester(t *testing.T, broker string, dialect store.Dialect) {
	cfg := storetest.Config(t, dialect)
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	prefix, devs, _, err := BenchDevices(20)
	if err != nil {
		t.Fatal(err)
	}
	secrets := make([]string, len(devs))
	for i, d := range devs {
		secrets[i] = BenchSecret(d.Code)
	}
	devFile := t.TempDir() + "/devices.json"
	f, err := os.Create(devFile)
	if err != nil {
		t.Fatal(err)
	}
	WriteDevices(f, devs, secrets)
	f.Close()
	env := append(os.Environ(), "SIDI_INGEST_CHILD=1", "SIDI_INGEST_DEVICES="+devFile, "SIDI_INGEST_DATA="+cfg.DataDir, "SIDI_INGEST_DB="+cfg.URL,
		"SIDI_INGEST_BROKER="+broker, "SIDI_INGEST_CLIENT=sidi-killtest-"+prefix, "SIDI_INGEST_SHARE=killtest-"+prefix)
	start := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestIngestChild$", "-test.v")
		cmd.Env = env
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "SUBSCRIBED") {
					ready <- true
				}
			}
			close(ready)
		}()
		select {
		case ok := <-ready:
			if !ok {
				t.Fatal("ingester process ended before subscribing")
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("ingester process did not subscribe")
		}
		return cmd
	}
	first := start()
	ctx := context.Background()
	pub, err := NewPublisher(ctx, broker, devs, BenchSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	const total = 1500
	var published atomic.Int64
	killedAt := atomic.Int64{} // messages published when the first ingester was killed; -1 before
	killedAt.Store(-1)
	resume := make(chan struct{}) // closed once the second ingester has subscribed
	pubErr := make(chan error, 1)
	base := time.Now().Add(-time.Minute)
	go func() {
		// About 1000 messages a second: while the ingester is down the
		// broker queues them for its session. Mosquitto keeps 1000, so at
		// most downQueue are published while it is down, however slowly
		// the second one starts on a loaded machine.
		const downQueue = 600
		for k := range total {
			if at := killedAt.Load(); at >= 0 && int64(k)-at >= downQueue {
				<-resume
			}
			d := devs[k%len(devs)]
			if err := pub.Publish(ctx, d.Code, base.Add(time.Duration(k/len(devs))*time.Millisecond), BenchPoints(k)); err != nil {
				pubErr <- err
				return
			}
			published.Add(1)
			time.Sleep(time.Millisecond)
		}
		pubErr <- nil
	}()
	st := NewStore(db)
	waitFor(t, "some messages stored", 30*time.Second, func() bool { n, _ := st.Count(ctx, prefix); return n >= 300 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt.Store(published.Load())
	first.Wait()
	atKill, _ := st.Count(ctx, prefix)
	t.Logf("killed the ingester with %d published and %d stored", published.Load(), atKill)
	time.Sleep(200 * time.Millisecond)
	second := start()
	close(resume)
	defer func() {
		second.Process.Signal(syscall.SIGTERM)
		second.Wait()
	}()
	if err := <-pubErr; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every message stored", 60*time.Second, func() bool { n, _ := st.Count(ctx, prefix); return n >= total })
	if n, _ := st.Count(ctx, prefix); n != total || atKill >= total {
		t.Fatalf("stored %d of %d (at kill %d)", n, total, atKill)
	}
}
