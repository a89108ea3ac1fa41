// Package sparse copies an image stream into a file or block device: into a fresh
// file it skips all-zero blocks and seeks past them (the file stays sparse and
// reads as zeros there); into a device, which may hold old data, it writes every
// byte. It enforces the target's size. It must not import the rest of the importer.
package sparse
