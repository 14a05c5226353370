package nqi_test

import (
	"fmt"
	"strings"
	"testing"

	"sidi/internal/kit"
	"sidi/internal/quality/nqi"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// benchCerts is an extract of n certificates: organic certificates one a
// year for n/20 holders over ten years, the rest management-system ones.
func benchCerts(n int) string {
	var b strings.Builder
	b.WriteString(certHeader)
	regions := []string{"630100", "630200", "632200", "632300", "632500", "632600", "632700", "632800"}
	for i := 0; i < n; i++ {
		y := 2016 + i%10
		r := regions[i%len(regions)]
		if i%2 == 0 {
			fmt.Fprintf(&b, "1234OP%02d%05d,有机产品认证,有机产品认证（生产）,中心,牧场%d,,%s,牦牛肉,,%d-01-01,%d-12-31,有效,\n", y%100, i/10, i/20, r, y, y)
		} else {
			fmt.Fprintf(&b, "Q-%d,管理体系认证,质量管理体系认证,中心,工厂%d,,%s,生产,,%d-03-01,%d-02-28,有效,\n", i, i/3, r, y, y+3)
		}
	}
	return b.String()
}

// BenchmarkCertImport imports 20,000 certificates (validation pass, then
// batched writes with one audit entry per batch).
func BenchmarkCertImport(b *testing.B) {
	file := benchCerts(20_000)
	for i := 0; i < b.N; i++ {
		db := storetest.Open(b, store.SQLite)
		s := nqi.NewService(db, nil)
		if _, err := s.ImportCerts(ctx, admin, kit.BytesSource("b.csv", []byte(file)), kit.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHolders times the organisations-at-a-date count behind the
// growth metrics and the public statistics (eleven such scans) over
// 200,000 certificates, against the plain count of the rows valid that day
// as the baseline of the same run.
func BenchmarkHolders(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	s := nqi.NewService(db, nil)
	if _, err := s.ImportCerts(ctx, admin, kit.BytesSource("b.csv", []byte(benchCerts(200_000))), kit.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Run("distinct-holders", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := nqi.Holders(ctx, db.Reader(), "", "2021-06-30", ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stats-page-10-years", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.Stats(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-count-rows", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM certificates WHERE valid_from <= $1 AND valid_to >= $1`, "2021-06-30").Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
