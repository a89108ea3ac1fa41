package virtmanager

import (
	"errors"
	"fmt"
	"io"

	"libvirt.org/go/libvirt"
)

// maxScreenshot bounds a screenshot stream (a 4K PPM is ~25 MiB).
const maxScreenshot = 64 << 20

// Screenshot streams the first screen of the running domain from libvirt and
// returns it with its MIME type (PPM from QEMU's screendump).
func (m *Manager) Screenshot() ([]byte, string, error) {
	var data []byte
	var mime string
	err := m.withDomain("screenshot", func(d *libvirt.Domain) error {
		stream, err := m.conn.NewStream(0)
		if err != nil {
			return fmt.Errorf("new stream: %w", err)
		}
		defer func() { _ = stream.Free() }()
		if mime, err = d.Screenshot(stream, 0, 0); err != nil {
			return err
		}
		data, err = readStream(stream)
		return err
	})
	return data, mime, err
}

func readStream(stream *libvirt.Stream) ([]byte, error) {
	var out []byte
	buf := make([]byte, 256<<10)
	for {
		n, err := stream.Recv(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = stream.Abort()
			return nil, fmt.Errorf("read screenshot stream: %w", err)
		}
		if out = append(out, buf[:n]...); len(out) > maxScreenshot {
			_ = stream.Abort()
			return nil, fmt.Errorf("screenshot larger than %d bytes", maxScreenshot)
		}
	}
	if err := stream.Finish(); err != nil {
		return nil, fmt.Errorf("finish screenshot stream: %w", err)
	}
	return out, nil
}
