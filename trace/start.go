package trace

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// Request says what to trace. From and To take an endpoint name,
// "host:ns:iface", "host:ns", or an IP address; an address no namespace
// owns is outside the topology and enters or leaves through a segment.
type Request struct {
	From, To         string
	Proto            uint8 // default ICMP echo request
	SrcPort, DstPort uint16
	SrcIP            netip.Addr // override the source address From implies
	SrcMAC, DstMAC   model.MAC  // override the first frame's MACs
	VLAN             uint16     // the first frame's tag, when injected at a bridge port
	TTL              uint8      // default 64
}

// origin is where a packet starts: a namespace's stack, or outside
// through a segment.
type origin struct {
	ns   *model.Namespace
	seg  *model.Segment
	port *model.OVSPort  // a frame injected at an OVS bridge port
	lsp  *ovn.SwitchPort // a packet sent by the VM behind an OVN logical port
	src  netip.Addr
	ep   *model.Endpoint
}

// Trace follows the packet req describes. It returns one trace per path;
// the error is for bad input only (an unknown endpoint, say).
func (e *Engine) Trace(req Request) ([]*Trace, error) {
	from, err := e.resolveFrom(req.From)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	dst, err := e.resolveTo(req.To)
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	if req.SrcIP.IsValid() {
		from.src = req.SrcIP
	}
	p := Packet{Src: from.src, Dst: dst, Proto: req.Proto, SrcPort: req.SrcPort, DstPort: req.DstPort,
		TTL: req.TTL, Length: 84, SrcMAC: req.SrcMAC, DstMAC: req.DstMAC, VLAN: req.VLAN}
	if req.VLAN != 0 && from.port == nil {
		return nil, errors.New("--vlan: only a frame injected at an OVS bridge port (--from host:bridge:port) starts tagged")
	}
	if from.port != nil {
		if err := e.injectionMACs(from, &p); err != nil {
			return nil, fmt.Errorf("--from %s: %w", req.From, err)
		}
	}
	if from.lsp != nil {
		if err := e.logicalMACs(from.lsp, &p); err != nil {
			return nil, fmt.Errorf("--from %s: %w", req.From, err)
		}
	}
	if p.Proto == 0 {
		p.Proto = ProtoICMP
	}
	if p.TTL == 0 {
		p.TTL = 64
	}
	switch p.Proto {
	case ProtoICMP:
		p.ICMPType = 8
	case ProtoTCP:
		p.TCPFlags = TCPSyn
		p.Length = 60
		if p.SrcPort == 0 {
			p.SrcPort = 40000
		}
	case ProtoUDP:
		p.Length = 48
		if p.SrcPort == 0 {
			p.SrcPort = 40000
		}
	}
	r := &run{e: e}
	return r.start(from, p)
}

// Reply traces the answer to the first forward trace that got through,
// from where it ended, through the connections it created: conntrack says
// ESTABLISHED and undoes its NAT.
func (e *Engine) Reply(forward []*Trace) ([]*Trace, error) {
	var fw *Trace
	for _, t := range forward {
		if t.Disposition.Success() {
			fw = t
			break
		}
	}
	if fw == nil {
		return nil, errors.New("no forward trace was delivered or exited, so there is nothing to reply to")
	}
	f := fw.Final
	p := Packet{Src: f.Dst, Dst: f.Src, Proto: f.Proto, SrcPort: f.DstPort, DstPort: f.SrcPort, TTL: 64, Length: f.Length}
	switch p.Proto {
	case ProtoICMP:
		p.ICMPType = 0
	case ProtoTCP:
		p.TCPFlags = TCPSyn | TCPAck
	}
	o := origin{ns: fw.endNS, seg: fw.endSeg, lsp: fw.endLSP, src: p.Src}
	if o.lsp != nil {
		p.SrcMAC, p.DstMAC = f.DstMAC, f.SrcMAC
	}
	r := &run{e: e, reply: true, fwConns: fw.conns, fwL: fw.lconns}
	return r.start(o, p)
}

// ErrInvalidTrace is an engine bug: a trace that breaks Validate's rules.
var ErrInvalidTrace = errors.New("internal error, please report: the engine built an invalid trace")

func (r *run) start(o origin, p Packet) ([]*Trace, error) {
	c := &cur{tr: &Trace{Packet: p}, seen: map[hopKey]bool{}}
	switch {
	case o.port != nil:
		r.ovsIn(c, o.port, p)
	case o.lsp != nil && o.lsp.Type == ovn.PortLocalnet:
		r.lsIn(c, o.lsp, p, "")
	case o.lsp != nil:
		r.lsIn(c, o.lsp, p, o.lsp.Chassis)
	case o.ns != nil:
		r.localOut(c, o.ns, p)
	default:
		r.fromOutside(c, o.seg, p)
	}
	for _, t := range r.done {
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidTrace, err)
		}
	}
	return r.done, nil
}

// fromOutside injects a packet from beyond (or on) a segment: the
// segment's gateway, or the external host itself, ARPs for the
// destination on the segment and sends the frame in.
func (r *run) fromOutside(c *cur, seg *model.Segment, p Packet) {
	if !r.enter(c, NodeRef{Kind: NodeSegment, Name: seg.Name, Role: "outside"}, p) {
		return
	}
	sender, senderMAC := "", model.MAC{}
	switch {
	case seg.OnSegment(p.Src):
		sender = p.Src.String() + " on segment " + seg.Name
		if ep := r.e.Topo.EndpointAt(p.Src); ep != nil && ep.Kind == model.EPExternal {
			senderMAC = r.e.externalMAC(ep)
		} else {
			senderMAC = fakeMAC("external:" + p.Src.String())
		}
	default:
		sender, senderMAC = fmt.Sprintf("gateway %s of segment %s", seg.Gateway, seg.Name), r.e.gatewayMAC(seg)
	}
	if !seg.OnSegment(p.Dst) {
		r.finish(c, NoRoute, Step{Kind: Route, Action: NoRouteAction,
			Why: fmt.Sprintf("%s is not on segment %s (%v), and the model knows no route for %s to reach it", p.Dst, seg.Name, seg.Prefixes, sender)}, p)
		return
	}
	c.tr.add(Step{Kind: Route, Action: Resolved, Why: fmt.Sprintf("%s sends %s onto segment %s, where %s is directly connected", sender, p, seg.Name, p.Dst),
		Source: srcRef("segment "+seg.Name, seg.Source)})
	var keys []l2Key
	for _, n := range seg.Ifaces {
		keys = append(keys, l2Key{op: opArrive, iface: n})
	}
	mac, how, who, ok := r.e.arpFrom(keys, nil, p.Dst)
	d := &NeighborDetail{IP: p.Dst.String(), Dev: seg.Name, How: how, Answerer: who}
	if !ok {
		r.finish(c, NeighborUnreachable, Step{Kind: Neighbor, Action: Failed, Detail: d,
			Why: fmt.Sprintf("ARP for %s on segment %s gets no answer", p.Dst, seg.Name)}, p)
		return
	}
	d.MAC = mac.String()
	c.tr.add(Step{Kind: Neighbor, Action: Resolved, Why: arpWhy(p.Dst, mac, how, who), Detail: d})
	q := p
	if q.SrcMAC.IsZero() {
		q.SrcMAC = senderMAC
	}
	if q.DstMAC.IsZero() {
		q.DstMAC = mac
	}
	c.tr.Packet = q
	r.segmentForward(c, seg, nil, q)
}

// resolveFrom finds where a packet from s starts.
func (e *Engine) resolveFrom(s string) (origin, error) {
	if ep := e.Topo.Endpoint(s); ep != nil {
		if ep.Kind == model.EPExternal {
			return origin{seg: ep.Segment, src: ep.Addr, ep: ep}, nil
		}
		return origin{ns: ep.NS, src: ep.Addr, ep: ep}, nil
	}
	if strings.Count(s, ":") == 2 && !strings.Contains(s, "::") {
		i, err := e.Topo.InterfaceByRef(s)
		if err != nil {
			if p := e.bridgePort(s); p != nil {
				return origin{port: p}, nil
			}
			return origin{}, err
		}
		a, _ := i.PrimaryAddr()
		return origin{ns: i.NS, src: a}, nil
	}
	if parts := strings.Split(s, ":"); len(parts) == 2 {
		if h := e.Topo.Host(parts[0]); h != nil {
			if ns := h.Namespace(parts[1]); ns != nil {
				return origin{ns: ns}, nil
			}
			return origin{}, fmt.Errorf("%q: host %s has no namespace %q", s, parts[0], parts[1])
		}
	}
	if lsp := e.logicalPort(s); lsp != nil {
		a, _ := lspAddr(lsp)
		return origin{lsp: lsp, src: a}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return origin{}, e.unknown(s)
	}
	var onLo []*model.Namespace
	for _, i := range e.Topo.AddrOwners(a) {
		if i.Kind != model.IfLoopback {
			return origin{ns: i.NS, src: a}, nil
		}
		onLo = append(onLo, i.NS)
	}
	if len(onLo) == 1 && !a.IsLoopback() {
		// An address only one loopback holds (a router id, a service
		// address) is sent from that namespace; 127.0.0.1 is everywhere.
		return origin{ns: onLo[0], src: a}, nil
	}
	if lsp := e.logicalPortAt(a); lsp != nil {
		return origin{lsp: lsp, src: a}, nil
	}
	if seg := e.Topo.SegmentFor(a); seg != nil {
		return origin{seg: seg, src: a}, nil
	}
	return origin{}, fmt.Errorf("%s is owned by no interface or logical port and lies on or beyond no segment", a)
}

// bridgePort finds "host:bridge:port" among the OVS bridges.
func (e *Engine) bridgePort(ref string) *model.OVSPort {
	parts := strings.Split(ref, ":")
	h := e.Topo.Host(parts[0])
	if h == nil || h.OVS == nil {
		return nil
	}
	if b := h.OVS.Bridge(parts[1]); b != nil {
		return b.Port(parts[2])
	}
	return nil
}

// injectionMACs fills in the MACs of a frame injected at a bridge port:
// the source is the device behind the port when it has one, and the
// destination is whoever answers ARP for it in the bridge's L2 domain.
// What cannot be worked out must be given (--src-mac, --dst-mac).
func (e *Engine) injectionMACs(o origin, p *Packet) error {
	behind := o.port.Iface
	if behind != nil && behind.Peer != nil {
		behind = behind.Peer
	}
	if p.SrcMAC.IsZero() && behind != nil && !behind.MAC.IsZero() {
		p.SrcMAC = behind.MAC
	}
	if !p.Src.IsValid() && behind != nil {
		p.Src, _ = behind.PrimaryAddr()
	}
	switch {
	case p.SrcMAC.IsZero():
		return fmt.Errorf("port %s has no device with a MAC behind it: give --src-mac", o.port.Name)
	case !p.Src.IsValid():
		return fmt.Errorf("port %s has no device with an address behind it: give --src-ip", o.port.Name)
	}
	if p.DstMAC.IsZero() {
		mac, _, _, ok := e.arpFrom([]l2Key{{op: opOVSIn, port: o.port, vlan: p.VLAN, pr: senderOf(*p)}}, behind, p.Dst)
		if !ok {
			return fmt.Errorf("no device in %s's L2 domain answers ARP for %s: give --dst-mac", o.port.Bridge.Name, p.Dst)
		}
		p.DstMAC = mac
	}
	return nil
}

// resolveTo finds the destination address of s.
func (e *Engine) resolveTo(s string) (netip.Addr, error) {
	if ep := e.Topo.Endpoint(s); ep != nil {
		if !ep.Addr.IsValid() {
			return netip.Addr{}, fmt.Errorf("endpoint %s has no address", s)
		}
		return ep.Addr, nil
	}
	if strings.Count(s, ":") == 2 && !strings.Contains(s, "::") {
		i, err := e.Topo.InterfaceByRef(s)
		if err != nil {
			return netip.Addr{}, err
		}
		a, ok := i.PrimaryAddr()
		if !ok {
			return netip.Addr{}, fmt.Errorf("%s has no IPv4 address", s)
		}
		return a, nil
	}
	if lsp := e.logicalPort(s); lsp != nil {
		a, ok := lspAddr(lsp)
		if !ok {
			return netip.Addr{}, fmt.Errorf("logical port %s has no IP address", s)
		}
		return a, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, e.unknown(s)
	}
	return a, nil
}

func (e *Engine) unknown(s string) error {
	var names []string
	for _, ep := range e.Topo.Endpoints {
		names = append(names, ep.Name)
	}
	return fmt.Errorf("%q is no endpoint, host:ns:iface or IP address (endpoints: %s)", s, strings.Join(names, ", "))
}
