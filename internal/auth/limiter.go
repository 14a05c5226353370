package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"sidi/internal/apperr"
)

// Defaults of the password-hashing limiter. Two default (64 MiB) hashes at
// once: on top of what argon2 holds, the garbage of finished hashes waits for
// the collector, whose default pacing lets the heap reach about twice what is
// live; 256 MiB here measured a 620 MB peak under a login burst, 128 MiB
// stays far below 600 MB. Two at once, each on two lanes, also keep four
// cores busy, more than login traffic needs.
const (
	DefaultHashMemory = 128 << 20 // bytes argon2 may hold at once
	DefaultHashQueue  = 64        // password checks that may wait for a slot
	DefaultHashWait   = 3 * time.Second
)

// ErrBusy is the cause of the refusal when too many password checks are
// already running or waiting.
var ErrBusy = errors.New("auth: password hashing busy")

// hashLimiter bounds the memory argon2 uses at once. Each computation holds
// a share of the budget equal to its memory parameter (so with the default
// 64 MiB hashes and a 128 MiB budget, two run at once); the others wait in
// a bounded first-come queue for at most maxWait and are refused beyond it.
type hashLimiter struct {
	mu       sync.Mutex
	capacity int64 // KiB
	used     int64 // KiB held by running computations
	maxQueue int
	maxWait  time.Duration
	waiters  []*hashWaiter

	// For tests: computations running now, the most ever at once, and how
	// many were admitted in all.
	running, peak int
	admitted      int64
}

type hashWaiter struct {
	weight int64
	ready  chan struct{} // closed when the slot is granted
}

func newHashLimiter(budgetBytes int64, maxQueue int, maxWait time.Duration) *hashLimiter {
	return &hashLimiter{capacity: max(budgetBytes>>10, 1), maxQueue: max(maxQueue, 0), maxWait: maxWait}
}

// acquire waits for weight KiB of the budget (a computation bigger than the
// whole budget runs alone) and returns the function that gives it back.
func (l *hashLimiter) acquire(ctx context.Context, weight int64) (func(), error) {
	weight = min(max(weight, 1), l.capacity)
	l.mu.Lock()
	if len(l.waiters) == 0 && l.used+weight <= l.capacity {
		l.grant(weight)
		l.mu.Unlock()
		return l.releaser(weight), nil
	}
	if len(l.waiters) >= l.maxQueue {
		l.mu.Unlock()
		return nil, ErrBusy
	}
	w := &hashWaiter{weight: weight, ready: make(chan struct{})}
	l.waiters = append(l.waiters, w)
	l.mu.Unlock()

	timer := time.NewTimer(l.maxWait)
	defer timer.Stop()
	var err error
	select {
	case <-w.ready:
		return l.releaser(weight), nil
	case <-timer.C:
		err = ErrBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-w.ready: // granted while giving up: keep it
		return l.releaser(weight), nil
	default:
	}
	for i, x := range l.waiters {
		if x == w {
			l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
			break
		}
	}
	l.wake() // the head may have been the one in the way
	return nil, err
}

// grant hands weight to a computation; l.mu is held.
func (l *hashLimiter) grant(weight int64) {
	l.used += weight
	l.running++
	l.admitted++
	l.peak = max(l.peak, l.running)
}

// wake grants slots to waiters in order while they fit; l.mu is held.
func (l *hashLimiter) wake() {
	for len(l.waiters) > 0 && l.used+l.waiters[0].weight <= l.capacity {
		w := l.waiters[0]
		l.waiters = l.waiters[1:]
		l.grant(w.weight)
		close(w.ready)
	}
}

func (l *hashLimiter) releaser(weight int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.used -= weight
			l.running--
			l.wake()
		})
	}
}

// limiter returns the service's hashing limiter, built from the
// configuration at first use.
func (s *Service) limiter() *hashLimiter {
	s.limOnce.Do(func() {
		budget := s.HashMemory
		if budget <= 0 {
			budget = DefaultHashMemory
		}
		queue := s.HashQueue
		if queue <= 0 {
			queue = DefaultHashQueue
		}
		s.lim = newHashLimiter(budget, queue, orDefault(s.HashWait, DefaultHashWait))
	})
	return s.lim
}

// busy is the refusal when the limiter turns a password check away.
func busy(msg string) error {
	return &apperr.Error{Kind: apperr.ErrTooMany, Msg: msg, Err: ErrBusy}
}

// withSlot runs fn, an argon2 computation of memKiB, once the limiter
// admits it.
func (s *Service) withSlot(ctx context.Context, memKiB uint32, fn func()) error {
	release, err := s.limiter().acquire(ctx, int64(memKiB))
	if errors.Is(err, ErrBusy) {
		return busy("服务器正忙（同时进行的密码校验过多），请稍后再试")
	}
	if err != nil {
		return fmt.Errorf("auth: wait to hash: %w", err)
	}
	defer release()
	fn()
	return nil
}

// hash makes a new password hash with the service parameters, within the
// limiter.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	prm := s.params()
	var h string
	var herr error
	if err := s.withSlot(ctx, prm.Memory, func() { h, herr = HashPassword(pw, prm) }); err != nil {
		return "", err
	}
	return h, herr
}

// verify checks pw against an encoded hash within the limiter. A malformed
// hash is an error before any argon2 work.
func (s *Service) verify(ctx context.Context, encoded, pw string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := s.withSlot(ctx, h.params.Memory, func() { ok = h.verify(pw) }); err != nil {
		return false, err
	}
	return ok, nil
}
