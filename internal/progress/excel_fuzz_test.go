package progress_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// FuzzImportXLSX feeds mangled workbooks to the upload: it must answer with
// a clear "invalid" error or import, never panic, and never leave a report
// behind when it refuses.
func FuzzImportXLSX(f *testing.F) {
	db := storetest.Open(f, store.SQLite)
	e := newEnv(f, db, day("2024-04-05"))
	ctx := context.Background()
	samr := e.users["demo-reporter-samr"]
	per := e.period(f, "2024Q1")
	tmpl, err := e.svc.TemplateXLSX(ctx, samr, e.planID, per, samr.DeptID)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl)
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var before int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM reports`).Scan(&before)
		var err error
		done := make(chan struct{})
		go func() { _, err = e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, data); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("an upload of %d bytes took more than 10 s", len(data))
		}
		var after int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM reports`).Scan(&after)
		if err != nil {
			if !errors.Is(err, apperr.ErrInvalid) || apperr.Message(err) == "" {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if after != before {
				t.Fatalf("a refused upload wrote %d reports", after-before)
			}
		}
	})
}
