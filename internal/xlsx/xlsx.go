// Package xlsx opens workbooks that users upload. Every domain that reads
// Excel files goes through Open, so the limits that keep a hostile file from
// exhausting memory are set in one place.
//
// It imports nothing of Sidi's.
package xlsx

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Limits on what an uploaded workbook may unpack to. A real reporting
// template or standards list is well under a megabyte unpacked; the
// limits leave a wide margin while refusing zip bombs and files whose
// size fields lie (excelize allocates what the header claims).
const (
	MaxUnpacked    = 64 << 20
	MaxUnpackedXML = 16 << 20
)

// ErrUnreadable is returned, wrapped, for anything that is not a workbook
// within the limits.
var ErrUnreadable = errors.New("xlsx: not a readable workbook")

// Open reads a workbook from data within the limits.
func Open(data []byte) (*excelize.File, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnpacked, UnzipXMLSizeLimit: MaxUnpackedXML})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return f, nil
}
