// Package manifests embeds the generated CRDs and virt-api registration objects so
// virt-operator can install exactly what `make generate` wrote. It holds data only
// and must not import kvirt packages.
package manifests
