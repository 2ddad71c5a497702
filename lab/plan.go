package lab

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
)

// Plan is what Up will run, worked out from the model without touching the
// machine, so it can be read (and tested) before anything is created.
type Plan struct {
	State
	Spaces []*Space   // in creation order
	OVS    []*OVSPlan // one private vswitchd per host with OVS bridges
	byNS   map[*model.Namespace]*Space
	bySeg  map[*model.Segment]*Space
	byEP   map[*model.Endpoint]*Space
	ovsOf  map[*model.Host]*Space
	ovsDev map[*model.OVSPort]string // the device in the OVS namespace that carries a port
	upAddr map[*model.Segment][]netip.Addr
	bad    []error // what the machine cannot realise, found before touching it
}

// Space is one namespace to create and the `ip -batch` lines that fill it.
type Space struct {
	Netns
	Links    []string // pass 1: devices created here (veth peers may land elsewhere)
	Settings []string // pass 2: masters, addresses, state, FDB, VLANs
	Routes   []string // pass 3: routes, rules, neighbours (need addresses)
	Sysctls  []string // key=value, applied before pass 2
	Veths    []string // devices whose checksum offload goes off (userspace OVS)
	Bridge   []string // `bridge -batch` lines: FDB rows and port VLANs
	Iptables string   // iptables-restore input
	IPSets   string   // ipset restore input
	ports    int      // bridge ports made so far (segment namespaces)
	spares   int      // idle veth ends made so far (dummies)
}

// OVSPlan is one host's private Open vSwitch.
type OVSPlan struct {
	Host   string
	Netns  string
	Dir    string
	Vsctl  [][]string // ovs-vsctl argument lists, one transaction each
	Bridge []string
	Flows  []BridgeFlows // OpenFlow tables to load once the bridges exist
}

// BridgeFlows is one bridge's flow table, one flow per line as add-flows reads it.
type BridgeFlows struct {
	Bridge string
	Text   string
}

// Options tune a plan.
type Options struct {
	Prefix string       // lab name; "" = Prefix(topology name)
	Extra  []netip.Addr // more addresses beyond segment gateways to answer on (probe targets)
}

// NewPlan works out how to realise t (resolved) on this machine.
// ErrOVN refuses a scenario with an OVN section: realising OVN's logical
// network would need ovn-controller programming each host's br-int, which
// the lab does not run. hopscope's OVN pipeline is proven against
// ovn-northd and ovn-trace instead.
var ErrOVN = errors.New("lab cannot realise an OVN logical network (that needs ovn-controller on every host); its OVN pipeline is checked against ovn-northd and ovn-trace instead")

func NewPlan(t *model.Topology, o Options) (*Plan, error) {
	if t.OVN != nil {
		return nil, ErrOVN
	}
	p := &Plan{
		State: State{Prefix: o.Prefix, Scenario: t.Name},
		byNS:  map[*model.Namespace]*Space{}, bySeg: map[*model.Segment]*Space{},
		byEP: map[*model.Endpoint]*Space{}, ovsOf: map[*model.Host]*Space{}, ovsDev: map[*model.OVSPort]string{}, upAddr: map[*model.Segment][]netip.Addr{},
	}
	if p.Prefix == "" {
		p.Prefix = Prefix(t.Name)
	}
	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			p.byNS[ns] = p.space(Netns{Name: netnsName(p.Prefix, h.Name, ns.Name), Host: h.Name, NS: ns.Name, Role: "namespace"})
		}
		if h.OVS != nil && len(h.OVS.Bridges) > 0 {
			s := p.space(Netns{Name: netnsName(p.Prefix, h.Name, "ovs"), Host: h.Name, Role: "ovs"})
			p.ovsOf[h] = s
			s.Sysctls = append(s.Sysctls, "net.ipv4.ip_forward=0")
		}
	}
	for _, seg := range t.Segments {
		p.segment(seg)
	}
	for _, e := range t.Endpoints {
		p.external(t, e)
	}
	for _, a := range o.Extra {
		if len(t.AddrOwners(a)) == 0 {
			p.upstreamAddr(t, a)
		}
	}
	for _, seg := range t.Segments {
		p.upstream(seg)
	}
	wired := map[*model.Interface]bool{}
	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			p.stack(ns)
			for _, i := range ns.Interfaces {
				p.iface(i, wired)
			}
		}
		p.ovs(h)
	}
	if len(p.bad) > 0 {
		return nil, errors.Join(p.bad...)
	}
	return p, nil
}

func (p *Plan) space(n Netns) *Space {
	s := &Space{Netns: n, Settings: []string{"link set lo up"}}
	p.Spaces = append(p.Spaces, s)
	p.Netns = append(p.Netns, n)
	return s
}

func (p *Plan) note(format string, args ...any) {
	p.Substitutions = append(p.Substitutions, fmt.Sprintf(format, args...))
}

// NetnsOf is the lab namespace that realises ns.
func (p *Plan) NetnsOf(ns *model.Namespace) string {
	if s := p.byNS[ns]; s != nil {
		return s.Name
	}
	return ""
}

// EndpointNetns is the lab namespace an endpoint sends and receives in.
func (p *Plan) EndpointNetns(e *model.Endpoint) string {
	if e.NS != nil {
		return p.NetnsOf(e.NS)
	}
	if s := p.byEP[e]; s != nil {
		return s.Name
	}
	if e.Segment != nil && p.bySeg[e.Segment] != nil {
		return p.bySeg[e.Segment].Name
	}
	return ""
}

// SegmentNetns is the namespace standing in for a segment and its gateway.
func (p *Plan) SegmentNetns(seg *model.Segment) string {
	if s := p.bySeg[seg]; s != nil {
		return s.Name
	}
	return ""
}

// segBridge is the bridge in a segment namespace that NICs plug into.
const segBridge = "seg"

// segment becomes a namespace with a bridge; the gateway's address and MAC
// sit on it, so the namespace is the router to everything upstream.
func (p *Plan) segment(seg *model.Segment) {
	s := p.space(Netns{Name: netnsName(p.Prefix, "seg", seg.Name), NS: seg.Name, Role: "segment"})
	p.bySeg[seg] = s
	s.Sysctls = append(s.Sysctls, "net.ipv4.ip_forward=0")
	s.Links = append(s.Links, "link add "+segBridge+" type bridge")
	if !seg.GatewayMAC.IsZero() {
		s.Settings = append(s.Settings, "link set "+segBridge+" address "+seg.GatewayMAC.String())
	}
	s.Settings = append(s.Settings, "link set "+segBridge+" up")
	if seg.Gateway.IsValid() {
		for _, pf := range seg.Prefixes {
			if pf.Contains(seg.Gateway) {
				s.Settings = append(s.Settings, fmt.Sprintf("addr add %s/%d dev %s", seg.Gateway, pf.Bits(), segBridge))
			}
		}
	}
}

// upstream puts the addresses beyond a segment's gateway on the loopback of
// its namespace: "the internet" answers there.
func (p *Plan) upstream(seg *model.Segment) {
	addrs := p.upAddr[seg]
	if len(addrs) == 0 {
		return
	}
	s := p.bySeg[seg]
	seen := map[netip.Addr]bool{}
	for _, a := range addrs {
		if !seen[a] {
			seen[a] = true
			s.Settings = append(s.Settings, fmt.Sprintf("addr add %s/32 dev lo", a))
		}
	}
}

// upstreamAddr answers for address a, which lies beyond segment gateways,
// in every segment namespace whose gateway leads to it: each stands for its
// own segment's upstream network, so a packet leaving through any of them
// arrives.
func (p *Plan) upstreamAddr(t *model.Topology, a netip.Addr) {
	for _, seg := range t.Segments {
		if seg.Beyond(a) && !seg.OnSegment(a) {
			p.upAddr[seg] = append(p.upAddr[seg], a)
		}
	}
}

// external places an external endpoint: beyond its segment's gateway it is
// an upstream address; on the segment it gets a namespace of its own.
func (p *Plan) external(t *model.Topology, e *model.Endpoint) {
	if e.Kind != model.EPExternal {
		return
	}
	seg := e.Segment
	if seg == nil {
		seg = t.SegmentFor(e.Addr)
	}
	if seg == nil {
		p.note("external endpoint %s (%s) is on no segment: not realised", e.Name, e.Addr)
		return
	}
	if seg.Beyond(e.Addr) || !seg.OnSegment(e.Addr) {
		p.upstreamAddr(t, e.Addr)
		if !seg.Beyond(e.Addr) {
			p.upAddr[seg] = append(p.upAddr[seg], e.Addr)
		}
		p.byEP[e] = p.bySeg[seg]
		return
	}
	s := p.space(Netns{Name: netnsName(p.Prefix, "ext", e.Name), NS: e.Name, Role: "external"})
	p.byEP[e] = s
	seg0 := p.bySeg[seg]
	port := p.segPort(seg0)
	s.Links = append(s.Links, fmt.Sprintf("link add eth0 type veth peer name %s netns %s", port, seg0.Name))
	s.Veths = append(s.Veths, "eth0")
	seg0.Veths = append(seg0.Veths, port)
	seg0.Settings = append(seg0.Settings, "link set "+port+" master "+segBridge, "link set "+port+" up")
	for _, pf := range seg.Prefixes {
		if pf.Contains(e.Addr) {
			s.Settings = append(s.Settings, fmt.Sprintf("addr add %s/%d dev eth0", e.Addr, pf.Bits()))
		}
	}
	s.Settings = append(s.Settings, "link set eth0 up")
	if seg.Gateway.IsValid() {
		s.Routes = append(s.Routes, "route replace default via "+seg.Gateway.String()+" dev eth0")
	}
	s.Sysctls = append(s.Sysctls, "net.ipv4.ip_forward=0")
}

// segPort names the next bridge port of a segment namespace.
func (p *Plan) segPort(seg *Space) string {
	seg.ports++
	return fmt.Sprintf("p%d", seg.ports)
}

// stack writes a namespace's sysctls, routes, rules, neighbours and netfilter.
func (p *Plan) stack(ns *model.Namespace) {
	s := p.byNS[ns]
	s.Sysctls = append(s.Sysctls, "net.ipv4.ip_forward="+bit(ns.IPForward),
		"net.bridge.bridge-nf-call-iptables="+bit(ns.BridgeNFCallIptables))
	for _, r := range ns.Routes {
		if !r.Implied {
			s.Routes = append(s.Routes, "route replace "+r.String())
		}
	}
	// The kernel's default rules are replaced by exactly the model's list.
	s.Routes = append(s.Routes, "rule flush", "rule del pref 0")
	for _, r := range ns.Rules {
		pref, rest, _ := strings.Cut(r.String(), ":")
		s.Routes = append(s.Routes, "rule add pref "+pref+" "+strings.TrimSpace(rest))
	}
	for _, n := range ns.Neighbors {
		switch n.State {
		case model.NeighPermanent, model.NeighNoARP:
			s.Routes = append(s.Routes, fmt.Sprintf("neigh replace %s dev %s lladdr %s nud permanent", n.IP, n.Dev, n.MAC))
		case model.NeighIncomplete, model.NeighFailed:
			// Nothing to add: the kernel resolves afresh, as the model's ARP step does.
		default:
			s.Routes = append(s.Routes, fmt.Sprintf("neigh replace %s dev %s lladdr %s nud stale", n.IP, n.Dev, n.MAC))
		}
	}
	if ns.Netfilter != nil {
		s.Iptables = ns.Netfilter.String()
	}
	if len(ns.IPSets) > 0 {
		s.IPSets = netfilter.SaveIPSets(ns.IPSets)
	}
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
