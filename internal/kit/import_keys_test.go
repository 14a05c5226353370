package kit

import (
	"context"
	"os"
	"testing"
)

// TestKeySetSpills: past its limit of keys in memory the set leaves the heap for its
// file, and still finds every repeat — of a key from before the move, from
// after it, and inside one call — with the row of its first occurrence.
func TestKeySetSpills(t *testing.T) {
	ctx := context.Background()
	k := newKeySet(1 << 14)
	defer k.close()
	const n = 1<<14 + 20000
	add := func(hashes []uint64, rows []int32) []int32 {
		t.Helper()
		first, err := k.add(ctx, hashes, rows)
		if err != nil {
			t.Fatal(err)
		}
		return first
	}
	for lo := 0; lo < n; lo += 5000 {
		var hs []uint64
		var rs []int32
		for i := lo; i < min(lo+5000, n); i++ {
			hs, rs = append(hs, uint64(i)*0x9E3779B97F4A7C15), append(rs, int32(i+2))
		}
		for i, f := range add(hs, rs) {
			if f != rs[i] {
				t.Fatalf("new key %d at row %d: first row %d", hs[i], rs[i], f)
			}
		}
	}
	if k.mem != nil || k.db == nil {
		t.Fatalf("%d keys still in the heap's map (%d)", n, len(k.mem))
	}
	h := func(i int) uint64 { return uint64(i) * 0x9E3779B97F4A7C15 }
	got := add([]uint64{h(0), 1<<63 + 7, h(n - 1), 1<<63 + 7, 42}, []int32{n + 10, n + 11, n + 12, n + 13, n + 14})
	want := []int32{2, n + 11, n + 1, n + 11, n + 14}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("key %d: first row %d, want %d", i, got[i], want[i])
		}
	}
	dir := k.dir
	if err := k.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("key file's directory %s left behind: %v", dir, err)
	}
}

// BenchmarkKeySet adds 1,000,000 distinct keys in windows of 5,000 (a
// first load's duplicate check of a 1M-row file): the cost of the key
// file past keysInMemory keys.
func BenchmarkKeySet(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		k := newKeySet(keysInMemory)
		hs := make([]uint64, 5000)
		rs := make([]int32, 5000)
		for lo := 0; lo < 1000000; lo += 5000 {
			for i := range hs {
				hs[i], rs[i] = uint64(lo+i)*0x9E3779B97F4A7C15, int32(lo+i+2)
			}
			if _, err := k.add(ctx, hs, rs); err != nil {
				b.Fatal(err)
			}
		}
		if err := k.close(); err != nil {
			b.Fatal(err)
		}
	}
}
