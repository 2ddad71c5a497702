package model

import (
	"fmt"
	"net/netip"
	"strings"
)

// IfKind is what sort of network device an interface is.
type IfKind int

const (
	// IfLoopback is lo.
	IfLoopback IfKind = iota
	// IfVeth is one end of a veth pair; Peer is the other end.
	IfVeth
	// IfTap is a tap device; Peer is the VM or container NIC behind it.
	IfTap
	// IfPhysical is a NIC; it is wired to Segment, or to Peer when the
	// scenario links two hosts directly.
	IfPhysical
	// IfBridge is a Linux bridge; Bridge holds its configuration.
	IfBridge
	// IfOVSInternal is an OVS internal port's netdev (may live in any namespace).
	IfOVSInternal
	// IfDummy is a dummy device: addresses, no wire.
	IfDummy
	// IfNIC is a VM's or container's own NIC (the guest side of a tap/veth).
	IfNIC
	// IfOther is a device kind the model does not simulate (vxlan, vlan,
	// bond, macvlan, ...); LinkType names it and a trace that reaches it
	// ends UNSUPPORTED.
	IfOther
)

var ifKindNames = []string{"loopback", "veth", "tap", "physical", "bridge", "internal", "dummy", "nic", "other"}

func (k IfKind) String() string { return enumName(ifKindNames, int(k)) }

// MarshalText writes the kind's name.
func (k IfKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseIfKind reads a kind name as the scenario format writes it.
func ParseIfKind(s string) (IfKind, error) {
	i, err := parseEnum(ifKindNames, s, "interface kind")
	return IfKind(i), err
}

// Interface is one network device in a namespace.
type Interface struct {
	Name  string
	Kind  IfKind
	MAC   MAC
	MTU   int
	Addrs []netip.Prefix
	Down  bool // administratively down: nothing enters or leaves

	LinkType string // the kernel's link kind, for IfOther ("vxlan", "bond", ...)

	// Wiring; resolved by Topology.Resolve from the *Name/*Ref fields.
	PeerRef     string     // "host:ns:iface" of the other end (veth, tap, direct link)
	Peer        *Interface // other end of the wire, if any
	MasterName  string     // Linux bridge this interface is a port of
	Master      *Interface
	SegmentName string // external segment a physical NIC is attached to
	Segment     *Segment
	OVSPort     *OVSPort // the OVS port this netdev is, if any

	Bridge   *LinuxBridge // valid iff Kind == IfBridge
	PortVLAN *PortVLAN    // VLAN config as a port of a vlan-filtering bridge; nil = PVID 1 untagged

	ProxyARP bool // net.ipv4.conf.IFACE.proxy_arp
	RPFilter int  // net.ipv4.conf.IFACE.rp_filter: 0 off, 1 strict, 2 loose

	NS     *Namespace
	Source Source
}

// PortVLAN is a bridge port's VLAN membership (bridge vlan show).
type PortVLAN struct {
	PVID     uint16   // untagged ingress goes here; 0 = untagged frames dropped
	Untagged []uint16 // VLANs that egress untagged
	Tagged   []uint16 // VLANs that egress tagged
}

// Allows reports whether VLAN v is a member on this port.
func (p *PortVLAN) Allows(v uint16) bool {
	return containsU16(p.Untagged, v) || containsU16(p.Tagged, v)
}

// EgressUntagged reports whether VLAN v leaves this port without a tag.
func (p *PortVLAN) EgressUntagged(v uint16) bool { return containsU16(p.Untagged, v) }

func containsU16(s []uint16, v uint16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Ref is the interface's "host:ns:iface" name.
func (i *Interface) Ref() string {
	if i.NS == nil {
		return i.Name
	}
	return i.NS.Ref() + ":" + i.Name
}

func (i *Interface) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s", i.Ref(), i.Kind)
	for _, a := range i.Addrs {
		fmt.Fprintf(&b, " %s", a)
	}
	b.WriteString(")")
	return b.String()
}

// HasAddr reports whether a is one of the interface's own addresses.
func (i *Interface) HasAddr(a netip.Addr) bool {
	for _, p := range i.Addrs {
		if p.Addr() == a {
			return true
		}
	}
	return false
}

// OnLink reports whether a lies in one of the interface's subnets.
func (i *Interface) OnLink(a netip.Addr) bool {
	for _, p := range i.Addrs {
		if p.Masked().Contains(a) {
			return true
		}
	}
	return false
}

// PrimaryAddr is the first IPv4 address, the kernel's default source on this device.
func (i *Interface) PrimaryAddr() (netip.Addr, bool) {
	for _, p := range i.Addrs {
		if p.Addr().Is4() {
			return p.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// LinuxBridge is a Linux bridge's own configuration.
type LinuxBridge struct {
	VLANFiltering bool
	FDB           []*FDBEntry // static or imported entries; the rest is learned from the model
	Ports         []*Interface
}

// FDBEntry is one forwarding-database row: MAC -> port.
type FDBEntry struct {
	MAC    MAC
	Port   string
	VLAN   uint16
	Static bool
	Source Source
}

func enumName(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("unknown(%d)", i)
}

func parseEnum(names []string, s, what string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q: want one of %s", what, s, strings.Join(names, ", "))
}
