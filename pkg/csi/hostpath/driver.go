package hostpath

import (
	"errors"
	"fmt"
	"sync"
)

const (
	// DriverName is the CSI driver name, the CSIDriver object's name and the
	// provisioner of a StorageClass using this driver.
	DriverName = "hostpath.csi.kvirt.io"
	// TopologyKey is the node label and topology segment key whose value is the
	// name of the node a volume lives on.
	TopologyKey = "topology.hostpath.csi.kvirt.io/node"
	// DefaultCapacityBytes is the size of a volume whose request names none.
	DefaultCapacityBytes int64 = 1 << 30
)

// Config is what a Driver needs: where volumes live, which node it serves and
// how it mounts.
type Config struct {
	// NodeID is the Kubernetes node name; it is the CSI node id and the value
	// of TopologyKey.
	NodeID string
	// StateDir holds every volume of this node and its metadata.
	StateDir string
	// Version is reported by GetPluginInfo.
	Version string
	// Mounter mounts Filesystem volumes; nil means the real bind mounter.
	Mounter Mounter
	// Loops attaches Block volumes to loop devices; nil means the kernel's.
	Loops LoopDevices
}

// Driver serves the CSI services for one node. The controller and node
// services share one lock, so operations on volumes never interleave.
type Driver struct {
	cfg     Config
	store   volumeStore
	mounter Mounter
	loops   LoopDevices
	mu      sync.Mutex
}

// New returns a Driver for cfg, creating the state directory if needed.
func New(cfg Config) (*Driver, error) {
	if cfg.NodeID == "" {
		return nil, errors.New("node id is required")
	}
	store, err := newDirStore(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	m := cfg.Mounter
	if m == nil {
		m = bindMounter{}
	}
	l := cfg.Loops
	if l == nil {
		l = newKernelLoops()
	}
	return &Driver{cfg: cfg, store: store, mounter: m, loops: l}, nil
}
