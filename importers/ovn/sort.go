package ovn

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/hopscope/hopscope/model/ovn"
)

// sort orders everything the way a reader looks for it, so that two reads
// of the same content come out equal: named objects by name, ACLs and
// policies in evaluation order (direction, then priority high to low),
// routes by table and prefix, set columns by value. The uuid breaks the
// ties that remain (two switches with one name).
func (b *builder) sort() {
	db := b.db
	slices.SortFunc(db.Switches, func(x, y *ovn.Switch) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
	for _, s := range db.Switches {
		slices.SortFunc(s.Ports, func(x, y *ovn.SwitchPort) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
		for _, p := range s.Ports {
			sortAddresses(p.Addresses)
			sortAddresses(p.PortSecurity)
		}
		sortACLs(s.ACLs)
		sortLBs(s.LoadBalancers)
	}
	slices.SortFunc(db.PortGroups, func(x, y *ovn.PortGroup) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
	for _, g := range db.PortGroups {
		slices.Sort(g.PortNames)
		sortACLs(g.ACLs)
	}
	slices.SortFunc(db.AddressSets, func(x, y *ovn.AddressSet) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
	for _, a := range db.AddressSets {
		slices.Sort(a.Addresses)
	}
	slices.SortFunc(db.Routers, func(x, y *ovn.Router) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
	for _, r := range db.Routers {
		slices.SortFunc(r.Ports, func(x, y *ovn.RouterPort) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
		for _, p := range r.Ports {
			slices.SortFunc(p.Networks, comparePrefix)
			sortGateways(p.GatewayChassis)
			if p.HAChassisGroup != nil {
				sortGateways(p.HAChassisGroup.Members)
			}
		}
		slices.SortFunc(r.Routes, compareRoute)
		slices.SortFunc(r.Policies, func(x, y *ovn.Policy) int {
			return cmp.Or(cmp.Compare(y.Priority, x.Priority), cmp.Compare(x.Match, y.Match),
				cmp.Compare(x.Action, y.Action), cmp.Compare(x.UUID, y.UUID))
		})
		for _, p := range r.Policies {
			slices.SortFunc(p.Nexthops, netip.Addr.Compare)
		}
		slices.SortFunc(r.NAT, func(x, y *ovn.NAT) int {
			return cmp.Or(cmp.Compare(x.Type, y.Type), x.ExternalIP.Compare(y.ExternalIP),
				comparePrefix(x.LogicalIP, y.LogicalIP), cmp.Compare(x.LogicalPort, y.LogicalPort), cmp.Compare(x.UUID, y.UUID))
		})
		sortLBs(r.LoadBalancers)
	}
	sortLBs(db.LoadBalancers)
	for _, lb := range db.LoadBalancers {
		slices.SortFunc(lb.VIPs, func(x, y ovn.VIP) int {
			return cmp.Or(x.Addr.Compare(y.Addr), cmp.Compare(x.Port, y.Port))
		})
	}
	slices.SortFunc(db.Chassis, func(x, y *ovn.Chassis) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
	for _, c := range db.Chassis {
		slices.SortFunc(c.Encaps, func(x, y ovn.Encap) int { return cmp.Or(cmp.Compare(x.Type, y.Type), x.IP.Compare(y.IP)) })
	}
}

func sortAddresses(as []ovn.Address) {
	slices.SortFunc(as, func(x, y ovn.Address) int { return strings.Compare(x.Text, y.Text) })
}

func sortACLs(acls []*ovn.ACL) {
	slices.SortFunc(acls, func(x, y *ovn.ACL) int {
		return cmp.Or(cmp.Compare(x.Direction, y.Direction), cmp.Compare(y.Priority, x.Priority),
			cmp.Compare(x.Match, y.Match), cmp.Compare(x.Action, y.Action), cmp.Compare(x.Name, y.Name),
			cmp.Compare(x.UUID, y.UUID))
	})
}

func sortLBs(lbs []*ovn.LoadBalancer) {
	slices.SortFunc(lbs, func(x, y *ovn.LoadBalancer) int { return byName(x.Name, y.Name, x.UUID, y.UUID) })
}

// sortGateways orders gateway chassis by priority, highest first, as the
// model documents.
func sortGateways(gs []ovn.GatewayChassis) {
	slices.SortFunc(gs, func(x, y ovn.GatewayChassis) int {
		return cmp.Or(cmp.Compare(y.Priority, x.Priority), cmp.Compare(x.Chassis, y.Chassis), cmp.Compare(x.Name, y.Name))
	})
}

func compareRoute(x, y *ovn.Route) int {
	return cmp.Or(cmp.Compare(x.RouteTable, y.RouteTable), cmp.Compare(x.Policy, y.Policy),
		comparePrefix(x.Prefix, y.Prefix), x.Nexthop.Compare(y.Nexthop), cmp.Compare(x.OutputPort, y.OutputPort),
		cmp.Compare(x.UUID, y.UUID))
}

func comparePrefix(x, y netip.Prefix) int {
	return cmp.Or(x.Addr().Compare(y.Addr()), cmp.Compare(x.Bits(), y.Bits()))
}

// byName orders named rows; the uuid orders rows that share a name.
func byName(xName, yName, xUUID, yUUID string) int {
	return cmp.Or(cmp.Compare(xName, yName), cmp.Compare(xUUID, yUUID))
}
