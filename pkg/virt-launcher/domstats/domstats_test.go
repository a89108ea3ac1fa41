package domstats

import (
	"testing"

	"libvirt.org/go/libvirt"
)

func TestMap(t *testing.T) {
	s := &libvirt.DomainStats{
		State:   &libvirt.DomainStatsState{StateSet: true, State: libvirt.DOMAIN_RUNNING, ReasonSet: true, Reason: 1},
		Cpu:     &libvirt.DomainStatsCPU{TimeSet: true, Time: 5e9, UserSet: true, User: 3e9},
		Balloon: &libvirt.DomainStatsBalloon{RssSet: true, Rss: 2048, CurrentSet: true, Current: 4096},
		Vcpu:    []libvirt.DomainStatsVcpu{{StateSet: true, State: 1, TimeSet: true, Time: 7}, {WaitSet: true, Wait: 9}},
		Net:     []libvirt.DomainStatsNet{{NameSet: true, Name: "tap0", RxBytesSet: true, RxBytes: 100}},
		Block:   []libvirt.DomainStatsBlock{{NameSet: true, Name: "vda", WrBytesSet: true, WrBytes: 512}},
	}
	got := Map(s, map[string]string{"tap0": "default"})
	if got.State != "Running" || got.StateReason != 1 {
		t.Errorf("state = %s/%d", got.State, got.StateReason)
	}
	if got.Cpu.GetTimeNs() != 5e9 || got.Cpu.GetUserNs() != 3e9 || got.Cpu.SystemNs != nil {
		t.Errorf("cpu = %v", got.Cpu)
	}
	if got.Memory.GetRssKib() != 2048 || got.Memory.GetCurrentKib() != 4096 || got.Memory.UsableKib != nil {
		t.Errorf("memory = %v", got.Memory)
	}
	if got.VcpuCurrent != 2 || got.Vcpus[0].GetState() != 1 || got.Vcpus[0].GetTimeNs() != 7 ||
		got.Vcpus[1].State != nil || got.Vcpus[1].GetWaitNs() != 9 || got.Vcpus[1].Id != 1 {
		t.Errorf("vcpus = %v", got.Vcpus)
	}
	if n := got.Interfaces[0]; n.InterfaceName != "default" || n.Name != "tap0" || n.GetRxBytes() != 100 || n.TxBytes != nil {
		t.Errorf("net = %v", n)
	}
	if b := got.Blocks[0]; b.Name != "vda" || b.GetWrBytes() != 512 || b.RdBytes != nil {
		t.Errorf("block = %v", b)
	}
}

func TestMapBounds(t *testing.T) {
	s := &libvirt.DomainStats{
		Vcpu:  make([]libvirt.DomainStatsVcpu, 5000),
		Net:   make([]libvirt.DomainStatsNet, 10000),
		Block: make([]libvirt.DomainStatsBlock, 10000),
	}
	got := Map(s, nil)
	if len(got.Vcpus) != MaxVCPUs || got.VcpuCurrent != MaxVCPUs || len(got.Interfaces) != MaxInterfaces ||
		len(got.Blocks) != MaxBlocks {
		t.Errorf("kept %d vcpus, %d interfaces, %d blocks", len(got.Vcpus), len(got.Interfaces), len(got.Blocks))
	}
	if got.Cpu != nil || got.Memory != nil || got.State != "" {
		t.Errorf("unreported groups mapped: %v", got)
	}
}
