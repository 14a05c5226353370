package standards

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestImportRealCodes imports a file made of the real codes of
// testdata/codes_real.txt, each written as the public page wrote it (the
// title and dates are placeholders; the codes are what varies in real
// extracts): every code ParseCode accepts goes in once, the damaged ones are
// rejected with their row, and importing the file again changes nothing.
func TestImportRealCodes(t *testing.T) {
	f, err := os.Open("testdata/codes_real.txt")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"标准编号", "标准名称", "状态", "发布日期", "实施日期"}) // the aliases of real lists
	seen := map[string]bool{}
	rows, valid := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := ParseCode(line)
		if c.Valid && seen[c.Normalized] {
			continue // the same standard written another way: once per file
		}
		year := c.Year
		if year < 1950 || year > 2025 {
			year = 2020
		}
		w.Write([]string{line, fmt.Sprintf("真实标准号示例 %d", rows+1), "现行", fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-02-01", year)})
		rows++
		if c.Valid {
			seen[c.Normalized] = true
			valid++
		}
	}
	f.Close()
	w.Flush()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewService(db)
		var rejects bytes.Buffer
		rep, err := s.ImportFile(ctx, auth.CLI("test"), kit.BytesSource("real.csv", buf.Bytes()), kit.ImportOptions{SkipInvalid: true, Rejects: &rejects, Batch: 50})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d rows of real codes: %d created, %d rejected", rep.Rows, rep.Created, rep.Rejected)
		if rep.Rows != rows || rep.Created+rep.Rejected != rows || rep.Created != valid {
			t.Errorf("report %+v for %d rows, %d valid codes\nrejects:\n%s", rep, rows, valid, rejects.String())
		}
		again, err := s.ImportFile(ctx, auth.CLI("test"), kit.BytesSource("real.csv", buf.Bytes()), kit.ImportOptions{SkipInvalid: true})
		if err != nil || again.Unchanged != rep.Created || again.Created+again.Updated != 0 {
			t.Errorf("again: %+v %v", again, err)
		}
	})
}
