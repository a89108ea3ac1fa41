package virtmanager

import "libvirt.org/go/libvirt"

// Domain states as reported on the launcher protocol.
const (
	StateNoState      = "NoState"
	StateRunning      = "Running"
	StateBlocked      = "Blocked"
	StatePaused       = "Paused"
	StateShuttingDown = "ShuttingDown"
	StateShutoff      = "Shutoff"
	StateCrashed      = "Crashed"
	StatePMSuspended  = "PMSuspended"
)

// Shut-off reasons as reported on the launcher protocol.
const (
	ReasonUnknown   = "Unknown"
	ReasonShutdown  = "Shutdown"
	ReasonDestroyed = "Destroyed"
	ReasonCrashed   = "Crashed"
	ReasonFailed    = "Failed"
	ReasonUser      = "User"
	// ReasonMigrated: the domain left for another launcher (shut off here).
	ReasonMigrated = "Migrated"
	// ReasonMigrating: a migration holds the domain paused, or has not
	// brought it to this launcher yet.
	ReasonMigrating = "Migrating"
)

func stateName(s libvirt.DomainState) string {
	switch s {
	case libvirt.DOMAIN_RUNNING:
		return StateRunning
	case libvirt.DOMAIN_BLOCKED:
		return StateBlocked
	case libvirt.DOMAIN_PAUSED:
		return StatePaused
	case libvirt.DOMAIN_SHUTDOWN:
		return StateShuttingDown
	case libvirt.DOMAIN_SHUTOFF:
		return StateShutoff
	case libvirt.DOMAIN_CRASHED:
		return StateCrashed
	case libvirt.DOMAIN_PMSUSPENDED:
		return StatePMSuspended
	}
	return StateNoState
}

func reasonName(s libvirt.DomainState, reason int) string {
	switch s {
	case libvirt.DOMAIN_SHUTOFF:
		switch libvirt.DomainShutoffReason(reason) {
		case libvirt.DOMAIN_SHUTOFF_SHUTDOWN:
			return ReasonShutdown
		case libvirt.DOMAIN_SHUTOFF_DESTROYED:
			return ReasonDestroyed
		case libvirt.DOMAIN_SHUTOFF_CRASHED:
			return ReasonCrashed
		case libvirt.DOMAIN_SHUTOFF_FAILED:
			return ReasonFailed
		case libvirt.DOMAIN_SHUTOFF_MIGRATED:
			return ReasonMigrated
		}
	case libvirt.DOMAIN_PAUSED:
		switch libvirt.DomainPausedReason(reason) {
		case libvirt.DOMAIN_PAUSED_USER:
			return ReasonUser
		case libvirt.DOMAIN_PAUSED_MIGRATION:
			return ReasonMigrating
		}
	}
	return ReasonUnknown
}
