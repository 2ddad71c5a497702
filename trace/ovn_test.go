package trace

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// ovnNet is a small logical network: ls1 (10.0.1.0/24: vm1, vm2) and ls2
// (10.0.2.0/24: vm3) on router lr1; no chassis, so traces are logical only.
func ovnNet(t *testing.T, edit func(db *ovn.DB)) *Engine {
	t.Helper()
	mac := func(s string) ovn.MAC { m, _ := model.ParseMAC(s); return ovn.MAC(m) }
	vif := func(name, m, ip string) *ovn.SwitchPort {
		a := ovn.Address{MAC: mac(m), IPs: []netip.Prefix{netip.MustParsePrefix(ip + "/32")}, Text: m + " " + ip}
		return &ovn.SwitchPort{Name: name, Enabled: true, Addresses: []ovn.Address{a}, PortSecurity: []ovn.Address{a}}
	}
	rport := func(name, lrp string) *ovn.SwitchPort {
		return &ovn.SwitchPort{Name: name, Type: ovn.PortRouter, Enabled: true, Addresses: []ovn.Address{{Router: true, Text: "router"}},
			Options: map[string]string{"router-port": lrp}}
	}
	db := &ovn.DB{
		Switches: []*ovn.Switch{
			{Name: "ls1", Ports: []*ovn.SwitchPort{vif("vm1", "0a:00:00:00:01:01", "10.0.1.11"), vif("vm2", "0a:00:00:00:01:02", "10.0.1.12"), rport("ls1-lr1", "lrp1")}},
			{Name: "ls2", Ports: []*ovn.SwitchPort{vif("vm3", "0a:00:00:00:02:03", "10.0.2.13"), rport("ls2-lr1", "lrp2")}},
		},
		Routers: []*ovn.Router{{Name: "lr1", Ports: []*ovn.RouterPort{
			{Name: "lrp1", MAC: mac("0a:00:00:00:01:fe"), Networks: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24")}},
			{Name: "lrp2", MAC: mac("0a:00:00:00:02:fe"), Networks: []netip.Prefix{netip.MustParsePrefix("10.0.2.1/24")}},
		}}},
	}
	db.Switches[1].Ports[0].PortSecurity = nil // vm3 routes for others: no port security
	if edit != nil {
		edit(db)
	}
	topo := &model.Topology{Name: "ovn-test", OVN: db}
	if err := topo.Resolve(); err != nil {
		t.Fatal(err)
	}
	return New(topo)
}

func acl(dir string, prio int, match, action string) *ovn.ACL {
	return &ovn.ACL{Direction: dir, Priority: prio, Match: match, Action: action}
}

func traceOne(t *testing.T, e *Engine, req Request) *Trace {
	t.Helper()
	trs, err := e.Trace(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(trs) != 1 {
		t.Fatalf("%d paths, want 1", len(trs))
	}
	return trs[0]
}

func TestOVNRoutedDelivery(t *testing.T) {
	e := ovnNet(t, nil)
	tr := traceOne(t, e, Request{From: "vm1", To: "vm3", Proto: ProtoTCP, DstPort: 22})
	if tr.Disposition != Delivered || tr.LogicalPort() != "vm3" {
		t.Fatalf("%s at %q: %s", tr.Disposition, tr.LogicalPort(), tr.Why)
	}
	f := tr.Final
	if f.SrcMAC.String() != "0a:00:00:00:02:fe" || f.DstMAC.String() != "0a:00:00:00:02:03" || f.TTL != 63 {
		t.Errorf("final %s > %s ttl %d; want the router's lrp2 MAC, vm3's MAC and TTL 63", f.SrcMAC, f.DstMAC, f.TTL)
	}
	var nodes []string
	for _, h := range tr.Hops {
		nodes = append(nodes, h.Node.Name)
	}
	if got := strings.Join(nodes, " "); got != "ls1 lr1 ls2" {
		t.Errorf("hops %q, want ls1 lr1 ls2", got)
	}
}

func TestOVNACLs(t *testing.T) {
	cases := []struct {
		name string
		acls []*ovn.ACL
		want Disposition
		why  string
	}{
		{"no ACL: allowed", nil, Delivered, ""},
		{"higher priority wins", []*ovn.ACL{acl("to-lport", 1000, "ip4 && tcp.dst == 22", "drop"), acl("to-lport", 1001, "ip4.src == 10.0.1.0/24", "allow")}, Delivered, ""},
		{"drop", []*ovn.ACL{acl("to-lport", 1000, "outport == \"vm2\" && tcp && tcp.dst == {22, 80}", "drop")}, Denied, "to-lport 1000"},
		{"reject", []*ovn.ACL{acl("from-lport", 1000, "inport == \"vm1\" && ip4.dst == 10.0.1.12", "reject")}, Denied, "rejected"},
		{"prerequisite: udp does not match a tcp ACL", []*ovn.ACL{acl("to-lport", 1000, "tcp.dst != 22", "drop")}, Delivered, ""},
		{"pass goes on to the next tier", []*ovn.ACL{
			{Direction: "to-lport", Priority: 2000, Match: "ip4", Action: "pass", Tier: 0},
			{Direction: "to-lport", Priority: 1000, Match: "ip4", Action: "drop", Tier: 0},
			{Direction: "to-lport", Priority: 10, Match: "ip4", Action: "allow", Tier: 1},
		}, Delivered, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := ovnNet(t, func(db *ovn.DB) { db.Switches[0].ACLs = c.acls })
			proto := ProtoTCP
			if strings.HasPrefix(c.name, "prerequisite") {
				proto = ProtoUDP
			}
			tr := traceOne(t, e, Request{From: "vm1", To: "vm2", Proto: proto, DstPort: 22})
			if tr.Disposition != c.want || !strings.Contains(tr.Why, c.why) {
				t.Errorf("%s: %s; want %s with %q", tr.Disposition, tr.Why, c.want, c.why)
			}
		})
	}
}

// A port group's allow-related commits the connection; the reply passes
// though no ACL allows it, and switching the ACL off makes the default
// drop deny the forward packet.
func TestOVNStatefulACLAndWhatIf(t *testing.T) {
	pg := &ovn.PortGroup{Name: "pg_web", PortNames: []string{"vm2"}, Row: ovn.Row{ExternalIDs: map[string]string{"neutron:security_group_id": "sg-1"}},
		ACLs: []*ovn.ACL{
			acl("to-lport", 1002, "outport == @pg_web && ip4 && ip4.src == $pg_web_ip4 || outport == @pg_web && tcp.dst == 80", "allow-related"),
			acl("to-lport", 1001, "outport == @pg_web && ip", "drop"),
			acl("from-lport", 1001, "inport == @pg_web && ip", "drop"),
		}}
	pg.ACLs[0].Match = "outport == @pg_web && ip4 && tcp && tcp.dst == 80"
	e := ovnNet(t, func(db *ovn.DB) { db.PortGroups = []*ovn.PortGroup{pg} })
	fw, err := e.Trace(Request{From: "vm1", To: "vm2", Proto: ProtoTCP, DstPort: 80})
	if err != nil || fw[0].Disposition != Delivered {
		t.Fatalf("forward: %v %v", err, fw[0].Why)
	}
	var sg string
	for _, s := range fw[0].Hops[0].Steps {
		if d, ok := s.Detail.(*OVNDetail); ok && d.PortGroup == "pg_web" {
			sg = d.SecurityGroup
		}
	}
	if sg != "sg-1" {
		t.Errorf("the ACL step names security group %q, want sg-1", sg)
	}
	back, err := e.Reply(fw)
	if err != nil || back[0].Disposition != Delivered {
		t.Fatalf("reply: %v %s", err, back[0].Why)
	}
	if _, err := e.Toggle(pg.ACLs[0]); err != nil {
		t.Fatal(err)
	}
	tr := traceOne(t, e, Request{From: "vm1", To: "vm2", Proto: ProtoTCP, DstPort: 80})
	if tr.Disposition != Denied || !strings.Contains(tr.Why, "outport == @pg_web && ip drop") {
		t.Errorf("with the allow ACL off: %s %s", tr.Disposition, tr.Why)
	}
}

func TestOVNPortSecurity(t *testing.T) {
	e := ovnNet(t, nil)
	tr := traceOne(t, e, Request{From: "vm1", To: "vm2", SrcIP: netip.MustParseAddr("10.0.1.99")})
	if tr.Disposition != Denied || !strings.Contains(tr.Why, "port security of vm1") {
		t.Errorf("spoofed source: %s %s", tr.Disposition, tr.Why)
	}
}

func TestOVNRouting(t *testing.T) {
	route := func(prefix, nh, policy string) *ovn.Route {
		r := &ovn.Route{Prefix: netip.MustParsePrefix(prefix), Policy: policy}
		if nh == "discard" {
			r.Discard = true
		} else {
			r.Nexthop = netip.MustParseAddr(nh)
		}
		return r
	}
	cases := []struct {
		name   string
		routes []*ovn.Route
		pols   []*ovn.Policy
		to     string
		want   Disposition
		port   string
		branch int
	}{
		{"no route", nil, nil, "192.0.2.1", NoRoute, "", 1},
		{"static route to a VM acting as router", []*ovn.Route{route("192.0.2.0/24", "10.0.2.13", "")}, nil, "192.0.2.1", Delivered, "vm3", 1},
		{"connected beats a src-ip route of equal length", []*ovn.Route{route("10.0.1.0/24", "10.0.2.13", "src-ip")}, nil, "10.0.1.12", Delivered, "vm2", 1},
		{"src-ip route beats the default", []*ovn.Route{route("0.0.0.0/0", "10.0.1.12", ""), route("10.0.1.0/24", "10.0.2.13", "src-ip")}, nil, "192.0.2.1", Delivered, "vm3", 1},
		{"discard", []*ovn.Route{route("192.0.2.0/24", "discard", "")}, nil, "192.0.2.1", NullRouted, "", 1},
		{"ECMP forks", []*ovn.Route{route("192.0.2.0/24", "10.0.2.13", ""), route("192.0.2.0/24", "10.0.1.12", "")}, nil, "192.0.2.1", Delivered, "", 2},
		{"policy drop", nil, []*ovn.Policy{{Priority: 100, Match: "ip4.dst == 10.0.2.0/24", Action: "drop"}}, "vm3", Denied, "", 1},
		{"policy reroute", []*ovn.Route{route("192.0.2.0/24", "10.0.1.12", "")}, []*ovn.Policy{{Priority: 100, Match: "ip4.src == 10.0.1.11", Action: "reroute", Nexthops: []netip.Addr{netip.MustParseAddr("10.0.2.13")}}}, "192.0.2.1", Delivered, "vm3", 1},
		{"egress port security drops what a VM does not own", []*ovn.Route{route("192.0.2.0/24", "10.0.1.12", "")}, nil, "192.0.2.1", Denied, "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := ovnNet(t, func(db *ovn.DB) { db.Routers[0].Routes, db.Routers[0].Policies = c.routes, c.pols })
			trs, err := e.Trace(Request{From: "vm1", To: c.to})
			if err != nil {
				t.Fatal(err)
			}
			if len(trs) != c.branch {
				t.Fatalf("%d paths, want %d", len(trs), c.branch)
			}
			tr := trs[0]
			if tr.Disposition != c.want || c.port != "" && tr.LogicalPort() != c.port {
				t.Errorf("%s at %q: %s; want %s at %q", tr.Disposition, tr.LogicalPort(), tr.Why, c.want, c.port)
			}
		})
	}
}

func TestOVNLoadBalancer(t *testing.T) {
	lb := &ovn.LoadBalancer{Name: "lb-web", Protocol: "tcp", VIPs: []ovn.VIP{{Addr: netip.MustParseAddr("10.0.9.100"), Port: 80,
		Backends: []netip.AddrPort{netip.MustParseAddrPort("10.0.2.13:8080")}}}}
	e := ovnNet(t, func(db *ovn.DB) {
		db.LoadBalancers = []*ovn.LoadBalancer{lb}
		db.Switches[0].LoadBalancers = []*ovn.LoadBalancer{lb}
	})
	tr := traceOne(t, e, Request{From: "vm1", To: "10.0.9.100", Proto: ProtoTCP, DstPort: 80})
	if tr.Disposition != Delivered || tr.LogicalPort() != "vm3" || tr.Final.DstPort != 8080 {
		t.Errorf("%s at %q port %d: %s", tr.Disposition, tr.LogicalPort(), tr.Final.DstPort, tr.Why)
	}
}

func TestOVNDisabledPort(t *testing.T) {
	e := ovnNet(t, func(db *ovn.DB) { db.Switches[0].Ports[0].Enabled = false })
	tr := traceOne(t, e, Request{From: "vm1", To: "vm2"})
	if tr.Disposition != Dropped || !strings.Contains(tr.Why, "disabled") {
		t.Errorf("%s %s", tr.Disposition, tr.Why)
	}
}

// Bound to different chassis, the packet crosses a Geneve hop whose VNI
// is the switch's tunnel key and whose option names the logical ports.
func TestOVNGeneveBetweenChassis(t *testing.T) {
	e := ovnNet(t, func(db *ovn.DB) {
		db.Chassis = []*ovn.Chassis{
			{Name: "hv1", Encaps: []ovn.Encap{{Type: "geneve", IP: netip.MustParseAddr("192.168.0.1")}}},
			{Name: "hv2", Encaps: []ovn.Encap{{Type: "geneve", IP: netip.MustParseAddr("192.168.0.2")}}},
		}
		db.HasSB = true
		db.Switches[0].Ports[0].Chassis = "hv1"
		db.Switches[1].Ports[0].Chassis = "hv2"
		db.Switches[1].TunnelKey = 7
	})
	tr := traceOne(t, e, Request{From: "vm1", To: "vm3"})
	if tr.Disposition != Delivered {
		t.Fatalf("%s %s", tr.Disposition, tr.Why)
	}
	var encap *EncapDetail
	for _, h := range tr.Hops {
		for _, s := range h.Steps {
			if d, ok := s.Detail.(*EncapDetail); ok && s.Kind == Encap {
				encap = d
			}
		}
	}
	if encap == nil || encap.Key != 7 || encap.OuterSrc != "192.168.0.1" || encap.OuterDst != "192.168.0.2" || !strings.Contains(encap.Option, "outport 1 (vm3)") {
		t.Errorf("encap %+v", encap)
	}
	last := tr.Hops[len(tr.Hops)-1].Node
	if last.Host != "hv2" || last.Name != "ls2" {
		t.Errorf("the egress pipeline ran on %s, want hv2:ls2", last)
	}
}

// A port type the model does not simulate ends the trace UNSUPPORTED,
// naming the port, rather than being taken for a VIF.
func TestOVNUnsupportedPortType(t *testing.T) {
	e := ovnNet(t, func(db *ovn.DB) { db.Switches[0].Ports[1].Type = "vtep" })
	tr := traceOne(t, e, Request{From: "vm1", To: "vm2"})
	if tr.Disposition != Unsupported || !strings.Contains(tr.Why, `port vm2 of type "vtep"`) {
		t.Errorf("%s %s", tr.Disposition, tr.Why)
	}
}

// Neutron tags a port with its network's name too: the port's own name wins.
func TestNeutronNamePrefersThePort(t *testing.T) {
	r := ovn.Row{ExternalIDs: map[string]string{"neutron:network_name": "vpc-public", "neutron:port_name": "bastion"}}
	if got := named("lsp1", r); got != "lsp1 (bastion)" {
		t.Errorf("named = %q, want lsp1 (bastion)", got)
	}
}
