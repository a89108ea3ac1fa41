package csrsigner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	certinformers "k8s.io/client-go/informers/certificates/v1"
	"k8s.io/client-go/kubernetes"
	certlisters "k8s.io/client-go/listers/certificates/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/nodecert"
)

// ReasonNotSigned is the Failed condition's reason on a request someone else
// approved that Decide refuses: the signer never signs it.
const ReasonNotSigned = "SignerValidationFailure"

// Config wires a Controller.
type Config struct {
	Kube kubernetes.Interface
	// CSRs watches CertificateSigningRequests (ideally only this signer's:
	// field selector spec.signerName, see FieldSelector).
	CSRs   certinformers.CertificateSigningRequestInformer
	Policy Policy
	// CASecret is the kubernetes.io/tls Secret in Policy.Namespace holding
	// the CA that signs (tls.crt, tls.key).
	CASecret string
	// Validity is the longest lifetime of an issued certificate.
	Validity time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// FieldSelector restricts a CSR informer to this signer's requests.
const FieldSelector = "spec.signerName=" + nodecert.SignerName

// Controller approves, denies and signs the requests of signer kubevirt.io/node-api.
type Controller struct {
	cfg    Config
	csrs   certlisters.CertificateSigningRequestLister
	queue  workqueue.TypedRateLimitingInterface[string]
	synced cache.InformerSynced
}

// New registers the event handler and returns the controller.
func New(cfg Config) (*Controller, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Validity <= 0 || cfg.CASecret == "" || cfg.Policy.Namespace == "" || cfg.Policy.ServiceAccount == "" {
		return nil, errors.New("csrsigner: validity, CA secret, namespace and service account are required")
	}
	c := &Controller{cfg: cfg, csrs: cfg.CSRs.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "node-api-csr"})}
	add := func(obj interface{}) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			c.queue.Add(key)
		}
	}
	reg, err := cfg.CSRs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: add, UpdateFunc: func(_, o interface{}) { add(o) },
	})
	if err != nil {
		return nil, fmt.Errorf("add event handler: %w", err)
	}
	c.synced = reg.HasSynced
	return c, nil
}

// Run waits for the cache and syncs with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) error {
	log := klog.FromContext(ctx).WithValues("controller", "node-api-csr")
	ctx = klog.NewContext(ctx, log)
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), c.synced) {
		return fmt.Errorf("node api csr controller: cache did not sync: %w", ctx.Err())
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait.UntilWithContext(ctx, func(ctx context.Context) {
				for c.next(ctx) {
				}
			}, time.Second)
		}()
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	return nil
}

func (c *Controller) next(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	if err := c.sync(ctx, key); err != nil {
		if !errors.Is(err, context.Canceled) && !apierrors.IsConflict(err) {
			klog.FromContext(ctx).Info("sync failed, requeueing", "csr", key, "err", err.Error())
		}
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// sync decides one request and writes the verdict: a Denied condition, or an
// Approved condition followed by the signed certificate.
func (c *Controller) sync(ctx context.Context, name string) error {
	cached, err := c.csrs.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get csr %s: %w", name, err)
	}
	if cached.Spec.SignerName != nodecert.SignerName || finished(cached) {
		return nil
	}
	csr := cached.DeepCopy()
	d := Decide(csr, c.cfg.Policy)
	api := c.cfg.Kube.CertificatesV1().CertificateSigningRequests()
	log := klog.FromContext(ctx).WithValues("csr", name, "requester", csr.Spec.Username)
	if !has(csr, certificatesv1.CertificateApproved) {
		typ := certificatesv1.CertificateApproved
		if !d.Approve {
			typ = certificatesv1.CertificateDenied
		}
		csr.Status.Conditions = append(csr.Status.Conditions, condition(typ, d.Reason, d.Message, c.cfg.Now()))
		if csr, err = api.UpdateApproval(ctx, name, csr, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("write %s on csr %s: %w", typ, name, err)
		}
		log.Info("node api csr decided", "verdict", typ, "reason", d.Reason, "message", d.Message)
	}
	if !d.Approve { // denied above, or approved by someone else against the policy
		if has(csr, certificatesv1.CertificateDenied) {
			return nil
		}
		csr.Status.Conditions = append(csr.Status.Conditions, condition(certificatesv1.CertificateFailed,
			ReasonNotSigned, d.Reason+": "+d.Message, c.cfg.Now()))
		_, err = api.UpdateStatus(ctx, csr, metav1.UpdateOptions{})
		return wrap(err, "mark csr %s failed", name)
	}
	ca, err := c.loadCA(ctx)
	if err != nil {
		return err
	}
	if csr.Status.Certificate, err = Sign(d, ca, c.cfg.Now(), c.cfg.Validity, csr.Spec.ExpirationSeconds); err != nil {
		return err
	}
	_, err = api.UpdateStatus(ctx, csr, metav1.UpdateOptions{})
	return wrap(err, "write certificate of csr %s", name)
}

// loadCA reads the signing CA from its Secret.
func (c *Controller) loadCA(ctx context.Context) (tls.Certificate, error) {
	s, err := c.cfg.Kube.CoreV1().Secrets(c.cfg.Policy.Namespace).Get(ctx, c.cfg.CASecret, metav1.GetOptions{})
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("get ca secret %s: %w", c.cfg.CASecret, err)
	}
	ca, err := tls.X509KeyPair(s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("ca secret %s: %w", c.cfg.CASecret, err)
	}
	return ca, nil
}

// finished says whether nothing is left to do: denied, failed, or signed.
func finished(csr *certificatesv1.CertificateSigningRequest) bool {
	return has(csr, certificatesv1.CertificateDenied) || has(csr, certificatesv1.CertificateFailed) ||
		len(csr.Status.Certificate) > 0
}

func has(csr *certificatesv1.CertificateSigningRequest, typ certificatesv1.RequestConditionType) bool {
	for _, c := range csr.Status.Conditions {
		if c.Type == typ && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func condition(typ certificatesv1.RequestConditionType, reason, msg string, now time.Time) certificatesv1.CertificateSigningRequestCondition {
	t := metav1.NewTime(now)
	return certificatesv1.CertificateSigningRequestCondition{Type: typ, Status: corev1.ConditionTrue,
		Reason: reason, Message: msg, LastUpdateTime: t, LastTransitionTime: t}
}

func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
