package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5/stdlib"
)

// CopyFrom sends data, rows in COPY's text format, with the COPY statement
// q on conn (which must be a pgx connection; inside the transaction begun
// on it, when there is one).
func CopyFrom(ctx context.Context, conn *sql.Conn, q string, data []byte) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs the pgx driver, not %T", dc)
		}
		_, err := c.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), q)
		return err
	})
}

// AppendCopy appends s as a column of COPY's text format.
func AppendCopy(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// AppendCopyRow appends vals as one row of COPY's text format
// (AppendCopyValue each, tab-separated, a newline after).
func AppendCopyRow(buf []byte, vals ...any) []byte {
	for i, v := range vals {
		if i > 0 {
			buf = append(buf, '\t')
		}
		buf = AppendCopyValue(buf, v)
	}
	return append(buf, '\n')
}

// AppendCopyValue appends v as a column of COPY's text format: nil as
// NULL, strings escaped, integers in decimal, booleans as true/false, other
// values as fmt prints them.
func AppendCopyValue(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, '\\', 'N')
	case string:
		return AppendCopy(buf, x)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case bool:
		return strconv.AppendBool(buf, x)
	}
	return AppendCopy(buf, fmt.Sprint(v))
}
