// Package vmiid computes the value of the kubevirt.io/vmi-id label that ties a
// launcher pod to its VMI by name, shared by the pod renderer and virtctl expose.
// It imports nothing of kvirt.
package vmiid
