package kit

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// TestKeySetSpills: past a sixteenth of its limit the set's map becomes a
// sorted run, past its limit the keys leave the heap for its file, and the
// set still finds every repeat — of a key from a run, from before the move
// to the file, from after it, and inside one call — with the row of its
// first occurrence.
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
		if lo == 5000 {
			// 10,000 keys: two windows past the map's 1,024, merged into one run.
			if len(k.mem) != 0 || len(k.runs) != 1 || len(k.runs[0].h) != 10000 || k.db != nil {
				t.Fatalf("after 10,000 keys: map %d, runs %d, file %v", len(k.mem), len(k.runs), k.db != nil)
			}
			seven := 7
			h7 := uint64(seven) * 0x9E3779B97F4A7C15
			if got := add([]uint64{h7}, []int32{99999}); got[0] != 9 {
				t.Fatalf("a repeat of a key in a run: first row %d, want 9", got[0])
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
// first load's duplicate check of a 1M-row file): in the heap (map and
// runs, keysInMemory) and, with a limit of 2^14 keys, in the key file.
func BenchmarkKeySet(b *testing.B) {
	for _, limit := range []int{keysInMemory, 1 << 14} {
		b.Run(fmt.Sprint("limit=", limit), func(b *testing.B) { benchKeySet(b, limit) })
	}
}

func benchKeySet(b *testing.B, limit int) {
	ctx := context.Background()
	for b.Loop() {
		k := newKeySet(limit)
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
