package frame

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/hopscope/hopscope/trace"
)

// Layer is one protocol header of a frame as Wireshark names it, with a
// few short "Field: value" lines.
type Layer struct {
	Name   string
	Fields []string
}

// Layers builds p's frame and decodes it back, outermost header first:
// the encapsulation stack a capture would show.
func Layers(p trace.Packet) ([]Layer, error) {
	b, err := Bytes(p)
	if err != nil {
		return nil, err
	}
	ls, err := decode(b, layers.LayerTypeEthernet, chain(p))
	if err != nil {
		return nil, fmt.Errorf("decoding the frame of %s: %w", p, err)
	}
	out := make([]Layer, 0, len(ls))
	for _, l := range ls {
		// Wireshark shows the echo id and sequence inside the ICMPv6 header.
		if e, ok := l.(*layers.ICMPv6Echo); ok && len(out) > 0 {
			last := &out[len(out)-1]
			last.Fields = append(last.Fields, fmt.Sprintf("ID: %d", e.Identifier), fmt.Sprintf("Seq: %d", e.SeqNumber))
			continue
		}
		out = append(out, describe(l))
	}
	return out, nil
}

// chain is p and the packets its tunnels carry, outermost first.
func chain(p trace.Packet) []trace.Packet {
	out := []trace.Packet{p}
	for e := p.Encap; e != nil && len(out) <= maxNesting; e = e.Inner.Encap {
		out = append(out, e.Inner)
	}
	return out
}

// decode decodes b, which starts with a layer of type first, and chain[0]
// is the packet of its first Ethernet header. gopacket guesses what follows
// TCP and UDP from well-known ports: it would read the zero payload of a
// UDP packet to port 53 as DNS, and miss VXLAN on an OVS dst_port other
// than 4789. The packet knows, so it decides.
func decode(b []byte, first gopacket.LayerType, chain []trace.Packet) ([]gopacket.Layer, error) {
	ls := gopacket.NewPacket(b, first, gopacket.Default).Layers()
	k := -1 // index in chain of the current Ethernet header
	for i, l := range ls {
		switch l.LayerType() {
		case layers.LayerTypeEthernet:
			k++
		case gopacket.LayerTypeDecodeFailure:
			return nil, l.(*gopacket.DecodeFailure).Error()
		case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
			if !headerFollows(at(chain, k)) {
				return withData(ls[:i+1], l), nil
			}
		case layers.LayerTypeTCP, layers.LayerTypeUDP:
			next, tunneled := tunnelLayerType(at(chain, k).Encap)
			if !tunneled || l.LayerType() != layers.LayerTypeUDP {
				return withData(ls[:i+1], l), nil
			}
			rest, err := decode(l.LayerPayload(), next, chain[k+1:])
			return append(slices.Clip(ls[:i+1]), rest...), err
		}
	}
	return ls, nil
}

// at is chain[k], or a zero packet when the frame has more levels than
// the chain (it cannot: Bytes built it from the chain).
func at(chain []trace.Packet, k int) trace.Packet {
	if k < 0 || k >= len(chain) {
		return trace.Packet{}
	}
	return chain[k]
}

// headerFollows reports whether p's IP payload starts with a header Bytes
// wrote; otherwise it is zeros, and only Data.
func headerFollows(p trace.Packet) bool {
	switch p.Proto {
	case trace.ProtoTCP, trace.ProtoUDP, trace.ProtoICMP, protoICMPv6:
		return true
	case protoGRE:
		return p.Encap != nil
	}
	return false
}

// withData ends a decoded frame at layer last, followed by its payload as Data.
func withData(ls []gopacket.Layer, last gopacket.Layer) []gopacket.Layer {
	ls = slices.Clip(ls)
	if pl := last.LayerPayload(); len(pl) > 0 {
		ls = append(ls, gopacket.Payload(pl))
	}
	return ls
}

func tunnelLayerType(e *trace.Encapsulation) (gopacket.LayerType, bool) {
	if e == nil {
		return 0, false
	}
	switch e.Type {
	case "vxlan":
		return layers.LayerTypeVXLAN, true
	case "geneve":
		return layers.LayerTypeGeneve, true
	}
	return 0, false
}

// describe names a decoded layer as Wireshark does and lists its fields.
func describe(l gopacket.Layer) Layer {
	switch l := l.(type) {
	case *layers.Ethernet:
		return Layer{"Ethernet II", []string{"Src: " + l.SrcMAC.String(), "Dst: " + l.DstMAC.String(), "Type: " + etherType(l.EthernetType)}}
	case *layers.Dot1Q:
		return Layer{"802.1Q Virtual LAN", []string{fmt.Sprintf("VLAN: %d", l.VLANIdentifier), "Type: " + etherType(l.Type)}}
	case *layers.IPv4:
		return Layer{"Internet Protocol Version 4", []string{"Src: " + l.SrcIP.String(), "Dst: " + l.DstIP.String(),
			fmt.Sprintf("TTL: %d", l.TTL), "Protocol: " + ipProto(l.Protocol), fmt.Sprintf("Total Length: %d", l.Length)}}
	case *layers.IPv6:
		return Layer{"Internet Protocol Version 6", []string{"Src: " + l.SrcIP.String(), "Dst: " + l.DstIP.String(),
			fmt.Sprintf("Hop Limit: %d", l.HopLimit), "Next Header: " + ipProto(l.NextHeader), fmt.Sprintf("Payload Length: %d", l.Length)}}
	case *layers.UDP:
		return Layer{"User Datagram Protocol", []string{fmt.Sprintf("Src Port: %d", l.SrcPort), fmt.Sprintf("Dst Port: %d", l.DstPort), fmt.Sprintf("Length: %d", l.Length)}}
	case *layers.TCP:
		return Layer{"Transmission Control Protocol", []string{fmt.Sprintf("Src Port: %d", l.SrcPort), fmt.Sprintf("Dst Port: %d", l.DstPort), "Flags: " + tcpFlags(l)}}
	case *layers.ICMPv4:
		f := []string{fmt.Sprintf("Type: %s (%d)", l.TypeCode, l.TypeCode.Type()), fmt.Sprintf("Code: %d", l.TypeCode.Code())}
		if isEcho(l.TypeCode.Type(), 8, 0) {
			f = append(f, fmt.Sprintf("ID: %d", l.Id), fmt.Sprintf("Seq: %d", l.Seq))
		}
		return Layer{"Internet Control Message Protocol", f}
	case *layers.ICMPv6:
		return Layer{"Internet Control Message Protocol v6", []string{fmt.Sprintf("Type: %s (%d)", l.TypeCode, l.TypeCode.Type()), fmt.Sprintf("Code: %d", l.TypeCode.Code())}}
	case *layers.VXLAN:
		return Layer{"Virtual eXtensible Local Area Network", []string{fmt.Sprintf("VNI: %d", l.VNI)}}
	case *layers.Geneve:
		opts := "none"
		if l.OptionsLength > 0 {
			opts = fmt.Sprintf("%d bytes", l.OptionsLength)
		}
		return Layer{"Generic Network Virtualization Encapsulation", []string{fmt.Sprintf("VNI: %d", l.VNI), "Protocol: " + etherType(l.Protocol), "Options: " + opts}}
	case *layers.GRE:
		f := []string{"Protocol: " + etherType(l.Protocol)}
		if l.KeyPresent {
			f = append(f, fmt.Sprintf("Key: %d", l.Key))
		}
		return Layer{"Generic Routing Encapsulation", f}
	case gopacket.Payload:
		return Layer{"Data", []string{fmt.Sprintf("Length: %d", len(l))}}
	case *gopacket.Payload: // as gopacket decodes it; the value form is ours, from decode
		return Layer{"Data", []string{fmt.Sprintf("Length: %d", len(*l))}}
	}
	return Layer{Name: l.LayerType().String()}
}

func etherType(t layers.EthernetType) string { return fmt.Sprintf("%s (0x%04x)", t, uint16(t)) }

func ipProto(p layers.IPProtocol) string { return fmt.Sprintf("%s (%d)", p, uint8(p)) }

func tcpFlags(t *layers.TCP) string {
	var f []string
	for _, b := range []struct {
		set  bool
		name string
	}{{t.FIN, "FIN"}, {t.SYN, "SYN"}, {t.RST, "RST"}, {t.PSH, "PSH"}, {t.ACK, "ACK"}, {t.URG, "URG"}} {
		if b.set {
			f = append(f, b.name)
		}
	}
	if len(f) == 0 {
		return "none"
	}
	return strings.Join(f, ", ")
}
