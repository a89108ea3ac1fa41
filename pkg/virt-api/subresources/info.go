package subresources

import (
	"net/http"

	"kvirt.io/kvirt/pkg/version"
)

// serveVersion answers GET /apis/subresources.kubevirt.io/v1/version with the
// build of this virt-api, in upstream's version info form (what `virtctl
// version` prints as the server version).
func (s *Server) serveVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, version.Get())
}

// serveHealthz answers GET /apis/subresources.kubevirt.io/v1/healthz as
// upstream: whether virt-api reaches the kube-apiserver (with its version),
// and the resourceVersion of the KubeVirt CR in use; 500 when it does not.
func (s *Server) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	v, err := s.cfg.Kube.Discovery().ServerVersion()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{
			"apiserver": map[string]any{"connectivity": "failed", "error": err.Error()},
		})
		return
	}
	body := map[string]any{"apiserver": map[string]any{"connectivity": "ok", "version": v}}
	if s.cfg.ConfigVersion != nil {
		body["config-resource-version"] = s.cfg.ConfigVersion()
	}
	writeJSON(w, http.StatusOK, body)
}
