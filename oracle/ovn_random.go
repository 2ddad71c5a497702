package oracle

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"

	"github.com/hopscope/hopscope/model/ovn"
)

// A random logical network for the ovn-trace comparison, from a seed:
//
//	vm11 vm12   vm21        vm31 vm32            upstream (172.16.0.254) ln (localnet)
//	   ls1       ls2          ls3                       ext 172.16.0.0/24
//	    └────┬────┘            │                         │
//	        lr1 ──── join 100.64.0.0/24 ──── lr2         lr1 gateway port: distributed
//	         └───────────────────────────────────────────┘  (gateway chassis) or lr1 a
//	                                                        gateway router (options:chassis)
//
// Tenant switches ls1..ls3 (10.N.0.0/24) hold one to three VMs each, on
// chassis hv1 or hv2, with or without port security (exact, a bare MAC, an
// address with a prefix length, a network, or "0.0.0.0/0" beside the
// VM's own as a NAT gateway VM has). Port groups and switches carry ACLs in
// both directions with every action but pass, matching addresses,
// prefixes, sets, address sets, $pg_ip4, ports, ranges and inequalities.
// lr1 routes the tenant networks, sometimes handing the last one to lr2
// over a join switch; it may reach the outside through ext, with a
// default route (sometimes to a next hop nothing answers for, or ECMP over
// two), SNAT, floating IPs (distributed when the gateway port is),
// static routes (longer prefixes, source-IP routes through a VM, discard
// routes) and policies (drop, allow, reroute).

// OVNConfig is one random logical network and the packets to send in it.
type OVNConfig struct {
	Seed  uint64
	DB    *ovn.DB
	Cases []ovnCase
}

// Addresses outside the tenant networks that cases send to.
var ovnExternal = []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("203.0.113.5")}

// RandomOVN builds the network for seed and picks up to n cases in it.
func RandomOVN(seed uint64, n int) *OVNConfig {
	g := &ovnGen{r: rand.New(rand.NewPCG(seed, 0x6f766e)), db: &ovn.DB{HasSB: true}}
	for i := range 100 {
		g.prios = append(g.prios, 1000+i)
	}
	g.r.Shuffle(len(g.prios), func(i, j int) { g.prios[i], g.prios[j] = g.prios[j], g.prios[i] })
	g.build()
	cases := ovnAllCases(g.db, ovnTargets(g.db, ovnExternal...))
	g.r.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
	if len(cases) > n {
		cases = cases[:n]
	}
	return &OVNConfig{Seed: seed, DB: g.db, Cases: cases}
}

func (c *OVNConfig) String() string { return fmt.Sprintf("random-ovn-%d", c.Seed) }

type ovnGen struct {
	r     *rand.Rand
	db    *ovn.DB
	prios []int // unique ACL priorities: OVN picks arbitrarily between overlapping equal ones
	vms   []*ovn.SwitchPort
	sets  []string // address set names
	pgs   []string // port group names
	lr1   *ovn.Router
	lr2   *ovn.Router
	dgp   *ovn.RouterPort // lr1's distributed gateway port, if it has one
	ext   bool
}

func (g *ovnGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *ovnGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *ovnGen) prio() int {
	p := g.prios[0]
	g.prios = g.prios[1:]
	return p
}

func (g *ovnGen) build() {
	g.db.Chassis = []*ovn.Chassis{
		{Name: "hv1", Hostname: "hv1", Encaps: []ovn.Encap{{Type: "geneve", IP: netip.MustParseAddr("192.168.100.11")}}},
		{Name: "hv2", Hostname: "hv2", Encaps: []ovn.Encap{{Type: "geneve", IP: netip.MustParseAddr("192.168.100.12")}}},
	}
	nsw := 1 + g.r.IntN(3)
	g.lr1 = &ovn.Router{Name: "lr1"}
	g.db.Routers = append(g.db.Routers, g.lr1)
	split := nsw > 1 && g.chance(0.4)
	if split {
		g.lr2 = &ovn.Router{Name: "lr2"}
		g.db.Routers = append(g.db.Routers, g.lr2)
		join := &ovn.Switch{Name: "join"}
		g.db.Switches = append(g.db.Switches, join)
		g.attach(join, g.lr1, "lr1-join", mac(0xee, 0x64, 1), pfx("100.64.0.1/24"))
		g.attach(join, g.lr2, "lr2-join", mac(0xee, 0x64, 2), pfx("100.64.0.2/24"))
		g.lr2.Routes = append(g.lr2.Routes, &ovn.Route{Prefix: pfx("0.0.0.0/0"), Nexthop: addr("100.64.0.1")})
	}
	for i := 1; i <= nsw; i++ {
		sw := g.tenant(i)
		lr, name := g.lr1, fmt.Sprintf("lr1-ls%d", i)
		if split && i == nsw {
			lr, name = g.lr2, fmt.Sprintf("lr2-ls%d", i)
			g.lr1.Routes = append(g.lr1.Routes, &ovn.Route{Prefix: pfx(fmt.Sprintf("10.%d.0.0/24", i)), Nexthop: addr("100.64.0.2")})
		}
		g.attach(sw, lr, name, mac(0xff, byte(i), 1), pfx(fmt.Sprintf("10.%d.0.1/24", i)))
	}
	g.addressSets()
	g.portGroups()
	for _, sw := range g.db.Switches {
		if strings.HasPrefix(sw.Name, "ls") && g.chance(0.3) {
			for range 1 + g.r.IntN(2) {
				sw.ACLs = append(sw.ACLs, g.acl(sw, ""))
			}
		}
	}
	if g.chance(0.75) {
		g.outside()
	}
	g.routes()
	g.policies()
}

// tenant makes switch lsI with its VMs.
func (g *ovnGen) tenant(i int) *ovn.Switch {
	sw := &ovn.Switch{Name: fmt.Sprintf("ls%d", i)}
	for j := 1; j <= 1+g.r.IntN(3); j++ {
		m := mac(0, byte(i), byte(j))
		ip := netip.AddrFrom4([4]byte{10, byte(i), 0, byte(10 + j)})
		p := &ovn.SwitchPort{Name: fmt.Sprintf("vm%d%d", i, j), Enabled: true, Chassis: g.pick([]string{"hv1", "hv2"}),
			Addresses: []ovn.Address{address(m, netip.PrefixFrom(ip, 32))}}
		switch x := g.r.IntN(20); {
		case x < 6: // no port security
		case x < 13:
			p.PortSecurity = []ovn.Address{address(m, netip.PrefixFrom(ip, 32))}
		case x < 15:
			p.PortSecurity = []ovn.Address{address(m)}
		case x < 17:
			p.PortSecurity = []ovn.Address{address(m, netip.PrefixFrom(ip, 24))}
		case x < 19:
			p.PortSecurity = []ovn.Address{address(m, netip.PrefixFrom(ip, 24).Masked())}
		default:
			p.PortSecurity = []ovn.Address{address(m, netip.PrefixFrom(ip, 32)), address(m, pfx("0.0.0.0/0"))}
		}
		sw.Ports = append(sw.Ports, p)
		g.vms = append(g.vms, p)
	}
	g.db.Switches = append(g.db.Switches, sw)
	return sw
}

// attach connects router lr to switch sw with a new router port.
func (g *ovnGen) attach(sw *ovn.Switch, lr *ovn.Router, name string, m ovn.MAC, net netip.Prefix) *ovn.RouterPort {
	rp := &ovn.RouterPort{Name: name, MAC: m, Networks: []netip.Prefix{net}}
	lr.Ports = append(lr.Ports, rp)
	sw.Ports = append(sw.Ports, &ovn.SwitchPort{Name: sw.Name + "-" + lr.Name, Type: ovn.PortRouter, Enabled: true,
		Addresses: []ovn.Address{{Router: true, Text: "router"}}, Options: map[string]string{"router-port": name}})
	return rp
}

// outside adds the provider switch, lr1's way out, and NAT.
func (g *ovnGen) outside() {
	g.ext = true
	ext := &ovn.Switch{Name: "ext"}
	ext.Ports = append(ext.Ports,
		&ovn.SwitchPort{Name: "ln", Type: ovn.PortLocalnet, Enabled: true, Addresses: []ovn.Address{{Unknown: true, Text: "unknown"}},
			Options: map[string]string{"network_name": "physnet1"}},
		&ovn.SwitchPort{Name: "upstream", Enabled: true, Chassis: "hv1",
			Addresses: []ovn.Address{address(mac(0xee, 0, 0xfe), pfx("172.16.0.254/32"))}})
	ecmp := g.chance(0.15)
	if ecmp {
		ext.Ports = append(ext.Ports, &ovn.SwitchPort{Name: "upstream2", Enabled: true, Chassis: "hv2",
			Addresses: []ovn.Address{address(mac(0xee, 0, 0xfd), pfx("172.16.0.253/32"))}})
	}
	g.db.Switches = append(g.db.Switches, ext)
	gw := g.attach(ext, g.lr1, "lr1-ext", mac(0xee, 0, 1), pfx("172.16.0.1/24"))
	if g.chance(0.5) {
		g.lr1.Options = map[string]string{"chassis": g.pick([]string{"hv1", "hv2"})}
	} else {
		a, b := "hv1", "hv2"
		if g.chance(0.5) {
			a, b = b, a
		}
		gw.GatewayChassis = []ovn.GatewayChassis{{Name: "lr1-ext-" + a, Chassis: a, Priority: 20}, {Name: "lr1-ext-" + b, Chassis: b, Priority: 10}}
		g.dgp = gw
	}
	next := "172.16.0.254"
	if g.chance(0.1) {
		next = "172.16.0.250" // nothing has it: OVN must ARP
	}
	g.lr1.Routes = append(g.lr1.Routes, &ovn.Route{Prefix: pfx("0.0.0.0/0"), Nexthop: addr(next)})
	if ecmp {
		g.lr1.Routes = append(g.lr1.Routes, &ovn.Route{Prefix: pfx("0.0.0.0/0"), Nexthop: addr("172.16.0.253")})
	}
	switch g.r.IntN(3) {
	case 0:
		g.lr1.NAT = append(g.lr1.NAT, &ovn.NAT{Type: ovn.SNAT, ExternalIP: addr("172.16.0.10"), LogicalIP: pfx("10.0.0.0/8")})
	case 1:
		for _, sw := range g.db.Switches {
			var i int
			if _, err := fmt.Sscanf(sw.Name, "ls%d", &i); err == nil && g.chance(0.7) {
				g.lr1.NAT = append(g.lr1.NAT, &ovn.NAT{Type: ovn.SNAT, ExternalIP: netip.AddrFrom4([4]byte{172, 16, 0, byte(10 + i)}),
					LogicalIP: pfx(fmt.Sprintf("10.%d.0.0/24", i))})
			}
		}
	}
	for k := range g.r.IntN(3) {
		vm := g.vms[g.r.IntN(len(g.vms))]
		ip, _ := firstIP(vm)
		if slices.ContainsFunc(g.lr1.NAT, func(n *ovn.NAT) bool { return n.Type == ovn.DNATAndSNAT && n.LogicalIP.Addr() == ip }) {
			continue
		}
		n := &ovn.NAT{Type: ovn.DNATAndSNAT, ExternalIP: netip.AddrFrom4([4]byte{172, 16, 0, byte(100 + k)}), LogicalIP: netip.PrefixFrom(ip, 32)}
		if g.dgp != nil && g.chance(0.5) {
			n.LogicalPort, n.ExternalMAC, n.HasExternalMAC = vm.Name, mac(0xfa, 0, byte(100+k)), true
		}
		g.lr1.NAT = append(g.lr1.NAT, n)
	}
}

// routes adds static routes beyond the connected networks and defaults.
func (g *ovnGen) routes() {
	if g.ext && g.chance(0.3) {
		rt := &ovn.Route{Prefix: pfx("8.8.8.0/24"), Nexthop: addr("172.16.0.254")}
		if g.chance(0.4) {
			rt = &ovn.Route{Prefix: pfx("8.8.8.0/24"), Discard: true}
		}
		g.lr1.Routes = append(g.lr1.Routes, rt)
	}
	if g.chance(0.3) {
		// Through a VM, as a NAT gateway VM is used.
		vm := g.vms[g.r.IntN(len(g.vms))]
		ip, _ := firstIP(vm)
		if g.routable(ip) {
			g.lr1.Routes = append(g.lr1.Routes, &ovn.Route{Prefix: pfx("203.0.113.0/24"), Nexthop: ip})
		}
	}
	if g.chance(0.3) {
		vm := g.vms[g.r.IntN(len(g.vms))]
		ip, _ := firstIP(vm)
		src := g.vms[g.r.IntN(len(g.vms))]
		sip, _ := firstIP(src)
		if g.routable(ip) {
			g.lr1.Routes = append(g.lr1.Routes, &ovn.Route{Prefix: netip.PrefixFrom(sip, 24).Masked(), Nexthop: ip, Policy: "src-ip"})
		}
	}
	if g.chance(0.15) {
		g.lr1.Routes = append(g.lr1.Routes, &ovn.Route{Prefix: pfx(fmt.Sprintf("10.%d.0.128/25", 1+g.r.IntN(3))), Discard: true})
	}
}

// routable reports whether ip is on one of lr1's own networks.
func (g *ovnGen) routable(ip netip.Addr) bool {
	for _, p := range g.lr1.Ports {
		if _, ok := p.Network(ip); ok {
			return true
		}
	}
	return false
}

// policies adds router policies to lr1.
func (g *ovnGen) policies() {
	for i := range g.r.IntN(3) {
		src := g.vms[g.r.IntN(len(g.vms))]
		sip, _ := firstIP(src)
		match := g.pick([]string{
			fmt.Sprintf("ip4.src == %s", netip.PrefixFrom(sip, 24).Masked()),
			fmt.Sprintf("ip4.src == %s && ip4.dst == 8.8.8.8", sip),
			fmt.Sprintf("ip4.dst == %s", g.someAddr()),
			"tcp.dst == 443",
			fmt.Sprintf("ip4.src == %s && udp", sip),
		})
		p := &ovn.Policy{Priority: 100 + 10*i + g.r.IntN(10), Match: match}
		switch g.r.IntN(3) {
		case 0:
			p.Action = "drop"
		case 1:
			p.Action = "allow"
		default:
			var hops []netip.Addr
			for _, vm := range g.vms {
				if ip, _ := firstIP(vm); g.routable(ip) {
					hops = append(hops, ip)
				}
			}
			if g.ext {
				hops = append(hops, addr("172.16.0.254"))
			}
			if g.lr2 != nil {
				hops = append(hops, addr("100.64.0.2"))
			}
			p.Action, p.Nexthops = "reroute", []netip.Addr{hops[g.r.IntN(len(hops))]}
		}
		g.lr1.Policies = append(g.lr1.Policies, p)
	}
}

func (g *ovnGen) addressSets() {
	for i := 1; i <= g.r.IntN(3); i++ {
		as := &ovn.AddressSet{Name: fmt.Sprintf("as%d", i)}
		for range 1 + g.r.IntN(3) {
			as.Addresses = append(as.Addresses, g.someAddr())
		}
		slices.Sort(as.Addresses)
		as.Addresses = slices.Compact(as.Addresses)
		g.db.AddressSets = append(g.db.AddressSets, as)
		g.sets = append(g.sets, as.Name)
	}
}

func (g *ovnGen) portGroups() {
	for i := 1; i <= g.r.IntN(3); i++ {
		pg := &ovn.PortGroup{Name: fmt.Sprintf("pg%d", i)}
		for _, vm := range g.vms {
			if g.chance(0.5) {
				pg.PortNames = append(pg.PortNames, vm.Name)
			}
		}
		if len(pg.PortNames) == 0 {
			pg.PortNames = []string{g.vms[g.r.IntN(len(g.vms))].Name}
		}
		g.db.PortGroups = append(g.db.PortGroups, pg)
		g.pgs = append(g.pgs, pg.Name)
		for range 1 + g.r.IntN(4) {
			pg.ACLs = append(pg.ACLs, g.acl(nil, pg.Name))
		}
	}
}

// acl makes one ACL for switch sw or port group pg.
func (g *ovnGen) acl(sw *ovn.Switch, pg string) *ovn.ACL {
	a := &ovn.ACL{Direction: g.pick([]string{"from-lport", "to-lport"}), Priority: g.prio()}
	a.Action = g.pick([]string{"allow", "allow-related", "allow-related", "allow-stateless", "drop", "drop", "reject"})
	port := "inport"
	if a.Direction == "to-lport" {
		port = "outport"
	}
	var terms []string
	switch {
	case pg != "":
		terms = append(terms, fmt.Sprintf("%s == @%s", port, pg))
	case g.chance(0.5):
		var vms []string
		for _, p := range sw.Ports {
			if p.Type == ovn.PortVIF {
				vms = append(vms, p.Name)
			}
		}
		terms = append(terms, fmt.Sprintf("%s == %q", port, g.pick(vms)))
	}
	for range 1 + g.r.IntN(2) {
		terms = append(terms, g.term())
	}
	a.Match = strings.Join(terms, " && ")
	return a
}

// term is one condition of an ACL match.
func (g *ovnGen) term() string {
	dir := g.pick([]string{"src", "dst"})
	switch g.r.IntN(12) {
	case 0:
		return "ip4"
	case 1, 2:
		return fmt.Sprintf("ip4.%s == %s", dir, g.someAddr())
	case 3:
		return fmt.Sprintf("ip4.%s == {%s, %s}", dir, g.someAddr(), g.someAddr())
	case 4:
		return fmt.Sprintf("ip4.%s != %s", dir, g.someAddr())
	case 5:
		if len(g.sets) > 0 {
			return fmt.Sprintf("ip4.%s == $%s", dir, g.pick(g.sets))
		}
		return "ip4"
	case 6:
		if len(g.pgs) > 0 {
			return fmt.Sprintf("ip4.%s == $%s_ip4", dir, g.pick(g.pgs))
		}
		return "ip"
	case 7:
		return g.pick([]string{"tcp.dst == 22", "tcp.dst == {22, 443}", "udp.dst == 53", "tcp"})
	case 8:
		return g.pick([]string{"tcp.dst >= 400 && tcp.dst <= 500", "tcp.dst != 22", "udp", "icmp4"})
	case 9:
		return fmt.Sprintf("tcp.dst == %d", g.pick2(22, 443))
	default:
		return "ip"
	}
}

func (g *ovnGen) pick2(a, b int) int {
	if g.chance(0.5) {
		return a
	}
	return b
}

// someAddr is an address or prefix the network's packets may carry.
func (g *ovnGen) someAddr() string {
	vm := g.vms[g.r.IntN(len(g.vms))]
	ip, _ := firstIP(vm)
	switch g.r.IntN(6) {
	case 0:
		return netip.PrefixFrom(ip, 24).Masked().String()
	case 1:
		return "10.0.0.0/8"
	case 2:
		return ovnExternal[g.r.IntN(len(ovnExternal))].String()
	case 3:
		return "172.16.0.0/24"
	default:
		return ip.String()
	}
}

func mac(a, b, c byte) ovn.MAC { return ovn.MAC{0x0a, 0, 0, a, b, c} }

func address(m ovn.MAC, ips ...netip.Prefix) ovn.Address {
	a := ovn.Address{MAC: m, IPs: ips, Text: macText(m)}
	for _, p := range ips {
		if p.Bits() == 32 {
			a.Text += " " + p.Addr().String()
		} else {
			a.Text += " " + p.String()
		}
	}
	return a
}

func macText(m ovn.MAC) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }
