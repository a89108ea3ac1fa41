// Package format tells what a disk image stream holds from its first bytes: raw,
// qcow2 (and the other images qemu-img converts), or a compressed stream (gzip,
// xz, zstd, bzip2), and reads a qcow2 header's virtual size. Pure functions over
// byte slices; it must not import the rest of the importer or do I/O.
package format
