package virtmanager

import (
	"testing"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestDomainInterfaces(t *testing.T) {
	xml := `<domain type="qemu"><name>x</name><devices>
<interface type="ethernet"><mac address="52:54:00:aa:bb:cc"/><target dev="tap0"/><alias name="ua-default"/></interface>
<interface type="ethernet"><mac address="52:54:00:aa:bb:cd"/><target dev="tap1"/><alias name="ua-br"/></interface>
<interface type="user"><alias name="net9"/></interface>
</devices></domain>`
	got := domainInterfaces(xml, []*launcherv1.PodInterface{{Name: "default", Tap: "tap0", StatusAddresses: []string{"10.244.0.7"}}})
	if len(got) != 2 {
		t.Fatalf("got %d interfaces, want the 2 of the VMI: %v", len(got), got)
	}
	if got[0].Name != "default" || got[0].Mac != "52:54:00:aa:bb:cc" || len(got[0].IpAddresses) != 1 ||
		got[0].IpAddresses[0] != "10.244.0.7" || got[0].InterfaceName != "tap0" {
		t.Errorf("pod interface = %v, want the address virt-handler gave", got[0])
	}
	if got[1].Name != "br" || got[1].InterfaceName != "tap1" || len(got[1].IpAddresses) != 0 {
		t.Errorf("other interface = %v", got[1])
	}
}
