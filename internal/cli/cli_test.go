package cli

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseArgsFlagsAnywhere(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		limit int
		data  string
		json  bool
		pos   []string
	}{
		{"flags first", []string{"--limit", "5", "--data", "D", "牦牛"}, 5, "D", false, []string{"牦牛"}},
		{"flags after", []string{"牦牛", "--limit", "5", "--data", "D"}, 5, "D", false, []string{"牦牛"}},
		{"flags between", []string{"牦牛", "--json", "枸杞", "--limit=7"}, 7, "", true, []string{"牦牛", "枸杞"}},
		{"double dash ends flags", []string{"--limit", "3", "--", "-x", "--data", "D"}, 3, "", false, []string{"-x", "--data", "D"}},
		{"double dash as a value", []string{"--data", "--", "q"}, 20, "--", false, []string{"q"}},
		{"single dash is positional", []string{"-", "--json"}, 20, "", true, []string{"-"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			limit := fs.Int("limit", 20, "")
			data := fs.String("data", "", "")
			js := fs.Bool("json", false, "")
			if err := ParseArgs(fs, c.args); err != nil {
				t.Fatal(err)
			}
			if *limit != c.limit || *data != c.data || *js != c.json || !slices.Equal(fs.Args(), c.pos) {
				t.Errorf("got limit=%d data=%q json=%v pos=%q", *limit, *data, *js, fs.Args())
			}
		})
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := ParseArgs(fs, []string{"q", "--nope"}); err == nil {
		t.Error("an unknown flag after a positional argument was accepted")
	}
}
