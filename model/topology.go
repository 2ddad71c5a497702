package model

import (
	"net/netip"

	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/hopscope/hopscope/model/ovn"
)

// Topology is everything hopscope knows about one network.
type Topology struct {
	Name         string
	Description  string
	Hosts        []*Host
	Segments     []*Segment
	Endpoints    []*Endpoint
	Explanations []Explanation // teaching notes matched to hops by device and step (Explain)
	OVN          *ovn.DB       // the OVN northbound/southbound view shared by all hosts; nil without OVN

	idx *index // built by Resolve
}

// Host is one machine: its namespaces (root first) and its OVS instance.
type Host struct {
	Name       string
	Namespaces []*Namespace
	OVS        *OVS // nil when the host runs no Open vSwitch
	Source     Source
	Topo       *Topology
}

// RootName is the name the root namespace goes by in references.
const RootName = "root"

// Root is the host's root namespace.
func (h *Host) Root() *Namespace { return h.Namespace(RootName) }

// Namespace finds a namespace by name.
func (h *Host) Namespace(name string) *Namespace {
	for _, ns := range h.Namespaces {
		if ns.Name == name {
			return ns
		}
	}
	return nil
}

// NSKind says what a namespace stands for.
type NSKind int

const (
	// NSRoot is a host's root namespace.
	NSRoot NSKind = iota
	// NSNamed is an `ip netns` namespace (qrouter-, qdhcp-, fip-, ...).
	NSNamed
	// NSGuest is the network stack inside a VM or container endpoint.
	NSGuest
)

var nsKindNames = []string{"root", "netns", "guest"}

func (k NSKind) String() string { return enumName(nsKindNames, int(k)) }

// MarshalText writes the kind's name.
func (k NSKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Namespace is one network stack: devices, addresses, routes, rules,
// neighbours, sysctls and netfilter.
type Namespace struct {
	Name       string
	Kind       NSKind
	Host       *Host
	Interfaces []*Interface
	Routes     []*Route
	Rules      []*Rule // in priority order; DefaultRules() when none were given
	Neighbors  []*Neighbor

	IPForward            bool // net.ipv4.ip_forward
	BridgeNFCallIptables bool // net.bridge.bridge-nf-call-iptables

	Netfilter       *netfilter.Ruleset // nil: no rules, every policy ACCEPT
	NetfilterSource Source             // where the iptables-save text starts (its line 1)
	IPSets          map[string]*netfilter.IPSet

	Source Source

	ifByName map[string]*Interface
}

// Ref is "host:ns".
func (n *Namespace) Ref() string { return n.Host.Name + ":" + n.Name }

func (n *Namespace) String() string { return n.Ref() }

// Interface finds a device by name.
func (n *Namespace) Interface(name string) *Interface {
	if n.ifByName != nil {
		return n.ifByName[name]
	}
	for _, i := range n.Interfaces {
		if i.Name == name {
			return i
		}
	}
	return nil
}

// AddInterface adds a device and points it back at this namespace.
func (n *Namespace) AddInterface(i *Interface) {
	i.NS = n
	n.Interfaces = append(n.Interfaces, i)
	if n.ifByName != nil {
		n.ifByName[i.Name] = i
	}
}

// LocalAddr reports whether a is one of this namespace's own addresses.
func (n *Namespace) LocalAddr(a netip.Addr) *Interface {
	for _, i := range n.Interfaces {
		if i.HasAddr(a) {
			return i
		}
	}
	return nil
}

// Segment is an L2 network outside any host: the provider network, a LAN.
// Anything in Upstream lies beyond Gateway ("the internet").
type Segment struct {
	Name       string
	Prefixes   []netip.Prefix
	Gateway    netip.Addr
	GatewayMAC MAC
	Upstream   []netip.Prefix // routed in and out through Gateway
	Ifaces     []*Interface   // host NICs attached (resolved)
	Source     Source
}

// Beyond reports whether a lies behind the segment's gateway.
func (s *Segment) Beyond(a netip.Addr) bool {
	if !s.Gateway.IsValid() {
		return false
	}
	for _, p := range s.Upstream {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// OnSegment reports whether a is in one of the segment's own subnets.
func (s *Segment) OnSegment(a netip.Addr) bool {
	for _, p := range s.Prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// EndpointKind says what an endpoint is.
type EndpointKind int

const (
	// EPVM is a virtual machine: a guest namespace behind a tap.
	EPVM EndpointKind = iota
	// EPContainer is a container: a guest namespace behind a veth.
	EPContainer
	// EPNamespace names an existing host namespace (a qdhcp-, a qrouter-).
	EPNamespace
	// EPExternal is an address on or beyond a segment.
	EPExternal
)

var epKindNames = []string{"vm", "container", "namespace", "external"}

func (k EndpointKind) String() string { return enumName(epKindNames, int(k)) }

// MarshalText writes the kind's name.
func (k EndpointKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseEndpointKind reads an endpoint kind name.
func ParseEndpointKind(s string) (EndpointKind, error) {
	i, err := parseEnum(epKindNames, s, "endpoint kind")
	return EndpointKind(i), err
}

// Endpoint is a named thing to trace from or to.
type Endpoint struct {
	Name        string
	Kind        EndpointKind
	Description string
	NS          *Namespace // the stack that sends and receives (not for external)
	Iface       *Interface // its NIC; nil lets routing pick
	Addr        netip.Addr // its address (primary address of Iface unless set)
	Segment     *Segment   // valid iff Kind == EPExternal
	Source      Source
}

func (e *Endpoint) String() string {
	return e.Name + " (" + e.Kind.String() + " " + e.Addr.String() + ")"
}
