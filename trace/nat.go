package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
)

// applyNAT rewrites the packet as a NAT target does for a new connection.
// From a range the kernel may pick any address; the model takes the first
// and keeps the original port when it is inside the port range, as
// nf_nat does when the tuple is free.
func (r *run) applyNAT(ns *model.Namespace, n *netfilter.NAT, p Packet, io hookIO) (Packet, error) {
	if n == nil {
		return p, fmt.Errorf("NAT verdict without a NAT target")
	}
	q := p
	port := func(cur uint16) uint16 {
		if !n.HasPorts || !p.HasPorts() || (cur >= n.Ports.Min && cur <= n.Ports.Max) {
			return cur
		}
		return n.Ports.Min
	}
	switch n.Kind {
	case netfilter.SNAT:
		if n.MinAddr.IsValid() {
			q.Src = n.MinAddr
		}
		q.SrcPort = port(p.SrcPort)
	case netfilter.DNAT:
		if n.MinAddr.IsValid() {
			q.Dst = n.MinAddr
		}
		q.DstPort = port(p.DstPort)
	case netfilter.Masquerade:
		out := ns.Interface(io.out)
		if out == nil {
			return p, fmt.Errorf("MASQUERADE needs an out interface, and %q is not in %s", io.out, ns.Ref())
		}
		a := masqueradeAddr(out, io.gw)
		if !a.IsValid() {
			return p, fmt.Errorf("MASQUERADE out of %s, which has no IPv4 address", out.Name)
		}
		q.Src = a
		q.SrcPort = port(p.SrcPort)
	case netfilter.Redirect:
		if io.in == "" {
			q.Dst = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		} else if in := ns.Interface(io.in); in != nil {
			a, ok := in.PrimaryAddr()
			if !ok {
				return p, fmt.Errorf("REDIRECT on %s, which has no IPv4 address", in.Name)
			}
			q.Dst = a
		}
		if n.HasPorts && p.HasPorts() {
			q.DstPort = n.Ports.Min
		}
	default:
		return p, fmt.Errorf("NAT kind %s", n.Kind)
	}
	return q, nil
}

// masqueradeAddr is the address MASQUERADE uses: the out device's address
// on the next hop's subnet, else its primary address.
func masqueradeAddr(out *model.Interface, gw netip.Addr) netip.Addr {
	for _, p := range out.Addrs {
		if gw.IsValid() && p.Addr().Is4() && p.Masked().Contains(gw) {
			return p.Addr()
		}
	}
	a, _ := out.PrimaryAddr()
	return a
}
