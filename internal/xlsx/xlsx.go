// Package xlsx opens workbooks that users upload. Every domain that reads
// Excel files goes through Open, so the limits that keep a hostile file from
// exhausting memory are set in one place, and reads a sheet through Each or
// ReadAll, which stream it row by row instead of building the whole sheet.
//
// It imports nothing of Sidi's.
package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Limits on what an uploaded workbook may unpack to. A real reporting
// template or standards list is well under a megabyte unpacked; the
// limits leave a wide margin while refusing zip bombs and files whose
// size fields lie (excelize allocates what the header claims). Sheets
// larger than MaxUnpackedXML are unpacked to a temporary file, not memory.
const (
	MaxUnpacked    = 64 << 20
	MaxUnpackedXML = 16 << 20
	// MaxCellBytes caps the text of all cells ReadAll returns together.
	MaxCellBytes = 32 << 20
)

// ErrUnreadable is returned, wrapped, for anything that is not a workbook
// within the limits.
var ErrUnreadable = errors.New("xlsx: not a readable workbook")

// ErrTooLarge is returned, wrapped, with ErrUnreadable, for a workbook that
// unpacks past MaxUnpacked; TooLargeMessage says so in Chinese.
var ErrTooLarge = errors.New("xlsx: workbook unpacks too large")

// ErrTooManyRows is returned, wrapped in a *RowsError, when a sheet has
// more rows or cell text than a reader takes.
var ErrTooManyRows = errors.New("xlsx: sheet too long")

// TooLargeMessage is the refusal of a workbook that unpacks too large.
func TooLargeMessage() string {
	return fmt.Sprintf("工作簿解压后过大（超过 %d MB），请拆分后再导入", MaxUnpacked>>20)
}

// Open reads a workbook from data within the limits. The sizes the zip
// directory declares are added up first: a file claiming more than
// MaxUnpacked is refused before anything is inflated.
func Open(data []byte) (*excelize.File, error) {
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		var total uint64
		for _, f := range zr.File {
			total += f.UncompressedSize64
			if total > MaxUnpacked {
				return nil, fmt.Errorf("%w: %w: more than %d bytes", ErrUnreadable, ErrTooLarge, MaxUnpacked)
			}
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnpacked, UnzipXMLSizeLimit: MaxUnpackedXML})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return f, nil
}

// Each calls fn with every row of sheet in order, row numbers from 1, one
// row in memory at a time; empty rows come as nil. raw gives cells' stored
// values rather than their formatted text. An error from fn stops the walk
// and is returned as it is.
func Each(f *excelize.File, sheet string, raw bool, fn func(row int, cols []string) error) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	opts := excelize.Options{RawCellValue: raw}
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns(opts)
		if err != nil {
			return fmt.Errorf("xlsx: sheet %q row %d: %w", sheet, n, err)
		}
		if err := fn(n, cols); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", sheet, err)
	}
	return rows.Close()
}

// RowsError says a sheet was longer than a reader takes.
type RowsError struct {
	Sheet   string
	MaxRows int
	Bytes   bool // the cell text, not the row count, ran over
}

func (e *RowsError) Error() string {
	if e.Bytes {
		return fmt.Sprintf("xlsx: sheet %q holds more than %d bytes of text", e.Sheet, MaxCellBytes)
	}
	return fmt.Sprintf("xlsx: sheet %q has more than %d rows", e.Sheet, e.MaxRows)
}

func (e *RowsError) Unwrap() error { return ErrTooManyRows }

// Message is the refusal in Chinese.
func (e *RowsError) Message() string {
	if e.Bytes {
		return fmt.Sprintf("工作表“%s”的内容过多（文字超过 %d MB），请拆分后分批导入", e.Sheet, MaxCellBytes>>20)
	}
	return fmt.Sprintf("工作表“%s”超过 %d 行，请拆分后分批导入", e.Sheet, e.MaxRows)
}

// ReadAll streams sheet into rows like excelize's GetRows (empty rows
// between filled ones kept, trailing empty rows dropped) but stops with a
// *RowsError once more than maxRows rows or MaxCellBytes of cell text have
// been read, so a long sheet costs no more memory than the rows taken.
func ReadAll(f *excelize.File, sheet string, raw bool, maxRows int) ([][]string, error) {
	var out [][]string
	last, size := 0, 0
	err := Each(f, sheet, raw, func(n int, cols []string) error {
		if len(cols) == 0 {
			return nil
		}
		if n > maxRows {
			return &RowsError{Sheet: sheet, MaxRows: maxRows}
		}
		for _, c := range cols {
			size += len(c)
		}
		if size > MaxCellBytes {
			return &RowsError{Sheet: sheet, MaxRows: maxRows, Bytes: true}
		}
		for last < n-1 {
			out = append(out, nil)
			last++
		}
		out = append(out, cols)
		last = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
