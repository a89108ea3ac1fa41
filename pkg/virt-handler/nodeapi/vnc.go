package nodeapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// VNCUpgrade is the Upgrade token of the node API's VNC stream.
const VNCUpgrade = "kvirt-vnc"

// registerVNC adds the VNC stream and the screenshot. Both reach the display
// only through the launcher's command socket: the handler never dials a
// socket path inside the launcher's directory itself.
func registerVNC(mux *http.ServeMux, base string, l Launchers) {
	mux.HandleFunc("GET "+base+"vnc", func(w http.ResponseWriter, r *http.Request) {
		if cl, ok := launcherFor(w, r, l); ok {
			serveVNC(w, r, cl)
		}
	})
	mux.HandleFunc("GET "+base+"vnc/screenshot", func(w http.ResponseWriter, r *http.Request) {
		cl, ok := launcherFor(w, r, l)
		if !ok {
			return
		}
		res, err := cl.Screenshot(r.Context(), &launcherv1.ScreenshotRequest{MoveCursor: queryBool(r, "moveCursor")})
		if err != nil {
			http.Error(w, status.Convert(err).Message(), displayHTTPCode(err))
			return
		}
		w.Header().Set("Content-Type", res.Mime)
		w.Header().Set("Content-Length", strconv.Itoa(len(res.Png)))
		_, _ = w.Write(res.Png)
	})
}

// queryBool is a boolean query parameter; a missing or malformed one is
// false, as upstream treats preserveSession and moveCursor.
func queryBool(r *http.Request, name string) bool {
	v, err := strconv.ParseBool(r.URL.Query().Get(name))
	return err == nil && v
}

// displayHTTPCode maps the launcher's display errors: a session in use is a
// conflict, no display a bad request, a launcher without the RPC or display
// unavailable, anything else a bad gateway.
func displayHTTPCode(err error) int {
	switch status.Code(err) {
	case codes.AlreadyExists:
		return http.StatusConflict
	case codes.FailedPrecondition:
		return http.StatusBadRequest
	case codes.Unimplemented, codes.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadGateway
}

// serveVNC opens the launcher's VNC stream (answering its refusal as plain
// HTTP), then upgrades the connection to a raw byte stream ("Upgrade:
// kvirt-vnc") and relays both ways.
func serveVNC(w http.ResponseWriter, r *http.Request, cl launcherv1.LauncherClient) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "vnc needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stream, err := cl.VNC(ctx)
	if err == nil {
		err = stream.Send(&launcherv1.VNCData{PreserveSession: queryBool(r, "preserveSession")})
	}
	// A Send the launcher ended (an old launcher without the RPC, a refusal)
	// is io.EOF; the stream's status, from Recv, says why.
	if err == nil || errors.Is(err, io.EOF) {
		_, err = stream.Recv()
	}
	if err != nil {
		http.Error(w, status.Convert(err).Message(), displayHTTPCode(err))
		return
	}
	relay(ctx, cancel, hj, VNCUpgrade, 32<<10,
		func(b []byte) error { return stream.Send(&launcherv1.VNCData{Data: b}) },
		func() ([]byte, error) {
			msg, err := stream.Recv()
			if err != nil {
				return nil, err
			}
			return msg.Data, nil
		})
}
