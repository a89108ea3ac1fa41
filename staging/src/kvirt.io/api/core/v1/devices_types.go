package v1

// Devices is the type of DomainSpec.devices.
type Devices struct {
	// +optional
	AutoattachGraphicsDevice *bool `json:"autoattachGraphicsDevice,omitempty"`
	// +optional
	AutoattachInputDevice *bool `json:"autoattachInputDevice,omitempty"`
	// +optional
	AutoattachMemBalloon *bool `json:"autoattachMemBalloon,omitempty"`
	// +optional
	AutoattachPodInterface *bool `json:"autoattachPodInterface,omitempty"`
	// +optional
	AutoattachSerialConsole *bool `json:"autoattachSerialConsole,omitempty"`
	// +optional
	AutoattachVSOCK *bool `json:"autoattachVSOCK,omitempty"`
	// +optional
	BlockMultiQueue *bool `json:"blockMultiQueue,omitempty"`
	// +optional
	ClientPassthrough *ClientPassthroughDevices `json:"clientPassthrough,omitempty"`
	// +optional
	DisableHotplug *bool `json:"disableHotplug,omitempty"`
	// +optional
	Disks []Disk `json:"disks,omitempty"`
	// +optional
	DownwardMetrics *DownwardMetrics `json:"downwardMetrics,omitempty"`
	// +optional
	// +listType=atomic
	Filesystems []Filesystem `json:"filesystems,omitempty"`
	// +optional
	// +listType=atomic
	GPUs []GPU `json:"gpus,omitempty"`
	// +optional
	// +listType=atomic
	HostDevices []HostDevice `json:"hostDevices,omitempty"`
	// +optional
	Inputs []Input `json:"inputs,omitempty"`
	// +optional
	Interfaces []Interface `json:"interfaces,omitempty"`
	// +optional
	LogSerialConsole *bool `json:"logSerialConsole,omitempty"`
	// +optional
	NetworkInterfaceMultiqueue *bool `json:"networkInterfaceMultiqueue,omitempty"`
	// +optional
	PanicDevices []PanicDevice `json:"panicDevices,omitempty"`
	// +optional
	RNG *Rng `json:"rng,omitempty"`
	// +optional
	Sound *SoundDevice `json:"sound,omitempty"`
	// +optional
	TPM *TPMDevice `json:"tpm,omitempty"`
	// +optional
	UseVirtioTransitional *bool `json:"useVirtioTransitional,omitempty"`
	// +optional
	Video *VideoDevice `json:"video,omitempty"`
	// +optional
	Watchdog *Watchdog `json:"watchdog,omitempty"`
}

// ClientPassthroughDevices is the type of Devices.clientPassthrough.
type ClientPassthroughDevices struct {
}

// Disk is the type of AddVolumeOptions.disk.
type Disk struct {
	// +optional
	BlockSize *BlockSize `json:"blockSize,omitempty"`
	// +optional
	BootOrder *int32 `json:"bootOrder,omitempty"`
	// +optional
	Cache string `json:"cache,omitempty"`
	// +optional
	Cdrom *CDRomTarget `json:"cdrom,omitempty"`
	// +optional
	ChangedBlockTracking *bool `json:"changedBlockTracking,omitempty"`
	// +optional
	DedicatedIOThread *bool `json:"dedicatedIOThread,omitempty"`
	// +optional
	Disk *DiskTarget `json:"disk,omitempty"`
	// +optional
	ErrorPolicy string `json:"errorPolicy,omitempty"`
	// +optional
	IO string `json:"io,omitempty"`
	// +optional
	LUN *LunTarget `json:"lun,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	Serial string `json:"serial,omitempty"`
	// +optional
	Shareable *bool `json:"shareable,omitempty"`
	// +optional
	Tag string `json:"tag,omitempty"`
}

// DownwardMetrics is the type of Devices.downwardMetrics.
type DownwardMetrics struct {
}

// Filesystem is the type of Devices.filesystems.
type Filesystem struct {
	// +required
	Name string `json:"name"`
	// +required
	Virtiofs *FilesystemVirtiofs `json:"virtiofs"`
}

// GPU is the type of Devices.gpus.
type GPU struct {
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// +optional
	DeviceName string `json:"deviceName,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	RequestName string `json:"requestName,omitempty"`
	// +optional
	Tag string `json:"tag,omitempty"`
	// +optional
	VirtualGPUOptions *VGPUOptions `json:"virtualGPUOptions,omitempty"`
}

// HostDevice is the type of Devices.hostDevices.
type HostDevice struct {
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// +optional
	DeviceName string `json:"deviceName,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	RequestName string `json:"requestName,omitempty"`
	// +optional
	Tag string `json:"tag,omitempty"`
}

// Input is the type of Devices.inputs.
type Input struct {
	// +optional
	Bus string `json:"bus,omitempty"`
	// +required
	Name string `json:"name"`
	// +required
	Type string `json:"type"`
}

// PanicDevice is the type of Devices.panicDevices.
type PanicDevice struct {
	// +optional
	Model string `json:"model,omitempty"`
}

// Rng is the type of Devices.rng.
type Rng struct {
}

// SoundDevice is the type of Devices.sound.
type SoundDevice struct {
	// +optional
	Model string `json:"model,omitempty"`
	// +required
	Name string `json:"name"`
}

// TPMDevice is the type of Devices.tpm.
type TPMDevice struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	Persistent *bool `json:"persistent,omitempty"`
}

// VideoDevice is the type of Devices.video.
type VideoDevice struct {
	// +optional
	Type string `json:"type,omitempty"`
}

// Watchdog is the type of Devices.watchdog.
type Watchdog struct {
	// +optional
	Diag288 *Diag288Watchdog `json:"diag288,omitempty"`
	// +optional
	I6300esb *I6300ESBWatchdog `json:"i6300esb,omitempty"`
	// +required
	Name string `json:"name"`
}

// BlockSize is the type of Disk.blockSize.
type BlockSize struct {
	// +optional
	Custom *CustomBlockSize `json:"custom,omitempty"`
	// +optional
	MatchVolume *FeatureState `json:"matchVolume,omitempty"`
}

// CDRomTarget is the type of Disk.cdrom.
type CDRomTarget struct {
	// +optional
	Bus DiskBus `json:"bus,omitempty"`
	// +optional
	Readonly *bool `json:"readonly,omitempty"`
	// +optional
	Tray string `json:"tray,omitempty"`
}

// DiskTarget is the type of Disk.disk.
type DiskTarget struct {
	// +optional
	Bus DiskBus `json:"bus,omitempty"`
	// +optional
	PCIAddress string `json:"pciAddress,omitempty"`
	// +optional
	Readonly *bool `json:"readonly,omitempty"`
}

// LunTarget is the type of Disk.lun.
type LunTarget struct {
	// +optional
	Bus DiskBus `json:"bus,omitempty"`
	// +optional
	Readonly *bool `json:"readonly,omitempty"`
	// +optional
	Reservation *bool `json:"reservation,omitempty"`
}

// FilesystemVirtiofs is the type of Filesystem.virtiofs.
type FilesystemVirtiofs struct {
}

// VGPUOptions is the type of GPU.virtualGPUOptions.
type VGPUOptions struct {
	// +optional
	Display *VGPUDisplayOptions `json:"display,omitempty"`
}

// Diag288Watchdog is the type of Watchdog.diag288.
type Diag288Watchdog struct {
	// +optional
	Action string `json:"action,omitempty"`
}

// I6300ESBWatchdog is the type of Watchdog.i6300esb.
type I6300ESBWatchdog struct {
	// +optional
	Action string `json:"action,omitempty"`
}

// CustomBlockSize is the type of BlockSize.custom.
type CustomBlockSize struct {
	// +optional
	DiscardGranularity int32 `json:"discardGranularity,omitempty"`
	// +optional
	Logical int32 `json:"logical,omitempty"`
	// +optional
	Physical int32 `json:"physical,omitempty"`
}

// FeatureState is the type of BlockSize.matchVolume.
type FeatureState struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// VGPUDisplayOptions is the type of VGPUOptions.display.
type VGPUDisplayOptions struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	RamFB *FeatureState `json:"ramFB,omitempty"`
}
