package virthandler

import (
	"testing"

	"github.com/spf13/pflag"
)

func TestAdvertisedAddress(t *testing.T) {
	cases := []struct{ advertise, listen, want string }{
		{"", ":8186", ":8186"},
		{"", "0.0.0.0:8186", ":8186"},
		{"", "[::]:8186", ":8186"},
		{"", "127.0.0.1:40001", "127.0.0.1:40001"},
		{"10.0.0.5:9000", ":8186", "10.0.0.5:9000"},
		{"", "127.0.0.1:0", ""},
		{"", "nonsense", ""},
	}
	for _, tc := range cases {
		got, err := AdvertisedAddress(tc.advertise, tc.listen)
		if tc.want == "" {
			if err == nil {
				t.Errorf("(%q, %q) = %q, want an error", tc.advertise, tc.listen, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("(%q, %q) = %q, %v; want %q", tc.advertise, tc.listen, got, err, tc.want)
		}
	}
}

func TestNodeAPICSRFlags(t *testing.T) {
	base := []string{"--kubeconfig=/dev/null", "--node-name=n1"}
	cases := []struct {
		name string
		args []string
		ok   bool
	}{
		{"csr", []string{"--node-api-csr", "--node-api-client-ca=ca", "--install-namespace=kubevirt"}, true},
		{"csr without client ca", []string{"--node-api-csr", "--install-namespace=kubevirt"}, false},
		{"csr without namespace", []string{"--node-api-csr", "--node-api-client-ca=ca", "--install-namespace="}, false},
		{"csr and a static pair", []string{"--node-api-csr", "--node-api-client-ca=ca", "--install-namespace=kubevirt",
			"--node-api-cert=c", "--node-api-key=k"}, false},
		{"static pair", []string{"--node-api-cert=c", "--node-api-key=k", "--node-api-client-ca=ca"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var o Options
			fs := pflag.NewFlagSet("virt-handler", pflag.ContinueOnError)
			o.AddFlags(fs)
			if err := fs.Parse(append(append([]string{}, base...), tc.args...)); err != nil {
				t.Fatal(err)
			}
			if err := o.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && !o.nodeAPIEnabled() {
				t.Fatal("node API not enabled")
			}
		})
	}
}
