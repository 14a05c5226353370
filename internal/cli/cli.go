// Package cli is what a command of the sidi binary is made of: the command
// value (help text and dispatch from one value), the process's streams,
// flags accepted anywhere, the storage flags and the opener of the
// services. cmd/sidi holds the foundations' commands and dispatches; a
// register's own commands live in its package and reach the binary through
// its module (services.Module.Commands), so a register's command is a
// local change.
package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"sidi/internal/store"
)

// Command is one subcommand; help text and dispatch come from the same value.
type Command struct {
	Name  string // e.g. "plan import"
	Usage string // arguments after the name
	Short string // one line, Chinese then English
	Long  string
	Run   func(ctx context.Context, e *Env, args []string) error
	// Alias, when set, is the command line this one stands for (Run is
	// then nil): `sidi standards import ARGS` runs `sidi import standards
	// ARGS`, so a register keeps an old name of a command the binary
	// now serves for every register.
	Alias string
}

// Env carries the process's streams so commands can be tested in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, receives the server's URL once it listens (tests).
	Ready func(url string)
}

// UsageError is a command line that cannot be honoured: the binary prints
// it with the command's usage and exits with 2.
type UsageError struct{ Msg string }

func (u UsageError) Error() string { return u.Msg }

// Open opens the storage named by cfg and returns S (the services, or one
// register's service) with the function that releases it.
type Open[S any] func(ctx context.Context, cfg store.Config) (S, func() error, error)

// Sub narrows an opener of the whole set to the part a register's commands
// need (its own service).
func Sub[A, B any](open Open[A], part func(A) B) Open[B] {
	return func(ctx context.Context, cfg store.Config) (B, func() error, error) {
		a, closer, err := open(ctx, cfg)
		if err != nil {
			var zero B
			return zero, nil, err
		}
		return part(a), closer, nil
	}
}

// NewFlags is a flag set that reports its errors on e.Stderr.
func NewFlags(name string, e *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	return fs
}

// Storage adds --data and --db to fs; the result falls back to SIDI_DB and
// carries the audit key of SIDI_AUDIT_KEY.
func Storage(fs *flag.FlagSet, e *Env) func() store.Config {
	data := fs.String("data", "sidi-data", "数据目录（内置 SQLite）data directory for embedded SQLite")
	db := fs.String("db", "", "PostgreSQL 地址 postgres://…（默认取 SIDI_DB）")
	return func() store.Config {
		url := *db
		if url == "" && e.Getenv != nil {
			url = e.Getenv("SIDI_DB")
		}
		return store.Config{DataDir: *data, URL: url, AuditKey: AuditKey(e)}
	}
}

// AuditKey is the audit chain's key from SIDI_AUDIT_KEY (hex or base64 as
// store.ParseAuditKey reads it, else the text itself), nil when unset.
func AuditKey(e *Env) []byte {
	if e.Getenv == nil {
		return nil
	}
	v := strings.TrimSpace(e.Getenv("SIDI_AUDIT_KEY"))
	if v == "" {
		return nil
	}
	k, err := store.ParseAuditKey(v)
	if err != nil {
		return []byte(v)
	}
	return k
}

// ReadLimited reads a file of at most max bytes, naming it in the error.
func ReadLimited(path string, max int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("读取 %s 失败: %w", path, err)
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s 超过 %d MB", path, max>>20)
	}
	return os.ReadFile(path)
}

// ReadInput reads the file at path, or standard input when path is "-"
// (at most 64 MB of it).
func ReadInput(e *Env, path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(io.LimitReader(e.Stdin, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("读取标准输入失败 read stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取文件失败 read %s: %w", path, err)
	}
	return b, nil
}

// JSONLines is an encoder of one JSON value a line, without HTML escaping
// (standard codes and titles are printed as written).
func JSONLines(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// PrintJSON writes v as indented JSON, without HTML escaping.
func PrintJSON(w io.Writer, v any) error {
	enc := JSONLines(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ParseArgs parses args into fs accepting flags anywhere: before, between
// and after positional arguments (`sidi standards search 牦牛 --limit 5`).
// A lone "--" ends the flags; everything after it is positional even when
// it starts with a dash. fs.Args() holds the positional arguments after.
func ParseArgs(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		used := len(args) - len(rest)
		if used > 0 && args[used-1] == "--" && !flagValue(fs, args[:used-1]) {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// flagValue reports whether the argument after before is the value of a
// flag written as "--name value" (so a "--" there is a value, not the end
// of the flags).
func flagValue(fs *flag.FlagSet, before []string) bool {
	if len(before) == 0 {
		return false
	}
	last := before[len(before)-1]
	name := ""
	switch {
	case len(last) > 2 && last[:2] == "--":
		name = last[2:]
	case len(last) > 1 && last[0] == '-':
		name = last[1:]
	default:
		return false
	}
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// IntRange refuses a flag value outside [lo, hi] instead of clamping it.
func IntRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return UsageError{Msg: fmt.Sprintf("--%s 须在 %d 到 %d 之间（收到 %d） --%s must be between %d and %d", name, lo, hi, v, name, lo, hi)}
	}
	return nil
}
