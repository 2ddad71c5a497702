package model

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/hopscope/hopscope/model/openflow"
)

// index holds what a trace looks up per packet, built once by Resolve.
type index struct {
	hosts     map[string]*Host
	segments  map[string]*Segment
	endpoints map[string]*Endpoint
	addrs     map[netip.Addr][]*Interface // every interface owning an address
	macs      map[MAC][]*Interface
}

// Resolve wires names into pointers (peers, masters, segments, OVS port
// netdevs), adds the routes the kernel adds for each address, fills in
// default ip rules, and builds the lookup indexes. It reports every
// dangling reference, each with the source of the object that made it.
func (t *Topology) Resolve() error {
	var errs []error
	bad := func(src Source, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if s := src.String(); s != "" {
			msg = s + ": " + msg
		}
		errs = append(errs, errors.New(msg))
	}
	t.idx = &index{
		hosts: map[string]*Host{}, segments: map[string]*Segment{}, endpoints: map[string]*Endpoint{},
		addrs: map[netip.Addr][]*Interface{}, macs: map[MAC][]*Interface{},
	}
	for _, s := range t.Segments {
		if t.idx.segments[s.Name] != nil {
			bad(s.Source, "segment %q is defined twice", s.Name)
		}
		t.idx.segments[s.Name] = s
		s.Ifaces = nil
		if s.Gateway.IsValid() && len(s.Upstream) == 0 {
			s.Upstream = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
		}
	}
	for _, h := range t.Hosts {
		h.Topo = t
		if t.idx.hosts[h.Name] != nil {
			bad(h.Source, "host %q is defined twice", h.Name)
		}
		t.idx.hosts[h.Name] = h
		if h.Root() == nil {
			h.Namespaces = append([]*Namespace{{Name: RootName, Kind: NSRoot}}, h.Namespaces...)
		}
		for _, ns := range h.Namespaces {
			ns.Host = h
			ns.ifByName = map[string]*Interface{}
			for _, i := range ns.Interfaces {
				i.NS = ns
				if ns.ifByName[i.Name] != nil {
					bad(i.Source, "interface %q is defined twice in %s", i.Name, ns.Ref())
				}
				ns.ifByName[i.Name] = i
			}
		}
	}
	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			t.resolveNamespace(ns, bad)
		}
		if h.OVS != nil {
			t.resolveOVS(h, bad)
		}
	}
	for _, e := range t.Endpoints {
		if t.idx.endpoints[e.Name] != nil {
			bad(e.Source, "endpoint %q is defined twice", e.Name)
		}
		t.idx.endpoints[e.Name] = e
		if e.Kind != EPExternal && e.NS == nil {
			bad(e.Source, "endpoint %q has no namespace", e.Name)
		}
		if !e.Addr.IsValid() && e.Iface != nil {
			e.Addr, _ = e.Iface.PrimaryAddr()
		}
		if !e.Addr.IsValid() && e.NS != nil {
			for _, i := range e.NS.Interfaces {
				if a, ok := i.PrimaryAddr(); ok && i.Kind != IfLoopback {
					e.Addr = a
					break
				}
			}
		}
		if e.Kind == EPExternal && e.Segment == nil {
			e.Segment = t.SegmentFor(e.Addr)
			if e.Segment == nil {
				bad(e.Source, "external endpoint %q (%s) is on no segment and beyond no segment's gateway", e.Name, e.Addr)
			}
		}
	}
	if t.OVN != nil {
		if err := t.OVN.Index(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (t *Topology) resolveNamespace(ns *Namespace, bad func(Source, string, ...any)) {
	for _, i := range ns.Interfaces {
		for _, p := range i.Addrs {
			t.idx.addrs[p.Addr()] = append(t.idx.addrs[p.Addr()], i)
		}
		if !i.MAC.IsZero() {
			t.idx.macs[i.MAC] = append(t.idx.macs[i.MAC], i)
		}
		if i.Kind == IfBridge && i.Bridge == nil {
			i.Bridge = &LinuxBridge{}
		}
		if i.PeerRef != "" && i.Peer == nil {
			peer, err := t.interfaceFrom(ns, i.PeerRef)
			if err != nil {
				bad(i.Source, "interface %s: peer: %v", i.Name, err)
			} else {
				i.Peer, peer.Peer = peer, i
			}
		}
		if i.MasterName != "" {
			m := ns.Interface(i.MasterName)
			switch {
			case m == nil:
				bad(i.Source, "interface %s: master %q: no such bridge in %s", i.Name, i.MasterName, ns.Ref())
			case m.Kind != IfBridge:
				bad(i.Source, "interface %s: master %q is a %s, not a bridge", i.Name, i.MasterName, m.Kind)
			default:
				i.Master = m
				if m.Bridge == nil {
					m.Bridge = &LinuxBridge{}
				}
				m.Bridge.Ports = append(m.Bridge.Ports, i)
			}
		}
		if i.SegmentName != "" {
			s := t.idx.segments[i.SegmentName]
			if s == nil {
				bad(i.Source, "interface %s: segment %q is not defined under segments", i.Name, i.SegmentName)
			} else {
				i.Segment = s
				s.Ifaces = append(s.Ifaces, i)
			}
		}
	}
	for _, r := range ns.Routes {
		for k := range r.Nexthops {
			nh := &r.Nexthops[k]
			if nh.Dev == "" {
				continue
			}
			if nh.Iface = ns.Interface(nh.Dev); nh.Iface == nil {
				bad(r.Source, "route %q: dev %s: no such interface in %s", r.String(), nh.Dev, ns.Ref())
			}
		}
	}
	ns.Routes = append(ns.Routes, impliedRoutes(ns)...)
	ns.Netfilter.SetOwner(ns.Ref())
	if len(ns.Rules) == 0 {
		ns.Rules = DefaultRules()
	}
	sort.SliceStable(ns.Rules, func(a, b int) bool { return ns.Rules[a].Priority < ns.Rules[b].Priority })
	for _, n := range ns.Neighbors {
		if ns.Interface(n.Dev) == nil {
			bad(n.Source, "neighbour %s: dev %s: no such interface in %s", n.IP, n.Dev, ns.Ref())
		}
	}
}

// impliedRoutes are the routes the kernel adds when an address is
// configured: a local route in table local, and the connected subnet in
// main. Ones the scenario already lists are not repeated.
func impliedRoutes(ns *Namespace) []*Route {
	have := map[string]bool{}
	for _, r := range ns.Routes {
		dev := ""
		if len(r.Nexthops) > 0 {
			dev = r.Nexthops[0].Dev
		}
		have[fmt.Sprint(r.Table, r.Type, r.Dst.Masked(), dev)] = true
	}
	var out []*Route
	add := func(r *Route) {
		key := fmt.Sprint(r.Table, r.Type, r.Dst.Masked(), r.Nexthops[0].Dev)
		if !have[key] {
			have[key] = true
			out = append(out, r)
		}
	}
	for _, i := range ns.Interfaces {
		for _, p := range i.Addrs {
			src := Source{What: "kernel route for address " + p.String() + " on " + i.Name}
			nh := []Nexthop{{Dev: i.Name, Iface: i}}
			add(&Route{Table: TableLocal, Type: RouteLocal, Dst: netip.PrefixFrom(p.Addr(), p.Addr().BitLen()),
				Nexthops: nh, Src: p.Addr(), Proto: "kernel", Scope: "host", Implied: true, Source: src})
			if i.Kind == IfLoopback && p.Bits() < p.Addr().BitLen() {
				add(&Route{Table: TableLocal, Type: RouteLocal, Dst: p.Masked(), Nexthops: nh,
					Src: p.Addr(), Proto: "kernel", Scope: "host", Implied: true, Source: src})
				continue
			}
			if p.Bits() < p.Addr().BitLen() {
				add(&Route{Table: TableMain, Type: RouteUnicast, Dst: p.Masked(), Nexthops: nh,
					Src: p.Addr(), Proto: "kernel", Scope: "link", Implied: true, Source: src})
			}
		}
	}
	return out
}

func (t *Topology) resolveOVS(h *Host, bad func(Source, string, ...any)) {
	home := h.Root()
	if h.OVS.NetNS != "" {
		if home = h.Namespace(h.OVS.NetNS); home == nil {
			bad(h.Source, "ovs: netns %q: no such namespace on host %s", h.OVS.NetNS, h.Name)
			return
		}
	}
	for _, b := range h.OVS.Bridges {
		b.Host = h
		for _, p := range b.Ports {
			p.Bridge = b
		}
	}
	for _, b := range h.OVS.Bridges {
		for _, p := range b.Ports {
			switch p.Type {
			case OVSPatch:
				p.Peer = nil
				for _, ob := range h.OVS.Bridges {
					if q := ob.Port(p.PeerName); q != nil && q.Type == OVSPatch && ob != b {
						p.Peer = q
					}
				}
				if p.Peer == nil {
					bad(p.Source, "patch port %s on %s: peer %q is no patch port on another bridge of %s", p.Name, b.Name, p.PeerName, h.Name)
				}
			case OVSSystem, OVSInternalPort:
				ifc := findNetdev(h, home, p.Name)
				if ifc == nil && p.Type == OVSInternalPort {
					// An internal port nobody moved or addressed lives in the root namespace.
					ifc = &Interface{Name: p.Name, Kind: IfOVSInternal, Source: p.Source}
					h.Root().AddInterface(ifc)
				}
				if ifc == nil {
					bad(p.Source, "OVS port %s on %s: no interface %q in %s (declare it, e.g. as a veth or tap)", p.Name, b.Name, p.Name, home.Ref())
					continue
				}
				if ifc.OVSPort != nil && ifc.OVSPort != p {
					bad(p.Source, "interface %s is a port of both %s and %s", ifc.Ref(), ifc.OVSPort.Bridge.Name, b.Name)
				}
				p.Iface, ifc.OVSPort = ifc, p
			}
		}
		resolveFlows(b, bad)
		if b.Flows != nil {
			for _, f := range b.Flows.All() {
				f.Bridge = b.Ref()
			}
		}
	}
}

// resolveFlows indexes a bridge's ports by OpenFlow number and points the
// flows' port names at them.
func resolveFlows(b *OVSBridge, bad func(Source, string, ...any)) {
	b.byOFPort = map[int]*OVSPort{}
	names := map[string]uint32{}
	for _, p := range b.Ports {
		if p.OFPort <= 0 {
			if b.Flows != nil && p.Name != b.Name {
				bad(p.Source, "port %s of %s: a bridge with flows needs every port's ofport (flows name ports by number)", p.Name, b.Name)
			}
			continue
		}
		if q := b.byOFPort[p.OFPort]; q != nil {
			bad(p.Source, "ports %s and %s of %s both have ofport %d", q.Name, p.Name, b.Name, p.OFPort)
		}
		b.byOFPort[p.OFPort] = p
		names[p.Name] = uint32(p.OFPort)
	}
	for k := range b.FDB {
		e := &b.FDB[k]
		if e.OFPort == 0 {
			continue // LOCAL
		}
		if p := b.byOFPort[e.OFPort]; p != nil {
			e.Port = p.Name
		} else {
			bad(e.Source, "fdb of %s: %s: the bridge has no port with ofport %d", b.Name, e.MAC, e.OFPort)
		}
	}
	if b.Flows == nil {
		return
	}
	errs := b.Flows.ResolvePorts(names)
	if j, ok := errs.(interface{ Unwrap() []error }); ok {
		for _, err := range j.Unwrap() {
			src := b.FlowSource
			if pe, ok := err.(*openflow.ParseError); ok && src.Line > 0 {
				src.Line += pe.Line - 1 // the flow's own line in the file
				err = errors.New(pe.Msg)
			}
			bad(src, "flows of %s: %v", b.Name, err)
		}
	}
}

// findNetdev finds an OVS port's netdev: an internal port may have been
// moved into any namespace; anything else lives in OVS's home namespace.
func findNetdev(h *Host, home *Namespace, name string) *Interface {
	if i := home.Interface(name); i != nil {
		return i
	}
	for _, ns := range h.Namespaces {
		if i := ns.Interface(name); i != nil && i.Kind == IfOVSInternal {
			return i
		}
	}
	return nil
}

// interfaceFrom resolves "iface", "ns:iface" or "host:ns:iface" relative to ns.
func (t *Topology) interfaceFrom(ns *Namespace, ref string) (*Interface, error) {
	parts := strings.Split(ref, ":")
	host, nsName, name := ns.Host.Name, ns.Name, ""
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		nsName, name = parts[0], parts[1]
	case 3:
		host, nsName, name = parts[0], parts[1], parts[2]
	default:
		return nil, fmt.Errorf("%q: want iface, ns:iface or host:ns:iface", ref)
	}
	return t.InterfaceByRef(host + ":" + nsName + ":" + name)
}

// InterfaceByRef finds "host:ns:iface".
func (t *Topology) InterfaceByRef(ref string) (*Interface, error) {
	parts := strings.Split(ref, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%q: want host:ns:iface", ref)
	}
	h := t.Host(parts[0])
	if h == nil {
		return nil, fmt.Errorf("%q: no host %q", ref, parts[0])
	}
	ns := h.Namespace(parts[1])
	if ns == nil {
		return nil, fmt.Errorf("%q: host %s has no namespace %q", ref, parts[0], parts[1])
	}
	i := ns.Interface(parts[2])
	if i == nil {
		return nil, fmt.Errorf("%q: namespace %s has no interface %q", ref, ns.Ref(), parts[2])
	}
	return i, nil
}

// Host finds a host by name.
func (t *Topology) Host(name string) *Host {
	if t.idx != nil {
		return t.idx.hosts[name]
	}
	for _, h := range t.Hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// Segment finds a segment by name.
func (t *Topology) Segment(name string) *Segment {
	for _, s := range t.Segments {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Endpoint finds an endpoint by name.
func (t *Topology) Endpoint(name string) *Endpoint {
	if t.idx != nil {
		return t.idx.endpoints[name]
	}
	for _, e := range t.Endpoints {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// AddrOwners lists the interfaces that own address a, in any namespace.
func (t *Topology) AddrOwners(a netip.Addr) []*Interface { return t.idx.addrs[a] }

// MACOwners lists the interfaces whose MAC is m.
func (t *Topology) MACOwners(m MAC) []*Interface { return t.idx.macs[m] }

// SegmentFor finds the segment a is on, else the one whose gateway leads to it.
func (t *Topology) SegmentFor(a netip.Addr) *Segment {
	for _, s := range t.Segments {
		if s.OnSegment(a) {
			return s
		}
	}
	var best *Segment
	bestBits := -1
	for _, s := range t.Segments {
		if !s.Gateway.IsValid() {
			continue
		}
		for _, p := range s.Upstream {
			if p.Contains(a) && p.Bits() > bestBits {
				best, bestBits = s, p.Bits()
			}
		}
	}
	return best
}

// EndpointAt finds the endpoint whose address is a, if any.
func (t *Topology) EndpointAt(a netip.Addr) *Endpoint {
	for _, e := range t.Endpoints {
		if e.Addr == a {
			return e
		}
	}
	return nil
}
