// Package rfb is a minimal RFB (VNC, RFC 6143) client for tests: the 3.8
// handshake without authentication, a raw-encoded framebuffer update request,
// and reading the update, over any byte stream (a node API connection or a
// websocket through the apiserver). It is written apart from the launcher's
// code so tests check the display with an independent client.
package rfb
