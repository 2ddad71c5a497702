package ovn

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
)

// level is a symbol's level of measurement, which decides the operators it
// takes (ovn-sb(5), "Level of Measurement").
type level uint8

const (
	// levelNominal: only ==, and only positively once enclosing `!' are
	// counted (inport, eth.type, ip.proto, predicates built on them).
	levelNominal level = iota
	// levelBoolean: == and != (predicates over ordinal fields).
	levelBoolean
	// levelOrdinal: every relational operator and bit selection.
	levelOrdinal
)

// symbol is a name a match may use. Exactly one of field (a base field),
// parent (a subfield) or predicate (a shorthand) describes it.
type symbol struct {
	name      string
	width     int // bits; 0 for a string field
	level     level
	prereq    string  // what using the symbol implies, in OVN syntax
	field     fieldID // base field: where its value comes from
	parent    *symbol // subfield: bits parentOfs.. of base field parent
	parentOfs int
	predicate string // predicate: its expansion
	unmodeled string // valid OVN that Eval cannot test: why
}

// symtab is OVN's symbol table (lib/logical-fields.c, ovn_init_symtab),
// with Packet's view of each field.
type symtab map[string]*symbol

func (t symtab) field(name string, width int, lv level, prereq string, f fieldID) *symbol {
	s := &symbol{name: name, width: width, level: lv, prereq: prereq, field: f}
	t[name] = s
	return s
}

// unmodeled adds a valid OVN symbol that Eval cannot test.
func (t symtab) unmodeled(name string, width int, lv level, why string) {
	t[name] = &symbol{name: name, width: width, level: lv, unmodeled: why}
}

// sub adds name as bits lo..hi of parent (itself maybe a subfield).
func (t symtab) sub(name, prereq, parent string, lo, hi int) {
	p := t[parent]
	ofs := lo
	if p.parent != nil {
		ofs += p.parentOfs
		p = p.parent
	}
	t[name] = &symbol{name: name, width: hi - lo + 1, level: p.level, prereq: prereq, parent: p, parentOfs: ofs}
}

// predicate adds a shorthand; like OVN, it is nominal when its expansion
// mentions a nominal field, Boolean otherwise.
func (t symtab) predicate(name, expansion string) error {
	a, err := parseMatch(expansion, nil, t)
	if err != nil {
		return fmt.Errorf("predicate %s = %q: %w", name, expansion, err)
	}
	t[name] = &symbol{name: name, width: 1, level: a.level(), predicate: expansion}
	return nil
}

// newSymtab builds the table. It fails only if the table itself is wrong.
func newSymtab() (symtab, error) {
	t := symtab{}
	var errs []error
	pred := func(name, expansion string) {
		if err := t.predicate(name, expansion); err != nil {
			errs = append(errs, err)
		}
	}
	t.field("inport", 0, levelNominal, "", fInPort)
	t.field("outport", 0, levelNominal, "", fOutPort)
	t.unmodeled("remote_outport", 0, levelNominal, "remote_outport is not modeled")
	t.unmodeled("__inport", 32, levelOrdinal, "the register behind inport is not modeled")
	t.unmodeled("__outport", 32, levelOrdinal, "the register behind outport is not modeled")
	pred("from_evpn_vtep", "__inport[31]")
	pred("to_evpn_vtep", "__outport[31]")
	addRegisters(t)
	addFlags(t)
	addConntrack(t)
	t.field("eth.src", 48, levelOrdinal, "", fEthSrc)
	t.field("eth.dst", 48, levelOrdinal, "", fEthDst)
	t.field("eth.type", 16, levelNominal, "", fEthType)
	pred("eth.bcast", "eth.dst == ff:ff:ff:ff:ff:ff")
	t.sub("eth.mcast", "", "eth.dst", 40, 40)
	pred("eth.mcastv6", "eth.dst[32..47] == 0x3333")
	t.field("vlan.tci", 16, levelOrdinal, "", fVLANTCI)
	pred("vlan.present", "vlan.tci[12]")
	t.sub("vlan.pcp", "vlan.present", "vlan.tci", 13, 15)
	t.sub("vlan.vid", "vlan.present", "vlan.tci", 0, 11)
	for _, p := range l3Predicates1 {
		pred(p[0], p[1])
	}
	t.field("ip.proto", 8, levelNominal, "ip", fIPProto)
	t.field("ip.dscp", 6, levelNominal, "ip", fIPDSCP)
	t.field("ip.ecn", 2, levelNominal, "ip", fIPECN)
	t.field("ip.ttl", 8, levelNominal, "ip", fIPTTL)
	t.field("ip4.src", 32, levelOrdinal, "ip4", fIP4Src)
	t.field("ip4.dst", 32, levelOrdinal, "ip4", fIP4Dst)
	pred("ip4.src_mcast", "ip4.src[28..31] == 0xe")
	pred("ip4.mcast", "eth.mcast && ip4.dst[28..31] == 0xe")
	pred("icmp4", "ip4 && ip.proto == 1")
	t.field("icmp4.type", 8, levelNominal, "icmp4", fICMPType)
	t.field("icmp4.code", 8, levelNominal, "icmp4", fICMPCode)
	pred("igmp", "ip4.mcast && ip.proto == 2")
	t.field("ip6.src", 128, levelOrdinal, "ip6", fIP6Src)
	t.field("ip6.dst", 128, levelOrdinal, "ip6", fIP6Dst)
	t.unmodeled("ip6.label", 20, levelOrdinal, "ip6.label (the flow label) is not modeled")
	for _, p := range l3Predicates2 {
		pred(p[0], p[1])
	}
	t.field("icmp6.type", 8, levelNominal, "icmp6", fICMPType)
	t.field("icmp6.code", 8, levelNominal, "icmp6", fICMPCode)
	pred("icmp", "icmp4 || icmp6")
	t.field("ip.frag", 2, levelOrdinal, "ip", fIPFrag)
	pred("ip.is_frag", "ip.frag[0]")
	pred("ip.later_frag", "ip.frag[1]")
	pred("ip.first_frag", "ip.is_frag && !ip.later_frag")
	for _, proto := range []string{"arp", "rarp"} {
		t.field(proto+".op", 16, levelNominal, proto, fARPOp)
		t.field(proto+".spa", 32, levelOrdinal, proto, fARPSPA)
		t.field(proto+".tpa", 32, levelOrdinal, proto, fARPTPA)
		t.field(proto+".sha", 48, levelOrdinal, proto, fARPSHA)
		t.field(proto+".tha", 48, levelOrdinal, proto, fARPTHA)
	}
	for _, p := range l4Predicates {
		pred(p[0], p[1])
	}
	t.field("nd.target", 128, levelOrdinal, "nd", fNDTarget)
	t.field("nd.sll", 48, levelOrdinal, "nd_ns", fNDSLL)
	t.field("nd.tll", 48, levelOrdinal, "nd_na", fNDTLL)
	for _, proto := range []string{"tcp", "udp", "sctp"} {
		t.field(proto+".src", 16, levelOrdinal, proto, fL4Src)
		t.field(proto+".dst", 16, levelOrdinal, proto, fL4Dst)
	}
	t.field("tcp.flags", 12, levelOrdinal, "tcp", fTCPFlags)
	t.unmodeled("pkt.mark", 32, levelOrdinal, "pkt.mark (the skb mark) is not modeled")
	t.unmodeled("icmp4.frag_mtu", 16, levelNominal, "icmp4.frag_mtu is not modeled")
	t.unmodeled("icmp6.frag_mtu", 32, levelNominal, "icmp6.frag_mtu is not modeled")
	t.unmodeled("icmp4.inner_ip4.src", 32, levelNominal, "icmp4.inner_ip4.src is not modeled")
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return t, nil
}

// Predicates in the order OVN defines them: each uses only earlier names.
var (
	l3Predicates1 = [][2]string{
		{"ip4", "eth.type == 0x800"},
		{"ip6", "eth.type == 0x86dd"},
		{"ip", "ip4 || ip6"},
	}
	l3Predicates2 = [][2]string{
		{"ip6.mcast_rsvd", "ip6.dst == {ff00::0, ff01::0, ff02::0, ff03::0, ff04::0, ff05::0, ff06::0, ff07::0, " +
			"ff08::0, ff09::0, ff0a::0, ff0b::0, ff0c::0, ff0d::0, ff0e::0, ff0f::0}"},
		{"ip6.mcast_all_nodes", "ip6.dst == ff01::1 || ip6.dst == ff02::1"},
		{"ip6.mcast_all_rtrs", "ip6.dst == ff01::2 || ip6.dst == ff02::2 || ip6.dst == ff05::2"},
		{"ip6.mcast_sol_node", "ip6.dst == ff02::1:ff00:0000/104"},
		{"ip6.mcast_flood", "eth.mcastv6 && (ip6.mcast_rsvd || ip6.mcast_all_nodes || ip6.mcast_all_rtrs || ip6.mcast_sol_node)"},
		{"ip6.mcast", "eth.mcastv6 && ip6.dst[120..127] == 0xff"},
		{"icmp6", "ip6 && ip.proto == 58"},
	}
	l4Predicates = [][2]string{
		{"arp", "eth.type == 0x806"},
		{"rarp", "eth.type == 0x8035"},
		{"nd", "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255"},
		{"nd_ns", "icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255"},
		{"nd_ns_mcast", "ip6.mcast && icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255"},
		{"nd_na", "icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255"},
		{"nd_rs", "icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255"},
		{"nd_ra", "icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255"},
		{"mldv1", "eth.mcastv6 && ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}"},
		{"mldv2", "eth.mcastv6 && ip6.dst == ff02::16 && icmp6.type == 143"},
		{"tcp", "ip.proto == 6"},
		{"udp", "ip.proto == 17"},
		{"sctp", "ip.proto == 132"},
	}
)

// addRegisters adds OVN's logical registers: reg0..reg9 overlaid by
// xreg0..xreg4 and xxreg0..xxreg1, reg0 being the most significant word of
// xxreg0 (and xreg0).
func addRegisters(t symtab) {
	t.field("xxreg0", 128, levelOrdinal, "", fXXReg0)
	t.field("xxreg1", 128, levelOrdinal, "", fXXReg1)
	for i := range 4 {
		t.sub(fmt.Sprintf("xreg%d", i), "", fmt.Sprintf("xxreg%d", i/2), 64*(1-i%2), 64*(1-i%2)+63)
	}
	t.field("xreg4", 64, levelOrdinal, "", fXReg4)
	for i := range 10 {
		parent, lo := fmt.Sprintf("xxreg%d", i/4), 32*(3-i%4)
		if i >= 8 {
			parent, lo = "xreg4", 32*(1-i%2)
		}
		t.sub(fmt.Sprintf("reg%d", i), "", parent, lo, lo+31)
	}
}

// ovnFlags are the flags.* names of OVN's symbol table and their width.
var ovnFlags = map[string]int{
	"loopback": 1, "force_snat_for_dnat": 1, "force_snat_for_lb": 1, "skip_snat_for_lb": 1,
	"use_snat_zone": 1, "localnet": 1, "icmp_snat": 1, "tunnel_rx": 1, "unsnat_new": 1,
	"unsnat_not_tracked": 1, "network_id": 4, "from_ctrl": 1, "igmp_loopback": 1, "pkt_sampled": 1,
}

// addFlags adds flags.<name> for the bits Packet models (FlagBits) and, as
// unmodeled, the other names OVN knows. The flags register itself is not
// modeled: its bit layout is OVN's, not FlagBits'.
func addFlags(t symtab) {
	t.field("flags", 32, levelOrdinal, "", fFlags).unmodeled =
		"the flags register is only modeled through named bits such as flags.loopback"
	for name, w := range ovnFlags {
		t.unmodeled("flags."+name, w, levelOrdinal, fmt.Sprintf("flags.%s is not modeled (no such bit in Packet.Flags)", name))
	}
	for _, name := range slices.Sorted(maps.Keys(FlagBits)) {
		bit := FlagBits[name]
		if bits.OnesCount32(bit) != 1 {
			continue
		}
		b := bits.TrailingZeros32(bit)
		t.sub("flags."+name, "", "flags", b, b)
	}
}

// addConntrack adds ct_state and its ct.* bits (all but ct.trk require
// ct.trk), ct_mark and ct_label with their named parts, including the
// ct_label.* names OVN used before 24.09 (ct_label.blocked and co.).
func addConntrack(t symtab) {
	t.field("ct_mark", 32, levelOrdinal, "", fCTMark)
	for _, s := range []struct {
		name   string
		lo, hi int
	}{
		{"blocked", 0, 0}, {"natted", 1, 1}, {"ecmp_reply_port", 16, 31}, {"skip_snat", 2, 2},
		{"force_snat", 3, 3}, {"obs_stage", 4, 5}, {"allow_established", 6, 6}, {"obs_collector_id", 16, 23},
	} {
		t.sub("ct_mark."+s.name, "", "ct_mark", s.lo, s.hi)
	}
	t.field("ct_label", 128, levelOrdinal, "", fCTLabel)
	for _, s := range []struct {
		name   string
		lo, hi int
	}{
		{"ecmp_reply_eth", 32, 79}, {"label", 96, 127}, {"obs_point_id", 96, 127}, {"obs_unused", 0, 95},
		{"acl_id", 80, 95}, {"nf", 7, 7}, {"nf_id", 17, 24}, {"tun_if", 8, 8}, {"tun_if_id", 80, 95},
		// Before OVN 24.09.
		{"blocked", 0, 0}, {"natted", 1, 1}, {"skip_snat", 2, 2}, {"force_snat", 3, 3}, {"ecmp_reply_port", 80, 95},
	} {
		t.sub("ct_label."+s.name, "", "ct_label", s.lo, s.hi)
	}
	t.field("ct_state", 32, levelOrdinal, "", fCTState)
	for i, name := range []string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"} {
		prereq := "ct.trk"
		if name == "trk" {
			prereq = ""
		}
		t.sub("ct."+name, prereq, "ct_state", i, i)
	}
}
