package indicator

import (
	"context"
	"testing"
	"time"
)

func TestRegister(t *testing.T) {
	r := NewRegistry()
	one := func(context.Context, Querier, time.Time, time.Time) (float64, error) { return 1, nil }
	if err := r.Register(Metric{Key: "a.b", Name: "甲", Compute: one}); err != nil {
		t.Fatal(err)
	}
	cases := []Metric{
		{Key: "a.b", Name: "重复", Compute: one},
		{Key: "", Name: "无键", Compute: one},
		{Key: "c", Name: "无函数"},
	}
	for _, m := range cases {
		if err := r.Register(m); err == nil {
			t.Errorf("Register(%q) accepted", m.Name)
		}
	}
	if _, ok := r.Get("a.b"); !ok || len(r.All()) != 1 {
		t.Fatal("registered metric missing")
	}
}
