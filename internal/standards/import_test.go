package standards_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sidi/internal/apperr"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var importRows = [][]string{
	{"标准号", "标准名称", "标准状态", "发布日期", "实施日期", "ICS", "CCS", "归口单位", "起草单位", "代替标准"},
	{"DB63/T 2290—2024", "牦牛奶粉加工技术规范", "现行", "2024-03-01", "2024-04-01", "67.100.10", "X16", "青海省农牧业标准化技术委员会", "某乳业公司", ""},
	{"ＤＢ６３／Ｔ　１０００－２０１１", "枸杞干果", "被代替", "2011-01-01", "2011-02-01", "", "", "", "", ""},
	{"DB63/T 1000-2023", "枸杞干果", "现行", "2023/5/1", "2023.6.1", "67.080.10", "B31", "", "", "DB63/T 1000-2011；DB63/T 1000—2011"},
	{"T/QHNX 59—2024", "盐湖卤水采样规范", "即将实施", "2024年12月1日", "2099-01-01", "", "", "", "", ""},
}

func xlsx(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func csvOf(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return []byte(b.String())
}

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := standards.NewService(db)
		for _, f := range []struct {
			name string
			data []byte
		}{{"标准.xlsx", xlsx(t, importRows)}, {"标准.csv", csvOf(importRows)}} {
			var calls int
			res, err := svc.Import(ctx, admin, f.name, f.data, func(done, total int) { calls++ })
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			if f.name == "标准.xlsx" && (res.Created != 4 || res.Updated != 0 || calls == 0) {
				t.Errorf("xlsx first import: %+v, %d progress calls", res, calls)
			}
			if f.name == "标准.csv" && (res.Unchanged != 4 || res.Created != 0 || res.Updated != 0) {
				t.Errorf("csv of the same rows: %+v, want all unchanged", res)
			}
		}
		// Same file twice: no change, no audit.
		var before, after int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&before)
		res, err := svc.Import(ctx, admin, "again.xlsx", xlsx(t, importRows), nil)
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&after)
		if err != nil || res.Unchanged != 4 || before != after {
			t.Errorf("second import: %+v %v; audit %d → %d", res, err, before, after)
		}
		old, err := svc.ByCode(ctx, admin, "DB63/T 1000-2011")
		if err != nil || old.Status != standards.StatusReplaced || len(old.ReplacedBy) != 1 {
			t.Errorf("replaced: %+v %v", old, err)
		}
		if st, _ := svc.ByCode(ctx, admin, "DB63/T 2290-2024"); len(st.Tags) != 1 || st.Tags[0] != "绿色有机农畜" || st.Committee == "" {
			t.Errorf("imported record: %+v", st)
		}
		// A changed title updates one record.
		changed := append([][]string{}, importRows...)
		changed[1] = append([]string{}, importRows[1]...)
		changed[1][1] = "牦牛奶粉加工技术规程"
		if res, err := svc.Import(ctx, admin, "c.csv", csvOf(changed), nil); err != nil || res.Updated != 1 || res.Unchanged != 3 {
			t.Errorf("changed import: %+v %v", res, err)
		}
	})
}

func TestImportErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := standards.NewService(db)
		bad := append([][]string{}, importRows...)
		bad[4] = append([]string{}, importRows[4]...)
		bad[4][3] = "2024-13-45" // row 5, column 发布日期
		for _, f := range []struct {
			name string
			data []byte
		}{{"bad.xlsx", xlsx(t, bad)}, {"bad.csv", csvOf(bad)}} {
			_, err := svc.Import(ctx, admin, f.name, f.data, nil)
			var refused *kit.ImportRefused
			if !errors.Is(err, apperr.ErrInvalid) || !errors.As(err, &refused) {
				t.Fatalf("%s: %v", f.name, err)
			}
			ies := refused.Report.Errors
			if len(ies) != 1 || ies[0].Row != 5 || ies[0].Column != "发布日期" || ies[0].Col != "D" || !strings.Contains(apperr.Message(err), "第 5 行 D 列（发布日期）：") {
				t.Errorf("%s: errors %+v, message %q", f.name, ies, apperr.Message(err))
			}
			var n int
			db.Reader().QueryRow(`SELECT COUNT(*) FROM standards`).Scan(&n)
			if n != 0 {
				t.Errorf("%s: %d records written despite errors", f.name, n)
			}
		}
		cases := []struct {
			rows [][]string
			want string
		}{
			{[][]string{{"标准号", "标准名称"}}, "表头缺少必填列“标准状态”"},
			{[][]string{importRows[0], {"XX", "名称", "现行", "2020-01-01", "2020-02-01"}}, "第 2 行 A 列（标准号）"},
			{[][]string{importRows[0], {"GB/T 1-2020", "名称", "作废", "2020-01-01", "2020-02-01"}}, "第 2 行 C 列（标准状态）"},
			{[][]string{importRows[0], {"GB/T 1-2020", "名称", "现行", "2020-01-01", "2020-02-01", "1.2"}}, "第 2 行 F 列（ICS）"},
			{[][]string{importRows[0], {"GB/T 1-2020", "名称", "现行", "2020-01-01", "2020-02-01"}, {"GB/T 1—2020", "名称", "现行", "2020-01-01", "2020-02-01"}}, "第 3 行 A 列（标准号）：标准号 GB/T 1—2020 与第 2 行重复"},
		}
		for _, c := range cases {
			_, err := svc.Import(ctx, admin, "x.csv", csvOf(c.rows), nil)
			if err == nil || !strings.Contains(apperr.Message(err), c.want) {
				t.Errorf("want %q, got %v", c.want, err)
			}
		}
		if _, err := svc.Import(ctx, admin, "x.pdf", []byte("x"), nil); err == nil || !strings.Contains(apperr.Message(err), "不支持的文件类型") {
			t.Errorf("pdf: %v", err)
		}
	})
}
