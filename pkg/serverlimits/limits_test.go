package serverlimits

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// short are limits small enough for a test to outwait; the header timeout
// stays long except where it is the subject (a loaded machine may take a
// while to read a request that was sent whole).
var short = Limits{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 300 * time.Millisecond,
	IdleTimeout: 300 * time.Millisecond, MaxHeaderBytes: 4 << 10}

// serve runs h on a real listener with limits l and returns its address.
func serve(t *testing.T, l Limits, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := l.Apply(&http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedWithin reads conn until the server closes it, failing after wait.
func closedWithin(t *testing.T, conn net.Conn, wait time.Duration) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("server kept the connection open for %s", wait)
	}
}

// TestSlowlorisIsDropped: a client that sends half its headers and then
// nothing is disconnected once the header timeout passes.
func TestSlowlorisIsDropped(t *testing.T) {
	slowloris := short
	slowloris.ReadHeaderTimeout = 200 * time.Millisecond
	addr := serve(t, slowloris, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	closedWithin(t, conn, 10*time.Second)
}

// TestIdleKeepAliveIsClosed: a connection that served a request and then
// stays quiet is closed after the idle timeout.
func TestIdleKeepAliveIsClosed(t *testing.T) {
	addr := serve(t, short, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	closedWithin(t, conn, 10*time.Second)
}

// TestHugeHeadersRefused: headers over MaxHeaderBytes get 431.
func TestHugeHeadersRefused(t *testing.T) {
	addr := serve(t, short, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// echoWS upgrades, lifts the deadlines when clear is set, and echoes.
func echoWS(clear bool) http.Handler {
	up := websocket.Upgrader{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.Close() }()
		if clear {
			Upgraded(ws.NetConn())
		}
		for {
			typ, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if ws.WriteMessage(typ, msg) != nil {
				return
			}
		}
	})
}

// echoAfterIdle dials the echo server, stays quiet for idle, then sends and
// reads back one message.
func echoAfterIdle(t *testing.T, addr string, idle time.Duration) error {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ws.Close() }()
	quiet := time.NewTimer(idle)
	<-quiet.C
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte("still here")); err != nil {
		return err
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := ws.ReadMessage()
	if err != nil {
		return err
	}
	if string(msg) != "still here" {
		t.Fatalf("echo %q", msg)
	}
	return nil
}

// TestUpgradedStreamOutlivesReadTimeout: a websocket whose deadlines were
// lifted after the upgrade still carries data after three read timeouts.
func TestUpgradedStreamOutlivesReadTimeout(t *testing.T) {
	if err := echoAfterIdle(t, serve(t, short, echoWS(true)), 3*short.ReadTimeout); err != nil {
		t.Fatalf("upgraded stream cut: %v", err)
	}
}

// TestSlowBodyIsCut: a request whose body never arrives fails its read
// and loses its connection at the read timeout (what the upgraded stream
// above is exempt from).
func TestSlowBodyIsCut(t *testing.T) {
	readErr := make(chan error, 1)
	addr := serve(t, short, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"); err != nil {
		t.Fatal(err)
	}
	closedWithin(t, conn, 10*time.Second)
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("handler read a body that never arrived")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("handler never ran")
	}
}

// TestWebsocketMessageTooBig: a message at WebsocketReadLimit passes; one
// byte more fails the server's read with the read limit error, which sends
// close code 1009 and ends the stream.
func TestWebsocketMessageTooBig(t *testing.T) {
	readErr := make(chan error, 1)
	up := websocket.Upgrader{}
	addr := serve(t, Defaults(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.Close() }()
		Upgraded(ws.NetConn())
		ws.SetReadLimit(WebsocketReadLimit)
		for {
			typ, msg, err := ws.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			_ = ws.WriteMessage(typ, msg)
		}
	}))
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ws.Close() }()
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	ok := bytes.Repeat([]byte{'a'}, WebsocketReadLimit)
	if err := ws.WriteMessage(websocket.BinaryMessage, ok); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ws.ReadMessage(); err != nil || len(msg) != len(ok) {
		t.Fatalf("message at the limit: %d bytes back, %v", len(msg), err)
	}
	// The server may close before it read the whole message: a write error or
	// a reset instead of the close frame is the same outcome for the client.
	_ = ws.WriteMessage(websocket.BinaryMessage, append(ok, 'b'))
	select {
	case err := <-readErr:
		if !errors.Is(err, websocket.ErrReadLimit) {
			t.Fatalf("server read %v, want %v", err, websocket.ErrReadLimit)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server still reading an oversized message")
	}
	if _, _, err := ws.ReadMessage(); err == nil {
		t.Fatal("stream still open after an oversized message")
	} else if ce := (*websocket.CloseError)(nil); errors.As(err, &ce) && ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("closed with %d, want 1009", ce.Code)
	}
}
