package standards

import (
	"bytes"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/kit"
	"sidi/internal/xlsx"
	"sidi/internal/xlsx/xlsxtest"
)

// TestReadTableStreamsLargeSheets uploads a workbook whose sheet unpacks to
// 60 MB of XML (a few MB packed) through ReadTable, the path of the
// standards and declaration imports, next to the whole-sheet GetRows it
// used before: the sheet is refused by its length while it is read, and
// the heap stays small.
func TestReadTableStreamsLargeSheets(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 60 MB of sheet XML")
	}
	data, nrows := xlsxtest.BigSheet("标准", 60<<20)
	oldPeak, _ := xlsxtest.HeapGrowth(func() {
		f, err := xlsx.Open(data)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if rows, _ := f.GetRows("标准"); len(rows) != nrows {
			t.Fatalf("GetRows: %d rows", len(rows))
		}
	})
	// The reader itself keeps nothing of the rows it hands on (an import
	// keeps what it needs of each row); count them and keep none. Its own
	// working memory measured 26 MB here (the bound leaves room for a
	// noisy machine) against ~150 MB for the whole-sheet read.
	var err error
	seen := 0
	newPeak, alloc := xlsxtest.HeapGrowth(func() {
		_, err = kit.ScanTable("big.xlsx", bytes.NewReader(data), kit.Limits{MaxRows: MaxTableRows}, func(int, []string) error {
			seen++
			return nil
		})
	})
	t.Logf("%.1f MB upload, %d rows: GetRows heap +%d MB; ScanTable heap +%d MB (%d MB allocated)",
		float64(len(data))/(1<<20), nrows, oldPeak>>20, newPeak>>20, alloc>>20)
	if apperr.Message(err) != "工作表“标准”超过 100000 行数据，请拆分为几个文件分批导入" {
		t.Errorf("ScanTable: %v", err)
	}
	if seen < MaxTableRows || newPeak > 40<<20 || newPeak*4 > oldPeak {
		t.Errorf("ScanTable raised the heap by %d MB over %d rows (GetRows %d MB)", newPeak>>20, seen, oldPeak>>20)
	}
}

func TestReadTableRefusesZipBomb(t *testing.T) {
	data, _ := xlsxtest.BigSheet("标准", xlsx.MaxUnpacked+1<<20)
	_, err := readTable("bomb.xlsx", data, 0)
	if !strings.Contains(apperr.Message(err), "工作簿解压后过大（超过 64 MB），请拆分后再导入") {
		t.Errorf("ReadTable: %v", err)
	}
	// Within the limits, a table is read as before.
	small, n := xlsxtest.BigSheet("标准", 4000)
	rows, err := readTable("small.xlsx", small, 0)
	if err != nil || len(rows) != n || rows[0][0] != "标准编号" || rows[1][0] != "DB63/T 2-2024" {
		t.Fatalf("small table: %d rows (%v), first %q", len(rows), err, rows[:min(2, len(rows))])
	}
}

// readTable reads a whole table through the kit's reader, as the imports do.
func readTable(name string, data []byte, maxRows int) ([][]string, error) {
	var rows [][]string
	_, err := kit.ScanTable(name, bytes.NewReader(data), kit.Limits{MaxRows: maxRows}, func(_ int, cells []string) error {
		rows = append(rows, cells)
		return nil
	})
	return rows, err
}
