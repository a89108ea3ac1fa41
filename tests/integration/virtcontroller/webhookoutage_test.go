package virtcontroller

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	virtv1 "kvirt.io/api/core/v1"
)

// flakyWebhook is a validating webhook for VMI creates in one namespace that
// answers 500 while failing is set and allows everything otherwise.
type flakyWebhook struct {
	failing atomic.Bool
	calls   atomic.Int32
}

func (w *flakyWebhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.calls.Add(1)
	if w.failing.Load() {
		http.Error(rw, "virt-api is down", http.StatusInternalServerError)
		return
	}
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(rw, "bad review", http.StatusBadRequest)
		return
	}
	review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	review.Request = nil
	rw.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(rw).Encode(&review)
}

// registerFlakyWebhook serves w and registers it for VMI creates in ns until
// the test ends.
func registerFlakyWebhook(t *testing.T, c clients, ns string, w *flakyWebhook) {
	t.Helper()
	srv := httptest.NewTLSServer(w)
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	url := srv.URL + "/validate"
	fail := admissionregistrationv1.Fail
	none := admissionregistrationv1.SideEffectClassNone
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "flaky-" + ns},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "flaky.vmi.test.kvirt.io",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca},
			AdmissionReviewVersions: []string{"v1"}, SideEffects: &none, FailurePolicy: &fail,
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{virtv1.GroupName}, APIVersions: []string{"*"},
					Resources: []string{"virtualmachineinstances"}},
			}},
		}},
	}
	ctx := context.Background()
	reg := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if _, err := reg.Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
		t.Fatalf("register webhook: %v", err)
	}
	t.Cleanup(func() { _ = reg.Delete(ctx, cfg.Name, metav1.DeleteOptions{}) })
}

// vmEvent waits for an Event with reason on the VM.
func vmEvent(t *testing.T, c clients, ns, vm, reason string) {
	t.Helper()
	eventually(t, 60*time.Second, reason+" event on vm "+vm, func() error {
		list, err := c.kube.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{
			FieldSelector: fields.SelectorFromSet(fields.Set{"involvedObject.name": vm, "reason": reason}).String(),
		})
		if err != nil {
			return err
		}
		for _, e := range list.Items {
			if e.InvolvedObject.Kind == "VirtualMachine" {
				return nil
			}
		}
		return fmt.Errorf("%d events", len(list.Items))
	})
}

// TestVMStartsAfterTransientWebhookFailure: an Always VM whose VMI create is
// refused by a failing webhook shows FailedCreate (condition and Event), keeps
// retrying with backoff, and starts once the webhook answers again.
func TestVMStartsAfterTransientWebhookFailure(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	hook := &flakyWebhook{}
	hook.failing.Store(true)
	registerFlakyWebhook(t, c, ns, hook)
	ctx := context.Background()
	name := "outage"
	// the webhook registration takes effect asynchronously: wait until it refuses
	eventually(t, 30*time.Second, "webhook refuses VMI creates", func() error {
		_, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, testVMI(ns, "probe"), metav1.CreateOptions{})
		if err == nil {
			_ = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Delete(ctx, "probe", metav1.DeleteOptions{})
			return fmt.Errorf("created")
		}
		return nil
	})
	startController(t, controllerOptions())
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, name, virtv1.RunStrategyAlways), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "FailedCreate on the VM", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		for _, cond := range vm.Status.Conditions {
			if cond.Reason == "FailedCreate" {
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", vm.Status.Conditions)
	})
	vmEvent(t, c, ns, name, "FailedCreate")
	// a few retries while the outage lasts, then virt-api is back
	start := hook.calls.Load()
	eventually(t, 60*time.Second, "retries during the outage", func() error {
		if n := hook.calls.Load() - start; n < 2 {
			return fmt.Errorf("%d retries", n)
		}
		return nil
	})
	hook.failing.Store(false)
	recovered := time.Now()
	// the next retry comes within the backoff cap (loop.MaxRetryDelay)
	eventually(t, 2*time.Minute, "VMI created after the outage", func() error {
		_, err := getVMI(c, ns, name)
		return err
	})
	t.Logf("VMI created %s after the webhook recovered (%d webhook calls in all)",
		time.Since(recovered).Round(time.Millisecond), hook.calls.Load())
	vmEvent(t, c, ns, name, "SuccessfulCreate")
	eventually(t, 30*time.Second, "FailedCreate condition cleared", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		for _, cond := range vm.Status.Conditions {
			if cond.Reason == "FailedCreate" {
				return fmt.Errorf("still %+v", cond)
			}
		}
		return nil
	})
}
