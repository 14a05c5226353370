package standards

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// declKind is the import kind "declarations" as the CLI and the import page
// run it.
func declKind(t *testing.T, s *Service) kit.ImportKind[auth.Principal] {
	t.Helper()
	for _, k := range ImportKinds(s) {
		if k.Name == "declarations" {
			return k
		}
	}
	t.Fatal("no import kind \"declarations\"")
	return kit.ImportKind[auth.Principal]{}
}

// readRealDecl reads testdata/declarations_real.csv as rows of cells.
func readRealDecl(t *testing.T) ([]byte, [][]string) {
	t.Helper()
	data, err := os.ReadFile("testdata/declarations_real.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return data, rows
}

var han = regexp.MustCompile(`\p{Han}`)

// checkReportErrors: every failure names its row and column letter and is
// worded in Chinese.
func checkReportErrors(t *testing.T, es kit.Errors) {
	t.Helper()
	for _, e := range es {
		if e.Row < 2 || e.Col == "" || e.Column == "" || !han.MatchString(e.Msg) {
			t.Errorf("failure without row, column letter or Chinese text: %+v", e)
		}
	}
}

// TestRealDeclarations imports testdata/declarations_real.csv (entries of
// published enterprise standard 领跑者 lists, mapped onto the import's
// header as declarations_real.source.txt says, missing fields left empty)
// through the kind "declarations" with SkipInvalid, and pins the figures: no
// source prints a credit code or a declaration date, so every row is
// rejected, each on its own (without a credit code a row has no
// declaration), with its failures named by row and column in Chinese, and
// nothing is written; importing the file again changes nothing either.
func TestRealDeclarations(t *testing.T) {
	data, rows := readRealDecl(t)
	emptyRequired := 0
	for _, r := range rows[1:] {
		for _, c := range r[:len(DeclImportColumns)] {
			if c == "" {
				emptyRequired++
			}
		}
	}
	// The first failures, in file order (the report keeps them all).
	wantFirst := []string{
		"第 2 行 A 列（统一社会信用代码）：统一社会信用代码不能为空",
		"第 2 行 E 列（产品名称）：产品名称不能为空（每一行是声明中的一个产品，产品名称、规格型号、产品类别均为必填）",
		"第 2 行 F 列（规格型号）：规格型号不能为空（每一行是声明中的一个产品，产品名称、规格型号、产品类别均为必填）",
		"第 2 行 H 列（声明日期）：声明日期不能为空",
		"第 3 行 A 列（统一社会信用代码）：统一社会信用代码不能为空",
		"第 3 行 E 列（产品名称）：产品名称不能为空（每一行是声明中的一个产品，产品名称、规格型号、产品类别均为必填）",
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newDeclImportFixture(t, db)
		kind := declKind(t, f.svc)
		admin := auth.CLI("test")
		before := f.counts(t)
		for _, run := range []string{"first", "again"} {
			var rejects bytes.Buffer
			rep, err := kind.Import(ctx, admin, kit.BytesSource("declarations_real.csv", data), kit.ImportOptions{SkipInvalid: true, Rejects: &rejects})
			if err != nil {
				t.Fatalf("%s: %v", run, err)
			}
			t.Logf("%s: %d rows, %d declarations, %d created, %d updated, %d unchanged, %d rejected, %d enterprises created, %d failures",
				run, rep.Rows, rep.Records, rep.Created, rep.Updated, rep.Unchanged, rep.Rejected, rep.Count(declEntCreated), len(rep.Errors))
			if rep.Rows != len(rows)-1 || rep.Rows != 18 || rep.Records != 0 || rep.Created+rep.Updated+rep.Unchanged != 0 ||
				rep.Rejected != 18 || rep.Count(declEntCreated) != 0 || rep.Skipped != 0 {
				t.Errorf("%s: report %+v", run, rep)
			}
			// One failure per empty required cell: 103 (every standard
			// code of the lists reads, Q/370300 TSMJ-BZ-202-2020 included).
			if len(rep.Errors) != 103 || len(rep.Errors) != emptyRequired {
				t.Errorf("%s: %d failures, want 103 (%d empty required cells)", run, len(rep.Errors), emptyRequired)
			}
			checkReportErrors(t, rep.Errors)
			for i, w := range wantFirst {
				if i >= len(rep.Errors) || rep.Errors[i].String() != w {
					t.Errorf("%s: failure %d is %v, want %q", run, i, rep.Errors[min(i, len(rep.Errors)-1)], w)
				}
			}
			// The rejects file lists every failure with the row's cells.
			if n := strings.Count(rejects.String(), "\n"); n != len(rep.Errors)+1 {
				t.Errorf("%s: rejects file has %d lines for %d failures", run, n, len(rep.Errors))
			}
			if after := f.counts(t); !sameCounts(before, after) {
				t.Errorf("%s: the import wrote: %v → %v", run, before, after)
			}
		}
	})
}

// realKeysSupplied is declarations_real.csv's rows that name a standard
// (by code or title), with what the sources do not print supplied as
// placeholders: a generated credit code per enterprise, a group-standard
// code of ours (T/SIDI) per title without a code, 未公开 for other empty
// cells and one declaration date. The enterprise names, codes, titles,
// products, models and which products share a standard stay as published.
func realKeysSupplied(t *testing.T, rows [][]string) []byte {
	t.Helper()
	credits := map[string]string{}
	codes := map[string]string{}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(rows[0])
	for _, r := range rows[1:] {
		r = append([]string{}, r...)
		name, code, title := r[1], r[2], r[3]
		if code == "" && title == "" {
			continue
		}
		if credits[name] == "" {
			first17 := fmt.Sprintf("91000000PH%07d", len(credits)+1)
			credits[name] = first17 + string(creditcode.Check(first17))
		}
		r[0] = credits[name]
		if code == "" {
			if codes[title] == "" {
				codes[title] = fmt.Sprintf("T/SIDI %d—2020", len(codes)+1)
			}
			r[2] = codes[title]
		}
		for i := 3; i <= 6; i++ {
			if r[i] == "" {
				r[i] = "未公开"
			}
		}
		r[7] = "2024-01-01"
		w.Write(r)
	}
	w.Flush()
	return buf.Bytes()
}

// TestRealDeclarationsKeysSupplied imports the real rows that name a
// standard once the keys the sources lack are supplied (realKeysSupplied):
// of 8 rows, the five naming an enterprise's own standard (Q/…, which
// version 1 does not import) are rejected; the enterprise of S6 is registered with two declarations, the
// two models under one standard forming one declaration of two products
// (so 3 rows make 2 declarations: one per row would make 3). Importing it
// again changes nothing.
func TestRealDeclarationsKeysSupplied(t *testing.T) {
	_, rows := readRealDecl(t)
	file := realKeysSupplied(t, rows)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newDeclImportFixture(t, db)
		kind := declKind(t, f.svc)
		admin := auth.CLI("test")
		rep, err := kind.Import(ctx, admin, kit.BytesSource("declarations_keys.csv", file), kit.ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("keys supplied: %d rows, %d declarations, %d created, %d rejected, %d enterprises created; failures: %v",
			rep.Rows, rep.Records, rep.Created, rep.Rejected, rep.Count(declEntCreated), rep.Errors)
		if rep.Rows != 8 || rep.Records != 2 || rep.Created != 2 || rep.Updated+rep.Unchanged != 0 || rep.Rejected != 5 || rep.Count(declEntCreated) != 1 {
			t.Errorf("report %+v", rep)
		}
		checkReportErrors(t, rep.Errors)
		want := []string{
			"第 2 行 C 列（标准号）：Q/KZYW 001—2023 是企业标准",
			"第 3 行 C 列（标准号）：Q/370300TSMJ-BZ 202—2020 是企业标准",
			"第 4 行 C 列（标准号）：Q/SXDJX 001—2021 是企业标准",
			"第 5 行 C 列（标准号）：Q/SJX 0001S—2020 是企业标准",
			"第 6 行 C 列（标准号）：Q/SFC0012S 6—2022 是企业标准",
		}
		if len(rep.Errors) != len(want) {
			t.Errorf("%d failures, want %d: %v", len(rep.Errors), len(want), rep.Errors)
		}
		for i, w := range want {
			if i < len(rep.Errors) && !strings.HasPrefix(rep.Errors[i].String(), w) {
				t.Errorf("failure %d is %q, want %q…", i, rep.Errors[i].String(), w)
			}
		}
		// The two models under one standard are one declaration.
		res, err := f.svc.SearchDeclarations(ctx, DeclParams{Q: "成都前锋电子有限责任公司"})
		if err != nil || len(res.Hits) != 2 {
			t.Fatalf("declarations of S6: %v %+v", err, res)
		}
		models := map[string][]string{}
		for _, h := range res.Hits {
			for _, p := range h.Products {
				models[h.StandardTitle] = append(models[h.StandardTitle], p.Model)
			}
		}
		if got := fmt.Sprint(models); got != "map[吸油烟机(领跑者):[L803] 家用燃气快速热水器(领跑者):[F902 F908]]" {
			t.Errorf("products by standard: %s", got)
		}
		before := f.counts(t)
		again, err := kind.Import(ctx, admin, kit.BytesSource("declarations_keys.csv", file), kit.ImportOptions{SkipInvalid: true})
		if err != nil || again.Records != 2 || again.Unchanged != 2 || again.Created+again.Updated != 0 || again.Rejected != 5 || again.Count(declEntCreated) != 0 {
			t.Errorf("again: %+v %v", again, err)
		}
		if after := f.counts(t); !sameCounts(before, after) {
			t.Errorf("importing again wrote: %v → %v", before, after)
		}
	})
}

// TestRealCreditCodes checks the real codes of testdata/creditcodes_real.txt
// as the import checks a row's 统一社会信用代码: three pass GB 32100's check;
// the code a page gives for a real enterprise but which fails the check is
// refused, with the check character it should have.
func TestRealCreditCodes(t *testing.T) {
	f, err := os.Open("testdata/creditcodes_real.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	refused := map[string]string{
		"91350211M0000XUF46": "统一社会信用代码“91350211M0000XUF46”校验位不符（按 GB 32100 计算应为“R”），请核对",
	}
	var total, accepted, nRefused int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, _, _ := strings.Cut(line, "\t")
		total++
		got, err := creditcode.Parse(code)
		want, bad := refused[code]
		switch {
		case bad && err == nil:
			t.Errorf("%s accepted, want refused: %s", code, want)
		case bad && err.Error() != want:
			t.Errorf("%s refused with %q, want %q", code, err, want)
		case bad:
			nRefused++
		case err != nil || got != code:
			t.Errorf("%s: %q %v", code, got, err)
		default:
			accepted++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if total != 4 || accepted != 3 || nRefused != 1 {
		t.Errorf("%d codes: %d accepted, %d refused", total, accepted, nRefused)
	}
	t.Logf("real credit codes: %d read, %d accepted, %d refused", total, accepted, nRefused)
}
