package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"sidi/internal/apperr"
)

// DefaultPublicTimeout bounds the database work of a GET on a public route
// (Deps.PublicTimeout), leaving time within two seconds to render and send
// the page.
const DefaultPublicTimeout = 1500 * time.Millisecond

// errPublicDeadline is the cause of a public request's context when its
// deadline passes, telling that deadline apart from a client going away.
var errPublicDeadline = errors.New("web: public request deadline")

// errTimeout is the kind of a request that ran out of time; it answers 503.
var errTimeout = errors.New("timeout")

// publicDeadline gives a GET (or HEAD) on a public route a context that
// ends after s.PublicTimeout: both drivers stop the statement running then
// (pgx cancels it on the server, SQLite interrupts it), so no anonymous
// request can keep a database core busy for longer. Other routes (staff
// work, imports, exports behind a login) keep the request's context.
func (s *Server) publicDeadline(r *http.Request, rt Route) (*http.Request, context.CancelFunc) {
	if !rt.Public || s.PublicTimeout <= 0 || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return r, func() {}
	}
	ctx, cancel := context.WithTimeoutCause(r.Context(), s.PublicTimeout, errPublicDeadline)
	return r.WithContext(ctx), cancel
}

// timedOut reports whether r's public deadline has passed.
func timedOut(r *http.Request) bool {
	return errors.Is(context.Cause(r.Context()), errPublicDeadline)
}

// timeoutError turns the failure of a request whose public deadline has
// passed into a user-facing 503, whatever the driver made of the
// cancellation (pgx: a wrapped context error; SQLite: "interrupted").
// Errors that already tell the user what to do are kept.
func timeoutError(r *http.Request, err error) error {
	if err == nil || !timedOut(r) {
		return err
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && !errors.Is(err, errTimeout) {
		return err
	}
	return &apperr.Error{Kind: errTimeout, Msg: "查询超时，请缩小检索范围后重试", Err: err}
}
