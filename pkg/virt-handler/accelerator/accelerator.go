package accelerator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Accelerator values, also used as the node label value.
const (
	KVM  = "kvm"
	TCG  = "tcg"
	None = "none"
)

// LabelKey is the node label virt-handler sets to the chosen accelerator.
const LabelKey = "node.kvirt.io/accelerator"

// probeROM is a 64 KiB BIOS image whose reset vector writes 1 to the
// isa-debug-exit port, making QEMU exit with status 3, then halts.
func probeROM() []byte {
	rom := make([]byte, 64<<10)
	for i := range rom {
		rom[i] = 0xf4 // hlt
	}
	copy(rom[0xfff0:], []byte{0xb0, 0x01, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd}) // mov al,1; out 0xf4,al; hlt; jmp $-1
	return rom
}

// ProbeConfig tunes Probe.
type ProbeConfig struct {
	// QEMU binary; default qemu-system-x86_64.
	QEMU string
	// Device is the KVM device; default /dev/kvm.
	Device string
	// Timeout bounds the probe; default 10s.
	Timeout time.Duration
	// Accel is the accelerator to probe, default kvm (tcg is useful in tests).
	Accel string
}

// Probe returns nil if QEMU ran the guest program with the accelerator before
// the deadline, otherwise why not.
func Probe(ctx context.Context, cfg ProbeConfig) error {
	if cfg.QEMU == "" {
		cfg.QEMU = "qemu-system-x86_64"
	}
	if cfg.Device == "" {
		cfg.Device = "/dev/kvm"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Accel == "" {
		cfg.Accel = KVM
	}
	if cfg.Accel == KVM {
		f, err := os.OpenFile(cfg.Device, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", cfg.Device, err)
		}
		f.Close()
	}
	dir, err := os.MkdirTemp("", "kvirt-accel")
	if err != nil {
		return fmt.Errorf("create probe dir: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	rom := filepath.Join(dir, "probe.rom")
	if err := os.WriteFile(rom, probeROM(), 0o600); err != nil {
		return fmt.Errorf("write probe rom: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cfg.QEMU, "-accel", cfg.Accel, "-machine", "pc", "-m", "16",
		"-nodefaults", "-no-user-config", "-display", "none", "-bios", rom,
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("%s guest did not finish within %s (a nested /dev/kvm can hang)", cfg.Accel, cfg.Timeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		return nil
	}
	return fmt.Errorf("%s probe guest did not run: %w: %s", cfg.Accel, err, out)
}

// Choose picks the accelerator from the KVM probe result and whether the
// cluster allows software emulation; the error explains a "none".
func Choose(kvmErr error, useEmulation bool) (string, error) {
	switch {
	case kvmErr == nil:
		return KVM, nil
	case useEmulation:
		return TCG, nil
	}
	return None, fmt.Errorf("KVM is not usable on this node (%v) and the KubeVirt CR does not allow "+
		"software emulation (spec.configuration.developerConfiguration.useEmulation)", kvmErr)
}
