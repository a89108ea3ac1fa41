// Package status decides the KubeVirt resource's status (phase, conditions,
// observed/target versions) from what virt-operator observed: a pure function of
// its inputs. It must not import client code.
package status
