package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func workbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "任务序号")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// padded is a valid workbook with one more entry of n zero bytes.
func padded(t *testing.T, good []byte, n int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("xl/media/padding.bin")
	w.Write(make([]byte, n))
	zw.Close()
	return out.Bytes()
}

func TestOpen(t *testing.T) {
	good := workbook(t)
	// Found by FuzzImportXLSX: a template with one size field corrupted, on
	// which an unguarded reader allocates what the header claims and stalls.
	lying, err := os.ReadFile("testdata/lying-size.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"workbook", good, true},
		{"empty", nil, false},
		{"not a zip", []byte("hello"), false},
		{"lying size field", lying, false},
		{"small padding is fine", padded(t, good, 1<<20), true},
		{"unpacks past the limit", padded(t, good, MaxUnpacked+1), false},
	}
	for _, c := range cases {
		start := time.Now()
		f, err := Open(c.data)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v", c.name, err)
		}
		if err != nil && !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: error %v does not wrap ErrUnreadable", c.name, err)
		}
		if f != nil {
			f.Close()
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %s", c.name, d)
		}
	}
}
