package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkLoginFailure compares a wrong password for an existing account
// with a guess at a name that does not exist, at the production argon2
// cost, reporting the time of each per attempt. Both run the same
// statements and one argon2 check of the same parameters, so their times
// should match (ns/op is the pair):
//
//	go test -run '^$' -bench LoginFailure -benchtime 40x ./internal/auth/
func BenchmarkLoginFailure(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			ctx := context.Background()
			o := org.NewService(db)
			if _, err := o.EnsureDirectory(ctx); err != nil {
				b.Fatal(err)
			}
			svc := auth.NewService(db, o)
			svc.MaxFailures = 1 << 30 // never lock: measure the failure path itself
			if _, err := svc.Bootstrap(ctx, "known", "已知", pw); err != nil {
				b.Fatal(err)
			}
			// The two paths alternate, so both see the same machine load.
			var spent [2]time.Duration
			logins := [2]string{"known", "nobody"}
			for i := 0; b.Loop(); i++ {
				for k := range 2 {
					k = (k + i) % 2
					start := time.Now()
					_, _, err := svc.Login(ctx, logins[k], "Wrong#Pass1", fmt.Sprintf("10.%d.%d.%d", i/250, i%250, k+1), "bench")
					spent[k] += time.Since(start)
					if !errors.Is(err, auth.ErrBadCredentials) {
						b.Fatal(err)
					}
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(spent[0].Microseconds())/1000/n, "existing-ms/op")
			b.ReportMetric(float64(spent[1].Microseconds())/1000/n, "unknown-ms/op")
			b.ReportMetric(100*(float64(spent[1])-float64(spent[0]))/float64(spent[0]), "diff-%")
		})
	}
}
