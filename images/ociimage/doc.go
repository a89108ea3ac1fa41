// Package ociimage assembles container images without a Docker engine: it turns file
// trees into reproducible layers (fixed timestamps and owners, sorted entries), stacks
// them into a single-platform image and writes an OCI image archive that
// `ctr images import` accepts. The tag is derived from the image's content digest, so
// the same inputs always give the same reference. It must not import kvirt's
// component packages: it only packages files.
package ociimage
