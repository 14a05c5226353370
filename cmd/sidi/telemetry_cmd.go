package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sidi/internal/cli"
	"strconv"
	"time"

	"sidi/internal/obs"
	"sidi/internal/store"
	"sidi/internal/telemetry"
)

func telemetryCommands() []*Command { return []*Command{cmdIngest(), cmdBenchTelemetry()} }

// mqttPasswordEnv holds the ingester's MQTT password, so it never shows in
// a process listing.
const mqttPasswordEnv = "SIDI_MQTT_PASSWORD"

// deviceFlags adds --devices FILE and --demo-devices N: a device list
// that stands in for the equipment register (benches, a broker without
// the register). Neither given: nil, and the caller uses the register.
func deviceFlags(fs *flag.FlagSet) func() (telemetry.Registry, error) {
	file := fs.String("devices", "", "设备清单 JSON 文件（code、credit_code、type、secret …），代替设备登记簿 devices file instead of the register")
	demoN := fs.Int("demo-devices", 0, "使用 N 台确定性的演示设备代替设备登记簿 use N deterministic demo devices instead of the register")
	return func() (telemetry.Registry, error) {
		switch {
		case *file != "" && *demoN != 0:
			return nil, usageError{Msg: "--devices 与 --demo-devices 只能给一个 give one of --devices and --demo-devices"}
		case *file != "":
			f, err := os.Open(*file)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return telemetry.ReadDevices(f)
		case *demoN != 0:
			if err := cli.IntRange("demo-devices", *demoN, 1, 100000); err != nil {
				return nil, err
			}
			devs, secrets := telemetry.DemoDevices(*demoN)
			return telemetry.NewStaticRegistry(devs, secrets)
		}
		return nil, nil
	}
}

// registryOr is reg, or the equipment register of a when reg is nil.
func registryOr(reg telemetry.Registry, a *app) telemetry.Registry {
	if reg != nil {
		return reg
	}
	return a.Equipment
}

// ingestTuning adds the ingester's window and batch flags.
func ingestTuning(fs *flag.FlagSet) func() (telemetry.IngestConfig, error) {
	window := fs.Int("window", 1024, "在途窗口：MQTT v5 接收最大值与队列容量 in-flight window (receive maximum and queue capacity)")
	batch := fs.Int("batch", 512, "每个事务最多写入的消息数 messages per commit")
	linger := fs.Duration("linger", 0, "存储空闲时未满批次再等多久（0：立即提交，组提交）how long a partial batch waits once the store is free (0: group commit)")
	expiry := fs.Duration("session-expiry", time.Hour, "断线后代理保留会话（含未确认消息）的时长 how long the broker keeps the session")
	return func() (telemetry.IngestConfig, error) {
		if err := cli.IntRange("window", *window, 1, 65535); err != nil {
			return telemetry.IngestConfig{}, err
		}
		if err := cli.IntRange("batch", *batch, 1, 10000); err != nil {
			return telemetry.IngestConfig{}, err
		}
		if *linger < 0 || *linger > 10*time.Second || *expiry < time.Second || *expiry > 7*24*time.Hour {
			return telemetry.IngestConfig{}, usageError{Msg: "--linger 须在 [0, 10s]，--session-expiry 须在 [1s, 168h] 之间"}
		}
		return telemetry.IngestConfig{Window: *window, Batch: *batch, Linger: *linger, SessionExpiry: *expiry}, nil
	}
}

func cmdIngest() *Command {
	return &Command{
		Name:  "ingest",
		Usage: "--mqtt tcp://HOST:PORT [--share GROUP] [--client-id ID] [--username USER] [--devices FILE | --demo-devices N] [--window 1024] [--batch 512] [--metrics-addr HOST:PORT] [--data DIR | --db URL]",
		Short: "从 MQTT 代理接收设备遥测并入库 ingest equipment telemetry from an MQTT broker",
		Long: "订阅 sidi/v1/+/+/telemetry（给出 --share 时为共享订阅 $share/GROUP/…，多个进程分担同一数据流），校验后分批持久写入，\n" +
			"写入提交后才确认 QoS 1 消息；进程被杀后以同一 --client-id 重启，代理会重发未确认的消息。密码取自环境变量 " + mqttPasswordEnv + "。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("ingest", e)
			broker := fs.String("mqtt", "", "MQTT 代理地址 broker URL tcp://HOST:PORT")
			share := fs.String("share", "sidi-ingest", "共享订阅组名；空串为普通订阅 shared subscription group (\"\" = plain)")
			clientID := fs.String("client-id", "", "MQTT 客户端标识（默认 sidi-ingest-主机名）；重启时须不变 client id, keep it across restarts")
			user := fs.String("username", "", "MQTT 用户名（内置代理为 "+telemetry.IngestUser+"）")
			maddr := fs.String("metrics-addr", "", "在此地址提供 /metrics serve Prometheus metrics here")
			level := fs.String("log-level", "info", "日志级别 debug | info | warn | error")
			registry := deviceFlags(fs)
			tuning := ingestTuning(fs)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if len(fs.Args()) > 0 {
				return usageError{Msg: fmt.Sprintf("多余的参数 unexpected argument %q", fs.Args()[0])}
			}
			if _, err := telemetry.BrokerURL(*broker); err != nil {
				return usageError{Msg: "--mqtt: " + err.Error()}
			}
			var lv slog.Level
			if err := lv.UnmarshalText([]byte(*level)); err != nil {
				return usageError{Msg: fmt.Sprintf("--log-level 只能是 debug、info、warn 或 error，不是 %q", *level)}
			}
			ic, err := tuning()
			if err != nil {
				return err
			}
			reg, err := registry()
			if err != nil {
				return err
			}
			if *clientID == "" {
				host, _ := os.Hostname()
				*clientID = "sidi-ingest-" + host
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			log := slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: lv}))
			m := a.Obs
			observers, stopObservers, err := startObservers(ctx, a, log, false)
			if err != nil {
				return err
			}
			defer stopObservers()
			ic.Client = telemetry.ClientConfig{Broker: *broker, ClientID: *clientID, Username: *user, Password: getenv(e, mqttPasswordEnv)}
			ic.Share, ic.Logger = *share, log
			in, err := newIngester(ic, registryOr(reg, a), a.DB, m, observers)
			if err != nil {
				return err
			}
			if *maddr != "" {
				ln, err := net.Listen("tcp", *maddr)
				if err != nil {
					return fmt.Errorf("--metrics-addr: %w", err)
				}
				srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
				go srv.Serve(ln)
				defer srv.Close()
			}
			fmt.Fprintf(e.Stdout, "数据 storage: %s\n", cfg().Describe())
			go func() {
				select {
				case <-in.Subscribed():
					fmt.Fprintf(e.Stdout, "已订阅 subscribed %s on %s as %s\n", in.Filter(), *broker, *clientID)
				case <-ctx.Done():
				}
			}()
			err = in.Run(ctx)
			s := in.Stats()
			fmt.Fprintf(e.Stdout, "接收 received %d，新写入 stored %d，重复 duplicates %d，拒收 dead-lettered %d\n", s.Received, s.Stored, s.Duplicates, s.Dead)
			return err
		},
	}
}

func getenv(e *Env, k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// newIngester builds an ingester with its metrics on m's registry.
func newIngester(ic telemetry.IngestConfig, reg telemetry.Registry, db *store.DB, m *obs.Metrics, observers []telemetry.Observer) (*telemetry.Ingester, error) {
	var in *telemetry.Ingester
	tm, err := telemetry.NewMetrics(m.Registry(), func() float64 {
		if in == nil {
			return 0
		}
		return float64(in.QueueDepth())
	})
	if err != nil {
		return nil, err
	}
	ic.Metrics = tm
	in = telemetry.NewIngester(ic, reg, telemetry.NewStore(db), observers)
	return in, nil
}

// embeddedTelemetry is the embedded broker with its in-process ingester
// (serve and demo) and, for the demo, the simulator.
type embeddedTelemetry struct {
	broker *telemetry.Broker
	stop   func()
}

// startEmbeddedTelemetry starts the broker on addr, an ingester connected
// to it and, when sim is not nil, the simulator publishing through it.
func startEmbeddedTelemetry(ctx context.Context, e *Env, addr string, reg telemetry.Registry, db *store.DB, m *obs.Metrics, observers []telemetry.Observer, sim *simulation, log *slog.Logger) (*embeddedTelemetry, error) {
	var b [16]byte
	rand.Read(b[:])
	secret := hex.EncodeToString(b[:])
	broker, err := telemetry.StartBroker(ctx, telemetry.BrokerConfig{Addr: addr, IngestSecret: secret, Logger: log}, reg)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	in, err := newIngester(telemetry.IngestConfig{Logger: log}, reg, db, m, observers)
	if err != nil {
		cancel()
		broker.Close()
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.RunLocal(cctx)
	}()
	broker.SetAsyncSink(in.SubmitAsync)
	fmt.Fprintf(e.Stdout, "MQTT 代理 broker: %s（设备用户名为设备代码，密码为设备密钥；主题 sidi/v1/{信用代码}/{设备代码}/telemetry）\n", broker.URL())
	simDone := make(chan struct{})
	if sim != nil {
		go func() {
			defer close(simDone)
			select {
			case <-in.Subscribed():
			case <-cctx.Done():
				return
			}
			pub, err := telemetry.NewPublisher(cctx, broker.URL(), sim.devs, sim.secret)
			if err != nil {
				log.Error("模拟器无法连接 simulator cannot connect", "err", err)
				return
			}
			defer pub.Close()
			fmt.Fprintf(e.Stdout, "遥测模拟器 simulator: %d 台演示设备，每 %s 一条 %d devices every %s\n", len(sim.devs), sim.interval, len(sim.devs), sim.interval)
			telemetry.RunSimulator(cctx, telemetry.NewSimulator(sim.devs, sim.seed), pub, sim.interval, log)
		}()
	} else {
		close(simDone)
	}
	return &embeddedTelemetry{broker: broker, stop: func() {
		cancel()
		<-simDone
		<-done
		broker.Close()
	}}, nil
}

type simulation struct {
	devs     []telemetry.Device
	secrets  map[string]string
	seed     uint64
	interval time.Duration
}

func (s *simulation) secret(code string) string { return s.secrets[code] }

// mqttListenFlag adds --mqtt-listen; "" or "0" is off.
func mqttListenFlag(fs *flag.FlagSet, def string) func() (string, error) {
	addr := fs.String("mqtt-listen", def, "内置 MQTT 代理的监听地址（如 127.0.0.1:1884；空或 0 为不启动；1883 通常已被 Mosquitto 占用）embedded MQTT broker listen address")
	return func() (string, error) {
		if *addr == "" || *addr == "0" {
			return "", nil
		}
		_, port, err := net.SplitHostPort(*addr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			return "", usageError{Msg: fmt.Sprintf("--mqtt-listen 应为 HOST:PORT（如 127.0.0.1:1884），不是 %q", *addr)}
		}
		return *addr, nil
	}
}

func cmdBenchTelemetry() *Command {
	return &Command{
		Name:  "bench telemetry",
		Usage: "[--broker embedded|tcp://HOST:PORT] [--messages N] [--devices N] [--inflight N] [--window N] [--batch N] [--data DIR | --db URL]",
		Short: "遥测性能测试：五测点 QoS 1 消息经完整流水线与裸订阅者的吞吐之比 telemetry pipeline vs bare subscriber",
		Long: "同一代理、同一发布者先后发送两轮 N 条五测点 QoS 1 消息：一轮给只接收并确认的裸订阅者，一轮给遥测流水线（校验→观察者→持久写入）。\n" +
			"输出一行 JSON：pipeline_msgs_per_s、bare_msgs_per_s、ratio、lost（代理已确认而未入库）、rss_mb（进程峰值常驻内存）。未给 --data/--db 时写入临时目录。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("bench telemetry", e)
			broker := fs.String("broker", "embedded", "embedded（内置代理）或 tcp://HOST:PORT（如 Mosquitto）")
			n := fs.Int("messages", 100000, "每轮消息数 messages per phase")
			ndev := fs.Int("devices", 200, "设备（连接）数 devices, one connection each")
			inflight := fs.Int("inflight", 8, "每台设备并发发布数 concurrent publishes per device")
			window := fs.Int("window", 1024, "接收窗口 receive maximum")
			batch := fs.Int("batch", 512, "每个事务的消息数 messages per commit")
			data := fs.String("data", "", "数据目录（默认临时目录）data directory (default: a temporary one)")
			dbURL := fs.String("db", "", "PostgreSQL 地址 postgres://…")
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			for _, c := range []struct {
				name      string
				v, lo, hi int
			}{{"messages", *n, 1, 10000000}, {"devices", *ndev, 1, 5000}, {"inflight", *inflight, 1, 64}, {"window", *window, 1, 65535}, {"batch", *batch, 1, 10000}} {
				if err := cli.IntRange(c.name, c.v, c.lo, c.hi); err != nil {
					return err
				}
			}
			if *broker != "embedded" {
				if _, err := telemetry.BrokerURL(*broker); err != nil {
					return usageError{Msg: "--broker: " + err.Error()}
				}
			}
			dir := *data
			if dir == "" {
				tmp, err := os.MkdirTemp("", "sidi-bench-telemetry-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			cfg := store.Config{DataDir: dir, URL: *dbURL, AuditKey: cli.AuditKey(e)}
			db, err := store.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			prefix, devs, reg, err := telemetry.BenchDevices(*ndev)
			if err != nil {
				return err
			}
			bc := telemetry.BenchConfig{Broker: *broker, Messages: *n, Devices: devs, Prefix: prefix, Secret: telemetry.BenchSecret,
				Inflight: *inflight, Window: *window, Batch: *batch, StorageName: string(db.Dialect())}
			if *broker == "embedded" {
				var b [16]byte
				rand.Read(b[:])
				bc.IngestUser, bc.IngestPass = telemetry.IngestUser, hex.EncodeToString(b[:])
				br, err := telemetry.StartBroker(ctx, telemetry.BrokerConfig{Addr: "127.0.0.1:0", IngestSecret: bc.IngestPass}, reg)
				if err != nil {
					return err
				}
				defer br.Close()
				bc.Broker, bc.Embedded = br.URL(), br
			}
			res, err := telemetry.RunBench(ctx, bc, reg, telemetry.NewStore(db))
			if err != nil {
				return err
			}
			if *broker == "embedded" {
				res.Broker = "embedded"
			}
			return json.NewEncoder(e.Stdout).Encode(res)
		},
	}
}

// startObservers starts what reads committed telemetry, its errors
// logged (services.Set.StartObservers).
func startObservers(ctx context.Context, a *app, log *slog.Logger, overdue bool) (observers []telemetry.Observer, stop func(), err error) {
	return a.StartObservers(ctx, func(err error) { log.Error("报警引擎 alarms engine", "err", err) }, overdue)
}

// demoTelemetry is the demo's simulation: up to n in-service devices of
// the register (the demo fleet), each with a secret made for this run and
// kept only in memory, so the simulator signs in like a real device while
// the register's own secrets stay untouched. reg answers those secrets and
// hands everything else to the register.
func demoTelemetry(ctx context.Context, a *app, n int, seed uint64, interval time.Duration) (telemetry.Registry, *simulation, error) {
	if n == 0 {
		return a.Equipment, nil, nil
	}
	devs, err := a.Equipment.Devices(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(devs) > n {
		devs = devs[:n]
	}
	sim := &simulation{devs: devs, secrets: map[string]string{}, seed: seed, interval: interval}
	for _, d := range devs {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, err
		}
		sim.secrets[d.Code] = hex.EncodeToString(b[:])
	}
	reg := &simRegistry{Registry: a.Equipment, secrets: sim.secrets, devs: map[string]telemetry.Device{}}
	for _, d := range devs {
		reg.devs[d.Code] = d
	}
	return reg, sim, nil
}

// simRegistry is the register with the simulator's run-only secrets.
type simRegistry struct {
	telemetry.Registry
	secrets map[string]string
	devs    map[string]telemetry.Device
}

func (r *simRegistry) Authenticate(ctx context.Context, code, secret string) (telemetry.Device, error) {
	if want, ok := r.secrets[code]; ok && subtle.ConstantTimeCompare([]byte(want), []byte(secret)) == 1 {
		return r.devs[code], nil
	}
	return r.Registry.Authenticate(ctx, code, secret)
}
