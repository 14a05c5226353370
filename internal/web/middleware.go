package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

const (
	sessionCookie = "sidi_session"
	csrfCookie    = "sidi_csrf" // double-submit token for forms shown before login
	csrfField     = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
)

// reqCtx is what a handler knows about the request beyond http.Request.
type reqCtx struct {
	P        auth.Principal
	Session  *auth.Session
	CSRF     string // token to embed in forms
	ViaToken bool   // authenticated by an API token
	Expired  bool   // a session cookie was presented but is no longer valid
	route    *Route
	CSPNonce string
	// planCode is the plan a plan-scoped page is about when it is not the
	// primary plan (planOf, inPlan); the page's links carry it.
	planCode string
	// planID is the plan a plan-scoped page shows (0 on other pages): the
	// layout then offers the same page in the other plans.
	planID int64
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Scripts and styles come only from Sidi itself: no inline script, no CDN.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.isTLS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "request_id", requestID(r.Context()), "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.fail(w, r, &reqCtx{}, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientIP is the address a request comes from: the direct peer, or, when
// the peer is one of s.TrustedProxies, the address that proxy forwarded.
func (s *Server) clientIP(r *http.Request) string {
	return forwardedFor(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.TrustedProxies)
}

// peerAddr parses the host part of a RemoteAddr ("ip:port" or a bare ip).
func peerAddr(remote string) (netip.Addr, bool) {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor works out the client address from the direct peer and the
// X-Forwarded-For header lines. Forwarded headers count only when the peer
// is a trusted proxy; then the list is walked from the right (the entries
// the trusted proxies appended) and the first address that is not itself a
// trusted proxy is the client. An unparsable entry ends the walk at the
// peer: whatever stands left of it may have been written by anyone.
func forwardedFor(remote string, xff []string, proxies []netip.Prefix) string {
	peer, ok := peerAddr(remote)
	if !ok {
		host, _, err := net.SplitHostPort(remote)
		if err != nil {
			return remote
		}
		return host
	}
	if len(proxies) == 0 || !trusted(peer, proxies) {
		return peer.String()
	}
	var hops []string
	for _, line := range xff {
		hops = append(hops, strings.Split(line, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer.String()
		}
		a = a.Unmap().WithZone("")
		if !trusted(a, proxies) {
			return a.String()
		}
	}
	// Every hop is a trusted proxy (or there is no header): the leftmost
	// trusted hop is as close to the client as can be told.
	for _, h := range hops {
		if a, err := netip.ParseAddr(strings.TrimSpace(h)); err == nil {
			return a.Unmap().WithZone("").String()
		}
	}
	return peer.String()
}

// isTLS reports whether the client reached Sidi over HTTPS: directly, or
// through a trusted proxy that says so in X-Forwarded-Proto.
func (s *Server) isTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if len(s.TrustedProxies) == 0 {
		return false
	}
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok || !trusted(peer, s.TrustedProxies) {
		return false
	}
	// Several values: the last was set by the proxy nearest to Sidi, which is
	// trusted; earlier ones may come from the client.
	vals := r.Header.Values("X-Forwarded-Proto")
	if len(vals) == 0 {
		return false
	}
	proto := vals[len(vals)-1]
	if i := strings.LastIndexByte(proto, ','); i >= 0 {
		proto = proto[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func randomToken() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// wrap applies identification, CSRF and authorization for one route.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.MaxBody)
		r, cancel := s.publicDeadline(r, rt)
		defer cancel()
		rc := &reqCtx{route: &rt}
		rc.P.IP = s.clientIP(r)
		if err := checkParams(r); err != nil {
			s.fail(w, r, rc, err)
			return
		}
		ctx := r.Context()

		if authz := r.Header.Get("Authorization"); strings.HasPrefix(authz, "Bearer ") {
			p, err := s.Auth.TokenPrincipal(ctx, strings.TrimPrefix(authz, "Bearer "), rc.P.IP)
			if err != nil {
				s.fail(w, r, rc, err)
				return
			}
			rc.P, rc.ViaToken = p, true
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			p, sess, err := s.Auth.Authenticate(ctx, c.Value, rc.P.IP)
			switch {
			case err == nil:
				rc.P, rc.Session, rc.CSRF = p, sess, sess.CSRFToken
			case errors.Is(err, apperr.ErrUnauthenticated):
				rc.Expired = true
				s.clearCookie(w, r, sessionCookie)
			default:
				s.fail(w, r, rc, err)
				return
			}
		}
		setRequestUser(ctx, rc.P.UserID)
		if rt.Cache && r.Method == http.MethodGet && rc.P.Anonymous() && !rc.Expired && !hasFlash(r) {
			handled, err := s.serveCached(w, r, func(bw http.ResponseWriter) error { return rt.Handle(bw, r.WithContext(withReqCtx(ctx, rc)), rc) })
			if err != nil {
				s.fail(w, r, rc, err)
			}
			if handled {
				return
			}
		}
		if rc.Session == nil && !rc.ViaToken {
			rc.CSRF = s.preSessionCSRF(w, r)
		}

		if isUnsafe(r.Method) && !rc.ViaToken {
			if err := checkCSRF(r, rc.CSRF); err != nil {
				s.fail(w, r, rc, err)
				return
			}
		}
		if err := rt.allows(rc.P); err != nil {
			if rc.Expired && errors.Is(err, apperr.ErrUnauthenticated) {
				err = &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "登录已超时，请重新登录"}
			}
			if !errors.Is(err, apperr.ErrUnauthenticated) {
				s.Logger.Warn("forbidden", "path", r.URL.Path, "user", rc.P.Login, "ip", rc.P.IP)
			}
			s.fail(w, r, rc, err)
			return
		}
		if rc.Session != nil && rc.Session.MustChangePassword && !rt.AllowPendingPassword {
			if rt.API {
				s.fail(w, r, rc, apperr.Forbidden("首次登录须先修改密码"))
				return
			}
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		if err := rt.Handle(w, r.WithContext(withReqCtx(ctx, rc)), rc); err != nil {
			s.fail(w, r, rc, err)
		}
	})
}

// preSessionCSRF returns the double-submit token for visitors without a
// session, setting its cookie when missing.
func (s *Server) preSessionCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isTLS(r)})
	return tok
}

func validCSRF(r *http.Request, want string) bool { return checkCSRF(r, want) == nil }

// checkCSRF refuses an unsafe request without the session's token; an
// upload over the body limit is refused as too large (its token unread),
// so the user learns what to change.
func checkCSRF(r *http.Request, want string) error {
	refused := apperr.Forbidden("页面已过期或请求来源无法验证（CSRF 校验失败），请刷新页面后重试")
	if want == "" {
		return refused
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/form-data") {
			if err := r.ParseMultipartForm(8 << 20); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return err
				}
				return refused
			}
		}
		got = r.PostFormValue(csrfField)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return refused
	}
	return nil
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isTLS(r)})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isTLS(r)})
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}
