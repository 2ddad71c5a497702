package lab

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/scenarios"
)

func TestPlanContainers(t *testing.T) {
	sc, err := scenarios.LoadExample("containers-double-nat")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(sc.Topology, Options{Prefix: "hsx"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range p.Netns {
		names = append(names, n.Name+"="+n.Role)
	}
	want := []string{"hsx-kvm-root=namespace", "hsx-host-1-root=namespace", "hsx-host-1-c1=namespace", "hsx-host-1-ovs=ovs",
		"hsx-host-2-root=namespace", "hsx-host-2-c2=namespace", "hsx-seg-uplink=segment"}
	if !slices.Equal(names, want) {
		t.Errorf("namespaces:\n got %v\nwant %v", names, want)
	}
	space := func(name string) *Space {
		for _, s := range p.Spaces {
			if s.Name == name {
				return s
			}
		}
		t.Fatalf("no space %s", name)
		return nil
	}
	for _, c := range []struct{ ns, list, line string }{
		{"hsx-kvm-root", "links", "link add vnet0 type veth peer name eth0 netns hsx-host-1-root"},
		{"hsx-kvm-root", "links", "link add eth0 type veth peer name p1 netns hsx-seg-uplink"},
		{"hsx-kvm-root", "settings", "link set vnet0 master virbr0"},
		{"hsx-kvm-root", "routes", "route replace default via 198.51.100.1 dev eth0 proto static"},
		{"hsx-kvm-root", "routes", "rule add pref 32766 from all lookup main"},
		{"hsx-host-1-ovs", "links", "link add veth1658-a type veth peer name eth0 netns hsx-host-1-c1"},
		{"hsx-host-1-root", "links", "link add br0 type veth peer name l-br0 netns hsx-host-1-ovs"},
		{"hsx-host-2-root", "sysctls", "net.ipv4.ip_forward=1"},
		{"hsx-seg-uplink", "settings", "addr add 198.51.100.1/24 dev seg"},
		{"hsx-seg-uplink", "settings", "addr add 8.8.8.8/32 dev lo"},
	} {
		s := space(c.ns)
		list := map[string][]string{"links": s.Links, "settings": s.Settings, "routes": s.Routes, "sysctls": s.Sysctls}[c.list]
		if !slices.Contains(list, c.line) {
			t.Errorf("%s %s: no %q in\n%s", c.ns, c.list, c.line, strings.Join(list, "\n"))
		}
	}
	if !strings.Contains(space("hsx-host-2-root").Iptables, "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.43.10:80") {
		t.Error("host-2's iptables are not in the plan")
	}
	if len(p.OVS) != 1 || !slices.ContainsFunc(p.OVS[0].Vsctl, func(a []string) bool {
		return slices.Equal(a, []string{"add-port", "br0", "l-br0", "--", "set", "port", "l-br0", "tag=100"})
	}) {
		t.Errorf("OVS plan: %v", p.OVS)
	}
	if !slices.Contains(p.Substitutions, "tap kvm:root:vnet0 realised as a veth") {
		t.Errorf("substitutions: %v", p.Substitutions)
	}
}

func TestPrefixIsStable(t *testing.T) {
	if a, b := Prefix("x"), Prefix("x"); a != b || len(a) != 8 || Prefix("y") == a {
		t.Errorf("Prefix: %q %q %q", a, b, Prefix("y"))
	}
}

func TestPlanRejectsLongNames(t *testing.T) {
	sc, err := scenarios.Load("long.yaml", []byte(`name: long
hosts:
  h1:
    namespaces:
      root:
        interfaces:
          - {name: averyveryverylongname, kind: veth}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewPlan(sc.Topology, Options{})
	want := `long.yaml:7 (hosts.h1.namespaces.root.interfaces[0]): interface h1:root:averyveryverylongname: the name "averyveryverylongname" is longer than the kernel's 15 characters`
	if err == nil || err.Error() != want {
		t.Errorf("NewPlan: %v\nwant %s", err, want)
	}
}

// The Neutron example has two uplinks with gateways, flow tables and
// tunnels: every segment answers for the internet, flows are loaded, and
// the tunnels are said not to be carried.
func TestPlanNeutron(t *testing.T) {
	sc, err := scenarios.LoadExample("neutron-ovs-compute-network")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(sc.Topology, Options{Prefix: "hsn", Extra: []netip.Addr{netip.MustParseAddr("8.8.8.8")}})
	if err != nil {
		t.Fatal(err)
	}
	var segs int
	for _, s := range p.Spaces {
		if s.Role != "segment" {
			continue
		}
		segs++
		if seg := sc.Topology.Segment(s.NS); seg.Gateway.IsValid() && !slices.Contains(s.Settings, "addr add 8.8.8.8/32 dev lo") {
			t.Errorf("segment %s, whose gateway leads to 8.8.8.8, does not answer for it:\n%s", s.NS, strings.Join(s.Settings, "\n"))
		}
	}
	if segs < 2 {
		t.Fatalf("%d segment namespaces, want the example's two", segs)
	}
	var flows int
	for _, o := range p.OVS {
		for _, f := range o.Flows {
			if !strings.Contains(f.Text, "table=0") {
				t.Errorf("%s:%s flows: %q", o.Host, f.Bridge, f.Text)
			}
			flows++
		}
	}
	if flows == 0 {
		t.Error("no flow tables in the plan")
	}
	if !slices.ContainsFunc(p.Substitutions, func(s string) bool { return strings.Contains(s, "cannot carry a tunnel") }) {
		t.Errorf("the plan does not say tunnels are not carried: %v", p.Substitutions)
	}
}
