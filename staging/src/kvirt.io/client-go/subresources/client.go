package subresources

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
)

// Client calls the subresources.kubevirt.io/v1 API through the kube-apiserver.
type Client struct {
	rest rest.Interface
}

// NewForConfig returns a Client for the cluster that cfg points at.
func NewForConfig(cfg *rest.Config) (*Client, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &virtv1.SubresourceGroupVersion
	c.APIPath = "/apis"
	// The kubernetes scheme knows metav1.Status, so error answers decode into
	// API errors (a nil scheme panics on the first non-2xx answer).
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	rc, err := rest.UnversionedRESTClientFor(c)
	if err != nil {
		return nil, fmt.Errorf("subresource rest client: %w", err)
	}
	return &Client{rest: rc}, nil
}

// New wraps an existing REST client whose base is the subresources.kubevirt.io/v1 group.
func New(rc rest.Interface) *Client { return &Client{rest: rc} }

// StartVM starts a VirtualMachine (PUT virtualmachines/NAME/start).
func (c *Client) StartVM(ctx context.Context, namespace, name string, opts *virtv1.StartOptions) error {
	return c.put(ctx, namespace, "virtualmachines", name, "start", opts)
}

// StopVM stops a VirtualMachine (PUT virtualmachines/NAME/stop).
func (c *Client) StopVM(ctx context.Context, namespace, name string, opts *virtv1.StopOptions) error {
	return c.put(ctx, namespace, "virtualmachines", name, "stop", opts)
}

// RestartVM restarts a VirtualMachine (PUT virtualmachines/NAME/restart).
func (c *Client) RestartVM(ctx context.Context, namespace, name string, opts *virtv1.RestartOptions) error {
	return c.put(ctx, namespace, "virtualmachines", name, "restart", opts)
}

// MigrateVM live-migrates a VirtualMachine's instance (PUT virtualmachines/NAME/migrate).
func (c *Client) MigrateVM(ctx context.Context, namespace, name string, opts *virtv1.MigrateOptions) error {
	return c.put(ctx, namespace, "virtualmachines", name, "migrate", opts)
}

// PauseVMI pauses a running VirtualMachineInstance (PUT virtualmachineinstances/NAME/pause).
func (c *Client) PauseVMI(ctx context.Context, namespace, name string, opts *virtv1.PauseOptions) error {
	return c.put(ctx, namespace, "virtualmachineinstances", name, "pause", opts)
}

// UnpauseVMI resumes a paused VirtualMachineInstance (PUT virtualmachineinstances/NAME/unpause).
func (c *Client) UnpauseVMI(ctx context.Context, namespace, name string, opts *virtv1.UnpauseOptions) error {
	return c.put(ctx, namespace, "virtualmachineinstances", name, "unpause", opts)
}

// SoftRebootVMI asks the guest to reboot (PUT virtualmachineinstances/NAME/softreboot).
func (c *Client) SoftRebootVMI(ctx context.Context, namespace, name string) error {
	return c.put(ctx, namespace, "virtualmachineinstances", name, "softreboot", nil)
}

// GuestOSInfo reads what the guest agent reports (GET virtualmachineinstances/NAME/guestosinfo).
func (c *Client) GuestOSInfo(ctx context.Context, namespace, name string) (*virtv1.VirtualMachineInstanceGuestAgentInfo, error) {
	raw, err := body(c.rest.Get().Namespace(namespace).Resource("virtualmachineinstances").
		Name(name).SubResource("guestosinfo").Do(ctx))
	if err != nil {
		return nil, fmt.Errorf("guestosinfo %s/%s: %w", namespace, name, err)
	}
	info := &virtv1.VirtualMachineInstanceGuestAgentInfo{}
	if err := json.Unmarshal(raw, info); err != nil {
		return nil, fmt.Errorf("decode guestosinfo %s/%s: %w", namespace, name, err)
	}
	return info, nil
}

// UserList reads the users logged into the guest (GET virtualmachineinstances/NAME/userlist).
func (c *Client) UserList(ctx context.Context, namespace, name string) (*virtv1.VirtualMachineInstanceGuestOSUserList, error) {
	out := &virtv1.VirtualMachineInstanceGuestOSUserList{}
	return out, c.getInto(ctx, namespace, name, "userlist", out)
}

// FilesystemList reads the guest's filesystems (GET virtualmachineinstances/NAME/filesystemlist).
func (c *Client) FilesystemList(ctx context.Context, namespace, name string) (*virtv1.VirtualMachineInstanceFileSystemList, error) {
	out := &virtv1.VirtualMachineInstanceFileSystemList{}
	return out, c.getInto(ctx, namespace, name, "filesystemlist", out)
}

// FreezeVMI freezes the guest's filesystems; the guest thaws by itself after
// unfreezeTimeout (PUT virtualmachineinstances/NAME/freeze).
func (c *Client) FreezeVMI(ctx context.Context, namespace, name string, unfreezeTimeout time.Duration) error {
	return c.put(ctx, namespace, "virtualmachineinstances", name, "freeze",
		map[string]metav1.Duration{"unfreezeTimeout": {Duration: unfreezeTimeout}})
}

// UnfreezeVMI thaws the guest's filesystems (PUT virtualmachineinstances/NAME/unfreeze).
func (c *Client) UnfreezeVMI(ctx context.Context, namespace, name string) error {
	return c.put(ctx, namespace, "virtualmachineinstances", name, "unfreeze", nil)
}

func (c *Client) getInto(ctx context.Context, namespace, name, sub string, into any) error {
	raw, err := body(c.rest.Get().Namespace(namespace).Resource("virtualmachineinstances").
		Name(name).SubResource(sub).Do(ctx))
	if err != nil {
		return fmt.Errorf("%s %s/%s: %w", sub, namespace, name, err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("decode %s %s/%s: %w", sub, namespace, name, err)
	}
	return nil
}

func (c *Client) put(ctx context.Context, namespace, resource, name, sub string, body any) error {
	req := c.rest.Put().Namespace(namespace).Resource(resource).Name(name).SubResource(sub)
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s options: %w", sub, err)
		}
		req = req.Body(raw).SetHeader("Content-Type", "application/json")
	}
	if err := req.Do(ctx).Error(); err != nil {
		return fmt.Errorf("%s %s %s/%s: %w", sub, resource, namespace, name, err)
	}
	return nil
}
