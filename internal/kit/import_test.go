package kit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/kit"
)

// plan is an import of (code, n) rows into a slice: the kit's rules
// without a database.
func plan(store *[]string, failAt int) kit.Plan[[2]string] {
	return kit.Plan[[2]string]{
		Kind: "test",
		Spec: kit.TableSpec{Columns: []kit.Column{{Name: "代码", Required: true}, {Name: "数量", Required: true}}},
		Parse: func(r kit.Row) ([2]string, kit.Errors) {
			errs := r.Errs
			if r.Get("数量") == "x" {
				errs.AddCell(r.N, "数量", "数量无效")
			}
			return [2]string{r.Get("代码"), r.Get("数量")}, errs
		},
		Key: func(v [2]string) string { return v[0] },
		Duplicate: func(row int, v [2]string, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: "代码", Msg: fmt.Sprintf("与第 %d 行重复", prev)}
		},
		Check: func(ctx context.Context, batch []kit.Item[[2]string]) (kit.Errors, error) {
			var errs kit.Errors
			for _, it := range batch {
				if it.Val[0] == "locked" {
					errs.AddCell(it.Row, "代码", "已锁定")
				}
			}
			return errs, nil
		},
		Write: func(ctx context.Context, batch []kit.Item[[2]string], rep kit.ImportReport) (kit.BatchResult, error) {
			for _, it := range batch {
				if it.Row == failAt {
					return kit.BatchResult{}, errors.New("disk full")
				}
				*store = append(*store, fmt.Sprintf("%d:%s", it.Row, it.Val[0]))
			}
			return kit.BatchResult{Created: len(batch)}, nil
		},
	}
}

func TestRunImport(t *testing.T) {
	for _, workers := range []int{1, 8} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) { testRunImport(t, workers) })
	}
}

func testRunImport(t *testing.T, workers int) {
	plan := func(store *[]string, failAt int) kit.Plan[[2]string] {
		pl := plan(store, failAt)
		pl.Workers = workers
		return pl
	}
	file := "代码,数量\na,1\nb,x\na,2\nlocked,3\nc,4\n"
	src := kit.BytesSource("t.csv", []byte(file))
	ctx := context.Background()

	// All or nothing: nothing written, every failure named.
	var got []string
	var rejects bytes.Buffer
	rep, err := kit.RunImport(ctx, src, kit.ImportOptions{Rejects: &rejects}, plan(&got, 0))
	var refused *kit.ImportRefused
	if !errors.As(err, &refused) || !errors.Is(err, apperr.ErrInvalid) || len(got) != 0 || rep.Rejected != 3 {
		t.Fatalf("refused: %v, wrote %v, report %+v", err, got, rep)
	}
	for _, want := range []string{"导入文件有 3 行错误，未导入任何记录", "第 3 行 B 列（数量）：数量无效", "第 4 行 A 列（代码）：与第 2 行重复", "第 5 行 A 列（代码）：已锁定"} {
		if !strings.Contains(apperr.Message(err), want) {
			t.Errorf("message %q lacks %q", apperr.Message(err), want)
		}
	}
	if want := "行号,列,原因,原始内容…\n3,数量,数量无效,b,x\n4,代码,与第 2 行重复,a,2\n5,代码,已锁定,locked,3\n"; rejects.String() != want {
		t.Errorf("rejects %q, want %q", rejects.String(), want)
	}

	// --skip-invalid: the good rows, in batches of 1.
	got = nil
	var progress []string
	rep, err = kit.RunImport(ctx, src, kit.ImportOptions{SkipInvalid: true, Batch: 1, Progress: func(d, n int) { progress = append(progress, fmt.Sprint(d, "/", n)) }}, plan(&got, 0))
	if err != nil || strings.Join(got, " ") != "2:a 6:c" || rep.Created != 2 || rep.Batches != 2 || rep.Rows != 5 || rep.Rejected != 3 || strings.Join(progress, " ") != "1/2 2/2" {
		t.Errorf("skip invalid: %v, wrote %v, report %+v, progress %v", err, got, rep, progress)
	}
	if len(rep.SHA256) != 64 {
		t.Errorf("report lacks the file's hash: %+v", rep)
	}

	// A failing batch stops the import and says how many went in before.
	got = nil
	_, err = kit.RunImport(ctx, src, kit.ImportOptions{SkipInvalid: true, Batch: 1}, plan(&got, 6))
	if err == nil || !strings.Contains(err.Error(), "之前的 1 批已写入") || strings.Join(got, " ") != "2:a" {
		t.Errorf("failing batch: %v, wrote %v", err, got)
	}

	// A dry run checks everything (the database check included) and
	// writes nothing, whether or not invalid rows are skipped.
	got = nil
	rep, err = kit.RunImport(ctx, src, kit.ImportOptions{DryRun: true}, plan(&got, 0))
	if !errors.As(err, &refused) || len(got) != 0 || rep.Rejected != 3 {
		t.Errorf("dry run, all or nothing: %v, wrote %v, report %+v", err, got, rep)
	}
	rep, err = kit.RunImport(ctx, src, kit.ImportOptions{DryRun: true, SkipInvalid: true}, plan(&got, 0))
	if err != nil || len(got) != 0 || rep.Rows != 5 || rep.Rejected != 3 || rep.Batches != 0 || rep.Created != 0 {
		t.Errorf("dry run, skip invalid: %v, wrote %v, report %+v", err, got, rep)
	}

	// A file without data rows.
	if _, err := kit.RunImport(ctx, kit.BytesSource("e.csv", []byte("代码,数量\n")), kit.ImportOptions{}, plan(&got, 0)); !strings.Contains(apperr.Message(err), "没有数据行") {
		t.Errorf("empty file: %v", err)
	}
}

// TestRunImportWorkers imports a file of 20,000 rows, one in seven
// invalid and some keys repeated, with one parsing goroutine and with
// several: the rows written, their order, the report and the rejects file
// are the same.
func TestRunImportWorkers(t *testing.T) {
	src := workersFile(true)
	run := func(workers int) ([]string, kit.ImportReport, string) {
		var got []string
		var rejects bytes.Buffer
		pl := plan(&got, 0)
		pl.Workers = workers
		rep, err := kit.RunImport(context.Background(), src, kit.ImportOptions{SkipInvalid: true, Batch: 300, Rejects: &rejects}, pl)
		if err != nil {
			t.Fatalf("workers %d: %v", workers, err)
		}
		return got, rep, rejects.String()
	}
	got1, rep1, rej1 := run(1)
	gotN, repN, rejN := run(8)
	if rep1.Rejected < 2800 || rep1.Created != len(got1) || rep1.Rows != 20000 {
		t.Fatalf("one worker: %+v", rep1)
	}
	if strings.Join(got1, " ") != strings.Join(gotN, " ") || rej1 != rejN || fmt.Sprint(rep1) != fmt.Sprint(repN) {
		t.Errorf("several workers differ: %d rows written against %d, report %+v against %+v", len(gotN), len(got1), repN, rep1)
	}
}

// workersFile is a file of 20,000 rows, one in seven invalid, some keys
// repeated and, when locked, some refused by the plan's check.
func workersFile(locked bool) kit.Source {
	var b strings.Builder
	b.WriteString("代码,数量\n")
	for i := range 20000 {
		switch {
		case i%7 == 3:
			fmt.Fprintf(&b, "k%d,x\n", i)
		case i%1000 == 999:
			fmt.Fprintf(&b, "k%d,%d\n", i-500, i)
		case locked && i%997 == 5:
			fmt.Fprintf(&b, "locked,%d\n", i)
		default:
			fmt.Fprintf(&b, "k%d,%d\n", i, i)
		}
	}
	return kit.BytesSource("w.csv", []byte(b.String()))
}

// TestRunImportDuplicatesAcrossWindows: repeated keys are checked a window
// of rows at a time, in a key set that leaves the heap past its limit;
// the report still names every repeat with the row it repeats, the error
// list keeps the first failures in file order (the first 1,000) and the
// rejects file lists the rows in file order — what checking each row on
// its own gives (want, below) — for the two passes and the first load,
// with one parsing goroutine and several.
func TestRunImportDuplicatesAcrossWindows(t *testing.T) {
	const rows = 80000 // data rows: file rows 2 … 80001
	key := func(n int) string { return fmt.Sprintf("k%d", n) }
	cell := map[int]string{ // file row: code,n
		40001: key(2) + ",1", // repeats row 2, the last row of the 8th batch of 5,000
		40002: key(2) + ",x", // invalid: not checked for repeats
		40003: key(40000) + ",1",
		5002:  key(5001) + ",1",  // repeats the row before, across a batch boundary
		75001: key(70000) + ",1", // in the key set's file
		75002: key(3) + ",1",
		75003: key(75003) + ",x",
		79999: key(79998) + ",1",
	}
	for n := 60002; n < 61300; n++ { // 1,298 invalid rows: the list fills up
		cell[n] = key(n) + ",x"
	}
	cell[60001] = key(59000) + ",1" // a repeat just before
	cell[60996] = key(4) + ",1"     // and one among them: its error is the 1,000th
	var b strings.Builder
	b.WriteString("代码,数量\n")
	for n := 2; n < rows+2; n++ {
		c, ok := cell[n]
		if !ok {
			c = key(n) + ",1"
		}
		b.WriteString(c + "\n")
	}
	src := kit.BytesSource("d.csv", []byte(b.String()))

	// want: each row on its own, in file order.
	var want kit.Errors
	var wantRejects strings.Builder
	wantRejects.WriteString("行号,列,原因,原始内容…\n")
	var wantStored []string
	first := map[string]int{}
	rejected := 0
	for n := 2; n < rows+2; n++ {
		c, ok := cell[n]
		if !ok {
			c = key(n) + ",1"
		}
		code, num, _ := strings.Cut(c, ",")
		var e kit.FieldError
		switch prev, dup := first[code]; {
		case num == "x":
			e = kit.FieldError{Row: n, Col: "B", Column: "数量", Msg: "数量无效"}
		case dup:
			e = kit.FieldError{Row: n, Col: "A", Column: "代码", Msg: fmt.Sprintf("与第 %d 行重复", prev)}
		default:
			first[code] = n
			wantStored = append(wantStored, fmt.Sprintf("%d:%s", n, code))
			continue
		}
		rejected++
		if len(want) < kit.MaxReportErrors {
			want = append(want, e)
		}
		fmt.Fprintf(&wantRejects, "%d,%s,%s,%s\n", n, e.ColumnLabel(), e.Msg, c)
	}
	if want[len(want)-1].Row != 60996 {
		t.Fatalf("the test's file: the 1,000th failure is row %d", want[len(want)-1].Row)
	}

	for _, first := range []bool{false, true} {
		for _, workers := range []int{1, 8} {
			for _, skip := range []bool{false, true} {
				t.Run(fmt.Sprintf("first load %v, workers %d, skip invalid %v", first, workers, skip), func(t *testing.T) {
					var got []string
					var staged int
					pl := plan(&got, 0)
					if first {
						pl = loadPlan(&got, &staged, 0)
					}
					pl.Check, pl.Workers = nil, workers
					var rejects bytes.Buffer
					// The key set's map holds 30,000 keys, then its file.
					rep, err := kit.RunImportKeyLimit(context.Background(), src, kit.ImportOptions{SkipInvalid: skip, Rejects: &rejects}, pl, 30000)
					if skip && err != nil || !skip && err == nil {
						t.Fatalf("import: %v", err)
					}
					if rep.Rows != rows || rep.Rejected != rejected {
						t.Errorf("report: %d rows, %d rejected; want %d, %d", rep.Rows, rep.Rejected, rows, rejected)
					}
					if fmt.Sprint(rep.Errors) != fmt.Sprint(want) {
						for i := range min(len(want), len(rep.Errors)) {
							if rep.Errors[i] != want[i] {
								t.Fatalf("%d failures; the %dth is %v, want %v", len(rep.Errors), i+1, rep.Errors[i], want[i])
							}
						}
						t.Fatalf("%d failures, want %d", len(rep.Errors), len(want))
					}
					if rejects.String() != wantRejects.String() {
						t.Errorf("rejects file differs (%d bytes, want %d)", rejects.Len(), wantRejects.Len())
					}
					switch {
					case skip && strings.Join(got, " ") != strings.Join(wantStored, " "):
						t.Errorf("stored %d rows, want %d", len(got), len(wantStored))
					case !skip && len(got) != 0:
						t.Errorf("refused file stored %d rows", len(got))
					}
				})
			}
		}
	}
}

// TestRejectsNameHeaderlessColumn: a cell under no header is named in the
// rejects file by its letter, the 列 cell not left empty.
func TestRejectsNameHeaderlessColumn(t *testing.T) {
	var got []string
	var rejects bytes.Buffer
	src := kit.BytesSource("t.csv", []byte("代码,数量\na,1\nb,2,错列\n"))
	if _, err := kit.RunImport(context.Background(), src, kit.ImportOptions{SkipInvalid: true, Rejects: &rejects}, plan(&got, 0)); err != nil {
		t.Fatal(err)
	}
	if want := "行号,列,原因,原始内容…\n3,C 列,有内容，但表头中该列没有列名：请检查是否错列，或为该列补上列名,b,2,错列\n"; rejects.String() != want {
		t.Errorf("rejects %q, want %q", rejects.String(), want)
	}
}

// TestCheckFailuresInFileOrder: a row the database check refuses is
// reported in file order among the rows that failed on their own, not
// after the later ones.
func TestCheckFailuresInFileOrder(t *testing.T) {
	var got []string
	src := kit.BytesSource("t.csv", []byte("代码,数量\nlocked,1\nb,x\nc,2\n"))
	rep, err := kit.RunImport(context.Background(), src, kit.ImportOptions{SkipInvalid: true}, plan(&got, 0))
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for _, e := range rep.Errors {
		rows = append(rows, e.Row)
	}
	if fmt.Sprint(rows) != "[2 3]" || strings.Join(got, " ") != "4:c" {
		t.Errorf("failures at rows %v (want [2 3]), wrote %v", rows, got)
	}
}
