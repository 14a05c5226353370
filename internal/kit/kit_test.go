package kit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestIsUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := db.Writer()
		for _, q := range []string{
			`CREATE TABLE kit_u (id INTEGER PRIMARY KEY, code TEXT UNIQUE, n INTEGER CHECK (n > 0))`,
			`INSERT INTO kit_u (id, code, n) VALUES (1, 'a', 1)`,
		} {
			if _, err := w.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name, q string
			want    bool
		}{
			{"unique column", `INSERT INTO kit_u (id, code, n) VALUES (2, 'a', 1)`, true},
			{"primary key", `INSERT INTO kit_u (id, code, n) VALUES (1, 'b', 1)`, true},
			{"check constraint", `INSERT INTO kit_u (id, code, n) VALUES (3, 'c', 0)`, false},
			{"syntax error naming unique", `INSERT INTO kit_u (unique_col) VALUES (1)`, false},
		}
		for _, c := range cases {
			_, err := w.ExecContext(ctx, c.q)
			if err == nil {
				t.Fatalf("%s: no error", c.name)
			}
			if got := kit.IsUnique(fmt.Errorf("wrapped: %w", err)); got != c.want {
				t.Errorf("%s: IsUnique(%v) = %v, want %v", c.name, err, got, c.want)
			}
		}
	})
	if kit.IsUnique(nil) || kit.IsUnique(errors.New("UNIQUE constraint failed: x")) {
		t.Error("IsUnique must go by the driver's code, not the message")
	}
}

func TestErrors(t *testing.T) {
	var es kit.Errors
	if es.Err() != nil {
		t.Fatal("empty Errors is not an error")
	}
	es.Add("标准名称", "标准名称不能为空")
	es.AddCell(3, "标准号", "标准号“%s”无法识别", "GB 1")
	err := es.Err()
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Error("Errors is not an invalid-input error")
	}
	want := "标准名称不能为空；第 3 行“标准号”：标准号“GB 1”无法识别"
	if got := apperr.Message(err); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	var d apperr.Detailed
	if !errors.As(err, &d) || len(d.ErrorDetails().([]kit.FieldError)) != 2 {
		t.Error("details do not list both failures")
	}
	for i := range 30 {
		es.AddCell(i+10, "A", "坏")
	}
	if got := es.Error(); len([]rune(got)) > 1000 || !strings.Contains(got, "共 32 处错误") {
		t.Errorf("long list message %q", got)
	}
}
