package trace_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/hopscope/hopscope/model/openflow"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
	"github.com/hopscope/hopscope/trace"
)

// exampleCheck loads an embedded example and the request of its check named name.
func exampleCheck(t *testing.T, example, name string) (*trace.Engine, trace.Request) {
	t.Helper()
	sc, err := scenarios.LoadExample(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sc.Checks {
		if c.Name == name {
			req, err := check.Request(c)
			if err != nil {
				t.Fatal(err)
			}
			return trace.New(sc.Topology), req
		}
	}
	t.Fatalf("%s has no check %q", example, name)
	return nil, trace.Request{}
}

// paths traces req and returns its paths, checked for shape.
func paths(t *testing.T, e *trace.Engine, req trace.Request) []*trace.Trace {
	t.Helper()
	got, err := e.Trace(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range got {
		if err := tr.Validate(); err != nil {
			t.Fatalf("invalid trace: %v", err)
		}
	}
	return got
}

// onePath traces req, which must take a single path.
func onePath(t *testing.T, e *trace.Engine, req trace.Request) *trace.Trace {
	t.Helper()
	got := paths(t, e, req)
	if len(got) != 1 {
		t.Fatalf("%d paths, want 1", len(got))
	}
	return got[0]
}

// stepObject returns the Object of the first step in a hop named hop
// (host:name or name) for which want says yes.
func stepObject(tr *trace.Trace, hop string, want func(trace.Step) bool) any {
	for _, h := range tr.Hops {
		if h.Node.String() != hop && h.Node.Name != hop {
			continue
		}
		for _, s := range h.Steps {
			if s.Object != nil && want(s) {
				return s.Object
			}
		}
	}
	return nil
}

func kind(k trace.StepKind) func(trace.Step) bool {
	return func(s trace.Step) bool { return s.Kind == k }
}

// securityGroupRule is the rule of the VM's ingress security-group chain
// that let the packet through: a RETURN hit in neutron-openvswi-i*.
func securityGroupRule(tr *trace.Trace) any {
	for _, h := range tr.Hops {
		for _, s := range h.Steps {
			d, ok := s.Detail.(*trace.NetfilterDetail)
			if !ok || s.Action != trace.Permitted {
				continue
			}
			for _, hit := range d.Hits {
				if strings.HasPrefix(hit.Chain, "neutron-openvswi-i") && hit.Effect == "return" {
					return hit.Object
				}
			}
		}
	}
	return nil
}

const (
	dvr          = "dvr-floating-ip"
	sshIn        = "SSH from the internet to the floating IP reaches the VM"
	vmOut        = "VM reaches the internet from its floating IP"
	compute      = "neutron-ovs-compute-network"
	overVXLAN    = "vm1 on the compute node reaches its router's port on the network node over VXLAN"
	dvrBrInt     = "cy2-compute02:br-int"
	computeBrTun = "compute0:br-tun"
)

// pin makes the sender's next hop a PERMANENT neighbour entry, so that no
// ARP request crosses the object switched off and the frame itself meets it.
func pin(nsRef, ip, dev, mac string) func(*testing.T, *model.Topology) {
	return func(t *testing.T, topo *model.Topology) {
		t.Helper()
		host, name, _ := strings.Cut(nsRef, ":")
		ns := topo.Host(host).Namespace(name)
		m, err := model.ParseMAC(mac)
		if err != nil {
			t.Fatal(err)
		}
		ns.Neighbors = append([]*model.Neighbor{{IP: netip.MustParseAddr(ip), Dev: dev, MAC: m, State: model.NeighPermanent}}, ns.Neighbors...)
	}
}

var (
	pinDVRGateway = pin("cy2-compute02:test", "172.12.10.1", "eth0", "fa:16:3e:78:d6:60")
	pinVM1Gateway = pin("compute0:vm1", "172.16.1.1", "eth0", "fa:16:3e:4a:9c:ea")
)

// TestToggle switches off the object behind a step of an example's check,
// traces again, and switches it back on: each what-if must change the
// outcome and undo cleanly. Without a pinned neighbour the ARP request
// meets the object first (the L2 walk honours it, its cache reset).
func TestToggle(t *testing.T) {
	tests := []struct {
		name, example, check string
		pin                  func(*testing.T, *model.Topology)
		pick                 func(*trace.Trace) any
		wantType             string // typeName of the Object
		off                  trace.Disposition
		why                  string // in the switched-off trace's ending sentence
		says                 string // in Toggle's message
	}{
		{
			name: "security-group rule", example: dvr, check: sshIn, pick: securityGroupRule,
			wantType: "rule", off: trace.Denied, why: "neutron-openvswi-sg-fallback",
			says: "iptables rule -A neutron-openvswi-i8aa5e3b4-6 -p tcp -m tcp -m multiport --dports 1:65535 -j RETURN in cy2-compute02:root table filter",
		},
		{
			name: "OpenFlow flow into the tunnel, ARP", example: compute, check: overVXLAN, pick: brTunTable22,
			wantType: "flow", off: trace.NeighborUnreachable, why: "ARP for 172.16.1.1",
			says: "flow in compute0:br-tun table 22 priority 1: dl_vlan=1 actions=pop_vlan,set_field:0x64->tun_id,output:2",
		},
		{
			name: "OpenFlow flow into the tunnel, frame", example: compute, check: overVXLAN, pin: pinVM1Gateway, pick: brTunTable22,
			wantType: "flow", off: trace.Dropped, why: "br-tun",
			says: "flow in compute0:br-tun table 22 priority 1: dl_vlan=1 actions=pop_vlan,set_field:0x64->tun_id,output:2",
		},
		{
			name: "the VM's default route", example: dvr, check: vmOut,
			pick:     func(tr *trace.Trace) any { return stepObject(tr, "cy2-compute02:test", kind(trace.Route)) },
			wantType: "route", off: trace.NoRoute, why: "no route to 8.8.8.8",
			says: "route default via 172.12.10.1 dev eth0 in cy2-compute02:test table main",
		},
		{
			name: "OVS port the packet enters br-int by, ARP", example: dvr, check: vmOut,
			pick:     func(tr *trace.Trace) any { return stepObject(tr, dvrBrInt, kind(trace.EnterPort)) },
			wantType: "OVS port", off: trace.NeighborUnreachable, why: "ARP for 172.12.10.1",
			says: "OVS port cy2-compute02:br-int:qvo8aa5e3b4-6c",
		},
		{
			name: "OVS port the packet enters br-int by, frame", example: dvr, check: vmOut, pin: pinDVRGateway,
			pick:     func(tr *trace.Trace) any { return stepObject(tr, dvrBrInt, kind(trace.EnterPort)) },
			wantType: "OVS port", off: trace.Dropped, why: "port cy2-compute02:br-int:qvo8aa5e3b4-6c is down (a what-if)",
			says: "OVS port cy2-compute02:br-int:qvo8aa5e3b4-6c",
		},
		{
			name: "tunnel port an OpenFlow output goes to", example: compute, check: overVXLAN, pin: pinVM1Gateway,
			pick:     func(tr *trace.Trace) any { return stepObject(tr, computeBrTun, kind(trace.ExitPort)) },
			wantType: "OVS port", off: trace.Dropped, why: "br-tun: port compute0:br-tun:vxlan-0a00001b is down (a what-if): nothing sent",
			says: "OVS port compute0:br-tun:vxlan-0a00001b",
		},
		{
			name: "tunnel port of a NORMAL bridge, ARP", example: "ovs-vxlan-two-tenants",
			check:    "tenant A reaches its container on the other host through VNI 100",
			pick:     func(tr *trace.Trace) any { return stepObject(tr, "host-1:br0", kind(trace.ExitPort)) },
			wantType: "OVS port", off: trace.NeighborUnreachable, why: "ARP for 172.17.42.10",
			says: "OVS port host-1:br0:vxlan0",
		},
		{
			name: "Linux bridge port the packet enters by", example: dvr, check: vmOut, pin: pinDVRGateway,
			pick: func(tr *trace.Trace) any {
				return stepObject(tr, "cy2-compute02:qbr8aa5e3b4-6c", kind(trace.EnterPort))
			},
			wantType: "interface", off: trace.Dropped, why: "cy2-compute02:root:tap8aa5e3b4-6c is down",
			says: "interface cy2-compute02:root:tap8aa5e3b4-6c",
		},
		{
			// The kernel flushes the routes of a link that goes down: the
			// VM's default route out of eth0 is gone, not tried and dropped.
			name: "the VM's own NIC", example: dvr, check: vmOut,
			pick: func(tr *trace.Trace) any {
				return stepObject(tr, "cy2-compute02:test", kind(trace.ExitPort))
			},
			wantType: "interface", off: trace.NoRoute, why: "no route to 8.8.8.8",
			says: "interface cy2-compute02:test:eth0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, req := exampleCheck(t, tt.example, tt.check)
			if tt.pin != nil {
				tt.pin(t, e.Topo)
			}
			before := onePath(t, e, req)
			if !before.Disposition.Success() {
				t.Fatalf("before the what-if: %s (%s)", before.Disposition, before.Why)
			}
			o := tt.pick(before)
			if o == nil {
				t.Fatal("no object to switch off on the path")
			}
			if got := typeName(o); got != tt.wantType {
				t.Fatalf("object is a %s, want a %s", got, tt.wantType)
			}
			if trace.IsOff(o) {
				t.Fatal("IsOff before the what-if")
			}
			msg, err := e.Toggle(o)
			if err != nil {
				t.Fatal(err)
			}
			if want := "switched off " + tt.says; msg != want {
				t.Errorf("Toggle says %q, want %q", msg, want)
			}
			if !trace.IsOff(o) {
				t.Error("IsOff after switching off")
			}
			// A flood may give several paths: none may get through, and one
			// must end as the what-if says.
			after := paths(t, e, req)
			found := false
			for _, p := range after {
				if p.Disposition.Success() {
					t.Errorf("switched off, a path still gets through: %s (%s)", p.Disposition, p.Why)
				}
				found = found || p.Disposition == tt.off && strings.Contains(p.Why, tt.why)
			}
			if !found {
				var b strings.Builder
				trace.WriteText(&b, after)
				t.Errorf("switched off: no path ends %s mentioning %q\n%s", tt.off, tt.why, b.String())
			}
			msg, err = e.Toggle(o)
			if err != nil {
				t.Fatal(err)
			}
			if want := "switched back on " + tt.says; msg != want {
				t.Errorf("Toggle says %q, want %q", msg, want)
			}
			if trace.IsOff(o) {
				t.Error("IsOff after switching back on")
			}
			again := paths(t, e, req)
			if len(again) != 1 || again[0].Disposition != before.Disposition || again[0].Why != before.Why {
				t.Errorf("switched back on: %d paths, the first %s (%s), want 1 path %s (%s)",
					len(again), again[0].Disposition, again[0].Why, before.Disposition, before.Why)
			}
		})
	}
}

// brTunTable22 is the flow of compute0's br-tun that sends vm1's unicast
// into the tunnel.
func brTunTable22(tr *trace.Trace) any {
	return stepObject(tr, computeBrTun, func(s trace.Step) bool {
		d, ok := s.Detail.(*trace.FlowDetail)
		return ok && d.Table == 22
	})
}

func typeName(o any) string {
	switch o.(type) {
	case *netfilter.Rule:
		return "rule"
	case *openflow.Flow:
		return "flow"
	case *model.Route:
		return "route"
	case *model.Interface:
		return "interface"
	case *model.OVSPort:
		return "OVS port"
	case nil:
		return "none"
	}
	return "something else"
}

func TestToggleRefuses(t *testing.T) {
	e, _ := exampleCheck(t, dvr, sshIn)
	tests := []struct {
		name string
		o    any
		want string
	}{
		{"nil", nil, "what-if: nothing to switch off"},
		{"typed nil", (*model.Route)(nil), "what-if: nothing to switch off"},
		{"unsupported type", &model.Segment{}, "what-if: cannot switch off a *model.Segment: want an iptables rule, OpenFlow flow, route, interface, OVS port or OVN ACL, NAT, route, policy or port"},
		{"flow in no bridge", &openflow.Flow{Table: 20, Priority: 1},
			"what-if: flow table 20 priority 1: any packet actions=drop is not in any bridge's flow table (a learn action adds it during the trace): switch off the flow with the learn action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Toggle(tt.o)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
			if trace.IsOff(tt.o) {
				t.Error("IsOff after a refused toggle")
			}
		})
	}
}

// TestStepObjects checks which steps carry which Object on paths through
// Linux bridges, OVS bridges with flows, routers, tunnels and segments.
func TestStepObjects(t *testing.T) {
	for _, c := range []struct{ example, check string }{{dvr, vmOut}, {dvr, sshIn}, {compute, overVXLAN}} {
		e, req := exampleCheck(t, c.example, c.check)
		for _, h := range onePath(t, e, req).Hops {
			for _, s := range h.Steps {
				if want := objectWanted(h.Node.Kind, s); typeName(s.Object) != want {
					t.Errorf("%s: hop %s: %s step %q has Object %s, want %s", c.check, h.Node, s.Kind, s.Why, typeName(s.Object), want)
				}
			}
		}
	}
}

// objectWanted is the typeName of the Object step s in a hop of kind n must have.
func objectWanted(n trace.NodeKind, s trace.Step) string {
	switch s.Kind {
	case trace.Netfilter:
		if d := s.Detail.(*trace.NetfilterDetail); d.Policy {
			return "none"
		}
		return "rule"
	case trace.OVSFlow:
		return "flow"
	case trace.Route:
		if n == trace.NodeSegment {
			return "none" // the sender outside: no route of the model
		}
		return "route"
	case trace.EnterPort, trace.ExitPort:
		switch {
		case n == trace.NodeOVSBridge, n == trace.NodeTunnel:
			return "OVS port"
		case s.Detail.(*trace.PortDetail).Port == "lo":
			return "none" // the host's stack sends a tunnel packet
		case strings.Contains(s.Why, "vxlan packet for"):
			return "OVS port" // the root namespace hands it to a tunnel port
		}
		return "interface"
	}
	return "none"
}
