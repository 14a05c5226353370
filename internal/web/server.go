package web

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/obs"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/progress"
	"sidi/internal/store"
)

//go:embed templates static apidocs
var assets embed.FS

// Deps are the services the web layer calls.
type Deps struct {
	DB   *store.DB
	Org  *org.Service
	Plan *plan.Service
	Auth *auth.Service
	// Progress runs reports, indicators and bulletins.
	Progress *progress.Service
	// Enterprises is the enterprise directory (a foundation, like the
	// departments); EnterpriseSections are the modules' parts of an
	// enterprise's page, in the order shown.
	Enterprises        *enterprise.Service
	EnterpriseSections []enterprise.SectionFunc
	Logger             *slog.Logger
	// MaxBody caps request bodies; uploads of plan texts are the largest.
	MaxBody int64
	// PublicTimeout bounds a GET on a public route (its database work is
	// cancelled then and it answers 503): 0 means DefaultPublicTimeout,
	// a negative value no bound.
	PublicTimeout time.Duration
	// Metrics, when set, counts requests; /metrics on this server then
	// answers only with "Authorization: Bearer MetricsToken" (404 when the
	// token is empty).
	Metrics      *obs.Metrics
	MetricsToken string
	// Pages are the registers' route tables (services.Pages lists every
	// module's), added after the plan, progress and system routes.
	Pages []func(*Server) []Route
	// AuditValues name the coded values the registers record in the audit
	// log, by entity, field and code ("base" "status" "recognised" →
	// "已认定"), for the 操作日志 (services.AuditValues gathers the modules').
	AuditValues map[string]map[string]map[string]string
	// AuditLabels name the recorded entities, actions and fields
	// (services.AuditLabels; zero: the foundations' names only).
	AuditLabels audit.Labels
	// ToDo are the registers' parts of a user's to-do list (我的待办, the
	// desk and /api/v1/todo), after the plan's reports.
	ToDo []ToDoFunc
	// Desk are the registers' sections of a user's desk (我的工作台),
	// shown above the plan's work, in module order.
	Desk []DeskFunc
	// ImportKinds are the importable kinds of every register (services
	// gathers the modules'), served by /import and /export.
	ImportKinds []kit.ImportKind[auth.Principal]
}

// ToDoFunc is a register's part of p's to-do list: items that link to the
// register's page (ToDoItem.Link) rather than to a report.
type ToDoFunc func(ctx context.Context, p auth.Principal) ([]progress.ToDoItem, error)

// toDo is p's to-do list: the plan's reports, then the registers' items.
func (s *Server) toDo(ctx context.Context, p auth.Principal, planID int64) ([]progress.ToDoItem, error) {
	items, err := s.Progress.ToDo(ctx, p, planID)
	if err != nil {
		return nil, err
	}
	for _, f := range s.ToDo {
		more, err := f(ctx, p)
		if err != nil {
			return nil, err
		}
		items = append(items, more...)
	}
	return items, nil
}

// Server is Sidi's HTTP front.
type Server struct {
	Deps
	routes []Route
	// byPattern finds a route by its mux pattern ("GET /bases/{id}").
	byPattern map[string]Route
	pages     *pages
	values    valueTable   // the 操作日志's names of recorded codes
	names     audit.Labels // … and of entities, actions and fields
	static    fs.FS
	// openapi is the published API description (openapi.go), or why it
	// could not be built.
	openapi    []byte
	openapiErr error
	mux        *http.ServeMux
	now        func() time.Time
	cache      pageCache
	// denials limits how many refused requests are written to the log.
	denials denialLimiter
	// flashKey signs the status messages carried to the next page.
	flashKey []byte
	// rejects holds the rejected rows of recent uploads for their uploaders.
	rejects rejectStore

	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed. Empty: forwarded headers are
	// ignored and the peer address is the client. Set before serving.
	TrustedProxies []netip.Prefix
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
	if d.DB != nil {
		s.flashKey = newFlashKey(d.DB.AuditKey())
	} else {
		s.flashKey = newFlashKey(nil)
	}
	s.pages = mustParsePages()
	s.values = newValueTable(d.AuditValues)
	s.names = d.AuditLabels
	if s.names.Entities == nil {
		s.names = audit.Foundations()
	}
	st, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err)
	}
	s.static = st
	s.openapi, s.openapiErr = openAPIDoc(assets)
	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	s.byPattern = make(map[string]Route, len(s.routes))
	for _, rt := range s.routes {
		s.byPattern[rt.Method+" "+rt.Pattern] = rt
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(s.static)))
	if d.Metrics != nil {
		s.mux.Handle("GET /metrics", metricsHandler(d.Metrics, d.MetricsToken))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &reqCtx{}, notFound(r))
	})
	return s
}

// Routes exposes the route table (for the authorization-matrix and OpenAPI tests).
func (s *Server) Routes() []Route { return s.routes }

// Handler is the complete HTTP handler with the outer middleware.
func (s *Server) Handler() http.Handler {
	return s.observe(s.securityHeaders(s.recoverPanics(s.mux)))
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

// ParseTrustedProxies reads reverse-proxy addresses given as CIDR blocks
// ("10.0.0.0/8", "fd00::/8") or single addresses (a bare IP is /32 or
// /128); each value may hold several separated by commas. Empty items are
// skipped. An invalid one is an error naming it, in Chinese and English.
func ParseTrustedProxies(values ...string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			var pf netip.Prefix
			if strings.Contains(item, "/") {
				p, err := netip.ParsePrefix(item)
				if err != nil {
					return nil, fmt.Errorf("可信代理地址“%s”无效，应为 CIDR（如 10.0.0.0/8）或单个 IP invalid trusted proxy %q: %w", item, item, err)
				}
				if p.Addr().Is4In6() {
					// ::ffff:10.0.0.0/104 style: peers are compared unmapped.
					if p.Bits() < 96 {
						return nil, fmt.Errorf("可信代理地址“%s”无效 invalid trusted proxy %q", item, item)
					}
					p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
				}
				pf = p.Masked()
			} else {
				a, err := netip.ParseAddr(item)
				if err != nil {
					return nil, fmt.Errorf("可信代理地址“%s”无效，应为 CIDR（如 10.0.0.0/8）或单个 IP invalid trusted proxy %q: %w", item, item, err)
				}
				if a.Zone() != "" {
					return nil, fmt.Errorf("可信代理地址“%s”不能带网卡区域（%%%s）invalid trusted proxy %q: zones are not supported", item, a.Zone(), item)
				}
				a = a.Unmap()
				pf = netip.PrefixFrom(a, a.BitLen())
			}
			out = append(out, pf)
		}
	}
	return out, nil
}
