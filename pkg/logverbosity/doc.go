// Package logverbosity applies spec.configuration.developerConfiguration.logVerbosity
// of the KubeVirt CR to a running component's logger without a restart. It
// imports the API and client modules only, never a component package.
package logverbosity
