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
	if own := ownPort(lr, p.Src, ""); own != nil {
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: r.lrDetail(lr, "ingress", "lr_in_ip_input", rp.Name, ch),
			Why: fmt.Sprintf("the source %s is router port %s's own address: lr_in_ip_input drops it as spoofed", p.Src, own.Name)}, p)
		return
	}
	q := r.lrDNAT(c, lr, rp, p, ch)
	echo := q.Proto == ProtoICMP && q.ICMPType == 8
	// The router answers echo requests to all its addresses; other traffic
	// to a distributed gateway port's address is its own only on the
	// gateway chassis.
	resident := ch
	if echo {
		resident = ""
	}
	if own := ownPort(lr, q.Dst, resident); own != nil {
		d := r.lrDetail(lr, "ingress", "lr_in_ip_input", own.Name, ch)
		if echo {
			r.finish(c, Delivered, Step{Kind: Deliver, Action: DeliveredAction, Detail: d,
				Why: fmt.Sprintf("%s is router port %s's own address: the router answers the echo request", q.Dst, own.Name)}, q)
			return
		}
		if (q.Proto == ProtoTCP || q.Proto == ProtoUDP) && rejectsOwn(lr) {
			r.finish(c, Denied, Step{Kind: OVNStage, Action: DeniedAction, Detail: d,
				Why: fmt.Sprintf("%s is router port %s's own address, where nothing listens: rejected (OVN answers TCP with a reset, UDP with ICMP port unreachable)", q.Dst, own.Name)}, q)
			return
		}
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d,
			Why: fmt.Sprintf("%s is router port %s's own address: the router answers only ICMP echo there (a router with NAT or a gateway port drops TCP and UDP to its addresses without an answer)", q.Dst, own.Name)}, q)
		return
	}
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
	d := r.lrDetail(lr, "egress", "lr_out_delivery", out.Name, ch)
	switch {
	case out.SwitchPort != nil:
		sp := out.SwitchPort
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: d, Source: ovnSource("logical router port "+out.Name, out.Row),
			Why: fmt.Sprintf("out of port %s to logical switch %s (port %s)", out.Name, named(sp.Switch.Name, sp.Switch.Row), sp.Name)})
		r.lsIn(c, sp, q, ch)
	case out.PeerPort != nil:
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: d, Source: ovnSource("logical router port "+out.Name, out.Row),
			Why: fmt.Sprintf("out of port %s to router %s (peer port %s)", out.Name, out.PeerPort.Router.Name, out.PeerPort.Name)})
		r.lrIn(c, out.PeerPort, q, ch)
	default:
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d,
			Why: fmt.Sprintf("router port %s is connected to nothing (no switch port points at it, no peer)", out.Name)}, q)
	}
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

// ownPort is the router port that owns address a, if any. A distributed
// gateway port's addresses live on its gateway chassis only
// (is_chassis_resident): elsewhere they are routed like any address.
func ownPort(lr *ovn.Router, a netip.Addr, ch string) *ovn.RouterPort {
	for _, p := range lr.Ports {
		if ch != "" && p.IsGateway() && p.ActiveChassis() != ch {
			continue
		}
		for _, n := range p.Networks {
			if n.Addr() == a {
				return p
			}
		}
	}
	return nil
}

func (r *run) lrDetail(lr *ovn.Router, pipeline, stage, port, ch string) *OVNDetail {
	return &OVNDetail{Datapath: lr.Name, Pipeline: pipeline, Stage: stage, Port: port, Chassis: ch, Name: lr.Row.NeutronName()}
}
