// Package adm is `virtctl adm`: cluster administration commands, today
// `log-verbosity`, which reads and patches the KubeVirt CR's
// developerConfiguration.logVerbosity. It must not import the other command packages.
package adm
