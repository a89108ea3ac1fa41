package reconcile

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installConfig is the operator's install configuration with what the cluster
// decides filled in: whether this install serves the DataVolume API itself.
func (c *Controller) installConfig(ctx context.Context) (strategy.Config, error) {
	cfg := c.cfg.Install
	if cfg.Images.Importer == "" {
		return cfg, nil
	}
	observed := map[string]strategy.ObservedCRD{}
	for _, name := range strategy.DataVolumeCRDNames {
		crd, err := c.cfg.Applier.Client.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return cfg, fmt.Errorf("get crd %s: %w", name, err)
		}
		observed[name] = strategy.ObservedCRD{Exists: true, Labels: crd.GetLabels()}
	}
	cfg.ServeDataVolumes = strategy.ServeDataVolumes(cfg.Images.Importer, observed)
	return cfg, nil
}
