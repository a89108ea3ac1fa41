package nodeapi

import (
	"net/http"
	"slices"
)

// requireClientName refuses with 403 every request whose verified client
// certificate does not carry one of the allowed CommonNames: the CA also signs
// other leaves (virt-handler's serving certificates), and none of those may
// pause a VMI or open its console.
func requireClientName(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := clientName(r); !ok || !slices.Contains(allowed, name) {
			http.Error(w, "client certificate "+quote(name)+" is not allowed to use the node API", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientName is the CommonName of the leaf of the request's verified chain.
func clientName(r *http.Request) (string, bool) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return "", false
	}
	return r.TLS.VerifiedChains[0][0].Subject.CommonName, true
}

func quote(s string) string { return `"` + s + `"` }
