package ovn

import (
	"errors"
	"testing"
)

// FuzzCompile checks that no input makes Compile or Eval panic, that errors
// are *MatchError with a column inside the input, and that String returns
// the input.
func FuzzCompile(f *testing.F) {
	for _, tt := range matchCases {
		f.Add(tt.match)
	}
	for _, tt := range matchErrorCases {
		f.Add(tt.match)
	}
	for _, s := range []string{
		`ip4.src == {10.0.0.1/0.0.0.255, ::ffff:1.2.3.4, "x"}`,
		"xxreg0[0..127] == 0xffffffffffffffffffffffffffffffff",
		"ct_label == ::1/::1 || ct_label.label > 3",
		"eth.dst[32..47] == 0x3333 && ip6.mcast_flood",
		"mldv1 || mldv2 || igmp || nd_ns_mcast || nd_rs || nd_ra",
		`!(outport != {"a", "b"}) && !(eth.type != 0x806)`,
		"udp.src < $ports && tcp.flags == 0x2/0x2",
	} {
		f.Add(s)
	}
	pkts := fuzzPackets()
	f.Fuzz(func(t *testing.T, match string) {
		e, err := Compile(match, neutronSets)
		if err != nil {
			var me *MatchError
			if !errors.As(err, &me) {
				t.Fatalf("Compile(%q): %T is not a *MatchError", match, err)
			}
			if me.Col < 1 || me.Col > len(match)+1 || me.Msg == "" || me.Match != match {
				t.Fatalf("Compile(%q): bad error %+v", match, me)
			}
			return
		}
		if e.String() != match {
			t.Fatalf("String() = %q, want %q", e.String(), match)
		}
		for _, p := range pkts {
			e.Eval(p)
		}
	})
}

func fuzzPackets() []*Packet {
	var out []*Packet
	for _, b := range []*packetB{
		mpkt("tcp", "10.0.0.5:1234", "10.0.1.5:22").in("vm1").out("vm2").ct(CTTrk | CTEst),
		mpkt("udp", "[fe80::1]:546", "[ff02::1:2]:547").vlan(10, 3).frag(),
		mpkt("icmp6", "fe80::1", "ff02::1:ff00:1").icmp(135, 0).ttl(255).nd("fe80::1", "fa:16:3e:00:00:01"),
		mpkt("arp", "10.0.0.5", "10.0.0.1").arpHW("fa:16:3e:11:22:33", "ff:ff:ff:ff:ff:ff"),
		mpkt("eth", "", "").reg(0, 0xffffffff).reg(9, 1).label(1).mark(7),
		{}, // the zero packet: no addresses at all
	} {
		out = append(out, &b.Packet)
	}
	return out
}
