package console

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/pkg/serverlimits"
)

// TestConsoleRefusesHugeMessages: a console message over the websocket read
// limit ends the client's read with close code 1009 instead of being buffered.
func TestConsoleRefusesHugeMessages(t *testing.T) {
	up := websocket.Upgrader{Subprotocols: []string{Subprotocol}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.Close() }()
		_ = ws.WriteMessage(websocket.BinaryMessage, make([]byte, serverlimits.WebsocketReadLimit+1))
		_, _, _ = ws.ReadMessage() // until the client closes
	}))
	defer srv.Close()
	ws, err := Dial(&rest.Config{Host: srv.URL}, "ns", "vm", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ws.Close() }()
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, _, err := ws.ReadMessage(); !errors.Is(err, websocket.ErrReadLimit) {
		t.Fatalf("read of an oversized message: %v, want %v", err, websocket.ErrReadLimit)
	}
}
