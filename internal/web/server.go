package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"time"

	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/progress"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/training"
)

//go:embed templates static
var assets embed.FS

// Deps are the services the web layer calls.
type Deps struct {
	DB   *store.DB
	Org  *org.Service
	Plan *plan.Service
	Auth *auth.Service
	// Progress runs reports, indicators and bulletins.
	Progress *progress.Service
	// Pilots keeps the standardization pilots and the S&T projects producing standards.
	Pilots *pilots.Service
	// Bases is the register of standardized production bases (task 5).
	Bases *bases.Service
	// Training keeps the standardization training records (task 6).
	Training *training.Service
	// Standards is the standards information platform.
	Standards *standards.Service
	Logger    *slog.Logger
	// MaxBody caps request bodies; uploads of plan texts are the largest.
	MaxBody int64
	// PublicTimeout bounds a GET on a public route (its database work is
	// cancelled then and it answers 503): 0 means DefaultPublicTimeout,
	// a negative value no bound.
	PublicTimeout time.Duration
}

// Server is Sidi's HTTP front.
type Server struct {
	Deps
	routes []Route
	pages  *pages
	static fs.FS
	mux    *http.ServeMux
	now    func() time.Time
	cache  pageCache
}

// New builds the server and its route table.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if d.MaxBody == 0 {
		d.MaxBody = 16 << 20
	}
	if d.PublicTimeout == 0 {
		d.PublicTimeout = DefaultPublicTimeout
	}
	s := &Server{Deps: d, now: time.Now}
	s.pages = mustParsePages()
	st, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err)
	}
	s.static = st
	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(s.static)))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &reqCtx{}, notFound(r))
	})
	return s
}

// Routes exposes the route table (for the authorization-matrix and OpenAPI tests).
func (s *Server) Routes() []Route { return s.routes }

// Handler is the complete HTTP handler with the outer middleware.
func (s *Server) Handler() http.Handler {
	return s.securityHeaders(s.recoverPanics(s.mux))
}

func staticHandler(f fs.FS) http.Handler {
	fsrv := http.FileServerFS(f)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

type ctxKey int

const reqCtxKey ctxKey = 1

func withReqCtx(ctx context.Context, rc *reqCtx) context.Context {
	return context.WithValue(ctx, reqCtxKey, rc)
}
