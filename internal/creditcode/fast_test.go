package creditcode

import "testing"

// FuzzCanonicalFastPath: Parse's shortcut for codes already written
// canonically gives exactly what normalising and checking them gives.
func FuzzCanonicalFastPath(f *testing.F) {
	for _, s := range []string{"91630100MA7XXXXXXX", "91630105P33000000L", "916301000000000000", "9163010 MA7XXXXXXX", "91630100ma7xxxxxxx", "91630100MA7ＸＸＸＸＸＸＸ", "91AB0100MA7XXXXXXX"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gotErr := Parse(s)
		want, wantErr := parseTyped(s)
		if got != want || (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("Parse(%q) = %q, %v; normalised %q, %v", s, got, gotErr, want, wantErr)
		}
		if canonical(s) && Check(s[:17]) == s[17] && got != s {
			t.Fatalf("canonical %q came back as %q", s, got)
		}
	})
}
