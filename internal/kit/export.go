package kit

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// TableWriter receives an export's rows, the header first.
type TableWriter interface {
	Write(cells []string) error
}

// TableFile is a TableWriter into a file of one format; Close finishes it.
type TableFile interface {
	TableWriter
	Close() error
}

// ExportFormats are the formats an export writes.
var ExportFormats = []string{"csv", "xlsx"}

// NewTableFile writes a table in format ("csv" or "xlsx") to w. A CSV is
// UTF-8 with a byte-order mark (Excel reads the Chinese right) and CRLF
// line ends, and a text cell a spreadsheet would read as a formula gets a
// leading apostrophe; a workbook holds every cell as text and is streamed
// to a temporary file by excelize, not built in memory.
func NewTableFile(format string, w io.Writer) (TableFile, error) {
	switch format {
	case "csv":
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, fmt.Errorf("kit: export: %w", err)
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		return &csvFile{cw: cw}, nil
	case "xlsx":
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("kit: export: %w", err)
		}
		return &xlsxFile{f: f, sw: sw, w: w}, nil
	}
	return nil, fmt.Errorf("kit: export format %q (want csv or xlsx)", format)
}

type csvFile struct{ cw *csv.Writer }

func (c *csvFile) Write(cells []string) error {
	out := make([]string, len(cells))
	for i, s := range cells {
		if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 && FormulaLike(s) {
			s = "'" + s
		}
		out[i] = s
	}
	return c.cw.Write(out)
}

func (c *csvFile) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

type xlsxFile struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	w   io.Writer
	row int
}

func (x *xlsxFile) Write(cells []string) error {
	x.row++
	vals := make([]any, len(cells))
	for i, s := range cells {
		vals[i] = s
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	if err := x.sw.SetRow(cell, vals); err != nil {
		return fmt.Errorf("kit: export row %d: %w", x.row, err)
	}
	return nil
}

func (x *xlsxFile) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("kit: export: %w", err)
	}
	if _, err := x.f.WriteTo(x.w); err != nil {
		return fmt.Errorf("kit: export: %w", err)
	}
	return nil
}
