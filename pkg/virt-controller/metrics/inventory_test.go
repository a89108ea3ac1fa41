package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

func TestInventory(t *testing.T) {
	vmiIdx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	vmIdx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	live := virtv1.EvictionStrategyLiveMigrate
	vmi := &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "a", Annotations: map[string]string{osAnnotation: "fedora",
			clusterInstancetypeAnnotation: "u1.small"}},
		Spec: virtv1.VirtualMachineInstanceSpec{EvictionStrategy: &live, Domain: virtv1.DomainSpec{
			Resources: virtv1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}}},
		Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Running, NodeName: "n1",
			GuestOSInfo: virtv1.VirtualMachineInstanceGuestOSInfo{Name: "Debian", KernelRelease: "6.1", Machine: "x86_64", VersionID: "12"}},
	}
	done := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "b"},
		Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Succeeded}}
	vm := &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "a"},
		Spec:   virtv1.VirtualMachineSpec{Instancetype: &virtv1.InstancetypeMatcher{Name: "u1.small"}},
		Status: virtv1.VirtualMachineStatus{PrintableStatus: virtv1.VirtualMachineStatusCrashLoopBackOff}}
	for _, o := range []any{vmi, done} {
		_ = vmiIdx.Add(o)
	}
	_ = vmIdx.Add(vm)
	c := NewInventory(virtlisters.NewVirtualMachineInstanceLister(vmiIdx), virtlisters.NewVirtualMachineLister(vmIdx))
	overhead := launcherpod.MemoryOverhead(&vmi.Spec)
	want := `
# HELP kubevirt_vm_info Information about VirtualMachines.
# TYPE kubevirt_vm_info gauge
kubevirt_vm_info{flavor="<none>",instance_type="u1.small",name="a",namespace="ns",os="<none>",preference="<none>",status="CrashLoopBackOff",status_group="error",workload="<none>"} 1
# HELP kubevirt_vmi_info Information about VirtualMachineInstances.
# TYPE kubevirt_vmi_info gauge
kubevirt_vmi_info{evictable="true",flavor="<none>",guest_os_kernel_release="6.1",guest_os_machine="x86_64",guest_os_name="Debian",guest_os_version_id="12",instance_type="u1.small",name="a",namespace="ns",node="n1",os="fedora",phase="Running",preference="<none>",workload="<none>"} 1
kubevirt_vmi_info{evictable="false",flavor="<none>",guest_os_kernel_release="",guest_os_machine="",guest_os_name="",guest_os_version_id="",instance_type="<none>",name="b",namespace="ns",node="",os="<none>",phase="Succeeded",preference="<none>",workload="<none>"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "kubevirt_vm_info", "kubevirt_vmi_info"); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "kubevirt_vmi_launcher_memory_overhead_bytes" {
			continue
		}
		// The finished VMI has no launcher, so no overhead series.
		if len(mf.Metric) != 1 || mf.Metric[0].Gauge.GetValue() != overhead.AsApproximateFloat64() || overhead.IsZero() {
			t.Errorf("overhead = %v, want one series of %s", mf.Metric, overhead.String())
		}
		return
	}
	t.Error("no kubevirt_vmi_launcher_memory_overhead_bytes")
}
