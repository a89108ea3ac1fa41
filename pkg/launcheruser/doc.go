// Package launcheruser decides which user a VMI's launcher and QEMU run as: UID
// 107 with no capabilities but NET_BIND_SERVICE, for every VMI. virt-handler
// builds the pod network bindings (pkg/network/podsetup), so no launcher needs
// NET_ADMIN. It is shared by virt-api (status.runtimeUser) and the launcher pod
// renderer, so the two cannot disagree. It imports only the API types.
package launcheruser
