package store_test

import (
	"database/sql"
	"errors"
)

type sqlTx = sql.Tx

var errBoom = errors.New("boom")
