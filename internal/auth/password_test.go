package auth_test

import (
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

// cheap keeps the tests fast; production uses auth.DefaultArgon2.
var cheap = auth.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}

func TestHashRoundTrip(t *testing.T) {
	cases := []struct {
		name   string
		params auth.Argon2Params
		prefix string
	}{
		{"cheap", cheap, "$argon2id$v=19$m=8192,t=1,p=2$"},
		{"one lane", auth.Argon2Params{Memory: 4096, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 16}, "$argon2id$v=19$m=4096,t=2,p=1$"},
		{"long key", auth.Argon2Params{Memory: 8192, Time: 1, Threads: 4, SaltLen: 32, KeyLen: 64}, "$argon2id$v=19$m=8192,t=1,p=4$"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const pw = "正确的Horse-Battery-9"
			h, err := auth.HashPassword(pw, c.params)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(h, c.prefix) {
				t.Fatalf("hash %q does not start with %q", h, c.prefix)
			}
			got, err := auth.ParseHash(h)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.params {
				t.Fatalf("parameters read back as %+v, want %+v", got, c.params)
			}
			for _, try := range []struct {
				pw   string
				want bool
			}{{pw, true}, {pw + " ", false}, {"正确的horse-Battery-9", false}, {"", false}} {
				ok, err := auth.VerifyPassword(h, try.pw)
				if err != nil || ok != try.want {
					t.Errorf("VerifyPassword(%q) = %v, %v; want %v", try.pw, ok, err, try.want)
				}
			}
			again, _ := auth.HashPassword(pw, c.params)
			if again == h {
				t.Error("two hashes of one password are equal: the salt is not random")
			}
			if auth.NeedsRehash(h, c.params) {
				t.Error("NeedsRehash with the same parameters")
			}
			if !auth.NeedsRehash(h, auth.DefaultArgon2) {
				t.Error("no NeedsRehash with other parameters")
			}
		})
	}
}

func TestParseHashRejectsMalformed(t *testing.T) {
	good, err := auth.HashPassword("x", cheap)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	join := func(p ...string) string { return strings.Join(p, "$") }
	cases := map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
		"argon2i":          join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"old version":      join("", "argon2id", "v=16", parts[3], parts[4], parts[5]),
		"missing p":        join("", "argon2id", parts[2], "m=8192,t=1", parts[4], parts[5]),
		"duplicate m":      join("", "argon2id", parts[2], "m=8192,m=8192,t=1,p=2", parts[4], parts[5]),
		"unknown param":    join("", "argon2id", parts[2], "m=8192,t=1,p=2,x=1", parts[4], parts[5]),
		"zero time":        join("", "argon2id", parts[2], "m=8192,t=0,p=2", parts[4], parts[5]),
		"huge memory":      join("", "argon2id", parts[2], "m=4194304,t=1,p=2", parts[4], parts[5]),
		"too many threads": join("", "argon2id", parts[2], "m=8192,t=1,p=256", parts[4], parts[5]),
		"bad salt":         join("", "argon2id", parts[2], parts[3], "!!!", parts[5]),
		"short key":        join("", "argon2id", parts[2], parts[3], parts[4], "AAAA"),
		"extra field":      good + "$x",
	}
	for name, h := range cases {
		if _, err := auth.ParseHash(h); !errors.Is(err, auth.ErrMalformedHash) {
			t.Errorf("%s: ParseHash(%q) = %v, want ErrMalformedHash", name, h, err)
		}
		if ok, err := auth.VerifyPassword(h, "x"); ok || err == nil {
			t.Errorf("%s: VerifyPassword = %v, %v; want false and an error", name, ok, err)
		}
	}
}

// TestProductionParameters hashes once at the real cost, so the defaults
// are known to work and to be what the specification says.
func TestProductionParameters(t *testing.T) {
	if auth.NewService(nil, nil).Argon2 != auth.DefaultArgon2 {
		t.Fatal("NewService does not default to DefaultArgon2")
	}
	want := auth.Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}
	if auth.DefaultArgon2 != want {
		t.Fatalf("DefaultArgon2 = %+v, want %+v", auth.DefaultArgon2, want)
	}
	h, err := auth.HashPassword("Produktion#2025", auth.DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("production hash %q", h)
	}
	if ok, err := auth.VerifyPassword(h, "Produktion#2025"); !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v", ok, err)
	}
}

func TestPasswordPolicy(t *testing.T) {
	cases := []struct {
		name, pw, login string
		want            []string // fragments of the message; nil: accepted
	}{
		{"ok", "Sidi@2025ok", "zhang", nil},
		{"ok three classes without symbol", "Abcdefg123", "zhang", nil},
		{"ok with Chinese as the fourth class", "密码Ab1中文字", "zhang", nil},
		{"empty", "", "zhang", []string{"长度至少 8 位（当前 0 位）", "当前不含任何一类"}},
		{"too short", "Ab1!xyz", "zhang", []string{"长度至少 8 位（当前 7 位）"}},
		{"short counted in characters, not bytes", "密码Ab1中文", "zhang", []string{"当前 7 位"}},
		{"one class", "abcdefghij", "zhang", []string{"当前只有小写字母 1 类", "再加入大写字母或数字或特殊符号中的 2 类"}},
		{"two classes", "abcdefgh12", "zhang", []string{"当前只有小写字母、数字 2 类", "再加入大写字母或特殊符号中的 1 类"}},
		{"contains login", "Zhang.San#2025", "zhang.san", []string{"不能包含登录名“zhang.san”"}},
		{"contains login and too short", "wang1A!", "wang", []string{"长度至少 8 位", "不能包含登录名“wang”"}},
		{"control character", "Abc\n12345", "zhang", []string{"控制字符"}},
		{"too long", strings.Repeat("Ab1!", 33), "zhang", []string{"长度不能超过 128 位"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := auth.CheckPasswordPolicy(c.pw, c.login)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("got %v, want an Invalid error", err)
			}
			msg := apperr.Message(err)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}
