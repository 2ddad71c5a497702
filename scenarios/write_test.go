package scenarios

import (
	"bytes"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/hopscope/hopscope/model/ovn"
)

// roundTrip is what a written scenario must keep: the JSON view, plus what
// the view leaves out (link and raw types, FDB flags, ipset contents).
type roundTrip struct {
	View         model.TopologyView
	Explanations []model.Explanation
	OVN          *ovn.DB
	Extra        []string
}

func roundTripOf(t *model.Topology) roundTrip {
	rt := roundTrip{View: t.View(), Explanations: t.Explanations, OVN: t.OVN}
	add := func(format string, args ...any) { rt.Extra = append(rt.Extra, fmt.Sprintf(format, args...)) }
	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			for _, i := range ns.Interfaces {
				if i.LinkType != "" {
					add("%s link-type %s", i.Ref(), i.LinkType)
				}
				if i.Bridge != nil {
					for _, f := range i.Bridge.FDB {
						add("%s fdb %s %s vlan %d static %v", i.Ref(), f.MAC, f.Port, f.VLAN, f.Static)
					}
				}
			}
			for _, name := range slices.Sorted(maps.Keys(ns.IPSets)) {
				s := ns.IPSets[name]
				add("%s ipset %s %s %s %v %q", ns.Ref(), s.Name, s.Type, s.Family, s.Members, s.Unparsed)
			}
		}
		if h.OVS != nil {
			for _, b := range h.OVS.Bridges {
				add("%s flows %q", b.Ref(), b.FlowText)
				for _, e := range b.FDB {
					add("%s fdb %s", b.Ref(), e)
				}
				for _, p := range b.Ports {
					if p.RawType != "" {
						add("%s raw-type %s", p.Ref(), p.RawType)
					}
				}
			}
		}
	}
	return rt
}

// ignoreSources skips every Source field: file:line legitimately differs.
var ignoreSources = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && sf.Name() == "Source"
}, cmp.Ignore())

// writeLoad writes t and loads the result back.
func writeLoad(t *testing.T, topo *model.Topology) (*model.Topology, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, topo); err != nil {
		t.Fatalf("Write: %v", err)
	}
	sc, err := Load("written.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("Load of the written scenario: %v\n%s", err, buf.Bytes())
	}
	return sc.Topology, buf.Bytes()
}

func TestWriteExamplesRoundTrip(t *testing.T) {
	load := map[string]func() (*Scenario, error){
		"testdata/dvr.yaml": func() (*Scenario, error) { return LoadFile("testdata/dvr.yaml") }, // has FDB rows
	}
	for _, name := range Examples() {
		load[name] = func() (*Scenario, error) { return LoadExample(name) }
	}
	for _, name := range slices.Sorted(maps.Keys(load)) {
		t.Run(name, func(t *testing.T) {
			sc, err := load[name]()
			if err != nil {
				t.Fatal(err)
			}
			back, data := writeLoad(t, sc.Topology)
			if diff := cmp.Diff(roundTripOf(sc.Topology), roundTripOf(back), ignoreSources, ovnOpts); diff != "" {
				t.Errorf("round trip (-loaded +written and reloaded):\n%s\n%s", diff, data)
			}
			var again bytes.Buffer
			if err := Write(&again, sc.Topology); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, again.Bytes()) {
				t.Errorf("two writes differ:\n%s", cmp.Diff(string(data), again.String()))
			}
			var twice bytes.Buffer
			if err := Write(&twice, back); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, twice.Bytes()) {
				t.Errorf("writing the reloaded topology differs:\n%s", cmp.Diff(string(data), twice.String()))
			}
		})
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func mustMAC(s string) model.MAC {
	m, err := model.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// handBuilt is a topology with what no example has: a kind other device,
// an OVS port of type other, learned FDB rows, per-interface sysctls,
// policy rules, IPv6 and ECMP routes, odd ipsets and a guest namespace
// that no endpoint owns.
func handBuilt(t *testing.T) *model.Topology {
	t.Helper()
	mustRoutes := func(text string) []*model.Route {
		rs, err := model.ParseRoutes(text)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	mustRules := func(text string) []*model.Rule {
		rs, err := model.ParseRules(text)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	sets, err := netfilter.ParseIPSets("create allow hash:net family inet\nadd allow 10.0.0.0/24\nadd allow 10.1.0.0/16 nomatch\n" +
		"create ports hash:ip,port family inet\nadd ports 10.0.0.1,tcp:22\n")
	if err != nil {
		t.Fatal(err)
	}
	fw, err := netfilter.Parse("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
		"-A INPUT -m set --match-set allow src -j ACCEPT\nCOMMIT\n")
	if err != nil {
		t.Fatal(err)
	}
	root := &model.Namespace{Name: model.RootName, Kind: model.NSRoot, IPForward: true, BridgeNFCallIptables: true, Netfilter: fw, IPSets: sets}
	for _, i := range []*model.Interface{
		{Name: "lo", Kind: model.IfLoopback, Addrs: []netip.Prefix{mustPrefix("127.0.0.1/8")}},
		{Name: "eth0", Kind: model.IfPhysical, SegmentName: "lan", MTU: 9000, ProxyARP: true, RPFilter: 2,
			Addrs: []netip.Prefix{mustPrefix("192.0.2.10/24"), mustPrefix("2001:db8::10/64")}},
		{Name: "vx0", Kind: model.IfOther, LinkType: "vxlan", Down: true},
		{Name: "br0", Kind: model.IfBridge, MAC: mustMAC("02:00:00:00:00:01"), Bridge: &model.LinuxBridge{
			VLANFiltering: true,
			FDB: []*model.FDBEntry{
				{MAC: mustMAC("02:00:00:00:00:aa"), Port: "veth0", VLAN: 10, Static: true},
				{MAC: mustMAC("02:00:00:00:00:bb"), Port: "tap0"},
			}}},
		{Name: "veth0", Kind: model.IfVeth, MasterName: "br0", PeerRef: "blue:veth1",
			PortVLAN: &model.PortVLAN{PVID: 10, Untagged: []uint16{10}, Tagged: []uint16{20, 30}}},
		{Name: "tap0", Kind: model.IfTap, MasterName: "br0", MAC: mustMAC("fe:00:00:00:00:01")},
	} {
		root.AddInterface(i)
	}
	root.Routes = mustRoutes("default via 192.0.2.1 dev eth0 proto static metric 100\n" +
		"::/0 dev eth0\n" +
		"local 198.51.100.7 dev lo table main\n" +
		"198.51.100.0/24 nexthop via 192.0.2.2 dev eth0 weight 2 nexthop via 192.0.2.3 dev eth0\n" +
		"203.0.113.0/24 via 192.0.2.4 dev eth0 weight 3\n")
	root.Neighbors, err = model.ParseNeighbors("192.0.2.1 dev eth0 lladdr 02:00:00:00:00:fe REACHABLE\n192.0.2.9 dev eth0 INCOMPLETE\n")
	if err != nil {
		t.Fatal(err)
	}

	blue := &model.Namespace{Name: "blue", Kind: model.NSNamed}
	blue.AddInterface(&model.Interface{Name: "veth1", Kind: model.IfVeth, Addrs: []netip.Prefix{mustPrefix("10.0.0.1/24")}})
	blue.Rules = append(model.DefaultRules(), mustRules("100: from 10.0.0.0/24 fwmark 0x1/0xff lookup 10\n200: not to 10.9.0.0/16 iif veth1 unreachable\n")...)
	blue.Routes = mustRoutes("default via 10.0.0.254 dev veth1 table 10\n")

	orphan := &model.Namespace{Name: "orphan", Kind: model.NSGuest}
	orphan.AddInterface(&model.Interface{Name: "eth0", Kind: model.IfNIC, Addrs: []netip.Prefix{mustPrefix("10.0.0.9/24")}})

	vm := &model.Namespace{Name: "vm1", Kind: model.NSGuest, IPForward: true}
	vm.AddInterface(&model.Interface{Name: "eth0", Kind: model.IfNIC, MAC: mustMAC("fa:16:3e:00:00:01"), MTU: 1450,
		PeerRef: "root:tap0", ProxyARP: true, RPFilter: 1, Addrs: []netip.Prefix{mustPrefix("10.0.0.5/24")}})
	vm.Routes = mustRoutes("default via 10.0.0.1 dev eth0\n")

	h := &model.Host{Name: "h1", Namespaces: []*model.Namespace{root, blue, orphan, vm}, OVS: &model.OVS{NetNS: "blue", Bridges: []*model.OVSBridge{
		{Name: "br-x", FailMode: "standalone", DatapathType: "netdev", Ports: []*model.OVSPort{
			{Name: "dpdk0", OFPort: 3, Type: model.OVSOther, RawType: "dpdk", Options: map[string]string{"dpdk-devargs": "0000:01:00.0"}},
			{Name: "br-x", Type: model.OVSInternalPort, Trunks: []uint16{10, 20}, VLANMode: "trunk", ExternalIDs: map[string]string{"owner": "yes"}},
		},
			FlowText: "table=0, priority=1,in_port=3 actions=LOCAL\ntable=0, priority=0 actions=drop\n",
			FDB:      []model.OVSFDBEntry{{OFPort: 3, VLAN: 10, MAC: mustMAC("fa:16:3e:00:00:09"), Age: 7}},
		},
	}}}
	for _, ns := range h.Namespaces {
		ns.Host = h
	}
	topo := &model.Topology{
		Name:        "hand-built",
		Description: "two lines\nof description\n",
		Explanations: []model.Explanation{
			{Node: "*:br-x", Step: "OVSFlow", Text: "a glob that starts with a star: quoted, or YAML reads an alias"},
			{Step: "Neighbor", Text: "yes"},
			{Node: "h1:blue", Text: "two lines:\nthe second one"},
		},
		Hosts: []*model.Host{h},
		Segments: []*model.Segment{{Name: "lan", Prefixes: []netip.Prefix{mustPrefix("192.0.2.0/24")},
			Gateway: netip.MustParseAddr("192.0.2.1"), GatewayMAC: mustMAC("02:00:00:00:00:fe"), Upstream: []netip.Prefix{mustPrefix("8.0.0.0/8")}}},
		Endpoints: []*model.Endpoint{
			{Name: "vm1", Kind: model.EPVM, NS: vm, Iface: vm.Interfaces[0], Description: "a VM"},
			{Name: "router", Kind: model.EPNamespace, NS: blue, Iface: blue.Interfaces[0]},
			{Name: "dns", Kind: model.EPExternal, Addr: netip.MustParseAddr("8.8.8.8")},
		},
	}
	if err := topo.Resolve(); err != nil {
		t.Fatal(err)
	}
	return topo
}

func TestWriteHandBuiltRoundTrip(t *testing.T) {
	topo := handBuilt(t)
	back, data := writeLoad(t, topo)
	want := roundTripOf(topo)
	// A guest namespace no endpoint owns is written as a host namespace.
	for k, ns := range want.View.Hosts[0].Namespaces {
		if ns.Name == "orphan" {
			want.View.Hosts[0].Namespaces[k].Kind = model.NSNamed.String()
		}
	}
	if diff := cmp.Diff(want, roundTripOf(back), ignoreSources, ovnOpts); diff != "" {
		t.Errorf("round trip (-built +written and reloaded):\n%s\n%s", diff, data)
	}
	for _, s := range []string{"learned: true", "link-type: vxlan", "raw-type: dpdk", "proxy-arp: true", "rp-filter: 2",
		"net.ipv4.conf.eth0.proxy_arp: 1", "link: root:tap0", "orphan:", "node: '*:br-x'", "text: \"yes\""} {
		if !strings.Contains(string(data), s) {
			t.Errorf("written scenario lacks %q:\n%s", s, data)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*model.Topology)
		want   string
	}{
		{"kind other without link type", func(t *model.Topology) { t.Hosts[0].Root().Interface("vx0").LinkType = "" },
			`cannot write h1:root:vx0: kind other with link-type "": a link type goes with kind other, and only there`},
		{"raw type on a system port", func(t *model.Topology) { t.Hosts[0].OVS.Bridges[0].Ports[1].RawType = "dpdk" },
			`cannot write h1:br-x:br-x: type internal with raw-type "dpdk": a raw type goes with type other, and only there`},
		{"disabled iptables rule", func(t *model.Topology) {
			t.Hosts[0].Root().Netfilter.FindRule("filter", "-A INPUT -m set --match-set allow src -j ACCEPT").Disabled = true
		}, `cannot write h1:root: iptables: rule "-A INPUT -m set --match-set allow src -j ACCEPT" is disabled: the format has no disabled rules`},
		{"ECMP hop without weight", func(t *model.Topology) { t.Hosts[0].Root().Routes[3].Nexthops[0].Weight = 0 },
			`cannot write h1:root: route "198.51.100.0/24 nexthop via 192.0.2.2 dev eth0 nexthop via 192.0.2.3 dev eth0" reads back as something else: the format cannot say all of it`},
		{"endpoint address not its NIC's", func(t *model.Topology) { t.Endpoints[0].Addr = netip.MustParseAddr("10.0.0.99") },
			`cannot write endpoint vm1: address 10.0.0.99 is not the primary address of its interface (the format derives it)`},
		{"root namespace named otherwise", func(t *model.Topology) { t.Hosts[0].Namespace("blue").Kind = model.NSRoot },
			`cannot write h1:blue: a root namespace must be named "root"`},
		{"segment on a veth", func(t *model.Topology) { t.Hosts[0].Namespace("blue").Interface("veth1").SegmentName = "lan" },
			`cannot write h1:blue:veth1: a veth interface on segment lan: only a physical interface attaches to a segment`},
		{"explanation with a bad glob", func(t *model.Topology) { t.Explanations[1].Node = "br-[" },
			`cannot write explain[1]: node: bad glob "br-[": syntax error in pattern; want a pattern like qrouter-* or compute0:br-*`},
		{"explanation text with trailing space", func(t *model.Topology) { t.Explanations[0].Text += "\n" },
			`cannot write explain[0]: text "a glob that starts with a star: quoted, or YAML reads an alias\n" starts or ends with space, which Load trims`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := handBuilt(t)
			tt.change(topo)
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

// A guest with a second device cannot be written as its endpoint: its
// stack becomes a host namespace and the endpoint names it.
func TestWriteGuestWithTwoDevices(t *testing.T) {
	topo := handBuilt(t)
	vm := topo.Hosts[0].Namespace("vm1")
	vm.AddInterface(&model.Interface{Name: "lo", Kind: model.IfLoopback, Addrs: []netip.Prefix{mustPrefix("127.0.0.1/8")}})
	back, data := writeLoad(t, topo)
	e := back.Endpoint("vm1")
	ns := back.Hosts[0].Namespace("vm1")
	switch {
	case e == nil || ns == nil:
		t.Fatalf("no endpoint or namespace vm1 after the round trip:\n%s", data)
	case e.Kind != model.EPNamespace || e.NS != ns || e.Iface != ns.Interface("eth0"):
		t.Errorf("endpoint vm1 reads back as %s on %v, want a namespace endpoint on h1:vm1 with nic eth0", e.Kind, e.Iface)
	case ns.Kind != model.NSNamed || len(ns.Interfaces) != 2 || !ns.Interface("eth0").ProxyARP:
		t.Errorf("namespace vm1 reads back as %s with %d devices", ns.Kind, len(ns.Interfaces))
	case ns.Interface("eth0").Peer != back.Hosts[0].Root().Interface("tap0"):
		t.Errorf("vm1's eth0 lost its wire to tap0:\n%s", data)
	}
}
