// Package certs is kvirt's self-managed PKI as pure functions: from the
// Secrets and ConfigMap observed in the install namespace and the current time
// it computes the CA, the leaf certificates and the CA bundle that must exist,
// issuing or renewing only what is due. It applies nothing and imports no
// client; the operator writes the Plan it returns.
package certs
