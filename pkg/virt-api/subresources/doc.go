// Package subresources serves the aggregated subresources.kubevirt.io/v1 API:
// discovery, VM start/stop/restart/migrate with upstream's semantics, and 503
// answers for the node-side routes (pause, console, ...) until virt-handler
// serves them. Requests are authenticated by the aggregator's front-proxy
// certificate plus X-Remote-* headers and authorized by SubjectAccessReview.
package subresources
