package ovn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/client"
	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/hopscope/hopscope/model/ovn"
)

// Write puts db's northbound content into an (empty) NB database at nb in
// one transaction, with named UUIDs, so a test or the lab can realise a
// model in a real OVN. Its southbound facts (tunnel keys, bindings,
// chassis) are not written: northd and the chassis make those.
//
// The model's what-ifs are realised too: a Disabled switch port is written
// with enabled=false, and a Disabled ACL, route, policy or NAT is left out.
func Write(ctx context.Context, nb string, db *ovn.DB) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	if err := write(ctx, nb, db); err != nil {
		return fmt.Errorf("ovn northbound %s: %w", nb, err)
	}
	return nil
}

func write(ctx context.Context, nb string, db *ovn.DB) error {
	cm, err := nbModel()
	if err != nil {
		return err
	}
	c, err := connect(ctx, nb, cm)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := checkEmpty(ctx, c); err != nil {
		return err
	}
	w := &writer{c: c, tier: c.Schema().Table(tACL).Column("tier"),
		lbs: map[*ovn.LoadBalancer]string{}, haGroups: map[*ovn.HAChassisGroup]string{},
		switchPorts: map[string]string{}}
	if err := w.all(db); err != nil {
		return err
	}
	res, err := c.Transact(ctx, w.ops...)
	if err == nil {
		err = resultError(res, w.ops)
	}
	if err != nil {
		return fmt.Errorf("writing %d rows: %w", len(w.ops), err)
	}
	return nil
}

// checkEmpty refuses a database that already holds logical objects:
// Logical_Switch has no name index, so writing twice would double them.
func checkEmpty(ctx context.Context, c client.Client) error {
	tables := []string{tSwitch, tRouter, tPortGroup, tAddressSet, tLoadBalancer, tHAGroup}
	ops := make([]ovsdb.Operation, len(tables))
	for i, t := range tables {
		ops[i] = ovsdb.Operation{Op: ovsdb.OperationSelect, Table: t, Columns: []string{"_uuid"}}
	}
	res, err := c.Transact(ctx, ops...)
	if err == nil {
		err = resultError(res, ops)
	}
	if err != nil {
		return fmt.Errorf("checking the database is empty: %w", err)
	}
	var full []string
	for i, t := range tables {
		if n := len(res[i].Rows); n > 0 {
			full = append(full, fmt.Sprintf("%s has %d rows", t, n))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("the database is not empty (%s); Write needs an empty one", strings.Join(full, ", "))
	}
	return nil
}

// writer collects the insert operations, leaves first, so every named
// UUID is defined before a row refers to it.
type writer struct {
	c    client.Client
	tier *ovsdb.ColumnSchema // nil when the server's ACL table has no tier
	ops  []ovsdb.Operation
	n    int

	lbs         map[*ovn.LoadBalancer]string
	haGroups    map[*ovn.HAChassisGroup]string
	switchPorts map[string]string // port name -> named uuid
}

// insert adds the insert operation for one row; its UUID field holds the
// named uuid (from name) that other rows refer to it by.
func (w *writer) insert(m libmodel.Model) error {
	ops, err := w.c.Create(m)
	if err != nil {
		return err
	}
	w.ops = append(w.ops, ops...)
	return nil
}

func (w *writer) name() string {
	w.n++
	return fmt.Sprintf("row%d", w.n)
}

func (w *writer) all(db *ovn.DB) error {
	if _, err := w.loadBalancers(db.LoadBalancers); err != nil {
		return err
	}
	for _, as := range db.AddressSets {
		m := &AddressSet{UUID: w.name(), Name: as.Name, Addresses: slices.Clone(as.Addresses), ExternalIDs: maps.Clone(as.ExternalIDs)}
		if err := w.insert(m); err != nil {
			return fmt.Errorf("address set %s: %w", as.Name, err)
		}
	}
	for _, s := range db.Switches {
		if err := w.logicalSwitch(s); err != nil {
			return fmt.Errorf("switch %s: %w", s.Name, err)
		}
	}
	for _, g := range db.PortGroups {
		if err := w.portGroup(g); err != nil {
			return fmt.Errorf("port group %s: %w", g.Name, err)
		}
	}
	for _, r := range db.Routers {
		if err := w.router(r); err != nil {
			return fmt.Errorf("router %s: %w", r.Name, err)
		}
	}
	return nil
}

func (w *writer) loadBalancer(lb *ovn.LoadBalancer) (string, error) {
	if u, ok := w.lbs[lb]; ok {
		return u, nil
	}
	m := &LoadBalancer{UUID: w.name(), Name: lb.Name, VIPs: map[string]string{},
		Options: maps.Clone(lb.Options), ExternalIDs: maps.Clone(lb.ExternalIDs)}
	if lb.Protocol != "" {
		m.Protocol = &lb.Protocol
	}
	for _, v := range lb.VIPs {
		if !v.Addr.IsValid() {
			return "", fmt.Errorf("load balancer %s: a VIP has no address", lb.Name)
		}
		m.VIPs[v.Key()] = v.BackendsText()
	}
	if err := w.insert(m); err != nil {
		return "", fmt.Errorf("load balancer %s: %w", lb.Name, err)
	}
	w.lbs[lb] = m.UUID
	return m.UUID, nil
}

func (w *writer) loadBalancers(lbs []*ovn.LoadBalancer) ([]string, error) {
	var out []string
	for _, lb := range lbs {
		u, err := w.loadBalancer(lb)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (w *writer) acls(acls []*ovn.ACL) ([]string, error) {
	var out []string
	for _, a := range acls {
		if a.Disabled {
			continue
		}
		m := &ACL{UUID: w.name(), Direction: a.Direction, Priority: a.Priority, Match: a.Match,
			Action: a.Action, Label: a.Label, Log: a.Log, Options: maps.Clone(a.Options), ExternalIDs: maps.Clone(a.ExternalIDs)}
		if a.Name != "" {
			m.Name = &a.Name
		}
		if err := w.insert(m); err != nil {
			return nil, fmt.Errorf("ACL %s: %w", a.Match, err)
		}
		if a.Tier != 0 {
			if w.tier == nil {
				return nil, fmt.Errorf("ACL %q has tier %d, but this server's ACL table has no tier column", a.Match, a.Tier)
			}
			v, err := ovsdb.NativeToOvs(w.tier, a.Tier)
			if err != nil {
				return nil, fmt.Errorf("ACL %q tier: %w", a.Match, err)
			}
			w.ops[len(w.ops)-1].Row["tier"] = v
		}
		out = append(out, m.UUID)
	}
	return out, nil
}

func (w *writer) logicalSwitch(s *ovn.Switch) error {
	m := &LogicalSwitch{UUID: w.name(), Name: s.Name, OtherConfig: maps.Clone(s.OtherConfig), ExternalIDs: maps.Clone(s.ExternalIDs)}
	for _, p := range s.Ports {
		u, err := w.switchPort(p)
		if err != nil {
			return fmt.Errorf("port %s: %w", p.Name, err)
		}
		m.Ports = append(m.Ports, u)
	}
	var err error
	if m.ACLs, err = w.acls(s.ACLs); err != nil {
		return err
	}
	if m.LoadBalancer, err = w.loadBalancers(s.LoadBalancers); err != nil {
		return err
	}
	return w.insert(m)
}

func (w *writer) switchPort(p *ovn.SwitchPort) (string, error) {
	if _, dup := w.switchPorts[p.Name]; dup {
		return "", errors.New("a second port of this name (switch port names are unique)")
	}
	m := &LogicalSwitchPort{UUID: w.name(), Name: p.Name, Type: p.Type,
		Options: maps.Clone(p.Options), ExternalIDs: maps.Clone(p.ExternalIDs)}
	for _, a := range p.Addresses {
		m.Addresses = append(m.Addresses, a.String())
	}
	for _, a := range p.PortSecurity {
		m.PortSecurity = append(m.PortSecurity, a.String())
	}
	if !p.Enabled || p.Disabled {
		off := false
		m.Enabled = &off
	}
	if err := w.insert(m); err != nil {
		return "", err
	}
	w.switchPorts[p.Name] = m.UUID
	return m.UUID, nil
}

func (w *writer) portGroup(g *ovn.PortGroup) error {
	m := &PortGroup{UUID: w.name(), Name: g.Name, ExternalIDs: maps.Clone(g.ExternalIDs)}
	for _, name := range g.PortNames {
		u, ok := w.switchPorts[name]
		if !ok {
			return fmt.Errorf("port %s is on no switch", name)
		}
		m.Ports = append(m.Ports, u)
	}
	var err error
	if m.ACLs, err = w.acls(g.ACLs); err != nil {
		return err
	}
	return w.insert(m)
}

func (w *writer) router(r *ovn.Router) error {
	m := &LogicalRouter{UUID: w.name(), Name: r.Name, Options: maps.Clone(r.Options), ExternalIDs: maps.Clone(r.ExternalIDs)}
	for _, p := range r.Ports {
		u, err := w.routerPort(p)
		if err != nil {
			return fmt.Errorf("port %s: %w", p.Name, err)
		}
		m.Ports = append(m.Ports, u)
	}
	for _, rt := range r.Routes {
		if rt.Disabled {
			continue
		}
		u, err := w.route(rt)
		if err != nil {
			return fmt.Errorf("route %s: %w", rt.Prefix, err)
		}
		m.StaticRoutes = append(m.StaticRoutes, u)
	}
	for _, p := range r.Policies {
		if p.Disabled {
			continue
		}
		pm := &LogicalRouterPolicy{UUID: w.name(), Priority: p.Priority, Match: p.Match, Action: p.Action,
			Options: maps.Clone(p.Options), ExternalIDs: maps.Clone(p.ExternalIDs)}
		for _, a := range p.Nexthops {
			pm.Nexthops = append(pm.Nexthops, a.String())
		}
		if err := w.insert(pm); err != nil {
			return fmt.Errorf("policy %d %s: %w", p.Priority, p.Match, err)
		}
		m.Policies = append(m.Policies, pm.UUID)
	}
	for _, n := range r.NAT {
		if n.Disabled {
			continue
		}
		u, err := w.nat(n)
		if err != nil {
			return fmt.Errorf("NAT %s %s: %w", n.Type, n.ExternalIP, err)
		}
		m.NAT = append(m.NAT, u)
	}
	var err error
	if m.LoadBalancer, err = w.loadBalancers(r.LoadBalancers); err != nil {
		return err
	}
	return w.insert(m)
}

func (w *writer) routerPort(p *ovn.RouterPort) (string, error) {
	m := &LogicalRouterPort{UUID: w.name(), Name: p.Name, MAC: p.MAC.String(),
		Options: maps.Clone(p.Options), ExternalIDs: maps.Clone(p.ExternalIDs)}
	if len(p.Networks) == 0 {
		return "", errors.New("no networks (a router port needs at least one)")
	}
	for _, n := range p.Networks {
		m.Networks = append(m.Networks, n.String())
	}
	if p.Peer != "" {
		m.Peer = &p.Peer
	}
	for _, g := range p.GatewayChassis {
		name := g.Name
		if name == "" {
			name = p.Name + "-" + g.Chassis // as ovn-nbctl lrp-set-gateway-chassis names it
		}
		gm := &GatewayChassis{UUID: w.name(), Name: name, ChassisName: g.Chassis, Priority: g.Priority}
		if err := w.insert(gm); err != nil {
			return "", fmt.Errorf("gateway chassis %s: %w", g.Chassis, err)
		}
		m.GatewayChassis = append(m.GatewayChassis, gm.UUID)
	}
	if g := p.HAChassisGroup; g != nil {
		u, ok := w.haGroups[g]
		if !ok {
			var err error
			if u, err = w.haGroup(g); err != nil {
				return "", err
			}
		}
		m.HAChassisGroup = &u
	}
	if err := w.insert(m); err != nil {
		return "", err
	}
	return m.UUID, nil
}

func (w *writer) haGroup(g *ovn.HAChassisGroup) (string, error) {
	m := &HAChassisGroup{UUID: w.name(), Name: g.Name, ExternalIDs: maps.Clone(g.ExternalIDs)}
	for _, c := range g.Members {
		hm := &HAChassis{UUID: w.name(), ChassisName: c.Chassis, Priority: c.Priority}
		if err := w.insert(hm); err != nil {
			return "", fmt.Errorf("HA chassis group %s member %s: %w", g.Name, c.Chassis, err)
		}
		m.HAChassis = append(m.HAChassis, hm.UUID)
	}
	if err := w.insert(m); err != nil {
		return "", fmt.Errorf("HA chassis group %s: %w", g.Name, err)
	}
	w.haGroups[g] = m.UUID
	return m.UUID, nil
}

func (w *writer) route(rt *ovn.Route) (string, error) {
	if !rt.Prefix.IsValid() {
		return "", errors.New("no prefix")
	}
	m := &LogicalRouterStaticRoute{UUID: w.name(), IPPrefix: rt.Prefix.String(), RouteTable: rt.RouteTable,
		Options: maps.Clone(rt.Options), ExternalIDs: maps.Clone(rt.ExternalIDs)}
	switch {
	case rt.Discard:
		m.Nexthop = "discard"
	case rt.Nexthop.IsValid():
		m.Nexthop = rt.Nexthop.String()
	default:
		return "", errors.New("neither a nexthop nor discard")
	}
	if rt.OutputPort != "" {
		m.OutputPort = &rt.OutputPort
	}
	if rt.Policy != "" {
		m.Policy = &rt.Policy
	}
	return m.UUID, w.insert(m)
}

func (w *writer) nat(n *ovn.NAT) (string, error) {
	if !n.ExternalIP.IsValid() || !n.LogicalIP.IsValid() {
		return "", errors.New("a NAT needs an external IP and a logical IP")
	}
	m := &NAT{UUID: w.name(), Type: n.Type, ExternalIP: n.ExternalIP.String(), LogicalIP: ovn.IPOrPrefixText(n.LogicalIP),
		ExternalPortRange: n.ExternalPortRange, Options: maps.Clone(n.Options), ExternalIDs: maps.Clone(n.ExternalIDs)}
	if n.LogicalPort != "" {
		m.LogicalPort = &n.LogicalPort
	}
	if n.HasExternalMAC {
		mac := n.ExternalMAC.String()
		m.ExternalMAC = &mac
	}
	return m.UUID, w.insert(m)
}
