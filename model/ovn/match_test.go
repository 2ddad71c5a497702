package ovn

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// mpkt builds a test packet. proto is eth, arp, rarp, ip4, ip6, tcp, udp,
// sctp, icmp4 or icmp6 (tcp and udp take their IP version from src); src and
// dst are "addr" or "addr:port" ("[v6]:port"), for arp the SPA and TPA.
func mpkt(proto, src, dst string) *packetB {
	b := &packetB{}
	p := &b.Packet
	s, d := parseEndpoint(src), parseEndpoint(dst)
	switch proto {
	case "eth":
		p.EthType = 0x1234
		return b
	case "arp", "rarp":
		p.EthType, p.ARPOp, p.ARPSPA, p.ARPTPA = EthARP, 1, s.Addr(), d.Addr()
		if proto == "rarp" {
			p.EthType = 0x8035
		}
		return b
	}
	p.EthType, p.IPSrc, p.IPDst, p.IPTTL = EthIPv4, s.Addr(), d.Addr(), 64
	if s.Addr().Is6() {
		p.EthType = EthIPv6
	}
	p.L4Src, p.L4Dst = s.Port(), d.Port()
	p.IPProto = map[string]uint8{"tcp": 6, "udp": 17, "sctp": 132, "icmp4": 1, "icmp6": 58}[proto]
	return b
}

func parseEndpoint(s string) netip.AddrPort {
	if s == "" {
		return netip.AddrPort{}
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap
	}
	return netip.AddrPortFrom(netip.MustParseAddr(s), 0)
}

// packetB is a Packet with setters for the table below.
type packetB struct{ Packet }

func (b *packetB) in(s string) *packetB     { b.InPort = s; return b }
func (b *packetB) out(s string) *packetB    { b.OutPort = s; return b }
func (b *packetB) ct(s CTState) *packetB    { b.CT = s; return b }
func (b *packetB) mark(m uint32) *packetB   { b.CTMark = m; return b }
func (b *packetB) label(lo uint64) *packetB { b.CTLabel[1] = lo; return b }
func (b *packetB) ttl(t uint8) *packetB     { b.IPTTL = t; return b }
func (b *packetB) frag() *packetB           { b.IPFrag = true; return b }
func (b *packetB) flags(f uint32) *packetB  { b.Flags = f; return b }
func (b *packetB) reg(i int, v uint32) *packetB {
	b.Reg[i] = v
	return b
}
func (b *packetB) icmp(typ, code uint8) *packetB {
	b.ICMPType, b.ICMPCode = typ, code
	return b
}
func (b *packetB) vlan(vid uint16, pcp uint8) *packetB {
	b.VLANPresent, b.VLANID, b.VLANPCP = true, vid, pcp
	return b
}
func (b *packetB) eth(src, dst string) *packetB {
	b.EthSrc, b.EthDst = testMAC(src), testMAC(dst)
	return b
}
func (b *packetB) arpHW(sha, tha string) *packetB {
	b.ARPSHA, b.ARPTHA = testMAC(sha), testMAC(tha)
	return b
}
func (b *packetB) nd(target, sll string) *packetB {
	b.NDTarget, b.NDSLL = netip.MustParseAddr(target), testMAC(sll)
	return b
}

func testMAC(s string) MAC {
	var m MAC
	if s != "" {
		fmt.Sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5])
	}
	return m
}

// testSets is a Sets backed by maps.
type testSets struct{ pgs, as map[string][]string }

func (s testSets) PortGroup(n string) ([]string, bool)  { v, ok := s.pgs[n]; return v, ok }
func (s testSets) AddressSet(n string) ([]string, bool) { v, ok := s.as[n]; return v, ok }

var neutronSets = testSets{
	pgs: map[string][]string{
		"pg_6a7f4c1e_7b2d_4c8e_9a11_2b8f0e4d5c6a": {"vm1", "vm2"},
		"pg":      {"vm1", "vm2", "vm3"},
		"pgempty": {},
		"pgbig":   bigNames("lsp-", 1000),
	},
	as: map[string][]string{
		"pg_x_ip4": {"10.0.0.5", "10.0.0.6", "10.0.1.0/24"},
		"as6":      {"fd00::1", "fd00:1::/64"},
		"empty":    {},
		"junk":     {"not-an-address", "10.9.9.9", ""},
		"macs":     {"fa:16:3e:00:00:01", "fa:16:3e:00:00:02"},
		"big":      append(bigPrefixes(1000), "192.168.0.0/16", "10.200.0.1", "172.16.0.0/255.255.0.255"),
		"ports":    {"22", "80"},
	},
}

func bigNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

// bigPrefixes returns n prefixes 10.x.y.0/24 and 10.x.y.z/32, alternately.
func bigPrefixes(n int) []string {
	out := make([]string, n)
	for i := range out {
		if i%2 == 0 {
			out[i] = fmt.Sprintf("10.%d.%d.0/24", 100+i/256, i%256)
		} else {
			out[i] = fmt.Sprintf("10.%d.%d.7", 100+i/256, i%256)
		}
	}
	return out
}

var matchCases = []struct {
	name    string
	match   string
	yes, no []*packetB
}{
	{
		name:  "neutron port group ingress",
		match: "inport == @pg_6a7f4c1e_7b2d_4c8e_9a11_2b8f0e4d5c6a && ip4",
		yes:   []*packetB{mpkt("tcp", "10.0.0.5:1234", "10.0.1.5:443").in("vm2")},
		no: []*packetB{
			mpkt("tcp", "10.0.0.5:1234", "10.0.1.5:443").in("vm3"),
			mpkt("tcp", "[fd00::5]:1234", "[fd00::6]:443").in("vm1"),
			mpkt("arp", "10.0.0.5", "10.0.0.1").in("vm1"),
		},
	},
	{
		name:  "ssh from a prefix",
		match: "outport == @pg && ip4 && ip4.src == 10.0.0.0/16 && tcp && tcp.dst == 22",
		yes:   []*packetB{mpkt("tcp", "10.0.200.9:40000", "10.1.0.5:22").out("vm3")},
		no: []*packetB{
			mpkt("udp", "10.0.200.9:40000", "10.1.0.5:22").out("vm3"),
			mpkt("tcp", "10.0.200.9:40000", "10.1.0.5:23").out("vm3"),
			mpkt("tcp", "10.1.0.9:40000", "10.1.0.5:22").out("vm3"),
			mpkt("tcp", "10.0.200.9:40000", "10.1.0.5:22").out("vm4"),
		},
	},
	{
		name:  "remote group and port range",
		match: "outport == @pg && ip4 && ip4.src == $pg_x_ip4 && udp && udp.dst >= 5000 && udp.dst <= 5010",
		yes: []*packetB{
			mpkt("udp", "10.0.0.5:1", "10.0.9.9:5000").out("vm1"),
			mpkt("udp", "10.0.1.77:1", "10.0.9.9:5010").out("vm1"),
		},
		no: []*packetB{
			mpkt("udp", "10.0.0.5:1", "10.0.9.9:4999").out("vm1"),
			mpkt("udp", "10.0.0.5:1", "10.0.9.9:5011").out("vm1"),
			mpkt("tcp", "10.0.0.5:1", "10.0.9.9:5005").out("vm1"),
			mpkt("udp", "10.0.0.7:1", "10.0.9.9:5005").out("vm1"),
		},
	},
	{
		name:  "not established needs tracking",
		match: "ip4.dst == {10.0.0.0/8, 192.168.0.0/16} && !ct.est",
		yes: []*packetB{
			mpkt("tcp", "1.1.1.1:1", "10.2.3.4:80").ct(CTTrk | CTNew),
			mpkt("udp", "1.1.1.1:1", "192.168.7.7:53").ct(CTTrk),
		},
		no: []*packetB{
			mpkt("tcp", "1.1.1.1:1", "10.2.3.4:80").ct(CTTrk | CTEst),
			mpkt("tcp", "1.1.1.1:1", "172.16.0.1:80").ct(CTTrk | CTNew),
			mpkt("tcp", "1.1.1.1:1", "10.2.3.4:80"), // ct.est implies ct.trk, negated or not
		},
	},
	{
		name:  "port security arp",
		match: `inport == "lsp1" && eth.src == {fa:16:3e:11:22:33} && arp.sha == fa:16:3e:11:22:33`,
		yes:   []*packetB{mpkt("arp", "10.0.0.5", "10.0.0.1").in("lsp1").eth("fa:16:3e:11:22:33", "ff:ff:ff:ff:ff:ff").arpHW("fa:16:3e:11:22:33", "")},
		no: []*packetB{
			mpkt("arp", "10.0.0.5", "10.0.0.1").in("lsp1").eth("fa:16:3e:11:22:33", "").arpHW("fa:16:3e:11:22:34", ""),
			mpkt("arp", "10.0.0.5", "10.0.0.1").in("lsp2").eth("fa:16:3e:11:22:33", "").arpHW("fa:16:3e:11:22:33", ""),
			mpkt("tcp", "10.0.0.5:1", "10.0.0.1:2").in("lsp1").eth("fa:16:3e:11:22:33", "").arpHW("fa:16:3e:11:22:33", ""),
		},
	},
	{
		name:  "dotted mask",
		match: "ip4 && ip4.dst == 10.0.4.0/255.255.255.0",
		yes:   []*packetB{mpkt("icmp4", "1.1.1.1", "10.0.4.7")},
		no:    []*packetB{mpkt("icmp4", "1.1.1.1", "10.0.5.7"), mpkt("ip6", "::1", "::2")},
	},
	{
		name:  "register bits",
		match: "reg0[7] == 1 && reg0[8] == 1",
		yes:   []*packetB{mpkt("eth", "", "").reg(0, 0x180), mpkt("eth", "", "").reg(0, 0xffffffff)},
		no:    []*packetB{mpkt("eth", "", "").reg(0, 0x80), mpkt("eth", "", "").reg(1, 0x180)},
	},
	{
		name:  "legacy ct_label.blocked",
		match: "ct_label.blocked == 0",
		yes:   []*packetB{mpkt("eth", "", ""), mpkt("eth", "", "").label(2)},
		no:    []*packetB{mpkt("eth", "", "").label(1)},
	},
	{
		name:  "ct_mark.blocked",
		match: "ct.est && ct_mark.blocked == 1",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2").ct(CTTrk | CTEst).mark(1)},
		no: []*packetB{
			mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2").ct(CTTrk | CTEst),
			mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2").ct(CTEst).mark(1), // ct.est requires ct.trk
		},
	},
	{
		name:  "icmp echo",
		match: "icmp4.type == 8",
		yes:   []*packetB{mpkt("icmp4", "1.1.1.1", "2.2.2.2").icmp(8, 0)},
		no: []*packetB{
			mpkt("icmp4", "1.1.1.1", "2.2.2.2").icmp(0, 0),
			mpkt("icmp6", "::1", "::2").icmp(8, 0),
			mpkt("udp", "1.1.1.1:8", "2.2.2.2:8").icmp(8, 0),
		},
	},
	{
		name:  "not equal keeps the prerequisite",
		match: "tcp.dst != 22",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:80"), mpkt("tcp", "[::1]:1", "[::2]:80")},
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:22"), mpkt("udp", "1.1.1.1:1", "2.2.2.2:80"), mpkt("arp", "1.1.1.1", "2.2.2.2")},
	},
	{
		name:  "negated comparison keeps the prerequisite",
		match: "!(tcp.dst == 22)",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:80")},
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:22"), mpkt("udp", "1.1.1.1:1", "2.2.2.2:80")},
	},
	{
		name:  "range as OVN writes it",
		match: "1000 <= tcp.dst <= 2000",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:1000"), mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2000")},
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:999"), mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2001"), mpkt("udp", "1.1.1.1:1", "2.2.2.2:1500")},
	},
	{
		name:  "negated range",
		match: "tcp && !(1000 <= tcp.dst <= 2000)",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:999"), mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2001")},
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:1500"), mpkt("udp", "1.1.1.1:1", "2.2.2.2:80")},
	},
	{
		name:  "set of ports",
		match: "tcp.dst == {22, 80 443,}",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:443")},
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:8080"), mpkt("udp", "1.1.1.1:1", "2.2.2.2:80")},
	},
	{
		name:  "not in a set",
		match: "tcp.dst != {22, 80}",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:443")},
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:80"), mpkt("udp", "1.1.1.1:1", "2.2.2.2:443")},
	},
	{
		name:  "masked MAC",
		match: "eth.src == 00:00:00:00:00:00/01:00:00:00:00:00",
		yes:   []*packetB{mpkt("eth", "", "").eth("fa:16:3e:00:00:01", "")},
		no:    []*packetB{mpkt("eth", "", "").eth("01:00:5e:00:00:01", "")},
	},
	{
		name:  "masked integer",
		match: "tcp.dst == 0x100/0xff00",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:427")}, // 0x1ab
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:683")}, // 0x2ab
	},
	{name: "true", match: "1", yes: []*packetB{mpkt("eth", "", ""), mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2")}},
	{name: "false", match: "0", no: []*packetB{mpkt("eth", "", ""), mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2")}},
	{name: "not false", match: "!0 && ip4", yes: []*packetB{mpkt("ip4", "1.1.1.1", "2.2.2.2")}},
	{
		name:  "ipv6 link local icmp6",
		match: "ip6 && ip6.src == fe80::/10 && icmp6",
		yes:   []*packetB{mpkt("icmp6", "fe80::1", "ff02::1")},
		no:    []*packetB{mpkt("icmp6", "fd00::1", "ff02::1"), mpkt("udp", "[fe80::1]:1", "[ff02::1]:2")},
	},
	{
		name:  "broadcast and multicast",
		match: "eth.bcast || (eth.mcast && !eth.bcast)",
		yes:   []*packetB{mpkt("eth", "", "").eth("", "ff:ff:ff:ff:ff:ff"), mpkt("eth", "", "").eth("", "01:00:5e:00:00:fb")},
		no:    []*packetB{mpkt("eth", "", "").eth("", "fa:16:3e:00:00:01")},
	},
	{
		name:  "vlan",
		match: "vlan.vid == 100 && vlan.pcp == 5",
		yes:   []*packetB{mpkt("eth", "", "").vlan(100, 5)},
		no:    []*packetB{mpkt("eth", "", ""), mpkt("eth", "", "").vlan(100, 0), mpkt("eth", "", "").vlan(101, 5)},
	},
	{
		name:  "untagged or vlan 0",
		match: "!vlan.present || vlan.tci[0..11] == 0",
		yes:   []*packetB{mpkt("eth", "", ""), mpkt("eth", "", "").vlan(0, 3)},
		no:    []*packetB{mpkt("eth", "", "").vlan(7, 0)},
	},
	{
		name:  "bare multibit field under not",
		match: "!vlan.pcp",
		yes:   []*packetB{mpkt("eth", "", "").vlan(7, 0)},
		no:    []*packetB{mpkt("eth", "", "").vlan(7, 1), mpkt("eth", "", "")}, // vlan.pcp requires vlan.present
	},
	{
		name:  "wide registers overlay narrow ones",
		match: "xreg0 == 0x100000002 && xxreg1[0..31] == 9 && reg8 == 3 && xreg4[0..31] == 4",
		yes:   []*packetB{mpkt("eth", "", "").reg(0, 1).reg(1, 2).reg(7, 9).reg(8, 3).reg(9, 4)},
		no:    []*packetB{mpkt("eth", "", "").reg(0, 2).reg(1, 1).reg(7, 9).reg(8, 3).reg(9, 4)},
	},
	{
		name:  "flags",
		match: "flags.loopback == 1 && !flags.force_snat_for_lb",
		yes:   []*packetB{mpkt("eth", "", "").flags(FlagBits["loopback"])},
		no:    []*packetB{mpkt("eth", "", ""), mpkt("eth", "", "").flags(FlagBits["loopback"] | FlagBits["force_snat_for_lb"])},
	},
	{
		name:  "neighbor solicitation",
		match: "nd_ns && nd.target == fe80::1 && nd.sll == fa:16:3e:00:00:01",
		yes:   []*packetB{mpkt("icmp6", "fe80::2", "ff02::1:ff00:1").icmp(135, 0).ttl(255).nd("fe80::1", "fa:16:3e:00:00:01")},
		no: []*packetB{
			mpkt("icmp6", "fe80::2", "ff02::1:ff00:1").icmp(135, 0).ttl(64).nd("fe80::1", "fa:16:3e:00:00:01"),
			mpkt("icmp6", "fe80::2", "ff02::1:ff00:1").icmp(136, 0).ttl(255).nd("fe80::1", "fa:16:3e:00:00:01"),
		},
	},
	{
		name:  "negated Boolean predicate negates its prerequisites",
		match: "!ip4.mcast",
		yes:   []*packetB{mpkt("arp", "1.1.1.1", "2.2.2.2"), mpkt("udp", "1.1.1.1:1", "224.0.0.251:5353")},
		no:    []*packetB{mpkt("udp", "1.1.1.1:1", "224.0.0.251:5353").eth("", "01:00:5e:00:00:fb")},
	},
	{
		name:  "empty address set never equals",
		match: "ip4.src == $empty",
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2"), mpkt("arp", "1.1.1.1", "2.2.2.2")},
	},
	{
		name:  "empty address set always differs, without prerequisite",
		match: "ip4.src != $empty",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:2"), mpkt("arp", "1.1.1.1", "2.2.2.2")},
	},
	{
		name:  "empty port group",
		match: "outport == @pgempty",
		no:    []*packetB{mpkt("eth", "", "").out("vm1"), mpkt("eth", "", "")},
	},
	{
		name:  "address set entries that are not addresses are skipped",
		match: "ip4.src == $junk",
		yes:   []*packetB{mpkt("ip4", "10.9.9.9", "1.1.1.1")},
		no:    []*packetB{mpkt("ip4", "10.9.9.8", "1.1.1.1")},
	},
	{
		name:  "port name sets",
		match: `inport == {"a", "b"} || !(outport != "c")`,
		yes:   []*packetB{mpkt("eth", "", "").in("b"), mpkt("eth", "", "").out("c")},
		no:    []*packetB{mpkt("eth", "", "").in("c").out("a")},
	},
	{
		name:  "large port group",
		match: "inport == @pgbig",
		yes:   []*packetB{mpkt("eth", "", "").in("lsp-0000"), mpkt("eth", "", "").in("lsp-0999")},
		no:    []*packetB{mpkt("eth", "", "").in("lsp-1000"), mpkt("eth", "", "")},
	},
	{
		name:  "large address set with prefixes, addresses and a non-prefix mask",
		match: "ip4.src == $big",
		yes: []*packetB{
			mpkt("ip4", "10.100.0.200", "1.1.1.1"), // 10.100.0.0/24
			mpkt("ip4", "10.100.1.7", "1.1.1.1"),   // 10.100.1.7
			mpkt("ip4", "10.103.231.7", "1.1.1.1"), // the last one, i=999
			mpkt("ip4", "192.168.44.1", "1.1.1.1"),
			mpkt("ip4", "10.200.0.1", "1.1.1.1"),
			mpkt("ip4", "172.16.99.0", "1.1.1.1"), // 172.16.0.0/255.255.0.255
		},
		no: []*packetB{
			mpkt("ip4", "10.100.1.8", "1.1.1.1"),
			mpkt("ip4", "10.99.255.255", "1.1.1.1"),
			mpkt("ip4", "10.200.0.2", "1.1.1.1"),
			mpkt("ip4", "172.16.99.1", "1.1.1.1"),
			mpkt("ip6", "::1", "::2"),
		},
	},
	{
		name:  "large address set negated",
		match: "ip4.src != $big",
		yes:   []*packetB{mpkt("ip4", "10.100.1.8", "1.1.1.1")},
		no:    []*packetB{mpkt("ip4", "10.100.1.7", "1.1.1.1"), mpkt("ip6", "::1", "::2")},
	},
	{
		name:  "mac address set",
		match: "eth.src == $macs",
		yes:   []*packetB{mpkt("eth", "", "").eth("fa:16:3e:00:00:02", "")},
		no:    []*packetB{mpkt("eth", "", "").eth("fa:16:3e:00:00:03", "")},
	},
	{
		name:  "ipv6 address set",
		match: "ip6.dst == $as6",
		yes:   []*packetB{mpkt("ip6", "::1", "fd00:1::99"), mpkt("ip6", "::1", "fd00::1")},
		no:    []*packetB{mpkt("ip6", "::1", "fd00:2::1"), mpkt("ip4", "1.1.1.1", "2.2.2.2")},
	},
	{
		name:  "reversed operands",
		match: "10.0.0.1 == ip4.src && 1024 > udp.src",
		yes:   []*packetB{mpkt("udp", "10.0.0.1:53", "2.2.2.2:53")},
		no:    []*packetB{mpkt("udp", "10.0.0.1:1024", "2.2.2.2:53")},
	},
	{
		name:  "prerequisites apply per comparison",
		match: "(ip4 || ip6) && (tcp.dst == 22 || udp.dst == 53)",
		yes:   []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:22"), mpkt("udp", "[::1]:1", "[::2]:53")},
		no:    []*packetB{mpkt("udp", "1.1.1.1:1", "2.2.2.2:22"), mpkt("tcp", "1.1.1.1:1", "2.2.2.2:53")},
	},
	{
		// OVN pushes ! inward, then adds each side's prerequisite:
		// (tcp.dst != 22 && tcp) && (udp.dst != 53 && udp).
		name:  "negated disjunction over two protocols matches nothing",
		match: "!(tcp.dst == 22 || udp.dst == 53)",
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:80"), mpkt("udp", "1.1.1.1:1", "2.2.2.2:80"), mpkt("arp", "1.1.1.1", "2.2.2.2")},
	},
	{
		name:  "ip fields",
		match: "ip.ttl == 255 && ip.proto == 17 && ip.dscp == 0 && ip.ecn == 0",
		yes:   []*packetB{mpkt("udp", "1.1.1.1:1", "2.2.2.2:2").ttl(255)},
		no:    []*packetB{mpkt("udp", "1.1.1.1:1", "2.2.2.2:2"), mpkt("arp", "1.1.1.1", "2.2.2.2").ttl(255)},
	},
	{
		name:  "fragments",
		match: "ip.is_frag",
		yes:   []*packetB{mpkt("udp", "1.1.1.1:1", "2.2.2.2:2").frag()},
		no:    []*packetB{mpkt("udp", "1.1.1.1:1", "2.2.2.2:2"), mpkt("arp", "1.1.1.1", "2.2.2.2").frag()},
	},
	{
		name:  "arp request",
		match: "arp.op == 1 && arp.tpa == 10.0.0.1",
		yes:   []*packetB{mpkt("arp", "10.0.0.5", "10.0.0.1")},
		no:    []*packetB{mpkt("arp", "10.0.0.5", "10.0.0.2"), mpkt("rarp", "10.0.0.5", "10.0.0.1")},
	},
	{
		name:  "rarp",
		match: "rarp && rarp.op == 1",
		yes:   []*packetB{mpkt("rarp", "10.0.0.5", "10.0.0.1")},
		no:    []*packetB{mpkt("arp", "10.0.0.5", "10.0.0.1")},
	},
	{
		name:  "sctp",
		match: "sctp.dst == 3868",
		yes:   []*packetB{mpkt("sctp", "1.1.1.1:1", "2.2.2.2:3868")},
		no:    []*packetB{mpkt("tcp", "1.1.1.1:1", "2.2.2.2:3868")},
	},
	{
		name:  "conntrack state field",
		match: "ct_state == 0x22/0x22 && ct.rpl == 0 && ct_mark[16..31] == 7",
		yes:   []*packetB{mpkt("eth", "", "").ct(CTTrk | CTEst | CTNew).mark(7 << 16)},
		no:    []*packetB{mpkt("eth", "", "").ct(CTTrk | CTEst | CTRpl).mark(7 << 16), mpkt("eth", "", "").ct(CTTrk).mark(7 << 16)},
	},
	{
		name:  "comments and 128-bit label",
		match: "ct_label[96..127] == 5 /* label */ && ct.trk // tracked",
		yes:   []*packetB{func() *packetB { b := mpkt("eth", "", "").ct(CTTrk); b.CTLabel[0] = 5 << 32; return b }()},
		no:    []*packetB{mpkt("eth", "", "").ct(CTTrk).label(5)},
	},
	{
		name:  "ordered comparison on an address",
		match: "ip4.src > 10.0.0.1 && ip4.src <= 10.0.0.3",
		yes:   []*packetB{mpkt("ip4", "10.0.0.2", "1.1.1.1"), mpkt("ip4", "10.0.0.3", "1.1.1.1")},
		no:    []*packetB{mpkt("ip4", "10.0.0.1", "1.1.1.1"), mpkt("ip4", "10.0.0.4", "1.1.1.1")},
	},
}

func TestMatchEval(t *testing.T) {
	for _, tt := range matchCases {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Compile(tt.match, neutronSets)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.match, err)
			}
			if e.String() != tt.match {
				t.Errorf("String() = %q, want %q", e.String(), tt.match)
			}
			for i, p := range tt.yes {
				if !e.Eval(&p.Packet) {
					t.Errorf("yes[%d] did not match: %+v", i, p.Packet)
				}
			}
			for i, p := range tt.no {
				if e.Eval(&p.Packet) {
					t.Errorf("no[%d] matched: %+v", i, p.Packet)
				}
			}
		})
	}
}

var matchErrorCases = []struct {
	match       string
	col         int
	msg         string // a substring
	unsupported bool
}{
	{"ip4.sr == 1", 1, `unknown field "ip4.sr"`, false},
	{"ip4 && ip4.src = 10.0.0.1", 16, `expected "==", "!=", "<", "<=", ">" or ">=" after field ip4.src, found "="`, false},
	{`inport "lsp1"`, 8, `expected "==" or "!=" after field inport`, false},
	{`outport != "lsp1"`, 9, "nominal field outport may only be tested for equality", false},
	{"outport != @pg", 9, "nominal field outport may only be tested for equality", false},
	{`!(inport == "lsp1")`, 10, "nominal field inport", false},
	{"eth.type != 0x800", 10, "nominal field eth.type", false},
	{"!ip4", 2, "predicate ip4 may only be tested positively", false},
	{"ip == 0", 4, "predicate ip may only be tested positively", false},
	{"!(tcp && tcp.dst == 22)", 3, "predicate tcp may only be tested positively", false},
	{"eth.type > 0x800", 10, `only "==" and "!=" may be used with nominal field eth.type`, false},
	{"inport < \"a\"", 8, "nominal field inport", false},
	{"vlan.present > 0", 14, "Boolean field vlan.present", false},
	{"tcp.dst > {1, 2}", 9, "with a set of values", false},
	{"tcp.dst < $empty", 9, "empty set", false},
	{"eth.src > 00:00:00:00:11:11/00:00:00:00:ff:ff", 11, "masked constant", false},
	{"tcp.dst == 70000", 12, "17-bit constant does not fit 16-bit field tcp.dst", false},
	{"ip4.src == ::1", 12, "128-bit constant does not fit 32-bit field ip4.src", false},
	{"inport == 1", 11, "string field inport cannot be compared with an integer", false},
	{`ip4.src == "x"`, 12, "integer field ip4.src cannot be compared with a string", false},
	{"inport == $pg_x_ip4", 11, "string field inport cannot be compared with an integer", false},
	{"tcp.dst == 1000..2000", 12, `ranges such as 1000..2000 are not OVN syntax: write "1000 <= tcp.dst <= 2000"`, false},
	{"tcp.dst == {22, 80, 8000..8080}", 21, "ranges such as 8000..8080", false},
	{"!tcp.dst == 22", 1, `"!" needs parentheses`, false},
	{"ip4 && tcp || udp", 12, "&& and || must be parenthesized when used together", false},
	{"tcp.dst", 1, `compare it explicitly, e.g. "tcp.dst != 0"`, false},
	{"reg0[0..3] /* x */ && ip4", 1, `reg0 is 4 bits wide: compare it explicitly, e.g. "reg0[0..3] != 0"`, false},
	{"ip4 && ×", 8, `invalid character '×'`, false},
	{"!(!(vlan.pcp))", 5, "compare it explicitly", false},
	{"(ip4", 5, `expected ")", found end of input`, false},
	{"ip4 )", 5, `expected end of input, found ")"`, false},
	{"ct.est ct.new", 8, "expected end of input", false},
	{"inport == @nope", 11, `port group "nope" does not exist`, false},
	{"ip4.src == $nope", 12, `address set "nope" does not exist`, false},
	{"eth.dst == {}", 13, `expected a constant, found "}"`, false},
	{`{1, "x"} == tcp.dst`, 5, "expected an integer", false},
	{"eth.type[5..1] == 1", 9, "invalid bit range 5..1", false},
	{"eth.type[12..16] == 1", 9, "cannot select bits 12..16 of 16-bit field eth.type", false},
	{"eth.type[10] == 1", 9, "cannot select bits of nominal field eth.type", false},
	{"inport[1] == 1", 7, "cannot select bits of string field inport", false},
	{"reg0[] == 1", 6, "expected a bit number", false},
	{"reg0[1 == 1", 8, `expected "]"`, false},
	{"1 == eth.type == 2", 15, "a range must read", false},
	{"123", 4, "expected a relational operator, found end of input", false},
	{"123 == 123", 8, "expected a field name", false},
	{"tcp.dst == 022", 12, "leading zeros", false},
	{"ip4.src == 256.1.2.3", 12, "invalid numeric constant", false},
	{"ip4.src == 10.0.0.0/0x10", 12, "incompatible formats", false},
	{"tcp.dst == 0x", 12, "hex digits expected", false},
	{`inport == "lsp1`, 11, "input ends inside quoted string", false},
	{"ip4 & tcp", 5, "`&' is only valid as part of `&&'", false},
	{"ip4 /* open", 5, "without matching", false},
	{"reg10 == 1", 1, "OVN's logical registers are reg0..reg9", false},
	{"flags.nonsense", 1, `unknown flag "flags.nonsense"`, false},
	{`foo("x")`, 1, `unknown function "foo"`, false},
	{"", 1, "empty match", false},
	{"ip4 && $", 8, "must be followed by a name", false},
	{strings.Repeat("(", 101) + "1" + strings.Repeat(")", 101), 101, "parentheses nested too deeply", false},
	{"pkt.mark == 1 && ip4.sr == 1", 18, `unknown field "ip4.sr"`, false},

	{"pkt.mark == 1", 1, "pkt.mark", true},
	{"ip6 && ip6.label == 5", 8, "ip6.label", true},
	{`ip4 && is_chassis_resident("lsp1")`, 8, "is_chassis_resident", true},
	{"ip.later_frag", 1, "later fragment", true},
	{"udp && !ip.first_frag", 9, "later fragment", true},
	{"ip.frag == 2", 1, "later fragment", true},
	{"flags.tunnel_rx == 1", 1, "flags.tunnel_rx is not modeled", true},
	{"flags[3]", 1, "flags register", true},
	{"ip4.dst == ^vip", 12, "template", true},
	{"from_evpn_vtep", 1, "register behind inport", true},
	{`remote_outport == "x"`, 1, "remote_outport", true},
}

func TestMatchErrors(t *testing.T) {
	for _, tt := range matchErrorCases {
		t.Run(tt.match, func(t *testing.T) {
			e, err := Compile(tt.match, neutronSets)
			if err == nil {
				t.Fatalf("Compile(%q) = %v, want an error", tt.match, e)
			}
			var me *MatchError
			if !errors.As(err, &me) {
				t.Fatalf("error %T is not a *MatchError", err)
			}
			if me.Col != tt.col || !strings.Contains(me.Msg, tt.msg) || me.Unsupported != tt.unsupported {
				t.Errorf("got col %d %q unsupported=%v, want col %d containing %q unsupported=%v",
					me.Col, me.Msg, me.Unsupported, tt.col, tt.msg, tt.unsupported)
			}
			if me.Match != tt.match {
				t.Errorf("Match = %q, want %q", me.Match, tt.match)
			}
		})
	}
}

func TestMatchErrorString(t *testing.T) {
	_, err := Compile("ip4 && ip4.sr == 1", nil)
	if got, want := err.Error(), `column 8: unknown field "ip4.sr"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestMatchNilSets(t *testing.T) {
	for _, m := range []string{"inport == @pg", "ip4.src == $as"} {
		if _, err := Compile(m, nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("Compile(%q, nil) = %v, want does not exist", m, err)
		}
	}
}

// TestMatchColumnsCountRunes checks that columns count characters, not bytes.
func TestMatchColumnsCountRunes(t *testing.T) {
	_, err := Compile(`inport == "é" && ip4.sr == 1`, nil)
	var me *MatchError
	if !errors.As(err, &me) || me.Col != 18 {
		t.Errorf("got %v, want column 18", err)
	}
}
