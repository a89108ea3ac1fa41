package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
)

// recorder keeps the informer events seen for each VM name, in order.
type recorder struct {
	mu     sync.Mutex
	events map[string][]string
}

func (r *recorder) add(kind string, obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	vm, ok := obj.(*virtv1.VirtualMachine)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[vm.Name] = append(r.events[vm.Name], fmt.Sprintf("%s:%s", kind, ptr.Deref(vm.Spec.RunStrategy, "")))
}

func (r *recorder) has(name, event string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events[name] {
		if e == event {
			return nil
		}
	}
	return fmt.Errorf("events for %s: %v, want %s", name, r.events[name], event)
}

// TestInformerSeesAddUpdateDelete checks the generated informers and listers against
// the real apiserver.
func TestInformerSeesAddUpdateDelete(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	factory := kvirtinformers.NewSharedInformerFactoryWithOptions(c.kvirt, 0, kvirtinformers.WithNamespace(ns))
	vmInformer := factory.Kubevirt().V1().VirtualMachines()
	rec := &recorder{events: map[string][]string{}}
	_, err := vmInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { rec.add("add", obj) },
		UpdateFunc: func(_, obj any) { rec.add("update", obj) },
		DeleteFunc: func(obj any) { rec.add("delete", obj) },
	})
	if err != nil {
		t.Fatalf("add handler: %v", err)
	}
	factory.Start(ctx.Done())
	defer func() {
		cancel() // Shutdown waits for the informers, which stop only when ctx ends.
		factory.Shutdown()
	}()
	if !cache.WaitForCacheSync(ctx.Done(), vmInformer.Informer().HasSynced) {
		t.Fatal("informer cache never synced")
	}

	vms := c.kvirt.KubevirtV1().VirtualMachines(ns)
	vm := minimalVM("informer-vm", virtv1.RunStrategyHalted)
	if _, err := vms.Create(ctx, vm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	eventually(t, 30*time.Second, "add seen", func() error { return rec.has(vm.Name, "add:Halted") })
	eventually(t, 30*time.Second, "lister sees the VM", func() error {
		_, err := vmInformer.Lister().VirtualMachines(ns).Get(vm.Name)
		return err
	})

	current, err := vms.Get(ctx, vm.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	current.Spec.RunStrategy = ptr.To(virtv1.RunStrategyAlways)
	if _, err := vms.Update(ctx, current, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update: %v", err)
	}
	eventually(t, 30*time.Second, "update seen", func() error { return rec.has(vm.Name, "update:Always") })

	if err := vms.Delete(ctx, vm.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	eventually(t, 30*time.Second, "delete seen", func() error { return rec.has(vm.Name, "delete:Always") })
}

// minimalVM is the smallest VirtualMachine the schema accepts.
func minimalVM(name string, strategy virtv1.VirtualMachineRunStrategy) *virtv1.VirtualMachine {
	return &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: virtv1.VirtualMachineSpec{
			RunStrategy: ptr.To(strategy),
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{
				Spec: virtv1.VirtualMachineInstanceSpec{
					Domain: virtv1.DomainSpec{Devices: virtv1.Devices{}},
				},
			},
		},
	}
}
