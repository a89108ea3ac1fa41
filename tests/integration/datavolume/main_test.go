package datavolume

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtscheme "kvirt.io/client-go/generated/clientset/versioned/scheme"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	"kvirt.io/kvirt/pkg/virt-controller/datavolume"
	"kvirt.io/kvirt/tests/framework/background"
	"kvirt.io/kvirt/tests/framework/controlplane"
	"kvirt.io/kvirt/tests/framework/poll"
)

// cp is the control plane shared by every test of this package.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c }))
}

type clients struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
}

var crdOnce sync.Once

// newClients installs the CDI CRDs (once) and returns admin clients.
func newClients(t *testing.T) clients {
	t.Helper()
	var err error
	crdOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "manifests", "cdi-crds")
		_, err = controlplane.InstallCRDs(context.Background(), cp.RESTConfig(), dir, 2*time.Minute)
	})
	if err != nil {
		t.Fatalf("install cdi crds: %v", err)
	}
	cfg := cp.RESTConfig()
	return clients{kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg)}
}

// testNamespace creates a namespace with its default ServiceAccount and
// deletes it afterwards.
func testNamespace(t *testing.T, c clients) string {
	t.Helper()
	ctx := context.Background()
	ns, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "dv-test-"}},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	if _, err := c.kube.CoreV1().ServiceAccounts(ns.Name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		metav1.CreateOptions{}); err != nil {
		t.Fatalf("create default service account: %v", err)
	}
	t.Cleanup(func() { _ = c.kube.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}) })
	return ns.Name
}

// progressServer plays the importer's progress endpoint on 127.0.0.1; set
// changes the percentage it serves.
type progressServer struct {
	port  int32
	value atomic.Value
}

func startProgressServer(t *testing.T) *progressServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &progressServer{port: int32(ln.Addr().(*net.TCPAddr).Port)}
	s.value.Store("0")
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/progress" {
			http.NotFound(w, r)
			return
		}
		_, _ = fmt.Fprintln(w, s.value.Load().(string))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *progressServer) set(v string) { s.value.Store(v) }

// startController runs the DataVolume controller in this process until the
// test ends, with a short retry backoff and progress interval; honorWFFC
// makes it wait for a first consumer.
func startController(t *testing.T, c clients, port int32, honorWFFC ...bool) {
	t.Helper()
	honor := len(honorWFFC) > 0 && honorWFFC[0]
	background.Run(t, "datavolume-controller", func(ctx context.Context) error {
		kvirtFactory := kvirtinformers.NewSharedInformerFactory(c.kvirt, 0)
		kubeFactory := informers.NewSharedInformerFactory(c.kube, 0)
		events, stop := eventRecorder(ctx, c.kube)
		defer stop()
		ctrl, err := datavolume.New(datavolume.Config{
			Kube: c.kube, Kvirt: c.kvirt,
			DataVolumes: kvirtFactory.Cdi().V1beta1().DataVolumes(), DataSources: kvirtFactory.Cdi().V1beta1().DataSources(),
			Claims: kubeFactory.Core().V1().PersistentVolumeClaims(), Pods: kubeFactory.Core().V1().Pods(),
			Policy: datavolume.Policy{
				Pod:          datavolume.PodConfig{Image: "kvirt.local/importer:test", ProgressPort: port},
				RetryBackoff: time.Second, ProgressInterval: 300 * time.Millisecond,
			},
			Events: events, HonorWaitForFirstConsumer: honor, StorageClasses: kubeFactory.Storage().V1().StorageClasses(),
		})
		if err != nil {
			return err
		}
		kvirtFactory.Start(ctx.Done())
		kubeFactory.Start(ctx.Done())
		defer kvirtFactory.Shutdown()
		defer kubeFactory.Shutdown()
		return ctrl.Run(ctx, 2)
	})
}

func eventRecorder(ctx context.Context, kube kubernetes.Interface) (record.EventRecorder, func()) {
	scheme := k8sruntime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(kvirtscheme.AddToScheme(scheme))
	b := record.NewBroadcaster(record.WithContext(ctx))
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: kube.CoreV1().Events("")})
	return b.NewRecorder(scheme, corev1.EventSource{Component: "virt-controller"}), b.Shutdown
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	poll.Eventually(t, timeout, what, cond)
}
