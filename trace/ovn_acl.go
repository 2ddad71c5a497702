package trace

import (
	"fmt"

	"github.com/hopscope/hopscope/model/ovn"
)

// acls is ls_in_acl (from-lport, matched against the sending port) or
// ls_out_acl (to-lport, the receiving one): tiers lowest first, in each the
// highest priority that matches decides; pass goes on to the next tier; no
// match allows. A switch with any allow-related ACL, in either direction,
// is stateful: conntrack runs in the port's zone, an allowed new connection
// is committed, and a reply of a committed connection (ct.est && ct.rpl)
// passes without the ACLs, as northd's priority-65532 flow does. Router and
// localnet ports, and packets any allow-stateless ACL matches, skip that
// lookup (ls_*_pre_acl): their ACLs see the ct_state an earlier lookup on
// this chassis left, or none. It returns p with the ct_state it leaves.
func (r *run) acls(c *cur, sw *ovn.Switch, dir string, in, out *ovn.SwitchPort, p Packet, ch string) (Packet, bool) {
	list := r.e.Topo.OVN.ACLs(sw, dir)
	stateful := r.stateful(sw)
	if len(list) == 0 && !stateful {
		return p, true
	}
	pipeline, stage, pre, port, outName := "ingress", "ls_in_acl", "ls_in_pre_acl", in, ""
	if dir == "to-lport" {
		pipeline, stage, pre, port, outName = "egress", "ls_out_acl", "ls_out_pre_acl", out, out.Name
	}
	zone := "lsp " + port.Name
	v := ovnView(p, in.Name, outName)
	d := r.lsDetail(sw, pipeline, stage, port.Name, ch)
	tracked, skip := stateful && !p.arp, ""
	if tracked {
		if port.Type == ovn.PortRouter || port.Type == ovn.PortLocalnet {
			tracked, skip = false, fmt.Sprintf("%s is a %s port, which skips conntrack", port.Name, port.Type)
		} else if a := statelessMatch(list, &v); a != nil {
			tracked, skip = false, fmt.Sprintf("allow-stateless ACL %d %s matches, so %s skips conntrack", a.Priority, a.Match, pre)
		}
	}
	switch {
	case tracked:
		if l := r.lreply(zone, p); l != nil {
			p.lct = ovn.CTTrk | ovn.CTEst | ovn.CTRpl
			c.tr.add(Step{Kind: Conntrack, Action: Permitted, Detail: d,
				Why: fmt.Sprintf("ct.est && ct.rpl: a reply of %s, committed when the connection began: established traffic skips the ACLs", l)})
			return p, true
		}
		p.lct = ovn.CTTrk | ovn.CTNew
	case stateful && p.lct&(ovn.CTEst|ovn.CTRpl) == ovn.CTEst|ovn.CTRpl:
		c.tr.add(Step{Kind: Conntrack, Action: Permitted, Detail: d,
			Why: fmt.Sprintf("%s; the ct_state an earlier lookup on this chassis left says ct.est && ct.rpl: a reply, which skips the ACLs", skip)})
		return p, true
	}
	v.CT = p.lct
	if !tracked && stateful && p.lct == 0 && p.lctLost {
		// One pipeline for all chassis would still carry the sender's state.
		skip += "; the ct_state the sending chassis' lookup left does not cross Geneve, so the ACLs see an untracked packet"
		d.ChassisBound = skip
	}
	// commit is what the stateful stage does with an allowed packet: a new
	// connection is committed in the port's zone; northd's default flow
	// commits whatever is not established.
	commit := func(byDefault bool) string {
		never := port.Type == ovn.PortRouter || port.Type == ovn.PortLocalnet // no reply is looked up there
		if !stateful || never || (p.lct&ovn.CTNew == 0 && !(byDefault && p.lct&ovn.CTEst == 0)) {
			if skip != "" {
				return "; " + skip
			}
			return ""
		}
		c.lcommit(zone, p, tupleOf(p).reverse())
		if skip != "" {
			return "; " + skip + ", but conntrack commits the connection in " + zone
		}
		return "; conntrack commits the connection in " + zone + ", so its replies pass"
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
			return p, false
		}
		if !x.Eval(&v) {
			continue
		}
		ad := r.aclDetail(sw, a, pipeline, stage, port, ch)
		ad.ChassisBound = d.ChassisBound
		why := fmt.Sprintf("ACL %s %d %s %s (%s)", a.Direction, a.Priority, a.Match, a.Action, aclOwner(a))
		switch a.Action {
		case "pass":
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: ad, Source: aclSource(a), Object: a,
				Why: why + fmt.Sprintf(": pass, on to the ACLs of tier %d", a.Tier+1)})
			tier = a.Tier + 1
			continue
		case "drop", "reject":
			how := "dropped"
			if a.Action == "reject" {
				how = "rejected (OVN answers with a TCP RST or ICMP unreachable)"
			}
			r.finish(c, Denied, Step{Kind: OVNStage, Action: DeniedAction, Detail: ad, Source: aclSource(a), Object: a, Why: why + ": " + how}, p)
			return p, false
		case "allow-stateless":
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: ad, Source: aclSource(a), Object: a, Why: why + ": allowed without conntrack"})
			return p, true
		default: // allow, allow-related
			c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: ad, Source: aclSource(a), Object: a, Why: why + ": allowed" + commit(false)})
			return p, true
		}
	}
	why := fmt.Sprintf("no ACL of %s or its port groups matches (%d %s): allowed, OVN's default", sw.Name, len(list), dir)
	c.tr.add(Step{Kind: OVNStage, Action: Permitted, Detail: d, Why: why + commit(true)})
	return p, true
}

// statelessMatch is the highest-priority enabled allow-stateless ACL that
// matches v: northd copies each into the pre-ACL stage, where a match
// turns conntrack off whichever ACL decides later.
func statelessMatch(list []*ovn.ACL, v *ovn.Packet) *ovn.ACL {
	for _, a := range list {
		if a.Action != "allow-stateless" || a.Disabled {
			continue
		}
		if x, _ := a.Expr(); x != nil && x.Eval(v) {
			return a
		}
	}
	return nil
}

// stateful reports whether sw has an allow-related ACL, in either
// direction: then conntrack runs in both of its pipelines.
func (r *run) stateful(sw *ovn.Switch) bool {
	for _, dir := range []string{"from-lport", "to-lport"} {
		for _, a := range r.e.Topo.OVN.ACLs(sw, dir) {
			if a.Action == "allow-related" && !a.Disabled {
				return true
			}
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
