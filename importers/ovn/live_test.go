package ovn

import (
	"context"
	"go/token"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hopscope/hopscope/model/ovn"
	"github.com/hopscope/hopscope/oracle/ovnrun"
)

// equateModel compares two models by value, leaving out what only names a
// row in one database (UUID, Source) and the unexported fields that Index
// fills in.
var equateModel = []cmp.Option{
	equateNetip,
	cmpopts.IgnoreFields(ovn.Row{}, "UUID", "Source"),
	cmp.FilterPath(func(p cmp.Path) bool {
		f, ok := p.Last().(cmp.StructField)
		return ok && !token.IsExported(f.Name())
	}, cmp.Ignore()),
}

// liveNB is the live test's northbound content, as ovn-nbctl commands:
//
//	vm1, vm2 ── sw0 ── lr0-sw0 ┐
//	    vm3 ── sw1 ── lr0-sw1 ─┤ lr0 ── lr0-public (gateway hv1) ── public ── ln-public (localnet)
//
// with a port group pg_web (vm1, vm2) and two ACLs on it, an address set,
// an ECMP default route, a src-ip route, a reroute policy, SNAT for sw0, a
// floating IP for vm1 (distributed: logical_port and external_mac), and a
// load balancer on sw0.
var liveNB = [][]string{
	{"ls-add", "sw0"},
	{"lsp-add", "sw0", "vm1"},
	{"lsp-set-addresses", "vm1", "0a:00:00:00:00:01 10.0.0.11"},
	{"lsp-set-port-security", "vm1", "0a:00:00:00:00:01 10.0.0.11"},
	{"lsp-add", "sw0", "vm2"},
	{"lsp-set-addresses", "vm2", "0a:00:00:00:00:02 10.0.0.12 fd00::12"},
	{"lsp-set-port-security", "vm2", "0a:00:00:00:00:02 10.0.0.12 fd00::/64"},
	{"lsp-add", "sw0", "sw0-lr0"},
	{"lsp-set-type", "sw0-lr0", "router"},
	{"lsp-set-addresses", "sw0-lr0", "router"},
	{"lsp-set-options", "sw0-lr0", "router-port=lr0-sw0"},
	{"ls-add", "sw1"},
	{"lsp-add", "sw1", "vm3"},
	{"lsp-set-addresses", "vm3", "0a:00:00:00:01:03 10.0.1.13", "unknown"},
	{"lsp-add", "sw1", "sw1-lr0"},
	{"lsp-set-type", "sw1-lr0", "router"},
	{"lsp-set-addresses", "sw1-lr0", "router"},
	{"lsp-set-options", "sw1-lr0", "router-port=lr0-sw1"},
	{"ls-add", "public"},
	{"lsp-add", "public", "ln-public"},
	{"lsp-set-type", "ln-public", "localnet"},
	{"lsp-set-addresses", "ln-public", "unknown"},
	{"lsp-set-options", "ln-public", "network_name=physnet1"},
	{"lsp-add", "public", "public-lr0"},
	{"lsp-set-type", "public-lr0", "router"},
	{"lsp-set-addresses", "public-lr0", "router"},
	{"lsp-set-options", "public-lr0", "router-port=lr0-public"},

	{"pg-add", "pg_web", "vm1", "vm2"},
	{"--name=web-in", "--label=7", "acl-add", "pg_web", "to-lport", "1002", "outport == @pg_web && ip4 && tcp.dst == 80", "allow-related"},
	{"--log", "acl-add", "pg_web", "to-lport", "1001", "outport == @pg_web && ip4", "drop"},
	{"create", "Address_Set", "name=as_web", `addresses="10.0.0.12","10.0.0.11"`, "external_ids:owner=test"},

	{"lr-add", "lr0"},
	{"lrp-add", "lr0", "lr0-sw0", "02:00:00:00:00:01", "10.0.0.1/24", "fd00::1/64"},
	{"lrp-add", "lr0", "lr0-sw1", "02:00:00:00:00:02", "10.0.1.1/24"},
	{"lrp-add", "lr0", "lr0-public", "02:00:00:00:00:03", "172.16.0.1/24"},
	{"lrp-set-gateway-chassis", "lr0-public", "hv1", "20"},
	{"--policy=src-ip", "lr-route-add", "lr0", "10.0.1.0/24", "172.16.0.254"},
	{"--ecmp", "lr-route-add", "lr0", "0.0.0.0/0", "172.16.0.253"},
	{"--ecmp", "lr-route-add", "lr0", "0.0.0.0/0", "172.16.0.254", "lr0-public"},
	{"lr-policy-add", "lr0", "100", "ip4.src == 10.0.1.13", "reroute", "10.0.0.12"},
	{"lr-nat-add", "lr0", "snat", "172.16.0.100", "10.0.0.0/24"},
	{"lr-nat-add", "lr0", "dnat_and_snat", "172.16.0.110", "10.0.0.11", "vm1", "0a:00:00:00:ff:01"},

	{"lb-add", "lb0", "10.0.0.100:80", "10.0.0.11:8080,10.0.0.12:8080", "tcp"},
	{"lb-add", "lb0", "10.0.0.101", "10.0.0.11,10.0.0.12"},
	{"ls-lb-add", "sw0", "lb0"},
}

// liveCluster starts a private OVN, writes liveNB, adds chassis hv1 with
// vm1 bound to it, and waits for northd. It skips when not root.
func liveCluster(t *testing.T) *ovnrun.Cluster {
	t.Helper()
	c := ovnrun.Start(t)
	for _, args := range liveNB {
		if _, err := c.NBCtl(args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"chassis-add", "hv1", "geneve", "192.168.100.11"}, {"lsp-bind", "vm1", "hv1"}} {
		if _, err := c.SBCtl(args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLiveImport imports liveNB and the chassis from a real OVN and
// compares every field with what the ovn-nbctl commands said, and the
// tunnel keys with what northd wrote into the southbound database.
func TestLiveImport(t *testing.T) {
	c := liveCluster(t)
	begin := time.Now()
	got, err := Import(context.Background(), c.NB, c.SB)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Import of the live NB and SB took %v", time.Since(begin))

	dp := func(name string) int { return sbKey(t, c, "Datapath_Binding", "external_ids:name="+name) }
	pb := func(name string) int { return sbKey(t, c, "Port_Binding", "logical_port="+name) }
	router := ovn.Address{Router: true, Text: "router"}
	unknown := ovn.Address{Unknown: true, Text: "unknown"}
	lb0 := &ovn.LoadBalancer{Name: "lb0", Protocol: "tcp", VIPs: []ovn.VIP{
		{Addr: ip("10.0.0.100"), Port: 80, Backends: []netip.AddrPort{netip.MustParseAddrPort("10.0.0.11:8080"), netip.MustParseAddrPort("10.0.0.12:8080")}},
		{Addr: ip("10.0.0.101"), Backends: []netip.AddrPort{netip.MustParseAddrPort("10.0.0.11:0"), netip.MustParseAddrPort("10.0.0.12:0")}},
	}}
	want := &ovn.DB{
		Switches: []*ovn.Switch{
			{Name: "public", TunnelKey: dp("public"), Ports: []*ovn.SwitchPort{
				{Name: "ln-public", Type: ovn.PortLocalnet, Addresses: []ovn.Address{unknown},
					Options: map[string]string{"network_name": "physnet1"}, Enabled: true, TunnelKey: pb("ln-public")},
				{Name: "public-lr0", Type: ovn.PortRouter, Addresses: []ovn.Address{router},
					Options: map[string]string{"router-port": "lr0-public"}, Enabled: true, TunnelKey: pb("public-lr0")},
			}},
			{Name: "sw0", TunnelKey: dp("sw0"), LoadBalancers: []*ovn.LoadBalancer{lb0}, Ports: []*ovn.SwitchPort{
				{Name: "sw0-lr0", Type: ovn.PortRouter, Addresses: []ovn.Address{router},
					Options: map[string]string{"router-port": "lr0-sw0"}, Enabled: true, TunnelKey: pb("sw0-lr0")},
				{Name: "vm1", Enabled: true, TunnelKey: pb("vm1"), Chassis: "hv1",
					Addresses:    []ovn.Address{address("0a:00:00:00:00:01", "10.0.0.11/32")},
					PortSecurity: []ovn.Address{address("0a:00:00:00:00:01", "10.0.0.11/32")}},
				{Name: "vm2", Enabled: true, TunnelKey: pb("vm2"),
					Addresses:    []ovn.Address{address("0a:00:00:00:00:02", "10.0.0.12/32", "fd00::12/128")},
					PortSecurity: []ovn.Address{address("0a:00:00:00:00:02", "10.0.0.12/32", "fd00::/64")}},
			}},
			{Name: "sw1", TunnelKey: dp("sw1"), Ports: []*ovn.SwitchPort{
				{Name: "sw1-lr0", Type: ovn.PortRouter, Addresses: []ovn.Address{router},
					Options: map[string]string{"router-port": "lr0-sw1"}, Enabled: true, TunnelKey: pb("sw1-lr0")},
				{Name: "vm3", Enabled: true, TunnelKey: pb("vm3"),
					Addresses: []ovn.Address{address("0a:00:00:00:01:03", "10.0.1.13/32"), unknown}},
			}},
		},
		Routers: []*ovn.Router{{Name: "lr0", TunnelKey: dp("lr0"),
			Ports: []*ovn.RouterPort{
				{Name: "lr0-public", MAC: ovn.MustParseMAC("02:00:00:00:00:03"), Networks: pfx("172.16.0.1/24"), TunnelKey: pb("lr0-public"),
					GatewayChassis: []ovn.GatewayChassis{{Name: "lr0-public-hv1", Chassis: "hv1", Priority: 20}}},
				{Name: "lr0-sw0", MAC: ovn.MustParseMAC("02:00:00:00:00:01"), Networks: pfx("10.0.0.1/24", "fd00::1/64"), TunnelKey: pb("lr0-sw0")},
				{Name: "lr0-sw1", MAC: ovn.MustParseMAC("02:00:00:00:00:02"), Networks: pfx("10.0.1.1/24"), TunnelKey: pb("lr0-sw1")},
			},
			Routes: []*ovn.Route{
				{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Nexthop: ip("172.16.0.253"), Policy: "dst-ip"},
				{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Nexthop: ip("172.16.0.254"), OutputPort: "lr0-public", Policy: "dst-ip"},
				{Prefix: netip.MustParsePrefix("10.0.1.0/24"), Nexthop: ip("172.16.0.254"), Policy: "src-ip"},
			},
			Policies: []*ovn.Policy{{Priority: 100, Match: "ip4.src == 10.0.1.13", Action: "reroute", Nexthops: []netip.Addr{ip("10.0.0.12")}}},
			NAT: []*ovn.NAT{
				{Type: ovn.DNATAndSNAT, ExternalIP: ip("172.16.0.110"), LogicalIP: netip.MustParsePrefix("10.0.0.11/32"),
					LogicalPort: "vm1", ExternalMAC: ovn.MustParseMAC("0a:00:00:00:ff:01"), HasExternalMAC: true,
					Options: map[string]string{"stateless": "false"}},
				{Type: ovn.SNAT, ExternalIP: ip("172.16.0.100"), LogicalIP: netip.MustParsePrefix("10.0.0.0/24"),
					Options: map[string]string{"stateless": "false"}},
			},
		}},
		PortGroups: []*ovn.PortGroup{{Name: "pg_web", PortNames: []string{"vm1", "vm2"}, ACLs: []*ovn.ACL{
			// ovn-nbctl turns logging on for an ACL with a label.
			{Name: "web-in", Direction: "to-lport", Priority: 1002, Match: "outport == @pg_web && ip4 && tcp.dst == 80",
				Action: "allow-related", Label: 7, Log: true},
			{Direction: "to-lport", Priority: 1001, Match: "outport == @pg_web && ip4", Action: "drop", Log: true},
		}}},
		AddressSets: []*ovn.AddressSet{{Row: ovn.Row{ExternalIDs: map[string]string{"owner": "test"}},
			Name: "as_web", Addresses: []string{"10.0.0.11", "10.0.0.12"}}},
		LoadBalancers: []*ovn.LoadBalancer{lb0},
		Chassis:       []*ovn.Chassis{{Name: "hv1", Encaps: []ovn.Encap{{Type: "geneve", IP: ip("192.168.100.11")}}}},
		HasSB:         true,
	}
	if diff := cmp.Diff(want, got, equateModel...); diff != "" {
		t.Errorf("Import (-want +got):\n%s", diff)
	}
	checkRows(t, got)
}

// checkRows checks the Row every object carries: a uuid, and a Source
// naming the database, table and that uuid.
func checkRows(t *testing.T, db *ovn.DB) {
	t.Helper()
	check := func(r ovn.Row, table string) {
		t.Helper()
		if r.UUID == "" || r.Source != table+" "+r.UUID {
			t.Errorf("%s row: UUID %q, Source %q; want a uuid and %q", table, r.UUID, r.Source, table+" <uuid>")
		}
	}
	nb := func(table string) string { return "OVN_Northbound " + table }
	for _, s := range db.Switches {
		check(s.Row, nb("Logical_Switch"))
		for _, p := range s.Ports {
			check(p.Row, nb("Logical_Switch_Port"))
		}
		for _, a := range s.ACLs {
			check(a.Row, nb("ACL"))
		}
	}
	for _, g := range db.PortGroups {
		check(g.Row, nb("Port_Group"))
		for _, a := range g.ACLs {
			check(a.Row, nb("ACL"))
		}
	}
	for _, a := range db.AddressSets {
		check(a.Row, nb("Address_Set"))
	}
	for _, lb := range db.LoadBalancers {
		check(lb.Row, nb("Load_Balancer"))
	}
	for _, r := range db.Routers {
		check(r.Row, nb("Logical_Router"))
		for _, p := range r.Ports {
			check(p.Row, nb("Logical_Router_Port"))
		}
		for _, rt := range r.Routes {
			check(rt.Row, nb("Logical_Router_Static_Route"))
		}
		for _, p := range r.Policies {
			check(p.Row, nb("Logical_Router_Policy"))
		}
		for _, n := range r.NAT {
			check(n.Row, nb("NAT"))
		}
	}
	for _, c := range db.Chassis {
		check(c.Row, "OVN_Southbound Chassis")
	}
}

// sbKey is the tunnel_key of the one southbound row of table that matches
// the ovn-sbctl find condition.
func sbKey(t *testing.T, c *ovnrun.Cluster, table, cond string) int {
	t.Helper()
	out, err := c.SBCtl("--bare", "--columns=tunnel_key", "find", table, cond)
	if err != nil {
		t.Fatal(err)
	}
	k, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || k == 0 {
		t.Fatalf("%s %s: tunnel_key %q", table, cond, out)
	}
	return k
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// address is a "MAC IP..." entry as ovn-nbctl writes it: IPs given as
// prefixes, written bare when they are /32 or /128.
func address(m string, prefixes ...string) ovn.Address {
	text := []string{m}
	for _, p := range prefixes {
		text = append(text, ovn.IPOrPrefixText(netip.MustParsePrefix(p)))
	}
	return ovn.Address{MAC: ovn.MustParseMAC(m), IPs: pfx(prefixes...), Text: strings.Join(text, " ")}
}

// TestImportErrors: what the model cannot hold, and endpoints that do not
// answer, are errors that name the endpoint, and the table, row and column.
func TestImportErrors(t *testing.T) {
	base := [][]string{{"ls-add", "sw0"}, {"lsp-add", "sw0", "p1"}, {"lr-add", "lr0"},
		{"lrp-add", "lr0", "r1", "02:00:00:00:00:01", "10.0.0.1/24"}}
	tests := []struct {
		name string
		nb   [][]string
		want string // a regexp; <uuid> stands for a row's uuid
	}{
		{"bad address", [][]string{{"set", "Logical_Switch_Port", "p1", `addresses="garbage 10.0.0.5"`}},
			`Logical_Switch_Port "p1" \(<uuid>\) column addresses: "garbage 10.0.0.5": "garbage" is not a MAC address; want "MAC \[IP...\]", "MAC dynamic", "dynamic \[IP...\]", "router" or "unknown"$`},
		{"bad port security", [][]string{{"set", "Logical_Switch_Port", "p1", `port_security="router"`}},
			`Logical_Switch_Port "p1" \(<uuid>\) column port_security: "router": "router" is not a MAC address; want "MAC \[IP\[/PLEN\]...\]"$`},
		{"container port", [][]string{{"lsp-add", "sw0", "child", "p1", "5"}},
			`Logical_Switch_Port "child" \(<uuid>\) column parent_name: "p1": container ports .* are not modelled`},
		{"bad router MAC", [][]string{{"set", "Logical_Router_Port", "r1", `mac="02:00:00:00:01"`}},
			`Logical_Router_Port "r1" \(<uuid>\) column mac: bad MAC address "02:00:00:00:01": want six hex bytes like fa:16:3e:ae:b3:e7$`},
		{"network without length", [][]string{{"set", "Logical_Router_Port", "r1", "networks=10.0.0.1"}},
			`Logical_Router_Port "r1" \(<uuid>\) column networks: bad network "10.0.0.1": want IP/PLEN like 10.0.3.1/24$`},
		{"disabled router port", [][]string{{"lrp-set-enabled", "r1", "disabled"}},
			`Logical_Router_Port "r1" \(<uuid>\) column enabled: false: disabled router ports are not modelled`},
		{"bad nexthop", [][]string{{"--id=@r", "create", "Logical_Router_Static_Route", "ip_prefix=10.1.0.0/16", "nexthop=gw",
			"--", "add", "Logical_Router", "lr0", "static_routes", "@r"}},
			`Logical_Router_Static_Route <uuid> column nexthop: bad nexthop "gw": want an IP address or "discard"$`},
		{"bad NAT address", [][]string{{"--id=@n", "create", "NAT", "type=snat", "external_ip=gw", "logical_ip=10.0.0.0/24",
			"--", "add", "Logical_Router", "lr0", "nat", "@n"}},
			`NAT <uuid> column external_ip: bad address "gw": want an IP address like 203.0.113.7$`},
		{"bad VIP", [][]string{{"create", "Load_Balancer", "name=lb", `vips:"10.0.0.9:80"="10.0.0.2"`}},
			`Load_Balancer "lb" \(<uuid>\) column vips: VIP "10.0.0.9:80" backend "10.0.0.2": a VIP with a port needs backends with ports`},
		{"load balancer group", [][]string{{"--id=@g", "create", "Load_Balancer_Group", "name=g",
			"--", "add", "Logical_Switch", "sw0", "load_balancer_group", "@g"}},
			`Logical_Switch "sw0" \(<uuid>\) column load_balancer_group: 1 groups: load balancer groups are not modelled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ovnrun.Start(t)
			for _, args := range append(base[:len(base):len(base)], tt.nb...) {
				if _, err := c.NBCtl(args...); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Import(context.Background(), c.NB, "")
			want := regexp.MustCompile("^ovn northbound " + regexp.QuoteMeta(c.NB) + ": " +
				strings.ReplaceAll(tt.want, "<uuid>", "[0-9a-f-]{36}"))
			if err == nil || !want.MatchString(err.Error()) {
				t.Errorf("Import: error %v\nwant one matching %s", err, want)
			}
		})
	}
	t.Run("endpoints", func(t *testing.T) {
		c := ovnrun.Start(t)
		missing := "unix:" + c.Dir + "/missing.sock"
		for _, tt := range []struct{ nb, sb, want string }{
			{missing, "", "ovn northbound " + missing + ": "},
			{c.SB, "", "ovn northbound " + c.SB + ": failed to connect to " + c.SB + ": target database OVN_Northbound not found"},
			{c.NB, missing, "ovn southbound " + missing + ": "},
			{"", "", `ovn northbound : no endpoint`},
			{"ssl:127.0.0.1:6641", "", `ovn northbound ssl:127.0.0.1:6641: endpoint "ssl:127.0.0.1:6641": unsupported scheme`},
		} {
			_, err := Import(context.Background(), tt.nb, tt.sb)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Import(%q, %q): error %v, want one starting %q", tt.nb, tt.sb, err, tt.want)
			}
		}
	})
}
