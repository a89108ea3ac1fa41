package virtapi

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/certs"
	virtapi "kvirt.io/kvirt/pkg/virt-api"
	"kvirt.io/kvirt/pkg/virt-api/install"
	"kvirt.io/kvirt/tests/framework/componentrbac"
	"kvirt.io/kvirt/tests/framework/controlplane"
	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/poll"
)

const (
	serviceNamespace = "kubevirt"
	serviceName      = "virt-api"
	readyTimeout     = 90 * time.Second
)

// env is a control plane with virt-api registered against it.
type env struct {
	// url and ca reach virt-api directly, bypassing the apiserver.
	url   string
	ca    []byte
	admin *rest.Config
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
}

// startVirtAPI runs virt-api in-process on a loopback port, as its own
// ServiceAccount with the RBAC virt-operator installs, and registers its webhooks
// (by URL) and APIService (through an ExternalName Service).
func startVirtAPI(t *testing.T, cp *controlplane.ControlPlane) env {
	t.Helper()
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), klog.Background()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	pair, err := certs.WriteSelfSigned(t.TempDir(), "virt-api", []string{"127.0.0.1", "localhost", serviceName + "." + serviceNamespace + ".svc"})
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	// a node API client identity, so the node-side routes get past "no client
	// certificate" (no virt-handler runs here: they end at the Node lookup)
	pki := nodeenv.NewPKI(t)
	go func() {
		done <- virtapi.Serve(ctx, virtapi.ServerConfig{REST: componentrbac.Config(t, cp.RESTConfig(), componentrbac.APIServer),
			Listener: ln, CertFile: pair.CertFile, KeyFile: pair.KeyFile,
			HandlerClientCert: pki.ClientCert, HandlerClientKey: pki.ClientKey, HandlerCA: pki.CAFile,
			InstallNamespace: componentrbac.Namespace, Ready: ready})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("virt-api: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("virt-api did not start: %v", err)
	case <-time.After(readyTimeout):
		t.Fatal("virt-api did not start in time")
	}
	e := env{url: "https://127.0.0.1:" + strconv.Itoa(port), ca: pair.CAPEM, admin: cp.RESTConfig(), kube: kubernetes.NewForConfigOrDie(cp.RESTConfig()), kvirt: kvirtclient.NewForConfigOrDie(cp.RESTConfig())}
	register(t, e, install.Target{
		ServiceNamespace: serviceNamespace, ServiceName: serviceName, ServicePort: int32(port),
		URL: "https://127.0.0.1:" + strconv.Itoa(port), CABundle: pair.CAPEM,
	})
	return e
}

func register(t *testing.T, e env, target install.Target) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: serviceNamespace}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	svc := install.ExternalNameService(serviceNamespace, serviceName, "localhost", target.ServicePort)
	if _, err := e.kube.CoreV1().Services(serviceNamespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	reg := e.kube.AdmissionregistrationV1()
	if _, err := reg.ValidatingWebhookConfigurations().Create(ctx, install.ValidatingWebhooks(target), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.MutatingWebhookConfigurations().Create(ctx, install.MutatingWebhooks(target), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	agg := aggregator.NewForConfigOrDie(e.admin)
	if _, err := agg.ApiregistrationV1().APIServices().Create(ctx, install.APIService(target), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Unregistered before virt-api stops, so that a second run (go test -count)
	// registers its own.
	t.Cleanup(func() {
		_ = agg.ApiregistrationV1().APIServices().Delete(ctx, install.APIServiceName, metav1.DeleteOptions{})
		_ = reg.ValidatingWebhookConfigurations().Delete(ctx, install.ValidatingWebhooks(target).Name, metav1.DeleteOptions{})
		_ = reg.MutatingWebhookConfigurations().Delete(ctx, install.MutatingWebhooks(target).Name, metav1.DeleteOptions{})
		_ = e.kube.CoreV1().Services(serviceNamespace).Delete(ctx, serviceName, metav1.DeleteOptions{})
	})
	eventually(t, readyTimeout, "APIService available", func() error {
		s, err := agg.ApiregistrationV1().APIServices().Get(ctx, install.APIServiceName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range s.Status.Conditions {
			if c.Type == apiregistrationv1.Available && c.Status == apiregistrationv1.ConditionTrue {
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", s.Status.Conditions)
	})
}

// eventually is poll.Eventually, named short for the many call sites here.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	poll.Eventually(t, timeout, what, cond)
}

func testNamespace(t *testing.T, e env) string {
	t.Helper()
	ns, err := e.kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "virtapi-test-"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return ns.Name
}
