// Package launcherv1 is the generated Go code of the virt-launcher command service
// (launcher.proto): virt-handler calls it over the launcher's unix socket. Only
// protoc writes the .pb.go files here; this package imports nothing from kvirt.
package launcherv1
