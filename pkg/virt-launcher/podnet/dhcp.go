package podnet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"strings"
)

// defaultLeaseSeconds is long: the address never changes while the pod lives.
const defaultLeaseSeconds = 86400

// DHCPv4 message layout (RFC 2131) and the options used here (RFC 2132, 3442).
const (
	headerLen   = 236
	cookieLen   = 4
	opRequest   = 1
	opReply     = 2
	flagsOffset = 10

	optPad          = 0
	optSubnetMask   = 1
	optRouter       = 3
	optDNS          = 6
	optHostname     = 12
	optDomainName   = 15
	optMTU          = 26
	optRequestedIP  = 50
	optLeaseTime    = 51
	optMessageType  = 53
	optServerID     = 54
	optDomainSearch = 119
	optClasslessRts = 121
	optEnd          = 255

	msgDiscover = 1
	msgOffer    = 2
	msgRequest  = 3
	msgAck      = 5
	msgNak      = 6
)

var magicCookie = []byte{99, 130, 83, 99}

// Lease is the one address the responder hands out, to one MAC.
type Lease struct {
	MAC      net.HardwareAddr
	IP       net.IP
	Mask     net.IPMask
	Router   net.IP
	Routes   []Route
	DNS      []net.IP
	MTU      int
	ServerID net.IP
	Seconds  uint32
	// Hostname is the guest's host name (option 12).
	Hostname string
	// Search are the pod's DNS search domains: the first is the domain name
	// (option 15), all of them the search list (option 119).
	Search []string
}

// request is the part of a client message the responder looks at.
type request struct {
	op      byte
	xid     []byte
	flags   []byte
	ciaddr  net.IP
	chaddr  net.HardwareAddr
	msgType byte
	reqIP   net.IP
}

func parse(pkt []byte) (*request, error) {
	if len(pkt) < headerLen+cookieLen || !bytes.Equal(pkt[headerLen:headerLen+cookieLen], magicCookie) {
		return nil, errors.New("not a DHCP message")
	}
	hlen := int(pkt[2])
	if hlen > 16 {
		return nil, errors.New("bad hardware address length")
	}
	r := &request{op: pkt[0], xid: pkt[4:8], flags: pkt[flagsOffset : flagsOffset+2],
		ciaddr: net.IP(pkt[12:16]), chaddr: net.HardwareAddr(pkt[28 : 28+hlen])}
	opts := pkt[headerLen+cookieLen:]
	for i := 0; i < len(opts); {
		code := opts[i]
		if code == optPad {
			i++
			continue
		}
		if code == optEnd || i+1 >= len(opts) || i+2+int(opts[i+1]) > len(opts) {
			break
		}
		val := opts[i+2 : i+2+int(opts[i+1])]
		switch {
		case code == optMessageType && len(val) == 1:
			r.msgType = val[0]
		case code == optRequestedIP && len(val) == 4:
			r.reqIP = net.IP(val)
		}
		i += 2 + len(val)
	}
	return r, nil
}

// Reply answers a client message for the lease: DISCOVER gets an OFFER,
// REQUEST an ACK (or a NAK when it asks for another address). Messages from
// other MACs, and every other type, get no answer (nil).
func Reply(pkt []byte, l Lease) ([]byte, error) {
	r, err := parse(pkt)
	if err != nil {
		return nil, err
	}
	if r.op != opRequest || !bytes.Equal(r.chaddr, l.MAC) || l.IP == nil {
		return nil, nil
	}
	switch r.msgType {
	case msgDiscover:
		return build(r, l, msgOffer), nil
	case msgRequest:
		asked := r.reqIP
		if asked == nil {
			asked = r.ciaddr
		}
		if !asked.Equal(l.IP) {
			return build(r, l, msgNak), nil
		}
		return build(r, l, msgAck), nil
	}
	return nil, nil
}

func build(r *request, l Lease, msgType byte) []byte {
	out := make([]byte, headerLen, headerLen+cookieLen+64)
	out[0], out[1], out[2] = opReply, 1, byte(len(r.chaddr))
	copy(out[4:8], r.xid)
	copy(out[flagsOffset:flagsOffset+2], r.flags)
	if msgType != msgNak {
		copy(out[16:20], l.IP.To4())
	}
	copy(out[28:28+len(r.chaddr)], r.chaddr)
	out = append(out, magicCookie...)
	out = appendOpt(out, optMessageType, []byte{msgType})
	out = appendOpt(out, optServerID, l.ServerID.To4())
	if msgType != msgNak {
		out = appendLeaseOpts(out, l)
	}
	return append(out, optEnd)
}

func appendLeaseOpts(out []byte, l Lease) []byte {
	out = appendOpt(out, optLeaseTime, binary.BigEndian.AppendUint32(nil, l.Seconds))
	out = appendOpt(out, optSubnetMask, []byte(l.Mask))
	if l.Router != nil {
		out = appendOpt(out, optRouter, l.Router.To4())
	}
	if len(l.Routes) > 0 {
		out = appendOpt(out, optClasslessRts, classlessRoutes(l))
	}
	if len(l.DNS) > 0 {
		var dns []byte
		for _, ip := range l.DNS {
			if ip4 := ip.To4(); ip4 != nil {
				dns = append(dns, ip4...)
			}
		}
		if len(dns) > 0 {
			out = appendOpt(out, optDNS, dns)
		}
	}
	if h := l.Hostname; h != "" && len(h) <= 255 {
		out = appendOpt(out, optHostname, []byte(h))
	}
	if len(l.Search) > 0 && len(l.Search[0]) <= 255 {
		out = appendOpt(out, optDomainName, []byte(l.Search[0]))
		if list := searchList(l.Search); len(list) <= 255 {
			out = appendOpt(out, optDomainSearch, list)
		}
	}
	if l.MTU >= 68 {
		out = appendOpt(out, optMTU, binary.BigEndian.AppendUint16(nil, uint16(l.MTU)))
	}
	return out
}

// classlessRoutes encodes option 121; a client that takes it ignores the
// router option, so the default route is repeated in it.
func classlessRoutes(l Lease) []byte {
	var b []byte
	routes := l.Routes
	if l.Router != nil {
		routes = append(append([]Route(nil), routes...), Route{Dst: &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}, Gateway: l.Router})
	}
	for _, r := range routes {
		ones, _ := r.Dst.Mask.Size()
		b = append(b, byte(ones))
		b = append(b, r.Dst.IP.To4()[:(ones+7)/8]...)
		b = append(b, r.Gateway.To4()...)
	}
	return b
}

func appendOpt(out []byte, code byte, val []byte) []byte {
	return append(append(out, code, byte(len(val))), val...)
}

// searchList encodes domains as RFC 1035 names (option 119, RFC 3397),
// uncompressed; labels longer than 63 bytes are left out with their domain.
func searchList(domains []string) []byte {
	var out []byte
	for _, d := range domains {
		var name []byte
		ok := true
		for _, label := range strings.Split(strings.TrimSuffix(d, "."), ".") {
			if label == "" || len(label) > 63 {
				ok = false
				break
			}
			name = append(append(name, byte(len(label))), label...)
		}
		if ok {
			out = append(append(out, name...), 0)
		}
	}
	return out
}
