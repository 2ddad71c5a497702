package netns

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

const golden = "testdata/lab.golden"

// TestTranslateFixture checks the recorded lab, and its description
// against testdata/lab.golden (refresh with -update).
func TestTranslateFixture(t *testing.T) {
	hosts, problems := translate(loadFixture(t), labPlace(""))
	topo := checkLab(t, hosts, problems)
	var b bytes.Buffer
	if err := topo.Describe(&b); err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		b.WriteString("problem: " + p.String() + "\n")
	}
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("description differs from %s (-want +got; -update rewrites it):\n%s", golden, diff)
	}
}

// checkLab asserts what the lab must become in the model, for the fixture
// and for a live import alike, and returns the resolved topology.
func checkLab(t *testing.T, hosts []*model.Host, problems []Problem) *model.Topology {
	t.Helper()
	topo := &model.Topology{Name: "lab", Hosts: hosts}
	if err := topo.Resolve(); err != nil {
		t.Fatalf("imported lab does not resolve: %v", err)
	}
	var names []string
	for _, h := range hosts {
		for _, ns := range h.Namespaces {
			names = append(names, ns.Ref()+"/"+ns.Kind.String())
		}
	}
	if want := []string{"lab:root/root", "lab:a/netns", "lab:b/netns", "other:root/root"}; !slices.Equal(names, want) {
		t.Fatalf("namespaces = %v, want %v", names, want)
	}
	lab, other := hosts[0], hosts[1]
	r, a, b, c := lab.Root(), lab.Namespace("a"), lab.Namespace("b"), other.Root()

	iface := func(ns *model.Namespace, name string) *model.Interface {
		t.Helper()
		i := ns.Interface(name)
		if i == nil {
			t.Fatalf("%s has no interface %s", ns.Ref(), name)
		}
		return i
	}
	for _, tt := range []struct {
		ns             *model.Namespace
		name           string
		kind           model.IfKind
		linkType, peer string
		master         string
		down           bool
	}{
		{r, "lo", model.IfLoopback, "", "", "", false},
		{r, "r-a", model.IfVeth, "", "lab:a:a-r", "", false},
		{a, "a-r", model.IfVeth, "", "lab:root:r-a", "", false},
		{r, "br0", model.IfBridge, "", "", "", false},
		{r, "br0-b", model.IfVeth, "", "lab:b:b0", "br0", false},
		{r, "br0-c", model.IfVeth, "", "other:root:c0", "br0", false},
		{c, "c0", model.IfVeth, "", "lab:root:br0-c", "", false},
		{r, "brv-p1", model.IfVeth, "", "lab:root:brv-p1x", "brv", false},
		{r, "tap0", model.IfTap, "", "", "brv", true},
		{r, "vx0", model.IfOther, "vxlan", "", "", true},
	} {
		i := iface(tt.ns, tt.name)
		peer := ""
		if i.Peer != nil {
			peer = i.Peer.Ref()
		}
		if i.Kind != tt.kind || i.LinkType != tt.linkType || peer != tt.peer || i.MasterName != tt.master || i.Down != tt.down {
			t.Errorf("%s: kind %s %q, peer %q, master %q, down %v; want kind %s %q, peer %q, master %q, down %v",
				i.Ref(), i.Kind, i.LinkType, peer, i.MasterName, i.Down, tt.kind, tt.linkType, tt.peer, tt.master, tt.down)
		}
	}
	if d := r.Interface("d0"); d != nil && d.Kind != model.IfDummy {
		t.Errorf("d0 is a %s, want dummy", d.Kind)
	}
	if m := iface(r, "vx0").MTU; m != 1450 {
		t.Errorf("vx0 mtu %d, want 1450", m)
	}
	if got := iface(r, "br0").Addrs; len(got) != 1 || got[0].String() != "10.2.0.1/24" {
		t.Errorf("br0 addresses %v, want [10.2.0.1/24]", got)
	}

	// Bridges: the static row and a learned one, never the permanent (local) row.
	b0 := iface(b, "b0").MAC
	var fdb []string
	for _, f := range iface(r, "br0").Bridge.FDB {
		fdb = append(fdb, f.MAC.String()+" "+f.Port+map[bool]string{true: " static", false: ""}[f.Static])
	}
	for _, want := range []string{"02:00:00:00:00:bb br0-b static", b0.String() + " br0-b"} {
		if !slices.Contains(fdb, want) {
			t.Errorf("br0 FDB %q lacks %q", fdb, want)
		}
	}
	for _, f := range fdb {
		if strings.HasPrefix(f, "02:00:00:00:00:cc") {
			t.Errorf("br0 FDB keeps the permanent (local) row %q", f)
		}
	}
	if brv := iface(r, "brv"); brv.Bridge.VLANFiltering {
		want := map[string]*model.PortVLAN{
			"brv":    {PVID: 1, Untagged: []uint16{1}},
			"brv-p1": {PVID: 10, Untagged: []uint16{10}, Tagged: []uint16{20}},
			"tap0":   {PVID: 1, Untagged: []uint16{1}, Tagged: []uint16{10, 20}},
		}
		for name, pv := range want {
			if diff := cmp.Diff(pv, iface(r, name).PortVLAN); diff != "" {
				t.Errorf("%s port VLANs (-want +got):\n%s", name, diff)
			}
		}
	} else if iface(r, "brv-p1").PortVLAN != nil {
		t.Errorf("brv does not filter VLANs, yet brv-p1 has %+v", iface(r, "brv-p1").PortVLAN)
	}

	// Routes: the configured ones in their tables; none of the kernel's own.
	var routes []string
	for _, rt := range r.Routes {
		if !rt.Implied {
			routes = append(routes, rt.String())
		}
	}
	for _, want := range []string{
		"10.9.0.0/24 via 10.1.0.2 dev r-a proto static metric 100",
		"198.51.100.0/24 dev br0 scope link src 10.2.0.1",
		"default table 100 nexthop via 10.1.0.2 dev r-a nexthop via 10.2.0.2 dev br0 weight 3",
		"blackhole 10.66.0.0/16 table 100",
		"unreachable 10.77.0.0/16 table 200",
		"prohibit 10.78.0.0/16 table 200",
		"throw 10.79.0.0/16 table 200",
	} {
		if !slices.Contains(routes, want) {
			t.Errorf("router routes lack %q; have\n%s", want, strings.Join(routes, "\n"))
		}
	}
	for _, rt := range routes {
		if strings.Contains(rt, "proto kernel") || strings.HasPrefix(rt, "broadcast") {
			t.Errorf("router keeps the kernel's own route %q", rt)
		}
	}
	if a := a.Routes; len(a) == 0 || a[0].String() != "default via 10.1.0.1 dev a-r" {
		t.Errorf("a's first route is not its default route: %v", a)
	}

	// Rules: all, defaults included; the ipproto one is a Problem.
	var rules []string
	for _, rl := range r.Rules {
		rules = append(rules, rl.String())
	}
	wantRules := []string{
		"0:\tfrom all lookup local",
		"100:\tfrom 10.2.0.0/24 lookup 100",
		"110:\tfrom all fwmark 0x10/0xff lookup 200",
		"120:\tfrom all iif br0 lookup 100",
		"130:\tnot from all to 10.0.0.0/8 lookup main",
		"140:\tfrom all oif r-a blackhole",
		"150:\tfrom all goto 32766",
		"32766:\tfrom all lookup main",
		"32767:\tfrom all lookup default",
	}
	if diff := cmp.Diff(wantRules, rules); diff != "" {
		t.Errorf("router rules (-want +got):\n%s", diff)
	}

	// Neighbours: the permanent and failed entries, and b0 learned by ping.
	var neigh []string
	for _, n := range r.Neighbors {
		neigh = append(neigh, n.String())
	}
	for _, want := range []string{"10.1.0.99 dev r-a lladdr 02:00:00:00:01:99 PERMANENT", "10.2.0.99 dev br0 FAILED"} {
		if !slices.Contains(neigh, want) {
			t.Errorf("router neighbours %q lack %q", neigh, want)
		}
	}
	if !slices.ContainsFunc(neigh, func(s string) bool { return strings.HasPrefix(s, "10.2.0.2 dev br0 lladdr "+b0.String()) }) {
		t.Errorf("router neighbours %q lack 10.2.0.2 at %s", neigh, b0)
	}

	// Sysctls.
	if !r.IPForward || !r.BridgeNFCallIptables || b.BridgeNFCallIptables {
		t.Errorf("ip_forward %v, bridge-nf-call-iptables router %v b %v; want true, true, false", r.IPForward, r.BridgeNFCallIptables, b.BridgeNFCallIptables)
	}
	if ra, br0, bb := iface(r, "r-a"), iface(r, "br0"), iface(r, "br0-b"); !ra.ProxyARP || br0.ProxyARP || ra.RPFilter != 1 || br0.RPFilter != 2 || bb.RPFilter != 1 {
		t.Errorf("proxy_arp r-a %v br0 %v, rp_filter r-a %d br0 %d br0-b %d; want true false 1 2 1", ra.ProxyARP, br0.ProxyARP, ra.RPFilter, br0.RPFilter, bb.RPFilter)
	}

	// Netfilter: nft in the router (with its ipset), legacy in a, nft in b
	// (legacy too, a Problem), nothing in c.
	policy := func(ns *model.Namespace, chain string) netfilter.Verdict {
		t.Helper()
		if ns.Netfilter == nil || ns.Netfilter.Table("filter") == nil || ns.Netfilter.Table("filter").Chains[chain] == nil {
			t.Fatalf("%s has no filter %s chain", ns.Ref(), chain)
		}
		return ns.Netfilter.Table("filter").Chains[chain].Policy
	}
	if policy(r, "FORWARD") != netfilter.VerdictDrop || r.Netfilter.Table("nat") == nil || r.IPSets["allowed"] == nil {
		t.Errorf("router netfilter: want FORWARD policy DROP, a nat table and set allowed")
	}
	if policy(a, "INPUT") != netfilter.VerdictDrop {
		t.Errorf("a: want the legacy ruleset with INPUT policy DROP")
	}
	if rules := b.Netfilter.Table("filter").Chains["INPUT"].Rules; len(rules) != 1 || !strings.Contains(rules[0].Text, "10.2.0.3") {
		t.Errorf("b: want the nft rule, got %v", rules)
	}
	if c.Netfilter != nil {
		t.Errorf("c has no rules, yet imports %v", c.Netfilter)
	}

	wantProblems := []struct{ ns, text string }{
		{"router", "permanent (local) FDB entry 02:00:00:00:00:cc on br0-c"},
		{"router", `rule "160: from all lookup 100": the model has no ipproto, dport`},
		{"b", "iptables: iptables-legacy also holds rules (filter: 1 rule)"},
	}
	for _, p := range problems {
		ok := slices.ContainsFunc(wantProblems, func(w struct{ ns, text string }) bool {
			return strings.HasSuffix(p.NS, w.ns) && strings.Contains(p.Err.Error(), w.text)
		})
		if !ok {
			t.Errorf("unexpected problem: %s", p)
		}
	}
	for _, w := range wantProblems {
		if !slices.ContainsFunc(problems, func(p Problem) bool {
			return strings.HasSuffix(p.NS, w.ns) && strings.Contains(p.Err.Error(), w.text)
		}) {
			t.Errorf("no problem in %s says %q; problems: %v", w.ns, w.text, problems)
		}
	}
	return topo
}

func TestKind(t *testing.T) {
	tests := []struct {
		name     string
		l        link
		kind     model.IfKind
		linkType string
	}{
		{"loopback", link{Type: "device", EncapType: "loopback"}, model.IfLoopback, ""},
		{"nic", link{Type: "device", EncapType: "ether"}, model.IfPhysical, ""},
		{"infiniband", link{Type: "device", EncapType: "infiniband"}, model.IfOther, "infiniband"},
		{"veth", link{Type: "veth"}, model.IfVeth, ""},
		{"tap", link{Type: "tuntap", Tap: true}, model.IfTap, ""},
		{"tun", link{Type: "tuntap"}, model.IfOther, "tun"},
		{"bridge", link{Type: "bridge"}, model.IfBridge, ""},
		{"dummy", link{Type: "dummy"}, model.IfDummy, ""},
		{"ovs internal", link{Index: 5, Type: "openvswitch", Name: "br-int"}, model.IfOVSInternal, ""},
		{"ovs datapath", link{Index: 4, Type: "openvswitch", Name: "ovs-system"}, model.IfOther, "openvswitch"},
		{"vxlan", link{Type: "vxlan"}, model.IfOther, "vxlan"},
		{"bond", link{Type: "bond"}, model.IfOther, "bond"},
		{"wireguard", link{Type: "wireguard"}, model.IfOther, "wireguard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTranslator(&nsDump{Links: []link{tt.l, {Index: 9, Name: "eth1", MasterIndex: 4}}}, nil)
			if kind, lt := tr.kind(tt.l); kind != tt.kind || lt != tt.linkType {
				t.Errorf("kind = %s %q, want %s %q", kind, lt, tt.kind, tt.linkType)
			}
		})
	}
}

// TestVLANFiltering covers what this kernel could not record: ports of a
// vlan-filtering bridge, as BridgeVlanList reports them.
func TestVLANFiltering(t *testing.T) {
	const (
		pvid     = nl.BRIDGE_VLAN_INFO_PVID
		untagged = nl.BRIDGE_VLAN_INFO_UNTAGGED
	)
	d := &nsDump{
		Links: []link{
			{Index: 2, Name: "brv", Type: "bridge", VLANFilter: true, MAC: "02:00:00:00:00:01"},
			{Index: 3, Name: "p1", Type: "veth", MasterIndex: 2},
			{Index: 4, Name: "p2", Type: "veth", MasterIndex: 2},
			{Index: 5, Name: "p3", Type: "veth", MasterIndex: 2},
			{Index: 6, Name: "loose", Type: "veth"},
		},
		VLANs: map[int32][]*nl.BridgeVlanInfo{
			2: {{Flags: pvid | untagged, Vid: 1}},
			3: {{Flags: pvid | untagged, Vid: 10}, {Vid: 20}},
			4: {{Flags: nl.BRIDGE_VLAN_INFO_RANGE_BEGIN, Vid: 100}, {Flags: nl.BRIDGE_VLAN_INFO_RANGE_END, Vid: 102}},
		},
	}
	ns := newTranslator(d, func(link) string { return "" }).namespace("x")
	want := map[string]*model.PortVLAN{
		"brv":   {PVID: 1, Untagged: []uint16{1}},
		"p1":    {PVID: 10, Untagged: []uint16{10}, Tagged: []uint16{20}},
		"p2":    {Tagged: []uint16{100, 101, 102}},
		"p3":    {}, // listed with no VLANs: drops everything
		"loose": nil,
	}
	for name, pv := range want {
		if diff := cmp.Diff(pv, ns.Interface(name).PortVLAN); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestFDBRule(t *testing.T) {
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	d := &nsDump{
		Links: []link{
			{Index: 2, Name: "br0", Type: "bridge", MAC: "02:00:00:00:00:01"},
			{Index: 3, Name: "p1", Type: "veth", MasterIndex: 2, MAC: "02:00:00:00:00:03"},
		},
		FDB: []netlink.Neigh{
			{LinkIndex: 2, MasterIndex: 2, State: netlink.NUD_PERMANENT, Flags: netlink.NTF_MASTER, HardwareAddr: mac("02:00:00:00:00:01")}, // bridge's own
			{LinkIndex: 3, MasterIndex: 2, State: netlink.NUD_PERMANENT, Flags: netlink.NTF_MASTER, HardwareAddr: mac("02:00:00:00:00:03")}, // port's own
			{LinkIndex: 3, State: netlink.NUD_PERMANENT, Flags: netlink.NTF_SELF, HardwareAddr: mac("33:33:00:00:00:01")},                   // port's own list
			{LinkIndex: 3, MasterIndex: 2, State: netlink.NUD_NOARP, Flags: netlink.NTF_MASTER, Vlan: 7, HardwareAddr: mac("02:00:00:00:00:bb")},
			{LinkIndex: 3, MasterIndex: 2, State: netlink.NUD_REACHABLE, Flags: netlink.NTF_MASTER, HardwareAddr: mac("02:00:00:00:00:dd")},
			{LinkIndex: 3, MasterIndex: 2, State: netlink.NUD_PERMANENT, Flags: netlink.NTF_MASTER, HardwareAddr: mac("02:00:00:00:00:cc")}, // user's local row
		},
	}
	tr := newTranslator(d, func(link) string { return "" })
	ns := tr.namespace("x")
	var got []string
	for _, f := range ns.Interface("br0").Bridge.FDB {
		got = append(got, fmt.Sprint(f.MAC, " ", f.Port, " ", map[bool]string{true: "static", false: "learned"}[f.Static], " ", f.VLAN))
	}
	if diff := cmp.Diff([]string{"02:00:00:00:00:bb p1 static 7", "02:00:00:00:00:dd p1 learned 0"}, got); diff != "" {
		t.Errorf("FDB (-want +got):\n%s", diff)
	}
	if len(tr.problems) != 1 || !strings.Contains(tr.problems[0].Err.Error(), "02:00:00:00:00:cc") {
		t.Errorf("problems = %v, want one about the local row 02:00:00:00:00:cc", tr.problems)
	}
}

func TestImpliedRoutesDropped(t *testing.T) {
	ipnet := func(s string) *net.IPNet { ip, n, _ := net.ParseCIDR(s); n.IP = ip; return n }
	d := &nsDump{
		Links: []link{{Index: 1, Name: "lo", Type: "device", EncapType: "loopback", Up: true}, {Index: 2, Name: "eth0", Type: "device", EncapType: "ether", Up: true}},
		Addrs: []netlink.Addr{
			{IPNet: ipnet("127.0.0.1/8"), LinkIndex: 1},
			{IPNet: ipnet("10.0.0.5/24"), LinkIndex: 2},
			{IPNet: ipnet("10.9.9.9/24"), LinkIndex: 2}, // noprefixroute: no connected route
			{IPNet: ipnet("fe80::1/64"), LinkIndex: 2, Scope: unix.RT_SCOPE_LINK},
			{IPNet: ipnet("2001:db8::5/64"), LinkIndex: 2},
		},
		Routes: []netlink.Route{
			{Table: 255, Type: unix.RTN_LOCAL, Dst: ipnet("127.0.0.0/8"), LinkIndex: 1, Src: net.ParseIP("127.0.0.1"), Protocol: unix.RTPROT_KERNEL, Scope: netlink.SCOPE_HOST},
			{Table: 255, Type: unix.RTN_LOCAL, Dst: ipnet("127.0.0.1/32"), LinkIndex: 1, Src: net.ParseIP("127.0.0.1"), Protocol: unix.RTPROT_KERNEL, Scope: netlink.SCOPE_HOST},
			{Table: 255, Type: unix.RTN_BROADCAST, Dst: ipnet("127.255.255.255/32"), LinkIndex: 1, Src: net.ParseIP("127.0.0.1"), Protocol: unix.RTPROT_KERNEL, Scope: netlink.SCOPE_LINK},
			{Table: 255, Type: unix.RTN_LOCAL, Dst: ipnet("10.0.0.5/32"), LinkIndex: 2, Src: net.ParseIP("10.0.0.5"), Protocol: unix.RTPROT_KERNEL, Scope: netlink.SCOPE_HOST},
			{Table: 255, Type: unix.RTN_LOCAL, Dst: ipnet("10.9.9.9/32"), LinkIndex: 2, Src: net.ParseIP("10.9.9.9"), Protocol: unix.RTPROT_KERNEL, Scope: netlink.SCOPE_HOST},
			{Table: 254, Type: unix.RTN_UNICAST, Dst: ipnet("10.0.0.0/24"), LinkIndex: 2, Src: net.ParseIP("10.0.0.5"), Protocol: unix.RTPROT_KERNEL, Scope: netlink.SCOPE_LINK},
			// a kernel route that differs from the implied one (address added with a metric) stays
			{Table: 254, Type: unix.RTN_UNICAST, Dst: ipnet("10.0.0.0/24"), LinkIndex: 2, Src: net.ParseIP("10.0.0.5"), Protocol: unix.RTPROT_KERNEL, Scope: netlink.SCOPE_LINK, Priority: 50},
			{Table: 254, Type: unix.RTN_UNICAST, Gw: net.ParseIP("10.0.0.1"), LinkIndex: 2, Protocol: unix.RTPROT_DHCP, Priority: 100},
			{Table: 254, Type: unix.RTN_UNICAST, Dst: ipnet("10.7.0.0/16"), Gw: net.ParseIP("10.0.0.1"), LinkIndex: 2, Tos: 0x10, Protocol: unix.RTPROT_BOOT},
		},
	}
	tr := newTranslator(d, nil)
	ns := tr.namespace("x")
	var got []string
	for _, r := range ns.Routes {
		got = append(got, r.String())
	}
	want := []string{"10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5 metric 50", "default via 10.0.0.1 dev eth0 proto dhcp metric 100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"127.0.0.1/8", "10.0.0.5/24", "10.9.9.9/24", "2001:db8::5/64"}, addrStrings(ns)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	var msgs []string
	for _, p := range tr.problems {
		msgs = append(msgs, p.Err.Error())
	}
	if len(msgs) != 2 || !strings.Contains(msgs[0], "tos 0x10") ||
		!strings.Contains(msgs[1], `eth0: the kernel has no route "10.9.9.0/24 dev eth0 proto kernel scope link src 10.9.9.9"`) {
		t.Errorf("problems = %q, want the tos route and the missing connected route of 10.9.9.9", msgs)
	}
}

func addrStrings(ns *model.Namespace) []string {
	var out []string
	for _, i := range ns.Interfaces {
		for _, a := range i.Addrs {
			out = append(out, a.String())
		}
	}
	return out
}

func TestPlaceDuplicateAndUnread(t *testing.T) {
	dumps := []*nsDump{
		{Name: "", Links: []link{{Index: 1, Name: "v0", Type: "veth", ParentIndex: 2, NetNsID: 5}}, NetNsIDs: map[int]string{5: "gone", 6: "x"}},
		{Name: "x", Links: []link{{Index: 2, Name: "v1", Type: "veth", ParentIndex: 9, NetNsID: 0}}, NetNsIDs: map[int]string{0: ""}},
		{Name: "y"},
	}
	place := func(n string) (string, string, bool) {
		if n == "y" {
			return "h", "x", true // clashes with x
		}
		if n == "" {
			return "h", "root", true
		}
		return "h", n, true
	}
	hosts, problems := translate(dumps, place)
	if len(hosts) != 1 || len(hosts[0].Namespaces) != 2 {
		t.Fatalf("hosts %v, want one with root and x", hosts)
	}
	if p := hosts[0].Root().Interface("v0").PeerRef; p != "" {
		t.Errorf("v0's peer lives in a namespace not read, yet PeerRef = %q", p)
	}
	if p := hosts[0].Namespace("x").Interface("v1").PeerRef; p != "" {
		t.Errorf("v1's peer index is unknown, yet PeerRef = %q", p)
	}
	if len(problems) != 1 || problems[0].NS != "y" {
		t.Errorf("problems = %v, want one for y", problems)
	}
}

// FuzzParseRule: whatever bytes arrive, parseRule returns a rule or an
// error, never a panic.
func FuzzParseRule(f *testing.F) {
	f.Add(make([]byte, unix.SizeofRtMsg))
	f.Add(append(make([]byte, unix.SizeofRtMsg), 8, 0, nl.FRA_PRIORITY, 0, 100, 0, 0, 0))
	f.Add(append(make([]byte, unix.SizeofRtMsg), 6, 0, nl.FRA_PRIORITY, 0, 100, 0))
	f.Add(append(make([]byte, unix.SizeofRtMsg), 8, 0, nl.FRA_SRC, 0, 10, 0, 0, 0))
	f.Fuzz(func(t *testing.T, m []byte) {
		parseRule(m)
	})
}
