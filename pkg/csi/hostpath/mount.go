package hostpath

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mounter is the node side's only contact with the mount table.
type Mounter interface {
	// IsMountPoint tells whether path is a mount point in this mount namespace.
	IsMountPoint(path string) (bool, error)
	// BindMount bind-mounts source on target, read-only if asked.
	BindMount(source, target string, readOnly bool) error
	// Unmount unmounts target.
	Unmount(target string) error
}

// bindMounter is the real Mounter: mount(2) and /proc/self/mountinfo.
type bindMounter struct{}

func (bindMounter) BindMount(source, target string, readOnly bool) error {
	if err := unix.Mount(source, target, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind mount %s on %s: %w", source, target, err)
	}
	if !readOnly {
		return nil
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY)
	if err := unix.Mount("", target, "", flags, ""); err != nil {
		_ = unix.Unmount(target, 0)
		return fmt.Errorf("remount %s read-only: %w", target, err)
	}
	return nil
}

func (bindMounter) Unmount(target string) error {
	if err := unix.Unmount(target, 0); err != nil {
		return fmt.Errorf("unmount %s: %w", target, err)
	}
	return nil
}

func (bindMounter) IsMountPoint(path string) (bool, error) {
	p, err := filepath.EvalSymlinks(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("resolve %s: %w", path, err)
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false, fmt.Errorf("read mount table: %w", err)
	}
	defer f.Close()
	return mountInfoHas(bufio.NewScanner(f), p)
}

// mountInfoHas tells whether a mountinfo table lists mountPoint (field 5,
// octal-escaped).
func mountInfoHas(sc *bufio.Scanner, mountPoint string) (bool, error) {
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 5 && unescapeMountInfo(fields[4]) == mountPoint {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("scan mount table: %w", err)
	}
	return false, nil
}

// unescapeMountInfo undoes the kernel's \ooo escapes of space, tab, newline
// and backslash.
func unescapeMountInfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
