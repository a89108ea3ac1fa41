package console

import "testing"

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
