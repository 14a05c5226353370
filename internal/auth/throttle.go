package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A password check is counted as a failure before argon2 runs, in one write
// transaction with the check that its keys are not locked. So attempts in
// parallel cannot all pass a check that none of them has counted yet: from
// one address or at one account, at most MaxFailures checks per window ever
// reach argon2. A check that turns out right (or is never made) gives its
// count back.

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

// loginUser is what a password check needs of an account.
type loginUser struct {
	id         int64 // 0: no such account
	hash       string
	status     UserStatus
	mustChange bool
	changedAt  time.Time
	locked     time.Time
}

// reservation is one failure counted ahead against a throttle key.
type reservation struct {
	key        string
	prev       throttle  // the key before counting
	window     time.Time // window_start after counting
	lockedHere time.Time // the lock this count set, if it reached MaxFailures
}

// attempt is a password check whose failure has been counted ahead.
type attempt struct {
	user    loginUser
	refused Outcome   // OutcomeThrottled or OutcomeLocked: refused before any check
	until   time.Time // when that lock ends
	held    []reservation
}

// userLock and addrLock are the locks this attempt set, if any.
func (a *attempt) userLock() time.Time { return a.lockOf(func(k string) bool { return k[0] == 'u' }) }
func (a *attempt) addrLock() time.Time { return a.lockOf(func(k string) bool { return k[0] == 'i' }) }

func (a *attempt) lockOf(match func(string) bool) time.Time {
	for _, r := range a.held {
		if match(r.key) {
			return r.lockedHere
		}
	}
	return time.Time{}
}

// reserve reads the account of login (locking its row) and its throttle
// keys, refuses when a key is locked, and otherwise counts a failure against
// each key. Known and unknown accounts run the same statements. The keys are
// always taken address first, then account, so parallel attempts cannot
// deadlock on them.
func (s *Service) reserve(ctx context.Context, tx *sql.Tx, login, ak string, now time.Time) (*attempt, error) {
	a := &attempt{}
	u := &a.user
	var locked sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT id, password_hash, status, must_change_password, password_changed_at, locked_until
		FROM users WHERE login = $1`+s.forUpdate(), login).Scan(&u.id, &u.hash, &u.status, &u.mustChange, &u.changedAt, &locked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("auth: login %s: %w", login, err)
	}
	u.changedAt, u.locked = u.changedAt.UTC(), fromNull(locked)
	keys := []string{userKey(login)}
	if ak != "" {
		keys = []string{ak, userKey(login)}
	}
	states := make([]throttle, len(keys))
	for i, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_throttle(key, failures, window_start) VALUES ($1, 0, $2) ON CONFLICT (key) DO NOTHING`, k, now); err != nil {
			return nil, fmt.Errorf("auth: throttle %s: %w", k, err)
		}
		if states[i], err = readThrottle(ctx, tx, k, s.forUpdate()); err != nil {
			return nil, err
		}
	}
	if ak != "" && states[0].lockedUntil.After(now) {
		a.refused, a.until = OutcomeThrottled, states[0].lockedUntil
		return a, nil
	}
	until := states[len(states)-1].lockedUntil
	if u.locked.After(until) {
		until = u.locked
	}
	if until.After(now) {
		a.refused, a.until = OutcomeLocked, until
		return a, nil
	}
	for i, k := range keys {
		r, err := s.count(ctx, tx, k, states[i], now)
		if err != nil {
			return nil, err
		}
		a.held = append(a.held, r)
	}
	return a, nil
}

// count adds one failure to key (whose row is locked), locking the key when
// it reaches MaxFailures within FailureWindow.
func (s *Service) count(ctx context.Context, tx *sql.Tx, key string, t throttle, now time.Time) (reservation, error) {
	r := reservation{key: key, prev: t}
	if t.failures == 0 || !now.Before(t.windowStart.Add(s.window())) {
		t.failures, t.windowStart = 0, now
	}
	t.failures++
	t.lockedUntil = time.Time{} // any earlier lock has run out, or we would not be here
	if t.failures >= s.maxFailures() {
		r.lockedHere = now.Add(s.lockFor())
		t.failures, t.windowStart, t.lockedUntil = 0, now, r.lockedHere
	}
	r.window = t.windowStart
	_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = $1, window_start = $2, locked_until = $3 WHERE key = $4`,
		t.failures, t.windowStart, nullTime(t.lockedUntil), key)
	if err != nil {
		return r, fmt.Errorf("auth: throttle %s: %w", key, err)
	}
	return r, nil
}

// giveBack undoes a reservation: the lock it set is lifted and the key put
// back as it was, or its one failure is taken off. When other attempts have
// locked the key or a new window has begun since, the key is left alone.
func giveBack(ctx context.Context, tx *sql.Tx, r reservation) error {
	var err error
	if !r.lockedHere.IsZero() {
		_, err = tx.ExecContext(ctx, `UPDATE login_throttle SET failures = $1, window_start = $2, locked_until = NULL WHERE key = $3 AND locked_until = $4`,
			r.prev.failures, r.prev.windowStart, r.key, r.lockedHere)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0 AND window_start = $2 AND locked_until IS NULL`,
			r.key, r.window)
	}
	if err != nil {
		return fmt.Errorf("auth: throttle %s: %w", r.key, err)
	}
	return nil
}

// giveBackAll undoes every reservation of a, in a transaction of its own.
// It runs even when ctx has ended, so that a dropped request does not leave
// its count behind.
func (s *Service) giveBackAll(ctx context.Context, a *attempt) error {
	ctx = context.WithoutCancel(ctx)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range a.held {
			if err := giveBack(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}
