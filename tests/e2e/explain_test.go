package e2e

import (
	"strings"
	"testing"
)

// TestKubectlExplain: the API explains itself on the operator-installed
// cluster (descriptions come from the CRDs' schemas).
func TestKubectlExplain(t *testing.T) {
	for field, want := range map[string][]string{
		"vm.spec.runStrategy":          {"Always", "RerunOnFailure", "Halted"},
		"vmi.spec.domain.cpu.sockets":  {"socket"},
		"vmi.spec.domain.memory.guest": {"memory"},
	} {
		out, errOut, err := kubectl(t, "", "explain", field)
		if err != nil {
			t.Errorf("kubectl explain %s: %v\n%s", field, err, errOut)
			continue
		}
		desc := out[strings.Index(out, "DESCRIPTION:")+1:]
		for _, w := range want {
			if !strings.Contains(desc, w) {
				t.Errorf("kubectl explain %s does not mention %q:\n%s", field, w, out)
			}
		}
		if strings.Contains(desc, "<empty>") {
			t.Errorf("kubectl explain %s has no description:\n%s", field, out)
		}
	}
}
