package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// serveOptions are the operational settings of serve and demo.
type serveOptions struct {
	addr            string
	proxies         []netip.Prefix
	logger          *slog.Logger
	metricsAddr     string // "" : no separate metrics listener
	metricsToken    string // "" : /metrics on the main listener answers 404
	shutdownTimeout time.Duration
	tls             *tls.Config // nil: plain HTTP (e.g. behind a reverse proxy that terminates TLS)
}

// defaultShutdownTimeout is how long in-flight requests may run on after
// a stop signal before they are cancelled.
const defaultShutdownTimeout = 10 * time.Second

// opsFlags adds --log-format, --log-level, --metrics-addr and
// --shutdown-timeout to fs; the result checks them and builds the logger
// (on e.Stderr). The metrics token comes from SIDI_METRICS_TOKEN only, so
// it never shows in a process listing.
func opsFlags(fs *flag.FlagSet, e *Env) func(addr string, proxies []netip.Prefix) (serveOptions, error) {
	format := fs.String("log-format", "text", "日志格式 log format: text | json")
	level := fs.String("log-level", "info", "日志级别 log level: debug | info | warn | error")
	maddr := fs.String("metrics-addr", "", "在单独地址上提供 /metrics（Prometheus），如 127.0.0.1:9090；默认不开 serve /metrics on a separate listener")
	timeout := fs.Duration("shutdown-timeout", defaultShutdownTimeout, "收到停止信号后等待进行中请求的时限 how long in-flight requests may finish after SIGTERM")
	cert := fs.String("tls-cert", "", "TLS 证书文件（PEM，含中间证书），与 --tls-key 同用 certificate chain file to serve HTTPS")
	key := fs.String("tls-key", "", "TLS 私钥文件（PEM），与 --tls-cert 同用 private key file to serve HTTPS")
	return func(addr string, proxies []netip.Prefix) (serveOptions, error) {
		o := serveOptions{addr: addr, proxies: proxies, metricsAddr: *maddr, shutdownTimeout: *timeout}
		if e.Getenv != nil {
			o.metricsToken = e.Getenv("SIDI_METRICS_TOKEN")
		}
		var lv slog.Level
		switch strings.ToLower(*level) {
		case "debug":
			lv = slog.LevelDebug
		case "info":
			lv = slog.LevelInfo
		case "warn", "warning":
			lv = slog.LevelWarn
		case "error":
			lv = slog.LevelError
		default:
			return o, usageError{Msg: fmt.Sprintf("--log-level 只能是 debug、info、warn 或 error，不是 %q", *level)}
		}
		var w io.Writer = e.Stderr
		hopts := &slog.HandlerOptions{Level: lv}
		switch strings.ToLower(*format) {
		case "text":
			o.logger = slog.New(slog.NewTextHandler(w, hopts))
		case "json":
			o.logger = slog.New(slog.NewJSONHandler(w, hopts))
		default:
			return o, usageError{Msg: fmt.Sprintf("--log-format 只能是 text 或 json，不是 %q", *format)}
		}
		if o.shutdownTimeout <= 0 {
			return o, usageError{Msg: fmt.Sprintf("--shutdown-timeout 须大于 0（如 10s），不是 %s", o.shutdownTimeout)}
		}
		if o.metricsAddr != "" {
			_, port, err := net.SplitHostPort(o.metricsAddr)
			if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
				return o, usageError{Msg: fmt.Sprintf("--metrics-addr 应为 HOST:PORT（如 127.0.0.1:9090），不是 %q", o.metricsAddr)}
			}
		}
		switch {
		case (*cert == "") != (*key == ""):
			return o, usageError{Msg: "--tls-cert 与 --tls-key 须同时给出 give both --tls-cert and --tls-key"}
		case *cert != "":
			pair, err := tls.LoadX509KeyPair(*cert, *key)
			if err != nil {
				return o, fmt.Errorf("无法读取 TLS 证书或私钥 cannot load the TLS certificate and key (%s, %s): %w", *cert, *key, err)
			}
			o.tls = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}
		}
		if t := o.metricsToken; t != "" && len(t) < 16 {
			return o, usageError{Msg: "SIDI_METRICS_TOKEN 太短：至少 16 个字符 the metrics token needs at least 16 characters"}
		}
		return o, nil
	}
}

// inflight counts the handlers running, so that shutdown can wait for the
// ones it cancelled to return before the database is closed.
type inflight struct{ wg sync.WaitGroup }

func (f *inflight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.wg.Add(1)
		defer f.wg.Done()
		h.ServeHTTP(w, r)
	})
}

// wait waits for the running handlers at most d; it reports whether they ended.
func (f *inflight) wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// listenAndServe serves h on o.addr (and the metrics handler on
// o.metricsAddr) until ctx ends, printing the URL. Then it stops accepting,
// lets the requests in flight finish within o.shutdownTimeout, and cancels
// the contexts of those still running at the deadline, so their database
// work stops before the caller closes the database.
func listenAndServe(ctx context.Context, e *Env, o serveOptions, h, metrics http.Handler) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w（端口可能已被占用，可用 --addr 换一个）", o.addr, err)
	}
	var mln net.Listener
	if o.metricsAddr != "" && metrics != nil {
		if mln, err = net.Listen("tcp", o.metricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w（可用 --metrics-addr 换一个）", o.metricsAddr, err)
		}
		fmt.Fprintf(e.Stdout, "指标 metrics: http://%s/metrics\n", mln.Addr())
	}
	scheme := "http"
	if o.tls != nil {
		ln = tls.NewListener(ln, o.tls)
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String() + "/"
	fmt.Fprintf(e.Stdout, "Sidi 已启动，请在浏览器打开 open: %s\n", url)
	if e.Ready != nil {
		e.Ready(url)
	}
	// Requests' contexts descend from base, not from ctx: the stop signal
	// must not cancel them at once, only the deadline does.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	var running inflight
	srv := &http.Server{Handler: running.wrap(h), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second,
		BaseContext: func(net.Listener) context.Context { return base },
		ErrorLog:    slog.NewLogLogger(o.logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var msrv *http.Server
	if mln != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics)
		msrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return base }}
		go func() { errc <- msrv.Serve(mln) }()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		srv.Close()
		if msrv != nil {
			msrv.Close()
		}
		return err
	}
	o.logger.Info("shutting down: no new connections; waiting for requests in flight", "timeout", o.shutdownTimeout.String())
	fmt.Fprintf(e.Stdout, "正在停止，最多等待 %s 让进行中的请求完成 stopping\n", o.shutdownTimeout)
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.shutdownTimeout)
	defer cancel()
	if msrv != nil {
		go msrv.Shutdown(shut)
	}
	err = srv.Shutdown(shut)
	if errors.Is(err, context.DeadlineExceeded) {
		cancelBase()
		srv.Close()
		if !running.wait(5 * time.Second) {
			o.logger.Error("requests still running after they were cancelled; closing anyway")
		}
		o.logger.Warn("shutdown deadline passed: the requests still running were cancelled", "timeout", o.shutdownTimeout.String())
		return nil
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	o.logger.Info("stopped: every request finished")
	return nil
}
