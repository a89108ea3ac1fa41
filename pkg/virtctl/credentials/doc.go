// Package credentials is `virtctl credentials add-ssh-key|remove-ssh-key|
// set-password`, as upstream's: it edits the Secrets a VirtualMachine's
// spec.template.spec.accessCredentials (qemuGuestAgent propagation) name, and
// adds a credential with a new Secret owned by the VM when the user has none. A
// running VM's launcher sees a changed Secret and pushes it into the guest. It
// must not import the other command packages.
package credentials
