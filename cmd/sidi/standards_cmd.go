package main

// standardsCommands are the standards registry commands (sidi standards …).
func standardsCommands() []*Command { return nil }
