// Command sqlitefloor measures how fast the embedded engine Sidi uses
// (modernc.org/sqlite, pure Go) can load a CSV of N rows into a table of
// the entity library's shape, with and without its indexes, in one
// transaction with prepared multi-row inserts and no validation at all:
// the floor under any import of that table, to set beside the sqlite3
// shell's .import of the same file. Usage:
//
//	go run ./scripts/bench/sqlitefloor FILE.csv
package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sqlitefloor FILE.csv")
		os.Exit(2)
	}
	for _, m := range []struct{ name, ddl, after string }{
		{"plain table", `CREATE TABLE e(credit_code TEXT, name TEXT, region TEXT, type TEXT, risk TEXT)`, ""},
		{"unique code + name index during the load", `CREATE TABLE e(credit_code TEXT NOT NULL UNIQUE, name TEXT, region TEXT, type TEXT, risk TEXT); CREATE INDEX e_name ON e(name)`, ""},
		{"unique code during, name index after", `CREATE TABLE e(credit_code TEXT NOT NULL UNIQUE, name TEXT, region TEXT, type TEXT, risk TEXT)`, `CREATE INDEX e_name ON e(name)`},
		{"both indexes after the load", `CREATE TABLE e(credit_code TEXT NOT NULL, name TEXT, region TEXT, type TEXT, risk TEXT)`, `CREATE UNIQUE INDEX e_code ON e(credit_code); CREATE INDEX e_name ON e(name)`},
	} {
		if err := run(os.Args[1], m.name, m.ddl, m.after); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(file, name, ddl, after string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlitefloor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "t.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-262144)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range strings.Split(ddl, ";") {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	start, c0 := time.Now(), cpu()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	const per = 100
	st, err := tx.PrepareContext(ctx, `INSERT INTO e VALUES `+strings.TrimSuffix(strings.Repeat("(?,?,?,?,?),", per), ","))
	if err != nil {
		return err
	}
	one, err := tx.PrepareContext(ctx, `INSERT INTO e VALUES (?,?,?,?,?)`)
	if err != nil {
		return err
	}
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return err
	}
	args := make([]any, 0, 5*per)
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for _, c := range rec[:5] {
			args = append(args, c)
		}
		n++
		if len(args) == 5*per {
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	for i := 0; i < len(args); i += 5 {
		if _, err := one.ExecContext(ctx, args[i:i+5]...); err != nil {
			return err
		}
	}
	for _, q := range strings.Split(after, ";") {
		if strings.TrimSpace(q) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	d, c := time.Since(start), cpu()-c0
	fmt.Printf("%-42s %d rows: %6.2f s wall, %6.2f s CPU, %7.0f rows/s\n", name, n, d.Seconds(), c.Seconds(), float64(n)/d.Seconds())
	return nil
}
