package telemetry

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkStoreWrite measures one committed batch of 512 five-point
// messages: go test -bench StoreWrite ./internal/telemetry/
func BenchmarkStoreWrite(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			s := NewStore(db)
			base := time.Now().Add(-time.Hour)
			k := 0
			b.ResetTimer()
			for range b.N {
				msgs := make([]Message, 512)
				for i := range msgs {
					msgs[i] = Message{Device: Device{Code: fmt.Sprintf("D%03d", k%50)}, At: base.Add(time.Duration(k) * time.Millisecond), Received: base, Points: BenchPoints(k)}
					k++
				}
				if _, err := s.Write(context.Background(), msgs, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(512*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
