// Package expose is `virtctl expose vm|vmi|vmirs NAME`: it creates a Service
// selecting the launcher pods of a VM, a VMI or a VMI replica set, as upstream's
// command does. It must not import the other command packages.
package expose
