// Package podsocket lets virt-handler reach a unix socket inside one launcher
// pod's emptyDir through the kubelet's pod volume directory without following
// any path the tenant could have changed (openat2 with RESOLVE_NO_SYMLINKS and
// RESOLVE_BENEATH, then connect through the opened inode), and checks with
// SO_PEERCRED that the listening process is that pod's. It knows nothing of
// VMIs or gRPC and must not import virt-handler packages.
package podsocket
