// Package launcheruser decides which user a VMI's launcher and QEMU run as: UID
// 107 with no capabilities but NET_BIND_SERVICE, unless the VMI binds the pod
// network by bridge, whose in-pod bridge and tap need root with NET_ADMIN. It is
// shared by virt-api (status.runtimeUser) and the launcher pod renderer, so the
// two cannot disagree. It imports only the API types.
package launcheruser
