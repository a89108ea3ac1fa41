package agent

import (
	"encoding/json"
	"fmt"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// reply is the agent's answer envelope as libvirt returns it.
type reply[T any] struct {
	Return T `json:"return"`
}

func decode[T any](raw string) (T, error) {
	var r reply[T]
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		var zero T
		return zero, fmt.Errorf("decode agent reply: %w", err)
	}
	return r.Return, nil
}

type infoReply struct {
	Version  string `json:"version"`
	Commands []struct {
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	} `json:"supported_commands"`
}

func parseInfo(raw string, into *launcherv1.GuestAgentResponse) error {
	r, err := decode[infoReply](raw)
	if err != nil {
		return err
	}
	into.Version = r.Version
	into.Commands = nil
	for _, c := range r.Commands {
		into.Commands = append(into.Commands, &launcherv1.GuestAgentCommand{Name: c.Name, Enabled: c.Enabled})
	}
	return nil
}

type osInfoReply struct {
	Name          string `json:"name"`
	KernelRelease string `json:"kernel-release"`
	Version       string `json:"version"`
	PrettyName    string `json:"pretty-name"`
	VersionID     string `json:"version-id"`
	KernelVersion string `json:"kernel-version"`
	Machine       string `json:"machine"`
	ID            string `json:"id"`
}

func parseOSInfo(raw string) (*launcherv1.GuestOSInfo, error) {
	r, err := decode[osInfoReply](raw)
	if err != nil {
		return nil, err
	}
	return &launcherv1.GuestOSInfo{Name: r.Name, KernelRelease: r.KernelRelease, Version: r.Version,
		PrettyName: r.PrettyName, VersionId: r.VersionID, KernelVersion: r.KernelVersion, Machine: r.Machine, Id: r.ID}, nil
}

func parseHostname(raw string) (string, error) {
	r, err := decode[struct {
		HostName string `json:"host-name"`
	}](raw)
	return r.HostName, err
}

func parseTimezone(raw string) (string, int32, error) {
	r, err := decode[struct {
		Zone   string `json:"zone"`
		Offset int32  `json:"offset"`
	}](raw)
	return r.Zone, r.Offset, err
}

func parseUsers(raw string) ([]*launcherv1.GuestUser, error) {
	r, err := decode[[]struct {
		User      string  `json:"user"`
		Domain    string  `json:"domain"`
		LoginTime float64 `json:"login-time"`
	}](raw)
	if err != nil {
		return nil, err
	}
	out := make([]*launcherv1.GuestUser, 0, len(r))
	for _, u := range r {
		out = append(out, &launcherv1.GuestUser{UserName: u.User, Domain: u.Domain, LoginTime: u.LoginTime})
	}
	return out, nil
}

type fsReply struct {
	Name       string `json:"name"`
	Mountpoint string `json:"mountpoint"`
	Type       string `json:"type"`
	UsedBytes  int64  `json:"used-bytes"`
	TotalBytes int64  `json:"total-bytes"`
	Disk       []struct {
		Serial  string `json:"serial"`
		BusType string `json:"bus-type"`
	} `json:"disk"`
}

func parseFSInfo(raw string) ([]*launcherv1.GuestFilesystem, error) {
	r, err := decode[[]fsReply](raw)
	if err != nil {
		return nil, err
	}
	out := make([]*launcherv1.GuestFilesystem, 0, len(r))
	for _, f := range r {
		fs := &launcherv1.GuestFilesystem{DiskName: f.Name, MountPoint: f.Mountpoint, FileSystemType: f.Type,
			UsedBytes: f.UsedBytes, TotalBytes: f.TotalBytes}
		for _, d := range f.Disk {
			fs.Disks = append(fs.Disks, &launcherv1.GuestDisk{Serial: d.Serial, BusType: d.BusType})
		}
		out = append(out, fs)
	}
	return out, nil
}

type ifaceReply struct {
	Name        string `json:"name"`
	HWAddr      string `json:"hardware-address"`
	IPAddresses []struct {
		Type    string `json:"ip-address-type"`
		Address string `json:"ip-address"`
		Prefix  int    `json:"prefix"`
	} `json:"ip-addresses"`
}

// parseInterfaces keeps the guest's interfaces with a MAC (not loopback) and
// their addresses, IPv4 first as the agent lists them.
func parseInterfaces(raw string) ([]*launcherv1.GuestInterface, error) {
	r, err := decode[[]ifaceReply](raw)
	if err != nil {
		return nil, err
	}
	out := make([]*launcherv1.GuestInterface, 0, len(r))
	for _, i := range r {
		if i.Name == "lo" || i.HWAddr == "" || i.HWAddr == "00:00:00:00:00:00" {
			continue
		}
		gi := &launcherv1.GuestInterface{Name: i.Name, Mac: i.HWAddr}
		for _, a := range i.IPAddresses {
			gi.IpAddresses = append(gi.IpAddresses, a.Address)
		}
		out = append(out, gi)
	}
	return out, nil
}

func parseFreezeStatus(raw string) (string, error) {
	return decode[string](raw)
}

type execStatus struct {
	Exited   bool   `json:"exited"`
	ExitCode int32  `json:"exitcode"`
	OutData  []byte `json:"out-data"`
}
