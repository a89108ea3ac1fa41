package virtoperator

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// checkDataVolumeAPI: with an importer image and no CDI, the install holds the
// cdi.kubevirt.io CRDs (labelled as the operator's, so a later sync keeps
// serving them), runs virt-controller's DataVolume controller with that image,
// and virt-controller's account may do what that controller does.
func checkDataVolumeAPI(t *testing.T, c clients, ctrl *appsv1.Deployment) {
	t.Helper()
	crds := apiextensionsclient.NewForConfigOrDie(cp.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions()
	for _, name := range []string{"datavolumes.cdi.kubevirt.io", "datasources.cdi.kubevirt.io"} {
		crd, err := crds.Get(bg, name, metav1.GetOptions{})
		if err != nil {
			t.Errorf("crd %s: %v", name, err)
			continue
		}
		if crd.Labels["app.kubernetes.io/managed-by"] != "virt-operator" || crd.Labels["app.kubernetes.io/part-of"] != "kvirt" {
			t.Errorf("crd %s labels %v", name, crd.Labels)
		}
	}
	args := containerArgs(ctrl)
	if !slices.Contains(args, "--datavolume-controller") || argValue(args, "--importer-image") != testEnv["VIRT_IMPORTER_IMAGE"] {
		t.Errorf("virt-controller args %v: want the DataVolume controller with the importer image", args)
	}
	for _, a := range []authorizationv1.ResourceAttributes{
		{Group: "cdi.kubevirt.io", Resource: "datavolumes", Verb: "watch"},
		{Group: "cdi.kubevirt.io", Resource: "datavolumes", Subresource: "status", Verb: "update", Namespace: "tenant"},
		{Resource: "persistentvolumeclaims", Verb: "create", Namespace: "tenant"},
	} {
		review, err := c.kube.AuthorizationV1().SubjectAccessReviews().Create(bg, &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{
				User: "system:serviceaccount:kubevirt:kubevirt-controller", ResourceAttributes: &a,
				Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kubevirt"},
			}}, metav1.CreateOptions{})
		if err != nil || !review.Status.Allowed {
			t.Errorf("virt-controller may not %s %s/%s %s: %v", a.Verb, a.Group, a.Resource, a.Subresource, err)
		}
	}
}
