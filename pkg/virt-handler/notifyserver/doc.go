// Package notifyserver serves virt-handler's notify service (proto/notify/v1)
// on a unix socket and hands each domain event to a callback. It holds no VMI
// logic.
package notifyserver
