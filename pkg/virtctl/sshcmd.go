package virtctl

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"kvirt.io/kvirt/pkg/virtctl/ssh"
)

type sshOptions struct {
	identity, knownHosts, username, command string
	port                                    uint16
	localSSH, recursive                     bool
}

func (o *sshOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.identity, "identity-file", "i", "", "private key to log in with (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa and the agent)")
	f.StringVar(&o.knownHosts, "known-hosts", ssh.DefaultKnownHosts(), "known_hosts file the guest's host key is checked against and added to")
	f.StringVarP(&o.username, "username", "l", "", "user to log in as when the destination names none (default: the local user)")
	f.Uint16VarP(&o.port, "port", "p", 22, "the guest's ssh port")
	f.BoolVar(&o.localSSH, "local-ssh", false, "run the local ssh/scp binary through virtctl port-forward --stdio instead of the built-in client")
}

func (o *sshOptions) sshOptions(cmd *cobra.Command) ssh.Options {
	return ssh.Options{IdentityFile: o.identity, KnownHosts: o.knownHosts, Port: o.port, Username: o.username,
		Prompt: ssh.TerminalPrompt(os.Stdin, cmd.ErrOrStderr()), Stderr: cmd.ErrOrStderr()}
}

func newSSHCommand(flags *clientFlags) *cobra.Command {
	o := &sshOptions{}
	cmd := &cobra.Command{
		Use:   "ssh [USER@]TYPE/NAME[/NAMESPACE]",
		Short: "Open an ssh session to a virtual machine (vm/NAME) or instance (vmi/NAME)",
		Long: "Log in to the guest over the portforward subresource with the built-in ssh client (or the local\n" +
			"ssh with --local-ssh). With --command the command runs and virtctl exits with its status.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := ssh.ParseDestination(args[0], o.username)
			if err != nil {
				return err
			}
			if o.localSSH {
				return o.runLocal(cmd, flags, "ssh", []string{d.User + "@" + alias(d.Target)}, d.Target, o.command)
			}
			client, err := dialSSH(cmd, flags, d, o.sshOptions(cmd))
			if err != nil {
				return err
			}
			defer func() { _ = client.Close() }()
			return ssh.Run(client, o.command, os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVarP(&o.command, "command", "c", "", "command to run instead of a login shell")
	return cmd
}

func newSCPCommand(flags *clientFlags) *cobra.Command {
	o := &sshOptions{}
	cmd := &cobra.Command{
		Use:   "scp SOURCE DESTINATION",
		Short: "Copy a file to or from a virtual machine: local [USER@]TYPE/NAME[/NAMESPACE]:PATH or the reverse",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.scp(cmd, flags, args[0], args[1])
		},
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.recursive, "recursive", "r", false, "copy directories recursively (not supported by the built-in client yet)")
	return cmd
}

func (o *sshOptions) scp(cmd *cobra.Command, flags *clientFlags, src, dst string) error {
	from, err := ssh.ParseLocation(src, o.username)
	if err != nil {
		return err
	}
	to, err := ssh.ParseLocation(dst, o.username)
	if err != nil {
		return err
	}
	if (from.Remote == nil) == (to.Remote == nil) {
		return errors.New("scp copies between a local path and one on a VM: exactly one of SOURCE and DESTINATION is TYPE/NAME:PATH")
	}
	remote := from.Remote
	if remote == nil {
		remote = to.Remote
	}
	if o.localSSH {
		args := []string{src, dst}
		if from.Remote != nil {
			args[0] = from.Remote.User + "@" + alias(from.Remote.Target) + ":" + from.Path
		} else {
			args[1] = to.Remote.User + "@" + alias(to.Remote.Target) + ":" + to.Path
		}
		if o.recursive {
			args = append([]string{"-r"}, args...)
		}
		return o.runLocal(cmd, flags, "scp", args, remote.Target, "")
	}
	if o.recursive {
		return errors.New("--recursive is not supported by the built-in client; use --local-ssh")
	}
	client, err := dialSSH(cmd, flags, *remote, o.sshOptions(cmd))
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	if from.Remote != nil {
		return ssh.Download(client, from.Path, to.Path)
	}
	return ssh.Upload(client, from.Path, to.Path)
}
