package console

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

func TestConsoleURL(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"https://127.0.0.1:26443", "wss://127.0.0.1:26443/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/console"},
		{"https://example.org/prefix/", "wss://example.org/prefix/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/console"},
		{"http://localhost:8080", "ws://localhost:8080/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/console"},
	} {
		got, err := consoleURL(tc.host, "ns", "vm")
		if err != nil || got != tc.want {
			t.Errorf("consoleURL(%q) = %q, %v; want %q", tc.host, got, err, tc.want)
		}
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      int
		body      string
		wantMsg   string
		retryable bool
	}{
		{"not running within virt-api's wait", http.StatusBadRequest,
			`{"kind":"Status","apiVersion":"v1","status":"Failure","code":400,"reason":"BadRequest","message":"Timeout trying to connect to the virtual machine instance"}`,
			"Timeout trying to connect to the virtual machine instance", true},
		{"no serial console", http.StatusBadRequest, `{"kind":"Status","code":400,"message":"No serial consoles are present."}`,
			"No serial consoles are present.", false},
		{"failed VMI", http.StatusConflict, `{"kind":"Status","code":409,"message":"VMI is in failed status"}`, "VMI is in failed status", false},
		{"no such VMI", http.StatusNotFound, `{"kind":"Status","code":404,"message":"virtualmachineinstances.kubevirt.io \"vm\" not found"}`,
			`virtualmachineinstances.kubevirt.io "vm" not found`, false},
		{"forbidden", http.StatusForbidden, `{"kind":"Status","code":403,"message":"no"}`, "no", false},
		{"virt-api unavailable, not a Status", http.StatusServiceUnavailable, "service unavailable", "503 Service Unavailable", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.code)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			_, err := Dial(&rest.Config{Host: srv.URL}, "ns", "vm", 5*time.Second)
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("error %v, want a RefusedError", err)
			}
			if refused.Code != tc.code || refused.Message != tc.wantMsg || refused.Retryable() != tc.retryable {
				t.Errorf("refusal %+v retryable %v, want %d %q retryable %v", refused, refused.Retryable(), tc.code, tc.wantMsg, tc.retryable)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not say %q", err, tc.wantMsg)
			}
		})
	}
}
