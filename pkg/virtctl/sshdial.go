package virtctl

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"github.com/spf13/cobra"
	cryptossh "golang.org/x/crypto/ssh"

	"kvirt.io/kvirt/pkg/command"
	"kvirt.io/kvirt/pkg/virtctl/portforward"
	"kvirt.io/kvirt/pkg/virtctl/ssh"
)

// alias names the guest in known_hosts and to a local ssh: TYPE/NAME.NAMESPACE,
// as upstream's.
func alias(t portforward.Target) string {
	kind := "vmi"
	if t.Resource == "virtualmachines" {
		kind = "vm"
	}
	if t.Namespace != "" {
		return kind + "/" + t.Name + "." + t.Namespace
	}
	return kind + "/" + t.Name
}

// dialSSH opens a port-forward stream to the guest's ssh port and logs in.
func dialSSH(cmd *cobra.Command, flags *clientFlags, d ssh.Destination, o ssh.Options) (*cryptossh.Client, error) {
	cfg, ns, err := flags.config()
	if err != nil {
		return nil, err
	}
	s, err := portforward.Dial(cfg, ns, d.Target, o.Port, streamTimeout)
	if err != nil {
		return nil, err
	}
	host := d.Target
	if host.Namespace == "" {
		host.Namespace = ns
	}
	return ssh.Connect(s, alias(host), d.User, o)
}

// runLocal runs the local ssh or scp with virtctl port-forward --stdio as its
// ProxyCommand; its exit status becomes virtctl's.
func (o *sshOptions) runLocal(cmd *cobra.Command, flags *clientFlags, bin string, args []string,
	t portforward.Target, remoteCmd string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find virtctl: %w", err)
	}
	proxy := fmt.Sprintf("%s port-forward --stdio %s/%s", self, map[bool]string{true: "vm", false: "vmi"}[t.Resource == "virtualmachines"], t.Name)
	if t.Namespace != "" {
		proxy += "/" + t.Namespace
	}
	if flags.kubeconfig != "" {
		proxy += " --kubeconfig " + flags.kubeconfig
	}
	if flags.namespace != "" {
		proxy += " --namespace " + flags.namespace
	}
	proxy += " " + strconv.Itoa(int(o.port))
	full := []string{"-o", "ProxyCommand=" + proxy, "-o", "UserKnownHostsFile=" + o.knownHosts}
	if o.identity != "" {
		full = append(full, "-i", o.identity)
	}
	full = append(full, args...)
	if remoteCmd != "" {
		full = append(full, remoteCmd)
	}
	c := exec.CommandContext(cmd.Context(), bin, full...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr()
	if err := c.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return &command.ExitError{Code: exit.ExitCode()}
		}
		return fmt.Errorf("%s: %w", bin, err)
	}
	return nil
}
