package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// neighbor resolves the next hop's MAC on device out as the kernel does: a
// PERMANENT (or NOARP) cache entry wins; otherwise the ARP request is
// followed across the L2 domain to the device that owns the address, or
// one that answers for it by proxy ARP, or the segment's gateway. Other
// imported cache entries are evidence, shown but not trusted.
func (r *run) neighbor(c *cur, ns *model.Namespace, out *model.Interface, ip netip.Addr, p Packet) (model.MAC, bool) {
	var evidence *model.Neighbor
	for _, n := range ns.Neighbors {
		if n.IP != ip || n.Dev != out.Name {
			continue
		}
		if n.State == model.NeighPermanent || n.State == model.NeighNoARP {
			c.tr.add(Step{Kind: Neighbor, Action: Resolved,
				Why:    fmt.Sprintf("%s is %s by the static entry %q", ip, n.MAC, n.String()),
				Source: srcRef(n.String(), n.Source),
				Detail: &NeighborDetail{IP: ip.String(), Dev: out.Name, MAC: n.MAC.String(), How: "static"}})
			return n.MAC, true
		}
		evidence = n
	}
	if out.Kind == model.IfLoopback {
		return model.MAC{}, true
	}
	mac, how, who, ok := r.arp(out, ip)
	d := &NeighborDetail{IP: ip.String(), Dev: out.Name, How: how, Answerer: who}
	if evidence != nil {
		d.Evidence = evidence.String()
	}
	if !ok {
		why := fmt.Sprintf("ARP for %s on %s gets no answer: no device in its L2 domain owns it or answers by proxy ARP", ip, out.Name)
		if evidence != nil {
			why += fmt.Sprintf(" (the cache agrees: %q)", evidence.String())
		}
		var src *SourceRef
		if evidence != nil {
			src = srcRef(evidence.String(), evidence.Source)
		}
		r.finish(c, NeighborUnreachable, Step{Kind: Neighbor, Action: Failed, Why: why, Source: src, Detail: d}, p)
		return model.MAC{}, false
	}
	d.MAC = mac.String()
	why := arpWhy(ip, mac, how, who)
	if evidence != nil && evidence.MAC != mac {
		why += fmt.Sprintf("; the imported cache entry %q disagrees", evidence.String())
	}
	c.tr.add(Step{Kind: Neighbor, Action: Resolved, Why: why, Detail: d})
	return mac, true
}

// arpWhy is the sentence for an answered ARP request.
func arpWhy(ip netip.Addr, mac model.MAC, how, who string) string {
	switch how {
	case "proxy-arp":
		return fmt.Sprintf("ARP: %s is %s, answered by %s with proxy ARP (it routes %s elsewhere)", ip, mac, who, ip)
	case "gateway":
		return fmt.Sprintf("ARP: %s is %s, the gateway of segment %s", ip, mac, who)
	}
	return fmt.Sprintf("ARP: %s is %s, answered by %s", ip, mac, who)
}

// arp finds who answers an ARP request for ip sent out of device out.
func (r *run) arp(out *model.Interface, ip netip.Addr) (mac model.MAC, how, who string, ok bool) {
	pr := probe{src: r.e.mac(out), spa: arpSource(out, ip), tpa: ip}
	return r.e.arpFrom([]l2Key{{op: opEmit, iface: out, pr: pr}}, out, ip)
}

// arpSource is the address the kernel sends an ARP request for ip from:
// the device's address on ip's subnet, else its primary one.
func arpSource(out *model.Interface, ip netip.Addr) netip.Addr {
	for _, a := range out.Addrs {
		if a.Contains(ip) {
			return a.Addr()
		}
	}
	a, _ := out.PrimaryAddr()
	return a
}

// arpFrom finds who answers an ARP request that spreads from keys: the
// owner of ip first, then a segment's gateway or external endpoint, then a
// proxy-ARP responder.
func (e *Engine) arpFrom(keys []l2Key, asker *model.Interface, ip netip.Addr) (mac model.MAC, how, who string, ok bool) {
	var terms []terminal
	for _, k := range keys {
		terms = append(terms, e.reachable(k)...)
	}
	for _, t := range terms {
		if t.iface != nil && t.iface != asker && t.iface.HasAddr(ip) && !t.iface.Down {
			return e.mac(t.iface), "arp", t.iface.Ref(), true
		}
	}
	for _, t := range terms {
		if t.lsp == nil {
			continue
		}
		if mac, who, ok := e.ovnOwner(t.lsp.Switch, ip, t.chassis, t.lsp.Type == ovn.PortLocalnet); ok {
			return mac, "arp", "OVN: " + who, true
		}
	}
	for _, t := range terms {
		if t.seg == nil {
			continue
		}
		if t.seg.Gateway == ip {
			return e.gatewayMAC(t.seg), "gateway", t.seg.Name, true
		}
		for _, ep := range e.Topo.Endpoints {
			if ep.Kind == model.EPExternal && ep.Segment == t.seg && ep.Addr == ip && t.seg.OnSegment(ip) {
				return e.externalMAC(ep), "arp", "external endpoint " + ep.Name, true
			}
		}
	}
	for _, t := range terms {
		if t.iface != nil && t.iface != asker && e.proxies(t.iface, ip) {
			return e.mac(t.iface), "proxy-arp", t.iface.Ref(), true
		}
	}
	return model.MAC{}, "unreachable", "", false
}

// proxies reports whether device y answers ARP for ip by proxy: proxy_arp
// is on, the namespace forwards, and its route to ip leaves by another device.
func (e *Engine) proxies(y *model.Interface, ip netip.Addr) bool {
	if !y.ProxyARP || y.Down || !y.NS.IPForward {
		return false
	}
	res := lookupRoute(y.NS, flowKey{dst: ip, iif: y.Name})
	if res.route == nil || res.route.Type != model.RouteUnicast {
		return false
	}
	for _, nh := range res.route.Nexthops {
		if nh.Iface != nil && nh.Iface != y {
			return true
		}
	}
	return false
}
