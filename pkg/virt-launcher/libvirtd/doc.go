// Package libvirtd runs one private libvirt daemon for one launcher. The daemon
// lives in its own mount namespace where the launcher's state directory is
// bind-mounted over libvirt's run, lib, etc and log directories, so no two VMs
// share a daemon, a socket or a status file. It knows nothing about VMIs.
package libvirtd
