package componentmetrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRegister(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	s, err := Register(reg, "virt-controller", true)
	if err != nil {
		t.Fatal(err)
	}
	s.SetReady(true)
	s.SetLeading(true)
	s.SetLeading(false)
	want := `
# HELP kubevirt_virt_controller_leading_status 1 while this virt-controller holds the leader lease.
# TYPE kubevirt_virt_controller_leading_status gauge
kubevirt_virt_controller_leading_status 0
# HELP kubevirt_virt_controller_ready_status 1 while this virt-controller is ready to serve.
# TYPE kubevirt_virt_controller_ready_status gauge
kubevirt_virt_controller_ready_status 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"kubevirt_virt_controller_leading_status", "kubevirt_virt_controller_ready_status"); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(reg, "kubevirt_info"); err != nil || n != 1 {
		t.Fatalf("kubevirt_info series = %d, %v", n, err)
	}
	noLead, err := Register(prometheus.NewRegistry(), "virt-handler", false)
	if err != nil {
		t.Fatal(err)
	}
	noLead.SetLeading(true) // must not panic
}
