// Package stats computes the summary statistics of the perf reports: nearest-rank
// percentiles of durations and the latency of a VMI from its phase-transition
// timestamps. Pure functions; it must not import client or cluster code.
package stats
