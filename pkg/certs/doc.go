// Package certs serves TLS key pairs and CA bundles from files that may be
// replaced at any time (rotation without restart, including the symlink swap
// of Secret and ConfigMap volumes) and writes self-signed pairs for tests and
// local runs. It imports only the standard library.
package certs
