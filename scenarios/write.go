package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hopscope/hopscope/model"
)

// Write writes t in the scenario format, so that Load reads back the same
// model. What the format cannot say is an error naming it, never dropped;
// the exceptions are by design:
//
//   - Sources (file:line) are where the reader finds things, not the model.
//   - Routes the kernel implies for an address, and the default ip rules,
//     are left out: Load adds them again.
//   - A guest namespace (NSGuest) is written as its vm or container endpoint.
//     One that no single endpoint owns, or that has more than its one NIC,
//     is written as a host namespace (and reads back as NSNamed); an endpoint
//     on it is then written as kind namespace.
//   - Guest namespaces read back after the host's own namespaces, in
//     endpoint order; a root namespace is written first.
//   - OVN rows lose their UUIDs (like Sources, they say where a row came
//     from), address sets their external_ids, which the format's
//     NAME: [ADDRESS...] has no room for, and Gateway_Chassis rows their
//     names, which Load makes PORT_CHASSIS (Neutron's; ovn-nbctl's is
//     PORT-CHASSIS). What Index sets is set again.
//
// Checks are not part of the model and are not written.
func Write(out io.Writer, t *model.Topology) error {
	w := newWriter(t)
	var sections []*yaml.Node
	head := blockMap()
	putStr(head, "name", t.Name)
	putStr(head, "description", t.Description)
	sections = append(sections, head)
	if len(t.Segments) > 0 {
		sections = append(sections, single("segments", w.segments(t.Segments)))
	}
	if len(t.Hosts) > 0 {
		sections = append(sections, single("hosts", w.hosts(t.Hosts)))
	}
	if len(t.Endpoints) > 0 {
		sections = append(sections, single("endpoints", w.endpoints(t.Endpoints)))
	}
	if t.OVN != nil {
		sections = append(sections, single("ovn", w.ovn(t.OVN)))
	}
	if len(t.Explanations) > 0 {
		sections = append(sections, single("explain", w.explain(t.Explanations)))
	}
	if err := errors.Join(w.errs...); err != nil {
		return err
	}
	// Each top-level section is encoded alone so a blank line can part
	// them, as in the hand-written examples.
	var buf bytes.Buffer
	for k, s := range sections {
		if len(s.Content) == 0 {
			continue
		}
		if k > 0 && buf.Len() > 0 {
			buf.WriteByte('\n')
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("encoding the scenario: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("encoding the scenario: %w", err)
		}
	}
	_, err := out.Write(buf.Bytes())
	return err
}

// writer holds what one Write learns about the topology before writing it.
type writer struct {
	errs     []error
	where    map[*model.Interface]ifPlace         // every interface, by its place
	byRef    map[string]*model.Interface          // "host:ns:iface" -> interface
	nsRef    map[*model.Namespace]string          // "host:ns"
	owner    map[*model.Namespace]*model.Endpoint // guest namespaces written as their endpoint
	guestNIC map[*model.Interface]bool            // the NICs of those, written as the endpoint's interface
	declared map[*model.Interface]bool            // interfaces whose wire is already written
}

// ifPlace is where an interface sits.
type ifPlace struct{ host, ns, name string }

func (p ifPlace) ref() string { return p.host + ":" + p.ns + ":" + p.name }

func (w *writer) fail(what, format string, args ...any) {
	err := fmt.Errorf("cannot write %s: %s", what, fmt.Sprintf(format, args...))
	for _, e := range w.errs {
		if e.Error() == err.Error() {
			return // found twice: by the planning pass and by the writing one
		}
	}
	w.errs = append(w.errs, err)
}

func newWriter(t *model.Topology) *writer {
	w := &writer{where: map[*model.Interface]ifPlace{}, byRef: map[string]*model.Interface{},
		nsRef: map[*model.Namespace]string{}, owner: map[*model.Namespace]*model.Endpoint{},
		guestNIC: map[*model.Interface]bool{}, declared: map[*model.Interface]bool{}}
	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			w.nsRef[ns] = h.Name + ":" + ns.Name
			for _, i := range ns.Interfaces {
				p := ifPlace{h.Name, ns.Name, i.Name}
				w.where[i], w.byRef[p.ref()] = p, i
			}
		}
	}
	owners := map[*model.Namespace][]*model.Endpoint{}
	for _, e := range t.Endpoints {
		if e.NS != nil && (e.Kind == model.EPVM || e.Kind == model.EPContainer) {
			owners[e.NS] = append(owners[e.NS], e)
		}
	}
	for _, e := range t.Endpoints { // in order, so errors come out in order
		if es := owners[e.NS]; len(es) == 1 && es[0] == e && w.guestShaped(e.NS, e) {
			w.owner[e.NS], w.guestNIC[e.NS.Interfaces[0]] = e, true
		}
	}
	return w
}

// guestShaped reports whether ns can be written as endpoint e's guest
// stack: Load builds a guest as one NIC named by the endpoint, with a
// name, MAC, MTU, addresses and a link to a device on the same host.
func (w *writer) guestShaped(ns *model.Namespace, e *model.Endpoint) bool {
	if _, onHost := w.nsRef[ns]; !onHost || ns.Kind != model.NSGuest || ns.Name != e.Name || len(ns.Interfaces) != 1 {
		return false
	}
	nic := ns.Interfaces[0]
	if e.Iface != nic || nic.Kind != model.IfNIC || nic.Down || nic.LinkType != "" ||
		nic.MasterName != "" || nic.Master != nil || nic.SegmentName != "" || nic.Segment != nil ||
		nic.Bridge != nil || nic.PortVLAN != nil {
		return false
	}
	if p := w.peerOf(nic); p != "" && !strings.HasPrefix(p, w.where[nic].host+":") {
		return false // a link names a device on the guest's own host
	}
	return true
}

// peerOf is the "host:ns:iface" at the other end of i's wire, or "".
func (w *writer) peerOf(i *model.Interface) string {
	at := w.where[i]
	if i.PeerRef != "" {
		parts := strings.Split(i.PeerRef, ":")
		switch len(parts) {
		case 1:
			return at.host + ":" + at.ns + ":" + i.PeerRef
		case 2:
			return at.host + ":" + i.PeerRef
		}
		return i.PeerRef
	}
	if i.Peer != nil {
		if p, ok := w.where[i.Peer]; ok {
			return p.ref()
		}
		w.fail(at.ref(), "its peer %s is in no namespace of the topology", i.Peer.Name)
	}
	return ""
}

// wire is the peer to write on i, or "" when the wire is declared at its
// other end: by a guest's link, or by the end written first.
func (w *writer) wire(i *model.Interface) string {
	w.declared[i] = true
	ref := w.peerOf(i)
	if ref == "" {
		return ""
	}
	if p := w.byRef[ref]; p != nil && w.peerOf(p) == w.where[i].ref() &&
		(w.declared[p] || w.guestNIC[p]) {
		return ""
	}
	return ref
}

func (w *writer) segments(segs []*model.Segment) *yaml.Node {
	m := blockMap()
	for _, s := range segs {
		sm := blockMap()
		putPrefixes(sm, "prefixes", s.Prefixes)
		if s.Gateway.IsValid() {
			put(sm, "gateway", str(s.Gateway.String()))
		}
		if !s.GatewayMAC.IsZero() {
			put(sm, "gateway-mac", quoted(s.GatewayMAC.String()))
		}
		if len(s.Upstream) > 0 && !s.Gateway.IsValid() {
			w.fail("segment "+s.Name, "upstream %v with no gateway to reach it through", s.Upstream)
		}
		if !slices.Equal(s.Upstream, everywhere) {
			putPrefixes(sm, "upstream", s.Upstream) // Resolve gives a gateway everywhere else
		}
		put(m, s.Name, sm)
	}
	return m
}

// everywhere is the upstream Resolve gives a segment with a gateway and none.
var everywhere = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}

func (w *writer) hosts(hosts []*model.Host) *yaml.Node {
	m := blockMap()
	for _, h := range hosts {
		hm := blockMap()
		nss := blockMap()
		// The root namespace first, then the rest in model order.
		order := slices.Clone(h.Namespaces)
		if k := slices.IndexFunc(order, func(ns *model.Namespace) bool { return ns.Name == model.RootName }); k > 0 {
			order = append([]*model.Namespace{order[k]}, slices.Delete(order, k, k+1)...)
		}
		for _, ns := range order {
			if w.owner[ns] == nil {
				put(nss, ns.Name, w.namespace(ns))
			}
		}
		if len(nss.Content) > 0 {
			put(hm, "namespaces", nss)
		}
		if h.OVS != nil {
			put(hm, "ovs", w.ovs(h))
		}
		put(m, h.Name, hm)
	}
	return m
}

func (w *writer) namespace(ns *model.Namespace) *yaml.Node {
	ref := w.nsRef[ns]
	switch {
	case ns.Kind == model.NSRoot && ns.Name != model.RootName:
		w.fail(ref, "a root namespace must be named %q", model.RootName)
	case ns.Kind != model.NSRoot && ns.Name == model.RootName:
		w.fail(ref, "a %s namespace cannot be named %q: the format reads that name as the root namespace", ns.Kind, model.RootName)
	case ns.Kind < model.NSRoot || ns.Kind > model.NSGuest:
		w.fail(ref, "unknown namespace kind %s", ns.Kind)
	}
	m := blockMap()
	if sys := sysctls(ns); len(sys.Content) > 0 {
		put(m, "sysctls", sys)
	}
	if len(ns.Interfaces) > 0 {
		ifs := blockSeq()
		for _, i := range ns.Interfaces {
			ifs.Content = append(ifs.Content, w.iface(i))
		}
		put(m, "interfaces", ifs)
	}
	w.stackText(m, ref, ns)
	return m
}

// sysctls are a namespace's own sysctls.
func sysctls(ns *model.Namespace) *yaml.Node {
	m := blockMap()
	if ns.IPForward {
		put(m, "net.ipv4.ip_forward", num(1))
	}
	if ns.BridgeNFCallIptables {
		put(m, "net.bridge.bridge-nf-call-iptables", num(1))
	}
	return m
}

// peerKinds are the interface kinds Load lets carry a peer.
var peerKinds = []model.IfKind{model.IfVeth, model.IfTap, model.IfPhysical, model.IfNIC}

func (w *writer) iface(i *model.Interface) *yaml.Node {
	ref := w.where[i].ref()
	m := flowMap()
	put(m, "name", str(i.Name))
	if _, err := model.ParseIfKind(i.Kind.String()); err != nil {
		w.fail(ref, "unknown interface kind %s", i.Kind)
	}
	put(m, "kind", str(i.Kind.String()))
	if (i.Kind == model.IfOther) != (i.LinkType != "") {
		w.fail(ref, "kind %s with link-type %q: a link type goes with kind other, and only there", i.Kind, i.LinkType)
	}
	putStr(m, "link-type", i.LinkType)
	if !i.MAC.IsZero() {
		put(m, "mac", quoted(i.MAC.String()))
	}
	putInt(m, "mtu", i.MTU)
	putPrefixes(m, "addresses", i.Addrs)
	putBool(m, "down", i.Down)
	master := i.MasterName
	if master == "" && i.Master != nil {
		master = i.Master.Name
		if p := w.where[i.Master]; p.host != w.where[i].host || p.ns != w.where[i].ns {
			w.fail(ref, "its master %s is in another namespace", p.ref())
		}
	}
	putStr(m, "master", master)
	if peer := w.wire(i); peer != "" {
		if !slices.Contains(peerKinds, i.Kind) {
			w.fail(ref, "a %s interface has a peer (%s): the format gives peers to veth, tap, physical and nic only", i.Kind, peer)
		}
		put(m, "peer", str(peer))
	}
	seg := i.SegmentName
	if seg == "" && i.Segment != nil {
		seg = i.Segment.Name
	}
	if seg != "" && i.Kind != model.IfPhysical {
		w.fail(ref, "a %s interface on segment %s: only a physical interface attaches to a segment", i.Kind, seg)
	}
	putStr(m, "segment", seg)
	putBool(m, "proxy-arp", i.ProxyARP)
	putInt(m, "rp-filter", i.RPFilter)
	if b := i.Bridge; b != nil {
		if i.Kind != model.IfBridge && (b.VLANFiltering || len(b.FDB) > 0) {
			w.fail(ref, "a %s interface has bridge settings: only kind bridge has them", i.Kind)
		}
		putBool(m, "vlan-filtering", b.VLANFiltering)
		if len(b.FDB) > 0 {
			m.Style = 0 // rows read better one a line
			rows := blockSeq()
			for _, f := range b.FDB {
				rows.Content = append(rows.Content, fdbRow(f))
			}
			put(m, "fdb", rows)
		}
	}
	if v := i.PortVLAN; v != nil {
		vm := flowMap()
		put(vm, "pvid", num(int(v.PVID)))
		putU16s(vm, "untagged", v.Untagged)
		putU16s(vm, "tagged", v.Tagged)
		put(m, "vlan", vm)
	}
	return m
}

func fdbRow(f *model.FDBEntry) *yaml.Node {
	m := flowMap()
	put(m, "mac", quoted(f.MAC.String()))
	put(m, "port", str(f.Port))
	putInt(m, "vlan", int(f.VLAN))
	putBool(m, "learned", !f.Static)
	return m
}

func (w *writer) ovs(h *model.Host) *yaml.Node {
	bridges := blockMap()
	for _, b := range h.OVS.Bridges {
		bm := blockMap()
		putStr(bm, "fail-mode", b.FailMode)
		putStr(bm, "datapath-type", b.DatapathType)
		if len(b.Ports) > 0 {
			ports := blockSeq()
			for _, p := range b.Ports {
				ports.Content = append(ports.Content, w.ovsPort(h.Name+":"+b.Name+":"+p.Name, p))
			}
			put(bm, "ports", ports)
		}
		if b.FlowText != "" {
			put(bm, "flows", str(b.FlowText))
		}
		if len(b.FDB) > 0 {
			put(bm, "fdb", str(model.FormatOVSFDB(b.FDB)))
		}
		put(bridges, b.Name, bm)
	}
	m := blockMap()
	putStr(m, "netns", h.OVS.NetNS)
	if len(bridges.Content) > 0 {
		put(m, "bridges", bridges)
	}
	return m
}

func (w *writer) ovsPort(ref string, p *model.OVSPort) *yaml.Node {
	m := flowMap()
	put(m, "name", str(p.Name))
	putInt(m, "ofport", p.OFPort)
	if _, err := model.ParseOVSPortType(p.Type.String()); err != nil {
		w.fail(ref, "unknown OVS port type %s", p.Type)
	}
	if p.Type != model.OVSSystem {
		put(m, "type", str(p.Type.String()))
	}
	if (p.Type == model.OVSOther) != (p.RawType != "") {
		w.fail(ref, "type %s with raw-type %q: a raw type goes with type other, and only there", p.Type, p.RawType)
	}
	putStr(m, "raw-type", p.RawType)
	putInt(m, "tag", int(p.Tag))
	putU16s(m, "trunks", p.Trunks)
	putStr(m, "vlan-mode", p.VLANMode)
	peer := p.PeerName
	if peer == "" && p.Peer != nil {
		peer = p.Peer.Name
	}
	switch {
	case p.Type == model.OVSPatch:
		putStr(m, "peer", peer)
	case peer != "" && peer != p.Options["peer"]:
		w.fail(ref, "a %s port has peer %s: only a patch port has a peer", p.Type, peer)
	}
	if len(p.Options) > 0 {
		put(m, "options", stringMap(p.Options, true))
	}
	if len(p.ExternalIDs) > 0 {
		put(m, "external-ids", stringMap(p.ExternalIDs, true))
	}
	return m
}

func (w *writer) endpoints(eps []*model.Endpoint) *yaml.Node {
	m := blockMap()
	for _, e := range eps {
		put(m, e.Name, w.endpoint(e))
	}
	return m
}

func (w *writer) endpoint(e *model.Endpoint) *yaml.Node {
	what := "endpoint " + e.Name
	if _, err := model.ParseEndpointKind(e.Kind.String()); err != nil {
		w.fail(what, "unknown endpoint kind %s", e.Kind)
	}
	m := blockMap()
	kind := e.Kind
	if kind != model.EPExternal && e.NS != nil && w.owner[e.NS] != e {
		kind = model.EPNamespace // a vm or container whose stack is written as a host namespace
	}
	put(m, "kind", str(kind.String()))
	if e.Kind != model.EPExternal && e.Segment != nil {
		w.fail(what, "a %s endpoint has segment %s: only an external endpoint names one", e.Kind, e.Segment.Name)
	}
	switch {
	case kind == model.EPExternal:
		putStr(m, "description", e.Description)
		if e.NS != nil || e.Iface != nil {
			w.fail(what, "an external endpoint has a namespace or interface")
		}
		if !e.Addr.IsValid() {
			w.fail(what, "an external endpoint has no address")
		} else {
			put(m, "address", str(e.Addr.String()))
		}
		if e.Segment != nil {
			put(m, "segment", str(e.Segment.Name))
		}
		return m
	case e.NS == nil:
		w.fail(what, "a %s endpoint has no namespace", e.Kind)
		return m
	}
	if a := impliedAddr(e); e.Addr.IsValid() && e.Addr != a {
		w.fail(what, "address %s is not the primary address of its interface (the format derives it)", e.Addr)
	}
	if kind == model.EPNamespace {
		putStr(m, "description", e.Description)
		if w.nsRef[e.NS] == "" {
			w.fail(what, "its namespace %s is on no host of the topology", e.NS.Name)
		}
		put(m, "namespace", str(w.nsRef[e.NS]))
		if e.Iface != nil {
			if !slices.Contains(e.NS.Interfaces, e.Iface) {
				w.fail(what, "its interface %s is not in its namespace %s", e.Iface.Name, w.nsRef[e.NS])
			}
			put(m, "nic", str(e.Iface.Name))
		}
		return m
	}
	w.guest(m, e)
	return m
}

// guest writes a vm's or container's own stack under its endpoint.
func (w *writer) guest(m *yaml.Node, e *model.Endpoint) {
	ns, nic := e.NS, e.NS.Interfaces[0]
	at := w.where[nic]
	put(m, "host", str(at.host))
	putStr(m, "description", e.Description)
	im := blockMap()
	put(im, "name", str(nic.Name))
	if !nic.MAC.IsZero() {
		put(im, "mac", quoted(nic.MAC.String()))
	}
	putInt(im, "mtu", nic.MTU)
	putPrefixes(im, "addresses", nic.Addrs)
	if p := w.peerOf(nic); p != "" {
		put(im, "link", str(strings.TrimPrefix(p, at.host+":")))
	}
	put(m, "interface", im)
	sys := sysctls(ns) // a guest has no interface keys: its NIC's knobs are sysctls
	if nic.ProxyARP {
		put(sys, "net.ipv4.conf."+nic.Name+".proxy_arp", num(1))
	}
	if nic.RPFilter != 0 {
		put(sys, "net.ipv4.conf."+nic.Name+".rp_filter", num(nic.RPFilter))
	}
	if len(sys.Content) > 0 {
		put(m, "sysctls", sys)
	}
	w.stackText(m, w.nsRef[ns], ns)
}

// impliedAddr is the address Resolve gives an endpoint with none set.
func impliedAddr(e *model.Endpoint) netip.Addr {
	if e.Iface != nil {
		if a, ok := e.Iface.PrimaryAddr(); ok {
			return a
		}
	}
	for _, i := range e.NS.Interfaces {
		if a, ok := i.PrimaryAddr(); ok && i.Kind != model.IfLoopback {
			return a
		}
	}
	return netip.Addr{}
}
