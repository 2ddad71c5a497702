package openflow

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const neutronLearn = "learn(table=20,hard_timeout=300,priority=1,cookie=0x9a2b3c4d5e6f7081," +
	"NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[]," +
	"load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[])"

func sf(f Field, ofs, bits int) Subfield { return Subfield{f, ofs, bits} }

func sfp(f Field, ofs, bits int) *Subfield { return &Subfield{f, ofs, bits} }

func TestParseActions(t *testing.T) {
	tests := []struct {
		name, text string
		want       Action // Raw is filled in from text
	}{
		{"output", "output:5", Action{Kind: Output, Port: 5}},
		{"bare port", "5", Action{Kind: Output, Port: 5}},
		{"output by name", `output:"tap1"`, Action{Kind: Output, PortName: "tap1"}},
		{"output by bare name", `output:tap1`, Action{Kind: Output, PortName: "tap1"}},
		{"output field", "output:NXM_NX_REG0[]", Action{Kind: OutputField, Src: sf(Reg0, 0, 32)}},
		{"output:in_port", "output:in_port", Action{Kind: OutputInPort, Port: PortInPort}},
		{"IN_PORT", "IN_PORT", Action{Kind: OutputInPort, Port: PortInPort}},
		{"NORMAL", "NORMAL", Action{Kind: Normal, Port: PortNormal}},
		{"normal", "normal", Action{Kind: Normal, Port: PortNormal}},
		{"LOCAL", "LOCAL", Action{Kind: Local, Port: PortLocal}},
		{"output:LOCAL", "output:LOCAL", Action{Kind: Local, Port: PortLocal}},
		{"output reserved number", "output:0xfffe", Action{Kind: Local, Port: PortLocal}},
		{"FLOOD", "FLOOD", Action{Kind: Flood, Port: PortFlood}},
		{"ALL", "ALL", Action{Kind: All, Port: PortAll}},
		{"drop", "drop", Action{Kind: Drop}},
		{"controller", "controller", Action{Kind: Controller, Port: PortController}},
		{"CONTROLLER:65535", "CONTROLLER:65535", Action{Kind: Controller, Port: PortController}},
		{"controller(reason=no_match)", "controller(reason=no_match)", Action{Kind: Controller, Port: PortController}},
		{"resubmit table", "resubmit(,2)", Action{Kind: Resubmit, Port: PortInPort, Table: 2}},
		{"resubmit port and table", "resubmit(1,2)", Action{Kind: Resubmit, Port: 1, Table: 2}},
		{"resubmit port", "resubmit:3", Action{Kind: Resubmit, Port: 3, Table: -1}},
		{"resubmit port paren", "resubmit(5)", Action{Kind: Resubmit, Port: 5, Table: -1}},
		{"resubmit by name", `resubmit:"tapa1b2c3d4-e5"`, Action{Kind: Resubmit, PortName: "tapa1b2c3d4-e5", Table: -1}},
		{"goto_table", "goto_table:2", Action{Kind: GotoTable, Table: 2}},
		{"load", "load:0x1->NXM_NX_REG0[0..3]", Action{Kind: Load, Dst: sf(Reg0, 0, 4), Value: 1}},
		{"load MAC", "load:0xfa163e8c1201->NXM_NX_ARP_SHA[]", Action{Kind: Load, Dst: sf(ArpSha, 0, 48), Value: 0xfa163e8c1201}},
		{"load xxreg bit", "load:0x1->NXM_NX_XXREG0[96]", Action{Kind: Load, Dst: sf(XXReg0, 96, 1), Value: 1}},
		{"load pkt_reg", "load:0x1->OXM_OF_PKT_REG4[32..47]", Action{Kind: Load, Dst: sf(XReg4, 32, 16), Value: 1}},
		{"move", "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]", Action{Kind: Move, Src: sf(DlSrc, 0, 48), Dst: sf(DlDst, 0, 48)}},
		{"move into xxreg", "move:NXM_OF_IP_DST[]->NXM_NX_XXREG0[96..127]", Action{Kind: Move, Src: sf(NwDst, 0, 32), Dst: sf(XXReg0, 96, 32)}},
		{"set_field IP", "set_field:10.0.0.1->nw_src", Action{Kind: SetField, Field: NwSrc, Value: 0x0a000001, Mask: 0xffffffff}},
		{"set_field masked", "set_field:0x1/0x1->reg0", Action{Kind: SetField, Field: Reg0, Value: 1, Mask: 1}},
		{"set_field vlan_vid", "set_field:4097->vlan_vid", Action{Kind: SetField, Field: VlanVID, Value: 0x1001, Mask: 0x1fff}},
		{"set_field MAC", "set_field:fa:16:3e:00:00:01->eth_src", Action{Kind: SetField, Field: DlSrc, Value: 0xfa163e000001, Mask: 0xffffffffffff}},
		{"set_field xxreg", "set_field:0x2000000000000000000000000/0x2000000000000000000000000->xxreg0",
			Action{Kind: SetField, Field: XReg0, Value: 0x200000000, Mask: 0x200000000}},
		{"set_field xxreg low half", "set_field:0x5->xxreg1", Action{Kind: Unsupported}},
		{"write_metadata", "write_metadata:0x1/0xff", Action{Kind: SetField, Field: Metadata, Value: 1, Mask: 0xff}},
		{"mod_vlan_vid", "mod_vlan_vid:5", Action{Kind: ModVlanVID, Field: DlVlan, Value: 5, Mask: 0xfff}},
		{"mod_vlan_pcp", "mod_vlan_pcp:3", Action{Kind: ModVlanPCP, Field: VlanPCP, Value: 3, Mask: 7}},
		{"push_vlan", "push_vlan:0x8100", Action{Kind: PushVlan, Value: 0x8100}},
		{"strip_vlan", "strip_vlan", Action{Kind: StripVlan}},
		{"pop_vlan", "pop_vlan", Action{Kind: PopVlan}},
		{"mod_dl_src", "mod_dl_src:fa:16:3e:8c:12:01", Action{Kind: ModDlSrc, Field: DlSrc, Value: 0xfa163e8c1201, Mask: 0xffffffffffff}},
		{"mod_dl_dst", "mod_dl_dst:fa:16:3e:8c:12:01", Action{Kind: ModDlDst, Field: DlDst, Value: 0xfa163e8c1201, Mask: 0xffffffffffff}},
		{"mod_nw_src", "mod_nw_src:10.0.0.1", Action{Kind: ModNwSrc, Field: NwSrc, Value: 0x0a000001, Mask: 0xffffffff}},
		{"mod_nw_dst", "mod_nw_dst:10.0.0.2", Action{Kind: ModNwDst, Field: NwDst, Value: 0x0a000002, Mask: 0xffffffff}},
		{"mod_nw_tos", "mod_nw_tos:72", Action{Kind: ModNwTos, Field: NwTos, Value: 72, Mask: 0xff}},
		{"mod_nw_ttl", "mod_nw_ttl:9", Action{Kind: SetField, Field: NwTTL, Value: 9, Mask: 0xff}},
		{"mod_tp_src", "mod_tp_src:1000", Action{Kind: ModTpSrc, Field: TpSrc, Value: 1000, Mask: 0xffff}},
		{"mod_tp_dst", "mod_tp_dst:2000", Action{Kind: ModTpDst, Field: TpDst, Value: 2000, Mask: 0xffff}},
		{"set_tunnel", "set_tunnel:0x64", Action{Kind: SetTunnel, Field: TunID, Value: 0x64, Mask: ^uint64(0)}},
		{"set_tunnel64", "set_tunnel64:0x1234567890", Action{Kind: SetTunnel, Field: TunID, Value: 0x1234567890, Mask: ^uint64(0)}},
		{"dec_ttl", "dec_ttl", Action{Kind: DecTTL}},
		{"dec_ttl ids", "dec_ttl(1,2)", Action{Kind: DecTTL}},
		{"ct full", "ct(commit,zone=NXM_NX_REG13[0..15],table=45,nat(src=10.0.0.1:1000-2000),exec(load:0x1->NXM_NX_CT_MARK[]))",
			Action{Kind: CT, CT: &CTAction{
				Commit: true, ZoneField: sfp(Reg13, 0, 16), Table: 45,
				NAT:  &NAT{Src: true, AddrMin: netip.MustParseAddr("10.0.0.1"), AddrMax: netip.MustParseAddr("10.0.0.1"), PortMin: 1000, PortMax: 2000},
				Exec: []Action{{Kind: Load, Dst: sf(CtMark, 0, 32), Value: 1, Raw: "load:0x1->NXM_NX_CT_MARK[]"}},
			}}},
		{"ct recirculate", "ct(table=72,zone=NXM_NX_REG6[0..15])", Action{Kind: CT, CT: &CTAction{ZoneField: sfp(Reg6, 0, 16), Table: 72}}},
		{"ct zone alg", "ct(commit,zone=5,alg=ftp)", Action{Kind: CT, CT: &CTAction{Commit: true, Zone: 5, Table: -1, Alg: "ftp"}}},
		{"ct unnat", "ct(table=14,zone=NXM_NX_REG11[0..15],nat)", Action{Kind: CT, CT: &CTAction{ZoneField: sfp(Reg11, 0, 16), Table: 14, NAT: &NAT{}}}},
		{"ct nat range", "ct(commit,force,nat(src=172.24.4.10-172.24.4.20:5000-6000,random))", Action{Kind: CT, CT: &CTAction{
			Commit: true, Force: true, Table: -1,
			NAT: &NAT{Src: true, AddrMin: netip.MustParseAddr("172.24.4.10"), AddrMax: netip.MustParseAddr("172.24.4.20"),
				PortMin: 5000, PortMax: 6000, Flags: []string{"random"}},
		}}},
		{"ct nat IPv6", "ct(commit,nat(dst=[fd00::1]-[fd00::2]:80))", Action{Kind: CT, CT: &CTAction{
			Commit: true, Table: -1,
			NAT: &NAT{Dst: true, AddrMin: netip.MustParseAddr("fd00::1"), AddrMax: netip.MustParseAddr("fd00::2"), PortMin: 80, PortMax: 80},
		}}},
		{"ct exec ct_label", "ct(commit,exec(set_field:0/0x1->ct_label))", Action{Kind: CT, CT: &CTAction{
			Commit: true, Table: -1, Exec: []Action{{Kind: Unsupported, Raw: "set_field:0/0x1->ct_label"}},
		}}},
		{"ct_clear", "ct_clear", Action{Kind: CTClear}},
		{"conjunction", "conjunction(10,1/2)", Action{Kind: Conjunction, Conj: Conj{ID: 10, Clause: 1, NClauses: 2}}},
		{"learn as Neutron writes it", neutronLearn, Action{Kind: Learn, Learn: &LearnAction{
			Table: 20, Priority: 1, HardTimeout: 300, Cookie: 0x9a2b3c4d5e6f7081, Raw: neutronLearn,
			Specs: []LearnSpec{
				{Kind: LearnMatchField, Dst: sf(VlanTCI, 0, 12), Src: sfp(VlanTCI, 0, 12)},
				{Kind: LearnMatchField, Dst: sf(DlDst, 0, 48), Src: sfp(DlSrc, 0, 48)},
				{Kind: LearnLoad, Dst: sf(VlanTCI, 0, 16)},
				{Kind: LearnLoad, Dst: sf(TunID, 0, 64), Src: sfp(TunID, 0, 64)},
				{Kind: LearnOutput, Src: sfp(InPort, 0, 32)},
			},
		}}},
		{"learn value spec", "learn(table=30,eth_type=0x800,eth_dst=eth_src,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],nw_proto=6,load:0x5->reg0)", Action{Kind: Learn, Learn: &LearnAction{
			Table: 30, Priority: DefaultPriority,
			Raw: "learn(table=30,eth_type=0x800,eth_dst=eth_src,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],nw_proto=6,load:0x5->reg0)",
			Specs: []LearnSpec{
				{Kind: LearnMatchValue, Dst: sf(DlType, 0, 16), Value: 0x800},
				{Kind: LearnMatchField, Dst: sf(DlDst, 0, 48), Src: sfp(DlSrc, 0, 48)},
				{Kind: LearnMatchField, Dst: sf(NwDst, 0, 32), Src: sfp(NwSrc, 0, 32)},
				{Kind: LearnMatchValue, Dst: sf(NwProto, 0, 8), Value: 6},
				{Kind: LearnLoad, Dst: sf(Reg0, 0, 32), Value: 5},
			},
		}}},
		{"note", "note:00.11.22", Action{Kind: Note}},
		{"group", "group:1", Action{Kind: Group, Value: 1}},
		{"meter", "meter:7", Action{Kind: Meter, Value: 7}},
		{"check_pkt_larger", "check_pkt_larger(1500)->NXM_NX_REG0[6]", Action{Kind: Unsupported}},
		{"sample", "sample(probability=65535,collector_set_id=1,obs_domain_id=1,obs_point_id=1)", Action{Kind: Unsupported}},
		{"clone", "clone(set_field:0x3->reg15,resubmit(,37))", Action{Kind: Clone, Nested: []Action{
			{Kind: SetField, Field: Reg15, Value: 3, Mask: 0xffffffff, Raw: "set_field:0x3->reg15"},
			{Kind: Resubmit, Port: PortInPort, Table: 37, Raw: "resubmit(,37)"},
		}}},
		{"push", "push:NXM_NX_REG0[]", Action{Kind: Push, Src: sf(Reg0, 0, 32)}},
		{"pop", "pop:NXM_OF_IN_PORT[]", Action{Kind: Pop, Dst: sf(InPort, 0, 32)}},
		{"push unknown field", "push:NXM_NX_IPV6_DST[]", Action{Kind: Unsupported}},
		{"set_field unknown field", "set_field:0x10001->tun_metadata0", Action{Kind: Unsupported}},
		{"move unknown field", "move:NXM_NX_TUN_METADATA0[0..15]->NXM_NX_REG15[0..15]", Action{Kind: Unsupported}},
		{"output truncate", "output(port=1,max_len=100)", Action{Kind: Unsupported}},
		{"resubmit ct", "resubmit(,2,ct)", Action{Kind: Unsupported}},
		{"learn limit", "learn(table=2,limit=10,NXM_OF_ETH_DST[])", Action{Kind: Unsupported}},
		{"ct unknown arg", "ct(commit,mark=1)", Action{Kind: Unsupported}},
		{"enqueue", "enqueue:1:2", Action{Kind: Unsupported}},
		{"exit", "exit", Action{Kind: Unsupported}},
		{"output TABLE", "TABLE", Action{Kind: Unsupported}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFlow("actions=" + tt.text)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Raw = tt.text
			if len(f.Actions) != 1 {
				t.Fatalf("got %d actions, want 1", len(f.Actions))
			}
			if diff := cmp.Diff(want, f.Actions[0], sameFlow); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			again, err := ParseFlow(f.String())
			if err != nil {
				t.Fatalf("%q: %v", f.String(), err)
			}
			if diff := cmp.Diff(f, again, sameFlow); diff != "" {
				t.Errorf("round trip (-first +second):\n%s", diff)
			}
		})
	}
}

// TestActionFormat checks the canonical form of actions built in code (no
// Raw): it parses back to the same action.
func TestActionFormat(t *testing.T) {
	tests := []struct {
		name string
		a    Action
		want string
	}{
		{"output", Action{Kind: Output, Port: 5}, "output:5"},
		{"output name", Action{Kind: Output, PortName: "patch-int"}, `output:"patch-int"`},
		{"in_port", Action{Kind: OutputInPort, Port: PortInPort}, "IN_PORT"},
		{"output field", Action{Kind: OutputField, Src: sf(Reg15, 0, 32)}, "output:NXM_NX_REG15[]"},
		{"resubmit table", Action{Kind: Resubmit, Port: PortInPort, Table: 2}, "resubmit(,2)"},
		{"resubmit port", Action{Kind: Resubmit, Port: 3, Table: -1}, "resubmit:3"},
		{"resubmit both", Action{Kind: Resubmit, Port: 1, Table: 2}, "resubmit(1,2)"},
		{"goto", Action{Kind: GotoTable, Table: 9}, "goto_table:9"},
		{"load zero", Action{Kind: Load, Dst: sf(VlanTCI, 0, 16)}, "load:0->NXM_OF_VLAN_TCI[]"},
		{"load", Action{Kind: Load, Dst: sf(TunID, 0, 64), Value: 0x64}, "load:0x64->NXM_NX_TUN_ID[]"},
		{"move", Action{Kind: Move, Src: sf(Reg0, 0, 16), Dst: sf(Reg1, 16, 16)}, "move:NXM_NX_REG0[0..15]->NXM_NX_REG1[16..31]"},
		{"set_field", Action{Kind: SetField, Field: NwDst, Value: 0x0a000001, Mask: 0xffffffff}, "set_field:10.0.0.1->nw_dst"},
		{"set_field masked", Action{Kind: SetField, Field: Reg0, Value: 1, Mask: 1}, "set_field:0x1/0x1->reg0"},
		{"mod_vlan_vid", Action{Kind: ModVlanVID, Field: DlVlan, Value: 5, Mask: 0xfff}, "mod_vlan_vid:5"},
		{"mod_dl_src", Action{Kind: ModDlSrc, Field: DlSrc, Value: 0xfa163e000001, Mask: 0xffffffffffff}, "mod_dl_src:fa:16:3e:00:00:01"},
		{"push_vlan", Action{Kind: PushVlan, Value: 0x8100}, "push_vlan:0x8100"},
		{"set_tunnel", Action{Kind: SetTunnel, Field: TunID, Value: 0x64, Mask: ^uint64(0)}, "set_tunnel:0x64"},
		{"ct", Action{Kind: CT, CT: &CTAction{Commit: true, ZoneField: sfp(Reg13, 0, 16), Table: 45,
			NAT:  &NAT{Src: true, AddrMin: netip.MustParseAddr("10.0.0.1"), AddrMax: netip.MustParseAddr("10.0.0.2"), PortMin: 1000, PortMax: 2000},
			Exec: []Action{{Kind: Load, Dst: sf(CtMark, 0, 32), Value: 1}}}},
			"ct(commit,table=45,zone=NXM_NX_REG13[0..15],nat(src=10.0.0.1-10.0.0.2:1000-2000),exec(load:0x1->NXM_NX_CT_MARK[]))"},
		{"conjunction", Action{Kind: Conjunction, Conj: Conj{ID: 7, Clause: 2, NClauses: 3}}, "conjunction(7,2/3)"},
		{"push", Action{Kind: Push, Src: sf(XXReg0, 0, 128)}, "push:NXM_NX_XXREG0[]"},
		{"pop", Action{Kind: Pop, Dst: sf(Reg0, 0, 16)}, "pop:NXM_NX_REG0[0..15]"},
		{"learn", Action{Kind: Learn, Learn: &LearnAction{Table: 20, Priority: 1, HardTimeout: 300, Specs: []LearnSpec{
			{Kind: LearnMatchField, Dst: sf(VlanTCI, 0, 12), Src: sfp(VlanTCI, 0, 12)},
			{Kind: LearnMatchField, Dst: sf(DlDst, 0, 48), Src: sfp(DlSrc, 0, 48)},
			{Kind: LearnLoad, Dst: sf(TunID, 0, 64), Src: sfp(TunID, 0, 64)},
			{Kind: LearnOutput, Src: sfp(InPort, 0, 32)},
		}}}, "learn(table=20,priority=1,hard_timeout=300,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			f, err := ParseFlow("actions=" + tt.want)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.a
			want.Raw = tt.want
			clearRaw := cmp.Transformer("noRaw", func(l *LearnAction) *LearnAction {
				if l == nil {
					return nil
				}
				c := *l
				c.Raw = ""
				return &c
			})
			if diff := cmp.Diff(want, f.Actions[0], sameFlow, clearRaw, cmp.FilterPath(func(p cmp.Path) bool {
				return p.String() == "CT.Exec.Raw"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("reparsed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActionKindString(t *testing.T) {
	for k := Unsupported; k < numActionKinds; k++ {
		if s := k.String(); s == "" || s[0] == 'A' && k != All {
			t.Errorf("ActionKind(%d).String() = %q", int(k), s)
		}
	}
	if got := ActionKind(99).String(); got != "ActionKind(99)" {
		t.Errorf("got %q", got)
	}
	if got := CT.String() + "," + Learn.String(); got != "CT,Learn" {
		t.Errorf("got %q", got)
	}
}
