package rbac

// ServiceAccount names in the install namespace; each component's
// ClusterRole, Role and bindings carry the same name.
const (
	OperatorName   = "kubevirt-operator"
	APIServerName  = "kubevirt-apiserver"
	ControllerName = "kubevirt-controller"
	HandlerName    = "kubevirt-handler"
)

// Aggregated user roles and the labels that fold them into admin/edit/view.
const (
	AdminRole = "kubevirt.io:admin"
	EditRole  = "kubevirt.io:edit"
	ViewRole  = "kubevirt.io:view"

	aggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
	aggregateToEdit  = "rbac.authorization.k8s.io/aggregate-to-edit"
	aggregateToView  = "rbac.authorization.k8s.io/aggregate-to-view"
)

// virt-api's delegated authentication reads this ConfigMap.
const (
	AuthConfigMapNamespace = "kube-system"
	AuthConfigMapName      = "extension-apiserver-authentication"
	// APIServerAuthReaderName names virt-api's Role and RoleBinding in kube-system.
	APIServerAuthReaderName = "kubevirt-apiserver-auth-reader"
)

// API groups.
const (
	groupCore          = ""
	groupKubevirt      = "kubevirt.io"
	groupInstancetype  = "instancetype.kubevirt.io"
	groupSubresources  = "subresources.kubevirt.io"
	groupApps          = "apps"
	groupCoordination  = "coordination.k8s.io"
	groupAuthorization = "authorization.k8s.io"
	groupRBAC          = "rbac.authorization.k8s.io"
	groupAdmission     = "admissionregistration.k8s.io"
	groupAPIExtensions = "apiextensions.k8s.io"
	groupAPIRegistry   = "apiregistration.k8s.io"
	groupEvents        = "events.k8s.io"
)

// Resources of kubevirt.io and instancetype.kubevirt.io.
const (
	resVM          = "virtualmachines"
	resVMI         = "virtualmachineinstances"
	resMigration   = "virtualmachineinstancemigrations"
	resReplicaSet  = "virtualmachineinstancereplicasets"
	resPreset      = "virtualmachineinstancepresets"
	resKubeVirt    = "kubevirts"
	resInstancetyp = "virtualmachineinstancetypes"
	resPreference  = "virtualmachinepreferences"
	resClusterIT   = "virtualmachineclusterinstancetypes"
	resClusterPref = "virtualmachineclusterpreferences"
)

var (
	readVerbs  = []string{"get", "list", "watch"}
	writeVerbs = []string{"create", "update", "patch", "delete", "deletecollection"}
	allVerbs   = []string{"get", "list", "watch", "create", "update", "patch", "delete"}
)
