package trace

import (
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// The L2 walk answers two questions the kernel and OVS answer by learning:
// which port a MAC lives behind (FDB), and who answers an ARP request. It
// follows a frame across wires, Linux bridges, OVS NORMAL bridges (with
// VLAN tags and patch ports) and segments, to the devices that would take
// it up into a network stack ("terminals").
//
//	emit(x)    a frame transmitted by device x onto its medium
//	arrive(y)  a frame arriving at device y from its medium
//	ovsIn(p)   a frame entering an OVS bridge through port p
//	ovsOut(q)  a frame the bridge outputs through port q

type l2Op int

const (
	opEmit l2Op = iota
	opArrive
	opOVSIn
	opOVSOut
)

type l2Key struct {
	op    l2Op
	iface *model.Interface
	port  *model.OVSPort
	vlan  uint16 // on the wire for emit/arrive/ovsIn; the bridge's internal VLAN for ovsOut
	tun   uint64 // tun_id in an OpenFlow bridge (a frame a tunnel unwrapped)
	pr    probe  // who is asking: what OpenFlow anti-spoofing tables check
}

// probe is the sender of the frame the walk follows: an OpenFlow bridge
// matches on it (Neutron's tables 24/25 drop an ARP whose sender MAC or
// address is not the port's), so the walk's ARP request carries the
// asker's MAC, the address the kernel would send it from, and the target.
type probe struct {
	src      model.MAC
	spa, tpa netip.Addr
}

// terminal is where a frame would be taken up: a device's network stack, or
// a segment (its gateway and external endpoints).
type terminal struct {
	iface   *model.Interface
	seg     *model.Segment
	lsp     *ovn.SwitchPort // a frame handed to OVN at this logical port...
	chassis string          // ...on this chassis
}

// reachable lists the terminals a frame can reach from k, cached per engine.
func (e *Engine) reachable(k l2Key) []terminal {
	if t, ok := e.reach[k]; ok {
		return t
	}
	var out []terminal
	seen := map[l2Key]bool{}
	queue := []l2Key{k}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		if seen[k] {
			continue
		}
		seen[k] = true
		next, term := l2Next(k)
		out = append(out, term...)
		queue = append(queue, next...)
	}
	e.reach[k] = out
	return out
}

// l2Next is one step of the walk: the states a frame goes on to, and the
// terminals it reaches.
func l2Next(k l2Key) ([]l2Key, []terminal) {
	switch k.op {
	case opEmit:
		x := k.iface
		switch {
		case x.Down:
			return nil, nil
		case x.Kind == model.IfBridge:
			var next []l2Key
			for _, p := range x.Bridge.Ports {
				if v, ok := bridgeEgress(p, bridgeIngressVLAN(x, nil, k.vlan)); ok {
					next = append(next, l2Key{op: opEmit, iface: p, vlan: v, pr: k.pr})
				}
			}
			return next, nil
		case x.Kind == model.IfOVSInternal && x.OVSPort != nil:
			return []l2Key{{op: opOVSIn, port: x.OVSPort, vlan: k.vlan, pr: k.pr}}, nil
		case x.Peer != nil:
			return []l2Key{{op: opArrive, iface: x.Peer, vlan: k.vlan, pr: k.pr}}, nil
		case x.Segment != nil:
			next := []l2Key{}
			for _, n := range x.Segment.Ifaces {
				if n != x {
					next = append(next, l2Key{op: opArrive, iface: n, vlan: k.vlan, pr: k.pr})
				}
			}
			return next, []terminal{{seg: x.Segment}}
		}
	case opArrive:
		y := k.iface
		switch {
		case y.Down, y.Master != nil && y.Master.Down:
			return nil, nil
		case y.Master != nil:
			br := y.Master
			v, ok := bridgeIngressVLANOK(br, y, k.vlan)
			if !ok {
				return nil, nil
			}
			var next []l2Key
			for _, p := range br.Bridge.Ports {
				if p == y {
					continue
				}
				if ev, ok := bridgeEgress(p, v); ok {
					next = append(next, l2Key{op: opEmit, iface: p, vlan: ev, pr: k.pr})
				}
			}
			return next, []terminal{{iface: br}}
		case y.OVSPort != nil && y.OVSPort.Type == model.OVSSystem:
			return []l2Key{{op: opOVSIn, port: y.OVSPort, vlan: k.vlan, pr: k.pr}}, nil
		default:
			return nil, []terminal{{iface: y}}
		}
	case opOVSIn:
		if k.port.Down {
			return nil, nil
		}
		if lsp := ovnPortOf(k.port); lsp != nil {
			return nil, []terminal{{lsp: lsp, chassis: hostChassis(k.port.Bridge.Host)}}
		}
		if k.port.Bridge.Flows != nil {
			return flowsNext(k)
		}
		iv, ok := ovsIngressVLAN(k.port, k.vlan)
		if !ok {
			return nil, nil
		}
		return normalNext(k.port, iv, k.tun, k.pr), nil
	case opOVSOut:
		return portNext(k.port, ovsEgressVLAN(k.port, k.vlan), k.tun, k.pr)
	}
	return nil, nil
}

// normalNext is NORMAL flooding from port in within VLAN iv.
func normalNext(in *model.OVSPort, iv uint16, tun uint64, pr probe) []l2Key {
	var next []l2Key
	for _, q := range in.Bridge.Ports {
		if q != in && q.CarriesVLAN(iv) {
			next = append(next, l2Key{op: opOVSOut, port: q, vlan: iv, tun: tun, pr: pr})
		}
	}
	return next
}

// portNext follows a frame leaving port q with VLAN wire on the wire.
func portNext(q *model.OVSPort, wire uint16, tun uint64, pr probe) ([]l2Key, []terminal) {
	if q.Down {
		return nil, nil
	}
	switch q.Type {
	case model.OVSPatch:
		if q.Peer != nil {
			return []l2Key{{op: opOVSIn, port: q.Peer, vlan: wire, pr: pr}}, nil // a patch clears tun_id
		}
	case model.OVSInternalPort:
		if q.Iface != nil && !q.Iface.Down {
			return nil, []terminal{{iface: q.Iface}}
		}
	case model.OVSSystem:
		if q.Iface != nil {
			return []l2Key{{op: opEmit, iface: q.Iface, vlan: wire, pr: pr}}, nil
		}
	case model.OVSVXLAN, model.OVSGeneve, model.OVSGRE:
		key := OutKey(q, tun)
		var next []l2Key
		for _, peer := range tunnelPeers(q, key) {
			next = append(next, l2Key{op: opOVSIn, port: peer, vlan: wire, tun: key, pr: pr})
		}
		return next, nil
	}
	return nil, nil
}

// flowsNext runs a bridge's OpenFlow pipeline on a broadcast ARP request
// entering on k.port: where it goes is where the bridge lets MACs be found.
func flowsNext(k l2Key) ([]l2Key, []terminal) {
	probe := Packet{arp: true, SrcMAC: k.pr.src, Src: k.pr.spa, Dst: k.pr.tpa, DstMAC: model.MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, VLAN: k.vlan}
	x := xlate(k.port.Bridge, nil, stateOf(k.port, probe, tunMeta{id: k.tun}), nil)
	var next []l2Key
	var terms []terminal
	for _, o := range x.outs {
		q, qt := packetOf(probe, &o.st)
		switch o.kind {
		case outNormal:
			if iv, ok := ovsIngressVLAN(k.port, q.VLAN); ok {
				next = append(next, normalNext(k.port, iv, qt.id, k.pr)...)
			}
		case outPort:
			n, t := portNext(o.port, q.VLAN, qt.id, k.pr)
			next, terms = append(next, n...), append(terms, t...)
		}
	}
	return next, terms
}

// ovsIngressVLAN is the VLAN a frame belongs to inside the bridge, as OVS
// NORMAL assigns it: an access port's tag for untagged frames (tagged ones
// are dropped); the frame's own tag on a trunk, if the trunk allows it.
func ovsIngressVLAN(p *model.OVSPort, wire uint16) (uint16, bool) {
	if p.IsAccess() {
		return p.Tag, wire == 0
	}
	if wire == 0 {
		if p.VLANMode == "native-untagged" || p.VLANMode == "native-tagged" {
			return p.Tag, true
		}
		return 0, true
	}
	return wire, len(p.Trunks) == 0 || containsVLAN(p.Trunks, wire)
}

// ovsEgressVLAN is the tag a frame of internal VLAN v carries leaving port q.
func ovsEgressVLAN(q *model.OVSPort, v uint16) uint16 {
	if q.IsAccess() || (q.VLANMode == "native-untagged" && v == q.Tag) {
		return 0
	}
	return v
}

func containsVLAN(s []uint16, v uint16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// bridgeIngressVLAN is the VLAN of a frame entering Linux bridge br from
// port p (nil: from the bridge's own stack). Without vlan_filtering the
// bridge ignores tags.
func bridgeIngressVLAN(br, p *model.Interface, wire uint16) uint16 {
	v, _ := bridgeIngressVLANOK(br, p, wire)
	return v
}

func bridgeIngressVLANOK(br, p *model.Interface, wire uint16) (uint16, bool) {
	if !br.Bridge.VLANFiltering {
		return wire, true
	}
	pv := portVLAN(br, p)
	if wire == 0 {
		return pv.PVID, pv.PVID != 0
	}
	return wire, pv.Allows(wire)
}

// bridgeEgress is the tag on the wire leaving port p for VLAN v, if p is a member.
func bridgeEgress(p *model.Interface, v uint16) (uint16, bool) {
	if p.Master == nil || !p.Master.Bridge.VLANFiltering {
		return v, true
	}
	pv := portVLAN(p.Master, p)
	if !pv.Allows(v) {
		return 0, false
	}
	if pv.EgressUntagged(v) {
		return 0, true
	}
	return v, true
}

var defaultPortVLAN = &model.PortVLAN{PVID: 1, Untagged: []uint16{1}}

func portVLAN(br, p *model.Interface) *model.PortVLAN {
	if p == nil {
		p = br
	}
	if p.PortVLAN != nil {
		return p.PortVLAN
	}
	return defaultPortVLAN
}

// hasMAC reports whether terminal t takes frames for MAC m.
func (e *Engine) hasMAC(t terminal, m model.MAC) bool {
	if t.iface != nil {
		return e.mac(t.iface) == m
	}
	if t.lsp != nil {
		return e.ovnHasMAC(t.lsp.Switch, m, t.chassis, t.lsp.Type == ovn.PortLocalnet)
	}
	if e.gatewayMAC(t.seg) == m {
		return true
	}
	for _, ep := range e.Topo.Endpoints {
		if ep.Kind == model.EPExternal && ep.Segment == t.seg && e.externalMAC(ep) == m {
			return true
		}
	}
	return false
}

// macBehind reports whether MAC m lives somewhere a frame from k reaches.
func (e *Engine) macBehind(k l2Key, m model.MAC) bool {
	for _, t := range e.reachable(k) {
		if e.hasMAC(t, m) {
			return true
		}
	}
	return false
}
