package controlplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
)

// ReadCRDs decodes every CustomResourceDefinition in the *.yaml, *.yml and *.json
// files directly in dir (multi-document files allowed), in file name order. A missing
// directory yields none; any other kind of object is an error.
func ReadCRDs(dir string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read crd dir: %w", err)
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			continue
		}
		fromFile, err := readCRDFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		crds = append(crds, fromFile...)
	}
	return crds, nil
}

func readCRDFile(path string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read crd: %w", err)
	}
	defer f.Close()
	decoder := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	var crds []*apiextensionsv1.CustomResourceDefinition
	for doc := 1; ; doc++ {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		err := decoder.Decode(crd)
		if errors.Is(err, io.EOF) {
			return crds, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode %s document %d: %w", path, doc, err)
		}
		if crd.Kind == "" && crd.Name == "" {
			continue // empty document
		}
		if crd.Kind != "CustomResourceDefinition" || crd.APIVersion != apiextensionsv1.SchemeGroupVersion.String() {
			return nil, fmt.Errorf("%s document %d: got %s %s, want %s CustomResourceDefinition",
				path, doc, crd.APIVersion, crd.Kind, apiextensionsv1.SchemeGroupVersion)
		}
		crds = append(crds, crd)
	}
}

// InstallCRDs creates or updates every CRD found in dir (see ReadCRDs) and waits up
// to timeout until each is Established and its resources are served by discovery.
func InstallCRDs(ctx context.Context, cfg *rest.Config, dir string, timeout time.Duration) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	crds, err := ReadCRDs(dir)
	if err != nil || len(crds) == 0 {
		return nil, err
	}
	client, err := apiextensionsclient.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create apiextensions client: %w", err)
	}
	for _, crd := range crds {
		if err := applyCRD(ctx, client, crd); err != nil {
			return nil, err
		}
	}
	if err := waitForCRDs(ctx, client, crds, timeout); err != nil {
		return nil, err
	}
	return crds, nil
}

func applyCRD(ctx context.Context, client apiextensionsclient.Interface, crd *apiextensionsv1.CustomResourceDefinition) error {
	crds := client.ApiextensionsV1().CustomResourceDefinitions()
	_, err := crds.Create(ctx, crd.DeepCopy(), metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		if err != nil {
			return fmt.Errorf("create crd %s: %w", crd.Name, err)
		}
		return nil
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		current, err := crds.Get(ctx, crd.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		desired := crd.DeepCopy()
		desired.ResourceVersion = current.ResourceVersion
		_, err = crds.Update(ctx, desired, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("update crd %s: %w", crd.Name, err)
	}
	return nil
}

func waitForCRDs(ctx context.Context, client apiextensionsclient.Interface, crds []*apiextensionsv1.CustomResourceDefinition, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	pending := slices.Clone(crds)
	for {
		var last error
		pending = slices.DeleteFunc(pending, func(crd *apiextensionsv1.CustomResourceDefinition) bool {
			err := crdServed(ctx, client, crd)
			if err != nil {
				last = err
			}
			return err == nil
		})
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d crds after %s (last: %w)", len(pending), timeout, last)
		}
	}
}

// crdServed checks the CRD is Established with its names accepted and that
// discovery lists its resource in every served version.
func crdServed(ctx context.Context, client apiextensionsclient.Interface, crd *apiextensionsv1.CustomResourceDefinition) error {
	current, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, crd.Name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get crd %s: %w", crd.Name, err)
	}
	for _, want := range []apiextensionsv1.CustomResourceDefinitionConditionType{apiextensionsv1.NamesAccepted, apiextensionsv1.Established} {
		if !crdCondition(current, want) {
			return fmt.Errorf("crd %s: condition %s is not True", crd.Name, want)
		}
	}
	return discoveryServes(client.Discovery(), current)
}

func crdCondition(crd *apiextensionsv1.CustomResourceDefinition, t apiextensionsv1.CustomResourceDefinitionConditionType) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == t {
			return c.Status == apiextensionsv1.ConditionTrue
		}
	}
	return false
}

func discoveryServes(d discovery.DiscoveryInterface, crd *apiextensionsv1.CustomResourceDefinition) error {
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		gv := crd.Spec.Group + "/" + v.Name
		list, err := d.ServerResourcesForGroupVersion(gv)
		if err != nil {
			return fmt.Errorf("discover %s: %w", gv, err)
		}
		if !slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool {
			return r.Name == crd.Spec.Names.Plural
		}) {
			return fmt.Errorf("discovery of %s does not list %s yet", gv, crd.Spec.Names.Plural)
		}
	}
	return nil
}
