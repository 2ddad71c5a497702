package scenarios

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/hopscope/hopscope/model/openflow"
)

// builder turns merged raw files into one model. Errors are collected, not
// returned at the first one, so a user fixes a file in one pass.
type builder struct {
	errs  errList
	topo  *model.Topology
	hosts map[string]*model.Host
	segs  map[string]*model.Segment
	peers map[string]peerDecl // "host:ns:iface" -> the peer it declares
}

type peerDecl struct {
	ref string // the peer, as host:ns:iface
	at  loc    // the object that wrote it
	key string // peer, or link for a guest NIC
}

func (b *builder) add(err *Error) { b.errs.add(err) }

// source is the model Source of a raw object: file, line and field path.
func source(l loc) model.Source {
	s := model.Source{Line: l.line, What: l.path}
	if l.file != nil {
		s.File = l.file.name
	}
	return s
}

func (b *builder) build(raws []*rawScenario) (*model.Topology, []Check) {
	b.topo = &model.Topology{}
	b.hosts, b.segs, b.peers = map[string]*model.Host{}, map[string]*model.Segment{}, map[string]peerDecl{}
	for _, r := range raws {
		if b.topo.Name == "" {
			b.topo.Name = r.Name
		}
		if b.topo.Description == "" {
			b.topo.Description = r.Description
		}
		b.explanations(r)
	}
	names := newNameSet(b)
	for _, r := range raws {
		for _, s := range r.Segments {
			if names.claim("segment", s.Name, s.Loc) {
				b.segment(s)
			}
		}
	}
	for _, r := range raws {
		for _, h := range r.Hosts {
			if names.claim("host", h.Name, h.Loc) {
				b.host(h)
			}
		}
	}
	for _, r := range raws {
		for _, e := range r.Endpoints {
			if names.claim("endpoint", e.Name, e.Loc) {
				b.endpoint(e)
			}
		}
	}
	b.checkPeers()
	b.topo.OVN = b.ovnDB(raws)
	var checks []Check
	for _, r := range raws {
		for i, c := range r.Checks {
			if c == nil {
				b.add(r.Loc.at(fmt.Sprintf("checks[%d]", i), "empty check: want name, from, to and expect"))
				continue
			}
			if names.claim("check", c.Name, c.Loc) {
				checks = append(checks, b.check(c))
			}
		}
	}
	return b.topo, checks
}

// nameSet finds names defined twice, within a file or across files.
type nameSet struct {
	b    *builder
	seen map[string]loc
}

func newNameSet(b *builder) *nameSet { return &nameSet{b: b, seen: map[string]loc{}} }

func (n *nameSet) claim(kind, name string, l loc) bool {
	if name == "" {
		n.b.add(l.errorf("%s has an empty name", kind))
		return false
	}
	if prev, ok := n.seen[kind+"\x00"+name]; ok {
		n.b.add(l.errorf("%s %q is already defined at %s", kind, name, prev))
		return false
	}
	n.seen[kind+"\x00"+name] = l
	return true
}

func (b *builder) segment(r *rawSegment) {
	s := &model.Segment{Name: r.Name, Source: source(r.Loc)}
	s.Prefixes = b.prefixes(r.Loc, "prefixes", r.Prefixes, true)
	s.Upstream = b.prefixes(r.Loc, "upstream", r.Upstream, true)
	s.Gateway = b.addr(r.Loc, "gateway", r.Gateway)
	s.GatewayMAC = b.mac(r.Loc, "gateway-mac", r.GatewayMAC)
	if len(r.Upstream) > 0 && !s.Gateway.IsValid() {
		b.add(r.Loc.at("upstream", "upstream needs a gateway to reach it through"))
	}
	b.segs[r.Name] = s
	b.topo.Segments = append(b.topo.Segments, s)
}

func (b *builder) host(r *rawHost) {
	h := &model.Host{Name: r.Name, Source: source(r.Loc)}
	if strings.Contains(r.Name, ":") {
		b.add(r.Loc.errorf("host name %q contains \":\": want a plain name (references are host:ns:iface)", r.Name))
	}
	for _, rn := range r.Namespaces {
		if strings.Contains(rn.Name, ":") {
			b.add(rn.Loc.errorf("namespace name %q contains \":\": want a plain name (references are host:ns:iface)", rn.Name))
		}
		kind := model.NSNamed
		if rn.Name == model.RootName {
			kind = model.NSRoot
		}
		ns := &model.Namespace{Name: rn.Name, Kind: kind, Host: h, Source: source(rn.Loc)}
		h.Namespaces = append(h.Namespaces, ns)
		b.stack(ns, rn.Loc, stackText{rn.Routes, rn.Rules, rn.Neighbors, rn.Iptables, rn.IPSets}, rn.Interfaces, rn.Sysctls)
	}
	if r.OVS != nil {
		h.OVS = b.ovs(r.OVS)
	}
	b.hosts[h.Name] = h
	b.topo.Hosts = append(b.topo.Hosts, h)
}

// stackText is the native-output blocks of one network stack.
type stackText struct{ routes, rules, neighbors, iptables, ipsets text }

// stack fills a namespace (a host's or a guest's) from its raw parts.
func (b *builder) stack(ns *model.Namespace, l loc, t stackText, ifaces []*rawInterface, sysctls []*rawSysctl) {
	seen := map[string]loc{}
	for i, ri := range ifaces {
		if ri == nil {
			b.add(l.at(fmt.Sprintf("interfaces[%d]", i), "empty interface: want name and kind"))
			continue
		}
		if prev, dup := seen[ri.Name]; dup {
			b.add(ri.Loc.at("name", "interface %q is already defined at %s", ri.Name, prev))
			continue
		}
		seen[ri.Name] = ri.Loc
		ns.AddInterface(b.iface(ns, ri))
	}
	b.sysctls(ns, sysctls)
	if t.routes.Set {
		ns.Routes = parseBlock(b, l, "routes", t.routes, model.ParseRoutes, func(r *model.Route) *model.Source { return &r.Source })
	}
	if t.rules.Set {
		ns.Rules = parseBlock(b, l, "rules", t.rules, model.ParseRules, func(r *model.Rule) *model.Source { return &r.Source })
	}
	if t.neighbors.Set {
		ns.Neighbors = parseBlock(b, l, "neighbors", t.neighbors, model.ParseNeighbors, func(n *model.Neighbor) *model.Source { return &n.Source })
	}
	if t.iptables.Set {
		rs, err := netfilter.Parse(t.iptables.Val)
		b.textErr(l, "iptables", t.iptables, err)
		ns.Netfilter = rs
		ns.NetfilterSource = b.blockSource(l, "iptables", t.iptables, 1)
	}
	if t.ipsets.Set {
		sets, err := netfilter.ParseIPSets(t.ipsets.Val)
		b.textErr(l, "ipsets", t.ipsets, err)
		ns.IPSets = sets
	}
}

// parseBlock parses a text block of native command output and points each
// parsed object's Source (which the parser set to its line in the block) at
// its line in the file.
func parseBlock[T any](b *builder, l loc, key string, t text, parse func(string) ([]T, error), src func(T) *model.Source) []T {
	objs, err := parse(t.Val)
	b.textErr(l, key, t, err)
	for _, o := range objs {
		s := src(o)
		*s = b.blockSource(l, key, t, s.Line)
	}
	return objs
}

// blockSource is the Source of the object on line n of a text block.
func (b *builder) blockSource(l loc, key string, t text, n int) model.Source {
	s := source(l)
	s.Line, s.What = t.Line+n-1, joinPath(l.path, key)
	return s
}

// textErr reports a parser's error inside a text block at the file line
// it came from.
func (b *builder) textErr(l loc, key string, t text, err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			b.textErr(l, key, t, e) // one report per bad line
		}
		return
	}
	line, col, msg := 0, 0, err.Error() // col: within the line, when the parser knows it
	var te *model.TextError
	var pe *netfilter.ParseError
	var oe *openflow.ParseError
	switch {
	case errors.As(err, &te):
		line, msg = te.Line, te.Msg
	case errors.As(err, &pe):
		line, msg = pe.Line, pe.Msg
	case errors.As(err, &oe):
		line, col, msg = oe.Line, oe.Col, oe.Msg
	}
	e := l.at(key, "%s", msg)
	if line > 0 {
		e.Path = fmt.Sprintf("%s (line %d of the block)", e.Path, line)
		e.Line = t.Line + line - 1
		e.Col = 0
		if line == 1 && t.Col > 0 {
			e.Col = t.Col // a one-line value written on the key's line
		} else if l.file != nil && e.Line-1 < len(l.file.lines) {
			src := l.file.lines[e.Line-1]
			e.Col = len(src) - len(strings.TrimLeft(src, " \t")) + max(col, 1)
		}
	}
	b.add(e)
}

func (b *builder) iface(ns *model.Namespace, r *rawInterface) *model.Interface {
	i := &model.Interface{Name: r.Name, MTU: r.MTU, Down: r.Down, ProxyARP: r.ProxyARP, RPFilter: r.RPFilter, Source: source(r.Loc)}
	if r.Name == "" || strings.Contains(r.Name, ":") {
		b.add(r.Loc.at("name", "bad interface name %q: want a device name without \":\"", r.Name))
	}
	kind, err := model.ParseIfKind(r.Kind)
	if err != nil {
		b.add(r.Loc.at("kind", "%v", err))
	}
	i.Kind = kind
	i.LinkType = r.LinkType
	if (kind == model.IfOther) != (r.LinkType != "") && err == nil {
		b.add(r.Loc.at("link-type", "link-type goes with kind other, and only there: want the kernel's link kind (vxlan, bond, ...)"))
	}
	i.MAC = b.mac(r.Loc, "mac", r.MAC)
	i.Addrs = b.prefixes(r.Loc, "addresses", r.Addresses, false)
	if r.MTU < 0 || r.MTU > 65536 {
		b.add(r.Loc.at("mtu", "mtu %d is out of range: want 68 to 65536", r.MTU))
	}
	if r.RPFilter < 0 || r.RPFilter > 2 {
		b.add(r.Loc.at("rp-filter", "rp-filter %d: want 0 (off), 1 (strict) or 2 (loose)", r.RPFilter))
	}
	if r.Segment != "" {
		if err == nil && kind != model.IfPhysical {
			b.add(r.Loc.at("segment", "only a physical interface attaches to a segment, and this one is a %s", kind))
		}
		i.SegmentName = r.Segment
	}
	if r.Peer != "" {
		switch kind {
		case model.IfVeth, model.IfTap, model.IfPhysical, model.IfNIC:
		default:
			if err == nil {
				b.add(r.Loc.at("peer", "a %s interface has no peer: want kind veth, tap or physical", kind))
			}
		}
		b.peer(ns, i, r.Loc, "peer", r.Peer)
	}
	i.MasterName = r.Master
	if kind != model.IfBridge {
		for _, k := range []string{"vlan-filtering", "fdb"} {
			if r.Loc.has(k) && err == nil {
				b.add(r.Loc.at(k, "only for kind bridge, and this interface is a %s", kind))
			}
		}
	} else {
		i.Bridge = &model.LinuxBridge{VLANFiltering: r.VLANFiltering}
		for k, f := range r.FDB {
			if f == nil {
				b.add(r.Loc.at(fmt.Sprintf("fdb[%d]", k), "empty FDB row: want mac and port"))
				continue
			}
			i.Bridge.FDB = append(i.Bridge.FDB, &model.FDBEntry{
				MAC: b.mac(f.Loc, "mac", f.MAC), Port: f.Port, VLAN: b.vlan(f.Loc, "vlan", f.VLAN, true), Static: !f.Learned, Source: source(f.Loc),
			})
		}
	}
	if v := r.VLAN; v != nil {
		pv := &model.PortVLAN{PVID: b.vlan(v.Loc, "pvid", v.PVID, true)}
		for k, x := range v.Untagged {
			pv.Untagged = append(pv.Untagged, b.vlan(v.Loc, fmt.Sprintf("untagged[%d]", k), x, false))
		}
		for k, x := range v.Tagged {
			pv.Tagged = append(pv.Tagged, b.vlan(v.Loc, fmt.Sprintf("tagged[%d]", k), x, false))
		}
		i.PortVLAN = pv
	}
	return i
}

// peer records a wire from i to ref ("iface", "ns:iface" or "host:ns:iface",
// relative to ns) so checkPeers can match both ends.
func (b *builder) peer(ns *model.Namespace, i *model.Interface, l loc, key, ref string) {
	parts := strings.Split(ref, ":")
	host, nsName := ns.Host.Name, ns.Name
	switch len(parts) {
	case 1:
	case 2:
		nsName = parts[0]
	case 3:
		host, nsName = parts[0], parts[1]
	default:
		b.add(l.at(key, "bad reference %q: want iface, ns:iface or host:ns:iface", ref))
		return
	}
	for _, p := range parts {
		if p == "" {
			b.add(l.at(key, "bad reference %q: want iface, ns:iface or host:ns:iface", ref))
			return
		}
	}
	full := host + ":" + nsName + ":" + parts[len(parts)-1]
	i.PeerRef = full
	b.peers[ns.Host.Name+":"+ns.Name+":"+i.Name] = peerDecl{ref: full, at: l, key: key}
}

// checkPeers catches wires the resolver would silently rewire: a link may
// be declared on one side or on both, but both sides must agree.
func (b *builder) checkPeers() {
	keys := make([]string, 0, len(b.peers))
	for k := range b.peers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	claimed := map[string]string{} // peer -> who declared it
	for _, self := range keys {
		d := b.peers[self]
		if d.ref == self {
			b.add(d.at.at(d.key, "interface %s is its own peer", self))
			continue
		}
		if back, ok := b.peers[d.ref]; ok && back.ref != self {
			b.add(d.at.at(d.key, "%s says its peer is %s, but %s says its peer is %s", self, d.ref, d.ref, back.ref))
			continue
		}
		if other, ok := claimed[d.ref]; ok && other != self {
			b.add(d.at.at(d.key, "%s is already the peer of %s", d.ref, other))
			continue
		}
		claimed[d.ref] = self
		claimed[self] = d.ref
	}
}

// Sysctls the model understands; per-interface ones are
// net.ipv4.conf.IFACE.proxy_arp and .rp_filter (IFACE may be all or default).
var knownSysctls = []string{
	"net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.bridge.bridge-nf-call-iptables",
	"net.ipv4.conf.IFACE.proxy_arp", "net.ipv4.conf.IFACE.rp_filter",
}

func (b *builder) sysctls(ns *model.Namespace, list []*rawSysctl) {
	for _, s := range list {
		switch s.Name {
		case "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding":
			ns.IPForward = b.sysctlValue(s, 1) == 1
			continue
		case "net.bridge.bridge-nf-call-iptables":
			ns.BridgeNFCallIptables = b.sysctlValue(s, 1) == 1
			continue
		}
		rest, ok := strings.CutPrefix(s.Name, "net.ipv4.conf.")
		dot := strings.LastIndex(rest, ".")
		if !ok || dot <= 0 {
			b.add(s.Loc.errorf("unknown sysctl %q: want one of %s", s.Name, strings.Join(knownSysctls, ", ")))
			continue
		}
		dev, knob := rest[:dot], rest[dot+1:]
		var targets []*model.Interface
		if dev == "all" || dev == "default" {
			targets = ns.Interfaces
		} else if i := ns.Interface(dev); i != nil {
			targets = []*model.Interface{i}
		} else {
			b.add(s.Loc.errorf("no interface %q in namespace %s: declare it under interfaces", dev, ns.Name))
			continue
		}
		// The kernel uses max(all, iface) for rp_filter and all||iface for
		// proxy_arp, so settings only ever add up.
		switch knob {
		case "proxy_arp":
			on := b.sysctlValue(s, 1) == 1
			for _, i := range targets {
				i.ProxyARP = i.ProxyARP || on
			}
		case "rp_filter":
			v := b.sysctlValue(s, 2)
			for _, i := range targets {
				i.RPFilter = max(i.RPFilter, v)
			}
		default:
			b.add(s.Loc.errorf("unknown sysctl %q: want one of %s", s.Name, strings.Join(knownSysctls, ", ")))
		}
	}
}

// sysctlValue reads 0..hi, or true/false for 1/0.
func (b *builder) sysctlValue(s *rawSysctl, hi int) int {
	switch strings.ToLower(s.Value) {
	case "true":
		return 1
	case "false":
		return 0
	}
	v, err := strconv.Atoi(s.Value)
	if err != nil || v < 0 || v > hi {
		b.add(s.Loc.errorf("bad value %q: want a number from 0 to %d", s.Value, hi))
		return 0
	}
	return v
}

func (b *builder) ovs(r *rawOVS) *model.OVS {
	o := &model.OVS{NetNS: r.NetNS}
	for _, rb := range r.Bridges {
		br := &model.OVSBridge{Name: rb.Name, FailMode: rb.FailMode, DatapathType: rb.DatapathType, Source: source(rb.Loc)}
		if rb.Flows.Set {
			br.FlowText, br.FlowSource = rb.Flows.Val, b.blockSource(rb.Loc, "flows", rb.Flows, 1)
			flows, err := openflow.Parse(rb.Flows.Val)
			b.textErr(rb.Loc, "flows", rb.Flows, err)
			br.Flows = openflow.NewFlows(flows)
		}
		if rb.FDB.Set {
			fdb, err := model.ParseOVSFDB(rb.FDB.Val)
			b.textErr(rb.Loc, "fdb", rb.FDB, err)
			for k := range fdb {
				fdb[k].Source = b.blockSource(rb.Loc, "fdb", rb.FDB, fdb[k].Source.Line)
			}
			br.FDB = fdb
		}
		if rb.FailMode != "" && rb.FailMode != "secure" && rb.FailMode != "standalone" {
			b.add(rb.Loc.at("fail-mode", "unknown fail mode %q: want secure or standalone", rb.FailMode))
		}
		seen := map[string]loc{}
		for k, rp := range rb.Ports {
			if rp == nil {
				b.add(rb.Loc.at(fmt.Sprintf("ports[%d]", k), "empty port: want at least a name"))
				continue
			}
			if prev, dup := seen[rp.Name]; dup {
				b.add(rp.Loc.at("name", "port %q is already defined at %s", rp.Name, prev))
				continue
			}
			seen[rp.Name] = rp.Loc
			br.Ports = append(br.Ports, b.ovsPort(rp))
		}
		o.Bridges = append(o.Bridges, br)
	}
	return o
}

var vlanModes = []string{"access", "trunk", "native-tagged", "native-untagged"}

func (b *builder) ovsPort(r *rawOVSPort) *model.OVSPort {
	p := &model.OVSPort{Name: r.Name, OFPort: r.OFPort, VLANMode: r.VLANMode, Options: r.Options, ExternalIDs: r.ExternalIDs, Source: source(r.Loc)}
	t, err := model.ParseOVSPortType(r.Type)
	if err != nil {
		b.add(r.Loc.at("type", "%v", err))
	}
	p.Type = t
	p.RawType = r.RawType
	if (t == model.OVSOther) != (r.RawType != "") && err == nil {
		b.add(r.Loc.at("raw-type", "raw-type goes with type other, and only there: want the OVSDB interface type (dpdk, stt, ...)"))
	}
	if r.OFPort < 0 || r.OFPort > 65279 {
		b.add(r.Loc.at("ofport", "ofport %d is out of range: want 1 to 65279", r.OFPort))
	}
	p.Tag = b.vlan(r.Loc, "tag", r.Tag, true)
	for k, v := range r.Trunks {
		p.Trunks = append(p.Trunks, b.vlan(r.Loc, fmt.Sprintf("trunks[%d]", k), v, true))
	}
	if r.VLANMode != "" && !slices.Contains(vlanModes, r.VLANMode) {
		b.add(r.Loc.at("vlan-mode", "unknown VLAN mode %q: want one of %s", r.VLANMode, strings.Join(vlanModes, ", ")))
	}
	p.PeerName = r.Peer
	if p.PeerName == "" {
		p.PeerName = r.Options["peer"] // as ovs-vsctl show prints it
	}
	switch {
	case t == model.OVSPatch && p.PeerName == "":
		b.add(r.Loc.errorf("patch port %s has no peer: want peer: PORT", r.Name))
	case t != model.OVSPatch && r.Peer != "" && err == nil:
		b.add(r.Loc.at("peer", "only a patch port has a peer, and this one is %s", t))
	}
	return p
}

// vlan checks a VLAN id; zero is allowed where it means "none".
func (b *builder) vlan(l loc, key string, v int, zeroOK bool) uint16 {
	if (v == 0 && !zeroOK) || v < 0 || v > 4095 {
		b.add(l.at(key, "VLAN %d is out of range: want 1 to 4095", v))
		return 0
	}
	return uint16(v)
}

var endpointOnly = map[model.EndpointKind][]string{
	model.EPVM:        {"host", "interface", "routes", "rules", "neighbors", "iptables", "ipsets", "sysctls"},
	model.EPContainer: {"host", "interface", "routes", "rules", "neighbors", "iptables", "ipsets", "sysctls"},
	model.EPNamespace: {"namespace", "nic"},
	model.EPExternal:  {"address", "segment"},
}

// endpointKindKeys are the keys endpointOnly restricts, in file order.
var endpointKindKeys = []string{"host", "interface", "routes", "rules", "neighbors", "iptables", "ipsets", "sysctls", "namespace", "nic", "address", "segment"}

func (b *builder) endpoint(r *rawEndpoint) {
	e := &model.Endpoint{Name: r.Name, Description: r.Description, Source: source(r.Loc)}
	if strings.Contains(r.Name, ":") {
		b.add(r.Loc.errorf("endpoint name %q contains \":\": want a plain name (host:ns:iface is how checks name interfaces)", r.Name))
	} else if _, err := netip.ParseAddr(r.Name); err == nil {
		b.add(r.Loc.errorf("endpoint name %q is an IP address: want a name (checks read addresses as addresses)", r.Name))
	}
	kind, err := model.ParseEndpointKind(r.Kind)
	if err != nil {
		b.add(r.Loc.at("kind", "%v", err))
		return
	}
	e.Kind = kind
	for _, k := range endpointKindKeys {
		if r.Loc.has(k) && !slices.Contains(endpointOnly[kind], k) {
			b.add(r.Loc.at(k, "not for kind %s: want one of %s", kind, strings.Join(endpointOnly[kind], ", ")))
		}
	}
	switch kind {
	case model.EPVM, model.EPContainer:
		b.guest(e, r)
	case model.EPNamespace:
		b.namespaceEndpoint(e, r)
	case model.EPExternal:
		if r.Address == "" {
			b.add(r.Loc.errorf("missing required key %q (an external endpoint is an address)", "address"))
		}
		e.Addr = b.addr(r.Loc, "address", r.Address)
		if r.Segment != "" {
			if e.Segment = b.segs[r.Segment]; e.Segment == nil {
				b.add(r.Loc.at("segment", "no segment %q: segments are %s", r.Segment, keyList(b.segs)))
			}
		}
	}
	b.topo.Endpoints = append(b.topo.Endpoints, e)
}

// guest builds a VM's or container's own stack: a namespace named after the
// endpoint on its host, holding its NIC wired to the host-side device.
func (b *builder) guest(e *model.Endpoint, r *rawEndpoint) {
	if r.Host == "" {
		b.add(r.Loc.errorf("missing required key %q (the host the %s runs on)", "host", e.Kind))
		return
	}
	h := b.hosts[r.Host]
	if h == nil {
		b.add(r.Loc.at("host", "no host %q: hosts are %s", r.Host, keyList(b.hosts)))
		return
	}
	if h.Namespace(e.Name) != nil {
		b.add(r.Loc.errorf("host %s already has a namespace %q: rename the endpoint", h.Name, e.Name))
		return
	}
	ns := &model.Namespace{Name: e.Name, Kind: model.NSGuest, Host: h, Source: source(r.Loc)}
	var ifaces []*rawInterface
	if n := r.Interface; n != nil {
		ifaces = []*rawInterface{{Loc: n.Loc, Name: n.Name, Kind: "nic", MAC: n.MAC, MTU: n.MTU, Addresses: n.Addresses}}
	} else {
		b.add(r.Loc.errorf("missing required key %q (the %s's NIC)", "interface", e.Kind))
	}
	b.stack(ns, r.Loc, stackText{r.Routes, r.Rules, r.Neighbors, r.Iptables, r.IPSets}, ifaces, r.Sysctls)
	h.Namespaces = append(h.Namespaces, ns)
	e.NS = ns
	if len(ns.Interfaces) == 1 {
		e.Iface = ns.Interfaces[0]
		if r.Interface.Link != "" {
			link := r.Interface.Link
			if !strings.Contains(link, ":") {
				link = model.RootName + ":" + link // a bare name is a device in the host's root namespace
			}
			if strings.Count(link, ":") != 1 {
				b.add(r.Interface.Loc.at("link", "bad link %q: want iface (host root namespace) or ns:iface", r.Interface.Link))
			} else {
				b.peer(ns, e.Iface, r.Interface.Loc, "link", link)
			}
		}
	}
}

func (b *builder) namespaceEndpoint(e *model.Endpoint, r *rawEndpoint) {
	if r.Namespace == "" {
		b.add(r.Loc.errorf("missing required key %q (host:ns of an existing namespace)", "namespace"))
		return
	}
	ns, msg := b.findNS(r.Namespace)
	if ns == nil {
		b.add(r.Loc.at("namespace", "%s", msg))
		return
	}
	e.NS = ns
	if r.NIC != "" {
		if e.Iface = ns.Interface(r.NIC); e.Iface == nil {
			b.add(r.Loc.at("nic", "no interface %q in %s", r.NIC, ns.Ref()))
		}
	}
}

// findNS finds "host:ns" among the hosts built so far.
func (b *builder) findNS(ref string) (*model.Namespace, string) {
	host, name, ok := strings.Cut(ref, ":")
	if !ok || strings.Contains(name, ":") {
		return nil, fmt.Sprintf("bad namespace reference %q: want host:ns", ref)
	}
	h := b.hosts[host]
	if h == nil {
		return nil, fmt.Sprintf("no host %q: hosts are %s", host, keyList(b.hosts))
	}
	ns := h.Namespace(name)
	if ns == nil {
		names := make([]string, len(h.Namespaces))
		for i, n := range h.Namespaces {
			names[i] = n.Name
		}
		return nil, fmt.Sprintf("host %s has no namespace %q: it has %s", host, name, strings.Join(names, ", "))
	}
	return ns, ""
}

var netfilterTables = []string{"raw", "mangle", "nat", "filter", "security"}

func (b *builder) check(r *rawCheck) Check {
	c := Check{Name: r.Name, From: r.From, To: r.To, Proto: r.Proto, SPort: r.SPort, DPort: r.DPort, Reply: r.Reply, Source: source(r.Loc)}
	if c.Proto == "" {
		c.Proto = "icmp"
	}
	if !slices.Contains(Protocols, c.Proto) {
		b.add(r.Loc.at("proto", "unknown protocol %q: want one of %s", c.Proto, strings.Join(Protocols, ", ")))
	}
	for _, k := range []struct {
		key string
		v   int
	}{{"sport", r.SPort}, {"dport", r.DPort}} {
		switch {
		case k.v < 0 || k.v > 65535:
			b.add(r.Loc.at(k.key, "port %d is out of range: want 1 to 65535", k.v))
		case r.Loc.has(k.key) && c.Proto == "icmp":
			b.add(r.Loc.at(k.key, "ports are only for proto tcp or udp"))
		}
	}
	c.SrcIP = b.addr(r.Loc, "src-ip", r.SrcIP)
	b.checkEnd(r.Loc, "from", r.From)
	b.checkEnd(r.Loc, "to", r.To)
	for k, d := range r.Disable {
		if d == nil {
			b.add(r.Loc.at(fmt.Sprintf("disable[%d]", k), "empty rule reference: want ns, table and rule"))
			continue
		}
		c.Disable = append(c.Disable, b.ruleRef(d))
	}
	if x := r.Expect; x != nil {
		c.Expect = Expect{Disposition: x.Disposition, Via: x.Via, DecidedBy: x.DecidedBy}
		if !slices.Contains(Dispositions, x.Disposition) {
			b.add(x.Loc.at("disposition", "unknown disposition %q: want one of %s", x.Disposition, strings.Join(Dispositions, ", ")))
		}
		c.Expect.Src = b.addr(x.Loc, "src", x.Src)
		c.Expect.Dst = b.addr(x.Loc, "dst", x.Dst)
	} else {
		b.add(r.Loc.errorf("missing required key %q", "expect"))
	}
	return c
}

// checkEnd rejects an endpoint name that names nothing; addresses and
// host:ns:iface references are left for the tracer to resolve.
func (b *builder) checkEnd(l loc, key, v string) {
	if v == "" || strings.Contains(v, ":") {
		return
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return
	}
	if b.topo.Endpoint(v) == nil {
		names := make([]string, len(b.topo.Endpoints))
		for i, e := range b.topo.Endpoints {
			names[i] = e.Name
		}
		b.add(l.at(key, "no endpoint %q: want an endpoint name (%s), host:ns:iface or an IP address", v, strings.Join(names, ", ")))
	}
}

func (b *builder) ruleRef(r *rawRuleRef) RuleRef {
	ref := RuleRef{NS: r.NS, Table: r.Table, Rule: r.Rule, Source: source(r.Loc)}
	if !slices.Contains(netfilterTables, r.Table) {
		b.add(r.Loc.at("table", "unknown table %q: want one of %s", r.Table, strings.Join(netfilterTables, ", ")))
		return ref
	}
	ns, msg := b.findNS(r.NS)
	if ns == nil {
		if g := b.topo.Endpoint(r.NS); g != nil && g.NS != nil {
			ns = g.NS // a guest's own firewall, named by its endpoint
		} else {
			b.add(r.Loc.at("ns", "%s", msg))
			return ref
		}
	}
	if ns.Netfilter == nil || ns.Netfilter.FindRule(r.Table, r.Rule) == nil {
		b.add(r.Loc.at("rule", "no such rule in table %s of %s", r.Table, ns.Ref()))
	}
	return ref
}

// ---- scalar helpers: read one value, report it at its field ----

func (b *builder) addr(l loc, key, s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		b.add(l.at(key, "bad address %q: want an IP address like 192.168.0.1", s))
	}
	return a
}

func (b *builder) mac(l loc, key, s string) model.MAC {
	if s == "" {
		return model.MAC{}
	}
	m, err := model.ParseMAC(s)
	if err != nil {
		b.add(l.at(key, "%v", err))
	}
	return m
}

// prefixes reads a list of prefixes; masked says whether the host bits must
// be zero (a network, not an interface address).
func (b *builder) prefixes(l loc, key string, list []string, masked bool) []netip.Prefix {
	var out []netip.Prefix
	for i, s := range list {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			b.add(l.at(fmt.Sprintf("%s[%d]", key, i), "bad prefix %q: want ADDRESS/LENGTH like 10.0.0.0/24", s))
			continue
		case masked && p.Masked() != p:
			b.add(l.at(fmt.Sprintf("%s[%d]", key, i), "%s has host bits set: want the network %s", s, p.Masked()))
		}
		out = append(out, p)
	}
	return out
}

func keyList[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return "(none)"
	}
	return strings.Join(keys, ", ")
}
