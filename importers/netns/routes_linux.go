package netns

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// routes converts the IPv4 routes of every table. The kernel's own routes
// for addresses (local routes in table local, connected ones in main) are
// left out when they are exactly what the model adds for the address when
// it resolves, and so are the kernel's broadcast routes; every other route
// is kept. Where the kernel lacks a route the model will add (an address
// added with noprefixroute, a connected route deleted, a device that is
// down), that is a Problem.
func (t *translator) routes(ns *model.Namespace) {
	implied, order := impliedRoutes(ns)
	for k, r := range t.d.Routes {
		mr, err := t.route(r)
		if err != nil {
			t.problem("%v; left out", err)
			continue
		}
		mr.Source = t.src("route " + strconv.Itoa(k))
		if mr.Proto == "kernel" {
			if mr.Type == model.RouteBroadcast {
				continue
			}
			if s := mr.String(); implied[s] != "" {
				delete(implied, s)
				continue
			}
		}
		ns.Routes = append(ns.Routes, mr)
	}
	missing := map[string][]string{}
	var devs []string
	for _, s := range order {
		if dev := implied[s]; dev != "" {
			if missing[dev] == nil {
				devs = append(devs, dev)
			}
			missing[dev] = append(missing[dev], strconv.Quote(s))
		}
	}
	for _, dev := range devs {
		t.problem("%s: the kernel has no route %s for its addresses, but the model adds it (noprefixroute, a deleted route, or the device is down)",
			dev, strings.Join(missing[dev], ", "))
	}
}

// impliedRoutes mirrors model's impliedRoutes for IPv4: the routes the
// model adds for each address, by their String(), mapped to the device; and
// their order, for stable messages.
func impliedRoutes(ns *model.Namespace) (map[string]string, []string) {
	out := map[string]string{}
	var order []string
	have := map[string]bool{}
	add := func(i *model.Interface, r *model.Route) {
		key := fmt.Sprint(r.Table, r.Type, r.Dst.Masked(), i.Name)
		if have[key] {
			return
		}
		have[key] = true
		s := r.String()
		out[s] = i.Name
		order = append(order, s)
	}
	for _, i := range ns.Interfaces {
		for _, p := range i.Addrs {
			if !p.Addr().Is4() {
				continue
			}
			nh := []model.Nexthop{{Dev: i.Name}}
			host := netip.PrefixFrom(p.Addr(), 32)
			add(i, &model.Route{Table: model.TableLocal, Type: model.RouteLocal, Dst: host, Nexthops: nh, Src: p.Addr(), Proto: "kernel", Scope: "host"})
			switch {
			case p.Bits() == 32:
			case i.Kind == model.IfLoopback:
				add(i, &model.Route{Table: model.TableLocal, Type: model.RouteLocal, Dst: p.Masked(), Nexthops: nh, Src: p.Addr(), Proto: "kernel", Scope: "host"})
			default:
				add(i, &model.Route{Table: model.TableMain, Type: model.RouteUnicast, Dst: p.Masked(), Nexthops: nh, Src: p.Addr(), Proto: "kernel", Scope: "link"})
			}
		}
	}
	return out, order
}

var routeTypes = map[int]model.RouteType{
	unix.RTN_UNICAST: model.RouteUnicast, unix.RTN_LOCAL: model.RouteLocal, unix.RTN_BROADCAST: model.RouteBroadcast,
	unix.RTN_BLACKHOLE: model.RouteBlackhole, unix.RTN_UNREACHABLE: model.RouteUnreachable,
	unix.RTN_PROHIBIT: model.RouteProhibit, unix.RTN_THROW: model.RouteThrow,
}

// route converts one route; one the model would follow differently from
// the kernel (TOS, encapsulation, a route type it lacks) is an error.
func (t *translator) route(r netlink.Route) (*model.Route, error) {
	mr := &model.Route{Table: r.Table, Dst: netip.PrefixFrom(netip.IPv4Unspecified(), 0), Metric: r.Priority,
		Proto: protoName(r.Protocol), Scope: scopeName(r.Scope), Src: ipAddr(r.Src)}
	if r.Dst != nil {
		ones, _ := r.Dst.Mask.Size()
		mr.Dst = netip.PrefixFrom(ipAddr(r.Dst.IP), ones)
	}
	var unsupported []string
	if r.Encap != nil || r.NewDst != nil || r.MPLSDst != nil {
		unsupported = append(unsupported, "encap")
	}
	if r.Via != nil {
		unsupported = append(unsupported, "an IPv6 gateway (via inet6)")
	}
	if len(r.MultiPath) > 0 {
		for _, nh := range r.MultiPath {
			mr.Nexthops = append(mr.Nexthops, model.Nexthop{Gateway: ipAddr(nh.Gw), Dev: t.devName(nh.LinkIndex), Weight: nh.Hops + 1})
			if nh.Encap != nil || nh.NewDst != nil || nh.Via != nil {
				unsupported = append(unsupported, "a nexthop with encap or an IPv6 gateway")
			}
		}
	} else if r.Gw != nil || r.LinkIndex != 0 {
		nh := model.Nexthop{Gateway: ipAddr(r.Gw)}
		if r.LinkIndex != 0 {
			nh.Dev = t.devName(r.LinkIndex)
		}
		mr.Nexthops = []model.Nexthop{nh}
	}
	typ, ok := routeTypes[r.Type]
	if !ok {
		return nil, fmt.Errorf("route %s (type %d): the model has no multicast, anycast or nat routes", mr, r.Type)
	}
	mr.Type = typ
	if r.Tos != 0 {
		unsupported = append(unsupported, fmt.Sprintf("tos %#x", r.Tos))
	}
	if len(unsupported) > 0 {
		return nil, fmt.Errorf("route %s: the model cannot follow %s", mr, strings.Join(unsupported, ", "))
	}
	return mr, nil
}

// protoName names a route protocol as `ip route` does; "boot", which it
// does not print, is "".
func protoName(p netlink.RouteProtocol) string {
	if p == unix.RTPROT_BOOT {
		return ""
	}
	return p.String()
}

// scopeName names a route scope as `ip route` does; global is "".
func scopeName(s netlink.Scope) string {
	switch s {
	case netlink.SCOPE_UNIVERSE:
		return ""
	case netlink.SCOPE_SITE:
		return "site"
	case netlink.SCOPE_LINK:
		return "link"
	case netlink.SCOPE_HOST:
		return "host"
	case netlink.SCOPE_NOWHERE:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

// rules converts every IPv4 rule, the kernel's defaults included, so a
// deleted default shows.
func (t *translator) rules(ns *model.Namespace) {
	for k, r := range t.d.Rules {
		mr, err := t.rule(r)
		if err != nil {
			t.problem("%v; left out", err)
			continue
		}
		mr.Source = t.src("rule " + strconv.Itoa(k))
		ns.Rules = append(ns.Rules, mr)
	}
}

var ruleActions = map[uint8]model.RuleAction{
	unix.FR_ACT_TO_TBL: model.RuleLookup, unix.FR_ACT_GOTO: model.RuleGoto, unix.FR_ACT_NOP: model.RuleNop,
	unix.FR_ACT_BLACKHOLE: model.RuleBlackhole, unix.FR_ACT_UNREACHABLE: model.RuleUnreachable,
	unix.FR_ACT_PROHIBIT: model.RuleProhibit,
}

// rule converts one rule; a selector the model lacks would make the rule
// match more than it does, so such a rule is an error.
func (t *translator) rule(r netlink.Rule) (*model.Rule, error) {
	mr := &model.Rule{Priority: uint32(max(r.Priority, 0)), Not: r.Invert, IIF: r.IifName, OIF: r.OifName,
		From: ipNetPrefix(r.Src), To: ipNetPrefix(r.Dst)}
	if r.Mark != 0 || r.Mask != nil && *r.Mask != 0 {
		mr.HasMark, mr.FwMark, mr.FwMask = true, r.Mark, 0xffffffff
		if r.Mask != nil {
			mr.FwMask = *r.Mask
		}
	}
	var unsupported []string
	action, ok := ruleActions[r.Type]
	if !ok {
		unsupported = append(unsupported, fmt.Sprintf("action %d", r.Type))
	}
	mr.Action = action
	switch action {
	case model.RuleLookup:
		mr.Table = r.Table
		if r.Table == 0 {
			unsupported = append(unsupported, "a lookup without a table (l3mdev)")
		}
	case model.RuleGoto:
		mr.Goto = uint32(max(r.Goto, 0))
	}
	for _, sel := range []struct {
		set  bool
		name string
	}{
		{r.Tos != 0, "tos"}, {r.IPProto != 0, "ipproto"}, {r.Sport != nil, "sport"}, {r.Dport != nil, "dport"},
		{r.UIDRange != nil, "uidrange"}, {r.TunID != 0, "tun_id"}, {r.Flow > 0, "realms"},
		{r.SuppressPrefixlen >= 0, "suppress_prefixlength"}, {r.SuppressIfgroup >= 0, "suppress_ifgroup"},
	} {
		if sel.set {
			unsupported = append(unsupported, sel.name)
		}
	}
	if len(unsupported) > 0 {
		return nil, fmt.Errorf("rule %q: the model has no %s", strings.ReplaceAll(mr.String(), "\t", " "), strings.Join(unsupported, ", "))
	}
	return mr, nil
}

// neighbors converts the ARP cache. Entries with no information (NUD_NONE)
// are left out, and so are the NOARP ones the kernel keeps for broadcast,
// multicast and loopback addresses.
func (t *translator) neighbors(ns *model.Namespace) {
	for k, n := range t.d.Neighs {
		ip := ipAddr(n.IP)
		state, ok := neighState(n.State)
		dev := t.byIndex[n.LinkIndex]
		if !ip.Is4() || !ok || dev == nil {
			continue
		}
		mn := &model.Neighbor{IP: ip, Dev: dev.Name, State: state, Source: t.src("neighbour " + strconv.Itoa(k))}
		if len(n.HardwareAddr) == 6 {
			copy(mn.MAC[:], n.HardwareAddr)
		}
		if state == model.NeighNoARP && (ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) ||
			ip.IsLoopback() || dev.EncapType == "loopback" || mn.MAC.IsMulticast()) {
			continue
		}
		ns.Neighbors = append(ns.Neighbors, mn)
	}
}

// neighState maps NUD bits to a state; false for NUD_NONE.
func neighState(s int) (model.NeighState, bool) {
	for _, m := range []struct {
		bit   int
		state model.NeighState
	}{
		{netlink.NUD_PERMANENT, model.NeighPermanent}, {netlink.NUD_NOARP, model.NeighNoARP},
		{netlink.NUD_REACHABLE, model.NeighReachable}, {netlink.NUD_STALE, model.NeighStale},
		{netlink.NUD_DELAY, model.NeighDelay}, {netlink.NUD_PROBE, model.NeighProbe},
		{netlink.NUD_INCOMPLETE, model.NeighIncomplete}, {netlink.NUD_FAILED, model.NeighFailed},
	} {
		if s&m.bit != 0 {
			return m.state, true
		}
	}
	return 0, false
}

// ipAddr converts a net.IP; the zero Addr for nil.
func ipAddr(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// ipNetPrefix converts a rule selector; the zero Prefix (all) for nil.
func ipNetPrefix(n *net.IPNet) netip.Prefix {
	if n == nil {
		return netip.Prefix{}
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(ipAddr(n.IP), ones)
}
