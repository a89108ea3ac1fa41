package domain

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"

	virtv1 "kvirt.io/api/core/v1"
)

// renderAt renders the VMI the way a launcher whose files live below dir does.
func renderAt(t *testing.T, vmi *virtv1.VirtualMachineInstance, dir string, agentSocket string) string {
	t.Helper()
	cfg := baseConfig(func(c *Config) {
		c.GuestAgentSocket = agentSocket
		c.ConsoleSocket, c.VNCSocket = dir+"/serial0", dir+"/vnc"
		c.Volumes["root"] = VolumeSource{Path: dir + "/disks/root.img", Format: "raw"}
		c.KernelPath, c.InitrdPath = dir+"/vmlinuz", dir+"/initrd.img"
	})
	out, err := RenderXML(vmi, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func migrationVMI() *virtv1.VirtualMachineInstance {
	return baseVMI(func(v *virtv1.VirtualMachineInstance) {
		v.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "root",
			Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}}}
		v.Spec.Volumes = []virtv1.Volume{{Name: "root",
			EmptyDisk: &virtv1.EmptyDiskSource{}}}
		v.Spec.Domain.Firmware = &virtv1.Firmware{KernelBoot: &virtv1.KernelBoot{
			Container: &virtv1.KernelBootContainer{KernelPath: "/k", InitrdPath: "/i"}}}
	})
}

func TestAdoptPaths(t *testing.T) {
	vmi := migrationVMI()
	// What libvirt adds to a running domain (a PCI address) must survive.
	var live libvirtxml.Domain
	if err := live.Unmarshal(renderAt(t, vmi, "/src", "")); err != nil {
		t.Fatal(err)
	}
	live.Devices.Disks[0].Address = &libvirtxml.DomainAddress{PCI: &libvirtxml.DomainAddressPCI{
		Bus: ptrUint(4), Slot: ptrUint(0)}}
	source, err := live.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := AdoptPaths(source, renderAt(t, vmi, "/dst", "/dst/ga.sock"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "/src") {
		t.Errorf("a source path survived:\n%s", got)
	}
	for _, want := range []string{`/dst/disks/root.img`, `/dst/serial0`, `/dst/vnc`, `<kernel>/dst/vmlinuz</kernel>`,
		`<initrd>/dst/initrd.img</initrd>`, `bus="0x04"`, `path="/dst/ga.sock"`} {
		if !strings.Contains(got, want) {
			t.Errorf("adopted domain lacks %s:\n%s", want, got)
		}
	}
}

func TestAdoptPathsRefusesMismatch(t *testing.T) {
	vmi := migrationVMI()
	source := renderAt(t, vmi, "/src", "")
	local := strings.Replace(renderAt(t, vmi, "/dst", "/dst/ga.sock"), `dev="vda"`, `dev="vdb"`, 1)
	if _, err := AdoptPaths(source, local); err == nil || !strings.Contains(err.Error(), "no counterpart") {
		t.Errorf("AdoptPaths with other disks = %v, want a refusal", err)
	}
	if _, err := AdoptPaths("<domain", local); err == nil {
		t.Error("AdoptPaths of a broken source definition succeeded")
	}
}

func ptrUint(v uint) *uint { return &v }
