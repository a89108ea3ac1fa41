package componentrbac

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"kvirt.io/kvirt/pkg/virt-operator/rbac"
)

// Namespace is the install namespace the ServiceAccounts live in, as on a cluster.
const Namespace = "kubevirt"

// Components are the ServiceAccounts virt-operator creates, by component.
const (
	APIServer  = rbac.APIServerName
	Controller = rbac.ControllerName
	Handler    = rbac.HandlerName
	Operator   = rbac.OperatorName
)

// User is the user name a component's ServiceAccount authenticates as.
func User(component string) string {
	return "system:serviceaccount:" + Namespace + ":" + component
}

// Config installs the RBAC of every component and of virt-operator (idempotent)
// and returns a copy of admin that acts as component's ServiceAccount.
func Config(t testing.TB, admin *rest.Config, component string) *rest.Config {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := Install(ctx, kubernetes.NewForConfigOrDie(admin)); err != nil {
		t.Fatalf("install component RBAC: %v", err)
	}
	return As(admin, component)
}

// As returns a copy of admin that acts as component's ServiceAccount.
func As(admin *rest.Config, component string) *rest.Config {
	cfg := rest.CopyConfig(admin)
	// The groups a ServiceAccount's token carries.
	cfg.Impersonate = rest.ImpersonationConfig{UserName: User(component),
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + Namespace, "system:authenticated"}}
	return cfg
}

// Kubeconfig is Config written as a kubeconfig file (for components that take
// --kubeconfig), in a directory removed after the test.
func Kubeconfig(t testing.TB, admin *rest.Config, component string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), component+".kubeconfig")
	if err := WriteKubeconfig(path, Config(t, admin, component)); err != nil {
		t.Fatal(err)
	}
	return path
}

// KubeconfigFile installs the RBAC and writes component's kubeconfig into dir,
// for packages that set it up once outside a test.
func KubeconfigFile(admin *rest.Config, component, dir string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := Install(ctx, kubernetes.NewForConfigOrDie(admin)); err != nil {
		return "", fmt.Errorf("install component RBAC: %w", err)
	}
	path := filepath.Join(dir, component+".kubeconfig")
	return path, WriteKubeconfig(path, As(admin, component))
}

// WriteKubeconfig writes cfg (client certificate and impersonated user) as a
// self-contained kubeconfig.
func WriteKubeconfig(path string, cfg *rest.Config) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["kvirt"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["kvirt"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData,
		Impersonate: cfg.Impersonate.UserName, ImpersonateGroups: cfg.Impersonate.Groups,
	}
	kc.Contexts["kvirt"] = &clientcmdapi.Context{Cluster: "kvirt", AuthInfo: "kvirt"}
	kc.CurrentContext = "kvirt"
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}

// Install creates the install namespace and every RBAC object virt-operator's
// release manifest and install strategy create; existing objects are updated to
// the current rules.
func Install(ctx context.Context, kube kubernetes.Interface) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", Namespace, err)
	}
	objs := append(rbac.OperatorObjects(Namespace), rbac.Objects(Namespace)...)
	for _, o := range objs {
		if err := apply(ctx, kube, o); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, kube kubernetes.Interface, o runtime.Object) error {
	var err error
	create, update := metav1.CreateOptions{}, metav1.UpdateOptions{}
	switch v := o.(type) {
	case *corev1.ServiceAccount:
		_, err = kube.CoreV1().ServiceAccounts(v.Namespace).Create(ctx, v, create)
		if apierrors.IsAlreadyExists(err) {
			err = nil
		}
	case *rbacv1.ClusterRole:
		if _, err = kube.RbacV1().ClusterRoles().Create(ctx, v, create); apierrors.IsAlreadyExists(err) {
			_, err = kube.RbacV1().ClusterRoles().Update(ctx, v, update)
		}
	case *rbacv1.ClusterRoleBinding:
		if _, err = kube.RbacV1().ClusterRoleBindings().Create(ctx, v, create); apierrors.IsAlreadyExists(err) {
			_, err = kube.RbacV1().ClusterRoleBindings().Update(ctx, v, update)
		}
	case *rbacv1.Role:
		if _, err = kube.RbacV1().Roles(v.Namespace).Create(ctx, v, create); apierrors.IsAlreadyExists(err) {
			_, err = kube.RbacV1().Roles(v.Namespace).Update(ctx, v, update)
		}
	case *rbacv1.RoleBinding:
		if _, err = kube.RbacV1().RoleBindings(v.Namespace).Create(ctx, v, create); apierrors.IsAlreadyExists(err) {
			_, err = kube.RbacV1().RoleBindings(v.Namespace).Update(ctx, v, update)
		}
	default:
		err = fmt.Errorf("unexpected object %T", o)
	}
	if err != nil {
		return fmt.Errorf("apply %T: %w", o, err)
	}
	return nil
}
