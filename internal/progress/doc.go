// Package progress owns the accountability loop of a plan: reporting
// periods, department reports with evidence and their review, the live
// state of every target (progress, schedule share, red/yellow/green/blue,
// forecast), roll-ups to tasks and pillars, department assessment and the
// periodic bulletin (通报).
//
// It imports store, audit, auth, org, plan and indicator; never web.
package progress
