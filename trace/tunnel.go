package trace

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/hopscope/hopscope/model"
)

// A tunnel port wraps the frame in an outer IP packet from local_ip to
// remote_ip, which the sending host routes through its root namespace (the
// underlay) like any packet it sends; the host owning remote_ip takes it up
// as a local UDP (or GRE) packet, and its tunnel port whose remote_ip is
// the sender unwraps it into its bridge with tun_id set to the key:
//
//	bridge -> [encap hop] -> root ns routing -> ... -> remote root ns -> [decap hop] -> bridge

// tunMeta is the tunnel metadata a bridge sees (tun_id, tun_src, tun_dst).
type tunMeta struct {
	id       uint64
	src, dst netip.Addr
	ovn      *GeneveOVN // OVN's Geneve option, between chassis
}

// Encapsulation is what an outer tunnel packet carries.
type Encapsulation struct {
	Type  string     `json:"type"` // vxlan, geneve, gre
	Key   uint64     `json:"key"`  // VNI or GRE key
	Port  string     `json:"port"` // host:bridge:port that wrapped it
	OVN   *GeneveOVN `json:"ovn,omitempty"`
	Inner Packet     `json:"inner"`
}

// udpPort is the tunnel type's well-known UDP port (dst_port overrides it).
func udpPort(p *model.OVSPort) uint16 {
	if s := p.Options["dst_port"]; s != "" {
		if v, err := strconv.ParseUint(s, 10, 16); err == nil {
			return uint16(v)
		}
	}
	switch p.Type {
	case model.OVSVXLAN:
		return 4789
	case model.OVSGeneve:
		return 6081
	}
	return 0
}

func tunnelProto(p *model.OVSPort) uint8 {
	if p.Type == model.OVSGRE {
		return 47
	}
	return ProtoUDP
}

// tunnelKey reads the key option for one direction ("in" or "out"): a
// fixed value, or flow (taken from / set into tun_id).
func tunnelKey(p *model.OVSPort, dir string) (key uint64, flow bool) {
	s := p.Options[dir+"_key"]
	if s == "" {
		s = p.Options["key"]
	}
	if s == "flow" {
		return 0, true
	}
	v, _ := strconv.ParseUint(s, 0, 64) // OVSDB writes keys in decimal or 0x hex
	return v, false
}

// OutKey is the key a packet leaving tunnel port p carries: the port's
// fixed key, or with key=flow the tun_id the pipeline set.
func OutKey(p *model.OVSPort, tunID uint64) uint64 {
	if k, flow := tunnelKey(p, "out"); !flow {
		return k
	}
	return tunID
}

func optAddr(p *model.OVSPort, key string) netip.Addr {
	a, _ := netip.ParseAddr(p.Options[key])
	return a
}

// IsTunnel reports whether p is a tunnel port.
func IsTunnel(p *model.OVSPort) bool {
	return p.Type == model.OVSVXLAN || p.Type == model.OVSGeneve || p.Type == model.OVSGRE
}

// accepts reports whether tunnel port q takes up a tunnel packet of its
// type from src to dst with key.
func accepts(q *model.OVSPort, typ model.OVSPortType, src, dst netip.Addr, dport uint16, key uint64) bool {
	if q.Type != typ || udpPort(q) != dport {
		return false
	}
	if r := q.Options["remote_ip"]; r != "flow" && optAddr(q, "remote_ip") != src {
		return false
	}
	if l := optAddr(q, "local_ip"); l.IsValid() && l != dst {
		return false
	}
	k, flow := tunnelKey(q, "in")
	return flow || k == key
}

// tunnelReceiver finds the tunnel port on the host owning dst that takes up
// the packet.
func tunnelReceiver(h *model.Host, typ model.OVSPortType, src, dst netip.Addr, dport uint16, key uint64) *model.OVSPort {
	if h.OVS == nil {
		return nil
	}
	for _, b := range h.OVS.Bridges {
		for _, q := range b.Ports {
			if IsTunnel(q) && accepts(q, typ, src, dst, dport, key) {
				return q
			}
		}
	}
	return nil
}

// tunnelPeers are the tunnel ports a frame sent out of tunnel port p with
// key reaches, for the L2 walk: on the hosts owning p's remote_ip, the
// ports of p's type whose remote_ip is one of p's host's addresses.
func tunnelPeers(p *model.OVSPort, key uint64) []*model.OVSPort {
	h := p.Bridge.Host
	remote := optAddr(p, "remote_ip")
	if !remote.IsValid() {
		return nil
	}
	var out []*model.OVSPort
	for _, owner := range h.Topo.AddrOwners(remote) {
		rh := owner.NS.Host
		if rh.OVS == nil || rh == h {
			continue
		}
		for _, b := range rh.OVS.Bridges {
			for _, q := range b.Ports {
				if !IsTunnel(q) || q.Type != p.Type {
					continue
				}
				if !ownedBy(h, optAddr(q, "remote_ip")) {
					continue
				}
				if k, flow := tunnelKey(q, "in"); flow || k == key {
					out = append(out, q)
				}
			}
		}
	}
	return out
}

// ownedBy reports whether host h owns address a.
func ownedBy(h *model.Host, a netip.Addr) bool {
	for _, i := range h.Topo.AddrOwners(a) {
		if i.NS.Host == h {
			return true
		}
	}
	return false
}

// encap wraps the frame leaving tunnel port o and sends the outer packet
// from the host's root namespace.
func (r *run) encap(c *cur, o *model.OVSPort, inner Packet, tun tunMeta) {
	h := o.Bridge.Host
	node := NodeRef{Kind: NodeTunnel, Host: h.Name, Name: o.Name, Role: o.Type.String()}
	if !r.enter(c, node, inner) {
		return
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Why: fmt.Sprintf("from bridge %s into %s port %s", o.Bridge.Name, o.Type, o.Name),
		Source: srcRef(o.String(), o.Source), Detail: &PortDetail{Port: o.Name}, Object: o})
	key := OutKey(o, tun.id)
	remote := optAddr(o, "remote_ip")
	if o.Options["remote_ip"] == "flow" {
		remote = tun.dst
	}
	if !remote.IsValid() {
		r.finish(c, Unsupported, Step{Kind: Encap, Action: UnsupportedAction,
			Why: fmt.Sprintf("%s has no usable remote_ip (%q)", o.Ref(), o.Options["remote_ip"])}, inner)
		return
	}
	local := optAddr(o, "local_ip")
	if !local.IsValid() {
		// No local_ip: the kernel picks the source its route to remote_ip gives.
		if res := lookupRoute(h.Root(), flowKey{dst: remote, iif: "lo"}); res.route != nil && len(res.route.Nexthops) > 0 {
			local = sourceFor(res.route, res.route.Nexthops[0])
		}
	}
	outer := Packet{Src: local, Dst: remote, Proto: tunnelProto(o), TTL: 64, Length: inner.Length + 50,
		Encap: &Encapsulation{Type: o.Type.String(), Key: key, Port: o.Ref(), OVN: tun.ovn, Inner: inner}}
	if outer.Proto == ProtoUDP {
		outer.SrcPort, outer.DstPort = 49152+uint16(macBits(inner.SrcMAC)%16384), udpPort(o)
	}
	d := &EncapDetail{Type: o.Type.String(), Key: key, OuterDst: remote.String(), DstPort: outer.DstPort, Inner: innerText(inner)}
	if outer.Src.IsValid() {
		d.OuterSrc = outer.Src.String()
	}
	if tun.ovn != nil {
		d.Option = tun.ovn.String()
	}
	c.tr.add(Step{Kind: Encap, Action: Encapsulated, Detail: d,
		Why: fmt.Sprintf("%s encapsulation, %s %d: outer %s > %s, inner %s", o.Type, keyName(o), key, addrOrRouted(outer.Src), remote, innerText(inner))})
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: "to " + h.Name + "'s root namespace, which routes the outer packet (the underlay)",
		Detail: &PortDetail{Port: o.Name}, Object: o})
	r.localOut(c, h.Root(), outer)
}

// decap unwraps a tunnel packet delivered to ns (a host's root namespace)
// into the bridge of the tunnel port that takes it; false when none does,
// and the packet is an ordinary local delivery.
func (r *run) decap(c *cur, ns *model.Namespace, outer Packet) bool {
	e := outer.Encap
	typ, err := model.ParseOVSPortType(e.Type)
	if err != nil {
		return false
	}
	q := tunnelReceiver(ns.Host, typ, outer.Src, outer.Dst, outer.DstPort, e.Key)
	if q == nil {
		r.finish(c, Dropped, Step{Kind: Decap, Action: DroppedAction,
			Why: fmt.Sprintf("no %s port on %s takes a tunnel packet from %s with key %d: dropped", e.Type, ns.Host.Name, outer.Src, e.Key)}, outer)
		return true
	}
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: fmt.Sprintf("%s packet for %s port %s", e.Type, e.Type, q.Name),
		Detail: &PortDetail{Port: q.Name}, Object: q})
	node := NodeRef{Kind: NodeTunnel, Host: ns.Host.Name, Name: q.Name, Role: q.Type.String()}
	if !r.enter(c, node, outer) {
		return true
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Why: fmt.Sprintf("%s > %s arrived at %s port %s", outer.Src, outer.Dst, q.Type, q.Name),
		Source: srcRef(q.String(), q.Source), Detail: &PortDetail{Port: q.Name}, Object: q})
	d := &EncapDetail{Type: e.Type, Key: e.Key, OuterSrc: outer.Src.String(), OuterDst: outer.Dst.String(), DstPort: outer.DstPort, Inner: innerText(e.Inner)}
	if e.OVN != nil {
		d.Option = e.OVN.String()
	}
	c.tr.add(Step{Kind: Decap, Action: Decapsulated, Detail: d,
		Why: fmt.Sprintf("decapsulated: %s %d, inner %s; tun_id=%#x, tun_src=%s, tun_dst=%s", keyName(q), e.Key, innerText(e.Inner), e.Key, outer.Src, outer.Dst)})
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: "into bridge " + q.Bridge.Name, Detail: &PortDetail{Port: q.Name}, Object: q})
	r.ovsInTun(c, q, e.Inner, tunMeta{id: e.Key, src: outer.Src, dst: outer.Dst, ovn: e.OVN})
	return true
}

func keyName(p *model.OVSPort) string {
	if p.Type == model.OVSGRE {
		return "key"
	}
	return "VNI"
}

func addrOrRouted(a netip.Addr) string {
	if a.IsValid() {
		return a.String()
	}
	return "(source chosen by the route)"
}

func innerText(p Packet) string {
	return fmt.Sprintf("%s (%s > %s)", p, p.SrcMAC, p.DstMAC)
}
