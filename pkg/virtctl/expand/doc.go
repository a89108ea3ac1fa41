// Package expand is `virtctl expand --vm NAME | --file FILE`: it prints a
// VirtualMachine with its instancetype and preference applied, through virt-api's
// expand-spec and expand-vm-spec subresources. It must not import the other
// command packages.
package expand
