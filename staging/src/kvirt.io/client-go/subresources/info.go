package subresources

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
)

// VersionInfo is the build of the virt-api serving the group, as upstream's
// version info.
type VersionInfo struct {
	GitVersion   string `json:"gitVersion"`
	GitCommit    string `json:"gitCommit"`
	GitTreeState string `json:"gitTreeState"`
	BuildDate    string `json:"buildDate"`
	GoVersion    string `json:"goVersion"`
	Compiler     string `json:"compiler"`
	Platform     string `json:"platform"`
}

// Version reads the server's version (GET /apis/subresources.kubevirt.io/v1/version).
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) {
	raw, err := body(c.rest.Get().AbsPath("/apis", virtv1.SubresourceGroupVersion.Group, virtv1.SubresourceGroupVersion.Version, "version").Do(ctx))
	if err != nil {
		return nil, fmt.Errorf("server version: %w", err)
	}
	info := &VersionInfo{}
	if err := json.Unmarshal(raw, info); err != nil {
		return nil, fmt.Errorf("decode server version: %w", err)
	}
	return info, nil
}

// ExpandSpec returns a stored VirtualMachine with its instancetype and
// preference applied to its template (GET virtualmachines/NAME/expand-spec).
func (c *Client) ExpandSpec(ctx context.Context, namespace, name string) (*virtv1.VirtualMachine, error) {
	raw, err := body(c.rest.Get().Namespace(namespace).Resource("virtualmachines").Name(name).SubResource("expand-spec").Do(ctx))
	if err != nil {
		return nil, fmt.Errorf("expand-spec %s/%s: %w", namespace, name, err)
	}
	return decodeVM(raw, "expand-spec")
}

// ExpandVMSpec returns vm with its instancetype and preference applied to its
// template, without storing anything (PUT namespaces/NS/expand-vm-spec).
func (c *Client) ExpandVMSpec(ctx context.Context, namespace string, vm *virtv1.VirtualMachine) (*virtv1.VirtualMachine, error) {
	encoded, err := json.Marshal(vm)
	if err != nil {
		return nil, fmt.Errorf("encode vm: %w", err)
	}
	raw, err := body(c.rest.Put().Namespace(namespace).Resource("expand-vm-spec").
		Body(encoded).SetHeader("Content-Type", "application/json").Do(ctx))
	if err != nil {
		return nil, fmt.Errorf("expand-vm-spec in %s: %w", namespace, err)
	}
	return decodeVM(raw, "expand-vm-spec")
}

func decodeVM(raw []byte, what string) (*virtv1.VirtualMachine, error) {
	vm := &virtv1.VirtualMachine{}
	if err := json.Unmarshal(raw, vm); err != nil {
		return nil, fmt.Errorf("decode %s answer: %w", what, err)
	}
	return vm, nil
}

// body is a successful answer's body, or the error its Status says.
func body(res rest.Result) ([]byte, error) {
	if err := res.Error(); err != nil {
		return nil, err
	}
	return res.Raw()
}
