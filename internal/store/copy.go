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

// AppendCopyRow appends vals as one row of COPY's text format: nil as
// NULL, strings escaped, integers and booleans (as t/f) in decimal.
func AppendCopyRow(buf []byte, vals ...any) []byte {
	for i, v := range vals {
		if i > 0 {
			buf = append(buf, '\t')
		}
		switch x := v.(type) {
		case nil:
			buf = append(buf, '\\', 'N')
		case string:
			buf = AppendCopy(buf, x)
		case int:
			buf = strconv.AppendInt(buf, int64(x), 10)
		case int64:
			buf = strconv.AppendInt(buf, x, 10)
		case bool:
			buf = strconv.AppendBool(buf, x)
		default:
			buf = AppendCopy(buf, fmt.Sprint(x))
		}
	}
	return append(buf, '\n')
}
