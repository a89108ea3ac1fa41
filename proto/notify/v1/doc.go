// Package notifyv1 is the generated Go code of virt-handler's notify service
// (notify.proto): launchers report domain events through it. Only protoc writes the
// .pb.go files here; this package imports nothing from kvirt but launcherv1.
package notifyv1
