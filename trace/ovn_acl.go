package trace

import (
	"fmt"

	"github.com/hopscope/hopscope/model/ovn"
)

// acls is ls_in_acl (from-lport, matched against the sending port) or
// ls_out_acl (to-lport, the receiving one): tiers lowest first, in each the
// highest priority that matches decides; pass goes on to the next tier; no
// match allows. When the switch has stateful ACLs, conntrack runs in the
// port's zone: an allowed new connection is committed, and a reply of a
// committed connection (ct.est && ct.rpl) is let through without the ACLs,
// as northd's priority-65532 flow does. allow-stateless skips conntrack.
func (r *run) acls(c *cur, sw *ovn.Switch, dir string, port *ovn.SwitchPort, p Packet, ch string) bool {
	list := r.e.Topo.OVN.ACLs(sw, dir)
	pipeline, stage := "ingress", "ls_in_acl"
	if dir == "to-lport" {
		pipeline, stage = "egress", "ls_out_acl"
	}
	if len(list) == 0 {
		return true
	}
	zone := "lsp " + port.Name
	// Conntrack runs in both pipelines of a switch with any stateful ACL.
	stateful := hasStateful(list) || hasStateful(r.e.Topo.OVN.ACLs(sw, otherDirection(dir)))
	if stateful {
		if l := r.lreply(zone, p); l != nil {
			d := r.lsDetail(sw, pipeline, stage, port.Name, ch)
			c.tr.add(Step{Kind: Conntrack, Action: Permitted, Detail: d,
				Why: fmt.Sprintf("ct.est && ct.rpl: a reply of %s, committed when the connection began: established traffic skips the ACLs", l)})
			return true
		}
	}
	in, out := port.Name, ""
	if dir == "to-lport" {
		in, out = "", port.Name
	}
	v := ovnView(p, in, out)
	if stateful {
		v.CT = ovn.CTTrk | ovn.CTNew
	}
	tier := -1
	for _, a := range list {
		if a.Disabled || a.Tier < tier {
			continue
		}
		x, err := a.Expr()
		if x == nil {
			r.finish(c, Unsupported, Step{Kind: OVNStage, Action: UnsupportedAction, Detail: r.aclDetail(sw, a, pipeline, stage, port, ch), Source: aclSource(a),
				Why: fmt.Sprintf("ACL %s %d %q: %v", a.Direction, a.Priority, a.Match, err)}, p)
			return false
		}
		if !x.Eval(&v) {
			continue
		}
		d := r.aclDetail(sw, a, pipeline, stage, port, ch)
		why := fmt.Sprintf("ACL %s %d %s %s (%s)", a.Direction, a.Priority, a.Match, a.Action, aclOwner(a))
		switch a.Action {
		case "pass":
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: d, Source: aclSource(a), Object: a,
				Why: why + fmt.Sprintf(": pass, on to the ACLs of tier %d", a.Tier+1)})
			tier = a.Tier + 1
			continue
		case "drop", "reject":
			how := "dropped"
			if a.Action == "reject" {
				how = "rejected (OVN answers with a TCP RST or ICMP unreachable)"
			}
			r.finish(c, Denied, Step{Kind: OVNStage, Action: DeniedAction, Detail: d, Source: aclSource(a), Object: a, Why: why + ": " + how}, p)
			return false
		case "allow-stateless":
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: d, Source: aclSource(a), Object: a, Why: why + ": allowed without conntrack"})
			return true
		default: // allow, allow-related
			how := ": allowed"
			if stateful {
				how = ": allowed; conntrack commits the connection in " + zone + ", so its replies pass"
				c.lcommit(zone, p, tupleOf(p).reverse())
			}
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: d, Source: aclSource(a), Object: a, Why: why + how})
			return true
		}
	}
	why := fmt.Sprintf("no ACL of %s or its port groups matches (%d %s): allowed, OVN's default", sw.Name, len(list), dir)
	if stateful {
		why += "; conntrack commits the connection in " + zone
		c.lcommit(zone, p, tupleOf(p).reverse())
	}
	c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: r.lsDetail(sw, pipeline, stage, port.Name, ch), Why: why})
	return true
}

func otherDirection(dir string) string {
	if dir == "to-lport" {
		return "from-lport"
	}
	return "to-lport"
}

func hasStateful(list []*ovn.ACL) bool {
	for _, a := range list {
		if a.Action == "allow-related" && !a.Disabled {
			return true
		}
	}
	return false
}

func (r *run) aclDetail(sw *ovn.Switch, a *ovn.ACL, pipeline, stage string, port *ovn.SwitchPort, ch string) *OVNDetail {
	d := r.lsDetail(sw, pipeline, stage, port.Name, ch)
	d.Row, d.Name = rowRef("ACL", a.Row), a.Name
	if a.PortGroup != nil {
		d.PortGroup = a.PortGroup.Name
		d.SecurityGroup = sgOf(a.Row, a.PortGroup.Row)
	} else {
		d.SecurityGroup = sgOf(a.Row)
	}
	return d
}

func aclSource(a *ovn.ACL) *SourceRef {
	return ovnSource(fmt.Sprintf("%s %d %s %s", a.Direction, a.Priority, a.Match, a.Action), a.Row)
}

// aclOwner says where an ACL hangs, with the Neutron security group.
func aclOwner(a *ovn.ACL) string {
	s := a.Owner
	if sg := sgOf(a.Row); sg != "" {
		s += ", security group " + sg
	} else if a.PortGroup != nil {
		if sg := sgOf(a.PortGroup.Row); sg != "" {
			s += ", security group " + sg
		}
	}
	if a.Name != "" {
		s = "\"" + a.Name + "\", " + s
	}
	return s
}
