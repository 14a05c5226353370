package telemetry

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestChartsSection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := NewStore(db)
		now := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
		d := Device{Code: "11006328012020000001", CreditCode: "C"}
		c := &Charts{Store: st, Now: func() time.Time { return now }, RefreshURL: func(d Device) string { return "/equipment/" + d.Code + "/telemetry/charts" }}
		sec, err := c.Section(ctx, auth.Principal{}, d)
		if err != nil || !strings.Contains(string(sec.HTML), "尚未收到") {
			t.Fatalf("empty section: %v %s", err, sec.HTML)
		}
		var msgs []Message
		for i := range 120 {
			m := boilerMsg(d.Code, now.Add(-time.Duration(120-i)*30*time.Second), 1+float64(i)/1000)
			m.Device = d
			msgs = append(msgs, m)
		}
		if _, err := st.Write(ctx, msgs, nil); err != nil {
			t.Fatal(err)
		}
		sec, err = c.Section(ctx, auth.Principal{}, d)
		if err != nil {
			t.Fatal(err)
		}
		h := string(sec.HTML)
		for _, want := range []string{`data-live="/equipment/11006328012020000001/telemetry/charts"`, "<title>蒸汽压力</title>", "<desc id=", `role="img"`,
			"<th scope=\"col\">平均（MPa）</th>", "汽包水位", "低水位报警", `class="ylab"`, `class="xlab"`, "12:00"} {
			if !strings.Contains(h, want) {
				t.Errorf("section lacks %q", want)
			}
		}
		if strings.Index(h, "蒸汽压力") > strings.Index(h, "低水位报警") {
			t.Error("alarm point drawn before the pressure")
		}
		sq, err := ParseSeriesQuery(url.Values{"point": {PointSteamPressure}, "buckets": {"2"}}, now)
		if err != nil {
			t.Fatal(err)
		}
		js, err := c.Series(ctx, d, sq)
		if err != nil || len(js.Samples) != 2 || js.Unit != "MPa" || js.BucketMS != 1800000 || js.Samples[1].N != 60 {
			t.Fatalf("series %+v %v", js, err)
		}
	})
}

func TestParseSeriesQuery(t *testing.T) {
	now := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	for _, q := range []string{"", "point=<x>", "point=o2&from=yesterday", "point=o2&from=2026-12-06T05:00:00Z", "point=o2&buckets=0", "point=o2&buckets=x",
		"point=o2&from=2020-01-01T00:00:00Z"} {
		v, _ := url.ParseQuery(q)
		if _, err := ParseSeriesQuery(v, now); err == nil {
			t.Errorf("%q accepted", q)
		}
	}
	v, _ := url.ParseQuery("point=o2&from=1796529540000&to=2026-12-06T03:59:30Z&buckets=30")
	sq, err := ParseSeriesQuery(v, now)
	if err != nil || sq.Buckets != 30 || !sq.From.Equal(time.UnixMilli(1796529540000)) {
		t.Fatalf("%+v %v", sq, err)
	}
}
