// Package migrationmetrics exposes the transfers this node's virt-handler
// sends as upstream's per-VMI migration gauges, from the progress the
// handler last read from each source launcher (no launcher is called at
// scrape time).
package migrationmetrics
