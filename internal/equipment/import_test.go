package equipment_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestImportTwiceAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		k := f.svc.ImportKind()
		src := kit.FileSource("testdata/equipment-import-sample.csv")
		rep, err := k.Import(ctx, f.reporter, src, kit.ImportOptions{})
		if err != nil || rep.Created != 4 || rep.Rows != 4 {
			t.Fatalf("first import %+v %v", rep, err)
		}
		audits := func() int {
			var n int
			if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// The batch's one entry is the kit's import entry (kind, file, rows,
		// ids, a digest of the rows written), like every register's.
		var after string
		if err := db.Reader().QueryRow(`SELECT after FROM audit_log WHERE entity = 'import' AND entity_id = 'equipment' AND action = 'import'`).Scan(&after); err != nil {
			t.Fatalf("the import's audit entry: %v", err)
		}
		for _, want := range []string{`"kind":"equipment"`, `"file":"testdata/equipment-import-sample.csv"`, `"created":[[1,4]]`, `"rows":[2,5]`, `"rows_digest":"` + kit.RowsDigestName + `"`, `"unchanged":0`} {
			if !strings.Contains(strings.ReplaceAll(after, " ", ""), want) {
				t.Errorf("import entry %s lacks %s", after, want)
			}
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		before := audits()
		rep, err = k.Import(ctx, f.reporter, src, kit.ImportOptions{})
		if err != nil || rep.Unchanged != 4 || rep.Created+rep.Updated != 0 || audits() != before {
			t.Fatalf("second import %+v %v (audit %d → %d)", rep, err, before, audits())
		}
		// export, then import the export: nothing changes
		var buf bytes.Buffer
		tf, err := kit.NewTableFile("csv", &buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Export(ctx, f.reporter, tf); err != nil {
			t.Fatal(err)
		}
		tf.Close()
		rep, err = k.Import(ctx, f.reporter, kit.BytesSource("export.csv", buf.Bytes()), kit.ImportOptions{})
		if err != nil || rep.Unchanged != 4 {
			t.Fatalf("export re-imported %+v %v\n%s", rep, err, buf.String())
		}
		// the enterprise user exports only its own (3 of 4)
		buf.Reset()
		tf, _ = kit.NewTableFile("csv", &buf)
		if err := k.Export(ctx, f.ent, tf); err != nil {
			t.Fatal(err)
		}
		tf.Close()
		if n := strings.Count(buf.String(), "\n"); n != 4 {
			t.Fatalf("enterprise export has %d lines", n)
		}
		if _, err := k.Import(ctx, f.ent, src, kit.ImportOptions{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("enterprise imports: %v", err)
		}
	})
}

func TestImportRefusesWithRowAndColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		k := f.svc.ImportKind()
		good, err := os.ReadFile("testdata/equipment-import-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(good)), "\n")
		bad := append([]string{}, lines...)
		bad[2] = strings.Replace(bad[2], "2150QH002201900101", "7150QH002201900101", 1) // not in the catalogue
		bad[3] = strings.Replace(bad[3], "630104", "110101", 1)                         // not in Qinghai
		bad = append(bad, lines[1])                                                     // duplicate code
		bad = append(bad, strings.Replace(strings.Replace(lines[1], "1100QH001201800011", "1100QH001201800012", 1), "2号燃气蒸汽锅炉", "=cmd|' /C calc'!A0", 1))
		data := []byte(strings.Join(bad, "\n"))
		rep, err := k.Import(ctx, f.reporter, kit.BytesSource("bad.csv", data), kit.ImportOptions{})
		var es kit.Errors
		if !errors.Is(err, apperr.ErrInvalid) || !errors.As(err, &es) {
			t.Fatalf("bad file: %+v %v", rep, err)
		}
		want := map[string]bool{"3 设备代码": false, "4 所在地区": false, "6 设备代码": false, "7 设备名称": false}
		for _, e := range rep.Errors {
			key := strings.Join([]string{itoa(e.Row), e.Column}, " ")
			if _, ok := want[key]; ok {
				want[key] = true
			}
		}
		for k, ok := range want {
			if !ok {
				t.Errorf("no error at row/column %s: %v", k, rep.Errors)
			}
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM equipment`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused file wrote %d rows", n)
		}
		var rejects bytes.Buffer
		rep, err = k.Import(ctx, f.reporter, kit.BytesSource("bad.csv", data), kit.ImportOptions{SkipInvalid: true, Rejects: &rejects})
		if err != nil || rep.Created != 2 || rep.Rejected != 4 || !strings.Contains(rejects.String(), "所在地区") {
			t.Fatalf("skip invalid %+v %v\n%s", rep, err, rejects.String())
		}
	})
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+n%10)))
}
