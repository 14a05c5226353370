package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"sidi/internal/obs"
)

// reqInfo is what the access log and the metrics learn about a request as
// it passes through: its id, set first, and the user, set once known.
type reqInfo struct {
	id     string
	userID int64
}

const reqInfoKey ctxKey = 2

// requestID is the id of the request ctx belongs to ("" outside one).
func requestID(ctx context.Context) string {
	if ri, ok := ctx.Value(reqInfoKey).(*reqInfo); ok {
		return ri.id
	}
	return ""
}

func setRequestUser(ctx context.Context, userID int64) {
	if ri, ok := ctx.Value(reqInfoKey).(*reqInfo); ok {
		ri.userID = userID
	}
}

// validRequestID accepts a client's X-Request-ID: 1 to 64 characters of
// A-Z a-z 0-9 - _ . and nothing else.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// statusWriter remembers the status and counts the bytes of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// routeLabel is the route pattern the mux matched, without its method:
// never the raw path, so the metrics' label values stay few.
func routeLabel(r *http.Request) string {
	p := r.Pattern
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return "other"
	}
	return p
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// observe gives each request an id (the client's X-Request-ID when it is
// well formed), returns it in the X-Request-ID header, and writes one
// access-log line and the request metrics when the answer is done. The
// line holds no header, cookie, query string or body.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = randomToken()[:20]
		}
		ri := &reqInfo{id: id}
		w.Header().Set("X-Request-ID", id)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey, ri))
		defer func() {
			d := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			route, method := routeLabel(r), methodLabel(r.Method)
			s.Metrics.Request(route, method, status, d)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			s.Logger.LogAttrs(r.Context(), level, "request",
				slog.String("request_id", id),
				slog.String("method", method),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(d.Microseconds())/1000),
				slog.Int64("bytes", sw.bytes),
				slog.Int64("user_id", ri.userID),
				slog.String("ip", s.clientIP(r)),
			)
		}()
		next.ServeHTTP(sw, r)
	})
}

// metricsHandler is /metrics on the main listener: only with the token.
func metricsHandler(m *obs.Metrics, token string) http.Handler {
	return m.TokenHandler(token)
}
