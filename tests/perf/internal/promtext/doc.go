// Package promtext reads counters out of a Prometheus text exposition (an
// apiserver's /metrics) and compares two readings: sums grouped by chosen labels,
// and the per-group increase between a start and an end reading. Pure functions; it
// must not import client or cluster code.
package promtext
