package subresources

import "context"

// ResetVMI hard-resets a running VirtualMachineInstance's guest, keeping its
// pod and QEMU process (PUT virtualmachineinstances/NAME/reset).
func (c *Client) ResetVMI(ctx context.Context, namespace, name string) error {
	return c.put(ctx, namespace, "virtualmachineinstances", name, "reset", nil)
}
