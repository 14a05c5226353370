package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"sidi/internal/apperr"
)

// Argon2Params are the cost parameters of argon2id password hashing. The
// parameters are written into every hash, so hashes made with older
// parameters keep verifying after the defaults change.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultArgon2 is the production cost: 64 MiB, 3 passes, 2 lanes.
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// Limits on parameters read back from a stored hash, so a corrupt row
// cannot make verification allocate gigabytes or spin for minutes.
const (
	maxArgonMemory = 1 << 21 // 2 GiB in KiB
	maxArgonTime   = 64
	minSaltLen     = 8
	maxSaltLen     = 64
	minKeyLen      = 16
	maxKeyLen      = 128
)

// Password length limits, counted in characters (runes), not bytes.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

var b64 = base64.RawStdEncoding

// ErrMalformedHash reports a stored password hash that cannot be parsed.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// HashPassword hashes pw with argon2id under prm and returns the PHC string
// form: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash> (unpadded base64).
func HashPassword(pw string, prm Argon2Params) (string, error) {
	if prm.Memory == 0 || prm.Time == 0 || prm.Threads == 0 {
		return "", errors.New("auth: argon2 parameters must be positive")
	}
	if prm.SaltLen == 0 {
		prm.SaltLen = DefaultArgon2.SaltLen
	}
	if prm.KeyLen == 0 {
		prm.KeyLen = DefaultArgon2.KeyLen
	}
	salt := make([]byte, prm.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, prm.Time, prm.Memory, prm.Threads, prm.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, prm.Memory, prm.Time, prm.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// parsedHash is a decoded PHC string.
type parsedHash struct {
	params Argon2Params
	salt   []byte
	key    []byte
}

// ParseHash reads the parameters back from an encoded argon2id hash.
func ParseHash(encoded string) (Argon2Params, error) {
	h, err := parseHash(encoded)
	return h.params, err
}

func parseHash(encoded string) (parsedHash, error) {
	var h parsedHash
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, fmt.Errorf("%w: not an argon2id PHC string", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return h, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return h, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
		}
		switch k {
		case "m":
			h.params.Memory = uint32(n)
		case "t":
			h.params.Time = uint32(n)
		case "p":
			if n > 255 {
				return h, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
			}
			h.params.Threads = uint8(n)
		default:
			return h, fmt.Errorf("%w: unknown parameter %q", ErrMalformedHash, k)
		}
	}
	if !seen["m"] || !seen["t"] || !seen["p"] {
		return h, fmt.Errorf("%w: parameters m, t and p are required", ErrMalformedHash)
	}
	p := h.params
	if p.Time == 0 || p.Time > maxArgonTime || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgonMemory {
		return h, fmt.Errorf("%w: parameters out of range (m=%d,t=%d,p=%d)", ErrMalformedHash, p.Memory, p.Time, p.Threads)
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < minSaltLen || len(h.salt) > maxSaltLen {
		return h, fmt.Errorf("%w: salt", ErrMalformedHash)
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
		return h, fmt.Errorf("%w: hash", ErrMalformedHash)
	}
	h.params.SaltLen, h.params.KeyLen = uint32(len(h.salt)), uint32(len(h.key))
	return h, nil
}

// VerifyPassword reports whether pw matches encoded, using the parameters
// recorded in encoded and a constant-time comparison.
func VerifyPassword(encoded, pw string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	return h.verify(pw), nil
}

// verify runs argon2id over pw with h's parameters and compares.
func (h parsedHash) verify(pw string) bool {
	key := argon2.IDKey([]byte(pw), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1
}

// NeedsRehash reports whether encoded was made with parameters other than prm.
func NeedsRehash(encoded string, prm Argon2Params) bool {
	got, err := ParseHash(encoded)
	if err != nil {
		return true
	}
	want := prm
	if want.SaltLen == 0 {
		want.SaltLen = DefaultArgon2.SaltLen
	}
	if want.KeyLen == 0 {
		want.KeyLen = DefaultArgon2.KeyLen
	}
	return got != want
}

// CheckPasswordPolicy enforces the level-3 password rules: at least
// MinPasswordLen characters, at least three of the four classes (upper case,
// lower case, digits, symbols), and not containing the login name. The
// error, an apperr Invalid, lists in Chinese everything that must change.
func CheckPasswordPolicy(pw, login string) error {
	var problems []string
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		problems = append(problems, fmt.Sprintf("长度至少 %d 位（当前 %d 位）", MinPasswordLen, n))
	case n > MaxPasswordLen:
		problems = append(problems, fmt.Sprintf("长度不能超过 %d 位（当前 %d 位）", MaxPasswordLen, n))
	}
	var upper, lower, digit, symbol, control bool
	for _, r := range pw {
		switch {
		case unicode.IsControl(r):
			control = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true // punctuation, spaces, and letters without case such as 汉字
		}
	}
	if control {
		problems = append(problems, "不能包含控制字符（如换行、制表符）")
	}
	classes := []struct {
		has  bool
		name string
	}{{upper, "大写字母"}, {lower, "小写字母"}, {digit, "数字"}, {symbol, "特殊符号"}}
	var have, missing []string
	for _, c := range classes {
		if c.has {
			have = append(have, c.name)
		} else {
			missing = append(missing, c.name)
		}
	}
	if len(have) < 3 {
		current := "当前不含任何一类"
		if len(have) > 0 {
			current = fmt.Sprintf("当前只有%s %d 类", strings.Join(have, "、"), len(have))
		}
		problems = append(problems, fmt.Sprintf("须包含大写字母、小写字母、数字、特殊符号中的至少三类（%s），请再加入%s中的 %d 类",
			current, strings.Join(missing, "或"), 3-len(have)))
	}
	if l := strings.TrimSpace(login); l != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(l)) {
		problems = append(problems, fmt.Sprintf("不能包含登录名“%s”", l))
	}
	if len(problems) == 0 {
		return nil
	}
	return apperr.Invalid("密码不符合安全要求：%s。", strings.Join(problems, "；"))
}
