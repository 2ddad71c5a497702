package frame

import (
	"encoding/binary"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/hopscope/hopscope/trace"
)

// OVN's Geneve option reaches the wire: class 0x102, type 0x80, the
// logical ingress port's key in the high half and the egress port's in
// the low half, as ovn-controller writes it.
func TestGeneveOVNOption(t *testing.T) {
	p := tunneled("geneve", 7, 6081, pkt("tcp", "10.0.4.88:40000", "8.8.8.8:443"))
	p.Encap.OVN = &trace.GeneveOVN{InPort: 1, OutPort: 3}
	b, err := Bytes(p)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default).Layer(layers.LayerTypeGeneve).(*layers.Geneve)
	if !ok {
		t.Fatalf("no Geneve layer in %x", b)
	}
	if g.VNI != 7 || len(g.Options) != 1 {
		t.Fatalf("VNI %d, %d options; want 7 and 1", g.VNI, len(g.Options))
	}
	o := g.Options[0]
	if o.Class != 0x0102 || o.Type != 0x80 || len(o.Data) != 4 {
		t.Fatalf("option class %#x type %#x data %x; want 0x102, 0x80, 4 bytes", o.Class, o.Type, o.Data)
	}
	if v := binary.BigEndian.Uint32(o.Data); v != 1<<16|3 {
		t.Errorf("option data %#x, want inport 1 << 16 | outport 3", v)
	}
	if g.Payload == nil || len(g.Payload) < 14 {
		t.Errorf("the inner frame is missing after the option")
	}
}
