package scenarios

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hopscope/hopscope/model/ovn"
)

// ovnOpts compare DBs: unexported state (the index, compiled matches) and
// what Index sets are not the builder's business.
var ovnOpts = cmp.Options{
	cmpopts.IgnoreUnexported(ovn.DB{}, ovn.ACL{}, ovn.Policy{}),
	cmpopts.IgnoreFields(ovn.SwitchPort{}, "Switch", "RouterPort"),
	cmpopts.IgnoreFields(ovn.RouterPort{}, "Router", "SwitchPort", "PeerPort"),
	cmpopts.IgnoreFields(ovn.ACL{}, "Owner", "PortGroup"),
	cmpopts.IgnoreFields(ovn.PortGroup{}, "Ports"),
	cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}, netip.AddrPort{}),
}

func ovnMAC(s string) ovn.MAC { return ovn.MAC(mustMAC(s)) }

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, mustPrefix(s))
	}
	return out
}

func ips(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, ip(s))
	}
	return out
}

func ids(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// wantOVNSmall is the DB testdata/ovn-small.yaml describes, Sources aside.
func wantOVNSmall() *ovn.DB {
	lbWeb := &ovn.LoadBalancer{Row: ovn.Row{ExternalIDs: ids("neutron:vip_port_id", "5e1c")}, Name: "lb-web", Protocol: "tcp",
		VIPs: []ovn.VIP{
			{Addr: ip("10.0.3.100"), Port: 80, Backends: []netip.AddrPort{netip.MustParseAddrPort("10.0.3.55:8080"), netip.MustParseAddrPort("10.0.3.56:8080")}},
			{Addr: ip("10.0.3.101"), Backends: []netip.AddrPort{netip.AddrPortFrom(ip("10.0.3.55"), 0)}},
		},
		Options: ids("reject", "true")}
	lbDNS := &ovn.LoadBalancer{Name: "lb-dns", Protocol: "udp",
		VIPs: []ovn.VIP{{Addr: ip("fd00::53"), Port: 53, Backends: []netip.AddrPort{netip.MustParseAddrPort("[fd00::56]:5353")}}}}
	return &ovn.DB{
		HasSB: true,
		Chassis: []*ovn.Chassis{
			{Row: ovn.Row{ExternalIDs: ids("ovn-bridge-mappings", "physnet1:br-ex")}, Name: "hv1", Hostname: "compute1",
				Encaps: []ovn.Encap{{Type: "geneve", IP: ip("192.168.100.11")}}},
			{Name: "hv2", Hostname: "compute2", Encaps: []ovn.Encap{{Type: "geneve", IP: ip("192.168.100.12")}, {Type: "vxlan", IP: ip("192.168.100.12")}}},
		},
		AddressSets:   []*ovn.AddressSet{{Name: "as_web", Addresses: []string{"10.0.3.0/24", "10.0.4.88"}}},
		LoadBalancers: []*ovn.LoadBalancer{lbWeb, lbDNS},
		PortGroups: []*ovn.PortGroup{{Row: ovn.Row{ExternalIDs: ids("neutron:security_group_id", "6a7f")}, Name: "pg_6a7f",
			PortNames: []string{"bastion", "web"},
			ACLs: []*ovn.ACL{
				{Direction: "from-lport", Priority: 1002, Match: "inport == @pg_6a7f && ip4", Action: "allow-related"},
				{Row: ovn.Row{ExternalIDs: ids("neutron:security_group_rule_id", "9b1e")}, Name: "ssh", Direction: "to-lport", Priority: 1002,
					Match: "outport == @pg_6a7f && ip4.src == $as_web && tcp.dst == 22", Action: "allow-related",
					Tier: 1, Label: 7, Log: true, Options: ids("log-related", "true")},
				{Direction: "to-lport", Priority: 1001, Match: "outport == @pg_6a7f && ip", Action: "drop"},
			}}},
		Switches: []*ovn.Switch{
			{Row: ovn.Row{ExternalIDs: ids("neutron:network_name", "vpc-public")}, Name: "vpc-public", TunnelKey: 1,
				OtherConfig: ids("mcast_snoop", "true"), LoadBalancers: []*ovn.LoadBalancer{lbWeb},
				ACLs: []*ovn.ACL{{Direction: "from-lport", Priority: 0, Match: "1", Action: "allow-stateless"}},
				Ports: []*ovn.SwitchPort{
					{Row: ovn.Row{ExternalIDs: ids("neutron:port_name", "bastion", "neutron:device_owner", "compute:nova")}, Name: "bastion",
						Addresses:    []ovn.Address{{MAC: ovnMAC("fa:16:3e:aa:00:55"), IPs: prefixes("10.0.3.55/32"), Text: "fa:16:3e:aa:00:55 10.0.3.55"}},
						PortSecurity: []ovn.Address{{MAC: ovnMAC("fa:16:3e:aa:00:55"), IPs: prefixes("10.0.3.55/24"), Text: "fa:16:3e:aa:00:55 10.0.3.55/24"}},
						Enabled:      true, Chassis: "hv1", TunnelKey: 2},
					{Name: "web", Addresses: []ovn.Address{{MAC: ovnMAC("fa:16:3e:aa:00:56"), IPs: prefixes("10.0.3.56/32", "fd00::56/128"),
						Text: "fa:16:3e:aa:00:56 10.0.3.56 fd00::56"}}, Chassis: "hv2", TunnelKey: 3},
					{Name: "vip", Type: ovn.PortVirtual, Options: ids("virtual-ip", "10.0.3.200", "virtual-parents", "bastion,web"), Enabled: true, TunnelKey: 4},
					{Name: "spare", Addresses: []ovn.Address{{Dynamic: true, MAC: ovnMAC("fa:16:3e:aa:00:99"), IPs: prefixes("10.0.3.99/32"), Text: "dynamic"}},
						Enabled: true, TunnelKey: 5},
					{Name: "rtr-public", Type: ovn.PortRouter, Addresses: []ovn.Address{{Router: true, Text: "router"}},
						Options: ids("router-port", "lrp-public"), Enabled: true, TunnelKey: 1},
				}},
			{Name: "vpc-ext", TunnelKey: 2, Ports: []*ovn.SwitchPort{
				{Name: "provnet", Type: ovn.PortLocalnet, Addresses: []ovn.Address{{Unknown: true, Text: "unknown"}},
					Options: ids("network_name", "physnet1"), Enabled: true, TunnelKey: 1},
				{Name: "metadata", Type: ovn.PortLocalport, Addresses: []ovn.Address{{MAC: ovnMAC("fa:16:3e:aa:ff:02"), IPs: prefixes("3.3.0.2/32"),
					Text: "fa:16:3e:aa:ff:02 3.3.0.2"}}, Enabled: true, TunnelKey: 2},
				{Name: "rtr-ext", Type: ovn.PortRouter, Addresses: []ovn.Address{{Router: true, Text: "router"}},
					Options: ids("router-port", "lrp-ext"), Enabled: true, TunnelKey: 3},
			}},
		},
		Routers: []*ovn.Router{
			{Row: ovn.Row{ExternalIDs: ids("neutron:router_name", "vpc-router")}, Name: "vpc-router", TunnelKey: 3,
				Options: ids("always_learn_from_arp_request", "false"), LoadBalancers: []*ovn.LoadBalancer{lbWeb, lbDNS},
				Ports: []*ovn.RouterPort{
					{Row: ovn.Row{ExternalIDs: ids("neutron:network_name", "vpc-public")}, Name: "lrp-public", MAC: ovnMAC("fa:16:3e:00:03:01"),
						Networks: prefixes("10.0.3.1/24", "fd00::1/64"), Options: ids("gateway_mtu", "1442"), TunnelKey: 1},
					{Name: "lrp-ext", MAC: ovnMAC("fa:16:3e:00:ff:01"), Networks: prefixes("3.3.0.4/24"), TunnelKey: 2,
						GatewayChassis: []ovn.GatewayChassis{{Name: "lrp-ext_hv1", Chassis: "hv1", Priority: 20}, {Name: "lrp-ext_hv2", Chassis: "hv2", Priority: 1}}},
					{Name: "lrp-transit", MAC: ovnMAC("fa:16:3e:00:ee:01"), Networks: prefixes("192.18.1.1/24"), Peer: "lrp-transit-peer", TunnelKey: 3,
						HAChassisGroup: &ovn.HAChassisGroup{Row: ovn.Row{ExternalIDs: ids("neutron:router_id", "77ab")}, Name: "ha-transit",
							Members: []ovn.GatewayChassis{{Chassis: "hv2", Priority: 30}, {Chassis: "hv1", Priority: 1}}}},
				},
				Routes: []*ovn.Route{
					{Prefix: mustPrefix("10.0.4.0/24"), Nexthop: ip("192.18.1.4"), Policy: "dst-ip"},
					{Prefix: mustPrefix("0.0.0.0/0"), Nexthop: ip("3.3.0.1"), OutputPort: "lrp-ext", Policy: "dst-ip"},
					{Prefix: mustPrefix("10.0.4.0/24"), Nexthop: ip("10.0.3.225"), Policy: "src-ip"},
					{Prefix: mustPrefix("10.9.0.0/16"), Discard: true, Policy: "dst-ip"},
					{Row: ovn.Row{ExternalIDs: ids("neutron:is_ext_gw", "true")}, Prefix: mustPrefix("10.8.0.5/32"), Nexthop: ip("10.0.3.55"),
						Policy: "dst-ip", RouteTable: "rtb1", Options: ids("ecmp_symmetric_reply", "true")},
				},
				Policies: []*ovn.Policy{
					{Row: ovn.Row{ExternalIDs: ids("owner", "hopscope")}, Priority: 100, Match: "ip4.src == 10.0.4.0/24", Action: "reroute",
						Nexthops: ips("10.0.3.225"), Options: ids("pkt_mark", "5")},
					{Priority: 50, Match: "ip4.dst == 10.9.0.0/16", Action: "drop"},
				},
				NAT: []*ovn.NAT{
					{Row: ovn.Row{ExternalIDs: ids("neutron:fip_id", "f1a7")}, Type: ovn.DNATAndSNAT, ExternalIP: ip("3.3.0.77"),
						LogicalIP: mustPrefix("10.0.3.55/32"), LogicalPort: "bastion", ExternalMAC: ovnMAC("fa:16:3e:77:00:77"), HasExternalMAC: true,
						Options: ids("stateless", "false")},
					{Type: ovn.SNAT, ExternalIP: ip("3.3.0.10"), LogicalIP: mustPrefix("10.0.3.0/24"), ExternalPortRange: "1024-65535"},
					{Type: ovn.DNAT, ExternalIP: ip("3.3.0.80"), LogicalIP: mustPrefix("10.0.3.56/32")},
				}},
			{Name: "transit", TunnelKey: 4, Options: ids("chassis", "hv2"), Ports: []*ovn.RouterPort{
				{Name: "lrp-transit-peer", MAC: ovnMAC("fa:16:3e:00:ee:02"), Networks: prefixes("192.18.1.4/24"), Peer: "lrp-transit", TunnelKey: 1},
			}},
		},
	}
}

func TestLoadOVN(t *testing.T) {
	sc, err := LoadFile("testdata/ovn-small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db := sc.Topology.OVN
	if db == nil {
		t.Fatal("no OVN DB")
	}
	if d := cmp.Diff(wantOVNSmall(), db, ovnOpts, ignoreSources); d != "" {
		t.Errorf("DB (-want +got):\n%s", d)
	}
	// Load balancers are shared, not copied: Index and the trace compare pointers.
	if len(db.Switches) > 0 && len(db.Switches[0].LoadBalancers) > 0 && db.Switches[0].LoadBalancers[0] != db.LoadBalancers[0] {
		t.Error("switch vpc-public's load balancer is not the DB's lb-web")
	}
	// Every row points at its line, as Index's errors will.
	src := func(line string) string { return "testdata/ovn-small.yaml:" + line }
	tests := []struct {
		name      string
		got, want string
	}{
		{"chassis", db.Chassis[0].Source, src("6")},
		{"address set", db.AddressSets[0].Source, src("14")},
		{"load balancer", db.LoadBalancers[0].Source, src("16")},
		{"port group", db.PortGroups[0].Source, src("26")},
		{"port group ACL", db.PortGroups[0].ACLs[0].Source, src("30")},
		{"switch", db.Switches[0].Source, src("35")},
		{"switch port", db.Switches[0].Ports[0].Source, src("43")},
		{"router", db.Routers[0].Source, src("87")},
		{"router port", db.Routers[0].Ports[1].Source, src("99")},
		{"HA chassis group", db.Routers[0].Ports[2].HAChassisGroup.Source, src("108")},
		{"route", db.Routers[0].Routes[4].Source, src("115")},
		{"policy", db.Routers[0].Policies[0].Source, src("117")},
		{"NAT", db.Routers[0].NAT[1].Source, src("122")},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: Source %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// A scenario without a chassis section has no southbound facts; an empty
// one says there are none.
func TestLoadOVNHasSB(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want bool
	}{
		{"no chassis", "ovn:\n  switches:\n    s: {}\n", false},
		{"empty chassis", "ovn:\n  chassis: {}\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Load("t.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if sc.Topology.OVN == nil || sc.Topology.OVN.HasSB != tt.want {
				t.Errorf("OVN %+v, want HasSB %v", sc.Topology.OVN, tt.want)
			}
		})
	}
	sc, err := Load("t.yaml", []byte("name: x\n"))
	if err != nil || sc.Topology.OVN != nil {
		t.Errorf("a scenario without ovn: has DB %v (err %v)", sc.Topology.OVN, err)
	}
}

// ovnHead starts a scenario's ovn section (line 1) with one switch (line 3).
const ovnHead = "ovn:\n  switches:\n    s:\n"

func TestLoadOVNErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"bad ACL direction", ovnHead + "      acls:\n        - {direction: ingress, priority: 1, match: ip4, action: drop}\n",
			`bad.yaml:5:23: ovn.switches.s.acls[0].direction: unknown direction "ingress": want one of from-lport, to-lport`},
		{"bad ACL action", ovnHead + "      acls:\n        - {direction: to-lport, priority: 1, match: ip4, action: accept}\n",
			`bad.yaml:5:66: ovn.switches.s.acls[0].action: unknown action "accept": want one of allow, allow-related, allow-stateless, drop, reject, pass`},
		{"ACL priority out of range", ovnHead + "      acls:\n        - {direction: to-lport, priority: 40000, match: ip4, action: drop}\n",
			`bad.yaml:5:43: ovn.switches.s.acls[0].priority: priority 40000 is out of range: want 0 to 32767`},
		{"ACL without match", ovnHead + "      acls:\n        - {direction: to-lport, priority: 1, action: drop}\n",
			`bad.yaml:5:11: ovn.switches.s.acls[0]: missing required key "match"`},
		{"bad NAT type", "ovn:\n  routers:\n    r:\n      nat:\n        - {type: fip, external-ip: 3.3.0.7, logical-ip: 10.0.0.7}\n",
			`bad.yaml:5:18: ovn.routers.r.nat[0].type: unknown NAT type "fip": want one of snat, dnat, dnat_and_snat`},
		{"dnat of a network", "ovn:\n  routers:\n    r:\n      nat:\n        - {type: dnat, external-ip: 3.3.0.7, logical-ip: 10.0.0.0/24}\n",
			`bad.yaml:5:58: ovn.routers.r.nat[0].logical-ip: a dnat rule's logical-ip is one address, not the network 10.0.0.0/24`},
		{"external-mac without logical-port", "ovn:\n  routers:\n    r:\n      nat:\n        - {type: dnat_and_snat, external-ip: 3.3.0.7, logical-ip: 10.0.0.7, external-mac: \"fa:16:3e:00:00:07\"}\n",
			`bad.yaml:5:91: ovn.routers.r.nat[0].external-mac: an external-mac needs the logical-port whose chassis answers for it`},
		{"bad MAC in addresses", ovnHead + "      ports:\n        p: {addresses: [\"fa:16:3e:zz:00:55 10.0.3.55\"]}\n",
			`bad.yaml:5:25: ovn.switches.s.ports.p.addresses[0]: "fa:16:3e:zz:00:55 10.0.3.55": "fa:16:3e:zz:00:55" is not a MAC address; want "MAC [IP...]", "MAC dynamic", "dynamic [IP...]", "router" or "unknown"`},
		{"bad IP in port security", ovnHead + "      ports:\n        p: {port-security: [\"fa:16:3e:aa:00:55 10.0.3\"]}\n",
			`bad.yaml:5:29: ovn.switches.s.ports.p.port-security[0]: "fa:16:3e:aa:00:55 10.0.3": bad address "10.0.3": want an IP address or a prefix like 10.0.3.0/24`},
		{"router in port security", ovnHead + "      ports:\n        p: {port-security: [router]}\n",
			`bad.yaml:5:29: ovn.switches.s.ports.p.port-security[0]: "router": "router" is not a MAC address; want "MAC [IP[/PLEN]...]"`},
		{"unknown port type", ovnHead + "      ports:\n        p: {type: vif}\n",
			`bad.yaml:5:19: ovn.switches.s.ports.p.type: unknown port type "vif": want one of "", router, localnet, localport, virtual, external, vtep, l2gateway, remote`},
		{"router port without router-port", ovnHead + "      ports:\n        p: {type: router}\n",
			`bad.yaml:5:9: ovn.switches.s.ports.p: a router port needs options: {router-port: NAME}, the router port it connects to`},
		{"unknown key", ovnHead + "      ports:\n        p: {adresses: [unknown]}\n",
			`bad.yaml:5:13: ovn.switches.s.ports.p.adresses: unknown key; want one of type, addresses, dynamic-addresses, port-security, options, enabled, chassis, tunnel-key, external-ids`},
		{"unknown ovn key", "ovn:\n  logical-switches: {}\n",
			`bad.yaml:2:3: ovn.logical-switches: unknown key; want one of chassis, address-sets, load-balancers, port-groups, switches, routers`},
		{"port in two switches", ovnHead + "      ports:\n        p: {}\n    t:\n      ports:\n        p: {}\n",
			`bad.yaml:8:9: ovn.switches.t.ports.p: port "p" of switch t is already a port of switch s at bad.yaml:5:9: logical port names are global in OVN`},
		{"router port in two routers", "ovn:\n  routers:\n    r1:\n      ports:\n        p: {mac: \"fa:16:3e:00:00:01\", networks: [10.0.0.1/24]}\n    r2:\n      ports:\n        p: {mac: \"fa:16:3e:00:00:02\", networks: [10.0.0.2/24]}\n",
			`bad.yaml:8:9: ovn.routers.r2.ports.p: port "p" of router r2 is already a port of router r1 at bad.yaml:5:9: logical port names are global in OVN`},
		{"unknown chassis", "ovn:\n  chassis:\n    hv1: {}\n  switches:\n    s:\n      ports:\n        p: {chassis: hv9}\n",
			`bad.yaml:7:22: ovn.switches.s.ports.p.chassis: no chassis "hv9": chassis are hv1`},
		{"unknown gateway chassis", "ovn:\n  chassis:\n    hv1: {}\n  routers:\n    r:\n      ports:\n        p: {mac: \"fa:16:3e:00:00:01\", networks: [10.0.0.1/24], gateway-chassis: [hv1, hv2]}\n",
			`bad.yaml:7:87: ovn.routers.r.ports.p.gateway-chassis[1]: no chassis "hv2": chassis are hv1`},
		{"gateway chassis out of order", "ovn:\n  routers:\n    r:\n      ports:\n        p: {mac: \"fa:16:3e:00:00:01\", networks: [10.0.0.1/24], gateway-chassis: [hv1, \"hv2:5\"]}\n",
			`bad.yaml:5:87: ovn.routers.r.ports.p.gateway-chassis[1]: priority 5 is above the 2 before it: list the highest priority first`},
		{"network without a length", "ovn:\n  routers:\n    r:\n      ports:\n        p: {mac: \"fa:16:3e:00:00:01\", networks: [10.0.0.1]}\n",
			`bad.yaml:5:50: ovn.routers.r.ports.p.networks[0]: bad network "10.0.0.1": want IP/PLEN like 10.0.3.1/24`},
		{"bad nexthop", "ovn:\n  routers:\n    r:\n      routes:\n        - {prefix: 10.0.0.0/8, nexthop: blackhole}\n",
			`bad.yaml:5:41: ovn.routers.r.routes[0].nexthop: bad nexthop "blackhole": want an IP address or "discard"`},
		{"route prefix with host bits", "ovn:\n  routers:\n    r:\n      routes:\n        - {prefix: 10.0.0.1/8, nexthop: 10.0.0.254}\n",
			`bad.yaml:5:20: ovn.routers.r.routes[0].prefix: 10.0.0.1/8 has host bits set: want the network 10.0.0.0/8`},
		{"bad route policy", "ovn:\n  routers:\n    r:\n      routes:\n        - {prefix: 10.0.0.0/8, nexthop: discard, policy: src}\n",
			`bad.yaml:5:58: ovn.routers.r.routes[0].policy: unknown policy "src": want one of dst-ip, src-ip`},
		{"reroute without nexthops", "ovn:\n  routers:\n    r:\n      policies:\n        - {priority: 10, match: ip4, action: reroute}\n",
			`bad.yaml:5:11: ovn.routers.r.policies[0].nexthops: a reroute policy needs nexthops`},
		{"VIP backends without ports", "ovn:\n  load-balancers:\n    lb:\n      vips: {\"10.0.0.10:80\": \"10.0.0.5\"}\n",
			`bad.yaml:4:14: ovn.load-balancers.lb.vips.10.0.0.10:80: VIP "10.0.0.10:80" backend "10.0.0.5": a VIP with a port needs backends with ports, and one without, backends without`},
		{"unknown load balancer", ovnHead + "      load-balancers: [lb-web]\n",
			`bad.yaml:4:24: ovn.switches.s.load-balancers[0]: no load balancer "lb-web": load balancers are (none)`},
		{"tunnel key zero", ovnHead + "      tunnel-key: 0\n",
			`bad.yaml:4:19: ovn.switches.s.tunnel-key: tunnel key 0 is out of range: want 1 to 16777215`},
		{"bad encap", "ovn:\n  chassis:\n    hv1: {encaps: [gre 192.168.0.1]}\n",
			`bad.yaml:3:20: ovn.chassis.hv1.encaps[0]: unknown encap type "gre": want one of geneve, vxlan, stt`},
		{"dynamic-addresses without a dynamic entry", ovnHead + "      ports:\n        p: {addresses: [unknown], dynamic-addresses: \"fa:16:3e:00:00:01 10.0.0.1\"}\n",
			`bad.yaml:5:54: ovn.switches.s.ports.p.dynamic-addresses: no dynamic entry in addresses: dynamic-addresses is what northd allocated for one`},
		{"bad address set entry", "ovn:\n  address-sets:\n    as1: [10.0.0.0/33]\n",
			`bad.yaml:3:11: ovn.address-sets.as1[0]: bad address "10.0.0.0/33": want an IP address, a prefix like 10.0.3.0/24 or a MAC`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("bad.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// Files merge their ovn sections: a port defined in two files is found.
func TestLoadFilesOVNDuplicatePort(t *testing.T) {
	a := namedData{"a.yaml", []byte(ovnHead + "      ports:\n        p: {}\n")}
	b := namedData{"b.yaml", []byte("ovn:\n  switches:\n    t:\n      ports:\n        p: {}\n")}
	_, err := load([]namedData{a, b})
	want := `b.yaml:5:9: ovn.switches.t.ports.p: port "p" of switch t is already a port of switch s at a.yaml:5:9: logical port names are global in OVN`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}
