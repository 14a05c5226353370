package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Defaults of the Service configuration.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultMaxFailures     = 5
	DefaultLockDuration    = 15 * time.Minute
	DefaultFailureWindow   = 15 * time.Minute
	DefaultPasswordHistory = 5
)

// touchInterval bounds how often Authenticate and TokenPrincipal write a
// last-seen time, so busy clients do not cost a write per request.
const touchInterval = time.Minute

// Sentinel causes carried by the apperr errors of this package, for callers
// that need to tell the failures apart (e.g. to show a captcha). The
// user-facing text is in the apperr.Error's Msg.
var (
	ErrBadCredentials = errors.New("auth: bad credentials")
	ErrLocked         = errors.New("auth: account locked")
	ErrThrottled      = errors.New("auth: address throttled")
	ErrDisabled       = errors.New("auth: account disabled")
	ErrSessionExpired = errors.New("auth: session expired")
	ErrSessionRevoked = errors.New("auth: session revoked")
	ErrTokenInvalid   = errors.New("auth: API token invalid")
)

// Service manages accounts, sessions and API tokens. Set the configuration
// fields after NewService and before first use.
type Service struct {
	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after login regardless
	MaxFailures     int           // failures within FailureWindow that lock a key
	FailureWindow   time.Duration
	LockDuration    time.Duration // how long a locked account or address stays locked
	PasswordHistory int           // how many recent passwords (current included) may not be reused
	PasswordMaxAge  time.Duration // when > 0, older passwords must be changed at next login
	Argon2          Argon2Params  // cost of new password hashes
	Now             func() time.Time

	// Password hashing limits (see hashLimiter): the memory argon2 may
	// hold at once (bytes), how many checks may wait for it, and for how
	// long. Beyond them a check is refused with apperr.ErrTooMany.
	HashMemory int64
	HashQueue  int
	HashWait   time.Duration

	// DemoLogins lets the published demo accounts sign in. Only `sidi demo`
	// sets it; elsewhere they are refused even with the right password.
	DemoLogins bool

	db  *store.DB
	org *org.Service

	dummyMu     sync.Mutex
	dummyParams Argon2Params
	dummyHash   string

	limOnce sync.Once
	lim     *hashLimiter
}

// NewService returns a Service with the production defaults.
func NewService(db *store.DB, o *org.Service) *Service {
	return &Service{
		IdleTimeout:     DefaultIdleTimeout,
		AbsoluteTimeout: DefaultAbsoluteTimeout,
		MaxFailures:     DefaultMaxFailures,
		FailureWindow:   DefaultFailureWindow,
		LockDuration:    DefaultLockDuration,
		PasswordHistory: DefaultPasswordHistory,
		Argon2:          DefaultArgon2,
		Now:             time.Now,
		db:              db,
		org:             o,
	}
}

// now is the service clock in UTC at the precision both engines keep.
func (s *Service) now() time.Time {
	f := s.Now
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}

func orDefault[T int | uint32 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func (s *Service) idle() time.Duration { return orDefault(s.IdleTimeout, DefaultIdleTimeout) }
func (s *Service) absolute() time.Duration {
	return orDefault(s.AbsoluteTimeout, DefaultAbsoluteTimeout)
}
func (s *Service) maxFailures() int       { return orDefault(s.MaxFailures, DefaultMaxFailures) }
func (s *Service) window() time.Duration  { return orDefault(s.FailureWindow, DefaultFailureWindow) }
func (s *Service) lockFor() time.Duration { return orDefault(s.LockDuration, DefaultLockDuration) }
func (s *Service) history() int           { return orDefault(s.PasswordHistory, DefaultPasswordHistory) }

func (s *Service) params() Argon2Params {
	if s.Argon2.Memory == 0 || s.Argon2.Time == 0 || s.Argon2.Threads == 0 {
		return DefaultArgon2
	}
	return s.Argon2
}

// dummy returns a hash in the current parameters that no password matches,
// verified against for unknown logins so that they cost as much as a wrong
// password. It is random bytes in the hash's form: making it needs no
// argon2 run, and checking against it costs the same as against a real one.
func (s *Service) dummy() string {
	s.dummyMu.Lock()
	defer s.dummyMu.Unlock()
	prm := s.params()
	if s.dummyHash == "" || s.dummyParams != prm {
		salt, err := randomBytes(int(orDefault(prm.SaltLen, DefaultArgon2.SaltLen)))
		if err != nil {
			return ""
		}
		key, err := randomBytes(int(orDefault(prm.KeyLen, DefaultArgon2.KeyLen)))
		if err != nil {
			return ""
		}
		s.dummyHash = fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", prm.Memory, prm.Time, prm.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
		s.dummyParams = prm
	}
	return s.dummyHash
}

// randomBytes returns n bytes from the operating system's CSPRNG.
func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("auth: random: %w", err)
	}
	return b, nil
}

// hashToken is how session and API tokens are stored: SHA-256, hex.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// unauthenticated builds the error for a failed login or a dead session.
func unauthenticated(cause error, format string, args ...any) error {
	return &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// requireUser refuses the public and machine principals where a real
// account is needed.
func requireUser(p Principal) error {
	if p.UserID == 0 {
		if p.Anonymous() {
			return &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "请先登录"}
		}
		return apperr.Forbidden("此操作须使用个人账号登录后进行")
	}
	return nil
}

// requireSession is requireUser for what only a signed-in person may do:
// an API token may not manage tokens, end sessions or change the password,
// so a leaked token cannot entrench itself or lock its owner out.
func requireSession(p Principal) error {
	if err := requireUser(p); err != nil {
		return err
	}
	if p.TokenID != 0 {
		return apperr.Forbidden("API 令牌不能用于管理令牌、退出登录或修改密码，请在网页上登录后操作")
	}
	return nil
}

// beijing is China Standard Time, for times shown in messages.
var beijing = time.FixedZone("CST", 8*3600)

// clockText renders t for a message: "15:04" today, "1月2日 15:04" otherwise.
func clockText(t, now time.Time) string {
	t, now = t.In(beijing), now.In(beijing)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), t.Format("15:04"))
}

// minutesText renders how long until t, rounded up to whole minutes.
func minutesText(t, now time.Time) string {
	m := int((t.Sub(now) + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	return strconv.Itoa(m)
}

// truncate shortens s to at most n runes, for untrusted text we log.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func fromNull(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// listPaging bounds the account and login-log lists: a longer page is
// refused (the exports fetch 500 at a time).
var listPaging = kit.Paging{Default: 20, Max: 500}

// forUpdate locks the selected rows on PostgreSQL; SQLite transactions
// already hold the database's single write lock.
func (s *Service) forUpdate() string {
	if s.db.Dialect() == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// skipLocked makes a row-locking subquery pass over rows other
// transactions hold, on PostgreSQL; SQLite has one writer anyway.
func (s *Service) skipLocked() string {
	if s.db.Dialect() == store.Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
