package leader

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// ErrLostLease ends the process when another instance took over: a deposed
// leader must not keep acting on stale state.
var ErrLostLease = errors.New("lost the leader lease")

// Options configures leader election on a Lease named Name in Namespace.
type Options struct {
	Enabled       bool
	Namespace     string
	Name          string
	Identity      string
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
}

// AddFlags registers the --leader-elect* flags with name as the Lease's default
// name (the namespace is the component's to set).
func (o *Options) AddFlags(fs *pflag.FlagSet, name string) {
	fs.BoolVar(&o.Enabled, "leader-elect", true, "act only while holding the leader Lease")
	fs.StringVar(&o.Name, "leader-elect-name", name, "name of the leader Lease")
	fs.StringVar(&o.Identity, "leader-elect-identity", "", "holder identity; default hostname_pid")
	fs.DurationVar(&o.LeaseDuration, "leader-elect-lease-duration", 15*time.Second, "how long a lease is valid without renewal")
	fs.DurationVar(&o.RenewDeadline, "leader-elect-renew-deadline", 10*time.Second, "how long the leader retries renewing before giving up")
	fs.DurationVar(&o.RetryPeriod, "leader-elect-retry-period", 2*time.Second, "interval between acquire and renew attempts")
}

// Validate rejects timings the elector cannot work with.
func (o *Options) Validate() error {
	if o.Enabled && (o.RenewDeadline >= o.LeaseDuration || o.RetryPeriod <= 0) {
		return errors.New("leader election needs --leader-elect-retry-period > 0 and --leader-elect-renew-deadline < --leader-elect-lease-duration")
	}
	return nil
}

func (o *Options) identity() string {
	if o.Identity != "" {
		return o.Identity
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s_%d", host, os.Getpid())
}

// Run waits for the Lease and then calls run with a context that ends when the
// lease is lost or ctx ends; onLeading (may be nil) hears when leading starts and
// stops. It returns run's error, joined with ErrLostLease when the lease was lost
// while ctx was still alive.
func Run(ctx context.Context, kube kubernetes.Interface, o Options, onLeading func(bool), run func(context.Context) error) error {
	log := klog.FromContext(ctx)
	if onLeading == nil {
		onLeading = func(bool) {}
	}
	id := o.identity()
	// The elector runs OnStartedLeading on a goroutine it does not wait for, so the
	// callback only hands over the leading context and run runs here.
	leading := make(chan context.Context, 1)
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock: &resourcelock.LeaseLock{
			LeaseMeta:  metav1.ObjectMeta{Namespace: o.Namespace, Name: o.Name},
			Client:     kube.CoordinationV1(),
			LockConfig: resourcelock.ResourceLockConfig{Identity: id},
		},
		LeaseDuration: o.LeaseDuration, RenewDeadline: o.RenewDeadline, RetryPeriod: o.RetryPeriod,
		ReleaseOnCancel: true, Name: o.Name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) { leading <- ctx },
			OnStoppedLeading: func() {
				onLeading(false)
				log.Info("stopped leading", "identity", id)
			},
		},
	})
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	log.Info("waiting for the leader lease", "lease", o.Namespace+"/"+o.Name, "identity", id)
	electorDone := make(chan struct{})
	go func() {
		defer close(electorDone)
		elector.Run(ctx)
	}()
	var runErr error
	select {
	case leadCtx := <-leading:
		log.Info("leading", "identity", id)
		onLeading(true)
		runErr = run(leadCtx)
		<-electorDone
	case <-electorDone:
	}
	if ctx.Err() != nil {
		return runErr
	}
	return errors.Join(ErrLostLease, runErr)
}
