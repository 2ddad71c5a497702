package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// natZone is the conntrack zone a router's NAT uses.
func natZone(lr *ovn.Router) string { return "lr " + lr.Name }

// natApplies reports whether lr does NAT on traffic through port rp: a
// gateway router everywhere, a distributed router only on its gateway port.
func natApplies(lr *ovn.Router, rp *ovn.RouterPort) bool {
	return lr.Options["chassis"] != "" || rp.IsGateway()
}

// lrDNAT is lr_in_unsnat and lr_in_dnat: a floating IP or dnat rule, or a
// load balancer VIP, rewrites the destination of a packet entering by the
// gateway port; a reply of a connection the router SNATed gets its
// original destination back. A distributed router does NAT only on its
// gateway port.
func (r *run) lrDNAT(c *cur, lr *ovn.Router, rp *ovn.RouterPort, p Packet, ch string) Packet {
	if !natApplies(lr, rp) {
		return p
	}
	if l := r.lreply(natZone(lr), p); l != nil && l.orig.Src != p.Dst && !p.loopback {
		q := p
		q.Dst = l.orig.Src
		if q.HasPorts() {
			q.DstPort = l.orig.SPort
		}
		changed := q != p
		q.lct = ovn.CTTrk | ovn.CTEst | ovn.CTRpl
		if changed {
			c.tr.add(Step{Kind: Conntrack, Action: Transformed, Diff: diff(p, q), Detail: r.lrDetail(lr, "ingress", "lr_in_unsnat", rp.Name, ch),
				Why: fmt.Sprintf("reply of %s: conntrack undoes the router's SNAT", l)})
		}
		return q
	}
	for _, n := range lr.NAT {
		if n.Disabled || (n.Type != ovn.DNAT && n.Type != ovn.DNATAndSNAT) || n.ExternalIP != p.Dst {
			continue
		}
		q := p
		q.Dst, q.lct = n.LogicalIP.Addr(), ovn.CTTrk|ovn.CTNew
		d := r.lrDetail(lr, "ingress", "lr_in_dnat", rp.Name, ch)
		d.Row = rowRef("NAT", n.Row)
		c.tr.add(Step{Kind: OVNStage, Action: Transformed, Diff: diff(p, q), Detail: d, Source: ovnSource(ovnNATText(n), n.Row), Object: n,
			Why: fmt.Sprintf("%s %s -> %s%s: destination rewritten", n.Type, n.ExternalIP, n.LogicalIP.Addr(), natPortText(n))})
		c.lcommit(natZone(lr), p, tupleOf(q).reverse())
		return q
	}
	for _, lb := range lr.LoadBalancers {
		if q, ok := r.lbDNAT(c, lb, p, r.lrDetail(lr, "ingress", "lr_in_dnat", rp.Name, ch)); ok {
			return q
		}
	}
	return p
}

// lrSNAT is lr_out_snat on port out: a floating IP's dnat_and_snat for
// its own address, else the snat rule with the longest matching logical
// prefix. A distributed floating IP also sends from its external MAC.
func (r *run) lrSNAT(c *cur, lr *ovn.Router, out *ovn.RouterPort, p Packet, ch string) Packet {
	if !natApplies(lr, out) {
		return p
	}
	if l := r.lreply(natZone(lr), p); l != nil {
		return r.lrUnDNAT(c, lr, out, l, p, ch)
	}
	var best *ovn.NAT
	for _, n := range lr.NAT {
		if n.Disabled || !n.LogicalIP.Masked().Contains(p.Src) {
			continue
		}
		switch {
		case n.Type == ovn.DNATAndSNAT && n.LogicalIP.Addr() == p.Src:
			best = n
		case n.Type == ovn.SNAT && (best == nil || best.Type == ovn.SNAT && n.LogicalIP.Bits() > best.LogicalIP.Bits()):
			best = n
		}
		if best != nil && best.Type == ovn.DNATAndSNAT {
			break
		}
	}
	if best == nil {
		return p
	}
	q := p
	q.Src, q.lct = best.ExternalIP, ovn.CTTrk|ovn.CTNew
	how := ""
	if best.HasExternalMAC && best.LogicalPort != "" {
		q.SrcMAC = model.MAC(best.ExternalMAC)
		how = fmt.Sprintf(", from external MAC %s: the floating IP is distributed, so it leaves %s directly", model.MAC(best.ExternalMAC), chassisOr(ch, "the VM's chassis"))
	}
	d := r.lrDetail(lr, "egress", "lr_out_snat", out.Name, ch)
	d.Row = rowRef("NAT", best.Row)
	c.tr.add(Step{Kind: OVNStage, Action: Transformed, Diff: diff(p, q), Detail: d, Source: ovnSource(ovnNATText(best), best.Row), Object: best,
		Why: fmt.Sprintf("%s %s -> %s%s: source rewritten%s", best.Type, best.LogicalIP, best.ExternalIP, natPortText(best), how)})
	c.lcommit(natZone(lr), p, tupleOf(q).reverse())
	return q
}

// lrUnDNAT gives the reply of a connection the router DNATed its original
// source back: the floating IP, from its external MAC when distributed.
func (r *run) lrUnDNAT(c *cur, lr *ovn.Router, out *ovn.RouterPort, l *lconn, p Packet, ch string) Packet {
	q := p
	q.Src = l.orig.Dst
	if q.HasPorts() {
		q.SrcPort = l.orig.DPort
	}
	unchanged := q == p
	q.lct = ovn.CTTrk | ovn.CTEst | ovn.CTRpl
	if unchanged {
		return q
	}
	for _, n := range lr.NAT {
		if n.ExternalIP == q.Src && n.HasExternalMAC && n.LogicalPort != "" && !n.Disabled {
			q.SrcMAC = model.MAC(n.ExternalMAC)
		}
	}
	c.tr.add(Step{Kind: Conntrack, Action: Transformed, Diff: diff(p, q), Detail: r.lrDetail(lr, "egress", "lr_out_undnat", out.Name, ch),
		Why: fmt.Sprintf("reply of %s: conntrack restores the address it was sent to as the source", l)})
	return q
}

func chassisOr(ch, alt string) string {
	if ch == "" {
		return alt
	}
	return "chassis " + ch
}

// distributedNAT reports whether p leaves lr by a distributed floating IP
// whose VM lives on chassis ch: then no gateway chassis is involved.
func (r *run) distributedNAT(lr *ovn.Router, p Packet, ch string) bool {
	for _, n := range lr.NAT {
		if n.Type == ovn.DNATAndSNAT && !n.Disabled && n.HasExternalMAC && n.LogicalPort != "" && n.LogicalIP.Addr() == p.Src {
			lp := r.e.Topo.OVN.Port(n.LogicalPort)
			return lp != nil && lp.Chassis == ch
		}
	}
	return false
}

func ovnNATText(n *ovn.NAT) string {
	s := fmt.Sprintf("%s %s %s", n.Type, n.ExternalIP, n.LogicalIP)
	if n.LogicalPort != "" {
		s += " " + n.LogicalPort
	}
	if n.HasExternalMAC {
		s += " " + model.MAC(n.ExternalMAC).String()
	}
	return s
}

func natPortText(n *ovn.NAT) string {
	if n.LogicalPort == "" {
		return ""
	}
	return " (port " + n.LogicalPort + ")"
}

// switchLB is ls_in_lb: a load balancer VIP on the switch DNATs to a backend.
func (r *run) switchLB(c *cur, sw *ovn.Switch, p Packet, ch string) Packet {
	for _, lb := range sw.LoadBalancers {
		if q, ok := r.lbDNAT(c, lb, p, r.lsDetail(sw, "ingress", "ls_in_lb", "", ch)); ok {
			return q
		}
	}
	return p
}

// lbDNAT rewrites a packet for one of lb's VIPs to the VIP's first
// backend. OVN picks a backend by hashing the connection; the model takes
// the first and says so.
func (r *run) lbDNAT(c *cur, lb *ovn.LoadBalancer, p Packet, d *OVNDetail) (Packet, bool) {
	proto := ProtoTCP
	switch lb.Protocol {
	case "udp":
		proto = ProtoUDP
	case "sctp":
		proto = 132
	}
	for _, v := range lb.VIPs {
		if v.Addr != p.Dst || (v.Port != 0 && (p.Proto != proto || p.DstPort != v.Port)) || len(v.Backends) == 0 {
			continue
		}
		b := v.Backends[0]
		q := p
		q.Dst = b.Addr()
		if v.Port != 0 && b.Port() != 0 {
			q.DstPort = b.Port()
		}
		d.Row = rowRef("Load_Balancer", lb.Row)
		d.Name = lb.Name
		c.tr.add(Step{Kind: OVNStage, Action: Transformed, Diff: diff(p, q), Detail: d, Source: ovnSource("load balancer "+lb.Name, lb.Row),
			Why: fmt.Sprintf("load balancer %s: VIP %s -> backend %s (first of %d; OVN hashes each connection onto one)", lb.Name, vipText(v), b, len(v.Backends))})
		return q, true
	}
	return p, false
}

func vipText(v ovn.VIP) string {
	if v.Port == 0 {
		return v.Addr.String()
	}
	return netip.AddrPortFrom(v.Addr, v.Port).String()
}
