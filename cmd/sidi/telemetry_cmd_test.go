package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTelemetryCommandsRefuseBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ingest"}, "tcp://"},
		{[]string{"ingest", "--mqtt", "http://x:1"}, "tcp://"},
		{[]string{"ingest", "--mqtt", "tcp://127.0.0.1"}, "tcp://"},
		{[]string{"ingest", "--mqtt", "tcp://127.0.0.1:1", "--window", "0"}, "--window"},
		{[]string{"ingest", "--mqtt", "tcp://127.0.0.1:1", "--demo-devices", "5", "--devices", "x.json"}, "--devices"},
		{[]string{"ingest", "extra", "--mqtt", "tcp://127.0.0.1:1"}, "extra"},
		{[]string{"bench", "telemetry", "--messages", "0"}, "--messages"},
		{[]string{"bench", "telemetry", "--broker", "mosquitto"}, "tcp://"},
		{[]string{"demo", "--mqtt-listen", "localhost", "--no-serve"}, "--mqtt-listen"},
		{[]string{"demo", "--sim-interval", "1ms", "--no-serve"}, "--sim-interval"},
		{[]string{"serve", "--mqtt-listen", "127.0.0.1:x"}, "--mqtt-listen"},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q (want 2 and %q)", tc.args, code, errOut, tc.want)
		}
	}
}

func TestBenchTelemetryEmbedded(t *testing.T) {
	code, out, errOut := runCLI(t, "bench", "telemetry", "--messages", "400", "--devices", "20", "--data", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Pipeline float64 `json:"pipeline_msgs_per_s"`
		Bare     float64 `json:"bare_msgs_per_s"`
		Ratio    float64 `json:"ratio"`
		Lost     *int64  `json:"lost"`
		RSS      float64 `json:"rss_mb"`
		Stored   int     `json:"stored"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if res.Pipeline <= 0 || res.Bare <= 0 || res.Ratio <= 0 || res.Lost == nil || *res.Lost != 0 || res.Stored != 400 || res.RSS <= 0 {
		t.Fatalf("%s", out)
	}
}
