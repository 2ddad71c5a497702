package openflow

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// exact is an exact-match term.
func exact(f Field, v uint64) Match { return Match{Field: f, Value: v, Mask: f.fullMask()} }

// masked is a value/mask term.
func masked(f Field, v, m uint64) Match { return Match{Field: f, Value: v, Mask: m} }

func mac(s string) uint64 {
	v, ok := parseMAC(s)
	if !ok {
		panic("bad MAC " + s)
	}
	return v
}

var (
	dlIP   = exact(DlType, 0x0800)
	dlIPv6 = exact(DlType, 0x86dd)
	dlARP  = exact(DlType, 0x0806)
)

func TestParseMatch(t *testing.T) {
	tests := []struct {
		name    string
		match   string
		want    []Match
		unknown []string
	}{
		{"in_port", "in_port=5", []Match{exact(InPort, 5)}, nil},
		{"in_port LOCAL", "in_port=LOCAL", []Match{exact(InPort, 0xfffe)}, nil},
		{"in_port OF1.1 LOCAL", "in_port=0xfffffffe", []Match{exact(InPort, 0xfffe)}, nil},
		{"in_port quoted name", `in_port="patch-int"`, []Match{{Field: InPort, Mask: 0xffffffff, PortName: "patch-int"}}, nil},
		{"in_port bare name", "in_port=tap1", []Match{{Field: InPort, Mask: 0xffffffff, PortName: "tap1"}}, nil},
		{"dl_src", "dl_src=fa:16:3e:11:22:33", []Match{exact(DlSrc, 0xfa163e112233)}, nil},
		{"eth_dst alias", "eth_dst=FA:16:3E:11:22:33", []Match{exact(DlDst, 0xfa163e112233)}, nil},
		{"dl_dst multicast bit", "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
			[]Match{masked(DlDst, 0x010000000000, 0x010000000000)}, nil},
		{"dl_type", "dl_type=0x0806", []Match{dlARP}, nil},
		{"ip", "ip", []Match{dlIP}, nil},
		{"tcp", "tcp", []Match{dlIP, exact(NwProto, 6)}, nil},
		{"udp6", "udp6", []Match{dlIPv6, exact(NwProto, 17)}, nil},
		{"ip,tcp is tcp", "ip,tcp", []Match{dlIP, exact(NwProto, 6)}, nil},
		{"tcp,ip keeps the protocol", "tcp,ip", []Match{dlIP, exact(NwProto, 6)}, nil},
		{"later term wins", "in_port=1,in_port=2", []Match{exact(InPort, 2)}, nil},
		{"icmp type and code", "icmp,icmp_type=8,icmp_code=0",
			[]Match{dlIP, exact(NwProto, 1), exact(IcmpType, 8), exact(IcmpCode, 0)}, nil},
		{"icmp6 type", "icmp6,icmp_type=136", []Match{dlIPv6, exact(NwProto, 58), exact(IcmpType, 136)}, nil},
		{"tp_src on icmp is icmp_type", "icmp,tp_src=8", []Match{dlIP, exact(NwProto, 1), exact(IcmpType, 8)}, nil},
		{"arp fields", "arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_sha=fa:16:3e:00:00:01,arp_tha=ff:ff:ff:ff:ff:ff",
			[]Match{dlARP, exact(ArpOp, 1), exact(ArpSpa, 0x0a000001), masked(ArpTpa, 0x0a000000, 0xffffff00),
				exact(ArpSha, 0xfa163e000001), exact(ArpTha, 0xffffffffffff)}, nil},
		{"nw_src on arp is arp_spa", "arp,nw_src=10.0.0.1,nw_proto=2", []Match{dlARP, exact(ArpSpa, 0x0a000001), exact(ArpOp, 2)}, nil},
		{"prerequisite after the term", "nw_dst=10.0.0.1,ip", []Match{exact(NwDst, 0x0a000001), dlIP}, nil},
		{"nw_src CIDR", "ip,nw_src=10.0.0.0/8", []Match{dlIP, masked(NwSrc, 0x0a000000, 0xff000000)}, nil},
		{"nw_src netmask", "ip,nw_src=10.0.0.0/255.0.0.0", []Match{dlIP, masked(NwSrc, 0x0a000000, 0xff000000)}, nil},
		{"nw_dst odd mask", "ip,nw_dst=10.1.2.3/255.0.255.0", []Match{dlIP, masked(NwDst, 0x0a000200, 0xff00ff00)}, nil},
		{"ip_dst alias", "ip,ip_dst=10.0.0.1", []Match{dlIP, exact(NwDst, 0x0a000001)}, nil},
		{"zero mask matches all", "ip,nw_src=0.0.0.0/0,reg0=0x5/0", []Match{dlIP}, nil},
		{"tos ecn ttl", "ip,nw_tos=16,nw_ecn=1,nw_ttl=64", []Match{dlIP, exact(NwTos, 16), exact(NwECN, 1), exact(NwTTL, 64)}, nil},
		{"ip_dscp is nw_tos", "ip,ip_dscp=4", []Match{dlIP, exact(NwTos, 16)}, nil},
		{"tp_dst masked", "tcp,tp_dst=0x1000/0xf000", []Match{dlIP, exact(NwProto, 6), masked(TpDst, 0x1000, 0xf000)}, nil},
		{"tcp_dst", "tcp,tcp_dst=22", []Match{dlIP, exact(NwProto, 6), exact(TpDst, 22)}, nil},
		{"udp_src", "udp,udp_src=68", []Match{dlIP, exact(NwProto, 17), exact(TpSrc, 68)}, nil},
		{"sctp_dst", "sctp,sctp_dst=9", []Match{dlIP, exact(NwProto, 132), exact(TpDst, 9)}, nil},
		{"tcp_flags masked", "tcp,tcp_flags=+syn-ack", []Match{dlIP, exact(NwProto, 6), masked(TCPFlags, 0x2, 0x12)}, nil},
		{"tcp_flags exact", "tcp,tcp_flags=syn|ack", []Match{dlIP, exact(NwProto, 6), exact(TCPFlags, 0x12)}, nil},
		{"dl_vlan", "dl_vlan=5", []Match{masked(VlanTCI, 0x1005, 0x1fff)}, nil},
		{"dl_vlan none", "dl_vlan=0xffff", []Match{masked(VlanTCI, 0, 0xffff)}, nil},
		{"dl_vlan_pcp", "dl_vlan_pcp=3", []Match{masked(VlanTCI, 0x7000, 0xf000)}, nil},
		{"dl_vlan and pcp", "dl_vlan=5,dl_vlan_pcp=3", []Match{masked(VlanTCI, 0x7005, 0xffff)}, nil},
		{"vlan_tci tagged", "vlan_tci=0x1000/0x1000", []Match{masked(VlanTCI, 0x1000, 0x1000)}, nil},
		{"vlan_tci untagged", "vlan_tci=0x0000/0x1fff", []Match{masked(VlanTCI, 0, 0x1fff)}, nil},
		{"vlan_tci replaces dl_vlan", "dl_vlan=5,vlan_tci=0x1000/0x1000", []Match{masked(VlanTCI, 0x1000, 0x1000)}, nil},
		{"vlan_vid", "vlan_vid=0x1005", []Match{masked(VlanTCI, 0x1005, 0x1fff)}, nil},
		{"registers", "reg0=0x1/0xff,reg15=5,NXM_NX_REG3=0x7", []Match{masked(Reg0, 1, 0xff), exact(Reg15, 5), exact(Reg3, 7)}, nil},
		{"xreg", "xreg1=0x100000002", []Match{exact(XReg1, 0x100000002)}, nil},
		{"metadata and tunnel", "metadata=0x5,tun_id=0x64/0xff,tun_src=10.0.0.1,tun_dst=10.0.0.2",
			[]Match{exact(Metadata, 5), masked(TunID, 0x64, 0xff), exact(TunSrc, 0x0a000001), exact(TunDst, 0x0a000002)}, nil},
		{"tunnel_id alias", "tunnel_id=0x64", []Match{exact(TunID, 0x64)}, nil},
		{"ct_state flags", "ct_state=+trk+est-new", []Match{masked(CtState, 0x22, 0x23)}, nil},
		{"ct_state exact", "ct_state=new|trk", []Match{exact(CtState, 0x21)}, nil},
		{"ct_state number", "ct_state=0x21/0x21", []Match{masked(CtState, 0x21, 0x21)}, nil},
		{"ct fields", "ct_zone=5,ct_mark=0x1/0x1,pkt_mark=0x5,conj_id=18",
			[]Match{exact(CtZone, 5), masked(CtMark, 1, 1), exact(PktMark, 5), exact(ConjID, 18)}, nil},
		{"unknown fields kept", "ipv6,ipv6_src=fe80::1,nd_target=fe80::1,ct_label=0x1/0x1,dp_hash=0x1/0xf,xxreg0=0x1,nw_frag=later,foo",
			[]Match{dlIPv6}, []string{"ipv6_src=fe80::1", "nd_target=fe80::1", "ct_label=0x1/0x1", "dp_hash=0x1/0xf", "xxreg0=0x1", "nw_frag=later", "foo"}},
		{"packet_type keeps its comma", "packet_type=(0,0x800),in_port=1", []Match{exact(InPort, 1)}, []string{"packet_type=(0,0x800)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFlow(tt.match + " actions=drop")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, f.Match); diff != "" {
				t.Errorf("Match (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.unknown, f.Unknown); diff != "" {
				t.Errorf("Unknown (-want +got):\n%s", diff)
			}
			again, err := ParseFlow(f.String())
			if err != nil {
				t.Fatalf("%q: %v", f.String(), err)
			}
			if diff := cmp.Diff(f, again, sameFlow); diff != "" {
				t.Errorf("round trip through %q (-first +second):\n%s", f.String(), diff)
			}
		})
	}
}

func TestParseFlowHead(t *testing.T) {
	line := " cookie=0x9a2b3c4d5e6f7081, duration=0.095s, table=20, n_packets=3, n_bytes=180, hard_timeout=300, idle_age=0, hard_age=2, priority=1,vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:77:66:55 actions=load:0->NXM_OF_VLAN_TCI[],output:3"
	f, err := ParseFlow(line)
	if err != nil {
		t.Fatal(err)
	}
	want := &Flow{
		Table: 20, Priority: 1, Cookie: 0x9a2b3c4d5e6f7081,
		Match: []Match{masked(VlanTCI, 1, 0x0fff), exact(DlDst, 0xfa163e776655)},
		Actions: []Action{
			{Kind: Load, Dst: Subfield{VlanTCI, 0, 16}, Raw: "load:0->NXM_OF_VLAN_TCI[]"},
			{Kind: Output, Port: 3, Raw: "output:3"},
		},
		Line: 1,
		Text: "cookie=0x9a2b3c4d5e6f7081, table=20, hard_timeout=300, priority=1,vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:77:66:55 actions=load:0->NXM_OF_VLAN_TCI[],output:3",
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, want := f.String(), "table=20, priority=1, cookie=0x9a2b3c4d5e6f7081, vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:77:66:55 actions=load:0->NXM_OF_VLAN_TCI[],output:3"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseDefaults(t *testing.T) {
	f, err := ParseFlow("in_port=1,actions=NORMAL")
	if err != nil {
		t.Fatal(err)
	}
	if f.Table != 0 || f.Priority != DefaultPriority || f.Cookie != 0 {
		t.Errorf("table %d priority %d cookie %#x, want 0, 32768, 0", f.Table, f.Priority, f.Cookie)
	}
	if got, want := f.String(), "table=0, priority=32768, in_port=1 actions=NORMAL"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, line string
		col        int
		msg        string
	}{
		{"bad number", "priority=1,reg0=0xzz actions=drop", 12, "reg0=0xzz: want a number like 0x1 or 0x1/0xff"},
		{"tp_dst without protocol", "priority=1,tp_dst=22 actions=drop", 12, "tp_dst=22: want tcp, udp or sctp in the match, the prerequisite of tp_dst"},
		{"tcp_dst on udp", "udp,tcp_dst=22 actions=drop", 5, "tcp_dst=22: want tcp in the match, the prerequisite of tcp_dst"},
		{"nw_src without ip", "nw_src=10.0.0.1 actions=drop", 1, "nw_src=10.0.0.1: want ip (or arp) in the match, the prerequisite of nw_src"},
		{"icmp_type on tcp", "tcp,icmp_type=3 actions=drop", 5, "icmp_type=3: want icmp (or icmp6) in the match, the prerequisite of icmp_type"},
		{"arp field on ip", "ip,arp_op=1 actions=drop", 4, "arp_op=1: want arp (or rarp) in the match, the prerequisite of arp_op"},
		{"bad MAC", "dl_src=fa:16:3e actions=drop", 1, "dl_src=fa:16:3e: want a MAC like fa:16:3e:00:00:01 or 01:00:00:00:00:00/01:00:00:00:00:00"},
		{"bad IP", "ip,nw_dst=10.0.0.300 actions=drop", 4, "nw_dst=10.0.0.300: want an IPv4 address like 10.0.0.1, 10.0.0.0/8 or 10.0.0.0/255.0.0.0"},
		{"prefix too long", "ip,nw_dst=10.0.0.0/33 actions=drop", 4, "nw_dst=10.0.0.0/33: want an IPv4 address like 10.0.0.1, 10.0.0.0/8 or 10.0.0.0/255.0.0.0"},
		{"too wide", "reg0=0x100000000 actions=drop", 1, "reg0=0x100000000: want a value that fits in 32 bits"},
		{"mask on in_port", "in_port=5/0xff actions=drop", 1, `in_port=5/0xff: want a port number or name, like 5, LOCAL or "tap1"`},
		{"mask on dl_type", "dl_type=0x800/0xff00 actions=drop", 1, "dl_type=0x800/0xff00: want a number like 5 or 0x5"},
		{"bad vlan", "dl_vlan=5000 actions=drop", 1, "dl_vlan=5000: want a VLAN id 0-4095, or 0xffff for no tag"},
		{"bad ct_state flag", "ct_state=+trk+foo actions=drop", 1, "ct_state=+trk+foo: want ct_state flags like +trk+est-new, or 0x22/0x22"},
		{"field without value", "in_port actions=drop", 1, "in_port: want in_port=VALUE"},
		{"bad table", "table=300 actions=drop", 1, "table=300: want a table number 0-254"},
		{"bad priority", "priority=70000 actions=drop", 1, "priority=70000: want a priority 0-65535"},
		{"bad cookie", "cookie=zz, priority=1 actions=drop", 1, "cookie=zz: want a cookie like 0x1f"},
		{"no actions", "priority=1,in_port=1", 21, "want actions=... after the match"},
		{"unterminated quote", `in_port="tap1 actions=drop`, 9, "unterminated quoted string"},
		{"unbalanced parenthesis", "in_port=1 actions=resubmit(,2", 19, "unbalanced parentheses or brackets in resubmit(,2"},
		{"stray parenthesis", "in_port=1 actions=drop)", 23, "unbalanced ')'"},
		{"empty action", "in_port=1 actions=output:1,,output:2", 28, "empty item in a comma-separated list"},
		{"bad subfield range", "actions=load:0x1->NXM_NX_REG0[0..33]", 9, `load:0x1->NXM_NX_REG0[0..33]: "NXM_NX_REG0[0..33]": want bits [a..b] with 0 <= a <= b < 32`},
		{"bad subfield syntax", "actions=move:NXM_NX_REG0[]x->NXM_NX_REG1[]", 9, `move:NXM_NX_REG0[]x->NXM_NX_REG1[]: "NXM_NX_REG0[]x": want a subfield like NXM_NX_REG0[0..15]`},
		{"unbalanced bracket", "actions=move:NXM_NX_REG0[0..3->NXM_NX_REG1[0..3]", 9, "unbalanced parentheses or brackets in move:NXM_NX_REG0[0..3->NXM_NX_REG1[0..3]"},
		{"load too wide", "actions=load:0x100->NXM_NX_REG0[0..3]", 9, "load:0x100->NXM_NX_REG0[0..3]: want a value that fits in 4 bits"},
		{"move widths", "actions=move:NXM_NX_REG0[0..3]->NXM_NX_REG1[0..4]", 9, "move:NXM_NX_REG0[0..3]->NXM_NX_REG1[0..4]: want source and destination of the same width (4 and 5 bits)"},
		{"drop with others", "actions=output:1,drop", 9, "want drop alone: it cannot be combined with other actions"},
		{"conjunction mixed", "actions=conjunction(1,1/2),output:1", 9, "want only conjunction actions in a flow that has one"},
		{"bad conjunction", "actions=conjunction(1,3/2)", 9, "conjunction(1,3/2): want conjunction(ID,K/N) with 1 <= K <= N <= 64"},
		{"resubmit nothing", "actions=resubmit(,)", 9, "resubmit(,): want resubmit(PORT,TABLE) with a port, a table or both"},
		{"resubmit bad table", "actions=resubmit(,300)", 9, "resubmit(,300): want a table 0-254 to resubmit to"},
		{"goto_table", "actions=goto_table:x", 9, "goto_table:x: want goto_table:N with a table 0-254"},
		{"push_vlan", "actions=push_vlan:0x800", 9, "push_vlan:0x800: want push_vlan:0x8100 or push_vlan:0x88a8"},
		{"mod_vlan_vid", "actions=mod_vlan_vid:5000", 9, "mod_vlan_vid:5000: want a value that fits in 12 bits"},
		{"set_field value", "actions=set_field:10.0.0.x->nw_src", 9, "set_field:10.0.0.x->nw_src: want an IPv4 address like 10.0.0.1, 10.0.0.0/8 or 10.0.0.0/255.0.0.0"},
		{"set_field arrow", "actions=set_field:1", 9, "set_field:1: want set_field:SRC->DST"},
		{"ct zone width", "actions=ct(commit,zone=NXM_NX_REG13[0..7])", 9, "ct(commit,zone=NXM_NX_REG13[0..7]): want zone=N or a 16-bit zone=SUBFIELD like NXM_NX_REG13[0..15]"},
		{"ct nat range", "actions=ct(commit,nat(src=10.0.0.1:2000-1000))", 9, "ct(commit,nat(src=10.0.0.1:2000-1000)): want nat(src=ADDR[-ADDR][:PORT[-PORT]]), IPv6 addresses in brackets"},
		{"ct exec error", "actions=ct(commit,exec(load:0xzz->NXM_NX_CT_MARK[]))", 24, "load:0xzz->NXM_NX_CT_MARK[]: want load:VALUE->DST with a number like 0x1"},
		{"learn spec widths", "actions=learn(table=20,NXM_OF_VLAN_TCI[0..11]=NXM_OF_ETH_SRC[])", 9, "learn(table=20,NXM_OF_VLAN_TCI[0..11]=NXM_OF_ETH_SRC[]): want learn match source and destination of the same width"},
		{"learn table", "actions=learn(table=x)", 9, "learn(table=x): want learn table=N with a table 0-254"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFlow(tt.line)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseFlow(%q) = %v, want a *ParseError", tt.line, err)
			}
			if diff := cmp.Diff(&ParseError{Line: 1, Col: tt.col, Msg: tt.msg}, pe); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	text := "NXST_FLOW reply (xid=0x4):\n" +
		" cookie=0x0, duration=1.5s, table=0, n_packets=0, n_bytes=0, priority=1,in_port=1 actions=resubmit(,2)\n" +
		"\n# a comment\n" +
		"OFPST_FLOW reply (OF1.3) (xid=0x2):\n" +
		" table=2, priority=0 actions=drop\r\n"
	flows, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range flows {
		got = append(got, f.Text)
	}
	want := []string{"cookie=0x0, table=0, priority=1,in_port=1 actions=resubmit(,2)", "table=2, priority=0 actions=drop"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if flows[0].Line != 2 || flows[1].Line != 6 {
		t.Errorf("lines %d, %d, want 2, 6", flows[0].Line, flows[1].Line)
	}
}

func TestParseTextErrors(t *testing.T) {
	text := "priority=1 actions=drop\nreg0=0xzz actions=drop\npriority=2 actions=drop\ntp_dst=1 actions=drop\n"
	flows, err := Parse(text)
	if flows != nil {
		t.Errorf("flows = %v, want none on error", flows)
	}
	want := "line 2, column 1: reg0=0xzz: want a number like 0x1 or 0x1/0xff\n" +
		"line 4, column 1: tp_dst=1: want tcp, udp or sctp in the match, the prerequisite of tp_dst"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want\n%s", err, want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("errors.As: %v", pe)
	}
}
