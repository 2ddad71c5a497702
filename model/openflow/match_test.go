package openflow

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFieldNames(t *testing.T) {
	tests := []struct {
		name string
		want Field
	}{
		{"in_port", InPort}, {"NXM_OF_IN_PORT", InPort}, {"OXM_OF_IN_PORT", InPort},
		{"dl_src", DlSrc}, {"eth_src", DlSrc}, {"NXM_OF_ETH_SRC", DlSrc}, {"NXM_OF_ETH_DST", DlDst},
		{"NXM_OF_VLAN_TCI", VlanTCI}, {"OXM_OF_VLAN_VID", VlanVID}, {"vlan_pcp", VlanPCP},
		{"nw_src", NwSrc}, {"ip_src", NwSrc}, {"NXM_OF_IP_SRC", NwSrc}, {"OXM_OF_IPV4_DST", NwDst},
		{"tp_src", TpSrc}, {"tcp_src", TpSrc}, {"udp_src", TpSrc}, {"NXM_OF_UDP_DST", TpDst},
		{"NXM_OF_ARP_SPA", ArpSpa}, {"NXM_NX_ARP_SHA", ArpSha}, {"NXM_OF_ARP_OP", ArpOp},
		{"tun_id", TunID}, {"tunnel_id", TunID}, {"NXM_NX_TUN_ID", TunID}, {"OXM_OF_TUNNEL_ID", TunID},
		{"OXM_OF_METADATA", Metadata}, {"NXM_NX_REG0", Reg0}, {"NXM_NX_REG15", Reg15}, {"reg7", Reg7},
		{"xreg3", XReg3}, {"OXM_OF_PKT_REG4", XReg4}, {"NXM_NX_XXREG2", XXReg2},
		{"NXM_NX_CT_MARK", CtMark}, {"NXM_NX_CT_STATE", CtState}, {"NXM_NX_CT_ZONE", CtZone},
		{"NXM_NX_PKT_MARK", PktMark}, {"conj_id", ConjID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := LookupField(tt.name)
			if !ok || got != tt.want {
				t.Errorf("LookupField(%q) = %v, %v, want %v", tt.name, got, ok, tt.want)
			}
		})
	}
	if _, ok := LookupField("ipv6_src"); ok {
		t.Error("ipv6_src is not evaluated, LookupField should not know it")
	}
	for f := Field(1); f < numFields; f++ {
		if got, ok := LookupField(f.String()); !ok || got != f {
			t.Errorf("LookupField(%v.String()) = %v, %v", f, got, ok)
		}
	}
	widths := map[Field]int{InPort: 32, DlSrc: 48, VlanTCI: 16, NwSrc: 32, TunID: 64, Metadata: 64, Reg3: 32, XReg1: 64, XXReg0: 128, CtState: 32, CtZone: 16}
	for f, w := range widths {
		if f.Bits() != w {
			t.Errorf("%v.Bits() = %d, want %d", f, f.Bits(), w)
		}
	}
}

func TestStateViews(t *testing.T) {
	var s State
	s.Set(VlanTCI, 0x1005)
	s.Set(VlanPCP, 3)
	if s.VlanTCI != 0x7005 || s.Get(DlVlan) != 5 || s.Get(VlanVID) != 0x1005 || s.Get(VlanPCP) != 3 {
		t.Errorf("VLAN views of tci %#x: dl_vlan %d vlan_vid %#x pcp %d", s.VlanTCI, s.Get(DlVlan), s.Get(VlanVID), s.Get(VlanPCP))
	}
	s.Set(DlVlan, 0x123)
	if s.VlanTCI != 0x7123 {
		t.Errorf("dl_vlan keeps CFI and PCP: tci %#x", s.VlanTCI)
	}
	s.Set(IPDSCP, 18)
	s.Set(NwECN, 1)
	if s.Tos != 72|1 || s.Get(NwTos) != 72 || s.Get(IPDSCP) != 18 || s.Get(NwECN) != 1 {
		t.Errorf("TOS views of %#x", s.Tos)
	}
	s.Set(DlSrc, 0xabcd_fa163e000001)
	if s.DlSrc != 0xfa163e000001 {
		t.Errorf("Set masks to 48 bits: %#x", s.DlSrc)
	}
	// xregN is reg(2N) high, reg(2N+1) low (ovs-fields(7)).
	s.Set(XReg1, 0x1111111122222222)
	if s.Regs[2] != 0x11111111 || s.Regs[3] != 0x22222222 || s.Get(XReg1) != 0x1111111122222222 {
		t.Errorf("xreg1 over regs %#x %#x", s.Regs[2], s.Regs[3])
	}
	// xxregN is reg(4N) most significant ... reg(4N+3) least.
	s.Regs[4], s.Regs[5], s.Regs[6], s.Regs[7] = 1, 2, 3, 4
	if got := s.Get(XXReg1); got != 0x0000000300000004 {
		t.Errorf("xxreg1 low 64 bits = %#x", got)
	}
	if got := (Subfield{XXReg1, 96, 32}).Get(&s); got != 1 {
		t.Errorf("xxreg1[96..127] = %d, want reg4", got)
	}
	if got := (Subfield{XXReg1, 32, 64}).Get(&s); got != 0x0000000200000003 {
		t.Errorf("xxreg1[32..95] = %#x", got)
	}
	(Subfield{XXReg1, 64, 32}).Set(&s, 0xdead)
	if s.Regs[5] != 0xdead {
		t.Errorf("xxreg1[64..95] is reg5: regs %v", s.Regs[4:8])
	}
	var all State
	for f := Field(1); f < numFields; f++ {
		all.Set(f, ^uint64(0))
		if got, want := all.Get(f), f.fullMask(); f != NwTos && got != want {
			t.Errorf("%v: Set(all ones) then Get = %#x, want %#x", f, got, want)
		}
	}
}

func TestSubfield(t *testing.T) {
	tests := []struct {
		text  string
		want  Subfield
		print string
	}{
		{"NXM_NX_REG0[0..15]", Subfield{Reg0, 0, 16}, "NXM_NX_REG0[0..15]"},
		{"reg0[16..31]", Subfield{Reg0, 16, 16}, "NXM_NX_REG0[16..31]"},
		{"OXM_OF_METADATA[]", Subfield{Metadata, 0, 64}, "OXM_OF_METADATA[]"},
		{"NXM_NX_XXREG0[96]", Subfield{XXReg0, 96, 1}, "NXM_NX_XXREG0[96]"},
		{"eth_src", Subfield{DlSrc, 0, 48}, "NXM_OF_ETH_SRC[]"},
		{"conj_id[]", Subfield{ConjID, 0, 32}, "conj_id[]"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := ParseSubfield(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || got.String() != tt.print {
				t.Errorf("got %#v %q, want %#v %q", got, got.String(), tt.want, tt.print)
			}
		})
	}
	for _, bad := range []string{"", "[]", "reg0[", "reg0[1..0]", "reg0[32]", "reg0[0..32]", "reg0[a]", "reg0[-1]", "reg0[]x", "nosuch[]", "reg0[1..]"} {
		if _, err := ParseSubfield(bad); err == nil {
			t.Errorf("ParseSubfield(%q) succeeded", bad)
		}
	}
	var s State
	sfA, sfB := Subfield{Reg0, 0, 16}, Subfield{Reg0, 16, 16}
	sfA.Set(&s, 0x1234_5678)
	if s.Regs[0] != 0x5678 {
		t.Errorf("Set keeps its width: %#x", s.Regs[0])
	}
	MoveBits(&s, sfB, sfA)
	if s.Regs[0] != 0x5678_5678 {
		t.Errorf("move reg0[0..15] to reg0[16..31]: %#x", s.Regs[0])
	}
	s.Regs = [16]uint32{1, 2, 3, 4}
	MoveBits(&s, Subfield{XXReg1, 0, 128}, Subfield{XXReg0, 0, 128})
	if diff := cmp.Diff([]uint32{1, 2, 3, 4}, s.Regs[4:8]); diff != "" {
		t.Errorf("128-bit move (-want +got):\n%s", diff)
	}
}

// pkt is a TCP packet on VLAN 5 from 10.0.0.1:1234 to 10.0.0.2:22.
func pkt() *State {
	return &State{
		InPort: 1, DlSrc: 0xfa163e000001, DlDst: 0xfa163e000002, DlType: ethIP, VlanTCI: 0x1005,
		NwSrc: 0x0a000001, NwDst: 0x0a000002, NwProto: 6, NwTTL: 64, TpSrc: 1234, TpDst: 22,
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		name, match string
		edit        func(s *State)
		ok, unknown bool
	}{
		{"empty match", "", nil, true, false},
		{"in_port", "in_port=1", nil, true, false},
		{"other in_port", "in_port=2", nil, false, false},
		{"tcp dst", "tcp,tp_dst=22", nil, true, false},
		{"udp needs udp", "udp,tp_dst=22", nil, false, false},
		{"prerequisite holds back a stale port", "tcp,tp_dst=22", func(s *State) { s.NwProto = 17 }, false, false},
		{"port range mask", "tcp,tp_dst=0x1000/0xf000", func(s *State) { s.TpDst = 5000 }, true, false},
		{"port range mask miss", "tcp,tp_dst=0x1000/0xf000", func(s *State) { s.TpDst = 9000 }, false, false},
		{"nw_src CIDR", "ip,nw_src=10.0.0.0/8", nil, true, false},
		{"nw_src CIDR miss", "ip,nw_src=10.0.0.0/8", func(s *State) { s.NwSrc = 0x0b000001 }, false, false},
		{"unicast dl_dst", "dl_dst=00:00:00:00:00:00/01:00:00:00:00:00", nil, true, false},
		{"multicast dl_dst", "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00", nil, false, false},
		{"dl_vlan", "dl_vlan=5", nil, true, false},
		{"dl_vlan with pcp", "dl_vlan=5", func(s *State) { s.VlanTCI = 0x3005 }, true, false},
		{"dl_vlan untagged", "dl_vlan=5", func(s *State) { s.VlanTCI = 0 }, false, false},
		{"dl_vlan 0 is not untagged", "dl_vlan=0", func(s *State) { s.VlanTCI = 0 }, false, false},
		{"no tag", "dl_vlan=0xffff", func(s *State) { s.VlanTCI = 0 }, true, false},
		{"no tag on tagged", "dl_vlan=0xffff", nil, false, false},
		{"any tag", "vlan_tci=0x1000/0x1000", nil, true, false},
		{"any tag untagged", "vlan_tci=0x1000/0x1000", func(s *State) { s.VlanTCI = 0 }, false, false},
		{"flat untagged", "vlan_tci=0x0000/0x1fff", func(s *State) { s.VlanTCI = 0 }, true, false},
		{"pcp", "dl_vlan_pcp=1", func(s *State) { s.VlanTCI = 0x3005 }, true, false},
		{"ct_state est", "ct_state=+trk+est-new", func(s *State) { s.CtState = CtTrk | CtEst }, true, false},
		{"ct_state est and rpl", "ct_state=+trk+est-new", func(s *State) { s.CtState = CtTrk | CtEst | CtRpl }, true, false},
		{"ct_state new", "ct_state=+trk+est-new", func(s *State) { s.CtState = CtTrk | CtNew }, false, false},
		{"ct_state untracked", "ct_state=+trk+est-new", nil, false, false},
		{"ct_state -trk", "ct_state=-trk", nil, true, false},
		{"ct_state exact", "ct_state=new|trk", func(s *State) { s.CtState = CtTrk | CtNew }, true, false},
		{"ct_state exact extra bit", "ct_state=new|trk", func(s *State) { s.CtState = CtTrk | CtNew | CtSNAT }, false, false},
		{"ct_mark bit", "ct_mark=0x1/0x1", func(s *State) { s.CtMark = 3 }, true, false},
		{"reg mask", "reg0=0x1/0xff", func(s *State) { s.Regs[0] = 0x301 }, true, false},
		{"metadata", "metadata=0x5", func(s *State) { s.Metadata = 5 }, true, false},
		{"tun_id", "tun_id=0x64", func(s *State) { s.TunID = 0x64 }, true, false},
		{"xreg view", "xreg0=0x100000002", func(s *State) { s.Regs[0], s.Regs[1] = 1, 2 }, true, false},
		{"tos", "ip,nw_tos=72", func(s *State) { s.Tos = 72 | 2 }, true, false},
		{"unknown term", "ip,nw_src=10.0.0.1,nw_frag=later", nil, false, true},
		{"unknown term but known miss", "ip,nw_src=10.0.0.9,nw_frag=later", nil, false, false},
		{"unresolved port name", `in_port="tap1"`, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFlow(tt.match + " actions=drop")
			if err != nil {
				t.Fatal(err)
			}
			s := pkt()
			if tt.edit != nil {
				tt.edit(s)
			}
			ok, unknown := f.Matches(s)
			if ok != tt.ok || unknown != tt.unknown {
				t.Errorf("Matches = %v, %v, want %v, %v", ok, unknown, tt.ok, tt.unknown)
			}
		})
	}
}

func TestMatchString(t *testing.T) {
	tests := []struct {
		m    Match
		want string
	}{
		{exact(InPort, 0xfffe), "in_port=LOCAL"},
		{Match{Field: InPort, Mask: 0xffffffff, PortName: "patch-int"}, `in_port="patch-int"`},
		{Match{Field: InPort, Mask: 0xffffffff, PortName: "tap1"}, "in_port=tap1"},
		{Match{Field: InPort, Mask: 0xffffffff, PortName: "LOCAL"}, `in_port="LOCAL"`},
		{masked(DlDst, 0x010000000000, 0x010000000000), "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00"},
		{masked(NwSrc, 0x0a000000, 0xff000000), "nw_src=10.0.0.0/8"},
		{masked(NwSrc, 0x0a000000, 0xff00ff00), "nw_src=10.0.0.0/255.0.255.0"},
		{masked(TpDst, 0x1000, 0xf000), "tp_dst=0x1000/0xf000"},
		{exact(TpDst, 22), "tp_dst=22"},
		{masked(Reg0, 1, 0xff), "reg0=0x1/0xff"},
		{exact(DlType, 0x806), "dl_type=0x0806"},
		{masked(VlanTCI, 0x1005, 0x1fff), "dl_vlan=5"},
		{masked(VlanTCI, 0x7005, 0xffff), "dl_vlan=5,dl_vlan_pcp=3"},
		{masked(VlanTCI, 0x7000, 0xf000), "dl_vlan_pcp=3"},
		{masked(VlanTCI, 0, 0xffff), "vlan_tci=0x0000"},
		{masked(VlanTCI, 0, 0x1fff), "vlan_tci=0x0000/0x1fff"},
		{masked(VlanTCI, 1, 0x0fff), "vlan_tci=0x0001/0x0fff"},
		{masked(CtState, 0x22, 0x23), "ct_state=-new+est+trk"},
		{exact(CtState, 0x21), "ct_state=new|trk"},
		{exact(CtState, 0), "ct_state=0"},
		{masked(CtState, 0x100, 0x100), "ct_state=0x100/0x100"},
		{masked(TCPFlags, 2, 0x12), "tcp_flags=+syn-ack"},
		{exact(TunID, 0x64), "tun_id=0x64"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.m.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStateString(t *testing.T) {
	s := pkt()
	s.Regs[5], s.CtState, s.Tos = 5, CtTrk|CtNew, 0x48
	want := "in_port=1,dl_src=fa:16:3e:00:00:01,dl_dst=fa:16:3e:00:00:02,dl_type=0x0800,vlan_tci=0x1005," +
		"nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_proto=6,tos=0x48,nw_ttl=64,tcp_src=1234,tcp_dst=22,reg5=0x5,ct_state=new|trk"
	if got := s.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func TestMarshalText(t *testing.T) {
	b, _ := Reg5.MarshalText()
	k, _ := Resubmit.MarshalText()
	if string(b) != "reg5" || string(k) != "Resubmit" {
		t.Errorf("got %s, %s", b, k)
	}
	var f Field
	if err := f.UnmarshalText([]byte("NXM_NX_REG5")); err != nil || f != Reg5 {
		t.Errorf("UnmarshalText: %v, %v", f, err)
	}
	if err := f.UnmarshalText([]byte("ipv6_src")); err == nil {
		t.Error("UnmarshalText(ipv6_src) succeeded")
	}
}

func TestStack(t *testing.T) {
	s := &State{InPort: 5}
	s.Regs = [16]uint32{1, 2, 3, 4}
	var st Stack
	st.Push(s, Subfield{XXReg0, 0, 128})
	st.Push(s, Subfield{InPort, 0, 32})
	branch := st // a copy is independent
	branch.Push(s, Subfield{Reg0, 0, 8})
	s.InPort, s.Regs = 0, [16]uint32{}
	if !st.Pop(s, Subfield{InPort, 0, 32}) || s.InPort != 5 {
		t.Errorf("pop in_port: %d", s.InPort)
	}
	if !st.Pop(s, Subfield{XXReg1, 0, 128}) {
		t.Fatal("pop xxreg1 failed")
	}
	if diff := cmp.Diff([]uint32{0, 0, 0, 0, 1, 2, 3, 4}, s.Regs[:8]); diff != "" {
		t.Errorf("128 bits through the stack (-want +got):\n%s", diff)
	}
	if st.Pop(s, Subfield{Reg0, 0, 32}) || st.Len() != 0 || branch.Len() != 3 {
		t.Errorf("underflow: stack %d, branch %d", st.Len(), branch.Len())
	}
	// A narrower value popped into a wider subfield is zero-extended.
	s.Regs[2] = 0xffffffff
	st.Push(s, Subfield{Reg2, 4, 8})
	s.Regs[3] = 0xffffffff
	st.Pop(s, Subfield{Reg3, 0, 16})
	if s.Regs[3] != 0xffff00ff {
		t.Errorf("reg3 = %#x", s.Regs[3])
	}
}
