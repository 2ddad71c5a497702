package model

import (
	"fmt"
	"net/netip"
	"strings"
)

// Well-known routing table ids.
const (
	TableDefault = 253
	TableMain    = 254
	TableLocal   = 255
)

// RouteType is the kernel's route type (`ip route` prints it first when not unicast).
type RouteType int

const (
	// RouteUnicast forwards to a gateway or a directly connected host.
	RouteUnicast RouteType = iota
	// RouteLocal delivers to this namespace.
	RouteLocal
	// RouteBroadcast delivers locally as broadcast.
	RouteBroadcast
	// RouteBlackhole silently discards.
	RouteBlackhole
	// RouteUnreachable discards with ICMP host unreachable.
	RouteUnreachable
	// RouteProhibit discards with ICMP administratively prohibited.
	RouteProhibit
	// RouteThrow ends the lookup in this table; rule processing continues.
	RouteThrow
)

var routeTypeNames = []string{"unicast", "local", "broadcast", "blackhole", "unreachable", "prohibit", "throw"}

func (t RouteType) String() string { return enumName(routeTypeNames, int(t)) }

// MarshalText writes the type's name.
func (t RouteType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Route is one entry of one routing table.
type Route struct {
	Table    int
	Type     RouteType
	Dst      netip.Prefix
	Nexthops []Nexthop // one normally; several for ECMP (`nexthop via ... nexthop via ...`)
	Src      netip.Addr
	Metric   int
	Proto    string
	Scope    string
	Implied  bool // added by the model as the kernel would for an address (connected/local)
	Disabled bool // a what-if: route lookups skip it as if deleted
	Source   Source
}

// Nexthop is where a unicast route sends a packet.
type Nexthop struct {
	Gateway netip.Addr // invalid: directly connected
	Dev     string
	Weight  int
	Iface   *Interface // resolved Dev
}

// TableName is how `ip route` names table ids.
func TableName(id int) string {
	switch id {
	case TableMain:
		return "main"
	case TableLocal:
		return "local"
	case TableDefault:
		return "default"
	}
	return fmt.Sprint(id)
}

// String prints the route as `ip route show table all` would.
func (r *Route) String() string {
	var b strings.Builder
	if r.Type != RouteUnicast {
		b.WriteString(r.Type.String() + " ")
	}
	if r.Dst.Bits() == 0 {
		b.WriteString("default")
	} else {
		b.WriteString(r.Dst.String())
	}
	if len(r.Nexthops) == 1 {
		writeNexthop(&b, r.Nexthops[0])
	}
	if r.Table != TableMain {
		b.WriteString(" table " + TableName(r.Table))
	}
	if r.Proto != "" {
		b.WriteString(" proto " + r.Proto)
	}
	if r.Scope != "" {
		b.WriteString(" scope " + r.Scope)
	}
	if r.Src.IsValid() {
		b.WriteString(" src " + r.Src.String())
	}
	if r.Metric != 0 {
		fmt.Fprintf(&b, " metric %d", r.Metric)
	}
	if len(r.Nexthops) > 1 {
		for _, nh := range r.Nexthops {
			b.WriteString(" nexthop")
			writeNexthop(&b, nh)
			if nh.Weight > 1 {
				fmt.Fprintf(&b, " weight %d", nh.Weight)
			}
		}
	}
	return b.String()
}

func writeNexthop(b *strings.Builder, nh Nexthop) {
	if nh.Gateway.IsValid() {
		b.WriteString(" via " + nh.Gateway.String())
	}
	if nh.Dev != "" {
		b.WriteString(" dev " + nh.Dev)
	}
}

// RuleAction is what an `ip rule` does when it matches.
type RuleAction int

const (
	// RuleLookup looks the destination up in Table.
	RuleLookup RuleAction = iota
	// RuleGoto jumps to the rule with priority Goto.
	RuleGoto
	// RuleNop does nothing.
	RuleNop
	// RuleBlackhole silently discards.
	RuleBlackhole
	// RuleUnreachable discards with ICMP unreachable.
	RuleUnreachable
	// RuleProhibit discards with ICMP prohibited.
	RuleProhibit
)

var ruleActionNames = []string{"lookup", "goto", "nop", "blackhole", "unreachable", "prohibit"}

func (a RuleAction) String() string { return enumName(ruleActionNames, int(a)) }

// MarshalText writes the action's name.
func (a RuleAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Rule is one routing policy rule (`ip rule`).
type Rule struct {
	Priority uint32
	Not      bool
	From     netip.Prefix // invalid: all
	To       netip.Prefix // invalid: all
	IIF      string
	OIF      string
	FwMark   uint32
	FwMask   uint32 // valid iff HasMark; 0xffffffff when not written
	HasMark  bool
	Action   RuleAction
	Table    int    // valid iff Action == RuleLookup
	Goto     uint32 // valid iff Action == RuleGoto
	Source   Source
}

// String prints the rule as `ip rule` does.
func (r *Rule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:\t", r.Priority)
	if r.Not {
		b.WriteString("not ")
	}
	b.WriteString("from ")
	if r.From.IsValid() {
		b.WriteString(prefixOrAddr(r.From))
	} else {
		b.WriteString("all")
	}
	if r.To.IsValid() {
		b.WriteString(" to " + prefixOrAddr(r.To))
	}
	if r.HasMark {
		fmt.Fprintf(&b, " fwmark %#x", r.FwMark)
		if r.FwMask != 0xffffffff {
			fmt.Fprintf(&b, "/%#x", r.FwMask)
		}
	}
	if r.IIF != "" {
		b.WriteString(" iif " + r.IIF)
	}
	if r.OIF != "" {
		b.WriteString(" oif " + r.OIF)
	}
	switch r.Action {
	case RuleLookup:
		b.WriteString(" lookup " + TableName(r.Table))
	case RuleGoto:
		fmt.Fprintf(&b, " goto %d", r.Goto)
	default:
		b.WriteString(" " + r.Action.String())
	}
	return b.String()
}

func prefixOrAddr(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// DefaultRules are the three rules every namespace starts with.
func DefaultRules() []*Rule {
	src := Source{What: "kernel default rule"}
	return []*Rule{
		{Priority: 0, Action: RuleLookup, Table: TableLocal, Source: src},
		{Priority: 32766, Action: RuleLookup, Table: TableMain, Source: src},
		{Priority: 32767, Action: RuleLookup, Table: TableDefault, Source: src},
	}
}

// NeighState is a neighbour entry's NUD state.
type NeighState int

const (
	// NeighPermanent is a static entry: always used, never probed.
	NeighPermanent NeighState = iota
	// NeighNoARP needs no resolution.
	NeighNoARP
	// NeighReachable was confirmed recently.
	NeighReachable
	// NeighStale is usable but unconfirmed.
	NeighStale
	// NeighDelay is waiting before probing.
	NeighDelay
	// NeighProbe is being probed.
	NeighProbe
	// NeighIncomplete: an ARP request went out and no answer came back (yet).
	NeighIncomplete
	// NeighFailed: resolution failed.
	NeighFailed
)

var neighStateNames = []string{"PERMANENT", "NOARP", "REACHABLE", "STALE", "DELAY", "PROBE", "INCOMPLETE", "FAILED"}

func (s NeighState) String() string { return enumName(neighStateNames, int(s)) }

// MarshalText writes the state's name.
func (s NeighState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseNeighState reads `ip neigh` state words.
func ParseNeighState(s string) (NeighState, error) {
	i, err := parseEnum(neighStateNames, s, "neighbour state")
	return NeighState(i), err
}

// Neighbor is one ARP cache entry (`ip neigh`).
type Neighbor struct {
	IP     netip.Addr
	Dev    string
	MAC    MAC // zero for INCOMPLETE/FAILED
	State  NeighState
	Source Source
}

// String prints the entry as `ip neigh` does.
func (n *Neighbor) String() string {
	s := n.IP.String() + " dev " + n.Dev
	if !n.MAC.IsZero() {
		s += " lladdr " + n.MAC.String()
	}
	return s + " " + n.State.String()
}
