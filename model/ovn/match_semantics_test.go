package ovn

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestMatchEquivalences checks pairs of matches that OVN's own tests
// (tests/ovn.at, "expression parser" and "expression annotation") say mean
// the same, on many packets.
func TestMatchEquivalences(t *testing.T) {
	pairs := [][2]string{
		{"vlan.present == 1", "vlan.present"},
		{"!(vlan.present == 0)", "vlan.present"},
		{"vlan.present != 1", "!vlan.present"},
		{"!(vlan.present != 0)", "!vlan.present"},
		{"eth.dst[0] != 0", "eth.dst[0]"},
		{"!(eth.dst[0] != 0)", "!eth.dst[0]"},
		{"vlan.tci == 0x3000/0xf000", "vlan.tci[12..15] == 0x3"},
		{"vlan.tci != 0x3000/0xf000", "vlan.tci[12..15] != 0x3"},
		{"!(vlan.pcp)", "vlan.pcp == 0"},
		{"!(vlan.pcp <= 0x4)", "vlan.pcp > 0x4"},
		{"!(vlan.pcp < 0x4)", "vlan.pcp >= 0x4"},
		{"0x4 < vlan.pcp", "vlan.pcp > 0x4"},
		{"!(0x4 >= vlan.pcp)", "vlan.pcp > 0x4"},
		{"1 < vlan.pcp <= 4", "vlan.pcp > 0x1 && vlan.pcp <= 0x4"},
		{"!(1 <= vlan.pcp < 4)", "vlan.pcp < 0x1 || vlan.pcp >= 0x4"},
		{"!(4 >= vlan.pcp > 1)", "vlan.pcp > 0x4 || vlan.pcp <= 0x1"},
		{"vlan.pcp == {1, 2, 3, 4}", "vlan.pcp == 0x1 || vlan.pcp == 0x2 || vlan.pcp == 0x3 || vlan.pcp == 0x4"},
		{"vlan.pcp != {1, 2, 3, 4}", "vlan.pcp != 0x1 && vlan.pcp != 0x2 && vlan.pcp != 0x3 && vlan.pcp != 0x4"},
		{"vlan.pcp == 1 && !(!(vlan.pcp == 2 && vlan.pcp == 3) && vlan.pcp == 4)",
			"vlan.pcp == 0x1 && ((vlan.pcp == 0x2 && vlan.pcp == 0x3) || vlan.pcp != 0x4)"},
		{"ip4.src == {10.0.0.0/8, 192.168.0.0/16, 172.16.20.0/24, 8.8.8.8}",
			"ip4.src[24..31] == 0xa || ip4.src[16..31] == 0xc0a8 || ip4.src[8..31] == 0xac1014 || ip4.src == 0x8080808"},
		{"ip4.src == ::1.2.3.4/::ffff:ffff", "ip4.src == 0x1020304"},
		{"!1", "0"},
		{"ip4.src != 1.2.3.4", "ip4.src != 0x1020304 && eth.type == 0x800"},
		{"ip.proto == {123, 234}", "(ip.proto == 0x7b || ip.proto == 0xea) && (eth.type == 0x800 || eth.type == 0x86dd)"},
		{"tcp.dst == 1 || (tcp.dst >= 2 && tcp.dst <= 3)",
			"(tcp.dst == 0x1 || (tcp.dst >= 0x2 && tcp.dst <= 0x3)) && ip.proto == 0x6 && (eth.type == 0x800 || eth.type == 0x86dd)"},
		{"ip[0] == 1", "eth.type == 0x800 || eth.type == 0x86dd"},
		{"!vlan.pcp", "vlan.tci[13..15] == 0 && vlan.tci[12]"},
		{"vlan.pcp == 1 && vlan.vid == 2", "vlan.tci[13..15] == 0x1 && vlan.tci[12] && vlan.tci[0..11] == 0x2"},
		{"!reg0 && !reg1 && !reg2 && !reg3", "xxreg0 == 0"},
		{"!ct.est", "ct_state[1] == 0 && ct_state[5]"},
		{"nd", "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255 && eth.type == 0x86dd && ip.proto == 58"},
		{"icmp", "(ip.proto == 1 && eth.type == 0x800) || (ip.proto == 58 && eth.type == 0x86dd)"},
	}
	pkts := equivalencePackets()
	for _, pr := range pairs {
		a, err := Compile(pr[0], nil)
		if err != nil {
			t.Errorf("Compile(%q): %v", pr[0], err)
			continue
		}
		b, err := Compile(pr[1], nil)
		if err != nil {
			t.Errorf("Compile(%q): %v", pr[1], err)
			continue
		}
		for _, p := range pkts {
			if a.Eval(p) != b.Eval(p) {
				t.Errorf("%q = %v but %q = %v on %+v", pr[0], a.Eval(p), pr[1], b.Eval(p), *p)
				break
			}
		}
	}
}

// TestMatchSemantics checks matches whose OVN meaning cannot be written
// as another match (negated nominal terms) against Go predicates.
func TestMatchSemantics(t *testing.T) {
	isIP := func(p *Packet) bool { return p.EthType == EthIPv4 || p.EthType == EthIPv6 }
	for match, want := range map[string]func(p *Packet) bool{
		// OVN: !ip.frag[0] || !ip.
		"!ip.is_frag": func(p *Packet) bool { return !p.IPFrag || !isIP(p) },
		// OVN: !eth.dst[40] || ip4.dst[28..31] != 0xe || !ip4.
		"!ip4.mcast": func(p *Packet) bool {
			return p.EthDst[0]&1 == 0 || p.EthType != EthIPv4 || p.IPDst.As4()[0]>>4 != 0xe
		},
		"!ct.est":         func(p *Packet) bool { return p.CT&CTTrk != 0 && p.CT&CTEst == 0 },
		"tcp.dst != 2":    func(p *Packet) bool { return isIP(p) && p.IPProto == 6 && p.L4Dst != 2 },
		"!(tcp.dst == 2)": func(p *Packet) bool { return isIP(p) && p.IPProto == 6 && p.L4Dst != 2 },
		"ip.ttl == 255":   func(p *Packet) bool { return isIP(p) && p.IPTTL == 255 },
		"!(icmp6.type != 135)": func(p *Packet) bool {
			return p.EthType == EthIPv6 && p.IPProto == 58 && p.ICMPType == 135
		},
	} {
		e, err := Compile(match, nil)
		if err != nil {
			t.Errorf("Compile(%q): %v", match, err)
			continue
		}
		for _, p := range equivalencePackets() {
			if got := e.Eval(p); got != want(p) {
				t.Errorf("%q = %v on %+v, want %v", match, got, *p, !got)
				break
			}
		}
	}
}

// equivalencePackets varies the fields the pairs above test over small
// ranges, so that equal and unequal values both occur.
func equivalencePackets() []*Packet {
	var out []*Packet
	ethTypes := []uint16{EthIPv4, EthIPv6, EthARP, 0x1234}
	srcs := []string{"10.1.2.3", "192.168.1.1", "8.8.8.8", "172.16.20.9", "1.2.3.4", "224.0.0.5"}
	i := 0
	for _, et := range ethTypes {
		for tci := range 1 << 16 {
			if tci%97 != 0 && tci&0xfff > 4 {
				continue
			}
			i++
			p := &Packet{EthType: et, VLANPresent: tci&0x1000 != 0, VLANID: uint16(tci & 0xfff), VLANPCP: uint8(tci >> 13)}
			p.IPSrc = netip.MustParseAddr(srcs[i%len(srcs)])
			p.IPDst = netip.MustParseAddr(srcs[(i/7)%len(srcs)])
			p.IPProto = []uint8{1, 6, 17, 58, 123, 234}[i%6]
			p.L4Dst = uint16(i % 5)
			p.ICMPType, p.ICMPCode, p.IPTTL = []uint8{135, 136, 8}[i%3], uint8(i/3%2), []uint8{255, 64}[i/11%2]
			p.IPFrag = i%4 == 0
			p.EthDst = MAC{byte(i % 2), 0, 0x5e, 0, 0, 5}
			p.CT = CTState(i * 37 % 256)
			p.Reg[i%4] = uint32(i % 3)
			out = append(out, p)
		}
	}
	return out
}

// TestMatchSymbolTable checks that every predicate and prerequisite in the
// table expands, and spot-checks OVN's register and conntrack layouts.
func TestMatchSymbolTable(t *testing.T) {
	tab, err := loadMatchTable()
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range tab.syms {
		for _, src := range []string{s.prereq, s.predicate} {
			if src == "" {
				continue
			}
			if x, ok := tab.expansion[src]; !ok || x.err != nil && !x.err.Unsupported {
				t.Errorf("%s: %q: not expanded (%v)", name, src, x.err)
			}
		}
	}
	for name, want := range map[string]string{
		"reg0": "xxreg0[96..127]", "reg3": "xxreg0[0..31]", "reg5": "xxreg1[64..95]", "reg8": "xreg4[32..63]",
		"reg9": "xreg4[0..31]", "xreg0": "xxreg0[64..127]", "xreg3": "xxreg1[0..63]",
		"ct.trk": "ct_state[5..5]", "ct.dnat": "ct_state[7..7]", "vlan.vid": "vlan.tci[0..11]",
		"ct_label.acl_id": "ct_label[80..95]", "ct_mark.obs_stage": "ct_mark[4..5]", "eth.mcast": "eth.dst[40..40]",
	} {
		s := tab.syms[name]
		if s == nil || s.parent == nil {
			t.Errorf("%s: not a subfield", name)
			continue
		}
		if got := fmt.Sprintf("%s[%d..%d]", s.parent.name, s.parentOfs, s.parentOfs+s.width-1); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
}
