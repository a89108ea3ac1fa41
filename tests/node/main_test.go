package node

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/tests/framework/componentrbac"
	"kvirt.io/kvirt/tests/framework/controlplane"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// cp is the control plane shared by the handler tests of this package.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c }))
}

// cluster is one test's node: a Node object, the KubeVirt CR allowing
// emulation, and a running virt-handler.
type cluster struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
	node  string
	// podsDir is the node's fake kubelet pod directory.
	podsDir  string
	stateDir string
	handler  *nodeenv.Handler
	pki      nodeenv.PKI
	apiAddr  string
	// metricsAddr is the handler's TLS /metrics.
	metricsAddr string
}

func newCluster(t *testing.T, env *nodeenv.Env) *cluster {
	t.Helper()
	cfg := cp.RESTConfig()
	c := &cluster{
		kube: kubernetes.NewForConfigOrDie(cfg), kvirt: kvirtclient.NewForConfigOrDie(cfg),
		node: "node-" + rand.String(5), podsDir: nodeenv.ShortTempDir(t), stateDir: t.TempDir(),
		pki: nodeenv.NewPKI(t), apiAddr: freeAddr(t), metricsAddr: freeAddr(t),
	}
	ctx := context.Background()
	if _, err := c.kube.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: c.node}},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ensureKubeVirt(t, c)
	c.startHandler(t, env)
	nodeenv.WaitFor(t, 30*time.Second, "node labels", func() (bool, string) {
		n, err := c.kube.CoreV1().Nodes().Get(ctx, c.node, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return n.Labels[virtv1.NodeSchedulable] == "true" && n.Labels["node.kvirt.io/accelerator"] == "tcg" &&
			n.Annotations[virtv1.VirtHandlerHeartbeat] != "", fmt.Sprint(n.Labels, n.Annotations)
	})
	return c
}

func ensureKubeVirt(t *testing.T, c *cluster) {
	t.Helper()
	ctx := context.Background()
	_, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kubevirt"}},
		metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	kv := &virtv1.KubeVirt{ObjectMeta: metav1.ObjectMeta{Name: "kubevirt", Namespace: "kubevirt"}}
	kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{UseEmulation: ptr.To(true)}
	_, err = c.kvirt.KubevirtV1().KubeVirts("kubevirt").Create(ctx, kv, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func (c *cluster) startHandler(t *testing.T, env *nodeenv.Env) {
	t.Helper()
	c.handler = env.StartHandler(t, nodeenv.HandlerConfig{Kubeconfig: componentrbac.Kubeconfig(t, cp.RESTConfig(), componentrbac.Handler), NodeName: c.node,
		PodsDir: c.podsDir, StateDir: c.stateDir, NodeAPI: &c.pki, NodeAPIListen: c.apiAddr,
		MetricsListen: c.metricsAddr})
}

// createScheduled creates the VMI as virt-controller would hand it over:
// Scheduled, labelled with this node, with the finalizer that keeps it until
// its domain is gone.
func (c *cluster) createScheduled(t *testing.T, vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	t.Helper()
	vmi = vmi.DeepCopy()
	vmi.UID = ""
	vmi.Labels = map[string]string{virtv1.NodeNameLabel: c.node}
	vmi.Finalizers = []string{"kubevirt.io/foregroundDeleteVirtualMachine"}
	vmi.Status = virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Scheduled, NodeName: c.node}
	out, err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Create(context.Background(), vmi,
		metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create vmi: %v", err)
	}
	t.Cleanup(func() { c.removeVMI(vmi.Namespace, vmi.Name) })
	return out
}

// createPod creates the VMI's launcher pod on this node, as virt-controller
// would (no kubelet runs it: the test starts the launcher itself) and returns
// its UID, which names the pod's directory under podsDir.
func (c *cluster) createPod(t *testing.T, vmi *virtv1.VirtualMachineInstance) string {
	t.Helper()
	return c.createPodAs(t, vmi, 0)
}

// createPodAs is createPod for a launcher running as uid.
func (c *cluster) createPodAs(t *testing.T, vmi *virtv1.VirtualMachineInstance, uid int64) string {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "virt-launcher-" + vmi.Name + "-" + rand.String(5), Namespace: vmi.Namespace,
			Labels: map[string]string{virtv1.AppLabel: "virt-launcher", virtv1.CreatedByLabel: string(vmi.UID)},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(vmi,
				virtv1.SchemeGroupVersion.WithKind("VirtualMachineInstance"))}},
		Spec: corev1.PodSpec{NodeName: c.node, AutomountServiceAccountToken: ptr.To(false),
			SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To(uid)},
			Containers:      []corev1.Container{{Name: "compute", Image: "kvirt/virt-launcher"}}},
	}
	// No controller-manager creates the namespace's default service account,
	// which the apiserver's admission wants to exist.
	_, err := c.kube.CoreV1().ServiceAccounts(pod.Namespace).Create(context.Background(),
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create default service account: %v", err)
	}
	out, err := c.kube.CoreV1().Pods(pod.Namespace).Create(context.Background(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create launcher pod: %v", err)
	}
	t.Cleanup(func() {
		_ = c.kube.CoreV1().Pods(pod.Namespace).Delete(context.Background(), pod.Name,
			metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	})
	return string(out.UID)
}

func (c *cluster) removeVMI(ns, name string) {
	ctx := context.Background()
	patch := []byte(`{"metadata":{"finalizers":null}}`)
	_, _ = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(ctx, name, "application/merge-patch+json", patch,
		metav1.PatchOptions{})
	_ = c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Delete(ctx, name, metav1.DeleteOptions{})
}

func (c *cluster) get(t *testing.T, vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	t.Helper()
	out, err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Get(context.Background(), vmi.Name,
		metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get vmi: %v", err)
	}
	return out
}

// waitForVMI polls the VMI until cond holds.
func (c *cluster) waitForVMI(t *testing.T, vmi *virtv1.VirtualMachineInstance, timeout time.Duration, what string,
	cond func(*virtv1.VirtualMachineInstance) bool) *virtv1.VirtualMachineInstance {
	t.Helper()
	var cur *virtv1.VirtualMachineInstance
	nodeenv.WaitFor(t, timeout, what, func() (bool, string) {
		cur = c.get(t, vmi)
		return cond(cur), fmt.Sprintf("phase=%s reason=%q conditions=%+v", cur.Status.Phase, cur.Status.Reason,
			cur.Status.Conditions)
	})
	return cur
}

func phaseIs(p virtv1.VirtualMachineInstancePhase) func(*virtv1.VirtualMachineInstance) bool {
	return func(v *virtv1.VirtualMachineInstance) bool { return v.Status.Phase == p }
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

func (c *cluster) tlsConfig(t *testing.T) *tls.Config {
	t.Helper()
	caPEM, err := os.ReadFile(c.pki.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	pair, err := tls.LoadX509KeyPair(c.pki.ClientCert, c.pki.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13}
}

// nodeAPIConsole opens the VMI's console through the node API and reads until
// want shows up (the launcher replays the console history first).
func (c *cluster) nodeAPIConsole(t *testing.T, vmi *virtv1.VirtualMachineInstance, want string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", c.apiAddr, c.tlsConfig(t))
	if err != nil {
		t.Fatalf("dial node api: %v", err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET /v1/namespaces/%s/virtualmachineinstances/%s/console HTTP/1.1\r\nHost: node\r\n"+
		"Connection: Upgrade\r\nUpgrade: kvirt-console\r\n\r\n", vmi.Namespace, vmi.Name)
	var out strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(out.String(), want) {
		n, err := conn.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			t.Fatalf("read node api console: %v; got:\n%s", err, out.String())
		}
	}
	if !strings.HasPrefix(out.String(), "HTTP/1.1 101") {
		t.Fatalf("console did not switch protocols:\n%s", out.String())
	}
	return out.String()
}

// nodeAPI calls virt-handler's node API the way virt-api does: HTTPS with a
// client certificate.
func (c *cluster) nodeAPI(t *testing.T, method string, vmi *virtv1.VirtualMachineInstance, action string) int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: c.tlsConfig(t)}}
	url := fmt.Sprintf("https://%s/v1/namespaces/%s/virtualmachineinstances/%s/%s", c.apiAddr, vmi.Namespace,
		vmi.Name, action)
	var code int
	nodeenv.WaitFor(t, 30*time.Second, "node api "+action, func() (bool, string) {
		req, _ := http.NewRequest(method, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			return false, err.Error()
		}
		_ = resp.Body.Close()
		code = resp.StatusCode
		// 503: a handler that just started has not synced its VMIs yet.
		return code != http.StatusServiceUnavailable, resp.Status
	})
	return code
}
