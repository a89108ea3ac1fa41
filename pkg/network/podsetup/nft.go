package podsetup

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"kvirt.io/kvirt/pkg/network/podplan"
)

// NATTable is the nftables table (family ip) of the masquerade binding in the
// pod's network namespace.
const NATTable = "kvirt-masquerade"

// applyNAT replaces the NAT table with the plan's rules in one transaction:
// the table is deleted (when present) and rebuilt, so applying twice leaves
// one copy of each rule.
func applyNAT(nsFD int, rules []podplan.NATRule) error {
	conn, err := nftables.New(nftables.WithNetNSFd(nsFD))
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	table := &nftables.Table{Name: NATTable, Family: nftables.TableFamilyIPv4}
	if _, err := conn.ListTableOfFamily(NATTable, nftables.TableFamilyIPv4); err == nil {
		conn.DelTable(table)
	}
	conn.AddTable(table)
	pre := conn.AddChain(&nftables.Chain{Name: "prerouting", Table: table, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityNATDest})
	post := conn.AddChain(&nftables.Chain{Name: "postrouting", Table: table, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	for _, r := range rules {
		chain := post
		if r.Kind == podplan.DNAT {
			chain = pre
		}
		conn.AddRule(&nftables.Rule{Table: table, Chain: chain, Exprs: ruleExprs(r)})
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("write nftables table %s: %w", NATTable, err)
	}
	return nil
}

// ruleExprs is r as nftables expressions (what `nft` compiles it to).
func ruleExprs(r podplan.NATRule) []expr.Any {
	var out []expr.Any
	if r.Kind == podplan.DNAT {
		out = append(out, &expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(r.InInterface)},
			// ip daddr
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4})
	} else {
		out = append(out, &expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(r.OutInterface)},
			// ip saddr
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4})
	}
	out = append(out, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: r.Match.AsSlice()})
	if r.Proto != "" {
		proto := byte(unix.IPPROTO_TCP)
		if r.Proto == podplan.UDP {
			proto = unix.IPPROTO_UDP
		}
		out = append(out, &expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
			// th dport
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(r.Port)})
	}
	out = append(out, &expr.Counter{})
	if r.Kind == podplan.DNAT {
		return append(out, &expr.Immediate{Register: 1, Data: r.To.AsSlice()},
			&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1})
	}
	return append(out, &expr.Masq{})
}

// ifname is an interface name as the kernel compares it: NUL-padded to
// IFNAMSIZ.
func ifname(n string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, n)
	return b
}

// CountNATRules counts the rules of the NAT table in the network namespace at
// nsPath (0 when there is no table): a check that applying twice left one copy.
func CountNATRules(nsPath string) (int, error) {
	n := 0
	err := inNetNS(nsPath, func(nsFD int) error {
		conn, err := nftables.New(nftables.WithNetNSFd(nsFD))
		if err != nil {
			return fmt.Errorf("nftables: %w", err)
		}
		table, err := conn.ListTableOfFamily(NATTable, nftables.TableFamilyIPv4)
		if err != nil {
			return nil
		}
		for _, name := range []string{"prerouting", "postrouting"} {
			rules, err := conn.GetRules(table, &nftables.Chain{Name: name, Table: table})
			if err != nil {
				return fmt.Errorf("list %s rules: %w", name, err)
			}
			n += len(rules)
		}
		return nil
	})
	return n, err
}
