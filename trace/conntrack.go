package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
)

// tuple is a connection's address/port quadruple as conntrack keys it.
// ICMP echo is keyed by addresses alone.
type tuple struct {
	Src, Dst     netip.Addr
	Proto        uint8
	SPort, DPort uint16
}

func tupleOf(p Packet) tuple {
	t := tuple{Src: p.Src, Dst: p.Dst, Proto: p.Proto}
	if p.HasPorts() {
		t.SPort, t.DPort = p.SrcPort, p.DstPort
	}
	return t
}

func (t tuple) reverse() tuple {
	return tuple{Src: t.Dst, Dst: t.Src, Proto: t.Proto, SPort: t.DPort, DPort: t.SPort}
}

func (t tuple) String() string {
	if t.SPort != 0 || t.DPort != 0 {
		return fmt.Sprintf("%s %s:%d > %s:%d", ProtoName(t.Proto), t.Src, t.SPort, t.Dst, t.DPort)
	}
	return fmt.Sprintf("%s %s > %s", ProtoName(t.Proto), t.Src, t.Dst)
}

// conn is one conntrack entry a forward trace created in one namespace.
type conn struct {
	ns      *model.Namespace
	orig    tuple // as the first packet entered the namespace
	reply   tuple // what the answer looks like when it arrives (NAT applied)
	zone    uint16
	matched bool // a reply matched this entry (it was not created by this path)
}

func (c conn) snat() bool { return c.reply.Dst != c.orig.Src || c.reply.DPort != c.orig.SPort }
func (c conn) dnat() bool { return c.reply.Src != c.orig.Dst || c.reply.SPort != c.orig.DPort }

// ctEnter looks the packet up in ns's conntrack as it enters netfilter (at
// PREROUTING or OUTPUT). A forward trace creates a NEW entry; a reply
// matches the forward trace's entry, is ESTABLISHED, and has the forward
// SNAT undone here (destination rewrites happen at PREROUTING/OUTPUT).
func (r *run) ctEnter(c *cur, ns *model.Namespace, p Packet) Packet {
	if !r.reply {
		c.nsConn = &conn{ns: ns, orig: tupleOf(p)}
		p.CtState = "NEW"
		if ns.Netfilter == nil {
			return p // no rules can look at the state: no step to show
		}
		c.tr.add(Step{Kind: Conntrack, Action: Resolved, Why: "first packet of the connection in " + ns.Ref() + ": ct state NEW",
			Detail: &ConntrackDetail{State: "NEW", Entry: tupleOf(p).String()}})
		return p
	}
	for i := range r.fwConns {
		fc := r.fwConns[i]
		if fc.ns != ns || fc.reply != tupleOf(p) {
			continue
		}
		fc.matched = true
		c.nsConn = &fc
		p.CtState = "ESTABLISHED"
		q := p
		if fc.snat() {
			q.Dst, q.DstPort = fc.orig.Src, fc.orig.SPort
			if !q.HasPorts() {
				q.DstPort = 0
			}
		}
		why := fmt.Sprintf("reply of the connection %s in %s: ct state ESTABLISHED", fc.orig, ns.Ref())
		act := Resolved
		if q != p {
			why += "; the forward SNAT is undone"
			act = Transformed
		}
		c.tr.add(Step{Kind: Conntrack, Action: act, Why: why, Diff: diff(p, q),
			Detail: &ConntrackDetail{State: "ESTABLISHED", Zone: fc.zone, Entry: fc.orig.String()}})
		return q
	}
	c.nsConn = &conn{ns: ns, orig: tupleOf(p)}
	p.CtState = "NEW"
	if ns.Netfilter != nil {
		c.tr.add(Step{Kind: Conntrack, Action: Resolved,
			Why:    "no connection of the forward trace matches in " + ns.Ref() + ": ct state NEW",
			Detail: &ConntrackDetail{State: "NEW", Entry: tupleOf(p).String()}})
	}
	return p
}

// ctUnDNAT undoes a forward DNAT on a reply at POSTROUTING or INPUT
// (source rewrites happen there).
func (r *run) ctUnDNAT(c *cur, p Packet) Packet {
	fc := c.nsConn
	if !r.reply || fc == nil || !fc.matched || !fc.dnat() {
		return p
	}
	q := p
	q.Src, q.SrcPort = fc.orig.Dst, fc.orig.DPort
	if !q.HasPorts() {
		q.SrcPort = 0
	}
	if q != p {
		c.tr.add(Step{Kind: Conntrack, Action: Transformed, Diff: diff(p, q),
			Why:    "reply of a DNATed connection: conntrack restores the original destination " + fc.orig.Dst.String() + " as source",
			Detail: &ConntrackDetail{State: "ESTABLISHED", Entry: fc.orig.String()}})
	}
	return q
}

// ctLeave completes the namespace's entry as the packet leaves it, so the
// reply tuple reflects any NAT.
func (r *run) ctLeave(c *cur, p Packet) {
	if r.reply || c.nsConn == nil {
		return
	}
	fc := *c.nsConn
	fc.reply = tupleOf(p).reverse()
	fc.zone = p.CtZone
	c.tr.conns = append(c.tr.conns, fc)
	c.nsConn = nil
}

// ctStatus is the conntrack state bits a rule sees.
func (r *run) ctDNATed(c *cur, p Packet) bool {
	fc := c.nsConn
	if fc == nil {
		return false
	}
	if fc.matched {
		return fc.dnat()
	}
	return p.Dst != fc.orig.Dst || (p.HasPorts() && p.DstPort != fc.orig.DPort)
}

func (r *run) ctSNATed(c *cur, p Packet) bool {
	fc := c.nsConn
	if fc == nil {
		return false
	}
	if fc.matched {
		return fc.snat()
	}
	return p.Src != fc.orig.Src
}
