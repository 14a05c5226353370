// Command ftsfloor measures the floor under the search part of a Sidi
// import on SQLite: it loads the rows scripts/bench/searchrows wrote
// (what Sidi's search index holds of each document) into a new database
// with Sidi's schema for them (search_docs and the FTS5 tables of
// migrations 0005 and 0033) the way a first load writes them — one
// transaction, batches of 5,000 in rowid order, one multi-row statement a
// batch and a table prepared once, merges deferred and one 'optimize' at
// the end — and nothing else: no parsing, validation, records or audit.
//
// It is a module of its own so that it can compare the pure-Go driver Sidi
// uses (modernc.org/sqlite, -driver modernc) with the C library through cgo
// (github.com/mattn/go-sqlite3, -driver cgo) on the same statements:
//
//	cd scripts/bench/ftsfloor && CGO_ENABLED=1 go build -tags sqlite_fts5 -o /tmp/ftsfloor .
//	/tmp/ftsfloor -driver modernc -layout sidi /tmp/search.tsv
//
// Layouts: sidi (search_docs, search_fts, search_title, search_kw),
// fts (search_docs and search_fts only), body (search_docs and an FTS
// table of the body alone), column (as sidi with detail=column: no
// positions, so no phrase queries), docs (search_docs alone).
package main

import (
	"bufio"
	"cmp"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/mattn/go-sqlite3"
	_ "modernc.org/sqlite"
)

type doc struct {
	id        int64
	kind      string
	ref, rank int64
	facets    string
	cols      [3]string
}

type table struct {
	name, cols string
	vals       func(d doc) []any
}

func main() {
	driver := flag.String("driver", "modernc", "modernc (pure Go, Sidi's) or cgo (mattn/go-sqlite3)")
	layout := flag.String("layout", "sidi", "sidi | fts | body | column | docs")
	path := flag.String("db", "/tmp/ftsfloor.db", "the database file (replaced)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: ftsfloor [-driver modernc|cgo] [-layout sidi|fts|body|column|docs] FILE.tsv")
		os.Exit(2)
	}
	if err := run(*driver, *layout, *path, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "ftsfloor:", err)
		os.Exit(1)
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func read(file string) ([]doc, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var docs []doc
	for line := 1; sc.Scan(); line++ {
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 8 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 8", file, line, len(p))
		}
		var n [3]int64
		for i, s := range []string{p[0], p[2], p[3]} {
			if n[i], err = strconv.ParseInt(s, 10, 64); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", file, line, err)
			}
		}
		docs = append(docs, doc{id: n[0], kind: p[1], ref: n[1], rank: n[2], facets: p[4], cols: [3]string{p[5], p[6], p[7]}})
	}
	return docs, sc.Err()
}

func run(driver, layout, path, file string) error {
	docs, err := read(file)
	if err != nil {
		return err
	}
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
	name, dsn := "sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"
	switch driver {
	case "modernc":
	case "cgo":
		name, dsn = "sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=NORMAL"
	default:
		return fmt.Errorf("-driver %q: modernc or cgo", driver)
	}
	db, err := sql.Open(name, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tok := `tokenize='unicode61 remove_diacritics 0'`
	all := table{"search_fts", "title, keywords, body", func(d doc) []any { return []any{d.id, d.cols[0], d.cols[1], d.cols[2]} }}
	var tabs []table
	switch layout {
	case "sidi", "column":
		tabs = []table{all,
			{"search_title", "title", func(d doc) []any { return []any{d.id, d.cols[0]} }},
			{"search_kw", "keywords", func(d doc) []any { return []any{d.id, d.cols[1]} }}}
		if layout == "column" {
			tok += ", detail=column"
		}
	case "fts":
		tabs = []table{all}
	case "body":
		tabs = []table{{"search_fts", "body", func(d doc) []any { return []any{d.id, d.cols[2]} }}}
	case "docs":
	default:
		return fmt.Errorf("-layout %q: sidi, fts, body, column or docs", layout)
	}
	// Sidi's bulk cache (store.BulkCacheKiB) for the load.
	ddl := []string{`PRAGMA cache_size = -262144`,
		`CREATE TABLE search_docs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref_id INTEGER NOT NULL, rank INTEGER NOT NULL DEFAULT 0, facets TEXT NOT NULL DEFAULT '', UNIQUE (kind, ref_id))`}
	for _, t := range tabs {
		ddl = append(ddl, `CREATE VIRTUAL TABLE `+t.name+` USING fts5(`+t.cols+`, content='', contentless_delete=1, `+tok+`)`,
			`INSERT INTO `+t.name+`(`+t.name+`, rank) VALUES ('hashsize', 16777216)`,
			`INSERT INTO `+t.name+`(`+t.name+`, rank) VALUES ('automerge', 0)`,
			`INSERT INTO `+t.name+`(`+t.name+`, rank) VALUES ('crisismerge', 1000)`)
	}
	for _, q := range ddl {
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	c0, w0 := cpu(), time.Now()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := map[string]*sql.Stmt{}
	insert := func(head string, ncols int, b []doc, row func(d doc) []any) error {
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncols), ", ") + ")"
		q := head + strings.TrimSuffix(strings.Repeat(one+", ", len(b)), ", ")
		st := stmts[q]
		if st == nil {
			if st, err = tx.Prepare(q); err != nil {
				return err
			}
			stmts[q] = st
		}
		args := make([]any, 0, ncols*len(b))
		for _, d := range b {
			args = append(args, row(d)...)
		}
		_, err := st.Exec(args...)
		return err
	}
	const batch = 5000
	for s := 0; s < len(docs); s += batch {
		b := slices.Clone(docs[s:min(s+batch, len(docs))])
		slices.SortFunc(b, func(x, y doc) int { return cmp.Compare(x.id, y.id) })
		if err := insert(`INSERT INTO search_docs(id, kind, ref_id, rank, facets) VALUES `, 5, b, func(d doc) []any { return []any{d.id, d.kind, d.ref, d.rank, d.facets} }); err != nil {
			return err
		}
		for _, t := range tabs {
			if err := insert(`INSERT INTO `+t.name+`(rowid, `+t.cols+`) VALUES `, strings.Count(t.cols, ",")+2, b, t.vals); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
	}
	for _, t := range tabs {
		if _, err := tx.Exec(`INSERT INTO ` + t.name + `(` + t.name + `) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("%s optimize: %w", t.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	wall, used := time.Since(w0), cpu()-c0
	var pages int
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		return err
	}
	fmt.Printf("%s %s: %d documents, %.2f s, CPU %.2f s, %d pages\n", driver, layout, len(docs), wall.Seconds(), used.Seconds(), pages)
	return nil
}
