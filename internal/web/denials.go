package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"sidi/internal/apperr"
)

// Limits on logging refused requests, so that a user hammering a page they
// may not see, or walking ids outside their scope, costs a bounded number
// of log writes.
const (
	denialWindow      = time.Minute
	denialsPerUser    = 20   // logged denials per user per window, all paths together
	denialKeysTracked = 4096 // user+path and user entries held at most
)

// denialLimiter decides which refusals are written to the log: at most one
// per user, method and path per window, and denialsPerUser per user. It is
// in memory and per process.
type denialLimiter struct {
	mu      sync.Mutex
	path    map[string]time.Time // user + method + path → last logged
	user    map[string]userCount
	dropped int // refusals not logged because the tables were full
}

type userCount struct {
	start time.Time
	n     int
}

func (l *denialLimiter) allow(user, method, path string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.path == nil {
		l.path, l.user = map[string]time.Time{}, map[string]userCount{}
	}
	pk := user + "\x00" + method + " " + path
	if last, ok := l.path[pk]; ok && now.Sub(last) < denialWindow {
		return false
	}
	uc := l.user[user]
	if now.Sub(uc.start) >= denialWindow {
		uc = userCount{start: now}
	}
	if uc.n >= denialsPerUser {
		return false
	}
	if len(l.path) >= denialKeysTracked || len(l.user) >= denialKeysTracked {
		l.prune(now)
		if len(l.path) >= denialKeysTracked || len(l.user) >= denialKeysTracked {
			l.dropped++
			return false
		}
	}
	uc.n++
	l.user[user], l.path[pk] = uc, now
	return true
}

// prune forgets entries whose window has passed.
func (l *denialLimiter) prune(now time.Time) {
	for k, t := range l.path {
		if now.Sub(t) >= denialWindow {
			delete(l.path, k)
		}
	}
	for k, uc := range l.user {
		if now.Sub(uc.start) >= denialWindow {
			delete(l.user, k)
		}
	}
}

// logDenial writes a refused request of a logged-in user or API token to
// the log: a permission denial (403) or an object outside the caller's data
// scope (a 404 marked apperr.ErrOutOfScope). The anonymous public's
// refusals (401, 404) are not logged, nor are stale forms (CSRF) and the
// password change a new account owes; repeats are limited by s.denials.
func (s *Server) logDenial(r *http.Request, rc *reqCtx, err error, status int) {
	if rc == nil || rc.P.Anonymous() || s.Auth == nil {
		return
	}
	switch {
	case status == http.StatusForbidden:
		if isUnsafe(r.Method) && !rc.ViaToken && !validCSRF(r, rc.CSRF) {
			return
		}
		if rc.Session != nil && rc.Session.MustChangePassword {
			return
		}
	case status == http.StatusNotFound && errors.Is(err, apperr.ErrOutOfScope):
	default:
		return
	}
	user := strconv.FormatInt(rc.P.UserID, 10) + ":" + rc.P.Login
	if !s.denials.allow(user, r.Method, r.URL.Path, s.now()) {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	if lerr := s.Auth.LogDenied(ctx, rc.P, r.Method, r.URL.Path, status, apperr.Message(err)); lerr != nil {
		s.Logger.Error("log denial", "err", lerr)
	}
}
