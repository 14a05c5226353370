package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/plan"
	"sidi/internal/progress"
)

// pages holds one template set per page, each joined with the layout.
type pages struct {
	sets map[string]*template.Template
}

var funcs = template.FuncMap{
	"num": formatNum,
	// count is num for integer counts of any width (int, int64).
	"count": func(v any) string {
		switch n := v.(type) {
		case int:
			return formatNum(float64(n))
		case int64:
			return formatNum(float64(n))
		}
		return fmt.Sprint(v)
	},
	"deref64": func(n *int64) int64 { return *n },
	"cmp":     plan.ComparatorLabel,
	"join":    strings.Join,
	"date":    func(t time.Time) string { return fmtDate(t) },
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"cnDate":       cnDate,
	"statusLabel":  func(s string) string { return plan.StatusLabels[s] },
	"roleLabel":    func(r auth.Role) string { return auth.RoleNames[r] },
	"add":          func(a, b int) int { return a + b },
	"inum":         func(n int) string { return formatNum(float64(n)) },
	"targetLine":   TargetLine,
	"svgBar":       svgBar,
	"spark":        sparkline,
	"trend":        trendChart,
	"scoreBar":     scoreBar,
	"badge":        statusBadge,
	"pct":          pct,
	"verdict":      func(v string) string { return progress.VerdictLabels[v] },
	"reportStatus": func(s string) string { return progress.ReportStatusLabels[s] },
	"derefTime":    func(t *time.Time) time.Time { return *t },
	"exportBar":    exportBar,
	"field":        field,
	"deref": func(f *float64) float64 {
		if f == nil {
			return 0
		}
		return *f
	},
}

// cst is China Standard Time; every date a user reads is in it.
var cst = time.FixedZone("CST", 8*3600)

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02")
}

// cnDate turns 2021-12-22 into 2021年12月22日 for formal headings.
func cnDate(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

func mustParsePages() *pages {
	p := &pages{sets: map[string]*template.Template{}}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/parts.tmpl", n))
		p.sets[base] = t
	}
	return p
}

// mustParseParts parses a register's partials file (file is
// "templates/NAME_parts.tmpl") with the shared pieces of parts.tmpl (csrf,
// pager …) it may call. The register's web file renders its pieces with
// renderPartOf and hands the HTML to its pages in their data, so the
// register's pieces stay out of the shared templates and of every other
// page's template set.
func mustParseParts(file string) *template.Template {
	return template.Must(template.New(path.Base(file)).Funcs(funcs).ParseFS(assets, "templates/parts.tmpl", file))
}

// renderPartOf renders the piece name of a partials set.
func renderPartOf(set *template.Template, name string, data any) (template.HTML, error) {
	var b bytes.Buffer
	if err := set.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("web: render %s: %w", name, err)
	}
	return template.HTML(b.String()), nil
}

// view is what every page template receives.
type view struct {
	Title   string
	Section string // left-menu entry to highlight
	P       auth.Principal
	CSRF    string
	Flash   string
	Data    any
	// Menu is the left menu of this viewer, built from the route table.
	Menu  []menuGroup
	opens func(path string) bool
	// PlanCode is the plan of a plan-scoped page other than the primary
	// one; links between plan-scoped pages add it with the parts "planQ"
	// and "planA" so they stay in one plan.
	PlanCode string
	// Plans offers the page in every plan when several are tracked.
	Plans []planTab
}

// Opens reports whether the viewer may open the page at path (a GET the
// route table admits them to), so a page links only to what answers them.
func (v view) Opens(path string) bool { return v.opens != nil && v.opens(path) }

// IsStaff reports whether the viewer works inside the system (shows the console menu).
func (v view) IsStaff() bool { return !v.P.Anonymous() }

// Can reports whether the viewer holds a role, for showing menu entries.
func (v view) Can(roles ...string) bool {
	for _, r := range roles {
		if v.P.Has(auth.Role(r)) {
			return true
		}
	}
	return false
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, page string, title, section string, data any) error {
	t, ok := s.pages.sets[page]
	if !ok {
		return fmt.Errorf("web: no template %q", page)
	}
	tabs, err := s.planTabs(r, rc)
	if err != nil {
		return err
	}
	v := view{Title: title, Section: section, P: rc.P, CSRF: rc.CSRF, Data: data, Flash: s.takeFlash(w, r), Menu: menuFor(s.routes, rc.P, section), opens: s.opener(rc.P), PlanCode: rc.planCode, Plans: tabs}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = buf.WriteTo(w)
	return err
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// apiError is the JSON error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details any    `json:"details,omitempty"`
		// RequestID lets a user quote the failed request (X-Request-ID).
		RequestID string `json:"request_id,omitempty"`
	} `json:"error"`
}

func statusOf(err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, apperr.ErrInvalid):
		return http.StatusUnprocessableEntity, "invalid"
	case errors.Is(err, apperr.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated"
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, apperr.ErrTooMany):
		return http.StatusTooManyRequests, "too_many_requests"
	case errors.Is(err, errTimeout):
		return http.StatusServiceUnavailable, "timeout"
	}
	return http.StatusInternalServerError, "internal"
}

// retryAfter is the Retry-After of a 429: seconds to wait before retrying.
const retryAfter = "5"

func notFound(r *http.Request) error {
	return apperr.NotFound("页面不存在：%s。请检查地址，或从首页重新进入。", r.URL.Path)
}

// fail answers a request with err in the form the client expects.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	err = timeoutError(r, err)
	status, code := statusOf(err)
	s.logDenial(r, rc, err, status)
	msg := apperr.Message(err)
	if status == http.StatusRequestEntityTooLarge {
		limit := fmt.Sprintf("%d MB", s.MaxBody>>20)
		if s.MaxBody < 1<<20 {
			limit = fmt.Sprintf("%d KB", s.MaxBody>>10)
		}
		msg = "提交的内容过大（上限 " + limit + "），请拆分或压缩后重试"
	}
	if status == http.StatusInternalServerError {
		s.Logger.Error("request failed", "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", retryAfter)
	}
	if status == http.StatusServiceUnavailable {
		s.Logger.Warn("request timed out", "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
	}
	isAPI := strings.HasPrefix(r.URL.Path, "/api/")
	if isAPI {
		var body apiError
		body.Error.Code, body.Error.Message = code, msg
		if status >= 500 {
			body.Error.RequestID = requestID(r.Context())
		}
		var d apperr.Detailed
		if errors.As(err, &d) {
			body.Error.Details = d.ErrorDetails()
		}
		writeJSON(w, status, body)
		return
	}
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		s.redirectMsg(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), msg)
		return
	}
	if rc == nil {
		rc = &reqCtx{}
	}
	if err := s.render(w, r, rc, status, "error", "出错了", "", map[string]any{"Status": status, "Message": msg, "RequestID": requestID(r.Context())}); err != nil {
		http.Error(w, msg, status)
	}
}
