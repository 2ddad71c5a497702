package trace

import "fmt"

// lconn is a connection an OVN conntrack zone committed: a logical port's
// ACL zone ("lsp NAME") or a router's NAT zone ("lr NAME").
type lconn struct {
	zone        string
	orig, reply tuple
}

// lcommit records that zone committed the connection p starts; reply is
// the tuple its answer will carry (NAT applied).
func (c *cur) lcommit(zone string, p Packet, reply tuple) {
	c.tr.lconns = append(c.tr.lconns, lconn{zone: zone, orig: tupleOf(p), reply: reply})
}

// lreply finds the forward trace's connection in zone that p answers.
func (r *run) lreply(zone string, p Packet) *lconn {
	if !r.reply {
		return nil
	}
	t := tupleOf(p)
	for i := range r.fwL {
		if r.fwL[i].zone == zone && r.fwL[i].reply == t {
			return &r.fwL[i]
		}
	}
	return nil
}

func (l *lconn) String() string { return fmt.Sprintf("%s in zone %s", l.orig, l.zone) }
