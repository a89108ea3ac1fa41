// Package portforward is virtctl's client of the portforward subresource:
// parsing vm/NAME and port arguments, opening the websocket through
// client-go's transport, and relaying it to local connections or stdio. It
// also gives ssh and scp their connection to a guest. It must not import
// server-side packages.
package portforward
