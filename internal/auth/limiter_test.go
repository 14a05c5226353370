package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var testArgon = Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testPW = "Sidi#Test2025"

func newTestService(t *testing.T, db *store.DB) *Service {
	t.Helper()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := NewService(db, o)
	s.Argon2 = testArgon
	return s
}

func (l *hashLimiter) stats() (running, peak int, admitted int64, waiting int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.running, l.peak, l.admitted, len(l.waiters)
}

func TestHashLimiterQueue(t *testing.T) {
	ctx := context.Background()
	l := newHashLimiter(3<<10, 1, 50*time.Millisecond) // 3 KiB: three 1-KiB slots, one waiter
	var releases []func()
	for i := 0; i < 3; i++ {
		r, err := l.acquire(ctx, 1)
		if err != nil {
			t.Fatalf("slot %d: %v", i, err)
		}
		releases = append(releases, r)
	}
	// The fourth waits; a fifth finds the queue full at once.
	granted := make(chan error, 1)
	go func() {
		r, err := l.acquire(ctx, 1)
		if err == nil {
			r()
		}
		granted <- err
	}()
	for _, _, _, w := l.stats(); w != 1; _, _, _, w = l.stats() {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if _, err := l.acquire(ctx, 1); !errors.Is(err, ErrBusy) || time.Since(start) > 20*time.Millisecond {
		t.Fatalf("acquire with a full queue: %v after %v, want ErrBusy at once", err, time.Since(start))
	}
	releases[0]()
	releases[0]() // releasing twice gives back once
	if err := <-granted; err != nil {
		t.Fatalf("the waiter was not served on release: %v", err)
	}
	// A waiter gives up after maxWait.
	r, _ := l.acquire(ctx, 1)
	start = time.Now()
	if _, err := l.acquire(ctx, 1); !errors.Is(err, ErrBusy) || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("wait past maxWait: %v after %v", err, time.Since(start))
	}
	// A computation larger than the budget runs alone, once the others end.
	r()
	releases[1]()
	releases[2]()
	big, err := l.acquire(ctx, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.acquire(ctx, 1); !errors.Is(err, ErrBusy) {
		t.Fatalf("a slot beside a whole-budget computation: %v", err)
	}
	big()
	if running, peak, _, waiting := l.stats(); running != 0 || waiting != 0 || peak != 3 {
		t.Fatalf("after all releases: running %d, waiting %d, peak %d", running, waiting, peak)
	}
}

// TestHashingNeverExceedsItsSlots: every path that runs argon2 — logins of
// known and unknown names, rehashing, password changes, new users, demo
// accounts — goes through the limiter, and no more than its slots run at
// once however many requests arrive together.
func TestHashingNeverExceedsItsSlots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newTestService(t, db)
		s.HashMemory = 2 * int64(testArgon.Memory) << 10 // two slots
		s.HashQueue, s.HashWait = 1000, time.Minute
		s.MaxFailures = 1000 // this test is about memory, not locks
		admin := CLI("test")
		var users []string
		for i := 0; i < 6; i++ {
			login := fmt.Sprintf("user%d", i)
			if _, err := s.CreateUser(ctx, admin, NewUser{Login: login, Name: login, DeptID: deptID(t, s, "qh-samr"), Roles: []Role{RoleReporter}, Password: testPW}); err != nil {
				t.Fatal(err)
			}
			users = append(users, login)
		}
		_, _, base, _ := s.limiter().stats() // six new users: six hashes
		if base != 6 {
			t.Fatalf("%d argon2 runs for six new users", base)
		}
		s.Argon2.Time = 2 // every right password now rehashes

		const n = 48
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				ip := fmt.Sprintf("10.1.%d.%d", i/200, i%200)
				switch i % 4 {
				case 0: // unknown name: one dummy check
					_, _, err = s.Login(ctx, fmt.Sprintf("ghost%d", i), "Wrong#Pass1", ip, "ua")
				case 1: // wrong password: one check
					_, _, err = s.Login(ctx, users[i%6], "Wrong#Pass1", ip, "ua")
				case 2: // right password with old parameters: check and rehash
					_, _, err = s.Login(ctx, users[i%6], testPW, ip, "ua")
				case 3: // new account: one hash
					_, err = s.CreateUser(ctx, admin, NewUser{Login: fmt.Sprintf("new%d", i), Name: "新", DeptID: deptID(t, s, "qh-samr"), Roles: []Role{RoleReporter}, Password: testPW})
				}
				if err != nil && !errors.Is(err, ErrBadCredentials) {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		running, peak, admitted, waiting := s.limiter().stats()
		if running != 0 || waiting != 0 {
			t.Fatalf("after the burst: %d running, %d waiting", running, waiting)
		}
		if peak != 2 {
			t.Errorf("at most %d argon2 runs at once, want exactly the 2 slots", peak)
		}
		// 12 unknown + 12 wrong + 12×2 right (rehashes may be skipped when a
		// parallel login rehashed first: at least one check each) + 12 new.
		if got := admitted - base; got < 12+12+12+12 || got > 12+12+24+12 {
			t.Errorf("%d argon2 runs went through the limiter for the burst", got)
		}
		// An administrator's reset: the reuse check against the one password
		// on record, and the new hash.
		u, err := s.CreateUser(ctx, admin, NewUser{Login: "reset.me", Name: "重置", DeptID: deptID(t, s, "qh-samr"), Roles: []Role{RoleReporter}, Password: testPW})
		if err != nil {
			t.Fatal(err)
		}
		_, _, admitted, _ = s.limiter().stats()
		if err := s.ResetPassword(ctx, admin, u.ID, "Reset#Pass2025"); err != nil {
			t.Fatal(err)
		}
		if _, _, after, _ := s.limiter().stats(); after != admitted+2 {
			t.Errorf("password reset: %d argon2 runs through the limiter, want 2", after-admitted)
		}
		_, _, admitted, _ = s.limiter().stats()
		if _, err := s.EnsureDemoAccounts(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, after, _ := s.limiter().stats(); after != admitted+9 {
			t.Errorf("demo accounts: %d argon2 runs through the limiter, want 9", after-admitted)
		}
	})
}

// TestBusyLoginCountsNothing: when the limiter is full, a login is refused
// with ErrTooMany ("稍后再试") and leaves no failure counted.
func TestBusyLoginCountsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newTestService(t, db)
		s.HashMemory = int64(testArgon.Memory) << 10 // one slot
		s.HashQueue, s.HashWait = 1, 20*time.Millisecond
		if _, err := s.CreateUser(ctx, CLI("test"), NewUser{Login: "busy", Name: "忙", DeptID: deptID(t, s, "qh-samr"), Roles: []Role{RoleReporter}, Password: testPW}); err != nil {
			t.Fatal(err)
		}
		hold, err := s.limiter().acquire(ctx, int64(testArgon.Memory))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 8; i++ { // more than MaxFailures: none of them may count
			_, _, err = s.Login(ctx, "busy", "Wrong#Pass1", "10.0.0.1", "ua")
			if !errors.Is(err, apperr.ErrTooMany) || !errors.Is(err, ErrBusy) || apperr.Message(err) != "登录请求过多，请稍后再试" {
				t.Fatalf("login while hashing is full: %v", err)
			}
		}
		var failures int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COALESCE(SUM(failures), 0) FROM login_throttle`).Scan(&failures); err != nil {
			t.Fatal(err)
		}
		if failures != 0 {
			t.Errorf("%d failures counted for refused attempts", failures)
		}
		hold()
		if _, _, err := s.Login(ctx, "busy", testPW, "10.0.0.1", "ua"); err != nil {
			t.Fatalf("login once hashing is free: %v", err)
		}
	})
}

// TestParallelGuessesFromOneAddress: a burst of simultaneous guesses from
// one address, each at a different name, is counted before any password is
// checked, so only MaxFailures of them reach argon2; the rest are refused
// as throttled without hashing.
func TestParallelGuessesFromOneAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newTestService(t, db)
		const n = 40
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := s.Login(ctx, fmt.Sprintf("ghost%02d", i), "Guess#0000", "198.51.100.9", "ua")
				if !errors.Is(err, ErrBadCredentials) && !errors.Is(err, ErrThrottled) {
					t.Errorf("guess %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if _, _, hashed, _ := s.limiter().stats(); hashed != 5 {
			t.Errorf("%d of %d parallel guesses from one address ran argon2, want 5 (MaxFailures)", hashed, n)
		}
		var checked, throttled int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_log WHERE outcome = 'unknown_user'`).Scan(&checked)
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_log WHERE outcome = 'throttled'`).Scan(&throttled)
		if checked != 5 || throttled != n-5 {
			t.Errorf("login log: %d unknown_user and %d throttled of %d", checked, throttled, n)
		}
	})
}

func deptID(t *testing.T, s *Service, code string) int64 {
	t.Helper()
	ids, err := s.deptsByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return ids[code]
}
