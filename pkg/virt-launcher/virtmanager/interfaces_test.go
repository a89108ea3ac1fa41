package virtmanager

import (
	"testing"

	"kvirt.io/kvirt/pkg/virt-launcher/podnet"
)

func TestDomainInterfaces(t *testing.T) {
	xml := `<domain type="qemu"><name>x</name><devices>
<interface type="user"><mac address="52:54:00:aa:bb:cc"/><alias name="ua-default"/></interface>
<interface type="ethernet"><mac address="52:54:00:aa:bb:cd"/><target dev="tap1"/><alias name="ua-br"/></interface>
<interface type="user"><alias name="net9"/></interface>
</devices></domain>`
	got := domainInterfaces(xml, []string{"10.244.0.7"}, nil)
	if len(got) != 2 {
		t.Fatalf("got %d interfaces, want the 2 of the VMI: %v", len(got), got)
	}
	if got[0].Name != "default" || got[0].Mac != "52:54:00:aa:bb:cc" || len(got[0].IpAddresses) != 1 {
		t.Errorf("masquerade interface = %v", got[0])
	}
	if got[1].Name != "br" || got[1].InterfaceName != "tap1" || len(got[1].IpAddresses) != 0 {
		t.Errorf("bridge interface = %v", got[1])
	}
}

func TestDomainInterfacesBridgeReportsBoundAddress(t *testing.T) {
	xml := `<domain type="qemu"><name>x</name><devices>
<interface type="ethernet"><mac address="52:54:00:aa:bb:cd"/><target dev="tap0"/><alias name="ua-default"/></interface>
</devices></domain>`
	got := domainInterfaces(xml, nil, &podnet.Bound{Interface: "default", Tap: "tap0", Addresses: []string{"192.168.77.2"}})
	if len(got) != 1 || len(got[0].IpAddresses) != 1 || got[0].IpAddresses[0] != "192.168.77.2" {
		t.Fatalf("bridge interface = %v, want the pod's former address", got)
	}
}
