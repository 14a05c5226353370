package telemetry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func boilerMsg(code string, at time.Time, pressure float64) Message {
	return Message{Device: Device{ID: 7, Code: code, CreditCode: "C"}, At: at, Received: at.Add(time.Second),
		Points: []Point{{PointLowWater, 0, ""}, {PointSteamPressure, pressure, "MPa"}, {PointWaterLevel, -20, "mm"}}}
}

func TestStoreWriteIdempotentAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewStore(db)
		base := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
		var msgs []Message
		for i := range 450 { // more than one multi-row insert
			msgs = append(msgs, boilerMsg("DEV-A", base.Add(time.Duration(i)*time.Second), float64(i)/100))
		}
		n, err := s.Write(ctx, msgs, nil)
		if err != nil || n != 450 {
			t.Fatalf("write: %d %v", n, err)
		}
		// Redelivery of the same messages (and one new) stores only the new one.
		n, err = s.Write(ctx, append(msgs[:10:10], boilerMsg("DEV-A", base.Add(-time.Second), 9)), nil)
		if err != nil || n != 1 {
			t.Fatalf("rewrite: %d %v", n, err)
		}
		if c, _ := s.Count(ctx, "DEV-"); c != 451 {
			t.Fatalf("count %d", c)
		}
		ser, err := s.Series(ctx, "DEV-A", PointSteamPressure, base, base.Add(450*time.Second), 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ser) != 3 || ser[0].N != 150 || ser[0].Min != 0 || ser[0].Max != 1.49 || ser[2].Max != 4.49 || !ser[1].At.Equal(base.Add(150*time.Second)) {
			t.Fatalf("series %+v", ser)
		}
		if diff := ser[0].Mean - 0.745; diff > 1e-9 || diff < -1e-9 {
			t.Fatalf("mean %v", ser[0].Mean)
		}
		if ser, _ := s.Series(ctx, "DEV-A", "no_such_point", base, base.Add(time.Hour), 10); len(ser) != 0 {
			t.Fatalf("missing point gave %v", ser)
		}
		if _, err := s.Series(ctx, "DEV-A", "x') OR 1=1 --", base, base.Add(time.Hour), 10); err == nil {
			t.Fatal("bad point name accepted")
		}
		r, ok, err := s.Latest(ctx, "DEV-A")
		if err != nil || !ok || !r.At.Equal(base.Add(449*time.Second)) || len(r.Points) != 3 || r.Points[1] != (Point{PointSteamPressure, 4.49, "MPa"}) {
			t.Fatalf("latest %+v %v %v", r, ok, err)
		}
		if _, ok, _ := s.Latest(ctx, "NONE"); ok {
			t.Fatal("latest of unknown device")
		}
	})
}

func TestStoreDeadLettersBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewStore(db)
		s.maxDead = 5
		payload := make([]byte, 2000)
		for i := range payload {
			payload[i] = byte(i)
		}
		for i := range 8 {
			err := &Rejection{Reason: ReasonBadJSON, Detail: fmt.Sprint(i)}
			if _, err := s.Write(ctx, nil, []DeadLetter{NewDeadLetter("sidi/v1/x/y/telemetry", payload, time.Now(), err)}); err != nil {
				t.Fatal(err)
			}
		}
		// A registry failure and invalid UTF-8 in the detail are kept too.
		if _, err := s.Write(ctx, nil, []DeadLetter{NewDeadLetter("t\xff", []byte("x"), time.Now(), errors.New("down \xff"))}); err != nil {
			t.Fatal(err)
		}
		ds, err := s.DeadLetters(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 5 || ds[0].Reason != ReasonRegistryFailed || ds[1].Reason != ReasonBadJSON || len(ds[1].Payload) != DeadPayload || ds[1].Size != 2000 || ds[1].Detail != "报文不是有效的 JSON（bad_json）：7" {
			t.Fatalf("dead letters %d: %+v", len(ds), ds[:min(2, len(ds))])
		}
	})
}
