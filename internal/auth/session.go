package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
)

// Session is a signed-in browser. The token that identifies it is handed
// out once by Login; the database keeps only its SHA-256 (the ID).
type Session struct {
	ID                 string    `json:"id"` // SHA-256 hex of the token
	UserID             int64     `json:"user_id"`
	CSRFToken          string    `json:"-"`
	CreatedAt          time.Time `json:"created_at"`
	LastSeenAt         time.Time `json:"last_seen_at"`
	ExpiresAt          time.Time `json:"expires_at"` // absolute end, whatever the activity
	IP                 string    `json:"ip"`
	UserAgent          string    `json:"user_agent"`
	MustChangePassword bool      `json:"must_change_password"`
}

// CheckCSRF reports, in constant time, whether token is the session's CSRF token.
func (s *Session) CheckCSRF(token string) bool {
	return s != nil && token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRFToken)) == 1
}

// Throttle keys: one per account name (known or not, so that locking does
// not reveal which accounts exist) and one per client address.
func userKey(login string) string { return "user:" + login }

func addrKey(ip string) string {
	if ip == "" {
		return ""
	}
	return "ip:" + ip
}

type throttle struct {
	failures    int
	windowStart time.Time
	lockedUntil time.Time
}

func readThrottle(ctx context.Context, q querier, key, suffix string) (throttle, error) {
	var t throttle
	var locked sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1`+suffix, key).
		Scan(&t.failures, &t.windowStart, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return throttle{}, nil
	}
	if err != nil {
		return t, fmt.Errorf("auth: read throttle %s: %w", key, err)
	}
	t.windowStart, t.lockedUntil = t.windowStart.UTC(), fromNull(locked)
	return t, nil
}

// lockState says whether the address or the account is locked at now:
// OutcomeThrottled or OutcomeLocked with the time it ends, or "".
func (s *Service) lockState(ctx context.Context, q querier, uk, ak string, userLock, now time.Time, suffix string) (Outcome, time.Time, error) {
	if ak != "" {
		t, err := readThrottle(ctx, q, ak, suffix)
		if err != nil {
			return "", time.Time{}, err
		}
		if t.lockedUntil.After(now) {
			return OutcomeThrottled, t.lockedUntil, nil
		}
	}
	t, err := readThrottle(ctx, q, uk, suffix)
	if err != nil {
		return "", time.Time{}, err
	}
	until := t.lockedUntil
	if userLock.After(until) {
		until = userLock
	}
	if until.After(now) {
		return OutcomeLocked, until, nil
	}
	return "", time.Time{}, nil
}

// registerFailure counts a failure against key and returns when the key is
// locked until if this failure locked it.
func (s *Service) registerFailure(ctx context.Context, tx *sql.Tx, key string, now time.Time) (time.Time, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_throttle(key, failures, window_start) VALUES ($1, 0, $2) ON CONFLICT (key) DO NOTHING`, key, now); err != nil {
		return time.Time{}, fmt.Errorf("auth: throttle %s: %w", key, err)
	}
	t, err := readThrottle(ctx, tx, key, s.forUpdate())
	if err != nil {
		return time.Time{}, err
	}
	if t.failures == 0 || !now.Before(t.windowStart.Add(s.window())) {
		t.failures, t.windowStart = 0, now
	}
	t.failures++
	var locked time.Time
	if t.failures >= s.maxFailures() {
		locked = now.Add(s.lockFor())
		t.failures, t.windowStart, t.lockedUntil = 0, now, locked
	}
	_, err = tx.ExecContext(ctx, `UPDATE login_throttle SET failures = $1, window_start = $2, locked_until = $3 WHERE key = $4`,
		t.failures, t.windowStart, nullTime(t.lockedUntil), key)
	if err != nil {
		return time.Time{}, fmt.Errorf("auth: throttle %s: %w", key, err)
	}
	return locked, nil
}

// fail counts a failed attempt against the account and the address, and
// mirrors the account's count and lock on the user row for the console.
func (s *Service) fail(ctx context.Context, tx *sql.Tx, uk, ak string, userID int64, now time.Time) (userLock, addrLock time.Time, err error) {
	if userLock, err = s.registerFailure(ctx, tx, uk, now); err != nil {
		return
	}
	if ak != "" {
		if addrLock, err = s.registerFailure(ctx, tx, ak, now); err != nil {
			return
		}
	}
	if userID != 0 {
		if userLock.IsZero() {
			_, err = tx.ExecContext(ctx, `UPDATE users SET failed_count = failed_count + 1 WHERE id = $1`, userID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE users SET failed_count = failed_count + 1, locked_until = $1 WHERE id = $2`, userLock, userID)
		}
		if err != nil {
			err = fmt.Errorf("auth: count failure of %d: %w", userID, err)
		}
	}
	return
}

func clearThrottle(ctx context.Context, tx *sql.Tx, keys ...string) error {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, k); err != nil {
			return fmt.Errorf("auth: reset throttle %s: %w", k, err)
		}
	}
	return nil
}

// lockedError is the refusal for a locked account or address.
func lockedError(o Outcome, until, now time.Time) error {
	if o == OutcomeThrottled {
		return unauthenticated(ErrThrottled, "该地址登录失败次数过多，已暂停登录，请于 %s 后重试（约 %s 分钟）", clockText(until, now), minutesText(until, now))
	}
	return unauthenticated(ErrLocked, "账号因连续登录失败已被锁定，请于 %s 后重试（约 %s 分钟），或联系系统管理员解锁", clockText(until, now), minutesText(until, now))
}

// badCredentials is the refusal for an unknown account or a wrong
// password: the same words for both, plus notice of a lock this attempt set.
func badCredentials(userLock, addrLock, now time.Time) error {
	switch {
	case !userLock.IsZero():
		return unauthenticated(ErrBadCredentials, "用户名或密码错误；连续失败次数过多，账号已锁定，请于 %s 后重试", clockText(userLock, now))
	case !addrLock.IsZero():
		return unauthenticated(ErrBadCredentials, "用户名或密码错误；该地址登录失败次数过多，已暂停登录，请于 %s 后重试", clockText(addrLock, now))
	}
	return unauthenticated(ErrBadCredentials, "用户名或密码错误")
}

// logLogin appends to the login log, a chain signed with the audit key.
func (s *Service) logLogin(ctx context.Context, q querier, at time.Time, login string, userID int64, ip, ua string, o Outcome, detail string) error {
	if err := audit.AppendLogin(ctx, s.db, q, at, truncate(login, 64), userID, truncate(ip, 64), truncate(ua, 256), string(o), detail); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// mustChange says whether a password must be changed before anything else.
func (s *Service) mustChange(flag bool, changedAt, now time.Time) bool {
	return flag || (s.PasswordMaxAge > 0 && !changedAt.IsZero() && now.Sub(changedAt) > s.PasswordMaxAge)
}

// Login checks a login name and password and starts a new session. It
// returns the session and its token, which is shown to the client once and
// stored only as a hash. Every attempt is written to the login log.
//
// Failures are counted per account name and per address: MaxFailures
// within FailureWindow lock that key for LockDuration, and a locked key
// refuses even the right password. Unknown names and wrong passwords get
// the same message and cost the same argon2 time.
func (s *Service) Login(ctx context.Context, login, password, ip, userAgent string) (*Session, string, error) {
	login = truncate(normalizeLogin(login), 64)
	if login == "" || password == "" {
		return nil, "", apperr.Invalid("请输入用户名和密码")
	}
	ip, userAgent = truncate(strings.TrimSpace(ip), 64), truncate(userAgent, 256)
	uk, ak := userKey(login), addrKey(ip)
	now := s.now()

	type row struct {
		id         int64
		hash       string
		status     UserStatus
		locked     sql.NullTime
		mustChange bool
		changedAt  time.Time
	}
	var u row
	found := true
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, password_hash, status, locked_until, must_change_password, password_changed_at FROM users WHERE login = $1`, login).
		Scan(&u.id, &u.hash, &u.status, &u.locked, &u.mustChange, &u.changedAt)
	if errors.Is(err, sql.ErrNoRows) {
		found = false
	} else if err != nil {
		return nil, "", fmt.Errorf("auth: login %s: %w", login, err)
	}

	// A locked key refuses before any password is looked at.
	o, until, err := s.lockState(ctx, s.db.Reader(), uk, ak, fromNull(u.locked), now, "")
	if err != nil {
		return nil, "", err
	}
	if o != "" {
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			return s.logLogin(ctx, tx, now, login, u.id, ip, userAgent, o, "锁定至 "+until.In(beijing).Format("2006-01-02 15:04:05"))
		}); err != nil {
			return nil, "", err
		}
		return nil, "", lockedError(o, until, now)
	}

	// argon2 runs outside the write transaction: it is slow by design.
	var ok bool
	if found {
		if ok, err = VerifyPassword(u.hash, password); err != nil {
			return nil, "", fmt.Errorf("auth: verify password of %s: %w", login, err)
		}
	} else {
		VerifyPassword(s.dummy(), password)
	}
	rehash := ""
	if ok && NeedsRehash(u.hash, s.params()) {
		if rehash, err = s.hash(password); err != nil {
			return nil, "", err
		}
	}
	token, csrf, err := newSessionSecrets()
	if err != nil {
		return nil, "", err
	}

	var sess *Session
	var loginErr error
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Attempts running in parallel may have locked a key meanwhile.
		var locked sql.NullTime
		if found {
			if err := tx.QueryRowContext(ctx, `SELECT locked_until FROM users WHERE id = $1`+s.forUpdate(), u.id).Scan(&locked); err != nil {
				return fmt.Errorf("auth: login %s: %w", login, err)
			}
		}
		o, until, err := s.lockState(ctx, tx, uk, ak, fromNull(locked), now, s.forUpdate())
		if err != nil {
			return err
		}
		switch {
		case o != "":
			loginErr = lockedError(o, until, now)
			return s.logLogin(ctx, tx, now, login, u.id, ip, userAgent, o, "锁定至 "+until.In(beijing).Format("2006-01-02 15:04:05"))
		case !found || !ok:
			userLock, addrLock, err := s.fail(ctx, tx, uk, ak, u.id, now)
			if err != nil {
				return err
			}
			loginErr = badCredentials(userLock, addrLock, now)
			outcome, detail := OutcomeBadPassword, ""
			if !found {
				outcome = OutcomeUnknownUser
			}
			if !userLock.IsZero() {
				detail = "账号锁定至 " + userLock.In(beijing).Format("2006-01-02 15:04:05")
			}
			if !addrLock.IsZero() {
				detail = strings.TrimPrefix(detail+"；地址锁定至 "+addrLock.In(beijing).Format("2006-01-02 15:04:05"), "；")
			}
			return s.logLogin(ctx, tx, now, login, u.id, ip, userAgent, outcome, detail)
		case u.status != StatusActive:
			loginErr = unauthenticated(ErrDisabled, "账号已停用，请联系系统管理员")
			return s.logLogin(ctx, tx, now, login, u.id, ip, userAgent, OutcomeDisabled, "")
		}
		if err := clearThrottle(ctx, tx, uk, ak); err != nil {
			return err
		}
		// Forget other keys that have been quiet for a day.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $2)`,
			now.Add(-24*time.Hour), now); err != nil {
			return fmt.Errorf("auth: prune throttle: %w", err)
		}
		if rehash != "" {
			_, err = tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, locked_until = NULL, password_hash = $1 WHERE id = $2 AND password_hash = $3`, rehash, u.id, u.hash)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = $1`, u.id)
		}
		if err != nil {
			return fmt.Errorf("auth: login %s: %w", login, err)
		}
		sess = &Session{ID: hashToken(token), UserID: u.id, CSRFToken: csrf, CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(s.absolute()), IP: ip, UserAgent: userAgent, MustChangePassword: s.mustChange(u.mustChange, u.changedAt.UTC(), now)}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions(id, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, sess.ID, sess.UserID, sess.CSRFToken, now, sess.ExpiresAt, ip, userAgent)
		if err != nil {
			return fmt.Errorf("auth: start session of %s: %w", login, err)
		}
		return s.logLogin(ctx, tx, now, login, u.id, ip, userAgent, OutcomeSuccess, "")
	})
	if err != nil {
		return nil, "", err
	}
	if loginErr != nil {
		return nil, "", loginErr
	}
	return sess, token, nil
}

// newSessionSecrets returns a fresh 32-byte session token and CSRF token.
func newSessionSecrets() (token, csrf string, err error) {
	t, err := randomBytes(32)
	if err != nil {
		return "", "", err
	}
	c, err := randomBytes(32)
	if err != nil {
		return "", "", err
	}
	return base64.RawURLEncoding.EncodeToString(t), base64.RawURLEncoding.EncodeToString(c), nil
}

// Authenticate returns the principal and session of a session token. It
// refuses revoked sessions, sessions idle longer than IdleTimeout and
// sessions older than AbsoluteTimeout, and records when it last saw the
// session at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token, ip string) (Principal, *Session, error) {
	if token == "" {
		return Principal{}, nil, unauthenticated(ErrSessionRevoked, "请先登录")
	}
	now := s.now()
	id := hashToken(token)
	var sess Session
	var revoked sql.NullTime
	var reason string
	var p Principal
	var status UserStatus
	var mustChange bool
	var changedAt time.Time
	err := s.db.Reader().QueryRowContext(ctx, `SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent,
		s.revoked_at, s.end_reason, u.login, u.name, u.dept_id, u.scope, u.status, u.must_change_password, u.password_changed_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id).
		Scan(&sess.UserID, &sess.CSRFToken, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt, &sess.IP, &sess.UserAgent,
			&revoked, &reason, &p.Login, &p.Name, &p.DeptID, &p.Scope, &status, &mustChange, &changedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, nil, unauthenticated(ErrSessionRevoked, "登录已失效，请重新登录")
	}
	if err != nil {
		return Principal{}, nil, fmt.Errorf("auth: authenticate: %w", err)
	}
	sess.ID = id
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.LastSeenAt.UTC(), sess.ExpiresAt.UTC()
	if revoked.Valid {
		if reason == "expired" {
			return Principal{}, nil, unauthenticated(ErrSessionExpired, "登录已超时，请重新登录")
		}
		return Principal{}, nil, unauthenticated(ErrSessionRevoked, "登录已失效，请重新登录")
	}
	if status != StatusActive {
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := revokeSessions(ctx, tx, sess.UserID, "", "disabled", now)
			return err
		}); err != nil {
			return Principal{}, nil, err
		}
		return Principal{}, nil, unauthenticated(ErrDisabled, "账号已停用，请联系系统管理员")
	}
	idle := sess.LastSeenAt.Add(s.idle()).Before(now)
	if idle || !now.Before(sess.ExpiresAt) {
		detail := fmt.Sprintf("超过最长登录时间 %s", durationText(s.absolute()))
		if idle {
			detail = fmt.Sprintf("空闲超过 %s", durationText(s.idle()))
		}
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, end_reason = 'expired' WHERE id = $2 AND revoked_at IS NULL`, now, id)
			if err != nil {
				return fmt.Errorf("auth: expire session: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return s.logLogin(ctx, tx, now, p.Login, sess.UserID, ip, sess.UserAgent, OutcomeExpired, detail)
			}
			return nil
		})
		if err != nil {
			return Principal{}, nil, err
		}
		return Principal{}, nil, unauthenticated(ErrSessionExpired, "登录已超时，请重新登录")
	}
	if now.Sub(sess.LastSeenAt) >= touchInterval {
		if _, err := s.db.Writer().ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now, id); err != nil {
			return Principal{}, nil, fmt.Errorf("auth: touch session: %w", err)
		}
		sess.LastSeenAt = now
	}
	sess.MustChangePassword = s.mustChange(mustChange, changedAt.UTC(), now)
	us := []User{{ID: sess.UserID}}
	if err := loadRoles(ctx, s.db.Reader(), us); err != nil {
		return Principal{}, nil, err
	}
	p.UserID, p.Roles, p.IP = sess.UserID, us[0].Roles, ip
	return p, &sess, nil
}

// durationText renders a timeout in Chinese: "30 分钟", "12 小时".
func durationText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d 小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d 分钟", int((d+time.Minute-1)/time.Minute))
}

// revokeSessions ends the live sessions of a user, except the one with id
// except, and returns how many it ended.
func revokeSessions(ctx context.Context, tx *sql.Tx, userID int64, except, reason string, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, end_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL AND id <> $4`,
		now, reason, userID, except)
	if err != nil {
		return 0, fmt.Errorf("auth: end sessions of %d: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Logout ends the session of token. Unknown or already ended sessions are
// not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	id := hashToken(token)
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var userID int64
		var login, ip, ua string
		err := tx.QueryRowContext(ctx, `SELECT s.user_id, u.login, s.ip, s.user_agent FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.id = $1 AND s.revoked_at IS NULL`, id).Scan(&userID, &login, &ip, &ua)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("auth: logout: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, end_reason = 'logout' WHERE id = $2`, now, id); err != nil {
			return fmt.Errorf("auth: logout: %w", err)
		}
		return s.logLogin(ctx, tx, now, login, userID, ip, ua, OutcomeLogout, "")
	})
}

// LogoutEverywhere ends every session of p's account (API tokens stay
// valid; revoke them with RevokeToken).
func (s *Service) LogoutEverywhere(ctx context.Context, p Principal) error {
	if err := requireUser(p); err != nil {
		return err
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := revokeSessions(ctx, tx, p.UserID, "", "logout_all", now)
		if err != nil {
			return err
		}
		if err := s.logLogin(ctx, tx, now, p.Login, p.UserID, p.IP, "", OutcomeLogout, fmt.Sprintf("退出全部会话（共 %d 个）", n)); err != nil {
			return err
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "user", EntityID: fmt.Sprint(p.UserID), Action: "logout_everywhere",
			After: map[string]any{"sessions_ended": n}})
	})
}

// ChangePassword lets p replace their own password. The old password must
// be right (wrong guesses count towards the account lock), the new one must
// pass the policy and differ from the recent ones. The user's other
// sessions end; the one holding token stays.
func (s *Service) ChangePassword(ctx context.Context, p Principal, token, oldPassword, newPassword string) error {
	if err := requireUser(p); err != nil {
		return err
	}
	var login, hash string
	var status UserStatus
	var mustChange bool
	var locked sql.NullTime
	err := s.db.Reader().QueryRowContext(ctx, `SELECT login, password_hash, status, must_change_password, locked_until FROM users WHERE id = $1`, p.UserID).
		Scan(&login, &hash, &status, &mustChange, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("用户不存在（编号 %d）", p.UserID)
	}
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if status != StatusActive {
		return unauthenticated(ErrDisabled, "账号已停用，请联系系统管理员")
	}
	now := s.now()
	uk := userKey(login)
	if o, until, err := s.lockState(ctx, s.db.Reader(), uk, "", fromNull(locked), now, ""); err != nil {
		return err
	} else if o != "" {
		return lockedError(o, until, now)
	}
	ok, err := VerifyPassword(hash, oldPassword)
	if err != nil {
		return fmt.Errorf("auth: verify password of %s: %w", login, err)
	}
	if !ok {
		var userLock time.Time
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			if userLock, _, err = s.fail(ctx, tx, uk, "", p.UserID, now); err != nil {
				return err
			}
			return s.logLogin(ctx, tx, now, login, p.UserID, p.IP, "", OutcomeBadPassword, "修改密码时原密码错误")
		}); err != nil {
			return err
		}
		if !userLock.IsZero() {
			return &apperr.Error{Kind: apperr.ErrInvalid, Err: ErrLocked,
				Msg: fmt.Sprintf("原密码不正确；连续失败次数过多，账号已锁定，请于 %s 后重试", clockText(userLock, now))}
		}
		return &apperr.Error{Kind: apperr.ErrInvalid, Msg: "原密码不正确", Err: ErrBadCredentials}
	}
	if newPassword == oldPassword {
		return apperr.Invalid("新密码不能与原密码相同")
	}
	if err := CheckPasswordPolicy(newPassword, login); err != nil {
		return err
	}
	if err := s.checkReuse(ctx, p.UserID, newPassword); err != nil {
		return err
	}
	newHash, err := s.hash(newPassword)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, updated_at = $3,
			failed_count = 0, locked_until = NULL WHERE id = $4 AND password_hash = $5`, newHash, false, now, p.UserID, hash)
		if err != nil {
			return fmt.Errorf("auth: change password of %s: %w", login, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("密码已在别处被修改，请重新登录后再试")
		}
		if err := s.recordPassword(ctx, tx, p.UserID, newHash, now); err != nil {
			return err
		}
		if err := clearThrottle(ctx, tx, uk); err != nil {
			return err
		}
		except := ""
		if token != "" {
			except = hashToken(token)
		}
		n, err := revokeSessions(ctx, tx, p.UserID, except, "password_changed", now)
		if err != nil {
			return err
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "user", EntityID: fmt.Sprint(p.UserID), Action: "change_password",
			Before: map[string]any{"login": login, "must_change_password": mustChange},
			After:  map[string]any{"login": login, "must_change_password": false, "other_sessions_ended": n}})
	})
}
