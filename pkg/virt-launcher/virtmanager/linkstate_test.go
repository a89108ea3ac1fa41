package virtmanager

import "testing"

func TestDomainInterfacesLinkState(t *testing.T) {
	xml := `<domain type="qemu"><name>x</name><devices>
<interface type="ethernet"><mac address="52:54:00:aa:bb:cc"/><target dev="tap0"/><alias name="ua-up"/></interface>
<interface type="ethernet"><mac address="52:54:00:aa:bb:cd"/><target dev="tap1"/><link state="down"/><alias name="ua-down"/></interface>
</devices></domain>`
	got := domainInterfaces(xml, nil)
	if len(got) != 2 || got[0].LinkState != "up" || got[1].LinkState != "down" {
		t.Fatalf("interfaces = %v, want the first up (no link element) and the second down", got)
	}
}
