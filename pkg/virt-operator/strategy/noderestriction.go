package strategy

import (
	"fmt"
	"strconv"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
)

// Names of the node restriction: a ValidatingAdmissionPolicy, evaluated by the
// kube-apiserver itself, that keeps each virt-handler to its own node.
const (
	NodeRestrictionPolicyName  = "kubevirt-node-restriction-policy"
	NodeRestrictionBindingName = "kubevirt-node-restriction-binding"
	// NodeNameExtra is the user extra the apiserver sets from a pod-bound
	// ServiceAccount token's node claim: the node the pod is scheduled on.
	NodeNameExtra = "authentication.kubernetes.io/node-name"
)

// Messages of the node restriction's refusals.
const (
	NodeRestrictionNoNodeClaim = "virt-handler's requests must carry the node claim of a pod-bound ServiceAccount token (" +
		NodeNameExtra + ")"
	NodeRestrictionOnlyUpdate   = "virt-handler may update Nodes and VirtualMachineInstances, not create or delete them"
	NodeRestrictionOtherNode    = "virt-handler may modify only its own Node"
	NodeRestrictionOtherVMI     = "virt-handler may modify only the VirtualMachineInstances on its node or migrating to it"
	NodeRestrictionMoveVMI      = "virt-handler may not move a VirtualMachineInstance to another node (status.nodeName, label " + virtv1.NodeNameLabel + ")"
	NodeRestrictionTargetLabel  = "virt-handler may not change a VirtualMachineInstance's migration target (label " + virtv1.MigrationTargetNodeNameLabel + ")"
	nodeRestrictionMatchHandler = "virt-handler"
)

// NodeRestriction returns the policy and its binding for the handler
// ServiceAccount of namespace. The policy applies only to that account's
// requests (a match condition on the user name): on Nodes, only the one its
// token's node claim names; on VMIs, only those whose status.nodeName and
// kubevirt.io/nodeName label are that node (or whose migration target it is),
// and never moved to another node. Requests without the claim are refused.
func NodeRestriction(namespace string) []Object {
	return []Object{nodeRestrictionPolicy(namespace), &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: NodeRestrictionBindingName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        NodeRestrictionPolicyName,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}}
}

func nodeRestrictionPolicy(namespace string) *admissionregistrationv1.ValidatingAdmissionPolicy {
	ops := []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update,
		admissionregistrationv1.Delete}
	rule := func(group string, resources ...string) admissionregistrationv1.NamedRuleWithOperations {
		return admissionregistrationv1.NamedRuleWithOperations{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: ops, Rule: admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"*"},
				Resources: resources},
		}}
	}
	handler := "system:serviceaccount:" + namespace + ":" + rbac.HandlerName
	return &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: NodeRestrictionPolicyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{
				rule("", "nodes", "nodes/status"), rule(virtv1.GroupName, "virtualmachineinstances"),
			}},
			MatchConditions: []admissionregistrationv1.MatchCondition{{
				Name: nodeRestrictionMatchHandler, Expression: "request.userInfo.username == " + strconv.Quote(handler),
			}},
			Variables:   nodeRestrictionVariables(),
			Validations: nodeRestrictionValidations(),
		},
	}
}

// nodeRestrictionVariables name the claim and, for VMIs, the old and new
// node label, migration target label and status.nodeName ("" when unset).
func nodeRestrictionVariables() []admissionregistrationv1.Variable {
	label := func(obj, key string) string {
		return fmt.Sprintf("%[1]s != null && has(%[1]s.metadata.labels) && %[2]q in %[1]s.metadata.labels ? %[1]s.metadata.labels[%[2]q] : ''",
			obj, key)
	}
	statusNode := func(obj string) string {
		return fmt.Sprintf("%[1]s != null && has(%[1]s.status) && has(%[1]s.status.nodeName) ? %[1]s.status.nodeName : ''", obj)
	}
	extra := fmt.Sprintf("request.userInfo.extra[%q]", NodeNameExtra)
	return []admissionregistrationv1.Variable{
		{Name: "node", Expression: fmt.Sprintf("has(request.userInfo.extra) && %q in request.userInfo.extra && size(%s) == 1 ? %s[0] : ''",
			NodeNameExtra, extra, extra)},
		{Name: "isNode", Expression: "request.resource.resource == 'nodes'"},
		{Name: "oldNodeLabel", Expression: label("oldObject", virtv1.NodeNameLabel)},
		{Name: "newNodeLabel", Expression: label("object", virtv1.NodeNameLabel)},
		{Name: "oldTargetLabel", Expression: label("oldObject", virtv1.MigrationTargetNodeNameLabel)},
		{Name: "newTargetLabel", Expression: label("object", virtv1.MigrationTargetNodeNameLabel)},
		{Name: "oldStatusNode", Expression: statusNode("oldObject")},
		{Name: "newStatusNode", Expression: statusNode("object")},
	}
}

// nodeRestrictionValidations: every rule after the claim's holds trivially for
// the other resource (and for operations the second rule refuses), so each
// refusal names the one rule broken.
func nodeRestrictionValidations() []admissionregistrationv1.Validation {
	const vmiUpdate = "variables.isNode || request.operation != 'UPDATE' || "
	return []admissionregistrationv1.Validation{
		{Expression: "variables.node != ''", Message: NodeRestrictionNoNodeClaim},
		{Expression: "request.operation == 'UPDATE'", Message: NodeRestrictionOnlyUpdate},
		{Expression: "!variables.isNode || request.name == variables.node", Message: NodeRestrictionOtherNode},
		{Expression: vmiUpdate + "(variables.oldNodeLabel == variables.node && variables.oldStatusNode == variables.node) || " +
			"variables.oldTargetLabel == variables.node", Message: NodeRestrictionOtherVMI},
		{Expression: vmiUpdate + "(variables.newNodeLabel == variables.oldNodeLabel || variables.newNodeLabel == variables.node) && " +
			"(variables.newStatusNode == variables.oldStatusNode || variables.newStatusNode == variables.node)", Message: NodeRestrictionMoveVMI},
		{Expression: vmiUpdate + "variables.newTargetLabel == variables.oldTargetLabel || " +
			"(variables.newTargetLabel == '' && variables.oldTargetLabel == variables.node)", Message: NodeRestrictionTargetLabel},
	}
}
