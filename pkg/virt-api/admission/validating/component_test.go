package validating

import "testing"

func TestIsComponent(t *testing.T) {
	cases := []struct {
		user, ns string
		want     bool
	}{
		{"system:serviceaccount:kubevirt:kubevirt-handler", "kubevirt", true},
		{"system:serviceaccount:kubevirt:kubevirt-controller", "kubevirt", true},
		{"system:serviceaccount:kubevirt:kubevirt-apiserver", "kubevirt", true},
		{"system:serviceaccount:kvirt-system:kubevirt-handler", "kvirt-system", true},
		// virt-operator writes no VMI.
		{"system:serviceaccount:kubevirt:kubevirt-operator", "kubevirt", false},
		{"system:serviceaccount:kubevirt:virt-handler", "kubevirt", false},
		{"system:serviceaccount:tenant:kubevirt-handler", "kubevirt", false},
		{"system:serviceaccount:tenant:virt-handler", "kubevirt", false},
		{"system:serviceaccount:kubevirt:kubevirt-handler:x", "kubevirt", false},
		{"system:serviceaccount:kubevirt-x:kubevirt-handler", "kubevirt", false},
		{"kubevirt-handler", "kubevirt", false},
		{"system:serviceaccount:kubevirt:kubevirt-handler", "", false},
	}
	for _, tc := range cases {
		if got := IsComponent(tc.user, tc.ns); got != tc.want {
			t.Errorf("IsComponent(%q, %q) = %v, want %v", tc.user, tc.ns, got, tc.want)
		}
	}
}
