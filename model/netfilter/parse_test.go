package netfilter

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var fixtures = []string{"neutron_filter.txt", "qrouter_nat.txt", "docker_host.txt"}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parseFixture(t testing.TB, name string) *Ruleset {
	t.Helper()
	rs, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rs
}

// ruleIn parses one rule line in a filter table with user chains X and Y.
func ruleIn(t *testing.T, line string) *Rule {
	t.Helper()
	rs, err := Parse("*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n:Y - [0:0]\n" + line + "\nCOMMIT\n")
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	c := rs.Table("filter").Chain(strings.Fields(line)[1])
	return c.Rules[len(c.Rules)-1]
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

// TestFixtureRulesPrintVerbatim holds the typed model to the real output:
// every rule of every fixture prints back to its original text.
func TestFixtureRulesPrintVerbatim(t *testing.T) {
	wantRules := map[string]int{"neutron_filter.txt": 31, "qrouter_nat.txt": 10, "docker_host.txt": 18}
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			rs := parseFixture(t, name)
			n := 0
			for _, tn := range rs.TableOrder {
				tb := rs.Tables[tn]
				for _, cn := range tb.ChainOrder {
					for i, r := range tb.Chains[cn].Rules {
						n++
						if r.Num != i+1 || r.Chain != cn {
							t.Errorf("line %d: Num %d Chain %s, want %d %s", r.Line, r.Num, r.Chain, i+1, cn)
						}
						if got := r.canonical(); got != r.Text {
							t.Errorf("line %d:\n got %s\nwant %s", r.Line, got, r.Text)
						}
						for _, m := range r.Matches {
							if u, ok := m.(*Unsupported); ok {
								t.Errorf("line %d: unsupported %q", r.Line, u.Text)
							}
						}
					}
				}
			}
			if n != wantRules[name] {
				t.Errorf("%d rules, want %d", n, wantRules[name])
			}
		})
	}
}

func TestParseFixtureRules(t *testing.T) {
	neutron := parseFixture(t, "neutron_filter.txt")
	nat := parseFixture(t, "qrouter_nat.txt")
	docker := parseFixture(t, "docker_host.txt")
	tests := []struct {
		name string
		rs   *Ruleset
		tbl  string
		text string
		want *Rule
	}{
		{
			name: "physdev dispatch", rs: neutron, tbl: "filter",
			text: `-A neutron-openvswi-FORWARD -m physdev --physdev-out tap8aa5e3b4-6c --physdev-is-bridged -m comment --comment "Direct traffic from the VM interface to the security group chain." -j neutron-openvswi-sg-chain`,
			want: &Rule{Chain: "neutron-openvswi-FORWARD", Num: 1, Line: 25, Matches: []Match{
				&Module{"physdev"},
				&Physdev{Opt: PhysdevOut, Name: "tap8aa5e3b4-6c"},
				&Physdev{Opt: PhysdevIsBridged},
				&Module{"comment"},
				&Comment{"Direct traffic from the VM interface to the security group chain."},
			}, Target: &Jump{Chain: "neutron-openvswi-sg-chain"}},
		},
		{
			name: "dhcp reply", rs: neutron, tbl: "filter",
			text: "-A neutron-openvswi-i8aa5e3b4-6 -d 172.12.10.4/32 -p udp -m udp --sport 67 --dport 68 -j RETURN",
			want: &Rule{Chain: "neutron-openvswi-i8aa5e3b4-6", Num: 2, Line: 29, Matches: []Match{
				&Addr{Dir: DirDst, Prefix: pfx("172.12.10.4/32")},
				&Proto{Num: ProtoUDP},
				&Module{"udp"},
				&Ports{Dir: DirSrc, Ranges: []PortRange{{67, 67}}},
				&Ports{Dir: DirDst, Ranges: []PortRange{{68, 68}}},
			}, Target: &Terminal{VerdictReturn}},
		},
		{
			name: "multiport", rs: neutron, tbl: "filter",
			text: "-A neutron-openvswi-i8aa5e3b4-6 -p tcp -m tcp -m multiport --dports 1:65535 -j RETURN",
			want: &Rule{Chain: "neutron-openvswi-i8aa5e3b4-6", Num: 6, Line: 33, Matches: []Match{
				&Proto{Num: ProtoTCP}, &Module{"tcp"}, &Module{"multiport"},
				&Ports{Dir: DirDst, Multi: true, Ranges: []PortRange{{1, 65535}}},
			}, Target: &Terminal{VerdictReturn}},
		},
		{
			name: "ipset", rs: neutron, tbl: "filter",
			text: "-A neutron-openvswi-i8aa5e3b4-6 -m set --match-set NIPv415ca6cb4-09b4-418e-aee4- src -j RETURN",
			want: &Rule{Chain: "neutron-openvswi-i8aa5e3b4-6", Num: 5, Line: 32, Matches: []Match{
				&Module{"set"}, &SetMatch{Name: "NIPv415ca6cb4-09b4-418e-aee4-", Dirs: []Dir{DirSrc}},
			}, Target: &Terminal{VerdictReturn}},
		},
		{
			name: "state", rs: neutron, tbl: "filter",
			text: `-A neutron-openvswi-o8aa5e3b4-6 -m state --state RELATED,ESTABLISHED -m comment --comment "Direct packets associated with a known session to the RETURN chain." -j RETURN`,
			want: &Rule{Chain: "neutron-openvswi-o8aa5e3b4-6", Num: 5, Line: 40, Matches: []Match{
				&Module{"state"}, &State{States: CtRelated | CtEstablished},
				&Module{"comment"}, &Comment{"Direct packets associated with a known session to the RETURN chain."},
			}, Target: &Terminal{VerdictReturn}},
		},
		{
			name: "anti-spoofing", rs: neutron, tbl: "filter",
			text: `-A neutron-openvswi-s8aa5e3b4-6 -s 172.12.10.4/32 -m mac --mac-source FA:16:3E:AE:B3:E7 -m comment --comment "Allow traffic from defined IP/MAC pairs." -j RETURN`,
			want: &Rule{Chain: "neutron-openvswi-s8aa5e3b4-6", Num: 1, Line: 44, Matches: []Match{
				&Addr{Dir: DirSrc, Prefix: pfx("172.12.10.4/32")},
				&Module{"mac"}, &MACSource{MAC: [6]byte{0xfa, 0x16, 0x3e, 0xae, 0xb3, 0xe7}},
				&Module{"comment"}, &Comment{"Allow traffic from defined IP/MAC pairs."},
			}, Target: &Terminal{VerdictReturn}},
		},
		{
			name: "negated interfaces and ctstate", rs: nat, tbl: "nat",
			text: "-A neutron-l3-agent-POSTROUTING ! -i rfp-d3218b9c-7 ! -o rfp-d3218b9c-7 -m conntrack ! --ctstate DNAT -j ACCEPT",
			want: &Rule{Chain: "neutron-l3-agent-POSTROUTING", Num: 1, Line: 19, Matches: []Match{
				&Iface{Name: "rfp-d3218b9c-7", Invert: true},
				&Iface{Out: true, Name: "rfp-d3218b9c-7", Invert: true},
				&Module{"conntrack"}, &State{States: CtDNAT, Conntrack: true, Invert: true},
			}, Target: &Terminal{VerdictAccept}},
		},
		{
			name: "dnat", rs: nat, tbl: "nat",
			text: "-A neutron-l3-agent-PREROUTING -d 192.168.10.106/32 -i rfp-d3218b9c-7 -j DNAT --to-destination 172.12.10.4",
			want: &Rule{Chain: "neutron-l3-agent-PREROUTING", Num: 1, Line: 20, Matches: []Match{
				&Addr{Dir: DirDst, Prefix: pfx("192.168.10.106/32")},
				&Iface{Name: "rfp-d3218b9c-7"},
			}, Target: &NAT{Kind: DNAT, MinAddr: addr("172.12.10.4"), MaxAddr: addr("172.12.10.4")}},
		},
		{
			name: "redirect with wildcard interface", rs: nat, tbl: "nat",
			text: "-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697",
			want: &Rule{Chain: "neutron-l3-agent-PREROUTING", Num: 2, Line: 21, Matches: []Match{
				&Addr{Dir: DirDst, Prefix: pfx("169.254.169.254/32")},
				&Iface{Name: "qr-+"}, &Proto{Num: ProtoTCP}, &Module{"tcp"},
				&Ports{Dir: DirDst, Ranges: []PortRange{{80, 80}}},
			}, Target: &NAT{Kind: Redirect, Ports: PortRange{9697, 9697}, HasPorts: true}},
		},
		{
			name: "masquerade with counters", rs: docker, tbl: "nat",
			text: "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
			want: &Rule{Chain: "POSTROUTING", Num: 1, Line: 10, Matches: []Match{
				&Addr{Dir: DirSrc, Prefix: pfx("172.17.0.0/16")},
				&Iface{Out: true, Name: "docker0", Invert: true},
			}, Target: &NAT{Kind: Masquerade}},
		},
		{
			name: "addrtype", rs: docker, tbl: "nat",
			text: "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
			want: &Rule{Chain: "OUTPUT", Num: 1, Line: 9, Matches: []Match{
				&Addr{Dir: DirDst, Prefix: pfx("127.0.0.0/8"), Invert: true},
				&Module{"addrtype"}, &AddrTypeMatch{Dir: DirDst, Types: AddrLocal},
			}, Target: &Jump{Chain: "DOCKER"}},
		},
		{
			name: "dnat with port", rs: docker, tbl: "nat",
			text: "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
			want: &Rule{Chain: "DOCKER", Num: 2, Line: 13, Matches: []Match{
				&Iface{Name: "docker0", Invert: true}, &Proto{Num: ProtoTCP}, &Module{"tcp"},
				&Ports{Dir: DirDst, Ranges: []PortRange{{8080, 8080}}},
			}, Target: &NAT{Kind: DNAT, MinAddr: addr("172.17.0.2"), MaxAddr: addr("172.17.0.2"), Ports: PortRange{80, 80}, HasPorts: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rs.FindRule(tt.tbl, tt.text)
			if got == nil {
				t.Fatalf("FindRule(%s, %q) = nil", tt.tbl, tt.text)
			}
			tt.want.Text = tt.text
			if diff := cmp.Diff(tt.want, got, netipOpts); diff != "" {
				t.Errorf("rule (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseChains(t *testing.T) {
	rs := parseFixture(t, "docker_host.txt")
	if diff := cmp.Diff([]string{"nat", "filter"}, rs.TableOrder); diff != "" {
		t.Errorf("TableOrder (-want +got):\n%s", diff)
	}
	f := rs.Table("filter")
	if diff := cmp.Diff([]string{"INPUT", "FORWARD", "OUTPUT", "DOCKER", "DOCKER-ISOLATION-STAGE-1",
		"DOCKER-ISOLATION-STAGE-2", "DOCKER-USER"}, f.ChainOrder); diff != "" {
		t.Errorf("ChainOrder (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		chain string
		want  string
	}{
		{"FORWARD", "FORWARD (policy DROP, 6 rules)"},
		{"INPUT", "INPUT (policy ACCEPT, 0 rules)"},
		{"DOCKER-USER", "DOCKER-USER (1 rules)"},
	} {
		t.Run(tt.chain, func(t *testing.T) {
			if got := f.Chain(tt.chain).String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestParseOptions covers the forms the fixtures lack: every match, both
// negation forms, every target, and what becomes Unsupported.
func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		matches []Match
		target  Target
		printed string // "" when the canonical form is the line itself
	}{
		{name: "old negation", line: "-A X -s ! 1.2.3.4 -p ! tcp",
			matches: []Match{&Addr{Prefix: pfx("1.2.3.4/32"), Invert: true}, &Proto{Num: 6, Invert: true}},
			printed: "-A X ! -s 1.2.3.4/32 ! -p tcp"},
		{name: "dotted mask", line: "-A X -d 10.1.2.3/255.0.0.0",
			matches: []Match{&Addr{Dir: DirDst, Prefix: pfx("10.0.0.0/8")}}, printed: "-A X -d 10.0.0.0/8"},
		{name: "non-contiguous mask", line: "-A X -s 10.0.0.0/255.0.255.0",
			matches: []Match{&Unsupported{"-s 10.0.0.0/255.0.255.0"}}},
		{name: "proto number and all", line: "-A X -p 47 -p all",
			matches: []Match{&Proto{Num: 47}, &Proto{}}, printed: "-A X -p gre -p all"},
		{name: "port ranges and negation", line: "-A X -p tcp -m tcp ! --sport 1024: --dport :80",
			matches: []Match{&Proto{Num: 6}, &Module{"tcp"}, &Ports{Dir: DirSrc, Ranges: []PortRange{{1024, 65535}}, Invert: true},
				&Ports{Dir: DirDst, Ranges: []PortRange{{0, 80}}}},
			printed: "-A X -p tcp -m tcp ! --sport 1024:65535 --dport 0:80"},
		{name: "implicit tcp module", line: "-A X -p tcp --dport 22",
			matches: []Match{&Proto{Num: 6}, &Ports{Dir: DirDst, Ranges: []PortRange{{22, 22}}}}},
		{name: "tcp flags and syn", line: "-A X -p tcp -m tcp --tcp-flags SYN,ACK SYN ! --syn",
			matches: []Match{&Proto{Num: 6}, &Module{"tcp"}, &TCPFlags{Mask: 0x12, Comp: 0x02}, &TCPFlags{Mask: 0x17, Comp: 0x02, Invert: true}},
			printed: "-A X -p tcp -m tcp --tcp-flags SYN,ACK SYN ! --tcp-flags FIN,SYN,RST,ACK SYN"},
		{name: "multiport lists", line: "-A X -p udp -m multiport ! --sports 53,1000:2000 --ports 5",
			matches: []Match{&Proto{Num: 17}, &Module{"multiport"},
				&Ports{Dir: DirSrc, Multi: true, Ranges: []PortRange{{53, 53}, {1000, 2000}}, Invert: true},
				&Ports{Dir: DirAny, Multi: true, Ranges: []PortRange{{5, 5}}}}},
		{name: "conntrack states", line: "-A X -m conntrack --ctstate NEW,UNTRACKED,SNAT",
			matches: []Match{&Module{"conntrack"}, &State{States: CtNew | CtUntracked | CtSNAT, Conntrack: true}}},
		{name: "physdev all", line: "-A X -m physdev ! --physdev-in tap+ --physdev-out qvb1 ! --physdev-is-in --physdev-is-out ! --physdev-is-bridged",
			matches: []Match{&Module{"physdev"}, &Physdev{Opt: PhysdevIn, Name: "tap+", Invert: true}, &Physdev{Opt: PhysdevOut, Name: "qvb1"},
				&Physdev{Opt: PhysdevIsIn, Invert: true}, &Physdev{Opt: PhysdevIsOut}, &Physdev{Opt: PhysdevIsBridged, Invert: true}}},
		{name: "marks", line: "-A X -m mark --mark 0x1/0xff -m connmark ! --mark 5",
			matches: []Match{&Module{"mark"}, &MarkMatch{Value: 1, Mask: 0xff}, &Module{"connmark"}, &MarkMatch{Value: 5, Mask: 0xffffffff, Conn: true, Invert: true}},
			printed: "-A X -m mark --mark 0x1/0xff -m connmark ! --mark 0x5"},
		{name: "icmp types", line: "-A X -p icmp -m icmp --icmp-type echo-request -m icmp ! --icmp-type 3/4 -m icmp --icmp-type any",
			matches: []Match{&Proto{Num: 1}, &Module{"icmp"}, &ICMPType{Type: 8, AnyCode: true}, &Module{"icmp"}, &ICMPType{Type: 3, Code: 4, Invert: true},
				&Module{"icmp"}, &ICMPType{AnyType: true}},
			printed: "-A X -p icmp -m icmp --icmp-type 8 -m icmp ! --icmp-type 3/4 -m icmp --icmp-type any"},
		{name: "addrtype", line: "-A X -m addrtype ! --src-type LOCAL,BROADCAST --limit-iface-in",
			matches: []Match{&Module{"addrtype"}, &AddrTypeMatch{Types: AddrLocal | AddrBroadcast, Invert: true}, &AddrTypeLimit{}}},
		{name: "set both dirs negated", line: "-A X -m set ! --match-set s1 src,dst",
			matches: []Match{&Module{"set"}, &SetMatch{Name: "s1", Dirs: []Dir{DirSrc, DirDst}, Invert: true}}},
		{name: "iprange", line: "-A X -m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1",
			matches: []Match{&Module{"iprange"}, &IPRange{From: addr("10.0.0.1"), To: addr("10.0.0.9")},
				&IPRange{Dir: DirDst, From: addr("10.1.0.1"), To: addr("10.1.0.1"), Invert: true}},
			printed: "-A X -m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.1"},
		{name: "quoted bang is a value", line: `-A X -m comment --comment "!" -i "a b"`,
			matches: []Match{&Module{"comment"}, &Comment{"!"}, &Iface{Name: "a b"}}},
		{name: "unknown module", line: "-A X -m limit --limit 5/sec ! --limit-burst 3 -s 1.2.3.4 -j ACCEPT",
			matches: []Match{&Unsupported{"-m limit --limit 5/sec ! --limit-burst 3"}, &Addr{Prefix: pfx("1.2.3.4/32")}},
			target:  &Terminal{VerdictAccept}, printed: "-A X -m limit --limit 5/sec ! --limit-burst 3 -s 1.2.3.4/32 -j ACCEPT"},
		{name: "unknown option of known module", line: `-A X -p tcp -m tcp --tcp-option 5 "x y" --dport 1`,
			matches: []Match{&Proto{Num: 6}, &Module{"tcp"}, &Unsupported{`--tcp-option 5 "x y"`}, &Ports{Dir: DirDst, Ranges: []PortRange{{1, 1}}}}},
		{name: "unknown conntrack option", line: "-A X -m conntrack ! --ctstatus ASSURED",
			matches: []Match{&Module{"conntrack"}, &Unsupported{"! --ctstatus ASSURED"}}},

		{name: "accept", line: "-A X -j ACCEPT", target: &Terminal{VerdictAccept}},
		{name: "drop", line: "-A X -j DROP", target: &Terminal{VerdictDrop}},
		{name: "return", line: "-A X -j RETURN", target: &Terminal{VerdictReturn}},
		{name: "reject", line: "-A X -j REJECT --reject-with icmp-host-prohibited", target: &Reject{With: "icmp-host-prohibited"}},
		{name: "jump", line: "-A X -j Y", target: &Jump{Chain: "Y"}},
		{name: "goto", line: "-A X -g Y", target: &Jump{Chain: "Y", Goto: true}},
		{name: "snat range", line: "-A X -j SNAT --to-source 1.1.1.1-1.1.1.4:1000-2000 --random --persistent",
			target: &NAT{Kind: SNAT, MinAddr: addr("1.1.1.1"), MaxAddr: addr("1.1.1.4"), Ports: PortRange{1000, 2000}, HasPorts: true, Random: true, Persistent: true}},
		{name: "dnat port only", line: "-A X -j DNAT --to-destination :8080",
			target: &NAT{Kind: DNAT, Ports: PortRange{8080, 8080}, HasPorts: true}},
		{name: "masquerade ports", line: "-A X -j MASQUERADE --to-ports 1024-2048 --random",
			target: &NAT{Kind: Masquerade, Ports: PortRange{1024, 2048}, HasPorts: true, Random: true}},
		{name: "redirect", line: "-A X -p tcp -j REDIRECT --to-ports 3128",
			matches: []Match{&Proto{Num: 6}}, target: &NAT{Kind: Redirect, Ports: PortRange{3128, 3128}, HasPorts: true}},
		{name: "mark set-xmark", line: "-A X -j MARK --set-xmark 0x4000/0x4000", target: &MarkTarget{Op: MarkSetX, Value: 0x4000, Mask: 0x4000}},
		{name: "mark set-mark", line: "-A X -j MARK --set-mark 0x1", target: &MarkTarget{Op: MarkSet, Value: 1, Mask: 0xffffffff},
			printed: "-A X -j MARK --set-mark 0x1/0xffffffff"},
		{name: "mark and", line: "-A X -j MARK --and-mark 0xff", target: &MarkTarget{Op: MarkAnd, Value: 0xff}},
		{name: "mark or", line: "-A X -j MARK --or-mark 0x2", target: &MarkTarget{Op: MarkOr, Value: 2}},
		{name: "mark xor", line: "-A X -j MARK --xor-mark 0x3", target: &MarkTarget{Op: MarkXor, Value: 3}},
		{name: "connmark save", line: "-A X -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xffff",
			target: &MarkTarget{Conn: true, Op: MarkSave, NfMask: 0xff, CtMask: 0xffff}},
		{name: "connmark restore mask", line: "-A X -j CONNMARK --restore-mark --mask 0xf",
			target:  &MarkTarget{Conn: true, Op: MarkRestore, NfMask: 0xf, CtMask: 0xf},
			printed: "-A X -j CONNMARK --restore-mark --nfmask 0xf --ctmask 0xf"},
		{name: "connmark set", line: "-A X -j CONNMARK --set-xmark 0x1/0xffffffff", target: &MarkTarget{Conn: true, Op: MarkSetX, Value: 1, Mask: 0xffffffff}},
		{name: "log", line: `-A X -j LOG --log-prefix "dropped: " --log-level 7 --log-uid`,
			target: &Log{Prefix: "dropped: ", Level: "7", Flags: []string{"--log-uid"}}},
		{name: "ct zone", line: "-A X -j CT --zone 4097", target: &CT{Zone: 4097}},
		{name: "ct notrack", line: "-A X -j CT --notrack", target: &CT{Notrack: true}},
		{name: "notrack", line: "-A X -j NOTRACK", target: &Notrack{}},
		{name: "checksum", line: "-A X -p udp -j CHECKSUM --checksum-fill", matches: []Match{&Proto{Num: 17}}, target: &Checksum{}},
		{name: "tcpmss", line: "-A X -j TCPMSS --clamp-mss-to-pmtu", target: &TCPMSS{ClampPMTU: true}},
		{name: "tcpmss set", line: "-A X -j TCPMSS --set-mss 1400", target: &TCPMSS{MSS: 1400}},
		{name: "count only", line: "-A X -s 10.0.0.0/8", matches: []Match{&Addr{Prefix: pfx("10.0.0.0/8")}}},
		{name: "unknown target", line: "-A X -j NFQUEUE --queue-num 3", target: &Unsupported{"-j NFQUEUE --queue-num 3"}},
		{name: "unknown target without options", line: "-A X -j TPROXY", target: &Unsupported{"-j TPROXY"}},
		{name: "unknown option of known target", line: "-A X -j LOG --log-foo", target: &Unsupported{"-j LOG --log-foo"}},
		{name: "ct helper", line: "-A X -j CT --helper ftp", target: &Unsupported{"-j CT --helper ftp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ruleIn(t, tt.line)
			if diff := cmp.Diff(tt.matches, r.Matches, cmpopts.EquateEmpty(), netipOpts); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.target, r.Target, netipOpts); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
			want := tt.printed
			if want == "" {
				want = tt.line
			}
			if got := r.canonical(); got != want {
				t.Errorf("printed\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const head = "*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n"
	tests := []struct {
		name, text, want string
	}{
		{"rule outside table", "-A INPUT -j ACCEPT\n", "line 1: rule outside a table: expected a *table line first"},
		{"undeclared chain", head + "-A FOO -j ACCEPT\nCOMMIT\n", "line 4: chain FOO not declared in table filter"},
		{"missing commit", head + "-A X -j ACCEPT\n", "line 4: table filter: missing COMMIT"},
		{"new table before commit", head + "*nat\n", "line 4: table filter: missing COMMIT before *nat"},
		{"missing value", head + "-A X -s\nCOMMIT\n", "line 4: -s: missing value"},
		{"missing value after old negation", head + "-A X -p tcp --dport !\nCOMMIT\n", "line 4: --dport: missing value"},
		{"missing target", head + "-A X -j\nCOMMIT\n", "line 4: -j: missing value"},
		{"bad address", head + "-A X -d 10.0.0.300\nCOMMIT\n", `line 4: -d: bad address "10.0.0.300": expected an IPv4 address or CIDR`},
		{"ipv6 address", head + "-A X -s ::1\nCOMMIT\n", `line 4: -s: bad address "::1": expected an IPv4 address or CIDR`},
		{"bad prefix length", head + "-A X -s 10.0.0.0/33\nCOMMIT\n", `line 4: -s: bad address "10.0.0.0/33": expected an IPv4 address or CIDR`},
		{"jump to undefined chain", head + "-A X -j NOWHERE\nCOMMIT\n", "line 4: jump to undefined chain NOWHERE"},
		{"goto undefined chain", head + "-A X -g NOWHERE\nCOMMIT\n", "line 4: goto undefined chain NOWHERE"},
		{"jump to builtin", head + "-A X -j INPUT\nCOMMIT\n", "line 4: -j INPUT: cannot jump to a builtin chain"},
		{"unknown table", "*bogus\n", `line 1: unknown table "bogus": expected raw, mangle, nat, filter or security`},
		{"duplicate table", "*nat\nCOMMIT\n*nat\n", "line 3: table nat appears twice"},
		{"commit outside", "COMMIT\n", "line 1: COMMIT outside a table"},
		{"chain outside", ":INPUT ACCEPT [0:0]\n", "line 1: chain declaration outside a table"},
		{"bad policy", "*filter\n:INPUT REJECT [0:0]\n", `line 2: builtin chain INPUT: policy "REJECT", expected ACCEPT or DROP`},
		{"user chain policy", "*filter\n:FOO ACCEPT [0:0]\n", `line 2: chain FOO is not a builtin chain of table filter: expected policy "-"`},
		{"chain twice", head + ":X - [0:0]\n", "line 4: chain X declared twice"},
		{"bad declaration", "*filter\n:X\n", `line 2: chain declaration ":X": expected :NAME POLICY [packets:bytes]`},
		{"unexpected line", "*filter\n-I INPUT -j ACCEPT\n", `line 2: unexpected "-I": expected *table, :chain, -A, COMMIT or a # comment`},
		{"unterminated quote", head + "-A X -m comment --comment \"oops\nCOMMIT\n", "line 4: unterminated quote"},
		{"dangling bang", head + "-A X !\nCOMMIT\n", `line 4: "!" must be followed by an option`},
		{"stray argument", head + "-A X -s 1.2.3.4 5.6.7.8\nCOMMIT\n", `line 4: unexpected argument "5.6.7.8": expected an option`},
		{"negated comment", head + "-A X -m comment ! --comment x\nCOMMIT\n", "line 4: --comment cannot be negated"},
		{"negated jump", head + "-A X ! -j ACCEPT\nCOMMIT\n", "line 4: -j cannot be negated"},
		{"bad port", head + "-A X -p tcp -m tcp --dport ssh\nCOMMIT\n", `line 4: bad port "ssh": expected a port 0-65535 or a range A:B`},
		{"bad port range", head + "-A X -p tcp -m tcp --dport 9:1\nCOMMIT\n", `line 4: bad port "9:1": expected a port 0-65535 or a range A:B`},
		{"bad state", head + "-A X -m state --state NEW,BOGUS\nCOMMIT\n", `line 4: --state: unknown state "BOGUS"`},
		{"bad icmp type", head + "-A X -p icmp -m icmp --icmp-type pingu\nCOMMIT\n", `line 4: --icmp-type: unknown ICMP type "pingu"`},
		{"bad mac", head + "-A X -m mac --mac-source FA:16:3E\nCOMMIT\n", `line 4: --mac-source: bad MAC "FA:16:3E": expected XX:XX:XX:XX:XX:XX`},
		{"bad mark", head + "-A X -m mark --mark x1\nCOMMIT\n", `line 4: --mark: bad mark "x1": expected VALUE or VALUE/MASK`},
		{"snat without address", head + "-A X -j SNAT --random\nCOMMIT\n", "line 4: SNAT: missing --to-source"},
		{"bad nat range", head + "-A X -j DNAT --to-destination 1.2.3:80\nCOMMIT\n", `line 4: --to-destination: bad range "1.2.3:80": expected ADDR[-ADDR][:PORT[-PORT]]`},
		{"mark without op", head + "-A X -j MARK\nCOMMIT\n", "line 4: MARK: expected exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark"},
		{"bad set flags", head + "-A X -m set --match-set s1 both\nCOMMIT\n", `line 4: --match-set: bad flags "both": expected src, dst or a list of them`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if _, ok := err.(*ParseError); !ok {
				t.Errorf("error type %T, want *ParseError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// sameRuleset compares what Parse recovers from printed text: everything but
// the source position and original spelling of rules.
var sameRuleset = cmp.Options{
	cmpopts.IgnoreFields(Rule{}, "Line", "Text"),
	cmpopts.IgnoreUnexported(Chain{}, Rule{}),
	cmpopts.EquateEmpty(),
	netipOpts,
}

// netipOpts compares addresses by value and ignores a rule's table back-pointer.
var netipOpts = cmp.Options{cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}), cmpopts.IgnoreUnexported(Rule{})}

func TestRoundTrip(t *testing.T) {
	inputs := map[string]string{"generated": GenerateNeutronHost(20)}
	for _, name := range fixtures {
		inputs[name] = readFixture(t, name)
	}
	for name, text := range inputs {
		t.Run(name, func(t *testing.T) {
			rs, err := Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			printed := rs.String()
			again, err := Parse(printed)
			if err != nil {
				t.Fatalf("reparse: %v\n%s", err, printed)
			}
			if diff := cmp.Diff(rs, again, sameRuleset); diff != "" {
				t.Errorf("round trip (-parsed +reparsed):\n%s", diff)
			}
			if again.String() != printed {
				t.Errorf("printing is not a fixpoint")
			}
		})
	}
}

func TestFindRule(t *testing.T) {
	rs := parseFixture(t, "docker_host.txt")
	tests := []struct {
		name, table, text string
		wantLine          int
	}{
		{"exact", "filter", "-A DOCKER-USER -j RETURN", 36},
		{"extra spaces", "filter", "  -A   DOCKER-USER  -j   RETURN ", 36},
		{"wrong table", "nat", "-A DOCKER-USER -j RETURN", 0},
		{"no such rule", "filter", "-A DOCKER-USER -j DROP", 0},
		{"no such table", "raw", "-A DOCKER-USER -j RETURN", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rs.FindRule(tt.table, tt.text)
			got := 0
			if r != nil {
				got = r.Line
			}
			if got != tt.wantLine {
				t.Errorf("line %d, want %d", got, tt.wantLine)
			}
		})
	}
}

// TestRuleTable: a parsed rule knows its table, and the owner its ruleset
// is given, so that it can be named alone.
func TestRuleTable(t *testing.T) {
	rs := parseFixture(t, "docker_host.txt")
	r := rs.FindRule("nat", "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE")
	if r == nil || r.Table() != rs.Table("nat") {
		t.Fatalf("rule %v: table %v, want nat", r, r.Table())
	}
	rs.SetOwner("h1:root")
	if got := r.Table().Owner; got != "h1:root" {
		t.Errorf("owner %q, want h1:root", got)
	}
	if (&Rule{}).Table() != nil {
		t.Error("a rule built by hand has a table")
	}
}

func TestEnumText(t *testing.T) {
	tests := []struct {
		name string
		v    interface{ MarshalText() ([]byte, error) }
		want string
	}{
		{"verdict", VerdictUnsupported, "UNSUPPORTED"},
		{"ctstate", CtEstablished | CtDNAT, "ESTABLISHED,DNAT"},
		{"ctstate none", CtState(0), "NONE"},
		{"addrtype", AddrLocal | AddrMulticast, "LOCAL,MULTICAST"},
		{"dir", DirDst, "dst"},
		{"nat kind", Masquerade, "MASQUERADE"},
		{"physdev", PhysdevIsBridged, "--physdev-is-bridged"},
		{"mark op", MarkRestore, "--restore-mark"},
		{"out of range", Verdict(42), "Verdict(42)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := tt.v.MarshalText()
			if string(b) != tt.want {
				t.Errorf("got %q, want %q", b, tt.want)
			}
		})
	}
}
