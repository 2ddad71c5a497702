package trace

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model/ovn"
)

// These pin details of how northd lays out its flows that the randomised
// differential against ovn-trace found hopscope getting wrong.

// "MAC 10.0.1.11/24" in port_security has host bits set: ovn-controller
// admits only 10.0.1.11; "MAC 10.0.1.0/24" admits the subnet.
func TestOVNPortSecurityHostBits(t *testing.T) {
	for _, c := range []struct {
		ps   string
		want Disposition
	}{{"10.0.1.11/24", Denied}, {"10.0.1.0/24", Delivered}} {
		e := ovnNet(t, func(db *ovn.DB) {
			ps := &db.Switches[0].Ports[0].PortSecurity[0]
			ps.IPs = []netip.Prefix{netip.MustParsePrefix(c.ps)}
		})
		tr := traceOne(t, e, Request{From: "vm1", To: "vm2", SrcIP: netip.MustParseAddr("10.0.1.99")})
		if tr.Disposition != c.want {
			t.Errorf("port security %s, source 10.0.1.99: %s (%s), want %s", c.ps, tr.Disposition, tr.Why, c.want)
		}
	}
}

// An allow-stateless ACL that matches turns conntrack off in the pre-ACL
// stage, whichever ACL decides: vm1's zone then commits nothing, and the
// answer meets vm1's to-lport drop as a new connection.
func TestOVNAllowStatelessSkipsConntrack(t *testing.T) {
	for _, c := range []struct {
		name      string
		stateless bool
		want      Disposition
	}{{"an allow-stateless ACL matches too", true, Denied}, {"only allow-related matches", false, Delivered}} {
		t.Run(c.name, func(t *testing.T) {
			pg := &ovn.PortGroup{Name: "pg", PortNames: []string{"vm1"}, ACLs: []*ovn.ACL{
				acl("from-lport", 1005, "inport == @pg && tcp.dst == 80", "allow-related"),
				acl("to-lport", 1001, "outport == @pg && ip", "drop"),
			}}
			if c.stateless {
				pg.ACLs = append(pg.ACLs, acl("from-lport", 1003, "inport == @pg && tcp", "allow-stateless"))
			}
			e := ovnNet(t, func(db *ovn.DB) { db.PortGroups = []*ovn.PortGroup{pg} })
			fw, err := e.Trace(Request{From: "vm1", To: "vm2", Proto: ProtoTCP, DstPort: 80})
			if err != nil || fw[0].Disposition != Delivered {
				t.Fatalf("forward: %v %s", err, fw[0].Why)
			}
			back, err := e.Reply(fw)
			if err != nil {
				t.Fatal(err)
			}
			if back[0].Disposition != c.want {
				t.Errorf("reply: %s (%s), want %s", back[0].Disposition, back[0].Why, c.want)
			}
		})
	}
}

// A switch with a stateful ACL in one direction commits in the other too:
// the answer then passes vm2's from-lport drop as an established reply.
func TestOVNStatefulSwitchCommitsBothWays(t *testing.T) {
	e := ovnNet(t, func(db *ovn.DB) {
		db.Switches[0].ACLs = []*ovn.ACL{
			acl("from-lport", 1002, `inport == "vm1" && ip`, "allow-related"),
			acl("from-lport", 1001, `inport == "vm2" && ip`, "drop"),
		}
	})
	fw, err := e.Trace(Request{From: "vm1", To: "vm2", Proto: ProtoTCP, DstPort: 22})
	if err != nil || fw[0].Disposition != Delivered {
		t.Fatalf("forward: %v %s", err, fw[0].Why)
	}
	back, err := e.Reply(fw)
	if err != nil || back[0].Disposition != Delivered {
		t.Fatalf("reply: %v %s", err, back[0].Why)
	}
	if !hasStep(back[0], func(s Step) bool { return s.Kind == Conntrack && strings.Contains(s.Why, "ct.est && ct.rpl") }) {
		t.Error("the reply did not pass as ct.est && ct.rpl in vm2's zone")
	}
}

// gwNet makes lrp2 (10.0.2.1 on ls2) a distributed gateway port on hv1,
// binds every VM to hv1 and gives vm2 the floating IP 10.0.2.100.
func gwNet(t *testing.T, edit func(db *ovn.DB)) *Engine {
	return ovnNet(t, func(db *ovn.DB) {
		db.Chassis = []*ovn.Chassis{{Name: "hv1", Encaps: []ovn.Encap{{Type: "geneve", IP: netip.MustParseAddr("192.168.0.1")}}}}
		db.HasSB = true
		for _, sw := range db.Switches {
			for _, p := range sw.Ports {
				if p.Type == "" {
					p.Chassis = "hv1"
				}
			}
		}
		lr := db.Routers[0]
		lr.Ports[1].GatewayChassis = []ovn.GatewayChassis{{Name: "lrp2-hv1", Chassis: "hv1", Priority: 1}}
		lr.NAT = []*ovn.NAT{{Type: ovn.DNATAndSNAT, ExternalIP: netip.MustParseAddr("10.0.2.100"), LogicalIP: netip.MustParsePrefix("10.0.1.12/32")}}
		if edit != nil {
			edit(db)
		}
	})
}

// A packet for the router's own floating IP, sent out of the gateway port,
// comes back into the router by the egress loop and is DNATed there.
func TestOVNEgressLoopHairpin(t *testing.T) {
	e := gwNet(t, nil)
	tr := traceOne(t, e, Request{From: "vm1", To: "10.0.2.100", Proto: ProtoTCP, DstPort: 22})
	if tr.Disposition != Delivered || tr.LogicalPort() != "vm2" || tr.Final.Dst != netip.MustParseAddr("10.0.1.12") {
		t.Fatalf("%s at %q to %s: %s; want DELIVERED to vm2 at 10.0.1.12", tr.Disposition, tr.LogicalPort(), tr.Final.Dst, tr.Why)
	}
	if !hasStep(tr, func(s Step) bool { d, ok := s.Detail.(*OVNDetail); return ok && d.Stage == "lr_out_egr_loop" }) {
		t.Error("no lr_out_egr_loop step")
	}
}

// The router drops TCP to its own address, gateway port or not, on every
// chassis; a SNAT address goes on to unSNAT instead, and what that does not
// claim is dropped when its next hop would be resolved.
func TestOVNOwnAddress(t *testing.T) {
	e := gwNet(t, nil)
	tr := traceOne(t, e, Request{From: "vm1", To: "10.0.2.1", Proto: ProtoTCP, DstPort: 22})
	if tr.Disposition != Dropped || !strings.Contains(tr.Why, "own address") {
		t.Errorf("to the gateway port's address: %s %s", tr.Disposition, tr.Why)
	}
	e = gwNet(t, func(db *ovn.DB) {
		lr := db.Routers[0]
		lr.NAT = append(lr.NAT, &ovn.NAT{Type: ovn.SNAT, ExternalIP: netip.MustParseAddr("10.0.2.1"), LogicalIP: netip.MustParsePrefix("10.0.1.0/24")})
	})
	tr = traceOne(t, e, Request{From: "vm1", To: "10.0.2.1", Proto: ProtoTCP, DstPort: 22})
	if tr.Disposition != Dropped || !strings.Contains(tr.Why, "unSNAT did not claim") {
		t.Errorf("to a SNAT address with no connection to undo: %s %s; want DROPPED in lr_in_arp_resolve", tr.Disposition, tr.Why)
	}
}

func hasStep(tr *Trace, f func(Step) bool) bool {
	for _, h := range tr.Hops {
		for _, s := range h.Steps {
			if f(s) {
				return true
			}
		}
	}
	return false
}

// Off its gateway chassis a gateway port's MAC is no logical port's: the
// frame leaves by the localnet port and, with no host model for the
// provider network, reaches the gateway chassis over it, where the router
// takes it.
func TestOVNGatewayMACOffItsChassis(t *testing.T) {
	e := gwNet(t, func(db *ovn.DB) {
		db.Chassis = append(db.Chassis, &ovn.Chassis{Name: "hv2", Encaps: []ovn.Encap{{Type: "geneve", IP: netip.MustParseAddr("192.168.0.2")}}})
		db.Routers[0].Ports[1].GatewayChassis[0].Chassis = "hv2"
		ls2 := db.Switches[1]
		ls2.Ports = append(ls2.Ports, &ovn.SwitchPort{Name: "ln", Type: ovn.PortLocalnet, Enabled: true,
			Addresses: []ovn.Address{{Unknown: true, Text: "unknown"}}, Options: map[string]string{"network_name": "physnet"}})
	})
	tr := traceOne(t, e, Request{From: "vm3", To: "vm1"})
	if tr.Disposition != Delivered || tr.LogicalPort() != "vm1" {
		t.Fatalf("%s at %q: %s", tr.Disposition, tr.LogicalPort(), tr.Why)
	}
	if !hasStep(tr, func(s Step) bool { return strings.Contains(s.Why, "one L2 network joining the chassis") }) {
		t.Error("no step says the provider network carried the frame to the gateway chassis")
	}
	var routers []string
	for _, h := range tr.Hops {
		if h.Node.Kind == NodeOVNRouter {
			routers = append(routers, h.Node.String())
		}
	}
	if strings.Join(routers, " ") != "hv2:lr1" {
		t.Errorf("the router ran on %v, want hv2:lr1 only", routers)
	}
}
