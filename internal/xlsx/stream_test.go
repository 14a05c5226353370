package xlsx

import (
	"errors"
	"testing"

	"sidi/internal/xlsx/xlsxtest"
)

// TestStreamingMemory reads a workbook whose sheet unpacks to 60 MB of
// XML (a few MB uploaded) through the old GetRows path and through Each
// and ReadAll, and shows the streamed readers' heap stays small.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 60 MB of sheet XML several times")
	}
	data, nrows := xlsxtest.BigSheet("标准", 60<<20)
	t.Logf("workbook: %.1f MB packed, 60 MB of sheet XML, %d rows", float64(len(data))/(1<<20), nrows)

	oldPeak, oldAlloc := xlsxtest.HeapGrowth(func() {
		f, err := Open(data)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("标准")
		if err != nil || len(rows) != nrows {
			t.Fatalf("GetRows: %d rows, %v", len(rows), err)
		}
	})
	eachPeak, eachAlloc := xlsxtest.HeapGrowth(func() {
		f, err := Open(data)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		seen := 0
		if err := Each(f, "标准", true, func(n int, cols []string) error { seen = n; return nil }); err != nil || seen != nrows {
			t.Fatalf("Each: %d rows, %v", seen, err)
		}
	})
	capPeak, capAlloc := xlsxtest.HeapGrowth(func() {
		f, err := Open(data)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		_, err = ReadAll(f, "标准", true, 10000)
		var re *RowsError
		if !errors.As(err, &re) || !errors.Is(err, ErrTooManyRows) || re.Message() != "工作表“标准”超过 10000 行，请拆分后分批导入" {
			t.Fatalf("ReadAll past the cap: %v", err)
		}
	})
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	t.Logf("GetRows (old): heap +%.0f MB peak, %.0f MB allocated", mb(oldPeak), mb(oldAlloc))
	t.Logf("Each (whole sheet): heap +%.0f MB peak, %.0f MB allocated", mb(eachPeak), mb(eachAlloc))
	t.Logf("ReadAll (10000-row cap): heap +%.0f MB peak, %.0f MB allocated", mb(capPeak), mb(capAlloc))
	// The streamed peak is mostly the collector's headroom over a small live
	// heap; GetRows holds every row at once.
	if eachPeak > 80<<20 || eachPeak*2 > oldPeak {
		t.Errorf("streaming the whole sheet raised the heap by %.0f MB (GetRows: %.0f MB); want under 80 MB and half of GetRows", mb(eachPeak), mb(oldPeak))
	}
	if capPeak > 48<<20 {
		t.Errorf("ReadAll with a row cap raised the heap by %.0f MB; want under 48 MB", mb(capPeak))
	}
}

func TestOpenRefusesWhatUnpacksTooLarge(t *testing.T) {
	data, _ := xlsxtest.BigSheet("标准", MaxUnpacked+1<<20)
	_, err := Open(data)
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrUnreadable) {
		t.Fatalf("Open: %v; want ErrTooLarge", err)
	}
	if TooLargeMessage() != "工作簿解压后过大（超过 64 MB），请拆分后再导入" {
		t.Errorf("message %q", TooLargeMessage())
	}
}

func TestReadAllKeepsGetRowsShape(t *testing.T) {
	data, _ := xlsxtest.BigSheet("S", 2000)
	f, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.SetCellValue("S", "B40", "after a gap")
	want, err := f.GetRows("S")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadAll(f, "S", false, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) != 40 {
		t.Fatalf("ReadAll %d rows, GetRows %d; want 40", len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) || (len(want[i]) > 0 && got[i][len(got[i])-1] != want[i][len(want[i])-1]) {
			t.Errorf("row %d: %q; GetRows %q", i+1, got[i], want[i])
		}
	}
}
