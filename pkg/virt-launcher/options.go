package virtlauncher

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"kvirt.io/kvirt/pkg/virt-launcher/hostdisks"
	"kvirt.io/kvirt/pkg/virt-launcher/libvirtembed"
)

// Options configures virt-launcher.
type Options struct {
	// SocketDir is the pod's socket emptyDir (virt-handler reaches it through
	// the kubelet's pod volume directory): the command socket and the serial
	// console live there.
	SocketDir string
	// VMIUID is the UID of the VMI this launcher serves: Ping reports it and
	// SyncVMI refuses any other.
	VMIUID string
	// StateDir is the root of libvirt's embedded QEMU driver (its state, logs and
	// QEMU capabilities cache, private to this launcher) and holds the scratch
	// files (cloud-init disks); default <socket-dir>/libvirt.
	StateDir string
	// Layout says where the VMI's volumes are mounted.
	Layout hostdisks.Layout
	// Emulator overrides the QEMU binary.
	Emulator string
	// DefaultGrace bounds the graceful shutdown on SIGTERM before the VMI is known.
	DefaultGrace time.Duration
	// FinalNotifyTimeout bounds how long the launcher waits, once its domain is
	// gone, for virt-handler to take the final state from WatchDomain.
	FinalNotifyTimeout time.Duration
	// SerialConsoleLog, when set, is the file the guest's serial console output
	// is appended to (the guest-console-log container prints it).
	SerialConsoleLog string
	// AccessCredentialsDir holds one directory per Secret of the VMI's
	// agent-propagated access credentials, named for the Secret (the launcher
	// pod mounts them there).
	AccessCredentialsDir string
	// MigrationTarget: the pod receives a live migration. The launcher then
	// runs a private libvirtd (pkg/virt-launcher/libvirtdaemon) instead of the
	// embedded driver, and its domain arrives with the migration.
	MigrationTarget bool
	// Libvirtd is the daemon a migration target runs.
	Libvirtd string
}

// AddFlags registers virt-launcher's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.SocketDir, "socket-dir", "", "the pod's socket directory (an emptyDir), e.g. /var/run/kvirt")
	fs.StringVar(&o.VMIUID, "vmi-uid", os.Getenv("KVIRT_VMI_UID"), "UID of the VMI this launcher serves (default $KVIRT_VMI_UID)")
	fs.StringVar(&o.StateDir, "state-dir", "",
		"private root of libvirt's embedded QEMU driver and scratch files (default <socket-dir>/libvirt)")
	fs.StringVar(&o.Layout.ContainerDiskDir, "container-disk-dir", "/var/run/kvirt/container-disks",
		"directory with one sub-directory per containerDisk volume")
	fs.StringVar(&o.Layout.KernelBootDir, "kernel-boot-dir", "/var/run/kvirt/kernel-boot", "kernelBoot container files")
	fs.StringVar(&o.Layout.PVCDir, "pvc-dir", "/var/run/kvirt-private/vmi-disks", "directory with <volume>/disk.img per PVC")
	fs.StringVar(&o.Layout.BlockDir, "block-dir", "/dev", "directory with a device node per block PVC")
	fs.StringVar(&o.Layout.ConfigDir, "config-volume-dir", "/var/run/kvirt-private/config-volumes",
		"directory with one sub-directory per configMap, secret, serviceAccount or downwardAPI volume")
	fs.Float64Var(&o.Layout.FilesystemOverhead, "filesystem-overhead", hostdisks.DefaultFilesystemOverhead,
		"share of a filesystem claim left free when disk.img is created in it")
	fs.StringToInt64Var(&o.Layout.ClaimCapacity, "claim-capacity", nil,
		"VOLUME=BYTES: a filesystem claim's capacity, which disk.img created in it does not exceed")
	fs.StringVar(&o.Emulator, "emulator", "", "QEMU binary (default: libvirt's choice)")
	fs.DurationVar(&o.DefaultGrace, "default-grace", 30*time.Second, "graceful shutdown deadline on SIGTERM")
	fs.StringVar(&o.SerialConsoleLog, "serial-console-log", "",
		"file the serial console output is appended to (empty: not logged)")
	fs.StringVar(&o.AccessCredentialsDir, "access-credentials-dir", "/var/run/kvirt-private/access-credentials",
		"directory with one sub-directory per access credential Secret, named for it")
	fs.BoolVar(&o.MigrationTarget, "migration-target", false,
		"receive the VMI through a live migration (runs a private libvirtd) instead of starting it")
	fs.StringVar(&o.Libvirtd, "libvirtd", "/usr/sbin/libvirtd", "the libvirtd binary a migration target runs")
	fs.DurationVar(&o.FinalNotifyTimeout, "final-notify-timeout", 10*time.Second,
		"how long to wait for virt-handler to take the final domain state before exiting")
}

// Validate checks the flags and fills derived defaults.
func (o *Options) Validate() error {
	if o.SocketDir == "" {
		return fmt.Errorf("--socket-dir is required")
	}
	if o.VMIUID == "" {
		return fmt.Errorf("--vmi-uid (or $KVIRT_VMI_UID) is required")
	}
	if o.StateDir == "" {
		o.StateDir = filepath.Join(o.SocketDir, "libvirt")
	}
	if o.Layout.ScratchDir == "" {
		o.Layout.ScratchDir = filepath.Join(o.StateDir, "scratch")
	}
	if len(o.StateDir) > libvirtembed.MaxRootLen {
		return fmt.Errorf("--state-dir %s is longer than %d bytes: QEMU's monitor socket would not fit a unix socket path",
			o.StateDir, libvirtembed.MaxRootLen)
	}
	return nil
}

// CommandSocket is the launcher's command socket inside a VMI socket directory.
func CommandSocket(socketDir string) string { return filepath.Join(socketDir, "launcher.sock") }

// ConsoleSocket is QEMU's serial console socket inside a VMI socket directory.
func ConsoleSocket(socketDir string) string { return filepath.Join(socketDir, "serial0") }

// VNCSocket is QEMU's VNC display socket inside a VMI socket directory.
func VNCSocket(socketDir string) string { return filepath.Join(socketDir, "vnc") }
