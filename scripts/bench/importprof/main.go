// Command importprof imports a generated file of the entity library or of
// sampling batches into a fresh SQLite store (or an empty PostgreSQL
// database) under a CPU profile, for `go tool pprof`:
//
//	go run ./scripts/bench/importprof -kind entities -rows 1000000 -cpuprofile /tmp/ent.prof
//	go run ./scripts/bench/importprof -kind sampling_batches -rows 1000000 -again
//
// -again imports the same file a second time (every row unchanged), under
// the profile too when -profile-again is set.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/quality/sampling"
	"sidi/internal/store"
)

func main() {
	kind := flag.String("kind", "entities", "entities | sampling_batches")
	rows := flag.Int("rows", 100_000, "rows to generate")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the first import here")
	again := flag.Bool("again", false, "import the same file a second time")
	profAgain := flag.Bool("profile-again", false, "profile the second import instead of the first")
	dbURL := flag.String("db", "", "an empty PostgreSQL database (postgres://…); default a new SQLite store")
	twoPass := flag.Bool("two-pass", false, "import in two passes (kit.ImportOptions.TwoPass)")
	keep := flag.String("csv", "", "also keep the generated file here")
	flag.Parse()
	if err := run(context.Background(), *kind, *rows, *prof, *again, *profAgain, *dbURL, *twoPass, *keep); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, kind string, rows int, prof string, again, profAgain bool, dbURL string, twoPass bool, keep string) error {
	tmp, err := os.MkdirTemp("", "importprof-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, kind+".csv")
	var gen func(io.Writer) error
	var imp func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
	db, err := store.Open(ctx, store.Config{DataDir: filepath.Join(tmp, "data"), URL: dbURL})
	if err != nil {
		return err
	}
	defer db.Close()
	switch kind {
	case "entities":
		gen = func(w io.Writer) error { return inspect.WriteEntities(w, rows, false) }
		imp = inspect.NewService(db).ImportEntities
	case "sampling_batches":
		today := time.Now().Format(time.DateOnly)
		gen = func(w io.Writer) error {
			return (&sampling.Gen{Seed: 1, Today: today, FromYear: 2021, Prefix: "B"}).WriteCSV(w, rows)
		}
		if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
			return err
		}
		imp = sampling.NewService(db, enterprise.NewService(db)).Import
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := gen(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if keep != "" {
		if err := os.Link(file, keep); err != nil {
			return err
		}
	}
	p := auth.CLI("importprof")
	for round := range 2 {
		if round == 1 && !again {
			break
		}
		var stop func()
		if prof != "" && (round == 1) == profAgain {
			pf, err := os.Create(prof)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(pf); err != nil {
				return err
			}
			stop = func() { pprof.StopCPUProfile(); pf.Close() }
		}
		t0 := time.Now()
		rep, err := imp(ctx, p, kit.FileSource(file), kit.ImportOptions{TwoPass: twoPass})
		if stop != nil {
			stop()
		}
		if err != nil {
			return err
		}
		fmt.Printf("%s round %d: %.2f s; created %d, updated %d, unchanged %d, %d batches\n", kind, round+1, time.Since(t0).Seconds(), rep.Created, rep.Updated, rep.Unchanged, rep.Batches)
	}
	return nil
}
