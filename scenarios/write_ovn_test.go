package scenarios

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

func loadOVNSmall(t *testing.T) *model.Topology {
	t.Helper()
	sc, err := LoadFile("testdata/ovn-small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return sc.Topology
}

func TestWriteOVNRoundTrip(t *testing.T) {
	topo := loadOVNSmall(t)
	back, data := writeLoad(t, topo)
	if d := cmp.Diff(topo.OVN, back.OVN, ovnOpts, ignoreSources); d != "" {
		t.Errorf("DB (-loaded +written and reloaded):\n%s\n%s", d, data)
	}
	var twice bytes.Buffer
	if err := Write(&twice, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, twice.Bytes()) {
		t.Errorf("writing the reloaded topology differs:\n%s", cmp.Diff(string(data), twice.String()))
	}
	for _, s := range []string{"\novn:\n  chassis:\n    hv1:\n", `gateway-chassis: ['hv1:20', hv2]`, "enabled: false", `dynamic-addresses: "fa:16:3e:aa:00:99 10.0.3.99"`, `members: ['hv2:30', hv1]`,
		`"10.0.3.100:80": "10.0.3.55:8080,10.0.3.56:8080"`, `match: "inport == @pg_6a7f && ip4"`, "nexthop: discard", "policy: src-ip",
		"logical-ip: 10.0.3.56}", "prefix: 10.8.0.5/32"} {
		if !strings.Contains(string(data), s) {
			t.Errorf("written scenario lacks %q:\n%s", s, data)
		}
	}
	for _, s := range []string{"protocol: tcp", "enabled: true", "policy: dst-ip", `type: ""`, "external-port-range: \"\"", "options: {}"} {
		if strings.Contains(string(data), s) {
			t.Errorf("written scenario has the default %q:\n%s", s, data)
		}
	}
}

// handBuiltOVN is a DB as an importer makes it: address entries without
// their text, an empty protocol, no southbound facts.
func handBuiltOVN() *ovn.DB {
	lb := &ovn.LoadBalancer{Name: "lb", VIPs: []ovn.VIP{{Addr: ip("10.0.0.100"), Backends: []netip.AddrPort{netip.AddrPortFrom(ip("10.0.0.5"), 0)}}}}
	return &ovn.DB{
		LoadBalancers: []*ovn.LoadBalancer{lb},
		Switches: []*ovn.Switch{{Name: "s", LoadBalancers: []*ovn.LoadBalancer{lb}, Ports: []*ovn.SwitchPort{
			{Name: "vm1", Enabled: true, Addresses: []ovn.Address{{MAC: ovnMAC("fa:16:3e:00:00:05"), IPs: prefixes("10.0.0.5/32", "10.0.0.6/24")}},
				PortSecurity: []ovn.Address{{MAC: ovnMAC("fa:16:3e:00:00:05")}}},
			{Name: "vm2", Enabled: true, Addresses: []ovn.Address{{Dynamic: true, IPs: prefixes("10.0.0.7/32")}, {MAC: ovnMAC("fa:16:3e:00:00:08"), Dynamic: true}}},
			{Name: "vm3", Enabled: true, Addresses: []ovn.Address{{Dynamic: true, MAC: ovnMAC("fa:16:3e:00:00:09"), IPs: prefixes("10.0.0.9/32"), Text: "dynamic"}}},
			{Name: "ext", Type: ovn.PortLocalnet, Enabled: true, Addresses: []ovn.Address{{Unknown: true}}},
		}}},
		PortGroups: []*ovn.PortGroup{{Name: "pg", PortNames: []string{"vm1"}, ACLs: []*ovn.ACL{
			{Direction: "to-lport", Priority: 0, Match: `outport == "vm1" && ip4`, Action: "drop"},
		}}},
	}
}

func TestWriteOVNHandBuilt(t *testing.T) {
	topo := &model.Topology{Name: "ovn", OVN: handBuiltOVN()}
	if err := topo.Resolve(); err != nil { // Index numbers tunnel keys, which are written
		t.Fatal(err)
	}
	back, data := writeLoad(t, topo)
	want := handBuiltOVN()
	want.LoadBalancers[0].Protocol = "tcp" // what an empty protocol means
	texts := []string{"fa:16:3e:00:00:05 10.0.0.5 10.0.0.6/24", "fa:16:3e:00:00:05", "dynamic 10.0.0.7", "fa:16:3e:00:00:08 dynamic", "unknown"}
	for _, p := range want.Switches[0].Ports {
		for _, l := range [][]ovn.Address{p.Addresses, p.PortSecurity} {
			for k := range l {
				if l[k].Text == "" {
					l[k].Text, texts = texts[0], texts[1:]
				}
			}
		}
	}
	if err := (&model.Topology{OVN: want}).Resolve(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, back.OVN, ovnOpts, ignoreSources); d != "" {
		t.Errorf("DB (-built +written and reloaded):\n%s\n%s", d, data)
	}
	if !strings.Contains(string(data), `dynamic-addresses: "fa:16:3e:00:00:09 10.0.0.9"`) {
		t.Errorf("vm3's allocated addresses are not written as its dynamic-addresses:\n%s", data)
	}
	if !strings.Contains(string(data), `match: 'outport == "vm1" && ip4'`) {
		t.Errorf("a match with double quotes is not in single ones:\n%s", data)
	}
}

func TestWriteOVNRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ovn.DB)
		want   string
	}{
		{"disabled ACL", func(db *ovn.DB) { db.PortGroups[0].ACLs[1].Disabled = true },
			`cannot write ovn port group pg_6a7f acls[1]: it is disabled: the format has no disabled rows`},
		{"bad ACL direction", func(db *ovn.DB) { db.Switches[0].ACLs[0].Direction = "in" },
			`cannot write ovn switch vpc-public acls[0]: unknown direction "in": want one of from-lport, to-lport`},
		{"address text disagrees", func(db *ovn.DB) { db.Switches[0].Ports[0].Addresses[0].IPs = prefixes("10.0.3.99/32") },
			`cannot write ovn switch vpc-public port bastion: addresses[0] "fa:16:3e:aa:00:55 10.0.3.55" reads back as something else: its text and its fields disagree`},
		{"chassis without southbound", func(db *ovn.DB) { db.HasSB = false },
			`cannot write ovn: 2 chassis but no southbound facts (HasSB false): the format reads a chassis section as southbound`},
		{"gateway chassis out of order", func(db *ovn.DB) { db.Routers[0].Ports[1].GatewayChassis[1].Priority = 30 },
			`cannot write ovn router vpc-router port lrp-ext gateway-chassis: hv2 has priority 30, above the 20 before it: the format lists the highest priority first`},
		{"foreign load balancer", func(db *ovn.DB) { db.Routers[0].LoadBalancers[1] = &ovn.LoadBalancer{Name: "lb-x"} },
			`cannot write ovn router vpc-router: load balancer lb-x is not one of the DB's load balancers`},
		{"port name used twice", func(db *ovn.DB) { db.Switches[1].Ports[0].Name = "bastion" },
			`cannot write ovn switch vpc-ext port bastion: the name is also a port of switch vpc-public: logical port names are global in OVN`},
		{"VIP backend without port", func(db *ovn.DB) { db.LoadBalancers[0].VIPs[0].Backends[1] = netip.AddrPortFrom(ip("10.0.3.56"), 0) },
			`cannot write ovn load balancer lb-web: VIP "10.0.3.100:80" backend "10.0.3.56": a VIP with a port needs backends with ports, and one without, backends without`},
		{"reroute without nexthops", func(db *ovn.DB) { db.Routers[0].Policies[0].Nexthops = nil },
			`cannot write ovn router vpc-router policies[0]: a reroute policy needs nexthops`},
		{"disabled route", func(db *ovn.DB) { db.Routers[0].Routes[2].Disabled = true },
			`cannot write ovn router vpc-router routes[2]: it is disabled: the format has no disabled rows`},
		{"snat with a logical port", func(db *ovn.DB) { db.Routers[0].NAT[1].LogicalPort = "bastion" },
			`cannot write ovn router vpc-router nat[1]: only a dnat_and_snat rule has a logical-port or external-mac, and this one is snat`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := loadOVNSmall(t)
			tt.change(topo.OVN)
			var buf bytes.Buffer
			err := Write(&buf, topo)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Write error:\n got %v\nwant %s", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}
