// Package launcherclient connects virt-handler to one launcher's command socket
// and negotiates the protocol version with Ping, so a newer handler talks to an
// older launcher at the version both speak. It holds no VMI logic.
package launcherclient
