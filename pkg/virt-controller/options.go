package virtcontroller

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/kubeclient"
	"kvirt.io/kvirt/pkg/leader"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
	"kvirt.io/kvirt/pkg/virt-controller/node"
)

// Options configures virt-controller.
type Options struct {
	Client kubeclient.Flags
	// Pod is the cluster configuration launcher pods are rendered with.
	Pod launcherpod.Config
	// Workers per controller.
	VMWorkers, VMIWorkers, ReplicaSetWorkers, MigrationWorkers, NodeWorkers int
	// HeartbeatTimeout: a node whose virt-handler heartbeat is older goes
	// unschedulable, and its VMIs fail once the node is also NotReady.
	HeartbeatTimeout time.Duration
	// MetricsAddress serves /metrics and /healthz; empty disables.
	MetricsAddress string
	// Migration limits.
	ParallelMigrationsPerCluster, ParallelOutboundMigrationsPerNode int
	Leader                                                          leader.Options
	// DataVolumes configures kvirt's own DataVolume controller (off by default).
	DataVolumes DataVolumeOptions
}

// AddFlags registers virt-controller's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Client.AddFlags(fs)
	fs.StringVar(&o.Pod.LauncherImage, "launcher-image", launcherpod.DefaultLauncherImage, "image of the virt-launcher pods")
	fs.BoolVar(&o.Pod.AllowEmulation, "allow-emulation", false, "do not request /dev/kvm for launcher pods (software emulation)")
	fs.BoolVar(&o.Pod.DisableSerialConsoleLog, "disable-serial-console-log", false,
		"no guest-console-log container in launcher pods whose VMI does not set logSerialConsole")
	fs.IntVar(&o.Pod.LauncherVerbosity, "launcher-verbosity", -1,
		"log verbosity (--v) of the virt-launcher pods it renders; -1 leaves the launcher's default")
	fs.StringVar(&o.Pod.CPURequest, "cpu-request", launcherpod.DefaultCPURequest, "CPU request of launcher pods whose VMI asks for none")
	fs.IntVar(&o.VMWorkers, "vm-workers", 3, "concurrent VirtualMachine syncs")
	fs.IntVar(&o.VMIWorkers, "vmi-workers", 10, "concurrent VirtualMachineInstance syncs")
	fs.IntVar(&o.ReplicaSetWorkers, "replicaset-workers", 3, "concurrent VirtualMachineInstanceReplicaSet syncs")
	fs.IntVar(&o.MigrationWorkers, "migration-workers", 3, "concurrent VirtualMachineInstanceMigration syncs")
	fs.IntVar(&o.NodeWorkers, "node-workers", 3, "concurrent Node syncs of the node-failure controller")
	fs.DurationVar(&o.HeartbeatTimeout, "node-heartbeat-timeout", node.DefaultHeartbeatTimeout,
		"how old virt-handler's node heartbeat may get before the node is unschedulable and, once NotReady, its VMIs fail (NodeUnresponsive)")
	fs.IntVar(&o.ParallelMigrationsPerCluster, "parallel-migrations-per-cluster", 5, "migrations running at once in the cluster")
	fs.IntVar(&o.ParallelOutboundMigrationsPerNode, "parallel-outbound-migrations-per-node", 2, "migrations leaving one node at once")
	fs.StringVar(&o.MetricsAddress, "metrics-bind-address", ":8090", "address serving /metrics and /healthz; empty disables")
	fs.StringVar(&o.Leader.Namespace, "leader-elect-namespace", defaultNamespace(), "namespace of the leader Lease")
	o.Leader.AddFlags(fs, "virt-controller")
	o.DataVolumes.AddFlags(fs)
}

func defaultNamespace() string {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	return "kube-system"
}

// Validate checks the flags.
func (o *Options) Validate() error {
	errs := []error{o.Client.Validate()}
	for name, n := range map[string]int{
		"--vm-workers": o.VMWorkers, "--vmi-workers": o.VMIWorkers,
		"--replicaset-workers": o.ReplicaSetWorkers, "--migration-workers": o.MigrationWorkers,
		"--node-workers":                          o.NodeWorkers,
		"--parallel-migrations-per-cluster":       o.ParallelMigrationsPerCluster,
		"--parallel-outbound-migrations-per-node": o.ParallelOutboundMigrationsPerNode,
		"--datavolume-workers":                    o.DataVolumes.Workers,
	} {
		if n < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, got %d", name, n))
		}
	}
	if o.HeartbeatTimeout < virtv1.MinNodeHeartbeatTimeout {
		errs = append(errs, fmt.Errorf("--node-heartbeat-timeout must be at least %s, got %s", virtv1.MinNodeHeartbeatTimeout, o.HeartbeatTimeout))
	}
	errs = append(errs, o.Leader.Validate())
	return errors.Join(errs...)
}
