package nodeapi

import (
	"context"
	"net/http"

	"kvirt.io/kvirt/pkg/serverlimits"
)

// relay takes the connection over (101 with upgrade), then copies bytes between
// it and a launcher stream until either side ends: reads of up to chunk bytes go
// out with send, what recv yields is written back. Closing ctx (cancel is its
// cancel) closes the connection.
func relay(ctx context.Context, cancel context.CancelFunc, hj http.Hijacker, upgrade string, chunk int,
	send func([]byte) error, recv func() ([]byte, error)) {
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer func() { _ = conn.Close() }()
	serverlimits.Upgraded(conn)
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + upgrade + "\r\nConnection: Upgrade\r\n\r\n")
	if err := buf.Flush(); err != nil {
		return
	}
	go func() {
		defer cancel()
		b := make([]byte, chunk)
		for {
			n, err := buf.Read(b)
			if n > 0 && send(append([]byte(nil), b[:n]...)) != nil {
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		data, err := recv()
		if err != nil {
			return
		}
		if _, err := conn.Write(data); err != nil {
			return
		}
	}
}
