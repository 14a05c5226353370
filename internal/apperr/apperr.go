// Package apperr defines the few kinds of failure that every domain shares
// (not found, invalid input, forbidden, conflict) and carries a message in
// Chinese for the people who will read it. The web layer maps kinds to HTTP
// status codes in one place.
package apperr

import (
	"errors"
	"fmt"
)

// Kinds. Domain errors unwrap to one of these.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid input")
	ErrForbidden       = errors.New("forbidden")
	ErrConflict        = errors.New("conflict")
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrTooMany: the server is busy with this kind of request (e.g. too
	// many password checks at once); the client should retry shortly.
	ErrTooMany = errors.New("too many requests")

	// ErrOutOfScope marks a not-found that answers a request for something
	// outside the caller's data scope. Users see the plain not-found (ids of
	// other departments reveal nothing); the web layer logs it as a denial.
	ErrOutOfScope = errors.New("outside the data scope")
)

// Error is a user-facing failure: Kind classifies it, Msg says in Chinese
// what happened and what to do next.
type Error struct {
	Kind error
	Msg  string
	Err  error // the cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// NotFound, Invalid, Forbidden, Conflict and TooMany build user-facing errors.
func NotFound(format string, args ...any) error  { return newf(ErrNotFound, format, args...) }
func Invalid(format string, args ...any) error   { return newf(ErrInvalid, format, args...) }
func Forbidden(format string, args ...any) error { return newf(ErrForbidden, format, args...) }
func Conflict(format string, args ...any) error  { return newf(ErrConflict, format, args...) }
func TooMany(format string, args ...any) error   { return newf(ErrTooMany, format, args...) }

// OutOfScope builds a not-found for an object outside the caller's data
// scope: it renders exactly as NotFound and also unwraps to ErrOutOfScope.
func OutOfScope(format string, args ...any) error {
	return &Error{Kind: ErrNotFound, Msg: fmt.Sprintf(format, args...), Err: ErrOutOfScope}
}

// Detailed is an error that carries structured details for API clients
// besides its message: the fields or the rows and columns at fault. The web
// layer puts them in the JSON error body's "details".
type Detailed interface {
	error
	ErrorDetails() any
}

// Message returns the user-facing text of err, or a generic one for
// internal failures whose details must not leak to users.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return "系统内部错误，请稍后重试；如持续出现请联系系统管理员。"
}
