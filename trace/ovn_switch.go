package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// lsIn runs logical switch in.Switch's ingress pipeline on a packet that
// entered by port in, on chassis ch ("" when the trace is logical only).
func (r *run) lsIn(c *cur, in *ovn.SwitchPort, p Packet, ch string) {
	sw := in.Switch
	if !r.enter(c, lsNode(sw, ch), p) {
		return
	}
	d := r.lsDetail(sw, "ingress", "ls_in_check_port_sec", in.Name, ch)
	c.tr.add(Step{Kind: EnterPort, Action: Received, Detail: d, Source: ovnSource("logical switch port "+in.Name, in.Row),
		Why: fmt.Sprintf("into logical switch %s from port %s%s", named(sw.Name, sw.Row), named(in.Name, in.Row), onChassis(ch))})
	if !in.Enabled || in.Disabled {
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d, Object: in,
			Why: "port " + in.Name + " is disabled (enabled=false): ls_in_check_port_sec drops what it sends"}, p)
		return
	}
	if !r.portSec(c, sw, in, p, ch, "ingress") {
		return
	}
	p, ok := r.acls(c, sw, "from-lport", in, nil, p, ch)
	if !ok {
		return
	}
	q := r.switchLB(c, sw, p, ch)
	outs, why := r.l2Lookup(sw, in, q, ch)
	d = r.lsDetail(sw, "ingress", "ls_in_l2_lkup", "", ch)
	if len(outs) == 0 {
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d, Why: why}, q)
		return
	}
	act := Forwarded
	if len(outs) > 1 {
		act = Flooded
	}
	d.Port = joinNames(outs)
	c.tr.add(Step{Kind: OVNStage, Action: act, Detail: d, Why: why})
	for _, o := range outs {
		cc := c
		if len(outs) > 1 {
			cc = c.fork("flood to logical port " + o.Name)
		}
		r.lsToPort(cc, in, o, q, ch)
	}
}

// lsToPort sends p on from the ingress pipeline towards port out: on this
// chassis, or over Geneve to the chassis out lives on, where the egress
// pipeline runs.
func (r *run) lsToPort(c *cur, in, out *ovn.SwitchPort, p Packet, ch string) {
	if out.Type == ovn.PortVIF || out.Type == ovn.PortVirtual {
		switch {
		case ch == "" || out.Chassis == ch:
		case out.Chassis == "":
			r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: r.lsDetail(out.Switch, "ingress", "ls_in_l2_lkup", out.Name, ch),
				Why: "logical port " + out.Name + " is bound to no chassis (no VM claims it): OVN has nowhere to send it"}, p)
			return
		default:
			r.toChassis(c, ch, out.Chassis, out.Switch.TunnelKey, in.TunnelKey, out.TunnelKey, p)
			return
		}
	}
	r.lsOut(c, in, out, p, ch)
}

// lsOut runs the egress pipeline for port out and outputs the packet.
func (r *run) lsOut(c *cur, in, out *ovn.SwitchPort, p Packet, ch string) {
	sw := out.Switch
	// A router port may take back what it sent: a packet for the router's
	// own floating IP hairpins through it.
	if in == out && out.Type != ovn.PortLocalnet && out.Type != ovn.PortRouter {
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: r.lsDetail(sw, "egress", "ls_out_check_port_sec", out.Name, ch),
			Why: "the output port is the input port: OVN does not send a packet back where it came from"}, p)
		return
	}
	// ls_out_pre_lb: a switch without stateful ACLs clears the ct_state of
	// what it sends to a router or the physical network.
	if (out.Type == ovn.PortRouter || out.Type == ovn.PortLocalnet && len(sw.LoadBalancers) == 0) && !r.stateful(sw) {
		p.lct, p.lctLost = 0, false
	}
	p, ok := r.acls(c, sw, "to-lport", in, out, p, ch)
	if !ok || !r.portSec(c, sw, out, p, ch, "egress") {
		return
	}
	d := r.lsDetail(sw, "egress", "output", out.Name, ch)
	switch out.Type {
	case ovn.PortRouter:
		rp := out.RouterPort
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: d, Source: ovnSource("logical switch port "+out.Name, out.Row),
			Why: fmt.Sprintf("out of port %s to router %s port %s", out.Name, named(rp.Router.Name, rp.Router.Row), rp.Name)})
		r.lrIn(c, rp, p, ch)
	case ovn.PortLocalnet:
		r.localnetOut(c, out, p, ch)
	case ovn.PortVIF, ovn.PortLocalport, ovn.PortVirtual:
		r.vifOut(c, out, p, ch)
	default:
		r.finish(c, Unsupported, Step{Kind: OVNStage, Action: UnsupportedAction, Detail: d, Source: ovnSource("logical switch port "+out.Name, out.Row),
			Why: fmt.Sprintf("output to port %s of type %q: hopscope does not model where OVN sends it", out.Name, out.Type)}, p)
	}
}

// portSec is ls_in_port_sec_l2/ip (ingress: the sender's MAC and source
// address) or ls_out_port_sec (egress: the destination's).
func (r *run) portSec(c *cur, sw *ovn.Switch, port *ovn.SwitchPort, p Packet, ch, pipeline string) bool {
	if len(port.PortSecurity) == 0 {
		return true
	}
	mac, ip, stage := p.SrcMAC, p.Src, "ls_in_port_sec_l2"
	if pipeline == "egress" {
		mac, ip, stage = p.DstMAC, p.Dst, "ls_out_port_sec"
	}
	d := r.lsDetail(sw, pipeline, stage, port.Name, ch)
	src := ovnSource("port_security "+fmt.Sprint(addrTexts(port.PortSecurity)), port.Row)
	if pipeline == "egress" && mac.IsMulticast() {
		return true
	}
	var allowed []netip.Prefix
	macOK := false
	for _, a := range port.PortSecurity {
		if model.MAC(a.MAC) != mac {
			continue
		}
		macOK = true
		if len(a.IPs) == 0 || p.arp || portSecAdmits(a.IPs, ip, pipeline == "egress") || (pipeline == "ingress" && ip == netip.IPv4Unspecified()) {
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: d, Source: src,
				Why: fmt.Sprintf("port security of %s admits %s %s (%s)", port.Name, mac, ip, a.Text)})
			return true
		}
		allowed = append(allowed, a.IPs...)
	}
	if macOK {
		r.finish(c, Denied, Step{Kind: OVNStage, Action: DeniedAction, Detail: d, Source: src, Object: port,
			Why: fmt.Sprintf("port security of %s: %s may carry only %v, not %s", port.Name, mac, allowed, ip)}, p)
		return false
	}
	r.finish(c, Denied, Step{Kind: OVNStage, Action: DeniedAction, Detail: d, Source: src, Object: port,
		Why: fmt.Sprintf("port security of %s: MAC %s is not one of %v", port.Name, mac, addrTexts(port.PortSecurity))}, p)
	return false
}

func addrTexts(as []ovn.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Text
	}
	return out
}

// portSecAdmits says whether one of a port_security entry's addresses
// admits ip. As ovn-controller builds the flows, "10.0.0.0/24" admits the
// subnet but "10.0.0.5/24", host bits set, only 10.0.0.5 (and, to the port,
// the subnet's broadcast address).
func portSecAdmits(ps []netip.Prefix, ip netip.Addr, egress bool) bool {
	for _, q := range ps {
		if q.Addr() == q.Masked().Addr() {
			if q.Contains(ip) {
				return true
			}
			continue
		}
		if ip == q.Addr() || (egress && ip.Is4() && ip == lastAddr(q.Masked())) {
			return true
		}
	}
	return false
}

func prefixesHave(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// l2Lookup is ls_in_l2_lkup: the port that owns the destination MAC (a
// VIF's address, a router port's MAC, a distributed floating IP's
// external MAC), else the ports with address "unknown". A distributed
// gateway port's MAC, and a floating IP's, are looked up only on the
// chassis that does their NAT; elsewhere the frame goes to the "unknown"
// ports: the physical network.
func (r *run) l2Lookup(sw *ovn.Switch, in *ovn.SwitchPort, p Packet, ch string) (outs []*ovn.SwitchPort, why string) {
	db := r.e.Topo.OVN
	if p.DstMAC.IsMulticast() {
		var all []*ovn.SwitchPort
		for _, o := range sw.Ports {
			if o != in {
				all = append(all, o)
			}
		}
		return all, fmt.Sprintf("%s is a group address: flood to %d ports (_MC_flood)", p.DstMAC, len(all))
	}
	if h := r.e.macHome(sw, p.DstMAC); h.port != nil {
		if ch == "" || h.everywhere || h.chassis == ch {
			if h.fip != nil {
				return []*ovn.SwitchPort{h.port}, fmt.Sprintf("%s is the external MAC of floating IP %s on router %s", p.DstMAC, h.fip.ExternalIP, h.port.RouterPort.Router.Name)
			}
			return []*ovn.SwitchPort{h.port}, fmt.Sprintf("%s is port %s's address", p.DstMAC, named(h.port.Name, h.port.Row))
		}
		switch {
		case h.fip != nil:
			why = fmt.Sprintf("%s is the external MAC of floating IP %s, looked up only on the chassis of its port %s (%s)", p.DstMAC, h.fip.ExternalIP, h.fip.LogicalPort, chassisOr(h.chassis, "none"))
		case h.port.RouterPort != nil:
			why = fmt.Sprintf("%s is distributed gateway port %s's MAC, looked up only on its gateway chassis %s", p.DstMAC, h.port.RouterPort.Name, h.chassis)
		default:
			return []*ovn.SwitchPort{h.port}, fmt.Sprintf("%s is port %s's address", p.DstMAC, named(h.port.Name, h.port.Row))
		}
	}
	if why != "" {
		why += ", not " + ch + ": "
	}
	if u := db.UnknownPorts(sw); len(u) > 0 {
		return u, why + fmt.Sprintf("no port here has %s: to the ports with address \"unknown\" (%s)", p.DstMAC, joinNames(u))
	}
	return nil, why + fmt.Sprintf("no port of %s has MAC %s here and none has address \"unknown\": dropped", sw.Name, p.DstMAC)
}

// fipByMAC finds a distributed dnat_and_snat of lr with external MAC m.
func fipByMAC(lr *ovn.Router, m model.MAC) *ovn.NAT {
	for _, n := range lr.NAT {
		if n.HasExternalMAC && model.MAC(n.ExternalMAC) == m && !n.Disabled {
			return n
		}
	}
	return nil
}

func (r *run) lsDetail(sw *ovn.Switch, pipeline, stage, port, ch string) *OVNDetail {
	return &OVNDetail{Datapath: sw.Name, Pipeline: pipeline, Stage: stage, Port: port, Chassis: ch, Name: sw.Row.NeutronName()}
}

func onChassis(ch string) string {
	if ch == "" {
		return ""
	}
	return " on chassis " + ch
}
