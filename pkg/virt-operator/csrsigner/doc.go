// Package csrsigner is virt-operator's signer kubevirt.io/node-api: it
// approves and signs, with the install's CA, the CertificateSigningRequests of
// virt-handler for its own node's node API serving certificate, and denies
// every other request for that signer with a reason. The decision is the pure
// function Decide; the controller only reads CSRs and the CA Secret and
// writes approval and status. It must not import other components' packages.
package csrsigner
