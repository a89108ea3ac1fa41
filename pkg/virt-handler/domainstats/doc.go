// Package domainstats is virt-handler's Prometheus collector of per-VMI domain
// stats: on every scrape it asks each launcher of the node for its DomainStats
// in parallel under one deadline, skips (and counts) launchers that fail or do
// not answer in time, and renders the replies at upstream's kubevirt_vmi_*
// names, bounded in size. It reaches launchers only through the Launchers
// interface and must not import the VMI controller.
package domainstats
