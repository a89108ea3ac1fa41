// Package serverlimits is the one place that bounds kvirt's HTTP servers
// (virt-api, virt-handler's node API and health endpoint, the metrics
// servers): how long a client may take to send its headers and its request,
// how long an idle keep-alive connection stays open, how large headers and
// websocket messages may be; and it lifts the deadlines from a connection that
// was upgraded to a long-lived stream. It imports nothing of kvirt.
package serverlimits
