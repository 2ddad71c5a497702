package model

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }
func mac(s string) MAC {
	m, err := ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func via(gw, dev string) []Nexthop {
	nh := Nexthop{Dev: dev}
	if gw != "" {
		nh.Gateway = ip(gw)
	}
	return []Nexthop{nh}
}

func TestParseRoutes(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []*Route
	}{
		{"ip route ls table 16 (004)", "ip-route-table16.txt", []*Route{
			{Table: TableMain, Dst: pfx("0.0.0.0/0"), Nexthops: via("169.254.106.115", "rfp-d3218b9c-7"), Source: Source{Line: 1}},
		}},
		{"ip route ls table 2852022899 in fip (004)", "ip-route-table2852022899.txt", []*Route{
			{Table: TableMain, Dst: pfx("0.0.0.0/0"), Nexthops: via("192.168.0.1", "fg-38f32d91-3d"), Source: Source{Line: 1}},
		}},
		{"ip route in qrouter (003)", "ip-route-qrouter-003.txt", []*Route{
			{Table: TableMain, Dst: pfx("10.5.5.0/24"), Nexthops: via("", "qr-3fa254c3-77"), Proto: "kernel", Scope: "link", Src: ip("10.5.5.1"), Source: Source{Line: 1}},
		}},
		{"route -n in the VM (004)", "route-n-vm.txt", []*Route{
			{Table: TableMain, Dst: pfx("0.0.0.0/0"), Nexthops: via("172.12.10.1", "eth0"), Source: Source{Line: 3}},
			{Table: TableMain, Dst: pfx("172.12.10.0/24"), Nexthops: via("", "eth0"), Source: Source{Line: 4}},
		}},
		{"route -n in fip (004)", "route-n-fip.txt", []*Route{
			{Table: TableMain, Dst: pfx("169.254.106.114/31"), Nexthops: via("", "fpr-d3218b9c-7"), Source: Source{Line: 3}},
			{Table: TableMain, Dst: pfx("192.168.0.0/16"), Nexthops: via("", "fg-38f32d91-3d"), Source: Source{Line: 4}},
			{Table: TableMain, Dst: pfx("192.168.10.106/32"), Nexthops: via("169.254.106.114", "fpr-d3218b9c-7"), Source: Source{Line: 5}},
		}},
		{"ip route show table all", "ip-route-table-all.txt", []*Route{
			{Table: TableMain, Dst: pfx("0.0.0.0/0"), Nexthops: via("192.168.0.1", "eth4"), Proto: "static", Metric: 100, Source: Source{Line: 1}},
			{Table: TableMain, Dst: pfx("10.0.0.0/8"), Proto: "static", Metric: 20, Source: Source{Line: 2}, Nexthops: []Nexthop{
				{Gateway: ip("10.10.20.1"), Dev: "eth1", Weight: 1}, {Gateway: ip("10.10.30.1"), Dev: "eth2", Weight: 2}}},
			{Table: TableMain, Dst: pfx("10.5.5.0/24"), Nexthops: via("", "qr-3fa254c3-77"), Proto: "kernel", Scope: "link", Src: ip("10.5.5.1"), Source: Source{Line: 5}},
			{Table: TableMain, Dst: pfx("169.254.106.114/31"), Nexthops: via("", "rfp-d3218b9c-7"), Proto: "kernel", Scope: "link", Src: ip("169.254.106.114"), Source: Source{Line: 6}},
			{Table: TableMain, Dst: pfx("192.168.10.106/32"), Nexthops: via("169.254.106.114", "fpr-d3218b9c-7"), Source: Source{Line: 7}},
			{Table: TableMain, Type: RouteBlackhole, Dst: pfx("10.99.0.0/16"), Proto: "static", Source: Source{Line: 8}},
			{Table: TableMain, Type: RouteUnreachable, Dst: pfx("10.1.0.0/16"), Metric: 5, Source: Source{Line: 9}},
			{Table: TableMain, Type: RouteProhibit, Dst: pfx("10.2.0.0/16"), Source: Source{Line: 10}},
			{Table: 16, Type: RouteThrow, Dst: pfx("10.3.0.0/16"), Source: Source{Line: 11}},
			{Table: 16, Dst: pfx("0.0.0.0/0"), Nexthops: via("169.254.106.115", "rfp-d3218b9c-7"), Source: Source{Line: 12}},
			{Table: TableMain, Dst: pfx("172.16.0.0/12"), Nexthops: via("10.10.20.1", "eth1"), Proto: "bird", Metric: 32, Source: Source{Line: 13}},
			{Table: TableLocal, Type: RouteBroadcast, Dst: pfx("10.5.5.255/32"), Nexthops: via("", "qr-3fa254c3-77"), Proto: "kernel", Scope: "link", Src: ip("10.5.5.1"), Source: Source{Line: 14}},
			{Table: TableLocal, Type: RouteLocal, Dst: pfx("10.5.5.1/32"), Nexthops: via("", "qr-3fa254c3-77"), Proto: "kernel", Scope: "host", Src: ip("10.5.5.1"), Source: Source{Line: 15}},
			{Table: TableLocal, Type: RouteLocal, Dst: pfx("127.0.0.0/8"), Nexthops: via("", "lo"), Proto: "kernel", Scope: "host", Src: ip("127.0.0.1"), Source: Source{Line: 16}},
			{Table: TableMain, Dst: pfx("::/0"), Nexthops: via("fe80::1", "eth4"), Proto: "ra", Metric: 1024, Source: Source{Line: 17}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRoutes(fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
				t.Errorf("routes (-want +got):\n%s", d)
			}
		})
	}
}

// TestRouteStringRoundTrip checks that what Route.String prints parses back
// to the same route.
func TestRouteStringRoundTrip(t *testing.T) {
	for _, file := range []string{"ip-route-table-all.txt", "route-n-fip.txt", "ip-route-table16.txt"} {
		t.Run(file, func(t *testing.T) {
			routes, err := ParseRoutes(fixture(t, file))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range routes {
				back, err := ParseRoutes(r.String())
				if err != nil {
					t.Fatalf("%q: %v", r.String(), err)
				}
				r.Source, back[0].Source = Source{}, Source{}
				if d := cmp.Diff(r, back[0], addrCmp...); d != "" {
					t.Errorf("%q round-trip (-orig +back):\n%s", r.String(), d)
				}
			}
		})
	}
}

var addrCmp = []cmp.Option{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []*Rule
	}{
		{"qrouter (004)", fixture(t, "ip-rule-qrouter.txt"), []*Rule{
			{Priority: 0, Table: TableLocal, Source: Source{Line: 1}},
			{Priority: 32766, Table: TableMain, Source: Source{Line: 2}},
			{Priority: 32767, Table: TableDefault, Source: Source{Line: 3}},
			{Priority: 57481, From: pfx("172.12.10.4/32"), Table: 16, Source: Source{Line: 4}},
			{Priority: 2886470145, From: pfx("172.12.10.1/24"), Table: 2886470145, Source: Source{Line: 5}},
		}},
		{"fip (004)", fixture(t, "ip-rule-fip.txt"), []*Rule{
			{Priority: 0, Table: TableLocal, Source: Source{Line: 1}},
			{Priority: 32766, Table: TableMain, Source: Source{Line: 2}},
			{Priority: 32767, Table: TableDefault, Source: Source{Line: 3}},
			{Priority: 2852022899, IIF: "fpr-d3218b9c-7", Table: 2852022899, Source: Source{Line: 4}},
		}},
		{"selectors and actions", "100: not from 10.0.0.0/8 to 192.168.1.1 fwmark 0x1/0xffff iif eth0 [detached] oif vrf1 [oif down] table 100\n" +
			"200:\tfrom all fwmark 0x10 goto 300\n300: from all blackhole\n301: from all unreachable\n302: from all prohibit\n303: from all nop\n" +
			"# a comment\n\nfrom 10.9.0.0/16 lookup main priority 400 proto static\n", []*Rule{
			{Priority: 100, Not: true, From: pfx("10.0.0.0/8"), To: pfx("192.168.1.1/32"), FwMark: 1, FwMask: 0xffff, HasMark: true, IIF: "eth0", OIF: "vrf1", Table: 100, Source: Source{Line: 1}},
			{Priority: 200, FwMark: 0x10, FwMask: 0xffffffff, HasMark: true, Action: RuleGoto, Goto: 300, Source: Source{Line: 2}},
			{Priority: 300, Action: RuleBlackhole, Source: Source{Line: 3}},
			{Priority: 301, Action: RuleUnreachable, Source: Source{Line: 4}},
			{Priority: 302, Action: RuleProhibit, Source: Source{Line: 5}},
			{Priority: 303, Action: RuleNop, Source: Source{Line: 6}},
			{Priority: 400, From: pfx("10.9.0.0/16"), Table: TableMain, Source: Source{Line: 9}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRules(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, addrCmp...); d != "" {
				t.Errorf("rules (-want +got):\n%s", d)
			}
			for _, r := range got {
				back, err := ParseRules(r.String())
				if err != nil {
					t.Fatalf("%q: %v", r.String(), err)
				}
				back[0].Source = r.Source
				if d := cmp.Diff(r, back[0], addrCmp...); d != "" {
					t.Errorf("%q round-trip:\n%s", r.String(), d)
				}
			}
		})
	}
}

func TestParseNeighbors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []*Neighbor
	}{
		{"ip neigh", "ip-neigh.txt", []*Neighbor{
			{IP: ip("172.12.10.4"), Dev: "qr-56718ce4-c6", MAC: mac("fa:16:3e:ae:b3:e7"), State: NeighPermanent, Source: Source{Line: 1}},
			{IP: ip("10.5.5.202"), Dev: "qr-3fa254c3-77", State: NeighIncomplete, Source: Source{Line: 2}},
			{IP: ip("10.0.2.1"), Dev: "qg-2e261868-ab", MAC: mac("52:54:00:12:35:00"), State: NeighReachable, Source: Source{Line: 3}},
			{IP: ip("192.168.0.1"), Dev: "eth4", MAC: mac("90:9f:33:65:47:02"), State: NeighStale, Source: Source{Line: 4}},
			{IP: ip("fe80::1"), Dev: "eth4", MAC: mac("90:9f:33:65:47:02"), State: NeighReachable, Source: Source{Line: 5}},
			{IP: ip("10.0.2.9"), Dev: "qg-2e261868-ab", State: NeighFailed, Source: Source{Line: 6}},
		}},
		{"arp -n in qrouter (003)", "arp-n-qrouter-003.txt", []*Neighbor{
			{IP: ip("10.5.5.202"), Dev: "qr-3fa254c3-77", State: NeighIncomplete, Source: Source{Line: 2}},
			{IP: ip("10.0.2.1"), Dev: "qg-2e261868-ab", MAC: mac("52:54:00:12:35:00"), State: NeighReachable, Source: Source{Line: 3}},
		}},
		{"arp -n without header (001)", "arp-n-noheader-001.txt", []*Neighbor{
			{IP: ip("172.17.42.10"), Dev: "eth0", MAC: mac("02:e6:e0:7d:70:75"), State: NeighReachable, Source: Source{Line: 1}},
			{IP: ip("172.17.42.1"), Dev: "eth0", State: NeighIncomplete, Source: Source{Line: 2}},
		}},
		{"arp -a in the VM (004)", "arp-a-vm.txt", []*Neighbor{
			{IP: ip("172.12.10.1"), Dev: "eth0", MAC: mac("fa:16:3e:78:d6:60"), State: NeighReachable, Source: Source{Line: 1}},
		}},
		{"arp -a PERM in qrouter (004)", "arp-a-qrouter.txt", []*Neighbor{
			{IP: ip("172.12.10.4"), Dev: "qr-56718ce4-c6", MAC: mac("fa:16:3e:ae:b3:e7"), State: NeighPermanent, Source: Source{Line: 1}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNeighbors(fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, addrCmp...); d != "" {
				t.Errorf("neighbours (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) error
		text  string
		want  string
	}{
		{"route bad prefix", routes, "10.0.0.0/33 dev eth0", `line 1: bad prefix "10.0.0.0/33": want ADDRESS/LENGTH like 10.0.0.0/24`},
		{"route bad destination", routes, "\n\nfoo dev eth0", `line 3: bad destination "foo": want default, a prefix or an address`},
		{"route unknown word", routes, "default via 10.0.0.1 dev eth0 frobnicate", `line 1: unknown route word "frobnicate": want via, dev, table, proto, scope, src, metric, nexthop or a route attribute`},
		{"route unsupported tos", routes, "10.0.0.0/8 tos 0x10 dev eth0", `line 1: route attribute "tos" is not supported by the model yet`},
		{"route multicast type", routes, "multicast ff00::/8 dev eth0 table local", `line 1: route type "multicast" is not supported by the model yet`},
		{"route no nexthop", routes, "10.0.0.0/8 proto static", `line 1: route 10.0.0.0/8: want a "via" gateway, a "dev" or nexthops`},
		{"route missing value", routes, "10.0.0.0/8 dev", `line 1: "dev" needs a value`},
		{"route bad gateway", routes, "default via 10.0.0.x dev eth0", `line 1: via: bad gateway address "10.0.0.x": want an IP address`},
		{"route bad table", routes, "default dev eth0 table mgmt", `line 1: table: unknown table "mgmt": want main, local, default or a number from 1 to 4294967295`},
		{"route bad metric", routes, "default dev eth0 metric -1", `line 1: metric: bad value "-1": want a number`},
		{"route bad weight on continuation line", routes, "default proto static\n\tnexthop via 10.0.0.1 dev eth0 weight 0", `line 2: weight: bad value "0": want a number from 1 to 256`},
		{"route -n bad genmask", routes, "Kernel IP routing table\n0.0.0.0 10.0.0.1 255.0.255.0 UG 0 0 0 eth0", `line 2: bad genmask "255.0.255.0": want a contiguous netmask like 255.255.255.0`},
		{"route -n short row", routes, "Kernel IP routing table\n0.0.0.0 10.0.0.1", `line 2: route -n row has 2 columns: want 8 (Destination Gateway Genmask Flags Metric Ref Use Iface)`},
		{"route -n bad flag", routes, "Kernel IP routing table\n0.0.0.0 10.0.0.1 0.0.0.0 UGX 0 0 0 eth0", `line 2: unknown route flag "X" in "UGX": want U, G, H, D, M, A, C, R or !`},
		{"rule unsupported selector", rules, "100: from all uidrange 0-0 lookup main", `line 1: rule selector "uidrange" is not supported by the model yet`},
		{"rule suppress_prefixlength", rules, "32765: from all lookup main suppress_prefixlength 0", `line 1: rule selector "suppress_prefixlength" is not supported by the model yet`},
		{"rule bad priority", rules, "x1: from all lookup main", `line 1: bad priority "x1": want a number from 0 to 4294967295`},
		{"rule no priority", rules, "from all lookup main", `line 1: rule has no priority: want it to start with "PRIORITY:" as ` + "`ip rule`" + ` prints it`},
		{"rule no action", rules, "5: from 10.0.0.0/8", `line 1: rule has no action: want lookup TABLE, goto N, nop, blackhole, unreachable or prohibit`},
		{"rule two actions", rules, "5: from all lookup main blackhole", `line 1: rule has two actions: want one of lookup, goto, nop, blackhole, unreachable, prohibit`},
		{"rule bad fwmark", rules, "5: from all fwmark 0xzz lookup main", `line 1: fwmark: bad mark "0xzz": want a number like 0x1 or 0x1/0xffff`},
		{"rule unknown word", rules, "5: from all via 10.0.0.1 lookup main", `line 1: unknown rule word "via": want from, to, iif, oif, fwmark, not, lookup, goto or an action`},
		{"neigh bad mac", neighs, "10.0.0.1 dev eth0 lladdr zz:16:3e:ae:b3:e7 REACHABLE", `line 1: lladdr: bad MAC address "zz:16:3e:ae:b3:e7": want six hex bytes like fa:16:3e:ae:b3:e7`},
		{"neigh unknown state", neighs, "10.0.0.1 dev eth0 lladdr fa:16:3e:ae:b3:e7 GONE", `line 1: unknown neighbour word "GONE": want dev, lladdr, router or a state (PERMANENT, NOARP, REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED)`},
		{"neigh no dev", neighs, "10.0.0.1 lladdr fa:16:3e:ae:b3:e7 REACHABLE", `line 1: neighbour 10.0.0.1 has no dev: want "dev IFACE"`},
		{"neigh proxy", neighs, "10.0.0.1 dev eth0 proxy", `line 1: proxy neighbour entries are not supported by the model yet: use proxy-arp on the interface`},
		{"neigh bad address", neighs, "10.0.0.300 dev eth0 FAILED", `line 1: bad neighbour address "10.0.0.300": want an IP address`},
		{"arp -n published", neighs, "Address HWtype HWaddress Flags Mask Iface\n10.0.0.1 ether fa:16:3e:ae:b3:e7 CMP * eth0", `line 2: published (proxy) ARP entries are not supported by the model yet: use proxy-arp on the interface`},
		{"arp -a bad word", neighs, "? (10.0.0.1) at fa:16:3e:ae:b3:e7 [ether] WEIRD on eth0", `line 1: unknown arp -a word "WEIRD": want [ether], PERM or PUB`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse(tt.text)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if _, ok := err.(*TextError); !ok {
				t.Errorf("error is a %T, want *TextError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func routes(s string) error { _, err := ParseRoutes(s); return err }
func rules(s string) error  { _, err := ParseRules(s); return err }
func neighs(s string) error { _, err := ParseNeighbors(s); return err }

func addFixtures(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(fixture(f, n))
	}
}

func FuzzParseRoutes(f *testing.F) {
	addFixtures(f, "ip-route-table-all.txt", "route-n-fip.txt", "route-n-vm.txt", "ip-route-table16.txt")
	f.Add("default proto static\n\tnexthop via 10.0.0.1 dev eth0 weight 1\n\tnexthop dev eth1")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRoutes(s)
		if err == nil {
			for _, r := range rs {
				_ = r.String()
			}
		}
	})
}

func FuzzParseRules(f *testing.F) {
	addFixtures(f, "ip-rule-qrouter.txt", "ip-rule-fip.txt")
	f.Add("100: not from 10.0.0.0/8 fwmark 0x1/0xff iif eth0 goto 200")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRules(s)
		if err == nil {
			for _, r := range rs {
				_ = r.String()
			}
		}
	})
}

func FuzzParseNeighbors(f *testing.F) {
	addFixtures(f, "ip-neigh.txt", "arp-n-qrouter-003.txt", "arp-a-vm.txt", "arp-a-qrouter.txt", "arp-n-noheader-001.txt")
	f.Fuzz(func(t *testing.T, s string) {
		ns, err := ParseNeighbors(s)
		if err == nil {
			for _, n := range ns {
				_ = n.String()
			}
		}
	})
}
