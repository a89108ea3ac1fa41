// Package metrics holds virt-controller's Prometheus metrics: VMI phase counts and
// transition times, workqueue metrics (a client-go MetricsProvider) and REST client
// requests by verb and resource (a transport wrapper). Everything hangs off one
// Registry value; nothing is registered globally. It must not import controllers.
package metrics
