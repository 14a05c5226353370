package audit

import (
	"strings"
	"testing"
)

func TestLabelFallback(t *testing.T) {
	l := Foundations()
	for _, c := range []struct{ got, want string }{
		{l.Entity("report"), "报送"}, {l.Action("save"), "保存"}, {l.Field("dept_id"), "部门"},
		{l.Entity("no_such"), "no_such"}, {l.Action(""), ""}, {l.Field("zzz_key"), "zzz_key"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestMergeLabels(t *testing.T) {
	reg := Labels{Entities: map[string]string{"base": "标准化生产基地"}, Actions: map[string]string{"recognise": "认定"}}
	cases := []struct {
		name string
		sets []Labels
		err  string
		want map[string]string // entity or action code → label
	}{
		{"foundations and a register", []Labels{Foundations(), reg}, "", map[string]string{"report": "报送", "base": "标准化生产基地", "recognise": "认定", "save": "保存"}},
		{"the same name twice", []Labels{reg, reg}, "", map[string]string{"base": "标准化生产基地"}},
		{"nil maps", []Labels{{}, reg}, "", map[string]string{"recognise": "认定"}},
		{"an entity named twice", []Labels{reg, {Entities: map[string]string{"base": "基地"}}}, `entity "base" is named both "标准化生产基地" and "基地"`, nil},
		{"an action named twice", []Labels{Foundations(), {Actions: map[string]string{"save": "存"}}}, `action "save"`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Merge(c.sets...)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for code, want := range c.want {
				if got.Entity(code) != want && got.Action(code) != want {
					t.Errorf("%s: entity %q, action %q, want %q", code, got.Entity(code), got.Action(code), want)
				}
			}
		})
	}
}
