package podnet

import (
	"bytes"
	"net"
	"os"
	"reflect"
	"testing"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// clientMsg builds a client message with the given options (code, value...).
func clientMsg(hw net.HardwareAddr, ciaddr net.IP, opts ...[]byte) []byte {
	m := make([]byte, headerLen)
	m[0], m[1], m[2] = opRequest, 1, byte(len(hw))
	copy(m[4:8], []byte{1, 2, 3, 4})
	m[10] = 0x80 // broadcast flag
	if ciaddr != nil {
		copy(m[12:16], ciaddr.To4())
	}
	copy(m[28:], hw)
	m = append(m, magicCookie...)
	for _, o := range opts {
		m = append(m, o...)
	}
	return append(m, optPad, optEnd)
}

func cidr(s string) *net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip.To4()
	return n
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// replyOpts decodes a reply's options by code.
func replyOpts(t *testing.T, pkt []byte) map[byte][]byte {
	t.Helper()
	if !bytes.Equal(pkt[headerLen:headerLen+cookieLen], magicCookie) {
		t.Fatalf("reply has no magic cookie")
	}
	out := map[byte][]byte{}
	opts := pkt[headerLen+cookieLen:]
	for i := 0; i < len(opts) && opts[i] != optEnd; i += 2 + int(opts[i+1]) {
		out[opts[i]] = opts[i+2 : i+2+int(opts[i+1])]
	}
	return out
}

func TestReply(t *testing.T) {
	guest, other := mac("0a:58:0a:f4:00:07"), mac("0a:58:0a:f4:00:08")
	lease := Lease{MAC: guest, IP: net.ParseIP("10.244.0.7").To4(), Mask: net.CIDRMask(24, 32),
		Router: net.ParseIP("10.244.0.1"), ServerID: net.IPv4(169, 254, 75, 10), MTU: 1450, Seconds: 86400,
		Hostname: "vm1", Search: []string{"default.svc.cluster.local", "cluster.local"},
		DNS:    []net.IP{net.ParseIP("10.96.0.10")},
		Routes: []Route{{Dst: cidr("10.96.0.0/12"), Gateway: net.ParseIP("10.244.0.254")}}}
	discover := []byte{optMessageType, 1, msgDiscover}
	request := []byte{optMessageType, 1, msgRequest}
	asks := func(ip string) []byte { return append([]byte{optRequestedIP, 4}, net.ParseIP(ip).To4()...) }
	tests := []struct {
		name     string
		pkt      []byte
		lease    Lease
		wantType byte // 0: no reply
		wantErr  bool
	}{
		{name: "discover gets an offer", pkt: clientMsg(guest, nil, discover), lease: lease, wantType: msgOffer},
		{name: "request for the lease is acked", pkt: clientMsg(guest, nil, request, asks("10.244.0.7")), lease: lease, wantType: msgAck},
		{name: "renewal by ciaddr is acked", pkt: clientMsg(guest, net.ParseIP("10.244.0.7"), request), lease: lease, wantType: msgAck},
		{name: "request for another address is refused", pkt: clientMsg(guest, nil, request, asks("10.244.0.9")), lease: lease, wantType: msgNak},
		{name: "another MAC is ignored", pkt: clientMsg(other, nil, discover), lease: lease},
		{name: "release is ignored", pkt: clientMsg(guest, nil, []byte{optMessageType, 1, 7}), lease: lease},
		{name: "no address to give", pkt: clientMsg(guest, nil, discover), lease: Lease{MAC: guest}},
		{name: "truncated message", pkt: make([]byte, 100), lease: lease, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Reply(tt.pkt, tt.lease)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantType == 0 {
				if got != nil {
					t.Fatalf("got a reply, want none")
				}
				return
			}
			opts := replyOpts(t, got)
			if !bytes.Equal(opts[optMessageType], []byte{tt.wantType}) || !bytes.Equal(got[4:8], []byte{1, 2, 3, 4}) ||
				got[0] != opReply || !bytes.Equal(got[28:34], guest) || got[10] != 0x80 {
				t.Fatalf("reply header/type wrong: type %v", opts[optMessageType])
			}
			if tt.wantType == msgNak {
				if !net.IP(got[16:20]).Equal(net.IPv4zero) || opts[optLeaseTime] != nil {
					t.Errorf("NAK carries a lease")
				}
				return
			}
			want := map[byte][]byte{
				optMessageType: {tt.wantType}, optServerID: {169, 254, 75, 10}, optLeaseTime: {0, 1, 0x51, 0x80},
				optSubnetMask: {255, 255, 255, 0}, optRouter: {10, 244, 0, 1}, optDNS: {10, 96, 0, 10},
				optMTU:          {0x05, 0xaa},
				optHostname:     []byte("vm1"),
				optDomainName:   []byte("default.svc.cluster.local"),
				optDomainSearch: append([]byte("\x07default\x03svc\x07cluster\x05local\x00"), "\x07cluster\x05local\x00"...),
				optClasslessRts: {12, 10, 96, 10, 244, 0, 254, 0, 10, 244, 0, 1},
			}
			if !reflect.DeepEqual(opts, want) || !net.IP(got[16:20]).Equal(lease.IP) {
				t.Errorf("yiaddr %v, options %v, want %v", net.IP(got[16:20]), opts, want)
			}
		})
	}
}

func TestResolvConf(t *testing.T) {
	path := t.TempDir() + "/resolv.conf"
	if dns, search := resolvConf(path); dns != nil || search != nil {
		t.Errorf("missing file: %v %v", dns, search)
	}
	if err := writeFile(path, "search default.svc cluster.local\nnameserver 10.96.0.10\nnameserver fd00::10\n#nameserver 1.1.1.1\n"); err != nil {
		t.Fatal(err)
	}
	dns, search := resolvConf(path)
	if len(dns) != 1 || !dns[0].Equal(net.ParseIP("10.96.0.10")) {
		t.Errorf("nameservers = %v, want the IPv4 one", dns)
	}
	if !reflect.DeepEqual(search, []string{"default.svc", "cluster.local"}) {
		t.Errorf("search = %v", search)
	}
}

func TestLeaseFor(t *testing.T) {
	dns := []net.IP{net.ParseIP("10.96.0.10")}
	tests := []struct {
		name    string
		pi      *launcherv1.PodInterface
		want    Lease
		wantErr bool
	}{
		{name: "masquerade", pi: &launcherv1.PodInterface{Name: "default", Mac: "02:00:00:00:00:01", ServerIp: "10.0.2.1",
			GuestCidr: "10.0.2.2/24", Router: "10.0.2.1", Mtu: 1450},
			want: Lease{MAC: mac("02:00:00:00:00:01"), IP: net.ParseIP("10.0.2.2").To4(), Mask: net.CIDRMask(24, 32),
				Router: net.ParseIP("10.0.2.1").To4(), ServerID: net.ParseIP("10.0.2.1").To4(), MTU: 1450, DNS: dns,
				Search: []string{"svc"}, Hostname: "vm1", Seconds: defaultLeaseSeconds}},
		{name: "bridge with a route", pi: &launcherv1.PodInterface{Name: "default", Mac: "02:00:00:00:00:01",
			ServerIp: "169.254.75.10", GuestCidr: "10.244.0.7/24", Router: "10.244.0.1",
			Routes: []*launcherv1.PodRoute{{Dst: "10.96.0.0/12", Gateway: "10.244.0.254"}}},
			want: Lease{MAC: mac("02:00:00:00:00:01"), IP: net.ParseIP("10.244.0.7").To4(), Mask: net.CIDRMask(24, 32),
				Router: net.ParseIP("10.244.0.1").To4(), ServerID: net.ParseIP("169.254.75.10").To4(), DNS: dns,
				Routes: []Route{{Dst: cidr("10.96.0.0/12"), Gateway: net.ParseIP("10.244.0.254").To4()}},
				Search: []string{"svc"}, Hostname: "vm1", Seconds: defaultLeaseSeconds}},
		{name: "no address to offer", pi: &launcherv1.PodInterface{Name: "default", Mac: "02:00:00:00:00:01", ServerIp: "169.254.75.10"},
			want: Lease{MAC: mac("02:00:00:00:00:01"), ServerID: net.ParseIP("169.254.75.10").To4(), DNS: dns,
				Search: []string{"svc"}, Hostname: "vm1", Seconds: defaultLeaseSeconds}},
		{name: "bad MAC", pi: &launcherv1.PodInterface{Name: "default", Mac: "x", ServerIp: "10.0.2.1"}, wantErr: true},
		{name: "bad guest address", pi: &launcherv1.PodInterface{Name: "default", Mac: "02:00:00:00:00:01",
			ServerIp: "10.0.2.1", GuestCidr: "fd10::2/120"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LeaseFor(tt.pi, dns, []string{"svc"}, "vm1")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LeaseFor() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func writeFile(path, data string) error { return os.WriteFile(path, []byte(data), 0o600) }
