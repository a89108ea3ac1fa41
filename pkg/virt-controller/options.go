package virtcontroller

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"kvirt.io/kvirt/pkg/kubeclient"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// Options configures virt-controller.
type Options struct {
	Client kubeclient.Flags
	// Pod is the cluster configuration launcher pods are rendered with.
	Pod launcherpod.Config
	// Workers per controller.
	VMWorkers, VMIWorkers, ReplicaSetWorkers, MigrationWorkers int
	// MetricsAddress serves /metrics and /healthz; empty disables.
	MetricsAddress string
	// Migration limits.
	ParallelMigrationsPerCluster, ParallelOutboundMigrationsPerNode int
	Leader                                                          LeaderOptions
}

// LeaderOptions configures leader election on a coordination.k8s.io Lease.
type LeaderOptions struct {
	Enabled       bool
	Namespace     string
	Name          string
	Identity      string
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
}

// AddFlags registers virt-controller's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Client.AddFlags(fs)
	fs.StringVar(&o.Pod.LauncherImage, "launcher-image", launcherpod.DefaultLauncherImage, "image of the virt-launcher pods")
	fs.StringVar(&o.Pod.ShareDir, "share-dir", launcherpod.DefaultShareDir, "host directory with one socket directory per VMI")
	fs.BoolVar(&o.Pod.AllowEmulation, "allow-emulation", false, "do not request /dev/kvm for launcher pods (software emulation)")
	fs.StringVar(&o.Pod.CPURequest, "cpu-request", launcherpod.DefaultCPURequest, "CPU request of launcher pods whose VMI asks for none")
	fs.IntVar(&o.VMWorkers, "vm-workers", 3, "concurrent VirtualMachine syncs")
	fs.IntVar(&o.VMIWorkers, "vmi-workers", 10, "concurrent VirtualMachineInstance syncs")
	fs.IntVar(&o.ReplicaSetWorkers, "replicaset-workers", 3, "concurrent VirtualMachineInstanceReplicaSet syncs")
	fs.IntVar(&o.MigrationWorkers, "migration-workers", 3, "concurrent VirtualMachineInstanceMigration syncs")
	fs.IntVar(&o.ParallelMigrationsPerCluster, "parallel-migrations-per-cluster", 5, "migrations running at once in the cluster")
	fs.IntVar(&o.ParallelOutboundMigrationsPerNode, "parallel-outbound-migrations-per-node", 2, "migrations leaving one node at once")
	fs.StringVar(&o.MetricsAddress, "metrics-bind-address", ":8090", "address serving /metrics and /healthz; empty disables")
	fs.BoolVar(&o.Leader.Enabled, "leader-elect", true, "run only while holding the leader Lease")
	fs.StringVar(&o.Leader.Namespace, "leader-elect-namespace", defaultNamespace(), "namespace of the leader Lease")
	fs.StringVar(&o.Leader.Name, "leader-elect-name", "virt-controller", "name of the leader Lease")
	fs.StringVar(&o.Leader.Identity, "leader-elect-identity", "", "holder identity; default hostname_pid")
	fs.DurationVar(&o.Leader.LeaseDuration, "leader-elect-lease-duration", 15*time.Second, "how long a lease is valid without renewal")
	fs.DurationVar(&o.Leader.RenewDeadline, "leader-elect-renew-deadline", 10*time.Second, "how long the leader retries renewing before giving up")
	fs.DurationVar(&o.Leader.RetryPeriod, "leader-elect-retry-period", 2*time.Second, "interval between acquire and renew attempts")
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
		"--parallel-migrations-per-cluster":       o.ParallelMigrationsPerCluster,
		"--parallel-outbound-migrations-per-node": o.ParallelOutboundMigrationsPerNode,
	} {
		if n < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, got %d", name, n))
		}
	}
	if l := o.Leader; l.Enabled && (l.RenewDeadline >= l.LeaseDuration || l.RetryPeriod <= 0) {
		errs = append(errs, errors.New("leader election needs retry-period > 0 and renew-deadline < lease-duration"))
	}
	return errors.Join(errs...)
}
