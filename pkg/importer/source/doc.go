// Package source opens the byte stream an import reads: an http(s) URL (with the
// CA bundles of a certConfigMap added to the system roots, basic auth from a
// secretRef, and a few retries with backoff on connection errors) or a file or
// block device of a source PVC. It does not interpret the bytes; it must not
// import the rest of the importer.
package source
