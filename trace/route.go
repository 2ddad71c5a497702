package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
)

// routeResult is the outcome of the kernel's FIB lookup.
type routeResult struct {
	route *model.Route // nil: no route
	rule  *model.Rule  // the rule that decided
	rules []string     // the rules that matched on the way
	null  *model.Rule  // a blackhole/unreachable/prohibit rule decided
}

// flowKey is what a FIB lookup sees of a packet.
type flowKey struct {
	src, dst netip.Addr
	iif      string // "lo" for locally generated packets
	oif      string
	mark     uint32
}

// lookupRoute walks the ip rules in priority order, looking the destination
// up in each rule's table by longest prefix (then lowest metric), as the
// kernel's fib_rules_lookup does. A throw route, or no match, goes on to
// the next rule; goto jumps forward.
func lookupRoute(ns *model.Namespace, k flowKey) routeResult {
	var res routeResult
	for i := 0; i < len(ns.Rules); i++ {
		rl := ns.Rules[i]
		if !ruleMatches(rl, k) {
			continue
		}
		res.rules = append(res.rules, rl.String())
		switch rl.Action {
		case model.RuleLookup:
			if rt := longestMatch(ns, rl.Table, k.dst); rt != nil && rt.Type != model.RouteThrow {
				res.route, res.rule = rt, rl
				return res
			}
		case model.RuleGoto:
			for i+1 < len(ns.Rules) && ns.Rules[i+1].Priority < rl.Goto {
				i++
			}
		case model.RuleNop:
		default:
			res.null, res.rule = rl, rl
			return res
		}
	}
	return res
}

func ruleMatches(r *model.Rule, k flowKey) bool {
	m := true
	if r.From.IsValid() && r.From.Bits() > 0 {
		m = k.src.IsValid() && r.From.Masked().Contains(k.src)
	}
	if m && r.To.IsValid() && r.To.Bits() > 0 {
		m = r.To.Masked().Contains(k.dst)
	}
	if m && r.IIF != "" {
		m = r.IIF == k.iif
	}
	if m && r.OIF != "" {
		m = r.OIF == k.oif
	}
	if m && r.HasMark {
		m = k.mark&r.FwMask == r.FwMark
	}
	if r.Not {
		return !m
	}
	return m
}

// longestMatch finds the most specific route to dst in one table; among
// equally specific ones the lowest metric wins, then the first listed. A
// switched-off route (a what-if) is skipped as if deleted, and so is a
// unicast route whose every next hop's device is down, as the kernel
// flushes them.
func longestMatch(ns *model.Namespace, table int, dst netip.Addr) *model.Route {
	var best *model.Route
	for _, r := range ns.Routes {
		if r.Table != table || r.Disabled || !r.Dst.Masked().Contains(dst) || linkDown(r) {
			continue
		}
		if best == nil || r.Dst.Bits() > best.Dst.Bits() ||
			(r.Dst.Bits() == best.Dst.Bits() && r.Metric < best.Metric) {
			best = r
		}
	}
	return best
}

// describeRoute is the one-sentence story of a lookup.
func describeRoute(res routeResult) string {
	rt := res.route
	via := ""
	if len(rt.Nexthops) == 1 {
		nh := rt.Nexthops[0]
		if nh.Gateway.IsValid() {
			via = " via " + nh.Gateway.String()
		}
		if nh.Dev != "" {
			via += " dev " + nh.Dev
		}
	} else {
		via = fmt.Sprintf(" over %d equal-cost next hops", len(rt.Nexthops))
	}
	return fmt.Sprintf("ip rule %q chose table %s; route %q%s", trimPrio(res.rule.String()), model.TableName(rt.Table), rt.String(), via)
}

func trimPrio(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\t' {
			return s[:i] + " " + s[i+1:]
		}
	}
	return s
}

// sourceFor picks the source address for a locally generated packet: the
// route's src hint, else the out device's address on the next hop's
// subnet, else its first address — the kernel's inet_select_addr order.
func sourceFor(rt *model.Route, nh model.Nexthop) netip.Addr {
	if rt.Src.IsValid() {
		return rt.Src
	}
	if nh.Iface == nil {
		return netip.Addr{}
	}
	target := nh.Gateway
	for _, p := range nh.Iface.Addrs {
		if target.IsValid() && p.Masked().Contains(target) && p.Addr().Is4() {
			return p.Addr()
		}
	}
	a, _ := nh.Iface.PrimaryAddr()
	return a
}

// linkDown reports whether unicast route r only leads out of devices that
// are down.
func linkDown(r *model.Route) bool {
	if r.Type != model.RouteUnicast || len(r.Nexthops) == 0 {
		return false
	}
	for _, nh := range r.Nexthops {
		if nh.Iface == nil || !nh.Iface.Down {
			return false
		}
	}
	return true
}
