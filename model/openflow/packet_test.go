package openflow

import (
	"errors"
	"testing"
)

func TestParsePacket(t *testing.T) {
	st, err := ParsePacket("in_port=3,tcp,dl_vlan=5,nw_dst=10.0.0.1,tp_dst=22,reg0=0x7")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    Field
		want string
	}{
		{InPort, "3"}, {DlType, "0x0800"}, {NwProto, "6"}, {VlanTCI, "0x1005"},
		{NwDst, "10.0.0.1"}, {TpDst, "22"}, {Reg0, "0x7"},
	} {
		if got := FormatValue(c.f, st.Get(c.f)); got != c.want {
			t.Errorf("%s = %s, want %s", c.f, got, c.want)
		}
	}
	if _, err := ParsePacket("in_port=1,ipv6,ipv6_dst=::1"); !errors.Is(err, ErrUnmodelled) {
		t.Errorf("a packet with a field the model lacks: error %v, want ErrUnmodelled", err)
	}
}
