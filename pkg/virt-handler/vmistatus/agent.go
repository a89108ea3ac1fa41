package vmistatus

import (
	"math"
	"net"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// What a guest (through its launcher) may put into a VMI's status: the guest is
// the tenant's, so every string is bounded and cleaned, lists are capped and
// addresses must parse.
const (
	maxGuestString      = 256
	maxGuestInterfaces  = 32
	maxGuestAddresses   = 16
	maxGuestFilesystems = 64
	maxGuestUsers       = 64
	maxGuestCommands    = 256
	infoSourceAgent     = "guest-agent"
)

// Upstream's rule for a usable agent: these commands at least, and the
// commands of the features the VMI uses.
var (
	requiredAgentCommands = []string{"guest-ping", "guest-get-time", "guest-info", "guest-shutdown",
		"guest-network-get-interfaces", "guest-get-fsinfo", "guest-get-host-name", "guest-get-users",
		"guest-get-timezone", "guest-get-osinfo"}
	sshAgentCommands      = []string{"guest-ssh-get-authorized-keys", "guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys"}
	passwordAgentCommands = []string{"guest-set-user-password"}
	execProbeCommands     = []string{"guest-exec-status", "guest-exec"}
)

// CleanString makes a guest-reported string safe for the VMI status: valid
// UTF-8, no control characters, at most maxGuestString bytes.
func CleanString(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) <= maxGuestString {
		return s
	}
	cut := maxGuestString
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// AgentSupported applies upstream's rule: the basic commands, and the ones
// the VMI's access credentials and exec probes need. It returns the message
// upstream gives when the agent falls short.
func AgentSupported(vmi *virtv1.VirtualMachineInstance, cmds []*launcherv1.GuestAgentCommand) (bool, string) {
	enabled := map[string]bool{}
	for _, c := range cmds {
		enabled[c.Name] = c.Enabled
	}
	ssh, passwd := credentialsThroughAgent(vmi)
	for _, need := range []struct {
		wanted bool
		cmds   []string
		msg    string
	}{
		{true, requiredAgentCommands, "This guest agent doesn't support required basic commands"},
		{ssh, sshAgentCommands, "This guest agent doesn't support required public key commands"},
		{passwd, passwordAgentCommands, "This guest agent doesn't support required password commands"},
		{hasExecProbe(vmi), execProbeCommands, "This guest agent doesn't support required exec probe commands"},
	} {
		if !need.wanted {
			continue
		}
		for _, n := range need.cmds {
			if !enabled[n] {
				return false, need.msg
			}
		}
	}
	return true, ""
}

// credentialsThroughAgent says whether ssh keys or passwords are to be
// propagated by the agent.
func credentialsThroughAgent(vmi *virtv1.VirtualMachineInstance) (ssh, passwd bool) {
	for _, ac := range vmi.Spec.AccessCredentials {
		ssh = ssh || (ac.SSHPublicKey != nil && ac.SSHPublicKey.PropagationMethod.QemuGuestAgent != nil)
		passwd = passwd || (ac.UserPassword != nil && ac.UserPassword.PropagationMethod.QemuGuestAgent != nil)
	}
	return ssh, passwd
}

func hasExecProbe(vmi *virtv1.VirtualMachineInstance) bool {
	return (vmi.Spec.ReadinessProbe != nil && vmi.Spec.ReadinessProbe.Exec != nil) ||
		(vmi.Spec.LivenessProbe != nil && vmi.Spec.LivenessProbe.Exec != nil)
}

// applyAgent writes what the agent reported into the status the handler owns:
// the AgentConnected and AgentVersionNotSupported conditions, guestOSInfo,
// fsFreezeStatus and the guest's view of the interfaces. A nil report (no
// launcher answer) changes nothing; a disconnected agent clears them.
func applyAgent(status *virtv1.VirtualMachineInstanceStatus, vmi *virtv1.VirtualMachineInstance,
	a *launcherv1.GuestAgentResponse, now metav1.Time) {
	if a == nil {
		return
	}
	if !a.Connected {
		status.Conditions = removeCondition(status.Conditions, virtv1.VirtualMachineInstanceAgentConnected)
		status.Conditions = removeCondition(status.Conditions, virtv1.VirtualMachineInstanceUnsupportedAgent)
		status.GuestOSInfo = virtv1.VirtualMachineInstanceGuestOSInfo{}
		status.FsFreezeStatus = ""
		return
	}
	status.Conditions = setCondition(status.Conditions, virtv1.VirtualMachineInstanceAgentConnected, true, "", now)
	cmds := a.Commands
	if len(cmds) > maxGuestCommands {
		cmds = cmds[:maxGuestCommands]
	}
	if ok, msg := AgentSupported(vmi, cmds); ok {
		status.Conditions = removeCondition(status.Conditions, virtv1.VirtualMachineInstanceUnsupportedAgent)
	} else {
		status.Conditions = setCondition(status.Conditions, virtv1.VirtualMachineInstanceUnsupportedAgent, true, msg, now)
		setMessage(status.Conditions, virtv1.VirtualMachineInstanceUnsupportedAgent, msg)
	}
	status.GuestOSInfo = GuestOSInfo(a.Os)
	switch a.FsfreezeStatus {
	case "frozen":
		status.FsFreezeStatus = "frozen"
	default:
		// Upstream leaves the field empty while thawed.
		status.FsFreezeStatus = ""
	}
}

// GuestOSInfo is the cleaned guestOSInfo of an agent report.
func GuestOSInfo(os *launcherv1.GuestOSInfo) virtv1.VirtualMachineInstanceGuestOSInfo {
	if os == nil {
		return virtv1.VirtualMachineInstanceGuestOSInfo{}
	}
	return virtv1.VirtualMachineInstanceGuestOSInfo{
		Name: CleanString(os.Name), KernelRelease: CleanString(os.KernelRelease), Version: CleanString(os.Version),
		PrettyName: CleanString(os.PrettyName), VersionID: CleanString(os.VersionId),
		KernelVersion: CleanString(os.KernelVersion), Machine: CleanString(os.Machine), ID: CleanString(os.Id),
	}
}

func setMessage(conds []virtv1.VirtualMachineInstanceCondition, t virtv1.VirtualMachineInstanceConditionType, msg string) {
	for i := range conds {
		if conds[i].Type == t {
			conds[i].Message = msg
		}
	}
}

// cleanAddresses keeps the addresses that parse as IPs, at most maxGuestAddresses.
func cleanAddresses(in []string) []string {
	var out []string
	for _, a := range in {
		if ip := net.ParseIP(a); ip != nil && len(out) < maxGuestAddresses {
			out = append(out, ip.String())
		}
	}
	return out
}

// mergeAgentInterfaces adds the guest's view to the domain's interfaces: a
// domain interface whose MAC the guest reports gains the guest's name for it
// and its addresses when the domain has none; guest interfaces the domain does not know are listed
// with infoSource guest-agent.
func mergeAgentInterfaces(domain []virtv1.VirtualMachineInstanceNetworkInterface,
	guest []*launcherv1.GuestInterface) []virtv1.VirtualMachineInstanceNetworkInterface {
	out := slices.Clone(domain)
	for n, g := range guest {
		if n >= maxGuestInterfaces {
			break
		}
		mac, err := net.ParseMAC(g.Mac)
		if err != nil {
			continue
		}
		ips := cleanAddresses(g.IpAddresses)
		matched := false
		for i := range out {
			if dm, err := net.ParseMAC(out[i].MAC); err == nil && dm.String() == mac.String() {
				matched = true
				out[i].InterfaceName = CleanString(g.Name)
				// The domain's addresses (the pod's, for masquerade and bridge) win,
				// as upstream reports the pod IP of a masquerade interface.
				if len(ips) > 0 && len(out[i].IPAddresses) == 0 {
					out[i].IPAddresses, out[i].IPAddress = ips, ips[0]
				}
				out[i].InfoSource = addInfoSource(out[i].InfoSource, infoSourceAgent)
			}
		}
		if !matched {
			st := virtv1.VirtualMachineInstanceNetworkInterface{InterfaceName: CleanString(g.Name), MAC: mac.String(),
				IPAddresses: ips, InfoSource: infoSourceAgent}
			if len(ips) > 0 {
				st.IPAddress = ips[0]
			}
			out = append(out, st)
		}
	}
	return out
}

// FileSystems is the cleaned filesystem list of an agent report.
func FileSystems(in []*launcherv1.GuestFilesystem) []virtv1.VirtualMachineInstanceFileSystem {
	out := []virtv1.VirtualMachineInstanceFileSystem{}
	for n, f := range in {
		if n >= maxGuestFilesystems {
			break
		}
		fs := virtv1.VirtualMachineInstanceFileSystem{DiskName: CleanString(f.DiskName), MountPoint: CleanString(f.MountPoint),
			FileSystemType: CleanString(f.FileSystemType), UsedBytes: clampInt32(f.UsedBytes), TotalBytes: clampInt32(f.TotalBytes)}
		for i, d := range f.Disks {
			if i >= maxGuestAddresses {
				break
			}
			fs.Disk = append(fs.Disk, virtv1.VirtualMachineInstanceFileSystemDisk{BusType: CleanString(d.BusType),
				Serial: CleanString(d.Serial)})
		}
		out = append(out, fs)
	}
	return out
}

// Users is the cleaned user list of an agent report.
func Users(in []*launcherv1.GuestUser) []virtv1.VirtualMachineInstanceGuestOSUser {
	out := []virtv1.VirtualMachineInstanceGuestOSUser{}
	for n, u := range in {
		if n >= maxGuestUsers {
			break
		}
		out = append(out, virtv1.VirtualMachineInstanceGuestOSUser{UserName: CleanString(u.UserName),
			Domain: CleanString(u.Domain), LoginTime: u.LoginTime})
	}
	return out
}

// clampInt32: the API's byte counts are int32 (as upstream's schema says).
func clampInt32(v int64) int32 {
	switch {
	case v > math.MaxInt32:
		return math.MaxInt32
	case v < 0:
		return 0
	}
	return int32(v)
}
