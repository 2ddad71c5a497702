package scenarios

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/hopscope/hopscope/model/ovn"
)

// GenerateOVN is an OVN deployment as Neutron's ML2/OVN driver lays it out
// for `routers` projects with a router each and `switches` networks spread
// over them (network i is on router i % routers), with the southbound facts
// a trace needs. The same arguments give the same DB. Benchmarks use it:
// OVNChecks lists the traces across it that make good ones.
//
//	VMs ── network i ── router i%R ── gateway port ── ext-net ── provnet (localnet, physnet1)
//	       10.H.L.0/24   snat, FIPs    3.3.1.(1+R)    3.3.0.0/16
//	       (H.L = i)
//
// Every name is a deterministic UUID, as Neutron's are; external_ids carry
// the Neutron names (vmI-J, netI, routerR, sgdefaultR, sgnetI).
//
//   - Routers: a distributed gateway port on ext-net, on gateway chassis
//     network-1 and network-2 (which one leads alternates), a default route
//     via 3.3.0.1, one snat per subnet, and a distributed floating IP
//     (dnat_and_snat with logical_port and external_mac, the VM's MAC as
//     Neutron sets it) for the first OVNFloatingIPsPerNetwork VMs of every
//     network (OVNFloatingIP).
//   - Networks: a router port ".1", a metadata localport ".2" and
//     portsPerSwitch VIFs from ".3" up (OVNVM), each with MAC+IP addresses
//     and the same port_security, bound round-robin to chassis
//     compute-1..8 (OVNChassis), so neighbouring VMs talk over Geneve.
//   - Security groups, as port groups pg_<sg id>: neutron_pg_drop (every
//     VIF; from-lport and to-lport "ip" drop at 1001); per project a
//     default group (its VMs; egress ip4/ip6, ingress from the group itself:
//     `ip4.src == $pg_..._ip4`); per network a group (its VMs; egress
//     ip4/ip6, SSH and ICMP from anywhere, then TCP ports, port ranges, UDP
//     from a CIDR, TCP from another network's group, IPv6 TCP, on ports
//     10000 and up). All at 1002, allow-related. The ACLs number exactly
//     `acls`: 2 drop, up to 4 per default group, the rest spread evenly
//     over the network groups.
//   - Southbound: chassis compute-1..8 and network-1..2 with geneve
//     encaps, every VIF bound, tunnel keys as northd would number them;
//     HasSB is true.
//
// With (250, 100, 10000, 100): 25,000 VIFs, 250 metadata ports, 350 ports
// of type router and one localnet port (25,601 switch ports), 251 switches,
// 100 routers, 351 port groups, 1,000 floating IPs. It panics on sizes its
// address plan cannot hold (more than 250 ports per switch, say).
func GenerateOVN(switches, portsPerSwitch, acls, routers int) *ovn.DB {
	switch {
	case switches < 1 || switches > maxGenNetworks:
		panic(fmt.Sprintf("GenerateOVN: %d switches, want 1..%d", switches, maxGenNetworks))
	case portsPerSwitch < 1 || portsPerSwitch > 250:
		panic(fmt.Sprintf("GenerateOVN: %d ports per switch, want 1..250 (one /24 each)", portsPerSwitch))
	case routers < 1 || routers > maxGenRouters:
		panic(fmt.Sprintf("GenerateOVN: %d routers, want 1..%d", routers, maxGenRouters))
	case acls < 0:
		panic(fmt.Sprintf("GenerateOVN: %d ACLs", acls))
	}
	g := &ovnGen{db: &ovn.DB{HasSB: true}, ports: portsPerSwitch}
	g.chassis()
	ext := g.extNet()
	drop := &ovn.PortGroup{Name: "neutron_pg_drop"}
	g.db.Switches = append(g.db.Switches, ext)
	for r := 0; r < routers; r++ {
		g.router(r, ext)
		g.db.PortGroups = append(g.db.PortGroups, g.sg("sgdefault", genDefaultSG, r))
	}
	for i := 0; i < switches; i++ {
		sw := g.network(i, drop)
		g.db.Switches = append(g.db.Switches, sw)
		g.db.PortGroups = append(g.db.PortGroups, g.sg("sgnet", genNetSG, i))
	}
	g.acls(drop, acls, switches, routers)
	g.db.PortGroups = append(g.db.PortGroups, drop)
	// Datapath keys as northd hands them out: networks, ext-net, routers.
	for i, sw := range g.db.Switches[1:] {
		sw.TunnelKey = i + 1
	}
	ext.TunnelKey = switches + 1
	for r, lr := range g.db.Routers {
		lr.TunnelKey = switches + 2 + r
	}
	return g.db
}

// OVNChecks are the traces across GenerateOVN(switches, portsPerSwitch, _,
// routers) that make good benchmarks, with how each ends; those the sizes
// do not allow are left out. All are TCP from a VM's logical port (OVNVM):
//
//   - same network: VM 0 to VM 1 of network 0, on another chassis: port
//     security, the default group's egress and remote-group ACLs, Geneve.
//   - east-west through a router: OVNVM(0, 0) to OVNVM(routers, 1), whose
//     network is on router 0 too: switch, router, switch, Geneve.
//   - across projects through NAT: a VM of network 0 without a floating IP
//     to OVNFloatingIP(1, 0): router 0 redirects it to its gateway chassis
//     and SNATs it to its gateway IP, ext-net hands the frame to router 1
//     by the floating IP's external MAC, router 1 DNATs it to OVNVM(1, 0),
//     whose network group lets SSH in. (OVN first ARPs for the floating
//     IP: Neutron sets dynamic_neigh_routers, and northd writes no static
//     binding for it; the trace shows the packets once OVN has learned it.)
//   - the same to port 3306, which no group opens: neutron_pg_drop denies it.
//   - to the internet, 8.8.8.8: routed via 3.3.0.1 out of the gateway port;
//     the physical network is not in the NB, so hopscope ends at
//     lr_in_arp_resolve (NEIGHBOR_UNREACHABLE) where ovn-trace shows OVN's
//     ARP request for 3.3.0.1.
func OVNChecks(switches, portsPerSwitch, routers int) []Check {
	vm := func(i, j int) string { name, _ := OVNVM(i, j); return name }
	vmIP := func(i, j int) netip.Addr { _, a := OVNVM(i, j); return a }
	sw := func(i int) string { return "neutron-" + genUUID(genNet, i) }
	lr := func(r int) string { return "neutron-" + genUUID(genRouter, r) }
	tcp := func(name, from string, to netip.Addr, dport int, x Expect) Check {
		return Check{Name: name, From: from, To: to.String(), Proto: "tcp", DPort: dport, Expect: x}
	}
	var out []Check
	if portsPerSwitch >= 2 {
		out = append(out, tcp("same network", vm(0, 0), vmIP(0, 1), 22,
			Expect{Disposition: "DELIVERED", Via: []string{sw(0)}, DecidedBy: vm(0, 1)}))
	}
	if portsPerSwitch >= 2 && switches > routers {
		out = append(out, tcp("east-west through a router", vm(0, 0), vmIP(routers, 1), 22,
			Expect{Disposition: "DELIVERED", Via: []string{sw(0), lr(0), sw(routers)}, DecidedBy: vm(routers, 1)}))
	}
	noFIP := OVNFloatingIPsPerNetwork
	if portsPerSwitch > noFIP && switches >= 2 && routers >= 2 {
		fip, _ := OVNFloatingIP(1, 0)
		gwIP := netip.AddrFrom4([4]byte{3, 3, 1, 1})
		via := []string{sw(0), lr(0), "neutron-" + genUUID(genNet, 0xffffff), lr(1), sw(1)}
		out = append(out,
			tcp("across projects through NAT", vm(0, noFIP), fip, 22,
				Expect{Disposition: "DELIVERED", Via: via, Src: gwIP, Dst: vmIP(1, 0), DecidedBy: vm(1, 0)}),
			tcp("across projects to a closed port", vm(0, noFIP), fip, 3306,
				Expect{Disposition: "DENIED", Via: via, DecidedBy: "neutron_pg_drop"}))
	}
	if portsPerSwitch > noFIP {
		out = append(out, tcp("to the internet", vm(0, noFIP), netip.MustParseAddr("8.8.8.8"), 443,
			Expect{Disposition: "NEIGHBOR_UNREACHABLE", Via: []string{sw(0), lr(0)}, DecidedBy: "3.3.0.1"}))
	}
	return out
}

// OVNFloatingIPsPerNetwork is how many VMs of each generated network (the
// first ones) have a floating IP.
const OVNFloatingIPsPerNetwork = 4

// Limits of the generator's address plan: networks are 10.H.L.0/24 and
// floating IPs 3.3.16.0 up; gateway IPs are 3.3.1.1 up.
const (
	maxGenNetworks = (0xffff - 0x1000) / OVNFloatingIPsPerNetwork
	maxGenRouters  = 0x0eff
	genComputes    = 8
)

// Kinds of generated UUIDs: the first group says what the object is.
const (
	genNet       = 0x6e657400
	genPort      = 0x706f7274
	genRouter    = 0x72747200
	genDefaultSG = 0x73676400
	genNetSG     = 0x73676e00
	genRule      = 0x72756c65
	genFIP       = 0x66697000
	genProject   = 0x70726f6a
)

// genUUID is object n of a kind, as a UUID.
func genUUID(kind, n int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, n) }

// OVNVM is VM j of generated network i: its logical switch port's name
// (the Neutron port's UUID) and its address.
func OVNVM(i, j int) (string, netip.Addr) {
	return genUUID(genPort, i<<8|j), netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), byte(j + 3)})
}

// OVNFloatingIP is VM j of generated network i's floating IP; false when
// it has none (j >= OVNFloatingIPsPerNetwork).
func OVNFloatingIP(i, j int) (netip.Addr, bool) {
	if j >= OVNFloatingIPsPerNetwork {
		return netip.Addr{}, false
	}
	n := 0x1000 + i*OVNFloatingIPsPerNetwork + j
	return netip.AddrFrom4([4]byte{3, 3, byte(n >> 8), byte(n)}), true
}

// OVNChassis is the chassis generated VM j of network i is bound to.
func OVNChassis(i, j, portsPerSwitch int) string {
	return fmt.Sprintf("compute-%d", (i*portsPerSwitch+j)%genComputes+1)
}

// ovnGen builds one generated DB.
type ovnGen struct {
	db      *ovn.DB
	ports   int
	macs    int // router port MACs handed out
	routers []*ovn.Router
	ids     []string         // the routers' Neutron UUIDs
	members map[int][]string // port group UUID kind<<24|n -> its ports
}

func genMAC(n int) ovn.MAC { return ovn.MAC{0xfa, 0x16, 0x3e, byte(n >> 16), byte(n >> 8), byte(n)} }

func macText(m ovn.MAC) string { return net.HardwareAddr(m[:]).String() }

// routerMAC is the next router port MAC, from a range VIFs do not use.
func (g *ovnGen) routerMAC() ovn.MAC {
	g.macs++
	return genMAC(0x800000 + g.macs)
}

func (g *ovnGen) chassis() {
	add := func(name string, ip netip.Addr) {
		g.db.Chassis = append(g.db.Chassis, &ovn.Chassis{Name: name, Hostname: name,
			Row:    ovn.Row{ExternalIDs: map[string]string{"ovn-bridge-mappings": "physnet1:br-ex"}},
			Encaps: []ovn.Encap{{Type: "geneve", IP: ip}}})
	}
	for k := 1; k <= genComputes; k++ {
		add(fmt.Sprintf("compute-%d", k), netip.AddrFrom4([4]byte{192, 168, 100, byte(10 + k)}))
	}
	add("network-1", netip.MustParseAddr("192.168.100.201"))
	add("network-2", netip.MustParseAddr("192.168.100.202"))
}

// extNet is the provider network the routers' gateways share.
func (g *ovnGen) extNet() *ovn.Switch {
	id := genUUID(genNet, 0xffffff)
	return &ovn.Switch{Name: "neutron-" + id,
		Row:         ovn.Row{ExternalIDs: map[string]string{"neutron:network_name": "ext-net"}},
		OtherConfig: map[string]string{"mcast_snoop": "false"},
		Ports: []*ovn.SwitchPort{{Name: "provnet-" + id, Type: ovn.PortLocalnet, Enabled: true, TunnelKey: 1,
			Addresses: []ovn.Address{{Unknown: true, Text: "unknown"}},
			Options:   map[string]string{"network_name": "physnet1", "mcast_flood": "false"}}},
	}
}

// router is project r's router with its gateway port on ext.
func (g *ovnGen) router(r int, ext *ovn.Switch) {
	id := genUUID(genRouter, r)
	n := 0x100 + r + 1
	gwIP := netip.AddrFrom4([4]byte{3, 3, byte(n >> 8), byte(n)})
	gwPort := genUUID(genPort, 0xf00000|r)
	lead, other := "network-1", "network-2"
	if r%2 == 1 {
		lead, other = other, lead
	}
	lrpName := "lrp-" + gwPort
	lr := &ovn.Router{Name: "neutron-" + id,
		Row:     ovn.Row{ExternalIDs: map[string]string{"neutron:router_name": fmt.Sprintf("router%d", r), "neutron:gw_port_id": gwPort}},
		Options: map[string]string{"always_learn_from_arp_request": "false", "dynamic_neigh_routers": "true"},
		Ports: []*ovn.RouterPort{{Name: lrpName, MAC: g.routerMAC(), Networks: []netip.Prefix{netip.PrefixFrom(gwIP, 16)}, TunnelKey: 1,
			Row: ovn.Row{ExternalIDs: map[string]string{"neutron:router_name": id, "neutron:network_name": ext.Name, "neutron:is_ext_gw": "True"}},
			GatewayChassis: []ovn.GatewayChassis{
				{Name: lrpName + "_" + lead, Chassis: lead, Priority: 2},
				{Name: lrpName + "_" + other, Chassis: other, Priority: 1}}}},
		Routes: []*ovn.Route{{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Nexthop: netip.MustParseAddr("3.3.0.1"), Policy: "dst-ip",
			Row: ovn.Row{ExternalIDs: map[string]string{"neutron:is_ext_gw": "true", "neutron:subnet_id": genUUID(genNet, 0xfffffe)}}}},
	}
	ext.Ports = append(ext.Ports, &ovn.SwitchPort{Name: gwPort, Type: ovn.PortRouter, Enabled: true, TunnelKey: len(ext.Ports) + 1,
		Row:       ovn.Row{ExternalIDs: map[string]string{"neutron:device_owner": "network:router_gateway", "neutron:device_id": id}},
		Addresses: []ovn.Address{{Router: true, Text: "router"}},
		Options:   map[string]string{"router-port": lrpName, "nat-addresses": "router"}})
	g.routers, g.ids = append(g.routers, lr), append(g.ids, id)
	g.db.Routers = append(g.db.Routers, lr)
}

// network is network i: its switch, its router port, metadata port and
// VMs, their floating IPs and group memberships.
func (g *ovnGen) network(i int, drop *ovn.PortGroup) *ovn.Switch {
	r := i % len(g.routers)
	lr, lrID := g.routers[r], g.ids[r]
	netID := genUUID(genNet, i)
	subnet := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
	ids := func(kv ...string) map[string]string {
		m := map[string]string{"neutron:network_name": "neutron-" + netID, "neutron:project_id": genUUID(genProject, r)}
		for k := 0; k+1 < len(kv); k += 2 {
			m[kv[k]] = kv[k+1]
		}
		return m
	}
	sw := &ovn.Switch{Name: "neutron-" + netID,
		Row:         ovn.Row{ExternalIDs: map[string]string{"neutron:network_name": fmt.Sprintf("net%d", i), "neutron:mtu": "1442"}},
		OtherConfig: map[string]string{"mcast_snoop": "false", "mcast_flood_unregistered": "false"}}

	rpID := genUUID(genPort, 0xe00000|i)
	lrp := &ovn.RouterPort{Name: "lrp-" + rpID, MAC: g.routerMAC(), TunnelKey: len(lr.Ports) + 1,
		Networks: []netip.Prefix{netip.PrefixFrom(subnet.Addr().Next(), 24)},
		Row:      ovn.Row{ExternalIDs: map[string]string{"neutron:router_name": lrID, "neutron:network_name": sw.Name}}}
	lr.Ports = append(lr.Ports, lrp)
	gw := lr.Ports[0]
	lr.NAT = append(lr.NAT, &ovn.NAT{Type: ovn.SNAT, ExternalIP: gw.Networks[0].Addr(), LogicalIP: subnet,
		Row: ovn.Row{ExternalIDs: map[string]string{"neutron:router_name": lr.Name}}})
	sw.Ports = append(sw.Ports, &ovn.SwitchPort{Name: rpID, Type: ovn.PortRouter, Enabled: true, TunnelKey: 1,
		Row:       ovn.Row{ExternalIDs: ids("neutron:device_owner", "network:router_interface", "neutron:device_id", lrID)},
		Addresses: []ovn.Address{{Router: true, Text: "router"}},
		Options:   map[string]string{"router-port": lrp.Name}})

	mdMAC := genMAC(0xc00000 + i)
	mdIP := subnet.Addr().Next().Next()
	sw.Ports = append(sw.Ports, &ovn.SwitchPort{Name: genUUID(genPort, 0xd00000|i), Type: ovn.PortLocalport, Enabled: true, TunnelKey: 2,
		Row:       ovn.Row{ExternalIDs: ids("neutron:device_owner", "network:distributed", "neutron:device_id", "ovnmeta-"+netID)},
		Addresses: []ovn.Address{addr(mdMAC, mdIP)}})

	defaultSG, netSG := genKey(genDefaultSG, r), genKey(genNetSG, i)
	for j := 0; j < g.ports; j++ {
		name, ip := OVNVM(i, j)
		mac := genMAC(i*g.ports + j + 1)
		a := addr(mac, ip)
		sw.Ports = append(sw.Ports, &ovn.SwitchPort{Name: name, Enabled: true, TunnelKey: 3 + j, Chassis: OVNChassis(i, j, g.ports),
			Row: ovn.Row{ExternalIDs: ids("neutron:port_name", fmt.Sprintf("vm%d-%d", i, j), "neutron:device_owner", "compute:nova",
				"neutron:device_id", genUUID(genPort, 0x100000|i<<8|j), "neutron:cidrs", ip.String()+"/24",
				"neutron:security_group_ids", genUUID(genDefaultSG, r)+" "+genUUID(genNetSG, i))},
			Addresses: []ovn.Address{a}, PortSecurity: []ovn.Address{a}})
		drop.PortNames = append(drop.PortNames, name)
		g.member(defaultSG, name)
		g.member(netSG, name)
		if fip, ok := OVNFloatingIP(i, j); ok {
			lr.NAT = append(lr.NAT, &ovn.NAT{Type: ovn.DNATAndSNAT, ExternalIP: fip, LogicalIP: netip.PrefixFrom(ip, 32),
				LogicalPort: name, ExternalMAC: mac, HasExternalMAC: true,
				Row: ovn.Row{ExternalIDs: map[string]string{"neutron:fip_id": genUUID(genFIP, i<<8|j), "neutron:fip_port_id": name,
					"neutron:fip_external_mac": macText(mac), "neutron:router_name": lr.Name}}})
		}
	}
	return sw
}

func genKey(kind, n int) int { return kind<<24 | n }

func (g *ovnGen) member(key int, port string) {
	if g.members == nil {
		g.members = map[int][]string{}
	}
	g.members[key] = append(g.members[key], port)
}

func addr(mac ovn.MAC, ip netip.Addr) ovn.Address {
	return ovn.Address{MAC: mac, IPs: []netip.Prefix{netip.PrefixFrom(ip, 32)}, Text: macText(mac) + " " + ip.String()}
}

// sg is security group n of a kind as its port group, members filled in
// once the networks are built (see acls).
func (g *ovnGen) sg(name string, kind, n int) *ovn.PortGroup {
	id := genUUID(kind, n)
	return &ovn.PortGroup{Name: pgName(id),
		Row: ovn.Row{ExternalIDs: map[string]string{"neutron:security_group_id": id, "neutron:security_group_name": fmt.Sprintf("%s%d", name, n)}}}
}

// pgName is the port group Neutron makes for security group id.
func pgName(id string) string {
	b := []byte("pg_" + id)
	for k, c := range b {
		if c == '-' {
			b[k] = '_'
		}
	}
	return string(b)
}

// acls fills in the groups' members and writes exactly n ACLs: drop's
// two, up to four per default group, the rest spread over the network
// groups.
func (g *ovnGen) acls(drop *ovn.PortGroup, n, switches, routers int) {
	rules := 0
	acl := func(pg *ovn.PortGroup, dir string, prio int, match, action string) {
		rules++
		a := &ovn.ACL{Direction: dir, Priority: prio, Match: match, Action: action}
		if pg != drop {
			a.Row = ovn.Row{ExternalIDs: map[string]string{"neutron:security_group_rule_id": genUUID(genRule, rules)}}
		}
		pg.ACLs = append(pg.ACLs, a)
	}
	for k, m := range []string{"inport == @neutron_pg_drop && ip", "outport == @neutron_pg_drop && ip"} {
		if k < n {
			acl(drop, []string{"from-lport", "to-lport"}[k], 1001, m, "drop")
		}
	}
	left := max(0, n-2)
	perDefault := min(4, left/routers)
	left -= perDefault * routers
	for r := 0; r < routers; r++ {
		pg := g.db.PortGroups[r]
		pg.PortNames = g.members[genKey(genDefaultSG, r)]
		for k := 0; k < perDefault; k++ {
			dir, m := defaultRule(pg.Name, k)
			acl(pg, dir, 1002, m, "allow-related")
		}
	}
	for i := 0; i < switches; i++ {
		pg := g.db.PortGroups[routers+i]
		pg.PortNames = g.members[genKey(genNetSG, i)]
		count := left / switches
		if i < left%switches {
			count++
		}
		for k := 0; k < count; k++ {
			dir, m := netRule(pg.Name, k, i, switches)
			acl(pg, dir, 1002, m, "allow-related")
		}
	}
}

// defaultRule is rule k of a project's default group: all egress, and
// ingress from the group's own members.
func defaultRule(pg string, k int) (dir, match string) {
	switch k {
	case 0:
		return "from-lport", fmt.Sprintf("inport == @%s && ip4", pg)
	case 1:
		return "from-lport", fmt.Sprintf("inport == @%s && ip6", pg)
	case 2:
		return "to-lport", fmt.Sprintf("outport == @%s && ip4 && ip4.src == $%s_ip4", pg, pg)
	}
	return "to-lport", fmt.Sprintf("outport == @%s && ip6 && ip6.src == $%s_ip6", pg, pg)
}

// netRule is rule k of network i's group: egress, SSH and ICMP from
// anywhere, then a mix of the ingress rules Neutron users write, on ports
// from 10000 up.
func netRule(pg string, k, i, switches int) (dir, match string) {
	out := fmt.Sprintf("outport == @%s && ", pg)
	port := 10000 + 10*k
	switch k {
	case 0:
		return "from-lport", fmt.Sprintf("inport == @%s && ip4", pg)
	case 1:
		return "from-lport", fmt.Sprintf("inport == @%s && ip6", pg)
	case 2:
		return "to-lport", out + "ip4 && ip4.src == 0.0.0.0/0 && tcp && tcp.dst == 22"
	case 3:
		return "to-lport", out + "ip4 && ip4.src == 0.0.0.0/0 && icmp4"
	}
	switch k % 5 {
	case 0:
		return "to-lport", out + fmt.Sprintf("ip4 && ip4.src == 0.0.0.0/0 && tcp && tcp.dst == %d", port)
	case 1:
		return "to-lport", out + fmt.Sprintf("ip4 && ip4.src == 10.0.0.0/8 && tcp && tcp.dst >= %d && tcp.dst <= %d", port, port+9)
	case 2:
		return "to-lport", out + fmt.Sprintf("ip4 && ip4.src == 192.168.%d.0/24 && udp && udp.dst == %d", k%256, port)
	case 3:
		other := pgName(genUUID(genNetSG, (i+k)%switches))
		return "to-lport", out + fmt.Sprintf("ip4 && ip4.src == $%s_ip4 && tcp && tcp.dst == %d", other, port)
	}
	return "to-lport", out + fmt.Sprintf("ip6 && ip6.src == ::/0 && tcp && tcp.dst == %d", port)
}
