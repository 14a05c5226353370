// Command insertmodes loads an entity-library CSV (统一社会信用代码, 名称,
// 行政区划代码, 类型, 风险等级) into the entity library's table shape
// (explicit INTEGER PRIMARY KEY, unique credit code, name index built after
// the load) in one transaction through the driver Sidi uses, once per way
// of writing the rows, and prints each one's wall and CPU time:
//
//	go run ./scripts/bench/insertmodes FILE.csv
package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

type mode struct {
	name, verb string
	per        int    // rows per statement
	unique     string // "during" or "after"
	noID       bool   // the rowid left to SQLite (the next after the largest)
}

func main() {
	if len(os.Args) != 2 && len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: insertmodes FILE.csv [MODE CPUPROFILE]")
		os.Exit(2)
	}
	modes := []mode{
		{"INSERT, 100 rows a statement, unique code during", "INSERT", 100, "during", false},
		{"INSERT OR FAIL, 100 rows a statement, unique code during", "INSERT OR FAIL", 100, "during", false},
		{"INSERT, 1 row a statement, unique code during", "INSERT", 1, "during", false},
		{"INSERT OR FAIL, 500 rows a statement, unique code during", "INSERT OR FAIL", 500, "during", false},
		{"INSERT OR FAIL, 100 rows a statement, unique index after", "INSERT OR FAIL", 100, "after", false},
		{"INSERT OR FAIL, 100 rows a statement, unique code during, no id", "INSERT OR FAIL", 100, "during", true},
		{"INSERT OR FAIL, 100 rows a statement, unique index after, no id", "INSERT OR FAIL", 100, "after", true},
	}
	if len(os.Args) == 4 { // one mode (its number from 1) under a CPU profile
		i, err := strconv.Atoi(os.Args[2])
		if err != nil || i < 1 || i > len(modes) {
			fmt.Fprintln(os.Stderr, "MODE: 1 to", len(modes))
			os.Exit(2)
		}
		f, err := os.Create(os.Args[3])
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err == nil {
			err = run(os.Args[1], modes[i-1])
			pprof.StopCPUProfile()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	for _, m := range modes {
		if err := run(os.Args[1], m); err != nil {
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

func run(file string, m mode) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "insertmodes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "t.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-262144)&_pragma=temp_store(MEMORY)&_pragma=foreign_keys(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	unique := " UNIQUE"
	if m.unique == "after" {
		unique = ""
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE e(id INTEGER PRIMARY KEY, credit_code TEXT NOT NULL`+unique+`, name TEXT NOT NULL, region TEXT NOT NULL, type TEXT NOT NULL, risk TEXT NOT NULL, updated_at TEXT NOT NULL, risk_computed TEXT NOT NULL DEFAULT '')`); err != nil {
		return err
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
	stmt := func(n int) (*sql.Stmt, error) {
		if m.noID {
			return tx.PrepareContext(ctx, m.verb+` INTO e(credit_code, name, region, type, risk, updated_at) VALUES `+strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?),", n), ","))
		}
		return tx.PrepareContext(ctx, m.verb+` INTO e(id, credit_code, name, region, type, risk, updated_at) VALUES `+strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?),", n), ","))
	}
	st, err := stmt(m.per)
	if err != nil {
		return err
	}
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return err
	}
	width := 7
	if m.noID {
		width = 6
	}
	args := make([]any, 0, width*m.per)
	n := 0
	now := time.Now().UTC().Format(time.RFC3339)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
		if !m.noID {
			args = append(args, n)
		}
		for _, c := range rec[:5] {
			args = append(args, c)
		}
		args = append(args, now)
		if len(args) == width*m.per {
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	if len(args) > 0 {
		last, err := stmt(len(args) / width)
		if err != nil {
			return err
		}
		if _, err := last.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	after := []string{`CREATE INDEX e_name ON e(name)`}
	if m.unique == "after" {
		after = append(after, `CREATE UNIQUE INDEX e_code ON e(credit_code)`)
	}
	for _, q := range after {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	d, c := time.Since(start), cpu()-c0
	fmt.Printf("%-60s %8d rows: %6.2f s wall, %6.2f s CPU, %7.0f rows/s\n", m.name, n, d.Seconds(), c.Seconds(), float64(n)/d.Seconds())
	return nil
}
