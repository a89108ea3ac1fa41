// Package loop runs a controller's sync function over a rate-limited workqueue of
// namespace/name keys fed by informer events. It knows nothing about kvirt kinds and
// must not import the controllers.
package loop
