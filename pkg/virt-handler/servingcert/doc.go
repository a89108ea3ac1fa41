// Package servingcert gets virt-handler's node API serving certificate, one
// that names only this node (nodecert.ServerName), through a
// CertificateSigningRequest for signer kubevirt.io/node-api, keeps the key
// and certificate under the handler's state directory so a restart reuses
// them, renews them after 80 % of their lifetime and hands the current pair to
// the TLS server. It must not import other components' packages.
package servingcert
