package trace

import (
	"fmt"

	"github.com/hopscope/hopscope/model"
)

// The Linux stack of one namespace, in the kernel's order:
//
//	receive:  PREROUTING -> route -> local? INPUT -> deliver
//	                                  else FORWARD -> POSTROUTING -> neighbour -> out
//	send:     route -> OUTPUT -> POSTROUTING -> neighbour -> out

// localOut follows a packet a process in ns sends: route, OUTPUT, and a
// second lookup when OUTPUT changed the destination or mark (as the
// kernel's ip_route_me_harder does), then local delivery or POSTROUTING.
func (r *run) localOut(c *cur, ns *model.Namespace, p Packet) {
	if !r.enter(c, nsNode(ns), p) {
		return
	}
	if p.Encap != nil {
		c.tr.add(Step{Kind: EnterPort, Action: Received, Why: fmt.Sprintf("the host's stack sends the %s packet for %s", p.Encap.Type, p.Encap.Port),
			Detail: &PortDetail{Port: "lo"}})
	}
	p = r.ctEnter(c, ns, p)
	res, ok := r.route(c, ns, p, "lo")
	if !ok {
		return
	}
	rt := res.route
	io := hookIO{out: "lo"}
	if len(rt.Nexthops) > 0 {
		nh := rt.Nexthops[0]
		if !p.Src.IsValid() {
			p.Src = sourceFor(rt, nh)
			c.tr.Packet.Src = p.Src // the injected packet shows the source routing chose
		}
		if !isLocal(rt) {
			io = hookIO{out: nh.Dev, gw: nh.Gateway}
		}
	}
	q, ok := r.hook(c, ns, hookOutput, p, io)
	if !ok {
		return
	}
	if q.Dst != p.Dst || q.Mark != p.Mark {
		again, ok := r.route(c, ns, q, "lo")
		if !ok {
			return
		}
		rt = again.route
	}
	if isLocal(rt) {
		r.deliverLocal(c, ns, q, "lo")
		return
	}
	r.eachNexthop(c, rt, func(c *cur, nh model.Nexthop) { r.postroute(c, ns, q, rt, nh, "") })
}

func isLocal(rt *model.Route) bool {
	return rt.Type == model.RouteLocal || rt.Type == model.RouteBroadcast
}

// receive follows a frame that arrives at interface y into y's namespace.
func (r *run) receive(c *cur, y *model.Interface, p Packet, physIn string) {
	ns := y.NS
	if !r.enter(c, nsNode(ns), p) {
		return
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Why: "arrived on " + y.Name,
		Detail: &PortDetail{Port: y.Name, VLAN: p.VLAN}, Object: y})
	if p.DstMAC != r.e.mac(y) && !p.DstMAC.IsMulticast() {
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction,
			Why: fmt.Sprintf("frame is for %s, not %s's MAC %s: the kernel ignores it", p.DstMAC, y.Name, r.e.mac(y))}, p)
		return
	}
	if p.VLAN != 0 {
		r.finish(c, Dropped, Step{Kind: Deliver, Action: DroppedAction,
			Why: fmt.Sprintf("frame carries VLAN tag %d and %s has no VLAN sub-interface for it", p.VLAN, y.Name)}, p)
		return
	}
	p = r.ctEnter(c, ns, p)
	p, ok := r.hook(c, ns, hookPrerouting, p, hookIO{in: y.Name, physIn: physIn})
	if !ok {
		return
	}
	res, ok := r.route(c, ns, p, y.Name)
	if !ok {
		return
	}
	if !r.rpFilter(c, ns, y, p) {
		return
	}
	if isLocal(res.route) {
		if p, ok = r.hook(c, ns, hookInput, p, hookIO{in: y.Name, physIn: physIn}); !ok {
			return
		}
		r.deliverLocal(c, ns, p, y.Name)
		return
	}
	if !ns.IPForward {
		r.finish(c, Dropped, Step{Kind: Route, Action: DroppedAction,
			Why: fmt.Sprintf("%s is not for this namespace and net.ipv4.ip_forward is 0 in %s", p.Dst, ns.Ref())}, p)
		return
	}
	if p.TTL <= 1 {
		r.finish(c, TTLExceeded, Step{Kind: Transform, Action: DroppedAction,
			Why: fmt.Sprintf("TTL %d would reach 0 when forwarded", p.TTL)}, p)
		return
	}
	q := p
	q.TTL--
	c.tr.add(Step{Kind: Transform, Action: Transformed, Why: "forwarding decrements the TTL", Diff: diff(p, q)})
	p = q
	r.eachNexthop(c, res.route, func(c *cur, nh model.Nexthop) {
		q, ok := r.hook(c, ns, hookForward, p, hookIO{in: y.Name, out: nh.Dev, physIn: physIn})
		if !ok {
			return
		}
		r.postroute(c, ns, q, res.route, nh, y.Name)
	})
}

// postroute is the common tail of sending and forwarding: POSTROUTING,
// next-hop resolution, and out of the device.
func (r *run) postroute(c *cur, ns *model.Namespace, p Packet, rt *model.Route, nh model.Nexthop, in string) {
	out := nh.Iface
	if out == nil {
		r.finish(c, NoRoute, Step{Kind: Route, Action: NoRouteAction,
			Why: fmt.Sprintf("route %q names no device", rt.String()), Source: srcRef(rt.String(), rt.Source), Object: rt}, p)
		return
	}
	p, ok := r.hook(c, ns, hookPostrouting, p, hookIO{out: out.Name, gw: nh.Gateway})
	if !ok {
		return
	}
	r.ctLeave(c, p)
	target := nh.Gateway
	if !target.IsValid() {
		target = p.Dst
	}
	mac, ok := r.neighbor(c, ns, out, target, p)
	if !ok {
		return
	}
	q := p
	q.SrcMAC, q.DstMAC = r.e.mac(out), mac
	r.transmit(c, out, p, q)
}

// transmit records the exit from the current hop and puts the frame on the wire.
func (r *run) transmit(c *cur, out *model.Interface, before, p Packet) {
	peer := describeMedium(out)
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Why: "sent out of " + out.Name + peer,
		Detail: &PortDetail{Port: out.Name, Peer: peer, VLAN: p.VLAN}, Diff: diff(before, p), Object: out})
	r.emit(c, out, p)
}

func describeMedium(x *model.Interface) string {
	switch {
	case x.Kind == model.IfBridge:
		return " into bridge " + x.Name
	case x.OVSPort != nil && x.Kind == model.IfOVSInternal:
		return " into OVS bridge " + x.OVSPort.Bridge.Name + " (internal port)"
	case x.Peer != nil:
		return " to " + x.Peer.Ref()
	case x.Segment != nil:
		return " onto segment " + x.Segment.Name
	}
	return ""
}

// deliverLocal ends a path at a local socket.
func (r *run) deliverLocal(c *cur, ns *model.Namespace, p Packet, in string) {
	r.ctLeave(c, p)
	if p.Encap != nil && r.decap(c, ns, p) {
		return
	}
	c.tr.endNS = ns
	who := ns.Ref()
	if ns.Kind == model.NSGuest {
		who = ns.Name
	}
	r.finish(c, Delivered, Step{Kind: Deliver, Action: DeliveredAction,
		Why: fmt.Sprintf("%s is a local address of %s: delivered to its stack", p.Dst, who)}, p)
}

// route runs the FIB lookup and records it; false when the path ended.
func (r *run) route(c *cur, ns *model.Namespace, p Packet, iif string) (routeResult, bool) {
	res := lookupRoute(ns, flowKey{src: p.Src, dst: p.Dst, iif: iif, mark: p.Mark})
	switch {
	case res.null != nil:
		r.finish(c, NullRouted, Step{Kind: Route, Action: Failed,
			Why:    fmt.Sprintf("ip rule %q: %s", trimPrio(res.null.String()), res.null.Action),
			Source: srcRef(res.null.String(), res.null.Source), Detail: &RouteDetail{Rules: res.rules}}, p)
		return res, false
	case res.route == nil:
		r.finish(c, NoRoute, Step{Kind: Route, Action: NoRouteAction,
			Why: fmt.Sprintf("no route to %s in %s (rules tried: %d)", p.Dst, ns.Ref(), len(res.rules)), Detail: &RouteDetail{Rules: res.rules}}, p)
		return res, false
	}
	rt := res.route
	d := &RouteDetail{Rules: res.rules, Table: model.TableName(rt.Table), Route: rt.String(),
		Local: rt.Type == model.RouteLocal || rt.Type == model.RouteBroadcast}
	if len(rt.Nexthops) == 1 {
		d.Dev = rt.Nexthops[0].Dev
		if rt.Nexthops[0].Gateway.IsValid() {
			d.Gateway = rt.Nexthops[0].Gateway.String()
		}
	}
	switch rt.Type {
	case model.RouteBlackhole, model.RouteUnreachable, model.RouteProhibit:
		r.finish(c, NullRouted, Step{Kind: Route, Action: Failed,
			Why: fmt.Sprintf("%s route %q in table %s", rt.Type, rt.String(), model.TableName(rt.Table)), Source: srcRef(rt.String(), rt.Source), Detail: d, Object: rt}, p)
		return res, false
	case model.RouteUnicast, model.RouteLocal, model.RouteBroadcast:
	default:
		r.finish(c, Unsupported, Step{Kind: Route, Action: UnsupportedAction,
			Why: fmt.Sprintf("route type %s is not modelled: %q", rt.Type, rt.String()), Source: srcRef(rt.String(), rt.Source), Object: rt}, p)
		return res, false
	}
	why := describeRoute(res)
	if d.Local {
		why = fmt.Sprintf("ip rule %q chose table %s: %s is local (%q)", trimPrio(res.rule.String()), d.Table, p.Dst, rt.String())
	}
	c.tr.add(Step{Kind: Route, Action: Resolved, Why: why, Source: srcRef(rt.String(), rt.Source), Detail: d, Object: rt})
	return res, true
}

// eachNexthop continues the path once per next hop, forking for ECMP.
func (r *run) eachNexthop(c *cur, rt *model.Route, f func(*cur, model.Nexthop)) {
	if len(rt.Nexthops) == 1 {
		f(c, rt.Nexthops[0])
		return
	}
	if len(rt.Nexthops) == 0 {
		f(c, model.Nexthop{})
		return
	}
	for i, nh := range rt.Nexthops {
		f(c.fork(fmt.Sprintf("ECMP next hop %d of %d: via %s dev %s", i+1, len(rt.Nexthops), nh.Gateway, nh.Dev)), nh)
	}
}

// rpFilter applies reverse-path filtering on the ingress device.
func (r *run) rpFilter(c *cur, ns *model.Namespace, y *model.Interface, p Packet) bool {
	if y.RPFilter == 0 || !p.Src.IsValid() {
		return true
	}
	back := lookupRoute(ns, flowKey{src: p.Dst, dst: p.Src, iif: y.Name, mark: p.Mark})
	ok := back.route != nil && back.route.Type == model.RouteUnicast
	if ok && y.RPFilter == 1 {
		ok = false
		for _, nh := range back.route.Nexthops {
			ok = ok || nh.Iface == y
		}
	}
	if !ok {
		r.finish(c, Dropped, Step{Kind: Route, Action: DroppedAction,
			Why: fmt.Sprintf("rp_filter=%d on %s: the route back to %s does not leave through %s", y.RPFilter, y.Name, p.Src, y.Name)}, p)
	}
	return ok
}
