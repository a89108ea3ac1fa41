// Package commoninstancetypes renders the common cluster instancetypes (the u1,
// o1, cx1, m1 and n1 series) and cluster preferences that virt-operator installs
// unless spec.configuration.commonInstancetypesDeployment.enabled is false. The
// values, names and labels are those upstream's common-instancetypes project
// publishes; the objects are written here. It imports only the API module.
package commoninstancetypes
