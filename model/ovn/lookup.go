package ovn

import "net/netip"

// The lookups below need Index to have run.

// Switch finds a logical switch by name or UUID.
func (db *DB) Switch(name string) *Switch { return db.idx.switches[name] }

// Router finds a logical router by name or UUID.
func (db *DB) Router(name string) *Router { return db.idx.routers[name] }

// Port finds a logical switch port by name or UUID.
func (db *DB) Port(name string) *SwitchPort { return db.idx.ports[name] }

// RouterPort finds a logical router port by name or UUID.
func (db *DB) RouterPort(name string) *RouterPort { return db.idx.rports[name] }

// Chassis finds a chassis by name or hostname.
func (db *DB) ChassisNamed(name string) *Chassis { return db.idx.chassis[name] }

// PortsWithIP lists the switch ports whose addresses include a.
func (db *DB) PortsWithIP(a netip.Addr) []*SwitchPort { return db.idx.byIP[a] }

// PortWithMAC is the port of sw whose addresses (or, for a router port,
// whose router port) have MAC m.
func (db *DB) PortWithMAC(sw *Switch, m MAC) *SwitchPort { return db.idx.swMAC[sw][m] }

// UnknownPorts lists sw's ports with the "unknown" address.
func (db *DB) UnknownPorts(sw *Switch) []*SwitchPort { return db.idx.unknown[sw] }

// ACLs lists the ACLs sw applies in one direction ("from-lport" or
// "to-lport"): its own and its port groups', by tier, then priority
// highest first.
func (db *DB) ACLs(sw *Switch, direction string) []*ACL {
	l := db.idx.acls[sw]
	if l == nil {
		return nil
	}
	if direction == "to-lport" {
		return l[1]
	}
	return l[0]
}

// Datapath finds the switch or router with a tunnel key.
func (db *DB) Datapath(key int) any { return db.idx.datapath[key] }

// PortByKey finds the *SwitchPort or *RouterPort with tunnel key port in
// datapath dp.
func (db *DB) PortByKey(dp, port int) any { return db.idx.portKey[portKey{dp, port}] }

// Expr is the ACL's compiled match, or why there is none.
func (a *ACL) Expr() (*Expr, error) { return a.expr, a.err }

// Expr is the policy's compiled match, or why there is none.
func (p *Policy) Expr() (*Expr, error) { return p.expr, p.err }

// MACs lists a port's MACs: its addresses', or its router port's.
func (p *SwitchPort) MACs() []MAC {
	var out []MAC
	for _, a := range p.Addresses {
		if a.Router && p.RouterPort != nil {
			out = append(out, p.RouterPort.MAC)
		} else if a.MAC != (MAC{}) {
			out = append(out, a.MAC)
		}
	}
	return out
}

// Network is the router port's network that contains a, if any.
func (p *RouterPort) Network(a netip.Addr) (netip.Prefix, bool) {
	for _, n := range p.Networks {
		if n.Contains(a) {
			return n, true
		}
	}
	return netip.Prefix{}, false
}

// IsGateway reports whether p is a distributed gateway port: traffic
// through it is centralised on its highest-priority gateway chassis.
func (p *RouterPort) IsGateway() bool { return len(p.GatewayChassis) > 0 || p.HAChassisGroup != nil }

// ActiveChassis is the chassis a gateway port's traffic is centralised
// on: the highest-priority member.
func (p *RouterPort) ActiveChassis() string {
	gcs := p.GatewayChassis
	if p.HAChassisGroup != nil {
		gcs = p.HAChassisGroup.Members
	}
	best := GatewayChassis{Priority: -1 << 31}
	for _, g := range gcs {
		if g.Priority > best.Priority {
			best = g
		}
	}
	return best.Chassis
}

// NeutronName is the name Neutron gave the row (port, router, network or
// security group), from its external_ids; "" when Neutron made none. A
// port's own name comes first: Neutron tags ports with their network's
// name too.
func (r Row) NeutronName() string {
	for _, k := range []string{"neutron:port_name", "neutron:router_name", "neutron:network_name", "neutron:security_group_name"} {
		if v := r.ExternalIDs[k]; v != "" {
			return v
		}
	}
	return ""
}
