package subresources

import (
	"encoding/json"
	"fmt"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// freezeOptions is upstream's FreezeUnfreezeTimeout body of PUT .../freeze.
type freezeOptions struct {
	UnfreezeTimeout *metav1.Duration `json:"unfreezeTimeout,omitempty"`
}

// freezeBody checks a freeze request and returns the node API's body: the
// guest is thawed by itself after unfreezeTimeout (required, not negative;
// 0 never thaws by itself).
func freezeBody(req *http.Request) ([]byte, *refusal) {
	opts := &freezeOptions{}
	if err := decodeBody(req, opts); err != nil {
		return nil, badRequest(err.Error())
	}
	if opts.UnfreezeTimeout == nil {
		return nil, badRequest("unfreezeTimeout: required")
	}
	if opts.UnfreezeTimeout.Duration < 0 {
		return nil, badRequest("unfreezeTimeout: must not be negative")
	}
	raw, err := json.Marshal(map[string]int64{"unfreezeTimeoutSeconds": int64(opts.UnfreezeTimeout.Seconds())})
	if err != nil {
		return nil, badRequest(fmt.Sprintf("encode: %v", err))
	}
	return raw, nil
}
