// Package nodecert is the contract between virt-handler, virt-operator and
// virt-api on per-node node API serving certificates: the signer name, the
// DNS name a node's certificate carries, its key usages and the user-info
// extra key that records which node a requester runs on. It imports only the
// standard library and k8s.io/api; it issues, signs and verifies nothing.
package nodecert
