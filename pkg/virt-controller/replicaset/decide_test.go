package replicaset

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func rsWith(replicas int32) *virtv1.VirtualMachineInstanceReplicaSet {
	return &virtv1.VirtualMachineInstanceReplicaSet{Spec: virtv1.VirtualMachineInstanceReplicaSetSpec{Replicas: &replicas}}
}

func vmisIn(phases ...virtv1.VirtualMachineInstancePhase) []*virtv1.VirtualMachineInstance {
	var out []*virtv1.VirtualMachineInstance
	for i, p := range phases {
		vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("v%d", i), CreationTimestamp: metav1.NewTime(time.Unix(int64(i), 0))}}
		vmi.Status.Phase = p
		if p == virtv1.Running {
			vmi.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{{Type: virtv1.VirtualMachineInstanceReady, Status: "True"}}
		}
		out = append(out, vmi)
	}
	return out
}

func names(vmis []*virtv1.VirtualMachineInstance) string {
	var n []string
	for _, v := range vmis {
		n = append(n, v.Name)
	}
	return fmt.Sprint(n)
}

func TestDecide(t *testing.T) {
	R, S, P, F := virtv1.Running, virtv1.Scheduled, virtv1.Pending, virtv1.Failed
	yes := true
	paused := rsWith(5)
	paused.Spec.Paused = &yes
	tests := []struct {
		name       string
		rs         *virtv1.VirtualMachineInstanceReplicaSet
		vmis       []*virtv1.VirtualMachineInstance
		wantCreate int
		wantDelete string
	}{
		{"scale 0 to 5", rsWith(5), nil, 5, "[]"},
		{"steady", rsWith(2), vmisIn(R, R), 0, "[]"},
		{"scale 5 to 2 removes unready first, newest first", rsWith(2), vmisIn(R, R, P, S, R), 0, "[v2 v3 v4]"},
		{"failed replaced", rsWith(2), vmisIn(R, F), 1, "[v1]"},
		{"scale to 0", rsWith(0), vmisIn(R), 0, "[v0]"},
		{"paused does nothing", paused, nil, 0, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.rs, tt.vmis)
			if d.Create != tt.wantCreate || names(d.Delete) != tt.wantDelete {
				t.Errorf("create %d delete %s, want %d %s", d.Create, names(d.Delete), tt.wantCreate, tt.wantDelete)
			}
		})
	}
	st := Status(rsWith(3), vmisIn(R, S, F), "a=b", Scaled{}, time.Unix(100, 0))
	if st.Replicas != 2 || st.ReadyReplicas != 1 || st.LabelSelector != "a=b" {
		t.Errorf("status = %+v", st)
	}
}
