package v1

// Devices are the guest's devices.
type Devices struct {
	// autoattachGraphicsDevice adds the default graphics device; without it there is no VNC. Defaults
	// to true.
	// +optional
	AutoattachGraphicsDevice *bool `json:"autoattachGraphicsDevice,omitempty"`
	// autoattachInputDevice adds a default input device (a USB tablet); defaults to false.
	// +optional
	AutoattachInputDevice *bool `json:"autoattachInputDevice,omitempty"`
	// autoattachMemBalloon adds a memory balloon device that reports guest memory statistics; defaults
	// to true.
	// +optional
	AutoattachMemBalloon *bool `json:"autoattachMemBalloon,omitempty"`
	// autoattachPodInterface adds an interface on the pod network when the VMI lists no interfaces;
	// defaults to true.
	// +optional
	AutoattachPodInterface *bool `json:"autoattachPodInterface,omitempty"`
	// autoattachSerialConsole adds the serial console that virtctl console connects to; defaults to
	// true.
	// +optional
	AutoattachSerialConsole *bool `json:"autoattachSerialConsole,omitempty"`
	// autoattachVSOCK gives the VM a VSOCK device and context ID; defaults to false.
	// +optional
	AutoattachVSOCK *bool `json:"autoattachVSOCK,omitempty"`
	// blockMultiQueue gives each virtio disk one queue per vCPU; defaults to false.
	// +optional
	BlockMultiQueue *bool `json:"blockMultiQueue,omitempty"`
	// clientPassthrough allows redirecting client devices, such as USB, into the guest.
	// +optional
	ClientPassthrough *ClientPassthroughDevices `json:"clientPassthrough,omitempty"`
	// disableHotplug, when true, prevents hotplugging volumes into this VM.
	// +optional
	DisableHotplug *bool `json:"disableHotplug,omitempty"`
	// disks lists the disks, CD-ROMs and LUNs of the guest; each names a volume.
	// +optional
	Disks []Disk `json:"disks,omitempty"`
	// downwardMetrics adds a virtio serial port through which the guest reads host metrics.
	// +optional
	DownwardMetrics *DownwardMetrics `json:"downwardMetrics,omitempty"`
	// filesystems lists volumes shared into the guest as virtiofs filesystems instead of disks.
	// +optional
	// +listType=atomic
	Filesystems []Filesystem `json:"filesystems,omitempty"`
	// gpus lists GPUs (or vGPUs) passed to the guest, from a device plugin or a resource claim.
	// +optional
	// +listType=atomic
	GPUs []GPU `json:"gpus,omitempty"`
	// hostDevices lists host devices passed to the guest, from a device plugin or a resource claim.
	// +optional
	// +listType=atomic
	HostDevices []HostDevice `json:"hostDevices,omitempty"`
	// inputs lists input devices such as tablets.
	// +optional
	Inputs []Input `json:"inputs,omitempty"`
	// interfaces lists the guest's network interfaces; each names a network.
	// +optional
	Interfaces []Interface `json:"interfaces,omitempty"`
	// logSerialConsole streams the serial console output into the guest-console-log container of the
	// launcher pod.
	// +optional
	LogSerialConsole *bool `json:"logSerialConsole,omitempty"`
	// networkInterfaceMultiqueue gives each virtio interface one queue per vCPU.
	// +optional
	NetworkInterfaceMultiqueue *bool `json:"networkInterfaceMultiqueue,omitempty"`
	// panicDevices lists devices through which a crashing guest reports its panic.
	// +optional
	PanicDevices []PanicDevice `json:"panicDevices,omitempty"`
	// rng adds a virtio random number generator fed by the host.
	// +optional
	RNG *Rng `json:"rng,omitempty"`
	// sound adds a sound card.
	// +optional
	Sound *SoundDevice `json:"sound,omitempty"`
	// tpm adds an emulated TPM.
	// +optional
	TPM *TPMDevice `json:"tpm,omitempty"`
	// useVirtioTransitional uses transitional virtio devices, for old guests (such as RHEL 6) that
	// lack virtio 1.0 drivers.
	// +optional
	UseVirtioTransitional *bool `json:"useVirtioTransitional,omitempty"`
	// video sets the type of the video device.
	// +optional
	Video *VideoDevice `json:"video,omitempty"`
	// watchdog adds a watchdog device.
	// +optional
	Watchdog *Watchdog `json:"watchdog,omitempty"`
}

// ClientPassthroughDevices enables client device redirection; it has no fields.
type ClientPassthroughDevices struct {
}

// Disk attaches a volume to the guest as a disk, CD-ROM or LUN.
type Disk struct {
	// blockSize sets the logical and physical block sizes the guest sees.
	// +optional
	BlockSize *BlockSize `json:"blockSize,omitempty"`
	// bootOrder is the disk's place in the boot order, from 1 up; lower boots first and values are
	// unique over disks and interfaces. Once any device has one, devices without one are not tried.
	// +optional
	BootOrder *int32 `json:"bootOrder,omitempty"`
	// cache is the host cache mode: none, writethrough or writeback.
	// +optional
	Cache string `json:"cache,omitempty"`
	// cdrom attaches the volume as a CD-ROM.
	// +optional
	Cdrom *CDRomTarget `json:"cdrom,omitempty"`
	// changedBlockTracking enables changed block tracking on the disk, for incremental backups;
	// defaults to false.
	// +optional
	ChangedBlockTracking *bool `json:"changedBlockTracking,omitempty"`
	// dedicatedIOThread gives the disk an iothread of its own; virtio only, defaults to false.
	// +optional
	DedicatedIOThread *bool `json:"dedicatedIOThread,omitempty"`
	// disk attaches the volume as a plain disk; the default when no target is set.
	// +optional
	Disk *DiskTarget `json:"disk,omitempty"`
	// errorPolicy says what an I/O error does: stop (default), ignore, report or enospace.
	// +optional
	ErrorPolicy string `json:"errorPolicy,omitempty"`
	// io is the QEMU I/O mode: native or threads; chosen from the volume when unset.
	// +optional
	IO string `json:"io,omitempty"`
	// lun attaches the volume as a SCSI LUN.
	// +optional
	LUN *LunTarget `json:"lun,omitempty"`
	// name identifies the disk and names the volume it shows.
	// +required
	Name string `json:"name"`
	// serial is the disk's serial number in the guest: letters, digits and _.+- only, at most 256
	// characters.
	// +optional
	Serial string `json:"serial,omitempty"`
	// shareable lets several VMs write to the disk at the same time.
	// +optional
	Shareable *bool `json:"shareable,omitempty"`
	// tag is passed with the disk's address to the guest through config-drive metadata.
	// +optional
	Tag string `json:"tag,omitempty"`
}

// DownwardMetrics is the host metrics serial device; it has no fields.
type DownwardMetrics struct {
}

// Filesystem shares a volume into the guest as a filesystem.
type Filesystem struct {
	// name names the volume to share; the guest mounts it by this tag.
	// +required
	Name string `json:"name"`
	// virtiofs shares the volume through virtiofs.
	// +required
	Virtiofs *FilesystemVirtiofs `json:"virtiofs"`
}

// GPU is a GPU passed to the guest.
type GPU struct {
	// claimName names an entry of spec.resourceClaims that provides the GPU.
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// deviceName is the device plugin's resource name of the GPU.
	// +optional
	DeviceName string `json:"deviceName,omitempty"`
	// name identifies the GPU within the VMI.
	// +required
	Name string `json:"name"`
	// requestName names the request within that claim.
	// +optional
	RequestName string `json:"requestName,omitempty"`
	// tag is passed with the device's address to the guest through config-drive metadata.
	// +optional
	Tag string `json:"tag,omitempty"`
	// virtualGPUOptions sets vGPU display options.
	// +optional
	VirtualGPUOptions *VGPUOptions `json:"virtualGPUOptions,omitempty"`
}

// HostDevice is a host device passed to the guest.
type HostDevice struct {
	// claimName names an entry of spec.resourceClaims that provides the device.
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// deviceName is the device plugin's resource name of the device.
	// +optional
	DeviceName string `json:"deviceName,omitempty"`
	// name identifies the device within the VMI.
	// +required
	Name string `json:"name"`
	// requestName names the request within that claim.
	// +optional
	RequestName string `json:"requestName,omitempty"`
	// tag is passed with the device's address to the guest through config-drive metadata.
	// +optional
	Tag string `json:"tag,omitempty"`
}

// Input is an input device.
type Input struct {
	// bus is usb (default) or virtio.
	// +optional
	Bus string `json:"bus,omitempty"`
	// name identifies the device.
	// +required
	Name string `json:"name"`
	// type is the device type; tablet is the only one.
	// +required
	Type string `json:"type"`
}

// PanicDevice reports guest panics.
type PanicDevice struct {
	// model is isa, hyperv or pvpanic; the hypervisor picks one for the architecture when unset.
	// +optional
	Model string `json:"model,omitempty"`
}

// Rng is a virtio random number generator; it has no fields.
type Rng struct {
}

// SoundDevice is a sound card.
type SoundDevice struct {
	// model is ich9 (default) or ac97.
	// +optional
	Model string `json:"model,omitempty"`
	// name identifies the sound device.
	// +required
	Name string `json:"name"`
}

// TPMDevice is an emulated TPM.
type TPMDevice struct {
	// enabled, when false, removes a TPM a preference would add; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// persistent keeps the TPM state across restarts and migrations; defaults to false.
	// +optional
	Persistent *bool `json:"persistent,omitempty"`
}

// VideoDevice is the video device.
type VideoDevice struct {
	// type is the video device model, e.g. virtio, vga, bochs or ramfb; the default depends on
	// architecture and firmware.
	// +optional
	Type string `json:"type,omitempty"`
}

// Watchdog is a watchdog device; one model field is set.
type Watchdog struct {
	// diag288 adds a diag288 watchdog (s390x).
	// +optional
	Diag288 *Diag288Watchdog `json:"diag288,omitempty"`
	// i6300esb adds an Intel 6300ESB watchdog (amd64).
	// +optional
	I6300esb *I6300ESBWatchdog `json:"i6300esb,omitempty"`
	// name identifies the watchdog.
	// +required
	Name string `json:"name"`
}

// BlockSize sets the block sizes a disk reports.
type BlockSize struct {
	// custom sets the block sizes explicitly.
	// +optional
	Custom *CustomBlockSize `json:"custom,omitempty"`
	// matchVolume takes the block sizes from the volume.
	// +optional
	MatchVolume *FeatureState `json:"matchVolume,omitempty"`
}

// CDRomTarget attaches a volume as a CD-ROM.
type CDRomTarget struct {
	// bus is the bus of the drive: sata or scsi (virtio is refused); defaults by architecture (sata on
	// amd64).
	// +optional
	Bus DiskBus `json:"bus,omitempty"`
	// readonly makes the CD-ROM read-only; defaults to true.
	// +optional
	Readonly *bool `json:"readonly,omitempty"`
	// tray is open or closed (default).
	// +optional
	Tray string `json:"tray,omitempty"`
}

// DiskTarget attaches a volume as a disk.
type DiskTarget struct {
	// bus is virtio, sata, scsi or usb; defaults by architecture (sata on amd64, virtio elsewhere).
	// +optional
	Bus DiskBus `json:"bus,omitempty"`
	// pciAddress places the disk at this guest PCI address, e.g. 0000:81:01.0; virtio only.
	// +optional
	PCIAddress string `json:"pciAddress,omitempty"`
	// readonly makes the disk read-only; defaults to false.
	// +optional
	Readonly *bool `json:"readonly,omitempty"`
}

// LunTarget attaches a volume as a SCSI LUN.
type LunTarget struct {
	// bus is the bus of the LUN, usually scsi.
	// +optional
	Bus DiskBus `json:"bus,omitempty"`
	// readonly makes the LUN read-only; defaults to false.
	// +optional
	Readonly *bool `json:"readonly,omitempty"`
	// reservation passes SCSI persistent reservations through to the guest.
	// +optional
	Reservation *bool `json:"reservation,omitempty"`
}

// FilesystemVirtiofs selects virtiofs sharing; it has no fields.
type FilesystemVirtiofs struct {
}

// VGPUOptions are vGPU options.
type VGPUOptions struct {
	// display sets whether the vGPU drives a display.
	// +optional
	Display *VGPUDisplayOptions `json:"display,omitempty"`
}

// Diag288Watchdog is the s390x diag288 watchdog.
type Diag288Watchdog struct {
	// action is poweroff, reset (default) or shutdown.
	// +optional
	Action string `json:"action,omitempty"`
}

// I6300ESBWatchdog is the Intel 6300ESB watchdog.
type I6300ESBWatchdog struct {
	// action is poweroff, reset (default) or shutdown.
	// +optional
	Action string `json:"action,omitempty"`
}

// CustomBlockSize gives block sizes explicitly.
type CustomBlockSize struct {
	// discardGranularity is the discard granularity in bytes.
	// +optional
	DiscardGranularity int32 `json:"discardGranularity,omitempty"`
	// logical is the logical block size in bytes: a power of two from 512.
	// +optional
	Logical int32 `json:"logical,omitempty"`
	// physical is the physical block size in bytes: a power of two from 512, not below logical.
	// +optional
	Physical int32 `json:"physical,omitempty"`
}

// FeatureState turns a feature on or off.
type FeatureState struct {
	// enabled turns the feature on or off; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// VGPUDisplayOptions are the display options of a vGPU.
type VGPUDisplayOptions struct {
	// enabled turns the vGPU display on or off; defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// ramFB gives the guest a simple display for firmware and boot output, used until its GPU
	// driver takes over; defaults to true.
	// +optional
	RamFB *FeatureState `json:"ramFB,omitempty"`
}
