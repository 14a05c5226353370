package kit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/kit"
)

// loadPlan is plan with a one-pass first load into a fake transaction:
// the batches written go to staged, and reach the store only when load
// returns nil.
func loadPlan(store *[]string, staged *int, failAt int) kit.Plan[[2]string] {
	pl := plan(store, failAt)
	write := pl.Write
	pl.Write = nil // a first load never writes outside its transaction
	pl.Load = func(ctx context.Context, load func(kit.WriteFunc[[2]string]) error) error {
		var tx []string
		err := load(func(ctx context.Context, batch []kit.Item[[2]string], rep kit.ImportReport) (kit.BatchResult, error) {
			if rep.SHA256 == "" {
				return kit.BatchResult{}, errors.New("batch written without the file's hash")
			}
			res, err := write(ctx, batch, rep)
			tx = append(tx, (*store)[len(*store)-res.Created:]...)
			*store = (*store)[:len(*store)-res.Created]
			return res, err
		})
		*staged += len(tx)
		if err != nil {
			return err // rolled back
		}
		*store = append(*store, tx...)
		return nil
	}
	return pl
}

func TestRunImportFirstLoad(t *testing.T) {
	file := "代码,数量\na,1\nb,x\na,2\nlocked,3\nc,4\n"
	src := kit.BytesSource("t.csv", []byte(file))
	ctx := context.Background()
	tests := []struct {
		name   string
		opt    kit.ImportOptions
		failAt int
		want   string // rows stored
		refuse bool
		errHas string
		staged bool // batches were written before the transaction ended
	}{
		{name: "invalid row mid-file: nothing stored", opt: kit.ImportOptions{Batch: 1}, refuse: true, staged: true},
		{name: "skip invalid", opt: kit.ImportOptions{SkipInvalid: true, Batch: 1}, want: "2:a 6:c", staged: true},
		{name: "failing batch rolls back the earlier ones", opt: kit.ImportOptions{SkipInvalid: true, Batch: 1}, failAt: 6, errHas: "未导入任何记录", staged: true},
		{name: "dry run ignores the load", opt: kit.ImportOptions{DryRun: true, SkipInvalid: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var staged int
			var rejects, rejects2 bytes.Buffer
			tt.opt.Rejects = &rejects
			rep, err := kit.RunImport(ctx, src, tt.opt, loadPlan(&got, &staged, tt.failAt))
			var refused *kit.ImportRefused
			if tt.refuse != errors.As(err, &refused) || tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)) || !tt.refuse && tt.errHas == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if strings.Join(got, " ") != tt.want || (staged > 0) != tt.staged {
				t.Errorf("stored %q (staged %d), want %q", got, staged, tt.want)
			}
			if err != nil && (rep.Created != 0 || rep.Batches != 0) {
				t.Errorf("a rolled-back load reports writes: %+v", rep)
			}
			if rep.Rows != 5 || rep.Rejected != 3 || len(rep.SHA256) != 64 {
				t.Errorf("report %+v", rep)
			}
			// The two-pass import of the same file reports and rejects the same.
			var got2 []string
			opt := tt.opt
			opt.Rejects = &rejects2
			rep2, _ := kit.RunImport(ctx, src, opt, plan(&got2, tt.failAt))
			if rejects.String() != rejects2.String() || rep.Rejected != rep2.Rejected || fmt.Sprint(rep.Errors) != fmt.Sprint(rep2.Errors) {
				t.Errorf("load and two passes differ: %q / %q, %+v / %+v", rejects.String(), rejects2.String(), rep, rep2)
			}
			if err == nil && (strings.Join(got2, " ") != tt.want || rep.Created != rep2.Created) {
				t.Errorf("two passes stored %q, report %+v", got2, rep2)
			}
		})
	}
}

// TestRunImportFirstLoadLikeTwoPass: the 20,000-row file of
// TestRunImportWorkers stores the same rows in the same batches either way.
func TestRunImportFirstLoadLikeTwoPass(t *testing.T) {
	src := workersFile(false)
	for _, workers := range []int{1, 8} {
		var one, two []string
		var staged int
		pl := loadPlan(&one, &staged, 0)
		pl.Workers = workers
		rep1, err1 := kit.RunImport(context.Background(), src, kit.ImportOptions{SkipInvalid: true, Batch: 300}, pl)
		pl2 := plan(&two, 0)
		pl2.Workers = workers
		rep2, err2 := kit.RunImport(context.Background(), src, kit.ImportOptions{SkipInvalid: true, Batch: 300}, pl2)
		if err1 != nil || err2 != nil || rep1.Created < 17000 {
			t.Fatalf("workers %d: %v, %v, %+v", workers, err1, err2, rep1)
		}
		if strings.Join(one, " ") != strings.Join(two, " ") || fmt.Sprint(rep1) != fmt.Sprint(rep2) {
			t.Errorf("workers %d: load %d rows %+v, two passes %d rows %+v", workers, len(one), rep1, len(two), rep2)
		}
	}
}
