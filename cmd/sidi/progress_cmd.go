package main

// progressCommands are the reporting and bulletin commands.
func progressCommands() []*Command { return nil }
