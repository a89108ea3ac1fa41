// Package certs serves TLS key pairs from files that may be replaced at any time
// (rotation without restart) and writes self-signed pairs for tests and local
// runs. It imports only the standard library.
package certs
