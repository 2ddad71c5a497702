package trace

import "fmt"

// Disposition is how one trace ended.
type Disposition int

const (
	// Delivered: reached the destination endpoint or a local address.
	Delivered Disposition = iota
	// Exited: left the topology through a segment's gateway.
	Exited
	// Denied: a filter said no (iptables, security group).
	Denied
	// Dropped: a device dropped it (no port, VLAN mismatch, wrong MAC, down link).
	Dropped
	// NoRoute: no route matched.
	NoRoute
	// NullRouted: a blackhole, unreachable or prohibit route or rule.
	NullRouted
	// NeighborUnreachable: ARP for the next hop got no answer.
	NeighborUnreachable
	// Loop: the packet came back to where it had been, or the hop limit ran out.
	Loop
	// TTLExceeded: the TTL ran out on a forwarding hop.
	TTLExceeded
	// Unsupported: the model met configuration it does not understand.
	Unsupported
)

var dispositionNames = []string{"DELIVERED", "EXITED", "DENIED", "DROPPED", "NO_ROUTE", "NULL_ROUTED",
	"NEIGHBOR_UNREACHABLE", "LOOP", "TTL_EXCEEDED", "UNSUPPORTED"}

func (d Disposition) String() string { return name(dispositionNames, int(d)) }

// MarshalText writes the name, so JSON says "DENIED".
func (d Disposition) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// ParseDisposition reads a disposition name.
func ParseDisposition(s string) (Disposition, error) {
	for i, n := range dispositionNames {
		if n == s {
			return Disposition(i), nil
		}
	}
	return 0, fmt.Errorf("unknown disposition %q: want one of %v", s, dispositionNames)
}

// Success reports whether the packet got where it was going (exit code 0).
func (d Disposition) Success() bool { return d == Delivered || d == Exited }

// StepKind is which stage made a step.
type StepKind int

const (
	// EnterPort: the packet arrived on a port or interface of this hop's device.
	EnterPort StepKind = iota
	// ExitPort: the packet left this hop's device.
	ExitPort
	// Netfilter: one iptables table's chain at one hook.
	Netfilter
	// Conntrack: connection tracking looked the packet up.
	Conntrack
	// Route: ip rule and routing table lookup.
	Route
	// Neighbor: next-hop MAC resolution (ARP, static entries, proxy ARP).
	Neighbor
	// BridgeFDB: a bridge chose the output port(s).
	BridgeFDB
	// OVSFlow: an OpenFlow rule.
	OVSFlow
	// OVNStage: an OVN logical pipeline stage.
	OVNStage
	// Transform: a header rewrite not made by another stage (TTL, VLAN tag).
	Transform
	// Encap: tunnel encapsulation.
	Encap
	// Decap: tunnel decapsulation.
	Decap
	// Deliver: the packet reached its end: a local socket, or out of the topology.
	Deliver
)

var stepKindNames = []string{"EnterPort", "ExitPort", "Netfilter", "Conntrack", "Route", "Neighbor",
	"BridgeFDB", "OVSFlow", "OVNStage", "Transform", "Encap", "Decap", "Deliver"}

func (k StepKind) String() string { return name(stepKindNames, int(k)) }

// MarshalText writes the name.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// StepAction is what a step did to the packet.
type StepAction int

const (
	// Received: the packet came in.
	Received StepAction = iota
	// Permitted: a filter let it through.
	Permitted
	// Denied: a filter refused it.
	DeniedAction
	// Transformed: headers changed (NAT, TTL, VLAN, MAC rewrite).
	Transformed
	// Forwarded: sent on towards one next hop.
	Forwarded
	// Flooded: sent out of several ports.
	Flooded
	// Encapsulated: wrapped in a tunnel header.
	Encapsulated
	// Decapsulated: unwrapped.
	Decapsulated
	// DeliveredAction: handed to a local socket or endpoint.
	DeliveredAction
	// DroppedAction: discarded by a device.
	DroppedAction
	// NoRouteAction: routing found nothing.
	NoRouteAction
	// Resolved: a lookup succeeded (route, neighbour, conntrack).
	Resolved
	// Failed: a lookup failed (neighbour unreachable, null route).
	Failed
	// Exited: left the topology.
	ExitedAction
	// UnsupportedAction: configuration the model does not understand.
	UnsupportedAction
)

var stepActionNames = []string{"Received", "Permitted", "Denied", "Transformed", "Forwarded", "Flooded",
	"Encapsulated", "Decapsulated", "Delivered", "Dropped", "NoRoute", "Resolved", "Failed", "Exited", "Unsupported"}

func (a StepAction) String() string { return name(stepActionNames, int(a)) }

// MarshalText writes the name.
func (a StepAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// NodeKind is what sort of device a hop is.
type NodeKind int

const (
	// NodeNamespace is a network namespace (a host's, a router's, a VM's stack).
	NodeNamespace NodeKind = iota
	// NodeLinuxBridge is a Linux bridge.
	NodeLinuxBridge
	// NodeOVSBridge is an Open vSwitch bridge.
	NodeOVSBridge
	// NodeSegment is an external L2 segment.
	NodeSegment
	// NodeTunnel is a tunnel port wrapping or unwrapping a frame.
	NodeTunnel
	// NodeOVNSwitch is an OVN logical switch's pipeline on one chassis.
	NodeOVNSwitch
	// NodeOVNRouter is an OVN logical router's pipeline on one chassis.
	NodeOVNRouter
)

var nodeKindNames = []string{"namespace", "linux-bridge", "ovs-bridge", "segment", "tunnel", "ovn-switch", "ovn-router"}

func (k NodeKind) String() string { return name(nodeKindNames, int(k)) }

// MarshalText writes the name.
func (k NodeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func name(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("unknown(%d)", i)
}
