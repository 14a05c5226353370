package search

import (
	"slices"
	"testing"
)

// TestFoldShortPath checks foldString's short paths (ASCII, CJK Unified
// Ideographs) against fold, rune by rune, over the Basic Multilingual Plane
// and the first supplementary ideographs.
func TestFoldShortPath(t *testing.T) {
	for r := rune(0); r < 0x2B820; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if got, want := foldString(string(r)), fold(r); !slices.Equal(got, want) {
			t.Fatalf("foldString(%U) = %q, fold = %q", r, string(got), string(want))
		}
	}
}
