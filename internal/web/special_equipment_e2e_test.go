package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"sidi/internal/alarms"
	"sidi/internal/auth"
	"sidi/internal/equipment"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/telemetry"
)

// TestGolmudBoilerLosesWater is issue 16's "done means", through every
// real part: the 格尔木 gas boiler of the register signs in to the embedded
// MQTT broker with the secret the register issued, publishes a healthy
// window, a fouled one (flue gas hotter: efficiency drops) and then low
// water level; the ingester commits and acknowledges, the rules engine
// raises the alarm, and within a second of the publish the alarm is on
// 海西州's live page, a hazard ticket is open, and the boiler's
// efficiency series shows the drop.
func TestGolmudBoilerLosesWater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := equipmentFixture(t, db)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))

		eng, engDone, err := f.set.StartAlarms(ctx, alarms.Options{Window: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		broker, err := telemetry.StartBroker(ctx, telemetry.BrokerConfig{Addr: "127.0.0.1:0", IngestSecret: "ingest-secret", Logger: log}, f.set.Equipment)
		if err != nil {
			t.Fatal(err)
		}
		in := telemetry.NewIngester(telemetry.IngestConfig{Logger: log}, f.set.Equipment, telemetry.NewStore(db), []telemetry.Observer{eng})
		inDone := make(chan struct{})
		go func() { defer close(inDone); in.RunLocal(ctx) }()
		broker.SetAsyncSink(in.SubmitAsync) // as sidi serve and sidi demo run it
		defer func() { cancel(); <-inDone; <-engDone; broker.Close() }()

		e, err := f.set.Equipment.ByCode(ctx, auth.CLI("test"), equipment.DemoGolmudBoiler)
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := f.set.Equipment.IssueSecret(ctx, auth.CLI("test"), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		dev := e.Device()
		if dev.Region[:4] != "6328" || dev.Fuel == "" {
			t.Fatalf("the demo boiler is not a fuelled boiler in 海西州: %+v", dev)
		}
		// A wrong secret is refused by the broker.
		if _, err := telemetry.NewPublisher(ctx, broker.URL(), []telemetry.Device{dev}, func(string) string { return "wrong" }); err == nil {
			t.Fatal("the broker let a device in with a wrong secret")
		}
		pub, err := telemetry.NewPublisher(ctx, broker.URL(), []telemetry.Device{dev}, func(string) string { return secret })
		if err != nil {
			t.Fatal(err)
		}
		defer pub.Close()
		reading := func(flue, level, low float64) []telemetry.Point {
			return []telemetry.Point{{Name: telemetry.PointFlueTemp, Value: flue, Unit: "°C"}, {Name: telemetry.PointAirTemp, Value: 20, Unit: "°C"},
				{Name: telemetry.PointO2, Value: 3.5, Unit: "%"}, {Name: telemetry.PointWaterLevel, Value: level, Unit: "mm"},
				{Name: telemetry.PointLowWater, Value: low}}
		}
		t0 := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
		for i := 0; i <= 13; i++ { // 0…30 s healthy, 35…65 s fouled
			flue := 150.0
			if i > 6 {
				flue = 230
			}
			if err := pub.Publish(ctx, dev.Code, t0.Add(time.Duration(i)*5*time.Second), reading(flue, 0, 0)); err != nil {
				t.Fatal(err)
			}
		}
		insp := f.client(t)
		insp.login("demo-inspector", auth.DemoPassword)
		sent := time.Now()
		if err := pub.Publish(ctx, dev.Code, time.Now(), reading(230, -180, 1)); err != nil {
			t.Fatal(err)
		}
		for {
			_, body := insp.get("/special-equipment/regions/632800/live")
			if strings.Contains(body, "锅炉低水位") && strings.Contains(body, dev.Code) {
				break
			}
			if time.Since(sent) > time.Second {
				t.Fatalf("the alarm is not on 海西州's page within a second of the publish:\n%s", body)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("publish → alarm on the prefecture page: %s", time.Since(sent))

		var hz struct {
			Hazards []struct {
				Code   string `json:"equipment_code"`
				Source string `json:"source"`
			} `json:"hazards"`
		}
		resp, body := insp.get("/api/v1/hazards")
		if err := json.Unmarshal([]byte(body), &hz); err != nil || resp.StatusCode != 200 {
			t.Fatalf("hazards API %d: %v\n%s", resp.StatusCode, err, body)
		}
		opened := false
		for _, h := range hz.Hazards {
			opened = opened || (h.Code == dev.Code && h.Source == "alarm")
		}
		if !opened {
			t.Fatalf("no hazard ticket opened for %s by the alarm:\n%s", dev.Code, body)
		}

		type window struct {
			End        time.Time `json:"window_end"`
			Efficiency float64   `json:"efficiency"`
		}
		var eff struct {
			Series []window `json:"series"`
		}
		resp, body = insp.get("/api/v1/boilers/" + dev.Code + "/efficiency")
		if err := json.Unmarshal([]byte(body), &eff); err != nil || resp.StatusCode != 200 {
			t.Fatalf("efficiency API %d: %v\n%s", resp.StatusCode, err, body)
		}
		if len(eff.Series) < 2 {
			t.Fatalf("want two efficiency windows (healthy, fouled), got %d:\n%s", len(eff.Series), body)
		}
		slices.SortFunc(eff.Series, func(a, b window) int { return a.End.Compare(b.End) })
		first, last := eff.Series[0].Efficiency, eff.Series[len(eff.Series)-1].Efficiency
		if !(last < first-2) {
			t.Fatalf("the fouled window's efficiency %.2f is not below the healthy %.2f", last, first)
		}
		_, page := insp.get("/equipment/" + dev.Code)
		for _, want := range []string{"锅炉低水位", "<svg", "热效率"} {
			if !strings.Contains(page, want) {
				t.Errorf("the boiler's page lacks %q", want)
			}
		}
	})
}
