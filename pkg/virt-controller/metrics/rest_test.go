package metrics

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		method, path, watch string
		verb, resource      string
	}{
		{"GET", "/api/v1/namespaces/ns/pods/p", "", "get", "pods"},
		{"GET", "/api/v1/namespaces/ns/pods", "", "list", "pods"},
		{"GET", "/api/v1/pods", "true", "watch", "pods"},
		{"POST", "/api/v1/namespaces/ns/pods", "", "create", "pods"},
		{"DELETE", "/api/v1/namespaces/ns/pods/p", "", "delete", "pods"},
		{"PATCH", "/apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances/v", "", "patch", "virtualmachineinstances"},
		{"PUT", "/apis/kubevirt.io/v1/namespaces/ns/virtualmachines/v/status", "", "update", "virtualmachines/status"},
		{"GET", "/api/v1/namespaces/ns", "", "get", "namespaces"},
		{"PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/virt-controller", "", "update", "leases"},
		{"GET", "/apis/instancetype.kubevirt.io/v1beta1/virtualmachineclusterinstancetypes/x", "", "get", "virtualmachineclusterinstancetypes"},
		{"GET", "/healthz", "", "get", "<other>"},
	}
	for _, tt := range tests {
		verb, res := Classify(tt.method, tt.path, tt.watch)
		if verb != tt.verb || res != tt.resource {
			t.Errorf("%s %s: got %s %s, want %s %s", tt.method, tt.path, verb, res, tt.verb, tt.resource)
		}
	}
}
