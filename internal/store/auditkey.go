package store

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AuditKeySize is the length of the key that signs the audit and login
// chains. The key never enters the database, so whoever administers the
// database alone cannot write a record that verifies.
const AuditKeySize = 32

// AuditKeyFile is the key's file name inside the data directory.
const AuditKeyFile = "audit.key"

// ParseAuditKey reads a key given as 64 hex digits or as standard base64
// (e.g. from SIDI_AUDIT_KEY).
func ParseAuditKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == AuditKeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == AuditKeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("store: audit key must be %d bytes as hex or base64 (审计密钥须为 %d 字节，十六进制或 base64 编码)", AuditKeySize, AuditKeySize)
}

// LoadAuditKey reads dir/audit.key, creating it with a fresh random key and
// mode 0600 when it does not exist. A key file readable by others is
// refused: the key is what makes a forged audit record detectable.
func LoadAuditKey(dir string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	path := filepath.Join(dir, AuditKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createAuditKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read audit key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: audit key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("store: audit key %s is readable by others (mode %v); run chmod 600 %s (审计密钥文件权限过宽，须为 0600)", path, fi.Mode().Perm(), path)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := ParseAuditKey(line)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", path, err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("store: %s holds no key (审计密钥文件为空)", path)
}

func createAuditKey(path string) ([]byte, error) {
	k := make([]byte, AuditKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("store: generate audit key: %w", err)
	}
	text := "# Sidi 审计密钥 audit key: signs the audit and login chains. Keep it secret and back it up apart from the database:\n" +
		"# without it the chains cannot be verified; with it anyone can forge records. 勿泄露，勿与数据库放在同一备份中。\n" +
		hex.EncodeToString(k) + "\n"
	// Written whole under a temporary name, then linked into place, so a
	// process starting at the same moment never reads a half-written key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-key-*")
	if err != nil {
		return nil, fmt.Errorf("store: create audit key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("store: create audit key: %w", err)
	}
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("store: write audit key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("store: write audit key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("store: write audit key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return LoadAuditKey(filepath.Dir(path)) // another process was first: use its key
	} else if err != nil {
		return nil, fmt.Errorf("store: install audit key: %w", err)
	}
	return k, nil
}
