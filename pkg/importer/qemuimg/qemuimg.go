package qemuimg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

// Binary is the qemu-img executable looked up in PATH.
const Binary = "qemu-img"

// Info is what qemu-img info reports of an image.
type Info struct {
	Format      string `json:"format"`
	VirtualSize int64  `json:"virtual-size"`
	BackingFile string `json:"backing-filename"`
}

// ReadInfo runs qemu-img info on path, read as format.
func ReadInfo(ctx context.Context, path, format string) (*Info, error) {
	out, err := run(ctx, "info", "--output=json", "-f", format, path)
	if err != nil {
		return nil, err
	}
	info := &Info{}
	if err := json.Unmarshal(out, info); err != nil {
		return nil, fmt.Errorf("parse qemu-img info: %w", err)
	}
	return info, nil
}

// Convert writes src (of format) as raw into dst. With existing the target is
// opened as it is (a block device: nothing is created or truncated, every
// block written); otherwise dst is created as a sparse raw file. Writes may
// land out of order (-W): the target is used only once Convert returns.
func Convert(ctx context.Context, src, format, dst string, existing bool) error {
	args := []string{"convert", "-W", "-f", format, "-O", "raw"}
	if existing {
		args = append(args, "-n")
	}
	_, err := run(ctx, append(args, src, dst)...)
	return err
}

func run(ctx context.Context, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, Binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.Join(strings.Fields(stderr.String()), " ")
		return nil, fmt.Errorf("qemu-img %s: %w: %s", args[0], err, msg)
	}
	return stdout.Bytes(), nil
}
