package disktarget

import (
	"fmt"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

func TestNames(t *testing.T) {
	disk := func(name string, bus virtv1.DiskBus) virtv1.Disk {
		return virtv1.Disk{Name: name, Disk: &virtv1.DiskTarget{Bus: bus}}
	}
	disks := []virtv1.Disk{
		disk("root", ""),
		{Name: "cd", Cdrom: &virtv1.CDRomTarget{}},
		disk("data", virtv1.DiskBusVirtio),
		disk("legacy", virtv1.DiskBusSATA),
		{Name: "lun", LUN: &virtv1.LunTarget{}},
		{Name: "bare"},
	}
	got := Names(disks)
	want := map[string]string{"root": "vda", "cd": "sda", "data": "vdb", "legacy": "sdb", "lun": "sdc", "bare": "vdc"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Names = %v, want %v", got, want)
	}
}

func TestLetters(t *testing.T) {
	for n, want := range map[int]string{0: "a", 25: "z", 26: "aa", 27: "ab", 701: "zz", 702: "aaa"} {
		if got := letters(n); got != want {
			t.Errorf("letters(%d) = %q, want %q", n, got, want)
		}
	}
}
