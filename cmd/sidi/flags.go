package main

import (
	"flag"

	"sidi/internal/cli"
	"sidi/internal/store"
)

// The command kit lives in internal/cli (registers write their own
// commands with it); these are its names inside the binary's package.

func parseArgs(fs *flag.FlagSet, args []string) error { return cli.ParseArgs(fs, args) }

func newFlags(name string, e *Env) *flag.FlagSet { return cli.NewFlags(name, e) }

func storageFlags(fs *flag.FlagSet, e *Env) func() store.Config { return cli.Storage(fs, e) }

func auditKeyFromEnv(e *Env) []byte { return cli.AuditKey(e) }

func readLimited(path string, max int64) ([]byte, error) { return cli.ReadLimited(path, max) }

func intRange(name string, v, lo, hi int) error {
	if err := cli.IntRange(name, v, lo, hi); err != nil {
		return usageError{err.Error()}
	}
	return nil
}
