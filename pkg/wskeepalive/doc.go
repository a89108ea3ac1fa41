// Package wskeepalive keeps an idle websocket (the serial console) open
// through proxies and load balancers that close quiet connections: it sends
// ping control frames at an interval and, where asked, fails the reader when
// the peer stops answering. virt-api and virtctl share it; it imports nothing
// of kvirt.
package wskeepalive
