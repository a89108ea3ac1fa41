package accelerator

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestChoose(t *testing.T) {
	broken := errors.New("hung")
	tests := []struct {
		name      string
		kvmErr    error
		emulation bool
		want      string
		wantErr   string
	}{
		{"kvm works", nil, false, KVM, ""},
		{"kvm works, emulation allowed", nil, true, KVM, ""},
		{"kvm broken, emulation allowed", broken, true, TCG, ""},
		{"kvm broken, emulation not allowed", broken, false, None, "useEmulation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Choose(tc.kvmErr, tc.emulation)
			if got != tc.want {
				t.Errorf("Choose = %s, want %s", got, tc.want)
			}
			if (err != nil) != (tc.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestProbeROMResetVector(t *testing.T) {
	rom := probeROM()
	if len(rom) != 64<<10 || rom[0xfff0] != 0xb0 || rom[0xfff2] != 0xe6 {
		t.Fatalf("reset vector not in place")
	}
}

func TestProbeMissingDevice(t *testing.T) {
	err := Probe(context.Background(), ProbeConfig{Device: "/nonexistent/kvm"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/kvm") {
		t.Fatalf("Probe = %v, want an error naming the device", err)
	}
}

// TestProbeTCG runs the probe guest for real when QEMU is installed.
func TestProbeTCG(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	start := time.Now()
	if err := Probe(context.Background(), ProbeConfig{Accel: TCG, Timeout: 30 * time.Second}); err != nil {
		t.Fatalf("TCG probe: %v", err)
	}
	t.Logf("TCG probe took %s", time.Since(start))
}
