// Package containerdisk copies files out of a container image's filesystem into a
// directory shared with another container: the launcher pod's init containers use
// it (as the static cmd/container-disk helper) to copy containerDisk images (/disk)
// and kernelBoot artefacts (/boot) into emptyDirs the compute container reads.
package containerdisk
