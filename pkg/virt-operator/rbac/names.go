package rbac

// ServiceAccount names in the install namespace; each component's
// ClusterRole, Role and bindings carry the same name.
const (
	OperatorName   = "kubevirt-operator"
	APIServerName  = "kubevirt-apiserver"
	ControllerName = "kubevirt-controller"
	HandlerName    = "kubevirt-handler"
)

// User roles (upstream's names) and the labels that fold the first three
// into admin/edit/view.
const (
	AdminRole            = "kubevirt.io:admin"
	EditRole             = "kubevirt.io:edit"
	ViewRole             = "kubevirt.io:view"
	MigrateRole          = "kubevirt.io:migrate"
	DefaultRole          = "kubevirt.io:default"
	InstancetypeViewRole = "instancetype.kubevirt.io:view"

	aggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
	aggregateToEdit  = "rbac.authorization.k8s.io/aggregate-to-edit"
	aggregateToView  = "rbac.authorization.k8s.io/aggregate-to-view"

	// authenticatedGroup holds every authenticated user.
	authenticatedGroup = "system:authenticated"
	// bootstrappingLabel and autoupdateAnnotation mark kubevirt.io:default as
	// upstream marks it: a default role that is reconciled, not hand-edited.
	bootstrappingLabel    = "kubernetes.io/bootstrapping"
	bootstrappingDefaults = "rbac-defaults"
	autoupdateAnnotation  = "rbac.authorization.kubernetes.io/autoupdate"
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
	groupMigrations    = "migrations.kubevirt.io"
	groupSubresources  = "subresources.kubevirt.io"
	groupCDI           = "cdi.kubevirt.io"
	groupApps          = "apps"
	groupCoordination  = "coordination.k8s.io"
	groupMonitoring    = "monitoring.coreos.com"
	groupAuthorization = "authorization.k8s.io"
	groupRBAC          = "rbac.authorization.k8s.io"
	groupAdmission     = "admissionregistration.k8s.io"
	groupAPIExtensions = "apiextensions.k8s.io"
	groupAPIRegistry   = "apiregistration.k8s.io"
	groupEvents        = "events.k8s.io"
	groupCertificates  = "certificates.k8s.io"
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
	// resMigrationPolicy is migrations.kubevirt.io's MigrationPolicies.
	resMigrationPolicy = "migrationpolicies"
	// resCSR is certificates.k8s.io's CertificateSigningRequests.
	resCSR = "certificatesigningrequests"
	// resExpandVMSpec is subresources.kubevirt.io's namespaced expand-vm-spec.
	resExpandVMSpec = "expand-vm-spec"
	// resDataVolume and resDataSource are cdi.kubevirt.io's.
	resDataVolume = "datavolumes"
	resDataSource = "datasources"
)

var (
	readVerbs = []string{"get", "list", "watch"}
	allVerbs  = []string{"get", "list", "watch", "create", "update", "patch", "delete"}
	// editVerbs and adminVerbs are what kubevirt.io:edit and :admin may do to
	// the objects they manage: only admin deletes by collection, as upstream.
	editVerbs  = allVerbs
	adminVerbs = append(append([]string{}, allVerbs...), "deletecollection")
)
