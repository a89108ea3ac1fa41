// Package qemuimg runs qemu-img to read an image's virtual size and to convert a
// qcow2 (or other) image into raw on a file or block device. It only runs the
// binary; deciding what to convert is the importer's.
package qemuimg
