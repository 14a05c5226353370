package web

import (
	"fmt"
	"testing"
	"time"
)

func TestDenialLimiter(t *testing.T) {
	var l denialLimiter
	t0 := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	if !l.allow("u1", "GET", "/admin", t0) || l.allow("u1", "GET", "/admin", t0.Add(59*time.Second)) {
		t.Fatal("same user and path twice within a minute")
	}
	if !l.allow("u1", "GET", "/admin", t0.Add(time.Minute)) {
		t.Fatal("same path after a minute refused")
	}
	if !l.allow("u2", "GET", "/admin", t0) || !l.allow("u1", "POST", "/admin", t0.Add(time.Minute)) {
		t.Fatal("another user or method refused")
	}
	// A user walking ids: at most denialsPerUser a minute.
	n := 0
	for i := range 100 {
		if l.allow("walker", "GET", fmt.Sprintf("/reports/%d", i), t0) {
			n++
		}
	}
	if n != denialsPerUser {
		t.Errorf("walker logged %d in a minute; want %d", n, denialsPerUser)
	}
	// Many users at once: the tables stay bounded, old entries are pruned.
	for i := range 3 * denialKeysTracked {
		l.allow(fmt.Sprint("user", i), "GET", "/x", t0.Add(2*time.Minute))
	}
	if len(l.path) > denialKeysTracked || len(l.user) > denialKeysTracked || l.dropped == 0 {
		t.Errorf("tables %d/%d entries, %d dropped; want at most %d and some dropped", len(l.path), len(l.user), l.dropped, denialKeysTracked)
	}
	if !l.allow("late", "GET", "/x", t0.Add(4*time.Minute)) {
		t.Error("full tables were not pruned once their window passed")
	}
}
