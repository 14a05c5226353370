// Command searchrows writes, for every public standard of a Sidi data
// directory, the row SQLite's search index holds of it: rowid, kind, record
// id, rank, facets and the token text of the title, keywords and body, one
// tab-separated line each — exactly what an import or a reindex writes.
// scripts/bench/ftsfloor loads the file with nothing else around it, to
// measure the floor of the index's cost. Usage:
//
//	sidi bench-import --rows 100000 --data /tmp/d
//	go run ./scripts/bench/searchrows -data /tmp/d > /tmp/search.tsv
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"

	"sidi/internal/search"
	"sidi/internal/standards"
	"sidi/internal/store"
)

func main() {
	data := flag.String("data", "", "the Sidi data directory (SQLite)")
	flag.Parse()
	if *data == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: searchrows -data DIR > FILE.tsv")
		os.Exit(2)
	}
	if err := run(context.Background(), *data); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		return err
	}
	defer db.Close()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	n := 0
	err = standards.NewService(db).EachSearchDoc(ctx, func(d search.Doc) error {
		id, cols, err := search.SQLiteRow(d)
		if err != nil {
			return err
		}
		fields := []string{strconv.FormatInt(id, 10), d.Kind.Name, strconv.FormatInt(d.RefID, 10), strconv.FormatInt(d.Rank, 10), strings.Join(d.Facets, " "), cols[0], cols[1], cols[2]}
		for _, f := range fields {
			if strings.ContainsAny(f, "\t\n") {
				return fmt.Errorf("record %d: a tab or newline in a field", d.RefID)
			}
		}
		n++
		_, err = w.WriteString(strings.Join(fields, "\t") + "\n")
		return err
	})
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d documents\n", n)
	return nil
}
