// Package finalizer adds and removes finalizers on any Kubernetes object. It holds
// no state and imports only apimachinery.
package finalizer
