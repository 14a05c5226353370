package main

// userCommands are the account commands (sidi user …).
func userCommands() []*Command { return nil }
