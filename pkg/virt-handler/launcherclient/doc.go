// Package launcherclient connects virt-handler to one launcher's command socket
// through a dial function that vets the socket and its peer (pkg/podsocket),
// checks that the launcher serves the expected VMI, and negotiates the protocol
// version with Ping, so a newer handler talks to an older launcher at the
// version both speak. It holds no VMI logic.
package launcherclient
