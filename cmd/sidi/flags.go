package main

import (
	"flag"
	"fmt"
)

// parseArgs parses args into fs accepting flags anywhere: before, between
// and after positional arguments (`sidi standards search 牦牛 --limit 5`).
// A lone "--" ends the flags; everything after it is positional even when
// it starts with a dash. fs.Args() holds the positional arguments after.
func parseArgs(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		used := len(args) - len(rest)
		if used > 0 && args[used-1] == "--" && !flagValue(fs, args[:used-1]) {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// flagValue reports whether the argument after before is the value of a
// flag written as "--name value" (so a "--" there is a value, not the end
// of the flags).
func flagValue(fs *flag.FlagSet, before []string) bool {
	if len(before) == 0 {
		return false
	}
	last := before[len(before)-1]
	name := ""
	switch {
	case len(last) > 2 && last[:2] == "--":
		name = last[2:]
	case len(last) > 1 && last[0] == '-':
		name = last[1:]
	default:
		return false
	}
	for i := range len(name) {
		if name[i] == '=' {
			return false
		}
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// intRange refuses a flag value outside [lo, hi] instead of clamping it.
func intRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usageError{fmt.Sprintf("--%s 须在 %d 到 %d 之间（收到 %d） --%s must be between %d and %d", name, lo, hi, v, name, lo, hi)}
	}
	return nil
}
