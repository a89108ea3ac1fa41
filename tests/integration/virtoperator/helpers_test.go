package virtoperator

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/poll"
)

const ns = "kubevirt"

var bg = context.Background()

func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	poll.Eventually(t, timeout, what, cond)
}

// markReady plays the Deployment and DaemonSet controllers: every component
// reports its current generation rolled out and ready.
func markReady(t *testing.T, c clients) {
	t.Helper()
	for _, name := range []string{"virt-api", "virt-controller"} {
		eventually(t, 10*time.Second, "mark deployment "+name+" ready", func() error {
			d, err := c.kube.AppsV1().Deployments(ns).Get(bg, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			n := *d.Spec.Replicas
			d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: n, UpdatedReplicas: n,
				ReadyReplicas: n, AvailableReplicas: n}
			_, err = c.kube.AppsV1().Deployments(ns).UpdateStatus(bg, d, metav1.UpdateOptions{})
			return err
		})
	}
	eventually(t, 10*time.Second, "mark daemonset virt-handler ready", func() error {
		ds, err := c.kube.AppsV1().DaemonSets(ns).Get(bg, "virt-handler", metav1.GetOptions{})
		if err != nil {
			return err
		}
		ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: 1,
			CurrentNumberScheduled: 1, UpdatedNumberScheduled: 1, NumberReady: 1, NumberAvailable: 1}
		_, err = c.kube.AppsV1().DaemonSets(ns).UpdateStatus(bg, ds, metav1.UpdateOptions{})
		return err
	})
}

func getKV(c clients, name string) (*virtv1.KubeVirt, error) {
	return c.kvirt.KubevirtV1().KubeVirts(ns).Get(bg, name, metav1.GetOptions{})
}

func condition(kv *virtv1.KubeVirt, t virtv1.KubeVirtConditionType) *virtv1.KubeVirtCondition {
	for i := range kv.Status.Conditions {
		if kv.Status.Conditions[i].Type == t {
			return &kv.Status.Conditions[i]
		}
	}
	return nil
}

func conditionIs(kv *virtv1.KubeVirt, t virtv1.KubeVirtConditionType, s corev1.ConditionStatus, reason string) error {
	cnd := condition(kv, t)
	if cnd == nil || cnd.Status != string(s) || (reason != "" && cnd.Reason != reason) {
		return fmt.Errorf("condition %s is %+v, want %s/%s (phase %q)", t, cnd, s, reason, kv.Status.Phase)
	}
	return nil
}

func updateKV(t *testing.T, c clients, name string, mutate func(*virtv1.KubeVirt)) {
	t.Helper()
	eventually(t, 10*time.Second, "update kubevirt "+name, func() error {
		kv, err := getKV(c, name)
		if err != nil {
			return err
		}
		mutate(kv)
		_, err = c.kvirt.KubevirtV1().KubeVirts(ns).Update(bg, kv, metav1.UpdateOptions{})
		return err
	})
}

func containerArgs(d *appsv1.Deployment) []string { return d.Spec.Template.Spec.Containers[0].Args }

func argValue(args []string, flag string) string {
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// gone fails unless get reports NotFound.
func gone(what string, get func() error) error {
	err := get()
	switch {
	case err == nil:
		return errors.New(what + " still exists")
	case apierrors.IsNotFound(err):
		return nil
	}
	return fmt.Errorf("get %s: %w", what, err)
}

// pool parses a PEM bundle.
func pool(t *testing.T, bundle []byte) (*x509.CertPool, int) {
	t.Helper()
	p, n := x509.NewCertPool(), 0
	for rest := bundle; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatalf("ca bundle: %v", err)
		}
		p.AddCert(c)
		n++
	}
	return p, n
}

func leaf(t *testing.T, s *corev1.Secret) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode(s.Data[corev1.TLSCertKey])
	if b == nil {
		t.Fatalf("secret %s has no certificate", s.Name)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatalf("secret %s: %v", s.Name, err)
	}
	return c
}
