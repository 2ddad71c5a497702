package scenarios

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// The ovn: sections of all files become one ovn.DB. Building fills the
// forward references (a switch's ports and ACLs, a router's routes, the
// load balancers a datapath names) and checks each value where it is
// written; back-pointers, port group members and match expressions are
// left to (*ovn.DB).Index, which Topology.Resolve calls.

// Words the ovn: section accepts, as OVN's schema spells them.
var (
	aclDirections = []string{"from-lport", "to-lport"}
	aclActions    = []string{"allow", "allow-related", "allow-stateless", "drop", "reject", "pass"}
	portTypes     = ovn.PortTypes
	natTypes      = []string{ovn.SNAT, ovn.DNAT, ovn.DNATAndSNAT}
	routePolicies = []string{"dst-ip", "src-ip"}
	policyActions = []string{"allow", "drop", "reroute"}
	lbProtocols   = []string{"tcp", "udp", "sctp"}
	encapTypes    = []string{"geneve", "vxlan", "stt"}
)

// Bounds of OVN's integer columns.
const (
	maxPriority    = 32767     // ACL, router policy and gateway chassis priorities
	maxTier        = 3         // ACL tiers
	maxLabel       = 1<<32 - 1 // ACL label
	maxDatapathKey = 1<<24 - 1 // Datapath_Binding.tunnel_key: a Geneve VNI
	maxPortKey     = 1<<15 - 1 // Port_Binding.tunnel_key: 15 bits of Geneve's option
)

// Defaults an empty column means.
const (
	defaultProtocol    = "tcp"
	defaultRoutePolicy = "dst-ip"
)

// ovnBuilder builds one DB from the ovn: sections of every file.
type ovnBuilder struct {
	*builder
	db      *ovn.DB
	names   *nameSet
	lbs     map[string]*ovn.LoadBalancer
	chassis map[string]bool
	ports   map[string]portDecl // logical port name -> its definition
	bound   []chassisRef        // chassis that ports name, checked once all are known
}

// portDecl is where a logical port is defined. Switch and router ports
// share one namespace: both are Port_Binding rows, and matches name them
// alike (inport == "NAME").
type portDecl struct {
	owner string // "switch NAME" or "router NAME"
	at    loc
}

// chassisRef is a chassis named at l's field key.
type chassisRef struct {
	l         loc
	key, name string
}

// ovnDB builds every file's ovn: section into one DB; nil when no file has one.
func (b *builder) ovnDB(raws []*rawScenario) *ovn.DB {
	var secs []*rawOVN
	for _, r := range raws {
		if r.OVN != nil {
			secs = append(secs, r.OVN)
		}
	}
	if len(secs) == 0 {
		return nil
	}
	o := &ovnBuilder{builder: b, db: &ovn.DB{}, names: newNameSet(b), lbs: map[string]*ovn.LoadBalancer{},
		chassis: map[string]bool{}, ports: map[string]portDecl{}}
	// Each kind over all files before the next, so a reference may point
	// into another file.
	for _, s := range secs {
		o.db.HasSB = o.db.HasSB || s.Loc.has("chassis")
		for _, r := range s.Chassis {
			o.chassisRow(r)
		}
	}
	for _, s := range secs {
		for _, r := range s.AddressSets {
			o.addressSet(r)
		}
	}
	for _, s := range secs {
		for _, r := range s.LoadBalancers {
			o.loadBalancer(r)
		}
	}
	for _, s := range secs {
		for _, r := range s.PortGroups {
			o.portGroup(r)
		}
	}
	for _, s := range secs {
		for _, r := range s.Switches {
			o.logicalSwitch(r)
		}
	}
	for _, s := range secs {
		for _, r := range s.Routers {
			o.router(r)
		}
	}
	if o.db.HasSB {
		for _, c := range o.bound {
			if !o.chassis[c.name] {
				o.add(c.l.at(c.key, "no chassis %q: chassis are %s", c.name, keyList(o.chassis)))
			}
		}
	}
	return o.db
}

// check reports err, if any, at field key of l.
func (o *ovnBuilder) check(l loc, key string, err error) {
	if err != nil {
		o.add(l.at(key, "%v", err))
	}
}

// row is the Row of the object at l: its source is "FILE:LINE".
func row(l loc, externalIDs map[string]string) ovn.Row {
	s := model.Source{Line: l.line}
	if l.file != nil {
		s.File = l.file.name
	}
	return ovn.Row{ExternalIDs: nonEmpty(externalIDs), Source: s.String()}
}

// nonEmpty makes an empty map nil, so `options: {}` and no options build alike.
func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func (o *ovnBuilder) chassisRow(r *rawChassis) {
	if !o.names.claim("chassis", r.Name, r.Loc) {
		return
	}
	c := &ovn.Chassis{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, Hostname: r.Hostname}
	for i, s := range r.Encaps {
		e, err := parseEncap(s)
		o.check(r.Loc, fmt.Sprintf("encaps[%d]", i), err)
		c.Encaps = append(c.Encaps, e)
	}
	o.chassis[r.Name] = true
	o.db.Chassis = append(o.db.Chassis, c)
}

func (o *ovnBuilder) addressSet(r *rawAddressSet) {
	if !o.names.claim("address set", r.Name, r.Loc) {
		return
	}
	for i, s := range r.Addresses {
		o.check(r.Loc, fmt.Sprintf("[%d]", i), checkSetAddress(s))
	}
	o.db.AddressSets = append(o.db.AddressSets, &ovn.AddressSet{Row: row(r.Loc, nil), Name: r.Name, Addresses: slices.Clip(append([]string(nil), r.Addresses...))})
}

func (o *ovnBuilder) loadBalancer(r *rawLoadBalancer) {
	if !o.names.claim("load balancer", r.Name, r.Loc) {
		return
	}
	lb := &ovn.LoadBalancer{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, Protocol: r.Protocol, Options: nonEmpty(r.Options)}
	if lb.Protocol == "" {
		lb.Protocol = defaultProtocol
	}
	o.check(r.Loc, "protocol", oneOf("protocol", lb.Protocol, lbProtocols))
	for _, v := range r.VIPs {
		vip, err := ovn.ParseVIP(v.VIP, v.Backends)
		if err != nil {
			o.add(v.Loc.errorf("%v", err))
			continue
		}
		lb.VIPs = append(lb.VIPs, vip)
	}
	o.lbs[r.Name] = lb
	o.db.LoadBalancers = append(o.db.LoadBalancers, lb)
}

// lbRefs finds the load balancers a switch or router names.
func (o *ovnBuilder) lbRefs(l loc, names []string) []*ovn.LoadBalancer {
	var out []*ovn.LoadBalancer
	for i, n := range names {
		lb := o.lbs[n]
		if lb == nil {
			o.add(l.at(fmt.Sprintf("load-balancers[%d]", i), "no load balancer %q: load balancers are %s", n, keyList(o.lbs)))
			continue
		}
		out = append(out, lb)
	}
	return out
}

func (o *ovnBuilder) portGroup(r *rawPortGroup) {
	if !o.names.claim("port group", r.Name, r.Loc) {
		return
	}
	pg := &ovn.PortGroup{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, ACLs: o.acls(r.Loc, r.ACLs)}
	for i, p := range r.Ports {
		if p == "" {
			o.add(r.Loc.at(fmt.Sprintf("ports[%d]", i), "empty port name: want a logical switch port's name"))
			continue
		}
		pg.PortNames = append(pg.PortNames, p)
	}
	o.db.PortGroups = append(o.db.PortGroups, pg)
}

func (o *ovnBuilder) acls(l loc, list []*rawACL) []*ovn.ACL {
	var out []*ovn.ACL
	for i, r := range list {
		if r == nil {
			o.add(l.at(fmt.Sprintf("acls[%d]", i), "empty ACL: want direction, priority, match and action"))
			continue
		}
		a := &ovn.ACL{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, Direction: r.Direction, Priority: r.Priority,
			Match: r.Match, Action: r.Action, Tier: r.Tier, Label: r.Label, Log: r.Log, Options: nonEmpty(r.Options)}
		o.check(r.Loc, "direction", oneOf("direction", a.Direction, aclDirections))
		o.check(r.Loc, "priority", inRange("priority", a.Priority, 0, maxPriority))
		o.check(r.Loc, "match", checkMatch(a.Match))
		o.check(r.Loc, "action", oneOf("action", a.Action, aclActions))
		o.check(r.Loc, "tier", inRange("tier", a.Tier, 0, maxTier))
		o.check(r.Loc, "label", inRange("label", a.Label, 0, maxLabel))
		out = append(out, a)
	}
	return out
}

// tunnelKey checks a tunnel-key that was written.
func (o *ovnBuilder) tunnelKey(l loc, v, hi int) {
	if l.has("tunnel-key") {
		o.check(l, "tunnel-key", inRange("tunnel key", v, 1, hi))
	}
}

// claimPort reserves a logical port name for owner.
func (o *ovnBuilder) claimPort(owner string, name string, l loc) bool {
	if name == "" {
		o.add(l.errorf("port has an empty name"))
		return false
	}
	if prev, ok := o.ports[name]; ok {
		o.add(l.errorf("port %q of %s is already a port of %s at %s: logical port names are global in OVN", name, owner, prev.owner, prev.at))
		return false
	}
	o.ports[name] = portDecl{owner, l}
	return true
}

func (o *ovnBuilder) logicalSwitch(r *rawSwitch) {
	if !o.names.claim("switch", r.Name, r.Loc) {
		return
	}
	sw := &ovn.Switch{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, OtherConfig: nonEmpty(r.OtherConfig), TunnelKey: r.TunnelKey}
	o.tunnelKey(r.Loc, r.TunnelKey, maxDatapathKey)
	sw.LoadBalancers = o.lbRefs(r.Loc, r.LoadBalancers)
	sw.ACLs = o.acls(r.Loc, r.ACLs)
	for _, rp := range r.Ports {
		if o.claimPort("switch "+sw.Name, rp.Name, rp.Loc) {
			sw.Ports = append(sw.Ports, o.switchPort(rp))
		}
	}
	o.db.Switches = append(o.db.Switches, sw)
}

func (o *ovnBuilder) switchPort(r *rawSwitchPort) *ovn.SwitchPort {
	p := &ovn.SwitchPort{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, Type: r.Type, Options: nonEmpty(r.Options),
		Enabled: r.Enabled == nil || *r.Enabled, Chassis: r.Chassis, TunnelKey: r.TunnelKey}
	o.check(r.Loc, "type", oneOf("port type", p.Type, portTypes))
	if p.Type == ovn.PortRouter && p.Options["router-port"] == "" {
		o.add(r.Loc.errorf("a router port needs options: {router-port: NAME}, the router port it connects to"))
	}
	p.Addresses = o.addresses(r.Loc, "addresses", r.Addresses, ovn.ParseAddress)
	if r.DynamicAddrs != "" {
		o.dynamicAddresses(r.Loc, p, r.DynamicAddrs)
	}
	p.PortSecurity = o.addresses(r.Loc, "port-security", r.PortSecurity, ovn.ParsePortSecurity)
	if p.Chassis != "" {
		o.bound = append(o.bound, chassisRef{r.Loc, "chassis", p.Chassis})
	}
	o.tunnelKey(r.Loc, r.TunnelKey, maxPortKey)
	return p
}

// dynamicAddresses fills a port's dynamic entries with what northd
// allocated (the dynamic_addresses column), as an import of a live
// deployment sees them.
func (o *ovnBuilder) dynamicAddresses(l loc, p *ovn.SwitchPort, s string) {
	d, err := ovn.ParsePortSecurity(s) // "MAC [IP...]", as port security writes it
	if err != nil {
		o.add(l.at("dynamic-addresses", "%v", err))
		return
	}
	n := 0
	for k := range p.Addresses {
		if a := &p.Addresses[k]; a.Dynamic {
			a.MAC, a.IPs = d.MAC, d.IPs
			n++
		}
	}
	if n == 0 {
		o.add(l.at("dynamic-addresses", "no dynamic entry in addresses: dynamic-addresses is what northd allocated for one"))
	}
}

// addresses reads a port's addresses or port-security list with parse.
func (o *ovnBuilder) addresses(l loc, key string, list []string, parse func(string) (ovn.Address, error)) []ovn.Address {
	var out []ovn.Address
	for i, s := range list {
		a, err := parse(s)
		if err != nil {
			o.add(l.at(fmt.Sprintf("%s[%d]", key, i), "%v", err))
			continue
		}
		out = append(out, a)
	}
	return out
}

func (o *ovnBuilder) router(r *rawRouter) {
	if !o.names.claim("router", r.Name, r.Loc) {
		return
	}
	rt := &ovn.Router{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, Options: nonEmpty(r.Options), TunnelKey: r.TunnelKey}
	o.tunnelKey(r.Loc, r.TunnelKey, maxDatapathKey)
	rt.LoadBalancers = o.lbRefs(r.Loc, r.LoadBalancers)
	for _, rp := range r.Ports {
		if o.claimPort("router "+rt.Name, rp.Name, rp.Loc) {
			rt.Ports = append(rt.Ports, o.routerPort(rp))
		}
	}
	for i, rr := range r.Routes {
		if rr == nil {
			o.add(r.Loc.at(fmt.Sprintf("routes[%d]", i), "empty route: want prefix and nexthop"))
			continue
		}
		rt.Routes = append(rt.Routes, o.route(rr))
	}
	for i, rp := range r.Policies {
		if rp == nil {
			o.add(r.Loc.at(fmt.Sprintf("policies[%d]", i), "empty policy: want priority, match and action"))
			continue
		}
		rt.Policies = append(rt.Policies, o.policy(rp))
	}
	for i, rn := range r.NAT {
		if rn == nil {
			o.add(r.Loc.at(fmt.Sprintf("nat[%d]", i), "empty NAT rule: want type, external-ip and logical-ip"))
			continue
		}
		rt.NAT = append(rt.NAT, o.nat(rn))
	}
	o.db.Routers = append(o.db.Routers, rt)
}

func (o *ovnBuilder) routerPort(r *rawRouterPort) *ovn.RouterPort {
	p := &ovn.RouterPort{Row: row(r.Loc, r.ExternalIDs), Name: r.Name, Peer: r.Peer, Options: nonEmpty(r.Options), TunnelKey: r.TunnelKey}
	var err error
	p.MAC, err = ovn.ParseMAC(r.MAC)
	o.check(r.Loc, "mac", err)
	if len(r.Networks) == 0 {
		o.add(r.Loc.at("networks", "no networks: want at least one ADDRESS/LENGTH like 10.0.3.1/24"))
	}
	for i, s := range r.Networks {
		n, err := ovn.ParseNetwork(s)
		if err != nil {
			o.add(r.Loc.at(fmt.Sprintf("networks[%d]", i), "%v", err))
			continue
		}
		p.Networks = append(p.Networks, n)
	}
	p.GatewayChassis = o.chassisList(r.Loc, "gateway-chassis", r.GatewayChassis, r.Name)
	if g := r.HAChassisGroup; g != nil {
		p.HAChassisGroup = &ovn.HAChassisGroup{Row: row(g.Loc, g.ExternalIDs), Name: g.Name, Members: o.chassisList(g.Loc, "members", g.Members, "")}
		if g.Name == "" {
			o.add(g.Loc.at("name", "empty name: want the HA_Chassis_Group's name"))
		}
	}
	o.tunnelKey(r.Loc, r.TunnelKey, maxPortKey)
	return p
}

// chassisList reads gateway-chassis or HA group members, highest priority
// first. A gateway chassis row is named PORT_CHASSIS, as ovn-nbctl and
// Neutron name it; an HA group member (port "") has no name.
func (o *ovnBuilder) chassisList(l loc, key string, list []string, port string) []ovn.GatewayChassis {
	var out []ovn.GatewayChassis
	seen := map[string]bool{}
	for i, s := range list {
		k := fmt.Sprintf("%s[%d]", key, i)
		g, err := parseGatewayChassis(s, len(list)-i)
		switch {
		case err != nil:
			o.add(l.at(k, "%v", err))
			continue
		case seen[g.Chassis]:
			o.add(l.at(k, "chassis %s is listed twice", g.Chassis))
			continue
		case len(out) > 0 && g.Priority > out[len(out)-1].Priority:
			o.add(l.at(k, "priority %d is above the %d before it: list the highest priority first", g.Priority, out[len(out)-1].Priority))
		}
		seen[g.Chassis] = true
		if port != "" {
			g.Name = port + "_" + g.Chassis
		}
		o.bound = append(o.bound, chassisRef{l, k, g.Chassis})
		out = append(out, g)
	}
	return out
}

func (o *ovnBuilder) route(r *rawRoute) *ovn.Route {
	rt := &ovn.Route{Row: row(r.Loc, r.ExternalIDs), OutputPort: r.OutputPort, Policy: r.Policy, RouteTable: r.RouteTable, Options: nonEmpty(r.Options)}
	if rt.Policy == "" {
		rt.Policy = defaultRoutePolicy
	}
	p, err := parseHostOrNetwork(r.Prefix)
	o.check(r.Loc, "prefix", err)
	rt.Prefix = p
	if rt.Nexthop, rt.Discard, err = ovn.ParseNexthop(r.Nexthop); err != nil {
		o.add(r.Loc.at("nexthop", "%v", err))
	} else if p.IsValid() && rt.Nexthop.IsValid() && p.Addr().Is4() != rt.Nexthop.Is4() {
		o.add(r.Loc.at("nexthop", "nexthop %s and prefix %s are of different IP versions", rt.Nexthop, p))
	}
	o.check(r.Loc, "policy", oneOf("policy", rt.Policy, routePolicies))
	return rt
}

func (o *ovnBuilder) policy(r *rawPolicy) *ovn.Policy {
	p := &ovn.Policy{Row: row(r.Loc, r.ExternalIDs), Priority: r.Priority, Match: r.Match, Action: r.Action, Options: nonEmpty(r.Options)}
	o.check(r.Loc, "priority", inRange("priority", p.Priority, 0, maxPriority))
	o.check(r.Loc, "match", checkMatch(p.Match))
	o.check(r.Loc, "action", oneOf("action", p.Action, policyActions))
	for i, s := range r.Nexthops {
		a, err := ovn.ParseIP(s)
		if err != nil {
			o.add(r.Loc.at(fmt.Sprintf("nexthops[%d]", i), "%v", err))
			continue
		}
		p.Nexthops = append(p.Nexthops, a)
	}
	o.check(r.Loc, "nexthops", checkPolicyNexthops(p))
	return p
}

func (o *ovnBuilder) nat(r *rawNAT) *ovn.NAT {
	n := &ovn.NAT{Row: row(r.Loc, r.ExternalIDs), Type: r.Type, LogicalPort: r.LogicalPort,
		ExternalPortRange: r.ExternalPortRange, Options: nonEmpty(r.Options)}
	o.check(r.Loc, "type", oneOf("NAT type", n.Type, natTypes))
	var err error
	if n.ExternalIP, err = ovn.ParseIP(r.ExternalIP); err != nil {
		o.add(r.Loc.at("external-ip", "%v", err))
	}
	if n.LogicalIP, err = parseHostOrNetwork(r.LogicalIP); err != nil {
		o.add(r.Loc.at("logical-ip", "%v", err))
	} else {
		o.check(r.Loc, "logical-ip", checkNATLogicalIP(n))
	}
	if r.ExternalMAC != "" {
		n.ExternalMAC, err = ovn.ParseMAC(r.ExternalMAC)
		o.check(r.Loc, "external-mac", err)
		n.HasExternalMAC = true
	}
	if (n.LogicalPort != "" || n.HasExternalMAC) && n.Type != ovn.DNATAndSNAT && slices.Contains(natTypes, n.Type) {
		key := "logical-port"
		if n.LogicalPort == "" {
			key = "external-mac"
		}
		o.add(r.Loc.at(key, "only a dnat_and_snat rule has a logical-port or external-mac, and this one is %s", n.Type))
	}
	if n.HasExternalMAC && n.LogicalPort == "" {
		o.add(r.Loc.at("external-mac", "an external-mac needs the logical-port whose chassis answers for it"))
	}
	o.check(r.Loc, "external-port-range", checkPortRange(n.ExternalPortRange))
	return n
}

// ---- values, read or checked alike by Load and Write ----

func oneOf(what, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	words := make([]string, len(allowed))
	for i, w := range allowed {
		words[i] = w
		if w == "" {
			words[i] = `""`
		}
	}
	return fmt.Errorf("unknown %s %q: want one of %s", what, v, strings.Join(words, ", "))
}

func inRange(what string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s %d is out of range: want %d to %d", what, v, lo, hi)
	}
	return nil
}

// checkMatch only rejects an empty match: Index compiles the expression.
func checkMatch(m string) error {
	if strings.TrimSpace(m) == "" {
		return fmt.Errorf("empty match: want an expression like ip4 && tcp.dst == 22 (1 matches everything)")
	}
	return nil
}

func checkPolicyNexthops(p *ovn.Policy) error {
	switch {
	case p.Action == "reroute" && len(p.Nexthops) == 0:
		return fmt.Errorf("a reroute policy needs nexthops")
	case p.Action != "reroute" && len(p.Nexthops) > 0:
		return fmt.Errorf("only a reroute policy has nexthops, and this one is %s", p.Action)
	}
	return nil
}

// checkNATLogicalIP checks the logical side of a NAT rule: one address for
// the dnat types, and the same IP version as the external address.
func checkNATLogicalIP(n *ovn.NAT) error {
	p := n.LogicalIP
	switch {
	case n.Type != ovn.SNAT && p.Bits() != p.Addr().BitLen():
		return fmt.Errorf("a %s rule's logical-ip is one address, not the network %s", n.Type, p)
	case n.ExternalIP.IsValid() && n.ExternalIP.Is4() != p.Addr().Is4():
		return fmt.Errorf("logical-ip %s and external-ip %s are of different IP versions", p, n.ExternalIP)
	}
	return nil
}

// checkPortRange checks a NAT external-port-range: "", "PORT" or "LOW-HIGH".
func checkPortRange(s string) error {
	if s == "" {
		return nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	l, err1 := strconv.Atoi(lo)
	h, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || l < 1 || l > h || h > 65535 {
		return fmt.Errorf("bad port range %q: want PORT or LOW-HIGH within 1-65535", s)
	}
	return nil
}

// checkSetAddress checks one address set entry: an IP, a prefix or a MAC.
func checkSetAddress(s string) error {
	if _, err := parseHostOrNetwork(s); err == nil {
		return nil
	}
	if _, err := ovn.ParseMAC(s); err == nil {
		return nil
	}
	return fmt.Errorf("bad address %q: want an IP address, a prefix like 10.0.3.0/24 or a MAC", s)
}

func parseEncap(s string) (ovn.Encap, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return ovn.Encap{}, fmt.Errorf("bad encap %q: want TYPE IP like geneve 192.168.100.11", s)
	}
	if err := oneOf("encap type", f[0], encapTypes); err != nil {
		return ovn.Encap{}, err
	}
	ip, err := ovn.ParseIP(f[1])
	if err != nil {
		return ovn.Encap{}, fmt.Errorf("bad encap %q: want TYPE IP like geneve 192.168.100.11", s)
	}
	return ovn.Encap{Type: f[0], IP: ip}, nil
}

// parseHostOrNetwork reads one address (a /32 or /128) or a network, whose
// host bits must be zero.
func parseHostOrNetwork(s string) (netip.Prefix, error) {
	p, err := ovn.ParseIPOrPrefix(s)
	switch {
	case err != nil:
		return p, err
	case p.Masked() != p:
		return p, fmt.Errorf("%s has host bits set: want the network %s", s, p.Masked())
	}
	return p, nil
}

// parseGatewayChassis reads "CHASSIS" or "CHASSIS:PRIORITY"; without a
// priority the entry has implied, its place in the list (the last is 1).
func parseGatewayChassis(s string, implied int) (ovn.GatewayChassis, error) {
	g := ovn.GatewayChassis{Chassis: s, Priority: implied}
	if name, prio, ok := strings.Cut(s, ":"); ok {
		p, err := strconv.Atoi(prio)
		if err != nil || p < 0 || p > maxPriority {
			return g, fmt.Errorf("bad priority in %q: want CHASSIS or CHASSIS:PRIORITY with a priority from 0 to %d", s, maxPriority)
		}
		g.Chassis, g.Priority = name, p
	}
	if g.Chassis == "" {
		return g, fmt.Errorf("empty chassis name in %q: want CHASSIS or CHASSIS:PRIORITY", s)
	}
	return g, nil
}
