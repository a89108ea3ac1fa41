// Package unsupported is kvirt's one table of the API fields it accepts in its
// schema but does not implement, and the admission check built from it: a VMI,
// VM or replica set template, preset, or the instancetype/preference a VM names,
// that uses a refused field is denied with the field's path and "not supported
// by kvirt"; the few fields upstream's examples need are admitted with a
// warning instead. Paths are resolved against the Go API types once, when the
// Checker is compiled. It imports the API types and pkg/instancetype only,
// never the webhook or HTTP layers.
package unsupported
