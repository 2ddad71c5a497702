package frame

import (
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/trace"
)

// pkt builds a packet: pkt("tcp", "10.0.0.1:1234", "10.0.1.5:443").
func pkt(proto, src, dst string) trace.Packet {
	p := trace.Packet{TTL: 64, Length: 100,
		SrcMAC: model.MAC{0xfa, 0x16, 0x3e, 0, 0, 1}, DstMAC: model.MAC{0xfa, 0x16, 0x3e, 0, 0, 2}}
	p.Proto, _ = trace.ParseProto(proto)
	p.Src, p.SrcPort = addrPort(src)
	p.Dst, p.DstPort = addrPort(dst)
	switch p.Proto {
	case trace.ProtoICMP:
		p.ICMPType = 8
	case trace.ProtoTCP:
		p.TCPFlags = trace.TCPSyn
	}
	return p
}

func addrPort(s string) (netip.Addr, uint16) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), ap.Port()
	}
	return netip.MustParseAddr(s), 0
}

// tunneled wraps inner in a tunnel's outer packet, as trace's encap does.
func tunneled(typ string, key uint64, dport uint16, inner trace.Packet) trace.Packet {
	p := pkt("udp", "10.0.0.25:49200", "10.0.0.27:4789")
	p.DstPort, p.Length = dport, inner.Length+50
	if typ == "gre" {
		p.Proto, p.SrcPort, p.DstPort = protoGRE, 0, 0
	}
	p.Encap = &trace.Encapsulation{Type: typ, Key: key, Port: "h:br-tun:" + typ, Inner: inner}
	return p
}

// checkFrame decodes b with gopacket's decoders (through decode, which
// only stops them from reading zero payloads as protocols) and checks that
// every level of p (outer packet, then each inner one) is what b carries,
// with correct checksums.
func checkFrame(t *testing.T, p trace.Packet, b []byte) {
	t.Helper()
	ls, err := decode(b, layers.LayerTypeEthernet, chain(p))
	if err != nil {
		t.Fatalf("%s: decode: %v", p, err)
	}
	verifyChecksums(t, p, ls)
	levels := byEthernet(ls)
	want := chain(p)
	if len(levels) != len(want) {
		t.Fatalf("%s: %d Ethernet headers, want %d", p, len(levels), len(want))
	}
	for k, q := range want {
		checkLevel(t, q, levels[k])
	}
}

// byEthernet groups decoded layers by the Ethernet header that starts each
// nested frame.
func byEthernet(ls []gopacket.Layer) [][]gopacket.Layer {
	var out [][]gopacket.Layer
	for _, l := range ls {
		if l.LayerType() == layers.LayerTypeEthernet {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], l)
	}
	return out
}

// checkLevel checks one frame's own headers against q.
func checkLevel(t *testing.T, q trace.Packet, ls []gopacket.Layer) {
	t.Helper()
	var vlan uint16
	for _, l := range ls {
		switch l := l.(type) {
		case *layers.Ethernet:
			if [6]byte(l.SrcMAC) != q.SrcMAC || [6]byte(l.DstMAC) != q.DstMAC {
				t.Errorf("%s: MACs %s > %s", q, l.SrcMAC, l.DstMAC)
			}
		case *layers.Dot1Q:
			vlan = l.VLANIdentifier
		case *layers.IPv4:
			src, _ := netip.AddrFromSlice(l.SrcIP)
			dst, _ := netip.AddrFromSlice(l.DstIP)
			if src != q.Src || dst != q.Dst || l.TTL != q.TTL || uint8(l.Protocol) != q.Proto {
				t.Errorf("%s: decoded IPv4 %s > %s ttl %d proto %d", q, src, dst, l.TTL, l.Protocol)
			}
			if q.Encap == nil && q.Length >= 28 && int(l.Length) != q.Length {
				t.Errorf("%s: IP total length %d, want %d", q, l.Length, q.Length)
			}
		case *layers.IPv6:
			src, _ := netip.AddrFromSlice(l.SrcIP)
			dst, _ := netip.AddrFromSlice(l.DstIP)
			if src != q.Src || dst != q.Dst || l.HopLimit != q.TTL || uint8(l.NextHeader) != q.Proto {
				t.Errorf("%s: decoded IPv6 %s > %s hop limit %d next %d", q, src, dst, l.HopLimit, l.NextHeader)
			}
		case *layers.TCP:
			if uint16(l.SrcPort) != q.SrcPort || uint16(l.DstPort) != q.DstPort || tcpBits(l) != q.TCPFlags {
				t.Errorf("%s: decoded TCP %d > %d flags %#x", q, l.SrcPort, l.DstPort, tcpBits(l))
			}
		case *layers.UDP:
			if uint16(l.SrcPort) != q.SrcPort || uint16(l.DstPort) != q.DstPort {
				t.Errorf("%s: decoded UDP %d > %d", q, l.SrcPort, l.DstPort)
			}
			if l.Checksum == 0 { // valid over IPv4, but means "not computed"
				t.Errorf("%s: UDP checksum not set", q)
			}
		case *layers.ICMPv4:
			if l.TypeCode.Type() != q.ICMPType || l.TypeCode.Code() != q.ICMPCode {
				t.Errorf("%s: decoded ICMP %s", q, l.TypeCode)
			}
		case *layers.VXLAN:
			if uint64(l.VNI) != q.Encap.Key {
				t.Errorf("%s: VNI %d", q, l.VNI)
			}
		case *layers.Geneve:
			if uint64(l.VNI) != q.Encap.Key {
				t.Errorf("%s: Geneve VNI %d", q, l.VNI)
			}
		case *layers.GRE:
			if uint64(l.Key) != q.Encap.Key || l.KeyPresent != (q.Encap.Key != 0) {
				t.Errorf("%s: GRE key %d (present %v)", q, l.Key, l.KeyPresent)
			}
		}
	}
	if vlan != q.VLAN {
		t.Errorf("%s: VLAN %d, want %d", q, vlan, q.VLAN)
	}
}

func tcpBits(l *layers.TCP) uint8 {
	var f uint8
	for _, b := range []struct {
		set bool
		bit uint8
	}{{l.FIN, trace.TCPFin}, {l.SYN, trace.TCPSyn}, {l.RST, trace.TCPRst}, {l.PSH, trace.TCPPsh}, {l.ACK, trace.TCPAck}} {
		if b.set {
			f |= b.bit
		}
	}
	return f
}

func mustAddr(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

// verifyChecksums checks every checksum in a decoded frame. gopacket's
// decoders do not tell a transport layer its network layer, so this does.
func verifyChecksums(t *testing.T, p trace.Packet, ls []gopacket.Layer) {
	t.Helper()
	var ip gopacket.NetworkLayer
	for _, l := range ls {
		if n, ok := l.(gopacket.NetworkLayer); ok {
			ip = n
		}
		if c, ok := l.(interface {
			SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
		}); ok {
			if err := c.SetNetworkLayerForChecksum(ip); err != nil {
				t.Fatal(err)
			}
		}
		if c, ok := l.(gopacket.LayerWithChecksum); ok {
			if err, res := c.VerifyChecksum(); err != nil || !res.Valid {
				t.Errorf("%s: %s checksum: %v %+v", p, l.LayerType(), err, res)
			}
		}
	}
}
