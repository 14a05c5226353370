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
// refuses even the right password. Each attempt is counted as a failure
// before its password is checked (see reserve), so parallel attempts cannot
// outrun the count; a right password gives the count back and clears the
// account's failures (never the address's). Unknown names and wrong
// passwords get the same message and run the same statements and the same
// argon2 work. When too many password checks are running or waiting, the
// attempt is refused with apperr.ErrTooMany and counts nothing.
func (s *Service) Login(ctx context.Context, login, password, ip, userAgent string) (*Session, string, error) {
	sess, token, err := s.login(ctx, login, password, ip, userAgent)
	s.db.Observer().LoginAttempt(LoginOutcome(err))
	return sess, token, err
}

// LoginOutcome classifies the result of Login for the metrics: success,
// bad_credentials, locked, throttled, disabled, busy, invalid or error.
func LoginOutcome(err error) string {
	switch {
	case err == nil:
		return "success"
	case errors.Is(err, ErrBadCredentials):
		return "bad_credentials"
	case errors.Is(err, ErrLocked):
		return "locked"
	case errors.Is(err, ErrThrottled):
		return "throttled"
	case errors.Is(err, ErrDisabled):
		return "disabled"
	case errors.Is(err, ErrBusy):
		return "busy"
	case errors.Is(err, apperr.ErrInvalid):
		return "invalid"
	}
	return "error"
}

func (s *Service) login(ctx context.Context, login, password, ip, userAgent string) (*Session, string, error) {
	login = truncate(normalizeLogin(login), 64)
	if login == "" || password == "" {
		return nil, "", apperr.Invalid("请输入用户名和密码")
	}
	ip, userAgent = truncate(strings.TrimSpace(ip), 64), truncate(userAgent, 256)
	uk, ak := userKey(login), addrKey(ip)
	now := s.now()
	if !s.DemoLogins && IsDemoLogin(login) {
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			return s.logLogin(ctx, tx, now, login, 0, ip, userAgent, OutcomeDisabled, "演示账号仅在 sidi demo 中可用")
		}); err != nil {
			return nil, "", err
		}
		return nil, "", errDemoAccount()
	}

	// Count the failure ahead, refusing if a key is already locked.
	var a *attempt
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.reserve(ctx, tx, login, ak, now); err != nil || a.refused == "" {
			return err
		}
		return s.logLogin(ctx, tx, now, login, a.user.id, ip, userAgent, a.refused, "锁定至 "+a.until.In(beijing).Format("2006-01-02 15:04:05"))
	})
	if err != nil {
		return nil, "", err
	}
	if a.refused != "" {
		return nil, "", lockedError(a.refused, a.until, now)
	}
	u, found := a.user, a.user.id != 0

	// argon2 runs outside any transaction, within the hashing limiter. An
	// unknown name is checked against a dummy hash of the same cost.
	hash := u.hash
	if !found {
		hash = s.dummy()
	}
	ok, err := s.verify(ctx, hash, password)
	ok = ok && found
	rehash := ""
	if err == nil && ok && NeedsRehash(u.hash, s.params()) {
		rehash, err = s.hash(ctx, password)
	}
	var token, csrf string
	if err == nil {
		token, csrf, err = newSessionSecrets()
	}
	if err != nil {
		if gerr := s.giveBackAll(ctx, a); gerr != nil {
			return nil, "", errors.Join(err, gerr)
		}
		if errors.Is(err, ErrBusy) {
			return nil, "", busy("登录请求过多，请稍后再试")
		}
		return nil, "", fmt.Errorf("auth: verify password of %s: %w", login, err)
	}

	var sess *Session
	var loginErr error
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		switch {
		case !ok:
			// The failure is counted already; mirror it on the account row
			// for the console (no row for an unknown name, same statement).
			userLock, addrLock := a.userLock(), a.addrLock()
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = failed_count + 1, locked_until = COALESCE($1, locked_until) WHERE id = $2`,
				nullTime(userLock), u.id); err != nil {
				return fmt.Errorf("auth: count failure of %s: %w", login, err)
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
			for _, r := range a.held {
				if err := giveBack(ctx, tx, r); err != nil {
					return err
				}
			}
			loginErr = unauthenticated(ErrDisabled, "账号已停用，请联系系统管理员")
			return s.logLogin(ctx, tx, now, login, u.id, ip, userAgent, OutcomeDisabled, "")
		}
		// The right password. The account row first, as reserve takes it,
		// so that parallel attempts lock in one order and cannot deadlock.
		var err error
		if rehash != "" {
			_, err = tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, locked_until = NULL, password_hash = $1 WHERE id = $2 AND password_hash = $3`, rehash, u.id, u.hash)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = $1`, u.id)
		}
		if err != nil {
			return fmt.Errorf("auth: login %s: %w", login, err)
		}
		// The account starts afresh; the address only gets this attempt's
		// count back, so one valid account does not wipe out the failures
		// of guesses at others.
		for _, r := range a.held {
			if r.key == uk {
				continue
			}
			if err := giveBack(ctx, tx, r); err != nil {
				return err
			}
		}
		if err := clearThrottle(ctx, tx, uk); err != nil {
			return err
		}
		// Forget other keys that have been quiet for a day, skipping any an
		// attempt holds right now rather than waiting for (or deadlocking
		// with) it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle
			WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $2)`+s.skipLocked()+`)`, now.Add(-24*time.Hour), now); err != nil {
			return fmt.Errorf("auth: prune throttle: %w", err)
		}
		sess = &Session{ID: hashToken(token), UserID: u.id, CSRFToken: csrf, CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(s.absolute()), IP: ip, UserAgent: userAgent, MustChangePassword: s.mustChange(u.mustChange, u.changedAt, now)}
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
	if !s.DemoLogins && IsDemoLogin(p.Login) {
		return Principal{}, nil, errDemoAccount()
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
	if err := requireSession(p); err != nil {
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
	if err := requireSession(p); err != nil {
		return err
	}
	var login, hash string
	var status UserStatus
	var mustChange bool
	err := s.db.Reader().QueryRowContext(ctx, `SELECT login, password_hash, status, must_change_password FROM users WHERE id = $1`, p.UserID).
		Scan(&login, &hash, &status, &mustChange)
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
	// As at login, the failure is counted before the check.
	var a *attempt
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = s.reserve(ctx, tx, login, "", now)
		return err
	}); err != nil {
		return err
	}
	if a.refused != "" {
		return lockedError(a.refused, a.until, now)
	}
	ok, err := s.verify(ctx, hash, oldPassword)
	if err != nil || ok {
		if gerr := s.giveBackAll(ctx, a); gerr != nil {
			return errors.Join(err, gerr)
		}
	}
	if err != nil {
		if errors.Is(err, ErrBusy) {
			return err
		}
		return fmt.Errorf("auth: verify password of %s: %w", login, err)
	}
	if !ok {
		userLock := a.userLock()
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = failed_count + 1, locked_until = COALESCE($1, locked_until) WHERE id = $2`,
				nullTime(userLock), p.UserID); err != nil {
				return fmt.Errorf("auth: count failure of %s: %w", login, err)
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
	newHash, err := s.hash(ctx, newPassword)
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
