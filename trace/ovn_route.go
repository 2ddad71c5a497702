package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// Route priorities as northd computes them for lr_in_ip_routing: longest
// prefix first; at equal length a connected network beats a static
// destination route, which beats a source-IP route.
const (
	prioSrc = iota
	prioStatic
	prioConnected
	prioPerBit = 3
)

// lrRoute is lr_in_ip_routing: connected networks and static routes, the
// highest priority wins; several static routes at that priority are ECMP.
func (r *run) lrRoute(c *cur, lr *ovn.Router, in *ovn.RouterPort, p Packet, ch string) ([]lrHop, bool) {
	best, bestPrio := []lrHop(nil), -1
	consider := func(prio int, h lrHop) {
		switch {
		case prio > bestPrio:
			best, bestPrio = []lrHop{h}, prio
		case prio == bestPrio && h.route != nil && len(best) > 0 && best[0].route != nil:
			best = append(best, h)
		}
	}
	for _, port := range lr.Ports {
		for _, n := range port.Networks {
			if n.Masked().Contains(p.Dst) {
				consider(n.Bits()*prioPerBit+prioConnected, lrHop{port: port, nexthop: p.Dst,
					text: fmt.Sprintf("%s is directly connected on %s", n.Masked(), port.Name)})
			}
		}
	}
	var discard *ovn.Route
	table := in.Options["route_table"]
	for _, rt := range lr.Routes {
		if rt.Disabled || rt.RouteTable != table {
			continue
		}
		key, kind := p.Dst, prioStatic
		if rt.Policy == "src-ip" {
			key, kind = p.Src, prioSrc
		}
		if !rt.Prefix.Masked().Contains(key) {
			continue
		}
		prio := rt.Prefix.Bits()*prioPerBit + kind
		if rt.Discard {
			if prio > bestPrio {
				discard, best, bestPrio = rt, nil, prio
			}
			continue
		}
		port := routePort(lr, rt)
		if port == nil {
			continue // northd installs no flow for a route with no path
		}
		consider(prio, lrHop{port: port, nexthop: rt.Nexthop, route: rt, text: routeText(rt)})
		if prio == bestPrio {
			discard = nil
		}
	}
	d := r.lrDetail(lr, "ingress", "lr_in_ip_routing", "", ch)
	if discard != nil && len(best) == 0 {
		d.Row = rowRef("Logical_Router_Static_Route", discard.Row)
		r.finish(c, NullRouted, Step{Kind: Route, Action: Failed, Detail: d, Source: ovnSource(routeText(discard), discard.Row), Object: discard,
			Why: fmt.Sprintf("route %s on router %s discards it", routeText(discard), lr.Name)}, p)
		return nil, false
	}
	if len(best) == 0 {
		r.finish(c, NoRoute, Step{Kind: Route, Action: NoRouteAction, Detail: d,
			Why: fmt.Sprintf("router %s has no route to %s (no connected network, no static route matches)", named(lr.Name, lr.Row), p.Dst)}, p)
		return nil, false
	}
	for _, h := range best {
		dd := *d
		dd.Port = h.port.Name
		st := Step{Kind: Route, Action: Resolved, Detail: &dd, Why: "route: " + h.text}
		if h.route != nil {
			dd.Row = rowRef("Logical_Router_Static_Route", h.route.Row)
			st.Source, st.Object = ovnSource(h.text, h.route.Row), h.route
		}
		if len(best) > 1 {
			st.Why += fmt.Sprintf(" (ECMP: one of %d routes; OVN hashes each flow onto one)", len(best))
		}
		c.tr.add(st)
		if len(best) > 1 {
			break // the ECMP forks show the others
		}
	}
	return best, true
}

// routePort is the port a static route leaves by: its output_port, else
// the port on whose network the next hop lies.
func routePort(lr *ovn.Router, rt *ovn.Route) *ovn.RouterPort {
	for _, port := range lr.Ports {
		if rt.OutputPort != "" {
			if port.Name == rt.OutputPort {
				return port
			}
			continue
		}
		if _, ok := port.Network(rt.Nexthop); ok {
			return port
		}
	}
	return nil
}

func routeText(rt *ovn.Route) string {
	s := rt.Prefix.String()
	if rt.Policy == "src-ip" {
		s = "src-ip " + s
	}
	if rt.Discard {
		return s + " discard"
	}
	s += " via " + rt.Nexthop.String()
	if rt.OutputPort != "" {
		s += " dev " + rt.OutputPort
	}
	return s
}

// lrPolicies is lr_in_policy: the highest-priority policy that matches may
// drop the packet or reroute it to another next hop.
func (r *run) lrPolicies(c *cur, lr *ovn.Router, in *ovn.RouterPort, h lrHop, p Packet, ch string) (lrHop, bool) {
	if len(lr.Policies) == 0 {
		return h, true
	}
	v := ovnView(p, in.Name, "")
	for _, pol := range lr.Policies {
		if pol.Disabled {
			continue
		}
		d := r.lrDetail(lr, "ingress", "lr_in_policy", "", ch)
		d.Row = rowRef("Logical_Router_Policy", pol.Row)
		src := ovnSource(fmt.Sprintf("%d %s %s %v", pol.Priority, pol.Match, pol.Action, pol.Nexthops), pol.Row)
		x, err := pol.Expr()
		if x == nil {
			r.finish(c, Unsupported, Step{Kind: OVNStage, Action: UnsupportedAction, Detail: d, Source: src,
				Why: fmt.Sprintf("router policy %d %q: %v", pol.Priority, pol.Match, err)}, p)
			return h, false
		}
		if !x.Eval(&v) {
			continue
		}
		why := fmt.Sprintf("policy %d %s: %s", pol.Priority, pol.Match, pol.Action)
		switch pol.Action {
		case "drop":
			r.finish(c, Denied, Step{Kind: OVNStage, Action: DeniedAction, Detail: d, Source: src, Object: pol, Why: why}, p)
			return h, false
		case "reroute":
			nh := pol.Nexthops[0]
			port := portOn(lr, nh)
			if port == nil {
				r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d, Source: src, Object: pol,
					Why: why + fmt.Sprintf(": no port of %s is on next hop %s's network", lr.Name, nh)}, p)
				return h, false
			}
			c.tr.add(Step{Kind: OVNStage, Action: Forwarded, Detail: d, Source: src, Object: pol,
				Why: why + fmt.Sprintf(" to %s out of %s, instead of the route's %s", nh, port.Name, h.nexthop)})
			return lrHop{port: port, nexthop: nh, text: why}, true
		default:
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: d, Source: src, Object: pol, Why: why + ": the route stands"})
			return h, true
		}
	}
	return h, true
}

func portOn(lr *ovn.Router, a netip.Addr) *ovn.RouterPort {
	for _, port := range lr.Ports {
		if _, ok := port.Network(a); ok {
			return port
		}
	}
	return nil
}

// lrARP is lr_in_arp_resolve: the next hop's MAC from what the NB knows
// (the ports and routers on the switch behind the output port, a peer
// router port), else from the physical network behind a localnet port,
// as OVN learns it into a MAC_Binding.
func (r *run) lrARP(c *cur, lr *ovn.Router, h lrHop, p Packet, ch string) (model.MAC, bool) {
	d := r.lrDetail(lr, "ingress", "lr_in_arp_resolve", h.port.Name, ch)
	if own := ownPort(lr, h.nexthop); own != nil {
		// Only a SNAT address of the router's own gets this far.
		r.finish(c, Dropped, Step{Kind: OVNStage, Action: DroppedAction, Detail: d,
			Why: fmt.Sprintf("%s is router port %s's own address and a SNAT address, but no connection of the router's SNAT answers to it: lr_in_arp_resolve drops what unSNAT did not claim", h.nexthop, own.Name)}, p)
		return model.MAC{}, false
	}
	if pp := h.port.PeerPort; pp != nil {
		return model.MAC(pp.MAC), true
	}
	if sp := h.port.SwitchPort; sp != nil {
		if mac, _, ok := r.e.ovnOwner(sp.Switch, h.nexthop, ch, false); ok {
			return mac, true
		}
		if mac, who, ok := r.physicalARP(sp.Switch, h.nexthop, ch); ok {
			c.tr.add(Step{Kind: Neighbor, Action: Resolved, Detail: d,
				Why: fmt.Sprintf("no logical port has %s: OVN ARPs on the physical network, where %s answers (a MAC_Binding)", h.nexthop, who)})
			return mac, true
		}
	}
	r.finish(c, NeighborUnreachable, Step{Kind: Neighbor, Action: Failed, Detail: d,
		Why: fmt.Sprintf("no logical port, router or physical device known to the model has %s: OVN would send an ARP request and wait", h.nexthop)}, p)
	return model.MAC{}, false
}
