package agent

import (
	"testing"

	"google.golang.org/protobuf/proto"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestParseInfo(t *testing.T) {
	got := &launcherv1.GuestAgentResponse{}
	err := parseInfo(`{"return":{"version":"7.2.0","supported_commands":[{"enabled":true,"name":"guest-ping",
		"success-response":true},{"enabled":false,"name":"guest-exec"}]}}`, got)
	if err != nil {
		t.Fatal(err)
	}
	want := &launcherv1.GuestAgentResponse{Version: "7.2.0", Commands: []*launcherv1.GuestAgentCommand{
		{Name: "guest-ping", Enabled: true}, {Name: "guest-exec"}}}
	if !proto.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if err := parseInfo(`not json`, got); err == nil {
		t.Fatal("bad reply accepted")
	}
}

func TestParseReplies(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) (proto.Message, error)
		raw   string
		want  proto.Message
	}{{
		name:  "osinfo",
		parse: func(s string) (proto.Message, error) { return parseOSInfo(s) },
		raw: `{"return":{"name":"kvirt test guest","kernel-release":"6.1.0-57-amd64","version":"1 (busybox)",
			"pretty-name":"kvirt test guest 1","version-id":"1","kernel-version":"#1 SMP","machine":"x86_64","id":"kvirt-test-guest"}}`,
		want: &launcherv1.GuestOSInfo{Name: "kvirt test guest", KernelRelease: "6.1.0-57-amd64", Version: "1 (busybox)",
			PrettyName: "kvirt test guest 1", VersionId: "1", KernelVersion: "#1 SMP", Machine: "x86_64", Id: "kvirt-test-guest"},
	}, {
		name: "fsinfo with disks",
		parse: func(s string) (proto.Message, error) {
			fs, err := parseFSInfo(s)
			return &launcherv1.GuestAgentResponse{Filesystems: fs}, err
		},
		raw: `{"return":[{"name":"vda1","mountpoint":"/","type":"ext4","used-bytes":10,"total-bytes":20,
			"disk":[{"serial":"abc","bus-type":"virtio","bus":0}]}]}`,
		want: &launcherv1.GuestAgentResponse{Filesystems: []*launcherv1.GuestFilesystem{{DiskName: "vda1",
			MountPoint: "/", FileSystemType: "ext4", UsedBytes: 10, TotalBytes: 20,
			Disks: []*launcherv1.GuestDisk{{Serial: "abc", BusType: "virtio"}}}}},
	}, {
		name: "users",
		parse: func(s string) (proto.Message, error) {
			u, err := parseUsers(s)
			return &launcherv1.GuestAgentResponse{Users: u}, err
		},
		raw:  `{"return":[{"user":"root","login-time":1700000000.5}]}`,
		want: &launcherv1.GuestAgentResponse{Users: []*launcherv1.GuestUser{{UserName: "root", LoginTime: 1700000000.5}}},
	}, {
		name: "interfaces: loopback dropped, addresses kept",
		parse: func(s string) (proto.Message, error) {
			i, err := parseInterfaces(s)
			return &launcherv1.GuestAgentResponse{Interfaces: i}, err
		},
		raw: `{"return":[{"name":"lo","hardware-address":"00:00:00:00:00:00","ip-addresses":[{"ip-address":"127.0.0.1"}]},
			{"name":"eth0","hardware-address":"52:54:00:12:34:56","ip-addresses":[{"ip-address-type":"ipv4",
			"ip-address":"10.0.2.15","prefix":24},{"ip-address-type":"ipv6","ip-address":"fe80::1","prefix":64}]}]}`,
		want: &launcherv1.GuestAgentResponse{Interfaces: []*launcherv1.GuestInterface{{Name: "eth0",
			Mac: "52:54:00:12:34:56", IpAddresses: []string{"10.0.2.15", "fe80::1"}}}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseScalars(t *testing.T) {
	if h, err := parseHostname(`{"return":{"host-name":"vm1"}}`); err != nil || h != "vm1" {
		t.Fatalf("hostname %q %v", h, err)
	}
	if s, err := parseFreezeStatus(`{"return":"frozen"}`); err != nil || s != "frozen" {
		t.Fatalf("freeze status %q %v", s, err)
	}
	if z, o, err := parseTimezone(`{"return":{"zone":"UTC","offset":0}}`); err != nil || z != "UTC" || o != 0 {
		t.Fatalf("timezone %q %d %v", z, o, err)
	}
}
