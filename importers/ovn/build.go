package ovn

import (
	"errors"
	"fmt"

	"github.com/hopscope/hopscope/model/ovn"
)

// builder turns the northbound rows into the model, keeping the objects
// by uuid (and ports by name) for the references between them and for the
// southbound facts applied afterwards.
type builder struct {
	db       *ovn.DB
	nbSource string // what each NB row's Source starts with: the database, or its file
	sbSource string

	switches     map[string]*ovn.Switch     // by NB uuid
	routers      map[string]*ovn.Router     // by NB uuid
	switchPorts  map[string]*ovn.SwitchPort // by NB uuid
	routerPorts  map[string]*ovn.RouterPort // by NB uuid
	portsByName  map[string]any             // *ovn.SwitchPort or *ovn.RouterPort
	acls         map[string]*ovn.ACL
	lbs          map[string]*ovn.LoadBalancer
	gateways     map[string]GatewayChassis
	haGroups     map[string]*ovn.HAChassisGroup
	routes       map[string]*ovn.Route
	policies     map[string]*ovn.Policy
	nats         map[string]*ovn.NAT
	aclTier      map[string]int
	haChassisRow map[string]HAChassis
}

// row names one database row in errors: table, name (when it has one) and uuid.
type row struct{ table, name, uuid string }

func (r row) String() string {
	if r.name == "" {
		return r.table + " " + r.uuid
	}
	return fmt.Sprintf("%s %q (%s)", r.table, r.name, r.uuid)
}

// err says which column of the row holds a value the model cannot take.
func (r row) err(column string, err error) error {
	return fmt.Errorf("%s column %s: %w", r, column, err)
}

func (r row) errf(column, format string, args ...any) error {
	return r.err(column, fmt.Errorf(format, args...))
}

// base is the Row every northbound model object starts from.
func (b *builder) base(table, uuid string, externalIDs map[string]string) ovn.Row {
	return base(b.nbSource, table, uuid, externalIDs)
}

// base is the Row every model object starts from; source names the
// database or the file it was read from.
func base(source, table, uuid string, externalIDs map[string]string) ovn.Row {
	return ovn.Row{UUID: uuid, ExternalIDs: nonEmpty(externalIDs), Source: source + " " + table + " " + uuid}
}

// nonEmpty keeps a map only when it has entries, so an unset column and an
// empty one read the same. The rows are the import's own: their maps are
// taken, not copied.
func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// buildNB builds the northbound model; source names where the rows came
// from. The order matters only in that a row is built before the rows
// that point at it.
func buildNB(t nbTables, source string) (*builder, error) {
	b := &builder{
		db: &ovn.DB{}, nbSource: source,
		switches: make(map[string]*ovn.Switch, len(t.Switches)), routers: make(map[string]*ovn.Router, len(t.Routers)),
		switchPorts: make(map[string]*ovn.SwitchPort, len(t.SwitchPorts)), routerPorts: make(map[string]*ovn.RouterPort, len(t.RouterPorts)),
		portsByName: make(map[string]any, len(t.SwitchPorts)+len(t.RouterPorts)), acls: make(map[string]*ovn.ACL, len(t.ACLs)),
		lbs: make(map[string]*ovn.LoadBalancer, len(t.LoadBalancers)), gateways: make(map[string]GatewayChassis, len(t.GatewayChassis)),
		haGroups: make(map[string]*ovn.HAChassisGroup, len(t.HAGroups)), routes: make(map[string]*ovn.Route, len(t.Routes)),
		policies: make(map[string]*ovn.Policy, len(t.Policies)), nats: make(map[string]*ovn.NAT, len(t.NATs)),
		aclTier: t.ACLTier, haChassisRow: make(map[string]HAChassis, len(t.HAChassis)),
	}
	steps := []func(nbTables) error{
		b.loadBalancers, b.addressSets, b.aclRows, b.switchPortRows, b.switchRows, b.portGroups,
		b.gatewayRows, b.routerPortRows, b.routeRows, b.policyRows, b.natRows, b.routerRows,
	}
	for _, step := range steps {
		if err := step(t); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *builder) loadBalancers(t nbTables) error {
	for _, r := range t.LoadBalancers {
		ref := row{tLoadBalancer, r.Name, r.UUID}
		lb := &ovn.LoadBalancer{Row: b.base(tLoadBalancer, r.UUID, r.ExternalIDs),
			Name: r.Name, Protocol: "tcp", Options: nonEmpty(r.Options)}
		if r.Protocol != nil {
			lb.Protocol = *r.Protocol
		}
		for key, value := range r.VIPs {
			v, err := ovn.ParseVIP(key, value)
			if err != nil {
				return ref.err("vips", err)
			}
			lb.VIPs = append(lb.VIPs, v)
		}
		b.lbs[r.UUID] = lb
		b.db.LoadBalancers = append(b.db.LoadBalancers, lb)
	}
	return nil
}

func (b *builder) addressSets(t nbTables) error {
	for _, r := range t.AddressSets {
		b.db.AddressSets = append(b.db.AddressSets, &ovn.AddressSet{
			Row:  b.base(tAddressSet, r.UUID, r.ExternalIDs),
			Name: r.Name, Addresses: append([]string(nil), r.Addresses...),
		})
	}
	return nil
}

func (b *builder) aclRows(t nbTables) error {
	for _, r := range t.ACLs {
		a := &ovn.ACL{Row: b.base(tACL, r.UUID, r.ExternalIDs),
			Direction: r.Direction, Priority: r.Priority, Match: r.Match, Action: r.Action,
			Tier: b.aclTier[r.UUID], Label: r.Label, Log: r.Log, Options: nonEmpty(r.Options)}
		if r.Name != nil {
			a.Name = *r.Name
		}
		b.acls[r.UUID] = a
	}
	return nil
}

func (b *builder) switchPortRows(t nbTables) error {
	for _, r := range t.SwitchPorts {
		ref := row{tSwitchPort, r.Name, r.UUID}
		switch {
		case r.ParentName != nil:
			return ref.errf("parent_name", "%q: container ports (a parent port and a VLAN tag) are not modelled", *r.ParentName)
		case r.TagRequest != nil:
			return ref.errf("tag_request", "%d: VLAN-tagged switch ports are not modelled", *r.TagRequest)
		}
		p := &ovn.SwitchPort{Row: b.base(tSwitchPort, r.UUID, r.ExternalIDs),
			Name: r.Name, Type: r.Type, Options: nonEmpty(r.Options), Enabled: r.Enabled == nil || *r.Enabled}
		var dynamic *ovn.Address
		if r.DynamicAddresses != nil {
			d, err := ovn.ParsePortSecurity(*r.DynamicAddresses)
			if err != nil {
				return ref.err("dynamic_addresses", err)
			}
			dynamic = &d
		}
		for _, s := range r.Addresses {
			a, err := ovn.ParseAddress(s)
			if err != nil {
				return ref.err("addresses", err)
			}
			if a.Dynamic && dynamic != nil {
				// What northd allocated; Text keeps what was asked for.
				a.MAC, a.IPs = dynamic.MAC, dynamic.IPs
			}
			p.Addresses = append(p.Addresses, a)
		}
		for _, s := range r.PortSecurity {
			a, err := ovn.ParsePortSecurity(s)
			if err != nil {
				return ref.err("port_security", err)
			}
			p.PortSecurity = append(p.PortSecurity, a)
		}
		b.switchPorts[r.UUID] = p
		b.portsByName[r.Name] = p
	}
	return nil
}

func (b *builder) switchRows(t nbTables) error {
	for _, r := range t.Switches {
		ref := row{tSwitch, r.Name, r.UUID}
		switch {
		case len(r.LoadBalancerGroup) > 0:
			return ref.errf("load_balancer_group", "%d groups: load balancer groups are not modelled", len(r.LoadBalancerGroup))
		case len(r.ForwardingGroups) > 0:
			return ref.errf("forwarding_groups", "%d groups: forwarding groups are not modelled", len(r.ForwardingGroups))
		}
		s := &ovn.Switch{Row: b.base(tSwitch, r.UUID, r.ExternalIDs),
			Name: r.Name, OtherConfig: nonEmpty(r.OtherConfig)}
		var err error
		if s.Ports, err = lookup(ref, "ports", r.Ports, b.switchPorts); err != nil {
			return err
		}
		if s.ACLs, err = lookup(ref, "acls", r.ACLs, b.acls); err != nil {
			return err
		}
		if s.LoadBalancers, err = lookup(ref, "load_balancer", r.LoadBalancer, b.lbs); err != nil {
			return err
		}
		b.switches[r.UUID] = s
		b.db.Switches = append(b.db.Switches, s)
	}
	return nil
}

func (b *builder) portGroups(t nbTables) error {
	for _, r := range t.PortGroups {
		ref := row{tPortGroup, r.Name, r.UUID}
		g := &ovn.PortGroup{Row: b.base(tPortGroup, r.UUID, r.ExternalIDs), Name: r.Name}
		ports, err := lookup(ref, "ports", r.Ports, b.switchPorts)
		if err != nil {
			return err
		}
		for _, p := range ports {
			g.PortNames = append(g.PortNames, p.Name)
		}
		if g.ACLs, err = lookup(ref, "acls", r.ACLs, b.acls); err != nil {
			return err
		}
		b.db.PortGroups = append(b.db.PortGroups, g)
	}
	return nil
}

func (b *builder) gatewayRows(t nbTables) error {
	for _, r := range t.GatewayChassis {
		b.gateways[r.UUID] = r
	}
	for _, r := range t.HAChassis {
		b.haChassisRow[r.UUID] = r
	}
	for _, r := range t.HAGroups {
		ref := row{tHAGroup, r.Name, r.UUID}
		g := &ovn.HAChassisGroup{Row: b.base(tHAGroup, r.UUID, r.ExternalIDs), Name: r.Name}
		members, err := lookup(ref, "ha_chassis", r.HAChassis, b.haChassisRow)
		if err != nil {
			return err
		}
		for _, m := range members {
			g.Members = append(g.Members, ovn.GatewayChassis{Chassis: m.ChassisName, Priority: m.Priority})
		}
		b.haGroups[r.UUID] = g
	}
	return nil
}

func (b *builder) routerPortRows(t nbTables) error {
	for _, r := range t.RouterPorts {
		ref := row{tRouterPort, r.Name, r.UUID}
		if r.Enabled != nil && !*r.Enabled {
			return ref.errf("enabled", "false: disabled router ports are not modelled")
		}
		p := &ovn.RouterPort{Row: b.base(tRouterPort, r.UUID, r.ExternalIDs),
			Name: r.Name, Options: nonEmpty(r.Options)}
		var err error
		if p.MAC, err = ovn.ParseMAC(r.MAC); err != nil {
			return ref.err("mac", err)
		}
		for _, s := range r.Networks {
			n, err := ovn.ParseNetwork(s)
			if err != nil {
				return ref.err("networks", err)
			}
			p.Networks = append(p.Networks, n)
		}
		if r.Peer != nil {
			p.Peer = *r.Peer
		}
		gws, err := lookup(ref, "gateway_chassis", r.GatewayChassis, b.gateways)
		if err != nil {
			return err
		}
		for _, g := range gws {
			p.GatewayChassis = append(p.GatewayChassis, ovn.GatewayChassis{Name: g.Name, Chassis: g.ChassisName, Priority: g.Priority})
		}
		if r.HAChassisGroup != nil {
			g, ok := b.haGroups[*r.HAChassisGroup]
			if !ok {
				return ref.errf("ha_chassis_group", "%s is not a row of %s", *r.HAChassisGroup, tHAGroup)
			}
			p.HAChassisGroup = g
		}
		b.routerPorts[r.UUID] = p
		b.portsByName[r.Name] = p
	}
	return nil
}

func (b *builder) routeRows(t nbTables) error {
	for _, r := range t.Routes {
		ref := row{tRoute, "", r.UUID}
		rt := &ovn.Route{Row: b.base(tRoute, r.UUID, r.ExternalIDs),
			Policy: "dst-ip", RouteTable: r.RouteTable, Options: nonEmpty(r.Options)}
		var err error
		if rt.Prefix, err = ovn.ParseIPOrPrefix(r.IPPrefix); err != nil {
			return ref.err("ip_prefix", err)
		}
		if rt.Nexthop, rt.Discard, err = ovn.ParseNexthop(r.Nexthop); err != nil {
			return ref.err("nexthop", err)
		}
		if r.OutputPort != nil {
			rt.OutputPort = *r.OutputPort
		}
		if r.Policy != nil {
			rt.Policy = *r.Policy
		}
		b.routes[r.UUID] = rt
	}
	return nil
}

func (b *builder) policyRows(t nbTables) error {
	for _, r := range t.Policies {
		ref := row{tPolicy, "", r.UUID}
		p := &ovn.Policy{Row: b.base(tPolicy, r.UUID, r.ExternalIDs),
			Priority: r.Priority, Match: r.Match, Action: r.Action, Options: nonEmpty(r.Options)}
		hops := r.Nexthops
		column := "nexthops"
		if len(hops) == 0 && r.Nexthop != nil {
			hops, column = []string{*r.Nexthop}, "nexthop" // the older, single-valued column
		}
		for _, s := range hops {
			a, err := ovn.ParseIP(s)
			if err != nil {
				return ref.err(column, err)
			}
			p.Nexthops = append(p.Nexthops, a)
		}
		b.policies[r.UUID] = p
	}
	return nil
}

func (b *builder) natRows(t nbTables) error {
	for _, r := range t.NATs {
		ref := row{tNAT, "", r.UUID}
		switch {
		case r.Type != ovn.SNAT && r.Type != ovn.DNAT && r.Type != ovn.DNATAndSNAT:
			return ref.errf("type", "%q is not snat, dnat or dnat_and_snat", r.Type)
		case r.AllowedExtIPs != nil:
			return ref.errf("allowed_ext_ips", "set: NAT restricted to external address sets is not modelled")
		case r.ExemptedExtIPs != nil:
			return ref.errf("exempted_ext_ips", "set: NAT restricted to external address sets is not modelled")
		}
		n := &ovn.NAT{Row: b.base(tNAT, r.UUID, r.ExternalIDs), Type: r.Type,
			ExternalPortRange: r.ExternalPortRange, Options: nonEmpty(r.Options)}
		var err error
		if n.ExternalIP, err = ovn.ParseIP(r.ExternalIP); err != nil {
			return ref.err("external_ip", err)
		}
		if n.LogicalIP, err = ovn.ParseIPOrPrefix(r.LogicalIP); err != nil {
			return ref.err("logical_ip", err)
		}
		if r.LogicalPort != nil {
			n.LogicalPort = *r.LogicalPort
		}
		if r.ExternalMAC != nil {
			if n.ExternalMAC, err = ovn.ParseMAC(*r.ExternalMAC); err != nil {
				return ref.err("external_mac", err)
			}
			n.HasExternalMAC = true
		}
		b.nats[r.UUID] = n
	}
	return nil
}

func (b *builder) routerRows(t nbTables) error {
	for _, r := range t.Routers {
		ref := row{tRouter, r.Name, r.UUID}
		switch {
		case r.Enabled != nil && !*r.Enabled:
			return ref.errf("enabled", "false: disabled routers are not modelled")
		case len(r.LoadBalancerGroup) > 0:
			return ref.errf("load_balancer_group", "%d groups: load balancer groups are not modelled", len(r.LoadBalancerGroup))
		}
		rt := &ovn.Router{Row: b.base(tRouter, r.UUID, r.ExternalIDs),
			Name: r.Name, Options: nonEmpty(r.Options)}
		var err error
		if rt.Ports, err = lookup(ref, "ports", r.Ports, b.routerPorts); err != nil {
			return err
		}
		if rt.Routes, err = lookup(ref, "static_routes", r.StaticRoutes, b.routes); err != nil {
			return err
		}
		if rt.Policies, err = lookup(ref, "policies", r.Policies, b.policies); err != nil {
			return err
		}
		if rt.NAT, err = lookup(ref, "nat", r.NAT, b.nats); err != nil {
			return err
		}
		if rt.LoadBalancers, err = lookup(ref, "load_balancer", r.LoadBalancer, b.lbs); err != nil {
			return err
		}
		b.routers[r.UUID] = rt
		b.db.Routers = append(b.db.Routers, rt)
	}
	return nil
}

// lookup resolves a column of uuid references. The server keeps strong
// references whole and drops dangling weak ones, so a miss means the read
// was not the snapshot it should be.
func lookup[T any](ref row, column string, uuids []string, by map[string]T) ([]T, error) {
	out := make([]T, 0, len(uuids))
	for _, u := range uuids {
		v, ok := by[u]
		if !ok {
			return nil, ref.err(column, errors.New(u+" is not a row this import read"))
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
