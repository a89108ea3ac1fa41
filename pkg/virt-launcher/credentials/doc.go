// Package credentials is virt-launcher's access credential propagation: it
// reads the Secrets of spec.accessCredentials that use the qemuGuestAgent
// propagation method from the files the launcher pod mounts (the launcher
// holds no API credentials), pushes SSH authorized keys and user passwords into
// the guest through the agent, pushes again when a file changes or the agent
// reconnects, and reports the last outcome for the AccessCredentialsSynchronized
// condition. It talks to the agent only through a Commander; it must not import
// libvirt or anything of virt-handler.
package credentials
