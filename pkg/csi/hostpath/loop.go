package hostpath

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LoopDevices is the node side's only contact with loop devices, so tests
// that are not root can use a fake.
type LoopDevices interface {
	// Find returns the /dev/loopN that backing is attached to, or "" if none.
	Find(backing string) (string, error)
	// Attach attaches backing to a free loop device and returns its path.
	Attach(backing string) (string, error)
	// Detach detaches dev; the kernel defers it while dev is still open.
	Detach(dev string) error
	// Refresh makes dev pick up its backing file's new size.
	Refresh(dev string) error
}

// kernelLoops is the real LoopDevices: /dev/loop-control, loop ioctls and
// /sys/block/loop*/loop/backing_file.
type kernelLoops struct {
	sysBlock string // /sys/block
	dev      string // /dev
}

func newKernelLoops() kernelLoops { return kernelLoops{sysBlock: "/sys/block", dev: "/dev"} }

// Find scans sysfs, so an attachment made before a driver restart is found.
// The backing file is matched by device and inode (LOOP_GET_STATUS64), since
// the path sysfs shows for a file opened in another (gone) container's mount
// namespace may not be the path seen here; the sysfs path is the fallback.
func (k kernelLoops) Find(backing string) (string, error) {
	want, err := filepath.EvalSymlinks(backing)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", backing, err)
	}
	var st unix.Stat_t
	if err := unix.Stat(want, &st); err != nil {
		return "", fmt.Errorf("stat %s: %w", want, err)
	}
	files, err := filepath.Glob(filepath.Join(k.sysBlock, "loop*", "loop", "backing_file"))
	if err != nil {
		return "", fmt.Errorf("list loop devices: %w", err)
	}
	for _, f := range files {
		dev := filepath.Join(k.dev, filepath.Base(filepath.Dir(filepath.Dir(f))))
		if sameBacking(dev, &st) {
			return dev, nil
		}
		if b, err := os.ReadFile(f); err == nil && strings.TrimSpace(string(b)) == want {
			return dev, nil
		}
	}
	return "", nil
}

// sameBacking tells whether loop device dev is attached to the file st
// describes.
func sameBacking(dev string, st *unix.Stat_t) bool {
	d, err := os.OpenFile(dev, os.O_RDONLY, 0)
	if err != nil {
		return false
	}
	defer d.Close()
	info, err := unix.IoctlLoopGetStatus64(int(d.Fd()))
	return err == nil && info.Inode == st.Ino && info.Device == uint64(st.Dev) //nolint:unconvert // Dev's type varies by arch
}

// Attach asks loop-control for a free device and binds backing to it,
// retrying when another process takes the same device first.
func (k kernelLoops) Attach(backing string) (string, error) {
	file, err := os.OpenFile(backing, os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", backing, err)
	}
	defer file.Close()
	var lastErr error
	for range 5 {
		dev, err := k.freeDevice()
		if err != nil {
			return "", err
		}
		err = k.bind(dev, file)
		if err == nil {
			return dev, nil
		}
		if !errors.Is(err, unix.EBUSY) {
			return "", err
		}
		lastErr = err
	}
	return "", lastErr
}

// freeDevice returns the path of a free loop device, creating its node when
// the container's /dev lacks it.
func (k kernelLoops) freeDevice() (string, error) {
	ctl, err := os.OpenFile(filepath.Join(k.dev, "loop-control"), os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("open loop-control: %w", err)
	}
	defer ctl.Close()
	n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
	if err != nil {
		return "", fmt.Errorf("get a free loop device: %w", err)
	}
	name := "loop" + strconv.Itoa(n)
	dev := filepath.Join(k.dev, name)
	if _, err := os.Stat(dev); errors.Is(err, os.ErrNotExist) {
		if err := k.mknod(name, dev); err != nil {
			return "", err
		}
	}
	return dev, nil
}

// mknod creates dev with the numbers sysfs gives for name.
func (k kernelLoops) mknod(name, dev string) error {
	b, err := os.ReadFile(filepath.Join(k.sysBlock, name, "dev"))
	if err != nil {
		return fmt.Errorf("device numbers of %s: %w", name, err)
	}
	var major, minor uint32
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d:%d", &major, &minor); err != nil {
		return fmt.Errorf("parse device numbers of %s: %w", name, err)
	}
	err = unix.Mknod(dev, unix.S_IFBLK|0o660, int(unix.Mkdev(major, minor)))
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("create %s: %w", dev, err)
	}
	return nil
}

// bind attaches file to dev with LOOP_CONFIGURE, or LOOP_SET_FD and
// LOOP_SET_STATUS64 on kernels before 5.8. No autoclear: a bind mount of the
// device node does not hold it open, so autoclear would detach at once.
func (k kernelLoops) bind(dev string, file *os.File) error {
	d, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dev, err)
	}
	defer d.Close()
	info := unix.LoopInfo64{}
	copy(info.File_name[:], file.Name())
	err = unix.IoctlLoopConfigure(int(d.Fd()), &unix.LoopConfig{Fd: uint32(file.Fd()), Info: info})
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOTTY) {
		return fmt.Errorf("configure %s: %w", dev, err)
	}
	if err := unix.IoctlSetInt(int(d.Fd()), unix.LOOP_SET_FD, int(file.Fd())); err != nil {
		return fmt.Errorf("attach %s: %w", dev, err)
	}
	if err := unix.IoctlLoopSetStatus64(int(d.Fd()), &info); err != nil {
		_ = unix.IoctlSetInt(int(d.Fd()), unix.LOOP_CLR_FD, 0)
		return fmt.Errorf("set status of %s: %w", dev, err)
	}
	return nil
}

func (k kernelLoops) Detach(dev string) error {
	return loopIoctl(dev, unix.LOOP_CLR_FD, "detach")
}

func (k kernelLoops) Refresh(dev string) error {
	return loopIoctl(dev, unix.LOOP_SET_CAPACITY, "refresh capacity of")
}

func loopIoctl(dev string, req uint, what string) error {
	d, err := os.OpenFile(dev, os.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dev, err)
	}
	defer d.Close()
	if err := unix.IoctlSetInt(int(d.Fd()), req, 0); err != nil && !errors.Is(err, unix.ENXIO) {
		return fmt.Errorf("%s %s: %w", what, dev, err)
	}
	return nil
}
