package strategy

import (
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

func TestNodeRestrictionInstalledForTheNamespacesHandler(t *testing.T) {
	objs, err := Desired(nil, Config{Namespace: "kvirt-system"})
	if err != nil {
		t.Fatal(err)
	}
	var pol *admissionregistrationv1.ValidatingAdmissionPolicy
	var bind *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	handlerAt, policyAt := -1, -1
	for i, o := range objs {
		switch v := o.(type) {
		case *admissionregistrationv1.ValidatingAdmissionPolicy:
			pol, policyAt = v, i
		case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
			bind = v
		}
		if o.GetName() == VirtHandler && o.GetObjectKind().GroupVersionKind().Kind == "DaemonSet" {
			handlerAt = i
		}
	}
	if pol == nil || bind == nil {
		t.Fatalf("policy %v binding %v", pol, bind)
	}
	if policyAt > handlerAt {
		t.Errorf("policy applied after the virt-handler DaemonSet")
	}
	if bind.Spec.PolicyName != NodeRestrictionPolicyName || len(bind.Spec.ValidationActions) != 1 ||
		bind.Spec.ValidationActions[0] != admissionregistrationv1.Deny {
		t.Errorf("binding %+v", bind.Spec)
	}
	if m := pol.Spec.MatchConditions; len(m) != 1 || m[0].Expression != `request.userInfo.username == "system:serviceaccount:kvirt-system:kubevirt-handler"` {
		t.Errorf("match conditions %+v", m)
	}
	if *pol.Spec.FailurePolicy != admissionregistrationv1.Fail {
		t.Errorf("failure policy %v", *pol.Spec.FailurePolicy)
	}
	if got := pol.Spec.Validations[0]; !strings.Contains(got.Expression, "variables.node") || got.Message != NodeRestrictionNoNodeClaim {
		t.Errorf("first validation %+v, want the node claim", got)
	}
}
