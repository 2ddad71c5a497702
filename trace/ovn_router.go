package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// lrIn runs logical router rp.Router's ingress pipeline on a packet that
// entered by port rp: admission, DNAT (floating IPs, load balancers) or the
// undoing of a SNAT, routing, policies, next-hop MAC, then the egress
// pipeline (SNAT) — on the gateway chassis when a distributed gateway port
// centralises it.
func (r *run) lrIn(c *cur, rp *ovn.RouterPort, p Packet, ch string) {
	lr := rp.Router
	if !r.enter(c, lrNode(lr, ch), p) {
		return
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Detail: r.lrDetail(lr, "ingress", "lr_in_admission", rp.Name, ch),
		Source: ovnSource("logical router port "+rp.Name, rp.Row),
		Why:    fmt.Sprintf("into logical router %s from port %s (%s, %v)%s", named(lr.Name, lr.Row), rp.Name, model.MAC(rp.MAC), rp.Networks, onChassis(ch))})
	if !p.DstMAC.IsMulticast() && p.DstMAC != model.MAC(rp.MAC) && (fipByMAC(lr, p.DstMAC) == nil || !rp.IsGateway()) {
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: r.lrDetail(lr, "ingress", "lr_in_admission", rp.Name, ch),
			Why: fmt.Sprintf("lr_in_admission: %s is not port %s's MAC %s: dropped", p.DstMAC, rp.Name, model.MAC(rp.MAC))}, p)
		return
	}
	if p.TTL <= 1 {
		r.finish(c, TTLExceeded, Step{Kind: OVNStage, Action: DroppedAction, Detail: r.lrDetail(lr, "ingress", "lr_in_ip_input", rp.Name, ch),
			Why: fmt.Sprintf("TTL %d: router %s drops it (and sends ICMP time exceeded)", p.TTL, lr.Name)}, p)
		return
	}
	// lr_in_ip_input: a packet from the router's own address is spoofed,
	// unless the router's egress loop sent it back.
	if own := ownPort(lr, p.Src); own != nil && !p.loopback {
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: r.lrDetail(lr, "ingress", "lr_in_ip_input", rp.Name, ch),
			Why: fmt.Sprintf("the source %s is router port %s's own address: lr_in_ip_input drops it as spoofed", p.Src, own.Name)}, p)
		return
	}
	if own := ownPort(lr, p.Dst); own != nil {
		d := r.lrDetail(lr, "ingress", "lr_in_ip_input", own.Name, ch)
		switch {
		case p.Proto == ProtoICMP && p.ICMPType == 8:
			r.finish(c, Delivered, Step{Kind: Deliver, Action: DeliveredAction, Detail: d,
				Why: fmt.Sprintf("%s is router port %s's own address: the router answers the echo request", p.Dst, own.Name)}, p)
			return
		case isSNATIP(lr, p.Dst):
			// Also a SNAT address: unSNAT below may claim it.
		case (p.Proto == ProtoTCP || p.Proto == ProtoUDP) && rejectsOwn(lr):
			r.finish(c, Denied, Step{Kind: OVNStage, Action: DeniedAction, Detail: d,
				Why: fmt.Sprintf("%s is router port %s's own address, where nothing listens: rejected (OVN answers TCP with a reset, UDP with ICMP port unreachable)", p.Dst, own.Name)}, p)
			return
		default:
			r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d,
				Why: fmt.Sprintf("%s is router port %s's own address: the router answers only ICMP echo there (a router with NAT or a gateway port drops TCP and UDP to its addresses without an answer)", p.Dst, own.Name)}, p)
			return
		}
	}
	q := r.lrDNAT(c, lr, rp, p, ch)
	hops, ok := r.lrRoute(c, lr, rp, q, ch)
	if !ok {
		return
	}
	for i, h := range hops {
		cc := c
		if len(hops) > 1 {
			cc = c.fork(fmt.Sprintf("ECMP path %d of %d via %s", i+1, len(hops), h.nexthop))
		}
		r.lrForward(cc, lr, rp, h, q, ch)
	}
}

// lrHop is a routing decision: out of port, to nexthop.
type lrHop struct {
	port    *ovn.RouterPort
	nexthop netip.Addr
	text    string // the route, as the step shows it
	route   *ovn.Route
}

// lrForward applies a routing decision: policies, TTL, next-hop MAC, the
// gateway chassis redirect, then egress.
func (r *run) lrForward(c *cur, lr *ovn.Router, in *ovn.RouterPort, h lrHop, p Packet, ch string) {
	h, ok := r.lrPolicies(c, lr, in, h, p, ch)
	if !ok {
		return
	}
	q := p
	q.TTL--
	q.SrcMAC = model.MAC(h.port.MAC)
	mac, ok := r.lrARP(c, lr, h, q, ch)
	if !ok {
		return
	}
	q.DstMAC = mac
	c.tr.add(Step{Kind: Transform, Action: Transformed, Diff: diff(p, q), Detail: r.lrDetail(lr, "ingress", "lr_in_arp_resolve", h.port.Name, ch),
		Why: fmt.Sprintf("ip.ttl--; eth.src = %s (port %s); eth.dst = %s (next hop %s)", model.MAC(h.port.MAC), h.port.Name, mac, h.nexthop)})
	if ch != "" && h.port.IsGateway() && lr.Options["chassis"] == "" {
		if gw := h.port.ActiveChassis(); gw != "" && gw != ch && !r.distributedNAT(lr, q, ch) {
			c.tr.add(Step{Kind: OVNStage, Action: Forwarded, Detail: r.lrDetail(lr, "ingress", "lr_in_gw_redirect", "cr-"+h.port.Name, ch),
				Why: fmt.Sprintf("%s is a distributed gateway port: its traffic is handled on gateway chassis %s (chassisredirect port cr-%s)", h.port.Name, gw, h.port.Name)})
			r.toChassis(c, ch, gw, lr.TunnelKey, in.TunnelKey, h.port.TunnelKey, q)
			return
		}
	}
	r.lrOut(c, lr, h.port, q, ch)
}

// lrOut is the router's egress pipeline on port out: SNAT, then on to what
// the port is patched to.
func (r *run) lrOut(c *cur, lr *ovn.Router, out *ovn.RouterPort, p Packet, ch string) {
	q := r.lrSNAT(c, lr, out, p, ch)
	n, away := r.egressLoop(lr, out, q, ch)
	if n != nil {
		l := q
		l.SrcMAC, l.DstMAC = q.DstMAC, q.SrcMAC
		l.lct, l.loopback = 0, true
		d := r.lrDetail(lr, "egress", "lr_out_egr_loop", out.Name, ch)
		d.Row = rowRef("NAT", n.Row)
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Diff: diff(q, l), Detail: d, Source: ovnSource(ovnNATText(n), n.Row), Object: n,
			Why: fmt.Sprintf("%s is this router's %s address: lr_out_egr_loop sends the packet back into the ingress pipeline as if it came in by %s (eth.src <-> eth.dst, flags.loopback = 1)", q.Dst, n.Type, out.Name)})
		r.lrIn(c, out, l, ch)
		return
	}
	q.loopback = false
	d := r.lrDetail(lr, "egress", "lr_out_delivery", out.Name, ch)
	note := ""
	if away != "" {
		note = fmt.Sprintf("; %s is this router's NAT address, but its NAT is done where %s lives, not on %s, so no egress loop here", q.Dst, away, ch)
		d.ChassisBound = note[2:]
	}
	switch {
	case out.SwitchPort != nil:
		sp := out.SwitchPort
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: d, Source: ovnSource("logical router port "+out.Name, out.Row),
			Why: fmt.Sprintf("out of port %s to logical switch %s (port %s)%s", out.Name, named(sp.Switch.Name, sp.Switch.Row), sp.Name, note)})
		r.lsIn(c, sp, q, ch)
	case out.PeerPort != nil:
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: d, Source: ovnSource("logical router port "+out.Name, out.Row),
			Why: fmt.Sprintf("out of port %s to router %s (peer port %s)%s", out.Name, out.PeerPort.Router.Name, out.PeerPort.Name, note)})
		r.lrIn(c, out.PeerPort, q, ch)
	default:
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d,
			Why: fmt.Sprintf("router port %s is connected to nothing (no switch port points at it, no peer)", out.Name)}, q)
	}
}

// egressLoop is the NAT rule whose external address p is sent to, out of
// distributed gateway port out on the chassis that does that NAT: OVN
// hairpins such a packet back into the router (lr_out_egr_loop). Where
// that NAT is done on another chassis, away names the port living there.
func (r *run) egressLoop(lr *ovn.Router, out *ovn.RouterPort, p Packet, ch string) (n *ovn.NAT, away string) {
	if lr.Options["chassis"] != "" || !out.IsGateway() {
		return nil, ""
	}
	n = natExternal(lr, p.Dst)
	if n == nil || ch == "" {
		return n, ""
	}
	if n.Type == ovn.DNATAndSNAT && n.HasExternalMAC && n.LogicalPort != "" {
		if lp := r.e.Topo.OVN.Port(n.LogicalPort); lp == nil || lp.Chassis != ch {
			return nil, n.LogicalPort
		}
		return n, ""
	}
	if out.ActiveChassis() != ch {
		return nil, "cr-" + out.Name
	}
	return n, ""
}

// rejectsOwn reports whether lr answers TCP and UDP to its own addresses
// with a reset or port unreachable, as northd 23.03 programs a router
// without NAT or gateway ports; ovn-trace shows the others drop them.
func rejectsOwn(lr *ovn.Router) bool {
	if len(lr.NAT) > 0 || lr.Options["chassis"] != "" {
		return false
	}
	for _, p := range lr.Ports {
		if p.IsGateway() {
			return false
		}
	}
	return true
}

// ownPort is the router port that owns address a, if any.
func ownPort(lr *ovn.Router, a netip.Addr) *ovn.RouterPort {
	for _, p := range lr.Ports {
		for _, n := range p.Networks {
			if n.Addr() == a {
				return p
			}
		}
	}
	return nil
}

// natExternal is the enabled NAT rule of lr whose external address is a.
func natExternal(lr *ovn.Router, a netip.Addr) *ovn.NAT {
	for _, n := range lr.NAT {
		if !n.Disabled && n.ExternalIP == a {
			return n
		}
	}
	return nil
}

// isSNATIP reports whether a is the external address of one of lr's snat
// rules (northd's snat_ips; floating IPs are not among them).
func isSNATIP(lr *ovn.Router, a netip.Addr) bool {
	for _, n := range lr.NAT {
		if !n.Disabled && n.Type == ovn.SNAT && n.ExternalIP == a {
			return true
		}
	}
	return false
}

func (r *run) lrDetail(lr *ovn.Router, pipeline, stage, port, ch string) *OVNDetail {
	return &OVNDetail{Datapath: lr.Name, Pipeline: pipeline, Stage: stage, Port: port, Chassis: ch, Name: lr.Row.NeutronName()}
}
