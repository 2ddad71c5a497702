package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hopscope/hopscope/model/ovn"
)

// ovnWriter writes the ovn: section in the order and key style Load reads,
// leaving out defaults and empty columns. What Index sets (back-pointers,
// ACL owners, port group members) is not written: Index sets it again.
type ovnWriter struct {
	*writer
	db    *ovn.DB
	ports map[string]string // logical port name -> its owner, for names used twice
}

// ovn is the ovn: section. Tunnel keys are written whoever set them: Index
// numbers those a scenario leaves out, and writing them all keeps a reload
// equal even when a file gave only some.
func (w *writer) ovn(db *ovn.DB) *yaml.Node {
	o := &ovnWriter{writer: w, db: db, ports: map[string]string{}}
	m := blockMap()
	switch {
	case db.HasSB:
		put(m, "chassis", o.chassis())
	case len(db.Chassis) > 0:
		w.fail("ovn", "%d chassis but no southbound facts (HasSB false): the format reads a chassis section as southbound", len(db.Chassis))
	}
	if len(db.AddressSets) > 0 {
		sets := namedMap(o, "address set")
		for _, s := range db.AddressSets {
			l := flowSeq()
			for _, a := range s.Addresses {
				o.check("ovn address set "+s.Name, checkSetAddress(a))
				l.Content = append(l.Content, str(a))
			}
			sets.put(s.Name, l)
		}
		put(m, "address-sets", sets.node)
	}
	if len(db.LoadBalancers) > 0 {
		lbs := namedMap(o, "load balancer")
		for _, lb := range db.LoadBalancers {
			lbs.put(lb.Name, o.loadBalancer(lb))
		}
		put(m, "load-balancers", lbs.node)
	}
	if len(db.PortGroups) > 0 {
		pgs := namedMap(o, "port group")
		for _, pg := range db.PortGroups {
			pgs.put(pg.Name, o.portGroup(pg))
		}
		put(m, "port-groups", pgs.node)
	}
	if len(db.Switches) > 0 {
		sws := namedMap(o, "switch")
		for _, sw := range db.Switches {
			sws.put(sw.Name, o.logicalSwitch(sw))
		}
		put(m, "switches", sws.node)
	}
	if len(db.Routers) > 0 {
		rts := namedMap(o, "router")
		for _, r := range db.Routers {
			rts.put(r.Name, o.router(r))
		}
		put(m, "routers", rts.node)
	}
	return m
}

// named is a mapping of name -> object that refuses names Load would.
type named struct {
	o     *ovnWriter
	kind  string
	node  *yaml.Node
	seen  map[string]bool
	quote bool // keys in quotes (VIPs, like their backends)
}

func namedMap(o *ovnWriter, kind string) *named {
	return &named{o: o, kind: kind, node: blockMap(), seen: map[string]bool{}}
}

func (n *named) put(name string, v *yaml.Node) {
	switch {
	case name == "":
		n.o.fail("ovn", "a %s has an empty name", n.kind)
	case n.seen[name]:
		n.o.fail("ovn "+n.kind+" "+name, "the name is used twice")
	}
	n.seen[name] = true
	k := str(name)
	if n.quote {
		k = quoted(name)
	}
	n.node.Content = append(n.node.Content, k, v)
}

// check reports err, if any, against what.
func (o *ovnWriter) check(what string, err error) {
	if err != nil {
		o.fail(what, "%v", err)
	}
}

// tunnelKey writes a tunnel key; 0 is none.
func (o *ovnWriter) tunnelKey(m *yaml.Node, what string, v, hi int) {
	if v != 0 {
		o.check(what, inRange("tunnel key", v, 1, hi))
	}
	putInt(m, "tunnel-key", v)
}

func putStrMap(m *yaml.Node, key string, kv map[string]string) {
	if len(kv) > 0 {
		put(m, key, stringMap(kv, true))
	}
}

func putStrs(m *yaml.Node, key string, list []string) {
	if len(list) == 0 {
		return
	}
	s := flowSeq()
	for _, v := range list {
		s.Content = append(s.Content, str(v))
	}
	put(m, key, s)
}

func macNode(m ovn.MAC) *yaml.Node { return quoted(m.String()) }

// matchNode is a match expression in quotes, single ones when it holds
// double quotes (inport == "vm1"), so it reads as one string at a glance.
func matchNode(m string) *yaml.Node {
	n := quoted(m)
	if strings.Contains(m, `"`) && !strings.Contains(m, "\n") {
		n.Style = yaml.SingleQuotedStyle
	}
	return n
}

// disabled refuses a what-if: the format has no switched-off rows.
func (o *ovnWriter) disabled(what string, off bool) {
	if off {
		o.fail(what, "it is disabled: the format has no disabled rows")
	}
}

func (o *ovnWriter) chassis() *yaml.Node {
	cs := namedMap(o, "chassis")
	for _, c := range o.db.Chassis {
		m := blockMap()
		putStr(m, "hostname", c.Hostname)
		if len(c.Encaps) > 0 {
			l := flowSeq()
			for _, e := range c.Encaps {
				o.check("ovn chassis "+c.Name, oneOf("encap type", e.Type, encapTypes))
				if !e.IP.IsValid() || e.IP.Zone() != "" {
					o.fail("ovn chassis "+c.Name, "encap %s has no IP address", e.Type)
				}
				l.Content = append(l.Content, str(e.Type+" "+e.IP.String()))
			}
			put(m, "encaps", l)
		}
		putStrMap(m, "external-ids", c.ExternalIDs)
		cs.put(c.Name, m)
	}
	return cs.node
}

func (o *ovnWriter) loadBalancer(lb *ovn.LoadBalancer) *yaml.Node {
	what := "ovn load balancer " + lb.Name
	m := blockMap()
	if lb.Protocol != "" && lb.Protocol != defaultProtocol {
		o.check(what, oneOf("protocol", lb.Protocol, lbProtocols))
		put(m, "protocol", str(lb.Protocol))
	}
	if len(lb.VIPs) > 0 {
		vips := namedMap(o, "VIP of load balancer "+lb.Name)
		vips.quote = true
		for _, v := range lb.VIPs {
			key, backends := v.Key(), v.BackendsText()
			if _, err := ovn.ParseVIP(key, backends); err != nil {
				o.fail(what, "%v", err)
			}
			vips.put(key, quoted(backends))
		}
		put(m, "vips", vips.node)
	}
	putStrMap(m, "options", lb.Options)
	putStrMap(m, "external-ids", lb.ExternalIDs)
	return m
}

// lbNames names the load balancers of a switch or router, which must be
// the DB's own.
func (o *ovnWriter) lbNames(m *yaml.Node, what string, lbs []*ovn.LoadBalancer) {
	var names []string
	for _, lb := range lbs {
		if !slices.Contains(o.db.LoadBalancers, lb) {
			o.fail(what, "load balancer %s is not one of the DB's load balancers", lb.Name)
		}
		names = append(names, lb.Name)
	}
	putStrs(m, "load-balancers", names)
}

func (o *ovnWriter) portGroup(pg *ovn.PortGroup) *yaml.Node {
	m := blockMap()
	putStrMap(m, "external-ids", pg.ExternalIDs)
	putStrs(m, "ports", pg.PortNames)
	o.acls(m, "ovn port group "+pg.Name, pg.ACLs)
	return m
}

func (o *ovnWriter) acls(m *yaml.Node, what string, acls []*ovn.ACL) {
	if len(acls) == 0 {
		return
	}
	l := blockSeq()
	for i, a := range acls {
		at := fmt.Sprintf("%s acls[%d]", what, i)
		for _, err := range []error{
			oneOf("direction", a.Direction, aclDirections), inRange("priority", a.Priority, 0, maxPriority),
			checkMatch(a.Match), oneOf("action", a.Action, aclActions),
			inRange("tier", a.Tier, 0, maxTier), inRange("label", a.Label, 0, maxLabel),
		} {
			o.check(at, err)
		}
		o.disabled(at, a.Disabled)
		r := flowMap()
		put(r, "direction", str(a.Direction))
		put(r, "priority", num(a.Priority))
		put(r, "match", matchNode(a.Match))
		put(r, "action", str(a.Action))
		putStr(r, "name", a.Name)
		putInt(r, "tier", a.Tier)
		putInt(r, "label", a.Label)
		putBool(r, "log", a.Log)
		putStrMap(r, "options", a.Options)
		putStrMap(r, "external-ids", a.ExternalIDs)
		l.Content = append(l.Content, r)
	}
	put(m, "acls", l)
}

// claimPort refuses a logical port name Load would find twice.
func (o *ovnWriter) claimPort(owner, name string) {
	if prev, ok := o.ports[name]; ok {
		o.fail("ovn "+owner+" port "+name, "the name is also a port of %s: logical port names are global in OVN", prev)
	}
	o.ports[name] = owner
}

func (o *ovnWriter) logicalSwitch(sw *ovn.Switch) *yaml.Node {
	what := "ovn switch " + sw.Name
	m := blockMap()
	putStrMap(m, "external-ids", sw.ExternalIDs)
	o.tunnelKey(m, what, sw.TunnelKey, maxDatapathKey)
	putStrMap(m, "other-config", sw.OtherConfig)
	o.lbNames(m, what, sw.LoadBalancers)
	o.acls(m, what, sw.ACLs)
	if len(sw.Ports) > 0 {
		ports := namedMap(o, "port of switch "+sw.Name)
		for _, p := range sw.Ports {
			o.claimPort("switch "+sw.Name, p.Name)
			ports.put(p.Name, o.switchPort(what+" port "+p.Name, p))
		}
		put(m, "ports", ports.node)
	}
	return m
}

func (o *ovnWriter) switchPort(what string, p *ovn.SwitchPort) *yaml.Node {
	m := blockMap()
	o.check(what, oneOf("port type", p.Type, portTypes))
	if p.Type == ovn.PortRouter && p.Options["router-port"] == "" {
		o.fail(what, "a router port without options:router-port")
	}
	o.disabled(what, p.Disabled)
	putStr(m, "type", p.Type)
	dyn := allocated(p.Addresses)
	o.addresses(m, what, "addresses", p.Addresses, ovn.ParseAddress, dyn)
	if dyn != nil {
		put(m, "dynamic-addresses", quoted(dyn.String()))
	}
	o.addresses(m, what, "port-security", p.PortSecurity, ovn.ParsePortSecurity, nil)
	putStrMap(m, "options", p.Options)
	if !p.Enabled {
		put(m, "enabled", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
	}
	putStr(m, "chassis", p.Chassis)
	o.tunnelKey(m, what, p.TunnelKey, maxPortKey)
	putStrMap(m, "external-ids", p.ExternalIDs)
	return m
}

// allocated is what northd allocated for a port's dynamic entry: the MAC
// and IPs it has beyond what its text asks for; nil when there is none.
func allocated(list []ovn.Address) *ovn.Address {
	for _, a := range list {
		if !a.Dynamic || a.MAC == (ovn.MAC{}) {
			continue
		}
		if asked, err := ovn.ParseAddress(a.String()); err == nil && !sameAddress(asked, a) {
			return &ovn.Address{MAC: a.MAC, IPs: a.IPs}
		}
	}
	return nil
}

// addresses writes each entry as its Text (or, without one, as OVN would
// print it), refusing one that parse reads back as another address; dyn is
// what Load fills dynamic entries with.
func (o *ovnWriter) addresses(m *yaml.Node, what, key string, list []ovn.Address, parse func(string) (ovn.Address, error), dyn *ovn.Address) {
	if len(list) == 0 {
		return
	}
	l := flowSeq()
	for i, a := range list {
		text := a.String()
		back, err := parse(text)
		if dyn != nil && back.Dynamic {
			back.MAC, back.IPs = dyn.MAC, dyn.IPs
		}
		switch {
		case err != nil:
			o.fail(what, "%s[%d]: %v", key, i, err)
		case !sameAddress(a, back):
			o.fail(what, "%s[%d] %q reads back as something else: its text and its fields disagree", key, i, text)
		}
		n := str(text)
		if !a.Router && !a.Unknown && a.MAC != (ovn.MAC{}) {
			n = quoted(text) // it starts with a MAC
		}
		l.Content = append(l.Content, n)
	}
	put(m, key, l)
}

func sameAddress(a, b ovn.Address) bool {
	return a.MAC == b.MAC && slices.Equal(a.IPs, b.IPs) && a.Unknown == b.Unknown && a.Router == b.Router && a.Dynamic == b.Dynamic
}

func (o *ovnWriter) router(r *ovn.Router) *yaml.Node {
	what := "ovn router " + r.Name
	m := blockMap()
	putStrMap(m, "external-ids", r.ExternalIDs)
	o.tunnelKey(m, what, r.TunnelKey, maxDatapathKey)
	putStrMap(m, "options", r.Options)
	o.lbNames(m, what, r.LoadBalancers)
	if len(r.Ports) > 0 {
		ports := namedMap(o, "port of router "+r.Name)
		for _, p := range r.Ports {
			o.claimPort("router "+r.Name, p.Name)
			ports.put(p.Name, o.routerPort(what+" port "+p.Name, p))
		}
		put(m, "ports", ports.node)
	}
	if len(r.Routes) > 0 {
		l := blockSeq()
		for i, rt := range r.Routes {
			l.Content = append(l.Content, o.route(fmt.Sprintf("%s routes[%d]", what, i), rt))
		}
		put(m, "routes", l)
	}
	if len(r.Policies) > 0 {
		l := blockSeq()
		for i, p := range r.Policies {
			l.Content = append(l.Content, o.policy(fmt.Sprintf("%s policies[%d]", what, i), p))
		}
		put(m, "policies", l)
	}
	if len(r.NAT) > 0 {
		l := blockSeq()
		for i, n := range r.NAT {
			l.Content = append(l.Content, o.nat(fmt.Sprintf("%s nat[%d]", what, i), n))
		}
		put(m, "nat", l)
	}
	return m
}

func (o *ovnWriter) routerPort(what string, p *ovn.RouterPort) *yaml.Node {
	m := blockMap()
	put(m, "mac", macNode(p.MAC))
	if len(p.Networks) == 0 {
		o.fail(what, "no networks: the format needs at least one")
	}
	nets := flowSeq()
	for _, n := range p.Networks {
		if !n.IsValid() {
			o.fail(what, "a network is not a valid prefix")
		}
		nets.Content = append(nets.Content, str(n.String()))
	}
	put(m, "networks", nets)
	putStr(m, "peer", p.Peer)
	if gc := o.chassisList(what+" gateway-chassis", p.GatewayChassis); len(gc) > 0 {
		putStrs(m, "gateway-chassis", gc)
	}
	if g := p.HAChassisGroup; g != nil {
		gm := flowMap()
		if g.Name == "" {
			o.fail(what, "its HA chassis group has no name")
		}
		put(gm, "name", str(g.Name))
		members := flowSeq()
		for _, s := range o.chassisList(what+" ha-chassis-group", g.Members) {
			members.Content = append(members.Content, str(s))
		}
		put(gm, "members", members)
		putStrMap(gm, "external-ids", g.ExternalIDs)
		put(m, "ha-chassis-group", gm)
	}
	putStrMap(m, "options", p.Options)
	o.tunnelKey(m, what, p.TunnelKey, maxPortKey)
	putStrMap(m, "external-ids", p.ExternalIDs)
	return m
}

// chassisList prints gateway chassis as Load reads them: highest priority
// first, a priority written only where it is not the one the entry's
// place implies. Row names are not written (see Write).
func (o *ovnWriter) chassisList(what string, list []ovn.GatewayChassis) []string {
	var out []string
	for i, g := range list {
		implied := len(list) - i
		s := g.Chassis
		if g.Priority != implied {
			s = fmt.Sprintf("%s:%d", g.Chassis, g.Priority)
		}
		back, err := parseGatewayChassis(s, implied)
		switch {
		case err != nil:
			o.fail(what, "%v", err)
		case back.Chassis != g.Chassis || strings.Contains(g.Chassis, ":"):
			o.fail(what, "chassis %q: the format cannot name a chassis with a colon", g.Chassis)
		case i > 0 && g.Priority > list[i-1].Priority:
			o.fail(what, "%s has priority %d, above the %d before it: the format lists the highest priority first", g.Chassis, g.Priority, list[i-1].Priority)
		}
		out = append(out, s)
	}
	return out
}

func (o *ovnWriter) route(what string, r *ovn.Route) *yaml.Node {
	m := flowMap()
	o.disabled(what, r.Disabled)
	if !r.Prefix.IsValid() || r.Prefix.Masked() != r.Prefix {
		o.fail(what, "prefix %s is not a network", r.Prefix)
	}
	put(m, "prefix", str(r.Prefix.String()))
	switch {
	case r.Discard && r.Nexthop.IsValid():
		o.fail(what, "a discard route with nexthop %s", r.Nexthop)
	case r.Discard:
		put(m, "nexthop", str("discard"))
	case !r.Nexthop.IsValid():
		o.fail(what, "no nexthop: want an address, or Discard")
	default:
		put(m, "nexthop", str(r.Nexthop.String()))
	}
	putStr(m, "output-port", r.OutputPort)
	if r.Policy != "" && r.Policy != defaultRoutePolicy {
		o.check(what, oneOf("policy", r.Policy, routePolicies))
		put(m, "policy", str(r.Policy))
	}
	putStr(m, "route-table", r.RouteTable)
	putStrMap(m, "options", r.Options)
	putStrMap(m, "external-ids", r.ExternalIDs)
	return m
}

func (o *ovnWriter) policy(what string, p *ovn.Policy) *yaml.Node {
	m := flowMap()
	o.disabled(what, p.Disabled)
	for _, err := range []error{
		inRange("priority", p.Priority, 0, maxPriority), checkMatch(p.Match),
		oneOf("action", p.Action, policyActions), checkPolicyNexthops(p),
	} {
		o.check(what, err)
	}
	put(m, "priority", num(p.Priority))
	put(m, "match", matchNode(p.Match))
	put(m, "action", str(p.Action))
	if len(p.Nexthops) > 0 {
		l := flowSeq()
		for _, a := range p.Nexthops {
			l.Content = append(l.Content, str(a.String()))
		}
		put(m, "nexthops", l)
	}
	putStrMap(m, "options", p.Options)
	putStrMap(m, "external-ids", p.ExternalIDs)
	return m
}

func (o *ovnWriter) nat(what string, n *ovn.NAT) *yaml.Node {
	m := flowMap()
	o.disabled(what, n.Disabled)
	o.check(what, oneOf("NAT type", n.Type, natTypes))
	switch {
	case !n.ExternalIP.IsValid() || !n.LogicalIP.IsValid():
		o.fail(what, "it needs an external and a logical IP")
	case n.LogicalIP.Masked() != n.LogicalIP:
		o.fail(what, "logical-ip %s has host bits set", n.LogicalIP)
	default:
		o.check(what, checkNATLogicalIP(n))
	}
	put(m, "type", str(n.Type))
	put(m, "external-ip", str(n.ExternalIP.String()))
	put(m, "logical-ip", str(ovn.IPOrPrefixText(n.LogicalIP)))
	putStr(m, "logical-port", n.LogicalPort)
	switch {
	case n.HasExternalMAC:
		put(m, "external-mac", macNode(n.ExternalMAC))
	case n.ExternalMAC != (ovn.MAC{}):
		o.fail(what, "an external MAC with HasExternalMAC false")
	}
	if (n.LogicalPort != "" || n.HasExternalMAC) && n.Type != ovn.DNATAndSNAT {
		o.fail(what, "only a dnat_and_snat rule has a logical-port or external-mac, and this one is %s", n.Type)
	}
	if n.HasExternalMAC && n.LogicalPort == "" {
		o.fail(what, "an external-mac without a logical-port")
	}
	o.check(what, checkPortRange(n.ExternalPortRange))
	putStr(m, "external-port-range", n.ExternalPortRange)
	putStrMap(m, "options", n.Options)
	putStrMap(m, "external-ids", n.ExternalIDs)
	return m
}
