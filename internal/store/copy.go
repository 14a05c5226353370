package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

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
