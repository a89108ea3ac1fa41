// Package pidwatch reports when a process exits, through a Linux pidfd
// (pidfd_open + poll), without being the process's parent. It only watches:
// it must not import anything of kvirt.
package pidwatch
