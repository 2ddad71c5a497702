package model

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hopscope/hopscope/model/netfilter"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenCompare checks got against testdata/name, or rewrites it with -update.
func goldenCompare(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// Helpers named for this file so they cannot clash with other tests' pfx/ip/mac.
func topoPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func topoAddr(s string) netip.Addr     { return netip.MustParseAddr(s) }
func topoMAC(s string) MAC {
	m, err := ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// testTopology is one host with every kind of link the graph knows: a
// physical NIC on each of two segments, a Linux bridge whose two ports are
// a veth (to a container) and a tap (to a VM), and two OVS bridges joined by
// a patch pair, whose internal ports live in a qrouter namespace.
func testTopology(t *testing.T) *Topology {
	t.Helper()
	rs, err := netfilter.Parse(`*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 10.0.1.0/24 -o eth0 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ctr-fw - [0:0]
-A FORWARD -i br0 -j ctr-fw
-A FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ctr-fw -p tcp --dport 22 -j DROP
-A ctr-fw -j ACCEPT
COMMIT
`)
	if err != nil {
		t.Fatal(err)
	}
	root := &Namespace{
		Name: RootName, Kind: NSRoot, IPForward: true, BridgeNFCallIptables: true,
		Interfaces: []*Interface{
			{Name: "lo", Kind: IfLoopback, Addrs: []netip.Prefix{topoPrefix("127.0.0.1/8")}},
			{Name: "eth0", Kind: IfPhysical, MAC: topoMAC("52:54:00:00:00:01"), Addrs: []netip.Prefix{topoPrefix("192.168.0.10/24")}, SegmentName: "mgmt"},
			{Name: "eth1", Kind: IfPhysical, MAC: topoMAC("52:54:00:00:00:02"), SegmentName: "provider"},
			{Name: "br0", Kind: IfBridge, MAC: topoMAC("02:00:00:00:01:01"), Addrs: []netip.Prefix{topoPrefix("10.0.1.1/24")}},
			{Name: "veth0", Kind: IfVeth, MasterName: "br0", PeerRef: "ctr:eth0"},
			{Name: "tap0", Kind: IfTap, MasterName: "br0", PeerRef: "h1:vm1:eth0", MTU: 1450},
		},
		Routes: []*Route{
			{Table: TableMain, Dst: topoPrefix("0.0.0.0/0"), Nexthops: []Nexthop{{Gateway: topoAddr("192.168.0.1"), Dev: "eth0"}}},
			{Table: 10, Dst: topoPrefix("0.0.0.0/0"), Nexthops: []Nexthop{{Gateway: topoAddr("203.0.113.1"), Dev: "br0"}}},
		},
		Rules: append(DefaultRules(), &Rule{Priority: 100, From: topoPrefix("10.0.1.0/24"), Action: RuleLookup, Table: 10}),
		Neighbors: []*Neighbor{
			{IP: topoAddr("192.168.0.1"), Dev: "eth0", MAC: topoMAC("52:54:00:00:00:fe"), State: NeighReachable},
			{IP: topoAddr("10.0.1.9"), Dev: "br0", State: NeighFailed},
		},
		Netfilter: rs,
	}
	ctr := &Namespace{Name: "ctr", Kind: NSGuest,
		Interfaces: []*Interface{
			{Name: "eth0", Kind: IfVeth, MAC: topoMAC("02:00:00:00:02:02"), Addrs: []netip.Prefix{topoPrefix("10.0.1.2/24")}},
		},
		Routes: []*Route{{Table: TableMain, Dst: topoPrefix("0.0.0.0/0"), Nexthops: []Nexthop{{Gateway: topoAddr("10.0.1.1"), Dev: "eth0"}}}},
	}
	vm1 := &Namespace{Name: "vm1", Kind: NSGuest,
		Interfaces: []*Interface{
			{Name: "eth0", Kind: IfNIC, MAC: topoMAC("fa:16:3e:00:00:03"), Addrs: []netip.Prefix{topoPrefix("10.0.1.3/24")}},
		},
	}
	qr := &Namespace{Name: "qrouter-1", Kind: NSNamed, IPForward: true,
		Interfaces: []*Interface{
			{Name: "qg-1", Kind: IfOVSInternal, Addrs: []netip.Prefix{topoPrefix("203.0.113.11/24")}},
			{Name: "qr-1", Kind: IfOVSInternal, Addrs: []netip.Prefix{topoPrefix("10.0.2.1/24")}, ProxyARP: true, Down: true},
		},
	}
	ovs := &OVS{Bridges: []*OVSBridge{
		{Name: "br-int", FailMode: "secure", Ports: []*OVSPort{
			{Name: "qr-1", OFPort: 1, Type: OVSInternalPort, Tag: 1},
			{Name: "patch-ex", OFPort: 2, Type: OVSPatch, PeerName: "patch-int"},
		}},
		{Name: "br-ex", Ports: []*OVSPort{
			{Name: "eth1", OFPort: 1, Type: OVSSystem, VLANMode: "trunk", Trunks: []uint16{100, 200}},
			{Name: "qg-1", OFPort: 2, Type: OVSInternalPort, ExternalIDs: map[string]string{"iface-id": "port-qg"}},
			{Name: "patch-int", OFPort: 3, Type: OVSPatch, PeerName: "patch-ex"},
		}},
	}}
	topo := &Topology{
		Name:        "graph-demo",
		Description: "One host: a Linux bridge, two OVS bridges, two segments.",
		Hosts:       []*Host{{Name: "h1", Namespaces: []*Namespace{root, ctr, vm1, qr}, OVS: ovs}},
		Segments: []*Segment{
			{Name: "mgmt", Prefixes: []netip.Prefix{topoPrefix("192.168.0.0/24")}},
			{Name: "provider", Prefixes: []netip.Prefix{topoPrefix("203.0.113.0/24")}, Gateway: topoAddr("203.0.113.1"),
				GatewayMAC: topoMAC("52:54:00:00:00:99")},
		},
	}
	topo.Endpoints = []*Endpoint{
		{Name: "vm1", Kind: EPVM, NS: vm1, Iface: vm1.Interfaces[0]},
		{Name: "web", Kind: EPContainer, NS: ctr, Description: "nginx"},
		{Name: "router", Kind: EPNamespace, NS: qr},
		{Name: "internet", Kind: EPExternal, Addr: topoAddr("8.8.8.8")},
	}
	if err := topo.Resolve(); err != nil {
		t.Fatal(err)
	}
	return topo
}

func TestGraphNodesAndEdges(t *testing.T) {
	g := testTopology(t).Graph()
	var ids []string
	kinds := map[string]NodeKind{}
	for _, n := range g.Nodes() {
		ids = append(ids, n.ID)
		kinds[n.ID] = n.Kind
	}
	if !slices.IsSorted(ids) {
		t.Errorf("Nodes not sorted by ID: %q", ids)
	}
	for id, want := range map[string]NodeKind{
		"if:h1:root:eth0":            NodeInterface,
		"if:h1:root:br0":             NodeLinuxBridge,
		"if:h1:qrouter-1:qr-1":       NodeInterface,
		"ovsport:h1:br-int:qr-1":     NodeOVSPort,
		"ovsbr:h1:br-ex":             NodeOVSBridge,
		"seg:provider":               NodeSegment,
		"ep:internet":                NodeEndpoint,
		"ovsport:h1:br-ex:patch-int": NodeOVSPort,
	} {
		if got, ok := kinds[id]; !ok || got != want {
			t.Errorf("node %s: kind %v (present %v), want %v", id, got, ok, want)
		}
	}

	edges := g.Edges()
	if !slices.IsSortedFunc(edges, func(a, b [2]string) int {
		return slices.Compare(a[:], b[:])
	}) {
		t.Errorf("Edges not sorted: %q", edges)
	}
	kindOf := map[[2]string]EdgeKind{}
	for _, l := range g.Links() {
		if l.From >= l.To {
			t.Errorf("link %s -- %s: From must sort before To", l.From, l.To)
		}
		kindOf[[2]string{l.From, l.To}] = l.Kind
	}
	for _, tc := range []struct {
		name string
		a, b string
		want EdgeKind
	}{
		{"veth peers", "if:h1:root:veth0", "if:h1:ctr:eth0", EdgeWire},
		{"tap to VM NIC", "if:h1:root:tap0", "if:h1:vm1:eth0", EdgeWire},
		{"bridge port", "if:h1:root:veth0", "if:h1:root:br0", EdgeBridgePort},
		{"NIC on segment", "if:h1:root:eth1", "seg:provider", EdgeSegment},
		{"OVS port on bridge", "ovsport:h1:br-int:qr-1", "ovsbr:h1:br-int", EdgeOVSPort},
		{"system port netdev", "ovsport:h1:br-ex:eth1", "if:h1:root:eth1", EdgeNetdev},
		{"internal port in a netns", "ovsport:h1:br-int:qr-1", "if:h1:qrouter-1:qr-1", EdgeNetdev},
		{"patch pair", "ovsport:h1:br-int:patch-ex", "ovsport:h1:br-ex:patch-int", EdgePatch},
		{"endpoint NIC", "ep:vm1", "if:h1:vm1:eth0", EdgeEndpoint},
		{"endpoint namespace", "ep:web", "if:h1:ctr:eth0", EdgeEndpoint},
		{"external endpoint", "ep:internet", "seg:provider", EdgeEndpoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := [2]string{min(tc.a, tc.b), max(tc.a, tc.b)}
			got, ok := kindOf[key]
			if !ok {
				t.Fatalf("no edge %s -- %s", tc.a, tc.b)
			}
			if got != tc.want {
				t.Errorf("edge %s -- %s is %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
	// The veth pair is seen from both ends but is one edge.
	if n := len(edges); n != len(kindOf) {
		t.Errorf("Edges has %d entries, Links %d", n, len(kindOf))
	}
}

func TestGraphConnected(t *testing.T) {
	g := testTopology(t).Graph()
	for _, tc := range []struct {
		name string
		a, b string
		want bool
	}{
		{"container to VM across the Linux bridge", "ep:web", "ep:vm1", true},
		{"internet to qrouter through br-ex and the patch", "ep:internet", "if:h1:qrouter-1:qr-1", true},
		{"router endpoint reaches br-int", "ep:router", "ovsbr:h1:br-int", true},
		{"VM is not wired to the internet", "ep:vm1", "ep:internet", false},
		{"mgmt segment is separate", "seg:mgmt", "seg:provider", false},
		{"loopback is alone", "if:h1:root:lo", "if:h1:root:eth0", false},
		{"unknown node", "if:h1:root:nope", "if:h1:root:lo", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.Connected(tc.a, tc.b); got != tc.want {
				t.Errorf("Connected(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestGraphComponents(t *testing.T) {
	got := testTopology(t).Graph().Components()
	want := [][]string{
		{"ep:internet", "ep:router", "if:h1:qrouter-1:qg-1", "if:h1:qrouter-1:qr-1", "if:h1:root:eth1",
			"ovsbr:h1:br-ex", "ovsbr:h1:br-int", "ovsport:h1:br-ex:eth1", "ovsport:h1:br-ex:patch-int",
			"ovsport:h1:br-ex:qg-1", "ovsport:h1:br-int:patch-ex", "ovsport:h1:br-int:qr-1", "seg:provider"},
		{"ep:vm1", "ep:web", "if:h1:ctr:eth0", "if:h1:root:br0", "if:h1:root:tap0", "if:h1:root:veth0", "if:h1:vm1:eth0"},
		{"if:h1:root:eth0", "seg:mgmt"},
		{"if:h1:root:lo"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Components (-want +got):\n%s", diff)
	}
}

// A tunnel port joins the host that owns its remote_ip; a "flow" remote
// joins nothing.
func TestGraphTunnel(t *testing.T) {
	host := func(name, ip string, ports ...*OVSPort) *Host {
		return &Host{Name: name,
			Namespaces: []*Namespace{{Name: RootName, Kind: NSRoot, Interfaces: []*Interface{
				{Name: "eth0", Kind: IfPhysical, Addrs: []netip.Prefix{topoPrefix(ip)}},
			}}},
			OVS: &OVS{Bridges: []*OVSBridge{{Name: "br-tun", Ports: ports}}},
		}
	}
	topo := &Topology{Hosts: []*Host{
		host("a", "192.0.2.1/24",
			&OVSPort{Name: "vx-b", Type: OVSVXLAN, Options: map[string]string{"remote_ip": "192.0.2.2"}},
			&OVSPort{Name: "vx-any", Type: OVSVXLAN, Options: map[string]string{"remote_ip": "flow"}}),
		host("b", "192.0.2.2/24"),
	}}
	if err := topo.Resolve(); err != nil {
		t.Fatal(err)
	}
	g := topo.Graph()
	if !g.Connected("ovsport:a:br-tun:vx-b", "if:b:root:eth0") {
		t.Error("vx-b is not joined to the host owning its remote_ip")
	}
	for _, l := range g.Links() {
		if l.Kind == EdgeTunnel && (l.From == "ovsport:a:br-tun:vx-any" || l.To == "ovsport:a:br-tun:vx-any") {
			t.Errorf("flow-based tunnel got an edge: %+v", l)
		}
	}
}

func TestGraphDot(t *testing.T) {
	goldenCompare(t, "graph.dot", testTopology(t).Graph().Dot())
}

func TestGraphDotQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"if:h1:qrouter-1:qr-1", `"if:h1:qrouter-1:qr-1"`},
		{`say "hi"`, `"say \"hi\""`},
		{`a\b`, `"a\\b"`},
		{"two\nlines", `"two\nlines"`},
	} {
		if got := dotQuote(tc.in); got != tc.want {
			t.Errorf("dotQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
