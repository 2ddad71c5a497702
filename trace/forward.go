package trace

import (
	"cmp"
	"fmt"

	"github.com/hopscope/hopscope/model"
)

// emit puts a frame transmitted by device x onto whatever x is wired to.
func (r *run) emit(c *cur, x *model.Interface, p Packet) {
	switch {
	case x.Down:
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: x.Ref() + " is down"}, p)
	case x.Kind == model.IfOther:
		r.unsupportedLink(c, x, p)
	case x.Kind == model.IfBridge:
		r.bridgeIn(c, x, nil, p)
	case x.Kind == model.IfOVSInternal && x.OVSPort != nil:
		r.ovsIn(c, x.OVSPort, p)
	case x.Peer != nil:
		r.arrive(c, x.Peer, p)
	case x.Segment != nil:
		r.segmentIn(c, x.Segment, x, p)
	default:
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction,
			Why: x.Ref() + " is wired to nothing in the model (no peer, bridge or segment)"}, p)
	}
}

// unsupportedLink ends a trace at a device kind the model does not simulate.
func (r *run) unsupportedLink(c *cur, x *model.Interface, p Packet) {
	r.finish(c, Unsupported, Step{Kind: Deliver, Action: UnsupportedAction,
		Why: fmt.Sprintf("%s is a %s device, which the model does not simulate", x.Ref(), x.LinkType), Source: srcRef(x.String(), x.Source)}, p)
}

// arrive hands a frame to device y from its medium.
func (r *run) arrive(c *cur, y *model.Interface, p Packet) {
	switch {
	case y.Down:
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: y.Ref() + " is down"}, p)
	case y.Kind == model.IfOther:
		r.unsupportedLink(c, y, p)
	case y.Master != nil && y.Master.Down:
		// A bridge whose device is down forwards nothing: its ports are disabled.
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: y.Master.Ref() + " is down"}, p)
	case y.Master != nil:
		r.bridgeIn(c, y.Master, y, p)
	case y.OVSPort != nil && y.OVSPort.Type == model.OVSSystem:
		r.ovsIn(c, y.OVSPort, p)
	default:
		r.receive(c, y, p, "")
	}
}

// bridgeIn forwards a frame through Linux bridge br, entering from port in
// (nil: from the bridge device's own stack). With
// net.bridge.bridge-nf-call-iptables on, bridged IPv4 frames cross the
// namespace's iptables (br_netfilter), where physdev matches see the ports.
func (r *run) bridgeIn(c *cur, br *model.Interface, in *model.Interface, p Packet) {
	node := NodeRef{Kind: NodeLinuxBridge, Host: br.NS.Host.Name, Name: br.Name, Role: "bridge in " + br.NS.Name}
	if !r.enter(c, node, p) {
		return
	}
	inName, inObj := "the bridge's own stack", br
	if in != nil {
		inName, inObj = in.Name, in
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Why: "entered " + br.Name + " from " + inName,
		Detail: &PortDetail{Port: inName, VLAN: p.VLAN}, Object: inObj})
	v, ok := bridgeIngressVLANOK(br, in, p.VLAN)
	if !ok {
		r.finish(c, Dropped, Step{Kind: BridgeFDB, Action: DroppedAction,
			Why: fmt.Sprintf("VLAN filtering: %s does not admit VLAN %d", inName, p.VLAN)}, p)
		return
	}
	outs, how, entry := r.bridgeLookup(br, in, p.DstMAC, v, senderOf(p))
	d := &FDBDetail{Bridge: br.Name, MAC: p.DstMAC.String(), VLAN: v, How: how}
	for _, o := range outs {
		d.Ports = append(d.Ports, portName(o))
	}
	if len(outs) == 0 {
		r.finish(c, Dropped, Step{Kind: BridgeFDB, Action: DroppedAction, Detail: d,
			Why: fmt.Sprintf("%s has no port to send %s to (every other port is outside VLAN %d)", br.Name, p.DstMAC, v)}, p)
		return
	}
	act, why := Forwarded, fmt.Sprintf("%s %s lives behind %s", how, p.DstMAC, portName(outs[0]))
	switch {
	case how == "flood":
		act, why = Flooded, fmt.Sprintf("%s is not in the FDB: flood to %d ports", p.DstMAC, len(outs))
	case outs[0] == nil:
		why = fmt.Sprintf("%s is the bridge's own MAC: up to its stack", p.DstMAC)
	}
	step := Step{Kind: BridgeFDB, Action: act, Why: why, Detail: d}
	if entry != nil {
		step.Source = srcRef(fmt.Sprintf("%s dev %s vlan %d static", entry.MAC, entry.Port, entry.VLAN), entry.Source)
	}
	c.tr.add(step)
	for _, o := range outs {
		cc := c
		if len(outs) > 1 {
			cc = c.fork("flood out of " + portName(o))
		}
		r.bridgeOut(cc, br, in, o, p, v)
	}
}

// senderOf is the L2 walk's probe for where frame p's destination lives:
// sent by p's own sender.
func senderOf(p Packet) probe { return probe{src: p.SrcMAC, spa: p.Src, tpa: p.Dst} }

func portName(o *model.Interface) string {
	if o == nil {
		return "local"
	}
	return o.Name
}

// bridgeLookup picks the output ports: a static FDB row, the bridge's own
// MAC, the one port behind which the model places the MAC, or a flood.
func (r *run) bridgeLookup(br, in *model.Interface, mac model.MAC, v uint16, pr probe) ([]*model.Interface, string, *model.FDBEntry) {
	for _, f := range br.Bridge.FDB {
		if f.MAC == mac && (f.VLAN == 0 || f.VLAN == v) {
			if o := br.NS.Interface(f.Port); o != nil && o != in {
				return []*model.Interface{o}, "static FDB entry:", f
			}
		}
	}
	if in != nil && mac == r.e.mac(br) {
		return []*model.Interface{nil}, "local", nil
	}
	var all []*model.Interface
	for _, o := range br.Bridge.Ports {
		if o == in || o.Down { // a port without link is disabled: nothing goes out of it
			continue
		}
		ev, ok := bridgeEgress(o, v)
		if !ok {
			continue
		}
		all = append(all, o)
		if !mac.IsMulticast() && r.e.macBehind(l2Key{op: opEmit, iface: o, vlan: ev, pr: pr}, mac) {
			return []*model.Interface{o}, "learned:", nil
		}
	}
	if in != nil {
		all = append(all, nil)
	}
	return all, "flood", nil
}

// bridgeOut sends the frame out of port o (nil: up to the bridge's stack).
func (r *run) bridgeOut(c *cur, br, in, o *model.Interface, p Packet, v uint16) {
	if o == nil {
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: "up to " + br.Name + "'s own stack",
			Detail: &PortDetail{Port: "local"}, Object: br})
		physIn := ""
		if br.NS.BridgeNFCallIptables && in != nil {
			physIn = in.Name // br_netfilter lets physdev see the port of a routed frame too
		}
		r.receive(c, br, p, physIn)
		return
	}
	q := p
	if br.NS.BridgeNFCallIptables && in != nil {
		var ok bool
		ns := br.NS
		io := hookIO{in: br.Name, physIn: in.Name}
		q = r.ctEnter(c, ns, q)
		if q, ok = r.hook(c, ns, hookPrerouting, q, io); !ok {
			return
		}
		io = hookIO{in: br.Name, out: br.Name, physIn: in.Name, physOut: o.Name, bridged: true}
		if q, ok = r.hook(c, ns, hookForward, q, io); !ok {
			return
		}
		io = hookIO{out: br.Name, physIn: in.Name, physOut: o.Name, bridged: true}
		if q, ok = r.hook(c, ns, hookPostrouting, q, io); !ok {
			return
		}
		r.ctLeave(c, q)
	}
	ev, _ := bridgeEgress(o, v)
	before := q
	q.VLAN = ev
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: "out of " + o.Name + describeMedium(o),
		Detail: &PortDetail{Port: o.Name, Peer: describeMedium(o), VLAN: ev}, Diff: diff(before, q), Object: o})
	r.emit(c, o, q)
}

// ovsIn forwards a frame through an OVS bridge that arrived on port in.
func (r *run) ovsIn(c *cur, in *model.OVSPort, p Packet) { r.ovsInTun(c, in, p, tunMeta{}) }

// ovsInTun is ovsIn with tunnel metadata (a frame a tunnel port unwrapped,
// or one crossing a patch port): a bridge with flows runs its OpenFlow
// pipeline; one without is a NORMAL learning switch.
func (r *run) ovsInTun(c *cur, in *model.OVSPort, p Packet, tun tunMeta) {
	if in.Down {
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: portDown(in), Object: in}, p)
		return
	}
	b := in.Bridge
	node := NodeRef{Kind: NodeOVSBridge, Host: b.Host.Name, Name: b.Name, Role: "ovs"}
	if !r.enter(c, node, p) {
		return
	}
	why := fmt.Sprintf("entered %s on port %s", b.Name, in.Name)
	if in.OFPort != 0 {
		why += fmt.Sprintf(" (ofport %d)", in.OFPort)
	}
	if r.e.Topo.OVN != nil && b.Name == "br-int" && hostChassis(b.Host) != "" {
		c.tr.add(Step{Kind: EnterPort, Action: Received, Why: why + ": the OVN integration bridge", Source: srcRef(in.String(), in.Source),
			Detail: &PortDetail{Port: in.Name, VLAN: p.VLAN}, Object: in})
		if r.ovnFromBrInt(c, in, p, tun) {
			return
		}
		r.finish(c, Unsupported, Step{Kind: OVSFlow, Action: UnsupportedAction, Object: in,
			Why: fmt.Sprintf("port %s of OVN's br-int is no VIF (iface-id), localnet patch or Geneve port: ovn-controller's flows for it are not modelled", in.Name)}, p)
		return
	}
	if b.Flows != nil {
		if tun.src.IsValid() {
			why += fmt.Sprintf(", tun_id=%#x from %s", tun.id, tun.src)
		}
		st := stateOf(in, p, tun)
		c.tr.add(Step{Kind: EnterPort, Action: Received, Why: why, Source: srcRef(in.String(), in.Source),
			Detail: &PortDetail{Port: in.Name, VLAN: p.VLAN, OpenFlow: st.String()}, Object: in})
		r.ofIn(c, in, p, tun, st)
		return
	}
	iv, ok := ovsIngressVLAN(in, p.VLAN)
	if in.IsAccess() {
		why += fmt.Sprintf(", access port: VLAN %d", in.Tag)
	} else if iv != 0 {
		why += fmt.Sprintf(", trunk port: VLAN %d", iv)
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Why: why, Source: srcRef(in.String(), in.Source),
		Detail: &PortDetail{Port: in.Name, VLAN: p.VLAN}, Object: in})
	if !ok {
		r.finish(c, Dropped, Step{Kind: BridgeFDB, Action: DroppedAction,
			Why: fmt.Sprintf("port %s does not admit a frame tagged %d (tag %d, trunks %v)", in.Name, p.VLAN, in.Tag, in.Trunks)}, p)
		return
	}
	r.normal(c, in, p, iv, tun)
}

// normal is OVS's NORMAL action: the MAC's port in VLAN iv, or a flood,
// each egress port tagging or untagging.
func (r *run) normal(c *cur, in *model.OVSPort, p Packet, iv uint16, tun tunMeta) {
	b := in.Bridge
	outs, how := r.ovsLookup(in, p.DstMAC, iv, senderOf(p))
	d := &FDBDetail{Bridge: b.Name, MAC: p.DstMAC.String(), VLAN: iv, How: how}
	for _, o := range outs {
		d.Ports = append(d.Ports, o.Name)
	}
	if len(outs) == 0 {
		r.finish(c, Dropped, Step{Kind: BridgeFDB, Action: DroppedAction, Detail: d,
			Why: fmt.Sprintf("NORMAL: no other port of %s carries VLAN %d", b.Name, iv)}, p)
		return
	}
	act, fwhy := Forwarded, fmt.Sprintf("NORMAL: %s in VLAN %d is behind port %s", p.DstMAC, iv, outs[0].Name)
	if how == "fdb/show" {
		fwhy += " (the bridge's learned FDB says so)"
	}
	if how == "flood" {
		act, fwhy = Flooded, fmt.Sprintf("NORMAL: %s unknown in VLAN %d: flood to %d ports", p.DstMAC, iv, len(outs))
	}
	c.tr.add(Step{Kind: BridgeFDB, Action: act, Why: fwhy, Detail: d})
	for _, o := range outs {
		cc := c
		if len(outs) > 1 {
			cc = c.fork("flood out of " + o.Name)
		}
		q := p
		q.VLAN = ovsEgressVLAN(o, iv)
		r.portOut(cc, o, p, q, tun)
	}
}

func (r *run) ovsLookup(in *model.OVSPort, mac model.MAC, iv uint16, pr probe) ([]*model.OVSPort, string) {
	for _, e := range in.Bridge.FDB {
		if e.MAC == mac && e.VLAN == iv {
			name := e.Port
			if e.OFPort == 0 {
				name = in.Bridge.Name // LOCAL
			}
			if q := in.Bridge.Port(name); q != nil && q != in {
				return []*model.OVSPort{q}, "fdb/show"
			}
		}
	}
	var all []*model.OVSPort
	for _, q := range in.Bridge.Ports {
		if q == in || q.Down || !q.CarriesVLAN(iv) { // NORMAL never outputs to a down port
			continue
		}
		all = append(all, q)
		if !mac.IsMulticast() && r.e.macBehind(l2Key{op: opOVSOut, port: q, vlan: iv, pr: pr}, mac) {
			return []*model.OVSPort{q}, "learned"
		}
	}
	return all, "flood"
}

// portOut sends a frame out of OVS port o: across a patch port into the
// peer bridge, up an internal port, onto a system port's wire, or into a
// tunnel. before is the frame as it entered, for the diff.
func (r *run) portOut(c *cur, o *model.OVSPort, before, q Packet, tun tunMeta) {
	if o.Down {
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: portDown(o), Object: o}, q)
		return
	}
	where := ""
	switch o.Type {
	case model.OVSPatch:
		where = " (patch to " + o.PeerName + ")"
	case model.OVSInternalPort:
		if o.Iface != nil {
			where = " (internal port, in " + o.Iface.NS.Ref() + ")"
		}
	}
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: "out of port " + o.Name + where,
		Source: srcRef(o.String(), o.Source), Detail: &PortDetail{Port: o.Name, VLAN: q.VLAN}, Diff: diff(before, q), Object: o})
	switch o.Type {
	case model.OVSPatch:
		if o.Peer == nil {
			r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: "patch port " + o.Name + " has no peer"}, q)
			return
		}
		// OVS clears tunnel metadata, registers and metadata at a patch
		// port: the peer bridge starts afresh.
		r.ovsIn(c, o.Peer, q)
	case model.OVSInternalPort:
		if o.Iface == nil {
			r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: "internal port " + o.Name + " has no device in the model"}, q)
			return
		}
		if o.Iface.Down {
			r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction, Why: o.Iface.Ref() + " is down", Object: o.Iface}, q)
			return
		}
		r.receive(c, o.Iface, q, "")
	case model.OVSSystem:
		r.emit(c, o.Iface, q)
	case model.OVSVXLAN, model.OVSGeneve, model.OVSGRE:
		r.encap(c, o, q, tun)
	default:
		r.finish(c, Unsupported, Step{Kind: Deliver, Action: UnsupportedAction,
			Why: fmt.Sprintf("OVS %s port %s: %s ports are not modelled", o.Type, o.Name, cmp.Or(o.RawType, o.Type.String())), Source: srcRef(o.String(), o.Source)}, q)
	}
}

// segmentIn carries a frame across an external segment: to its gateway
// (the packet leaves the topology), to an external endpoint, or to the
// host NIC behind which the destination MAC lives.
func (r *run) segmentIn(c *cur, seg *model.Segment, from *model.Interface, p Packet) {
	if !r.enter(c, NodeRef{Kind: NodeSegment, Name: seg.Name, Role: "segment"}, p) {
		return
	}
	fromName := "outside"
	if from != nil {
		fromName = from.Ref()
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Why: "onto segment " + seg.Name + " from " + fromName,
		Detail: &PortDetail{Port: fromName}, Object: object(from)})
	c.tr.endSeg = seg
	if p.DstMAC == r.e.gatewayMAC(seg) {
		r.finish(c, Exited, Step{Kind: Deliver, Action: ExitedAction,
			Why: fmt.Sprintf("handed to gateway %s of segment %s: the packet leaves the topology", seg.Gateway, seg.Name)}, p)
		return
	}
	for _, ep := range r.e.Topo.Endpoints {
		if ep.Kind == model.EPExternal && ep.Segment == seg && r.e.externalMAC(ep) == p.DstMAC {
			r.finish(c, Delivered, Step{Kind: Deliver, Action: DeliveredAction,
				Why: fmt.Sprintf("delivered to external endpoint %s (%s) on segment %s", ep.Name, ep.Addr, seg.Name)}, p)
			return
		}
	}
	r.segmentForward(c, seg, from, p)
}

// segmentForward sends a frame on a segment to the host NIC behind which
// its destination MAC lives (every NIC, for a broadcast).
func (r *run) segmentForward(c *cur, seg *model.Segment, from *model.Interface, p Packet) {
	var outs []*model.Interface
	for _, n := range seg.Ifaces {
		if n == from {
			continue
		}
		if !p.DstMAC.IsMulticast() && r.e.macBehind(l2Key{op: opArrive, iface: n, pr: senderOf(p)}, p.DstMAC) {
			outs = []*model.Interface{n}
			break
		}
		if p.DstMAC.IsMulticast() {
			outs = append(outs, n)
		}
	}
	if len(outs) == 0 {
		r.finish(c, Dropped, Step{Kind: BridgeFDB, Action: DroppedAction,
			Why: fmt.Sprintf("no device on segment %s has MAC %s", seg.Name, p.DstMAC)}, p)
		return
	}
	for _, n := range outs {
		cc := c
		if len(outs) > 1 {
			cc = c.fork("flood to " + n.Ref())
		}
		cc.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: "to " + n.Ref(), Detail: &PortDetail{Port: n.Ref()}, Object: n})
		r.arrive(cc, n, p)
	}
}

// portDown is why nothing crosses OVS port p: only a what-if sets Down.
func portDown(p *model.OVSPort) string { return "port " + p.Ref() + " is down (a what-if)" }
