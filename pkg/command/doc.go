// Package command builds the cobra root command that every kvirt daemon shares:
// --version, logging flags, a zap-backed logr logger in the context, and a context
// cancelled on SIGINT/SIGTERM. It must not import any component package; components
// hand it an Options value instead.
package command
