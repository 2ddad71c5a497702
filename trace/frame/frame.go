// Package frame puts a trace's packets on the wire: each hop's packet as the
// Ethernet frame a capture at that device would show, for pcap files and the
// TUI's layer view.
package frame

import (
	"encoding/binary"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/hopscope/hopscope/trace"
)

// maxNesting bounds tunnels inside tunnels: deeper is a model loop, not a packet.
const maxNesting = 8

// Fixed header values the trace does not model; any value would do, fixed
// ones keep captures reproducible.
const (
	ipID        = 1
	icmpID      = 1
	icmpSeq     = 1
	tcpSeq      = 1
	tcpWin      = 64240
	protoGRE    = 47
	protoICMPv6 = 58
)

var serializeOpts = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

// Bytes returns p as an Ethernet frame: Ethernet (802.1Q when p.VLAN is
// set), IPv4 or IPv6, TCP/UDP/ICMP with correct checksums, and a zero
// payload so that the IP length is p.Length. A tunnel's outer packet
// (p.Encap set) carries its VXLAN, Geneve or GRE header and then the inner
// frame; its length is what the inner frame makes it.
func Bytes(p trace.Packet) ([]byte, error) {
	ls, _, err := stack(p, 0)
	if err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOpts, ls...); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return buf.Bytes(), nil
}

// stack lists p's layers, inner frames included, and the frame's length.
func stack(p trace.Packet, depth int) ([]gopacket.SerializableLayer, int, error) {
	if depth > maxNesting {
		return nil, 0, fmt.Errorf("more than %d tunnels nested", maxNesting)
	}
	ip, ipLen, err := network(p)
	if err != nil {
		return nil, 0, err
	}
	l4, l4Len, err := transport(p, ip)
	if err != nil {
		return nil, 0, err
	}
	ipLen += l4Len
	var body []gopacket.SerializableLayer
	if e := p.Encap; e != nil {
		tun, tunLen, err := tunnel(p)
		if err != nil {
			return nil, 0, err
		}
		inner, innerLen, err := stack(e.Inner, depth+1)
		if err != nil {
			return nil, 0, fmt.Errorf("%s inner packet: %w", e.Type, err)
		}
		body = append(tun, inner...)
		ipLen += tunLen + innerLen
	} else if pad := p.Length - ipLen; pad > 0 {
		body = []gopacket.SerializableLayer{gopacket.Payload(make([]byte, pad))}
		ipLen = p.Length
	}
	if limit := maxIPLen(p); ipLen > limit {
		return nil, 0, fmt.Errorf("%s: IP length %d exceeds the maximum %d", p, ipLen, limit)
	}
	eth, ethLen, err := link(p, ip.LayerType())
	if err != nil {
		return nil, 0, err
	}
	out := make([]gopacket.SerializableLayer, 0, len(eth)+2+len(body))
	out = append(append(append(out, eth...), ip), l4...)
	return append(out, body...), ethLen + ipLen, nil
}

// link is the Ethernet header, with an 802.1Q tag when p.VLAN is set.
func link(p trace.Packet, next gopacket.LayerType) ([]gopacket.SerializableLayer, int, error) {
	typ := layers.EthernetTypeIPv4
	if next == layers.LayerTypeIPv6 {
		typ = layers.EthernetTypeIPv6
	}
	eth := &ethernet{layers.Ethernet{SrcMAC: p.SrcMAC[:], DstMAC: p.DstMAC[:], EthernetType: typ}}
	if p.VLAN == 0 {
		return []gopacket.SerializableLayer{eth}, 14, nil
	}
	if p.VLAN > 4095 {
		return nil, 0, fmt.Errorf("%s: VLAN %d: want 1-4095", p, p.VLAN)
	}
	eth.EthernetType = layers.EthernetTypeDot1Q
	return []gopacket.SerializableLayer{eth, &layers.Dot1Q{VLANIdentifier: p.VLAN, Type: typ}}, 18, nil
}

// ethernet is an Ethernet II header that, unlike layers.Ethernet, leaves
// a short frame unpadded: captures on veth, tap and tunnel devices, where
// hops are, show frames as sent, and a tunnel carries its inner frame as
// is (the outer packet's length is the inner one's plus the headers).
type ethernet struct{ layers.Ethernet }

func (e *ethernet) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	h, err := b.PrependBytes(14)
	if err != nil {
		return err
	}
	copy(h, e.DstMAC)
	copy(h[6:], e.SrcMAC)
	binary.BigEndian.PutUint16(h[12:], uint16(e.EthernetType))
	return nil
}

// ipLayer is what the IPv4 and IPv6 layers share: transport checksums need
// the network layer.
type ipLayer interface {
	gopacket.SerializableLayer
	gopacket.NetworkLayer
}

// network is the IPv4 or IPv6 header, by the family of p's addresses.
func network(p trace.Packet) (ipLayer, int, error) {
	src, dst := p.Src.Unmap(), p.Dst.Unmap()
	switch {
	case !src.IsValid() || !dst.IsValid():
		return nil, 0, fmt.Errorf("%s: no source or destination address", p)
	case src.Is4() != dst.Is4():
		return nil, 0, fmt.Errorf("%s: source and destination are of different IP families", p)
	case src.Is4():
		return &layers.IPv4{Version: 4, IHL: 5, Id: ipID, TTL: p.TTL, Protocol: layers.IPProtocol(p.Proto),
			SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}, 20, nil
	}
	return &layers.IPv6{Version: 6, HopLimit: p.TTL, NextHeader: layers.IPProtocol(p.Proto),
		SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}, 40, nil
}

// maxIPLen is the largest IP packet the family's length field allows.
func maxIPLen(p trace.Packet) int {
	if p.Src.Unmap().Is4() {
		return 65535
	}
	return 40 + 65535 // IPv6 counts only its payload
}

// transport is the TCP, UDP or ICMP header; any other protocol's packet is
// the IP header and its (zero) payload.
func transport(p trace.Packet, ip ipLayer) ([]gopacket.SerializableLayer, int, error) {
	v4 := ip.LayerType() == layers.LayerTypeIPv4
	switch {
	case p.Proto == trace.ProtoTCP:
		t := &layers.TCP{SrcPort: layers.TCPPort(p.SrcPort), DstPort: layers.TCPPort(p.DstPort), Seq: tcpSeq, Window: tcpWin,
			FIN: p.TCPFlags&trace.TCPFin != 0, SYN: p.TCPFlags&trace.TCPSyn != 0, RST: p.TCPFlags&trace.TCPRst != 0,
			PSH: p.TCPFlags&trace.TCPPsh != 0, ACK: p.TCPFlags&trace.TCPAck != 0}
		if t.ACK {
			t.Ack = 1
		}
		return withChecksum(t, ip, 20)
	case p.Proto == trace.ProtoUDP:
		return withChecksum(&layers.UDP{SrcPort: layers.UDPPort(p.SrcPort), DstPort: layers.UDPPort(p.DstPort)}, ip, 8)
	case p.Proto == trace.ProtoICMP && v4:
		ic := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(p.ICMPType, p.ICMPCode)}
		if isEcho(p.ICMPType, 8, 0) {
			ic.Id, ic.Seq = icmpID, icmpSeq
		}
		return []gopacket.SerializableLayer{ic}, 8, nil
	case p.Proto == protoICMPv6 && !v4:
		ic := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(p.ICMPType, p.ICMPCode)}
		if err := ic.SetNetworkLayerForChecksum(ip); err != nil {
			return nil, 0, err
		}
		// The 4 bytes after the ICMPv6 header: id and sequence for an
		// echo, unused (zero) for the error messages.
		var rest gopacket.SerializableLayer = gopacket.Payload(make([]byte, 4))
		if isEcho(p.ICMPType, 128, 129) {
			rest = &layers.ICMPv6Echo{Identifier: icmpID, SeqNumber: icmpSeq}
		}
		return []gopacket.SerializableLayer{ic, rest}, 8, nil
	case p.Proto == trace.ProtoICMP || p.Proto == protoICMPv6:
		return nil, 0, fmt.Errorf("%s: ICMP protocol %d cannot travel in %s", p, p.Proto, ip.LayerType())
	}
	return nil, 0, nil
}

func isEcho(t, request, reply uint8) bool { return t == request || t == reply }

// checksummed is a transport layer whose checksum covers the IP pseudo-header.
type checksummed interface {
	gopacket.SerializableLayer
	SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
}

func withChecksum(l checksummed, ip ipLayer, n int) ([]gopacket.SerializableLayer, int, error) {
	if err := l.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, 0, err
	}
	return []gopacket.SerializableLayer{l}, n, nil
}

// tunnel is the header between a tunnel's outer IP/UDP and the inner
// frame: VXLAN or Geneve over UDP, or GRE carrying Ethernet (0x6558, as
// OVS's gre ports do).
func tunnel(p trace.Packet) ([]gopacket.SerializableLayer, int, error) {
	e := p.Encap
	switch e.Type {
	case "vxlan", "geneve":
		if err := needProto(p, trace.ProtoUDP); err != nil {
			return nil, 0, err
		}
		if e.Key >= 1<<24 {
			return nil, 0, fmt.Errorf("%s: %s VNI %d does not fit in 24 bits", p, e.Type, e.Key)
		}
		if e.Type == "vxlan" {
			return []gopacket.SerializableLayer{&layers.VXLAN{ValidIDFlag: true, VNI: uint32(e.Key)}}, 8, nil
		}
		g := &layers.Geneve{Protocol: layers.EthernetTypeTransparentEthernetBridging, VNI: uint32(e.Key)}
		if o := e.OVN; o != nil {
			// OVN's option: class 0x102, type 0x80, 4 bytes holding the
			// logical ingress port's key (15 bits) and egress port's (16).
			data := binary.BigEndian.AppendUint32(nil, uint32(o.InPort&0x7fff)<<16|uint32(o.OutPort&0xffff))
			g.Options = []*layers.GeneveOption{{Class: 0x0102, Type: 0x80, Length: 8, Data: data}}
			g.OptionsLength = 8
		}
		return []gopacket.SerializableLayer{g}, 8 + int(g.OptionsLength), nil
	case "gre":
		if err := needProto(p, protoGRE); err != nil {
			return nil, 0, err
		}
		if e.Key >= 1<<32 {
			return nil, 0, fmt.Errorf("%s: GRE key %d does not fit in 32 bits", p, e.Key)
		}
		g := &layers.GRE{Protocol: layers.EthernetTypeTransparentEthernetBridging, KeyPresent: e.Key != 0, Key: uint32(e.Key)}
		if g.KeyPresent {
			return []gopacket.SerializableLayer{g}, 8, nil
		}
		return []gopacket.SerializableLayer{g}, 4, nil
	}
	return nil, 0, fmt.Errorf("%s: unknown tunnel type %q: want vxlan, geneve or gre", p, e.Type)
}

func needProto(p trace.Packet, want uint8) error {
	if p.Proto != want {
		return fmt.Errorf("%s: a %s tunnel packet must be IP protocol %d, not %d", p, p.Encap.Type, want, p.Proto)
	}
	return nil
}
