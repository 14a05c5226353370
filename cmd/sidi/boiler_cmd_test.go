package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBoilerEfficiencyCLI(t *testing.T) {
	type out struct {
		Alpha, Q2, Q3, Q4, Q5, Q6, Efficiency float64
		Version                               string `json:"coefficient_version"`
		Flags                                 []string
	}
	cases := []struct {
		name       string
		args       []string
		code       int
		q2, effi   float64
		q3         float64
		errContain string
	}{
		{"gas vector", []string{"--fuel", "natural_gas", "--flue-temp", "150", "--air-temp", "20", "--o2", "3.5"}, 0, 6.0729, 93.9271, 0, ""},
		{"oil vector, flags after fuel positional", []string{"fuel_oil", "--flue-temp=180", "--air-temp", "20", "--o2", "4"}, 0, 7.52, 92.48, 0, ""},
		{"lpg vector with losses", []string{"--o2", "5", "--fuel", "lpg", "--flue-temp", "160", "--air-temp", "20", "--co-ppm", "50", "--q5", "1.7"}, 0, 6.6325, 91.6465, 0.021, ""},
		{"O2 at 20.9 refused", []string{"--fuel", "natural_gas", "--flue-temp", "150", "--air-temp", "20", "--o2", "20.9"}, 1, 0, 0, 0, "--o2"},
		{"O2 negative refused", []string{"--fuel", "natural_gas", "--flue-temp", "150", "--air-temp", "20", "--o2", "-1"}, 1, 0, 0, 0, "含氧量"},
		{"flue below air refused", []string{"--fuel", "lpg", "--flue-temp", "15", "--air-temp", "20", "--o2", "3"}, 1, 0, 0, 0, "--flue-temp"},
		{"unknown fuel refused", []string{"--fuel", "牛粪", "--flue-temp", "150", "--air-temp", "20", "--o2", "3"}, 1, 0, 0, 0, "--fuel"},
		{"NaN refused", []string{"--fuel", "lpg", "--flue-temp", "NaN", "--air-temp", "20", "--o2", "3"}, 1, 0, 0, 0, "有限"},
		{"missing o2", []string{"--fuel", "lpg", "--flue-temp", "150", "--air-temp", "20"}, 2, 0, 0, 0, "--o2"},
		{"not a number", []string{"--fuel", "lpg", "--flue-temp", "热", "--air-temp", "20", "--o2", "3"}, 1, 0, 0, 0, "flue-temp"},
		{"two fuels", []string{"lpg", "--fuel", "lpg", "--flue-temp", "150", "--air-temp", "20", "--o2", "3"}, 2, 0, 0, 0, "多余"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"boiler", "efficiency"}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d: %s", code, c.code, stderr)
			}
			if c.code != 0 {
				if !strings.Contains(stderr, c.errContain) || stdout != "" {
					t.Errorf("stderr %q lacks %q (stdout %q)", stderr, c.errContain, stdout)
				}
				return
			}
			var o out
			if err := json.Unmarshal([]byte(stdout), &o); err != nil {
				t.Fatalf("not JSON: %v: %s", err, stdout)
			}
			if o.Q2 != c.q2 || o.Efficiency != c.effi || o.Q3 != c.q3 || o.Version == "" {
				t.Errorf("got %+v", o)
			}
		})
	}
}
