package imageupload

import (
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/client-go/rest"
)

// Client gives the REST configuration and the namespace to act in.
type Client interface {
	Config() (*rest.Config, string, error)
}

const long = `Upload a local disk image (raw or qcow2, optionally gzip-compressed) into a DataVolume.

image-upload creates the cdi.kubevirt.io/v1beta1 DataVolume NAME with source upload
and spec.storage from --size, --storage-class, --volume-mode and --access-mode (unless
--no-create, or it exists already as an upload DataVolume that has not succeeded),
waits up to --wait-secs for it to be UploadReady, streams the image through the
Kubernetes API to virt-api's datavolumes/upload subresource (API group
subresources.kubevirt.io, verb create) with your kubeconfig's credentials, and waits
up to --wait-secs again for the DataVolume to succeed. The upload server converts
qcow2 to raw with qemu-img. Progress goes to stderr: a bar on a terminal, a line
every 10 seconds otherwise.

  dv NAME    upload into DataVolume NAME; its claim is PVC NAME.
  pvc NAME   the same: kvirt's upload servers serve only DataVolumes, so this creates
             (or reuses) the upload DataVolume NAME whose claim is PVC NAME, owned by
             it (deleting the DataVolume deletes the PVC). A PVC NAME that no upload
             DataVolume owns is refused.

No upload proxy is involved: --uploadproxy-url is accepted and ignored. A request
through the Kubernetes API must finish within the apiserver's --request-timeout
(60s by default), which bounds the size of an image that can be uploaded.`

// NewCommand returns `image-upload`.
func NewCommand(c Client) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "image-upload dv|pvc NAME --image-path FILE [--size SIZE]",
		Short: "Upload a VM image to a DataVolume.",
		Long:  long,
		Example: "  # Upload a local disk image to a newly created DataVolume:\n" +
			"  virtctl image-upload dv fedora-dv --size=10Gi --image-path=/images/fedora.qcow2\n\n" +
			"  # Upload into an existing upload DataVolume:\n" +
			"  virtctl image-upload dv fedora-dv --no-create --image-path=/images/fedora.qcow2\n\n" +
			"  # The same, named as a PVC:\n" +
			"  virtctl image-upload pvc fedora-pvc --size=10Gi --image-path=/images/fedora.qcow2",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.SetArgs(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			// The image is checked before the kubeconfig so its error comes first.
			f, _, err := openImage(o.ImagePath)
			if err != nil {
				return err
			}
			_ = f.Close()
			cfg, ns, err := c.Config()
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			tty := false
			if f, ok := stderr.(*os.File); ok {
				tty = term.IsTerminal(int(f.Fd()))
			}
			return o.Run(cmd.Context(), cfg, ns, Output{Out: cmd.OutOrStdout(), Progress: stderr, TTY: tty})
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}
