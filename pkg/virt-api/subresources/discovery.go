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

// route is one subresource: on which resource, with which HTTP method and RBAC
// verb, and whether it is served here or waits for the node side.
type route struct {
	resource, sub string
	method, verb  string
	nodeSide      bool
}

// routes lists what discovery advertises, as upstream does.
var routes = []route{
	{resource: "virtualmachines", sub: "start", method: http.MethodPut, verb: "update"},
	{resource: "virtualmachines", sub: "stop", method: http.MethodPut, verb: "update"},
	{resource: "virtualmachines", sub: "restart", method: http.MethodPut, verb: "update"},
	{resource: "virtualmachines", sub: "migrate", method: http.MethodPut, verb: "update"},
	{resource: "virtualmachineinstances", sub: "migrate", method: http.MethodPut, verb: "update"},
	{resource: "virtualmachineinstances", sub: "pause", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: "virtualmachineinstances", sub: "unpause", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: "virtualmachineinstances", sub: "softreboot", method: http.MethodPut, verb: "update", nodeSide: true},
	{resource: "virtualmachineinstances", sub: "console", method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: "virtualmachineinstances", sub: "vnc", method: http.MethodGet, verb: "get", nodeSide: true},
	{resource: "virtualmachineinstances", sub: "guestosinfo", method: http.MethodGet, verb: "get", nodeSide: true},
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
	for _, r := range routes {
		list.APIResources = append(list.APIResources, metav1.APIResource{
			Name: r.resource + "/" + r.sub, Namespaced: true, Verbs: metav1.Verbs{r.verb},
		})
	}
	writeJSON(w, http.StatusOK, list)
}
