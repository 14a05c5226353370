package trademark

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"sidi/internal/kit"
)

// spill keeps the rows the validation pass parsed, in a temporary file, so
// that the writing pass reads them back instead of reading and parsing the
// table a second time: memory stays flat in the file size (a buffer of
// 1 MiB), the disk holds about 120 bytes a mark. (Generic in principle;
// kept here while the shared import pipeline in internal/kit is being
// changed by another branch.)
type spill struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
	n   int
}

func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "sidi-trademarks-*.spill")
	if err != nil {
		return nil, fmt.Errorf("trademark: spill: %w", err)
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// close removes the file.
func (s *spill) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// add appends the rows of a checked batch.
func (s *spill) add(batch []kit.Item[Record]) error {
	for _, it := range batch {
		s.buf = appendSpilled(s.buf[:0], it)
		var head [binary.MaxVarintLen64]byte
		if _, err := s.w.Write(head[:binary.PutUvarint(head[:], uint64(len(s.buf)))]); err != nil {
			return fmt.Errorf("trademark: spill: %w", err)
		}
		if _, err := s.w.Write(s.buf); err != nil {
			return fmt.Errorf("trademark: spill: %w", err)
		}
		s.n++
	}
	return nil
}

// each reads the rows back in the order they were added, n at a time.
func (s *spill) each(n int, fn func(batch []kit.Item[Record]) error) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("trademark: spill: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("trademark: spill: %w", err)
	}
	r := bufio.NewReaderSize(s.f, 1<<20)
	batch := make([]kit.Item[Record], 0, n)
	var buf []byte
	for read := 0; read < s.n; read++ {
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return fmt.Errorf("trademark: spill: %w", err)
		}
		if size > 1<<20 {
			return errSpill
		}
		if uint64(cap(buf)) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			return fmt.Errorf("trademark: spill: %w", err)
		}
		it, err := readSpilled(string(buf))
		if err != nil {
			return err
		}
		batch = append(batch, it)
		if len(batch) == n {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// spilledStrings are the text fields of a record in their spill order.
func spilledStrings(r *Record) []*string {
	return []*string{&r.RegNo, &r.Name, &r.Owner, &r.OwnerCode, &r.Region, &r.AppliedOn, &r.RegisteredOn, &r.TermEnd,
		&r.Kind, &r.MadridNo, &r.Status, &r.StatusOn}
}

// appendSpilled encodes a row: its number, the text fields (length and
// bytes), the classes and the flags.
func appendSpilled(b []byte, it kit.Item[Record]) []byte {
	b = binary.AppendUvarint(b, uint64(it.Row))
	for _, p := range spilledStrings(&it.Val) {
		b = binary.AppendUvarint(b, uint64(len(*p)))
		b = append(b, *p...)
	}
	b = binary.AppendUvarint(b, uint64(len(it.Val.Classes)))
	for _, c := range it.Val.Classes {
		b = binary.AppendUvarint(b, uint64(c))
	}
	var flags byte
	for i, f := range []bool{it.Val.GI, it.Val.WellKnown, it.Val.Demo} {
		if f {
			flags |= 1 << i
		}
	}
	return append(b, flags)
}

var errSpill = errors.New("trademark: spill: corrupt record")

// readSpilled decodes a row appendSpilled wrote; the strings share s.
func readSpilled(s string) (kit.Item[Record], error) {
	var it kit.Item[Record]
	pos := 0
	next := func() (uint64, bool) {
		var v uint64
		for shift := 0; pos < len(s) && shift < 64; shift += 7 {
			c := s[pos]
			pos++
			v |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return v, true
			}
		}
		return 0, false
	}
	row, ok := next()
	if !ok {
		return it, errSpill
	}
	it.Row = int(row)
	for _, p := range spilledStrings(&it.Val) {
		n, ok := next()
		if !ok || uint64(len(s)-pos) < n {
			return it, errSpill
		}
		*p = s[pos : pos+int(n)]
		pos += int(n)
	}
	n, ok := next()
	if !ok || uint64(len(s)-pos) < n {
		return it, errSpill
	}
	if n > 0 {
		it.Val.Classes = make([]int, n)
		for i := range it.Val.Classes {
			c, ok := next()
			if !ok {
				return it, errSpill
			}
			it.Val.Classes[i] = int(c)
		}
	}
	if pos != len(s)-1 {
		return it, errSpill
	}
	flags := s[pos]
	it.Val.GI, it.Val.WellKnown, it.Val.Demo = flags&1 != 0, flags&2 != 0, flags&4 != 0
	return it, nil
}
