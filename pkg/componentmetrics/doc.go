// Package componentmetrics holds the metrics every kvirt component serves:
// kubevirt_info{goversion,kubeversion}, kubevirt_virt_<component>_ready_status
// and, where there is leader election, kubevirt_virt_<component>_leading_status,
// plus the Go and process collectors. It must not import component packages.
package componentmetrics
