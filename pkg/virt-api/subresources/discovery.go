package subresources

import (
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The aggregated group and version.
const (
	GroupName = "subresources.kubevirt.io"
	Version   = "v1"
)

// route is one namespaced endpoint: on which resource (and subresource of a
// named object; none for expand-vm-spec, which takes its object in the body),
// with which HTTP method and RBAC verb, and whether it is served here or waits
// for the node side.
type route struct {
	resource, sub string
	// params are path parameters after sub ("/{port}" of portforward): part of
	// the served path, not of the route's name.
	params       string
	method, verb string
	nodeSide     bool
	// hidden routes are served but not advertised in discovery, as upstream's
	// virtualmachines/portforward and the {protocol} form.
	hidden bool
}

// name is the route's name in discovery and RBAC: resource/sub, or resource.
func (r route) name() string {
	if r.sub == "" {
		return r.resource
	}
	return r.resource + "/" + r.sub
}

// Resources of the group.
const (
	resVMs         = "virtualmachines"
	resVMIs        = "virtualmachineinstances"
	resExpandVMSpc = "expand-vm-spec"
)

// routes lists what discovery advertises, as upstream does (upstream serves no
// virtualmachineinstances/migrate: a VMI is migrated through its VM or a
// VirtualMachineInstanceMigration).
var routes = []route{
	{resource: resExpandVMSpc, method: http.MethodPut, verb: "update"},
	{resource: resVMs, sub: "start", method: http.MethodPut, verb: "update"},
	{resource: resVMs, sub: "stop", method: http.MethodPut, verb: "update"},
	{resource: resVMs, sub: "restart", method: http.MethodPut, verb: "update"},
	{resource: resVMs, sub: "migrate", method: http.MethodPut, verb: "update"},
	{resource: resVMs, sub: "expand-spec", method: http.MethodGet, verb: "get"},
	{resource: resVMIs, sub: "pause", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: resVMIs, sub: "unpause", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: resVMIs, sub: "softreboot", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: resVMIs, sub: "reset", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: resVMIs, sub: "console", method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: resVMIs, sub: subVNC, method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: resVMIs, sub: subScreenshot, method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: resVMIs, sub: "guestosinfo", method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: resVMIs, sub: "userlist", method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: resVMIs, sub: "filesystemlist", method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: resVMIs, sub: "freeze", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: resVMIs, sub: "unfreeze", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: resVMIs, sub: subPortForward, params: paramPort, method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: resVMIs, sub: subPortForward, params: paramPort + paramProto, method: http.MethodGet, verb: "get",
		nodeSide: true, hidden: true},
	{resource: resVMs, sub: subPortForward, params: paramPort, method: http.MethodGet, verb: "get", nodeSide: true,
		hidden: true},
	{resource: resVMs, sub: subPortForward, params: paramPort + paramProto, method: http.MethodGet, verb: "get",
		nodeSide: true, hidden: true},
	// virtctl image-upload: the image is the body, streamed to the DataVolume's
	// upload server (upload.go). PUT and POST as CDI's upload proxy takes both.
	{resource: resDataVolumes, sub: subUpload, method: http.MethodPut, verb: "update"},
	{resource: resDataVolumes, sub: subUpload, method: http.MethodPost, verb: "create"},
}

func groupVersion() metav1.GroupVersionForDiscovery {
	return metav1.GroupVersionForDiscovery{GroupVersion: GroupName + "/" + Version, Version: Version}
}

func apiGroup() metav1.APIGroup {
	return metav1.APIGroup{
		TypeMeta:         metav1.TypeMeta{Kind: "APIGroup", APIVersion: "v1"},
		Name:             GroupName,
		Versions:         []metav1.GroupVersionForDiscovery{groupVersion()},
		PreferredVersion: groupVersion(),
	}
}

func (s *Server) serveGroupList(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, metav1.APIGroupList{
		TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
		Groups:   []metav1.APIGroup{apiGroup()},
	})
}

func (s *Server) serveGroup(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, apiGroup())
}

func (s *Server) serveResourceList(w http.ResponseWriter, _ *http.Request) {
	list := metav1.APIResourceList{
		TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: GroupName + "/" + Version,
	}
	index := map[string]int{}
	for _, r := range routes {
		if r.hidden {
			continue
		}
		if i, ok := index[r.name()]; ok {
			// One resource served with two methods (datavolumes/upload).
			list.APIResources[i].Verbs = append(list.APIResources[i].Verbs, r.verb)
			continue
		}
		index[r.name()] = len(list.APIResources)
		list.APIResources = append(list.APIResources, metav1.APIResource{
			Name: r.name(), Namespaced: true, Verbs: metav1.Verbs{r.verb},
		})
	}
	writeJSON(w, http.StatusOK, list)
}
