package frame

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
	"github.com/hopscope/hopscope/trace"
)

// exampleTraces runs every check of an embedded example, replies included,
// and returns the traces it gave.
func exampleTraces(t testing.TB, name string) []*trace.Trace {
	t.Helper()
	sc, err := scenarios.LoadExample(name)
	if err != nil {
		t.Fatal(err)
	}
	e := trace.New(sc.Topology)
	var out []*trace.Trace
	for _, c := range sc.Checks {
		req, err := check.Request(c)
		if err != nil {
			t.Fatalf("%s: check %s: %v", name, c.Name, err)
		}
		fwd, err := e.Trace(req)
		if err != nil {
			t.Fatalf("%s: check %s: %v", name, c.Name, err)
		}
		out = append(out, fwd...)
		if c.Reply {
			if reply, err := e.Reply(fwd); err == nil {
				out = append(out, reply...)
			}
		}
	}
	return out
}

// TestExamples builds every hop's frame of every example's checks and
// decodes it back: addresses, ports, TTL, MACs, VLAN and checksums agree.
func TestExamples(t *testing.T) {
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			hops := 0
			for _, tr := range exampleTraces(t, name) {
				for _, h := range tr.Hops {
					b, err := Bytes(h.Packet)
					if err != nil {
						t.Fatalf("hop %s: %v", h.Node, err)
					}
					checkFrame(t, h.Packet, b)
					hops++
				}
			}
			if hops == 0 {
				t.Error("no hops: the example has no checks?")
			}
		})
	}
}

// TestNeutronVXLAN: the packet between compute and network node is a VXLAN
// packet with VNI 100 carrying the VM's frame.
func TestNeutronVXLAN(t *testing.T) {
	var outer *trace.Packet
	for _, tr := range exampleTraces(t, "neutron-ovs-compute-network") {
		for _, h := range tr.Hops {
			if h.Packet.Encap != nil {
				outer = &h.Packet
				break
			}
		}
	}
	if outer == nil {
		t.Fatal("no hop carries a tunnel packet")
	}
	b, err := Bytes(*outer)
	if err != nil {
		t.Fatal(err)
	}
	dec := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default)
	var types []gopacket.LayerType
	for _, l := range dec.Layers()[:7] {
		types = append(types, l.LayerType())
	}
	want := []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeIPv4, layers.LayerTypeUDP, layers.LayerTypeVXLAN,
		layers.LayerTypeEthernet, layers.LayerTypeIPv4}
	if !slices.Equal(types[:len(want)], want) {
		t.Fatalf("layers %v, want %v first", types, want)
	}
	if vni := dec.Layer(layers.LayerTypeVXLAN).(*layers.VXLAN).VNI; vni != 100 {
		t.Errorf("VNI %d, want 100", vni)
	}
	inner := dec.Layers()[5].(*layers.IPv4)
	in := outer.Encap.Inner
	if !inner.SrcIP.Equal(in.Src.AsSlice()) || !inner.DstIP.Equal(in.Dst.AsSlice()) {
		t.Errorf("inner IPv4 %s > %s, want %s > %s", inner.SrcIP, inner.DstIP, in.Src, in.Dst)
	}
	ls, err := Layers(*outer)
	if err != nil {
		t.Fatal(err)
	}
	if ls[3].Name != "Virtual eXtensible Local Area Network" || ls[3].Fields[0] != "VNI: 100" {
		t.Errorf("Layers()[3] = %+v", ls[3])
	}
}
