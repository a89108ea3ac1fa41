package virtcontroller

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/pflag"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	cdiinformers "kvirt.io/client-go/generated/informers/externalversions/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/virt-controller/datavolume"
	"kvirt.io/kvirt/pkg/virt-controller/metrics"
)

// DataVolumeOptions configures kvirt's own DataVolume controller, off unless
// Enabled: it needs the cdi.kubevirt.io CRDs of manifests/cdi-crds and must
// not run where CDI owns them.
type DataVolumeOptions struct {
	// Enabled starts the controller.
	Enabled bool
	// ImporterImage is the image of the importer pods.
	ImporterImage string
	// Workers is the number of concurrent DataVolume syncs.
	Workers int
	// HonorWaitForFirstConsumer keeps DataVolumes whose claim binds on first
	// use waiting for a consumer instead of making the importer that consumer.
	HonorWaitForFirstConsumer bool
	// UploadClientCA is the PEM bundle file (the kubevirt-ca ConfigMap,
	// mounted) upload servers accept virt-api's client certificate from.
	UploadClientCA string
}

// AddFlags registers the DataVolume controller's flags.
func (o *DataVolumeOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Enabled, "datavolume-controller", false,
		"run kvirt's own cdi.kubevirt.io DataVolume controller (only where CDI is not installed)")
	fs.StringVar(&o.ImporterImage, "importer-image", datavolume.DefaultImporterImage, "image of the DataVolume importer pods")
	fs.IntVar(&o.Workers, "datavolume-workers", 3, "concurrent DataVolume syncs")
	fs.BoolVar(&o.HonorWaitForFirstConsumer, "honor-wait-for-first-consumer", false,
		"keep a DataVolume whose StorageClass binds on first use waiting for a consumer pod instead of importing at once")
	fs.StringVar(&o.UploadClientCA, "upload-client-ca", "",
		"PEM CA bundle file (the kubevirt-ca bundle) copied into upload pods: they accept only virt-api's upload proxy certificate from it; "+
			"without it upload DataVolumes get no pod")
}

// dataVolumeController builds the controller on virtFactory, kubeFactory
// (claims, storage classes; the caller starts both) and a factory of its own for
// importer pods; it returns how to run it, or nil when it is disabled.
func (o *Options) dataVolumeController(c clientSet, virtFactory kvirtinformers.SharedInformerFactory,
	kubeFactory informers.SharedInformerFactory, reg *metrics.Registry, events record.EventRecorder) (func(context.Context) error, error) {
	if !o.DataVolumes.Enabled {
		return nil, nil
	}
	podFactory := informers.NewSharedInformerFactoryWithOptions(c.kube, 0,
		informers.WithTweakListOptions(func(opts *metav1.ListOptions) {
			opts.LabelSelector = datavolume.LabelApp + "=" + datavolume.LabelAppValue
		}))
	cfg := datavolume.Config{
		Kube: c.kube, Kvirt: c.kvirt,
		DataVolumes: virtFactory.Cdi().V1beta1().DataVolumes(), DataSources: virtFactory.Cdi().V1beta1().DataSources(),
		Claims: kubeFactory.Core().V1().PersistentVolumeClaims(), Pods: podFactory.Core().V1().Pods(),
		Policy:                    datavolume.Policy{Pod: datavolume.PodConfig{Image: o.DataVolumes.ImporterImage}},
		HonorWaitForFirstConsumer: o.DataVolumes.HonorWaitForFirstConsumer,
		Events:                    events, QueueMetrics: reg.QueueMetrics(),
	}
	if file := o.DataVolumes.UploadClientCA; file != "" {
		// Read on every upload pod: the mounted bundle follows CA rotation.
		cfg.UploadClientCA = func() ([]byte, error) { return os.ReadFile(file) }
	}
	if cfg.HonorWaitForFirstConsumer {
		cfg.StorageClasses = kubeFactory.Storage().V1().StorageClasses()
	}
	ctrl, err := datavolume.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("datavolume controller: %w", err)
	}
	run := func(ctx context.Context) error {
		podFactory.Start(ctx.Done())
		defer podFactory.Shutdown()
		return ctrl.Run(ctx, o.DataVolumes.Workers)
	}
	return run, nil
}

// servesDataVolumes asks discovery whether the cluster serves
// cdi.kubevirt.io/v1beta1 datavolumes (CDI's CRDs or kvirt's own).
func servesDataVolumes(d discovery.DiscoveryInterface) (bool, error) {
	list, err := d.ServerResourcesForGroupVersion(cdiv1beta1.SchemeGroupVersion.String())
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("discover %s: %w", cdiv1beta1.SchemeGroupVersion, err)
	}
	return slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == "datavolumes" }), nil
}

// vmDataVolumes is the DataVolume informer the VM controller watches, or nil
// when the cluster serves no DataVolume API (checked once per leadership
// term: a cluster that gains the API needs virt-controller restarted).
func vmDataVolumes(ctx context.Context, d discovery.DiscoveryInterface,
	virtFactory kvirtinformers.SharedInformerFactory) (cdiinformers.DataVolumeInformer, error) {
	ok, err := servesDataVolumes(d)
	if err != nil || !ok {
		if err == nil {
			klog.FromContext(ctx).Info("no DataVolume API served: VMs with dataVolumeTemplates will not start",
				"groupVersion", cdiv1beta1.SchemeGroupVersion.String())
		}
		return nil, err
	}
	return virtFactory.Cdi().V1beta1().DataVolumes(), nil
}
