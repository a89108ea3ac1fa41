package launcherv1

// Versions of the launcher protocol this build speaks, oldest first. A new
// version adds RPCs or fields; a handler talks to an older launcher at the
// older launcher's highest version and does not call what it lacks.
//
// 1: domain lifecycle, stats, console.
// 2: the guest agent (GetGuestAgent, Freeze, Unfreeze, GuestExec, GuestPing).
// 3: identity and per-launcher events: Ping reports the VMI UID, WatchDomain
// streams domain events (the notify socket is gone);
// DomainStats, libvirt's bulk stats for virt-handler's metrics.
// 4: SyncVMI carries the pod network bindings virt-handler built
// (pod_interfaces); the launcher no longer changes its network namespace.
// 5: live migration (PrepareMigrationTarget, Migrate, AbortMigration,
// GetMigration).
var supportedVersions = []uint32{1, 2, 3, 4, 5}

// VersionGuestAgent is the first version with the guest agent RPCs.
const VersionGuestAgent = 2

// VersionIdentity is the first version whose Ping names the VMI and which
// serves WatchDomain; virt-handler refuses launchers below it, since they
// cannot say which VMI they serve.
const VersionIdentity = 3

// VersionDomainStats is the first version with the DomainStats RPC (the same
// release as the identity checks).
const VersionDomainStats = 3

// VersionPodNetwork is the first version whose launcher expects virt-handler
// to build the pod network (SyncVMIRequest.pod_interfaces).
const VersionPodNetwork = 4

// VersionMigration is the first version with the live migration RPCs.
const VersionMigration = 5

// SupportedVersions returns the protocol versions this build speaks.
func SupportedVersions() []uint32 {
	return append([]uint32(nil), supportedVersions...)
}

// Negotiate returns the highest version both sides speak, or 0 if none.
func Negotiate(ours, theirs []uint32) uint32 {
	best := uint32(0)
	for _, a := range ours {
		for _, b := range theirs {
			if a == b && a > best {
				best = a
			}
		}
	}
	return best
}
