package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// IP protocol numbers the model knows.
const (
	ProtoICMP uint8 = 1
	ProtoTCP  uint8 = 6
	ProtoUDP  uint8 = 17
)

// TCP flag bits.
const (
	TCPFin uint8 = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
)

// Packet is one synthetic packet. It is a value: stages copy it, change the
// copy, and record the difference; nothing mutates a shared packet.
type Packet struct {
	SrcMAC   model.MAC  `json:"src_mac"`
	DstMAC   model.MAC  `json:"dst_mac"`
	VLAN     uint16     `json:"vlan,omitempty"` // 802.1Q tag on the wire; 0 = untagged
	Src      netip.Addr `json:"src"`
	Dst      netip.Addr `json:"dst"`
	Proto    uint8      `json:"proto"`
	SrcPort  uint16     `json:"src_port,omitempty"`  // valid iff Proto is TCP or UDP
	DstPort  uint16     `json:"dst_port,omitempty"`  // valid iff Proto is TCP or UDP
	ICMPType uint8      `json:"icmp_type,omitempty"` // valid iff Proto is ICMP
	ICMPCode uint8      `json:"icmp_code,omitempty"` // valid iff Proto is ICMP
	TCPFlags uint8      `json:"tcp_flags,omitempty"` // valid iff Proto is TCP
	TTL      uint8      `json:"ttl"`
	Length   int        `json:"length"`
	Mark     uint32     `json:"mark,omitempty"`
	CtState  string     `json:"ct_state,omitempty"` // as the last netfilter hop saw it: NEW, ESTABLISHED, ...
	CtZone   uint16     `json:"ct_zone,omitempty"`
	CtMark   uint32     `json:"ct_mark,omitempty"`
	// Encap is set while the packet is a tunnel's outer packet: what it carries.
	Encap *Encapsulation `json:"encap,omitempty"`

	arp bool // an ARP request (the L2 walk's probe frame), not an IPv4 packet
	// lct is the ct_state OVN's last conntrack lookup left on the packet:
	// it rides along through the logical pipelines of one chassis until
	// the next lookup, and is lost over Geneve.
	lct ovn.CTState
	// lctLost is set when a Geneve move dropped lct.
	lctLost bool
	// loopback is OVN's flags.loopback: a router's egress loop sent the
	// packet back into its ingress pipeline (lr_out_egr_loop).
	loopback bool
}

// ProtoName is the protocol as iptables and tcpdump call it.
func ProtoName(p uint8) string {
	switch p {
	case ProtoICMP:
		return "icmp"
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	}
	return fmt.Sprint(p)
}

// ParseProto reads icmp, tcp, udp or a number.
func ParseProto(s string) (uint8, error) {
	switch s {
	case "icmp", "":
		return ProtoICMP, nil
	case "tcp":
		return ProtoTCP, nil
	case "udp":
		return ProtoUDP, nil
	}
	var n uint8
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0, fmt.Errorf("unknown protocol %q: want icmp, tcp, udp or a number", s)
	}
	return n, nil
}

// HasPorts reports whether SrcPort and DstPort mean anything.
func (p Packet) HasPorts() bool { return p.Proto == ProtoTCP || p.Proto == ProtoUDP }

// String is the tcpdump-like one-liner: "tcp 10.0.0.1:1234 > 10.0.1.5:443".
func (p Packet) String() string {
	s := ProtoName(p.Proto) + " "
	if p.HasPorts() {
		s += fmt.Sprintf("%s:%d > %s:%d", p.Src, p.SrcPort, p.Dst, p.DstPort)
	} else {
		s += fmt.Sprintf("%s > %s", p.Src, p.Dst)
	}
	if p.Proto == ProtoICMP {
		s += fmt.Sprintf(" %s", icmpName(p.ICMPType))
	}
	if e := p.Encap; e != nil {
		s += fmt.Sprintf(" [%s %d: %s]", e.Type, e.Key, e.Inner)
	}
	return s
}

func icmpName(t uint8) string {
	switch t {
	case 8:
		return "echo-request"
	case 0:
		return "echo-reply"
	}
	return fmt.Sprintf("type %d", t)
}

// diff lists the header fields that differ between two packets. It
// compares values first and formats only what changed: it runs per step.
func diff(a, b Packet) []FieldDiff {
	var out []FieldDiff
	add := func(f string, x, y fmt.Stringer) {
		out = append(out, FieldDiff{Field: f, Old: x.String(), New: y.String()})
	}
	num := func(f string, x, y uint64, hex bool) {
		if x == y {
			return
		}
		format := "%d"
		if hex {
			format = "%#x"
		}
		out = append(out, FieldDiff{Field: f, Old: fmt.Sprintf(format, x), New: fmt.Sprintf(format, y)})
	}
	if a.SrcMAC != b.SrcMAC {
		add("eth.src", a.SrcMAC, b.SrcMAC)
	}
	if a.DstMAC != b.DstMAC {
		add("eth.dst", a.DstMAC, b.DstMAC)
	}
	num("vlan", uint64(a.VLAN), uint64(b.VLAN), false)
	if a.Src != b.Src {
		add("ip.src", a.Src, b.Src)
	}
	if a.Dst != b.Dst {
		add("ip.dst", a.Dst, b.Dst)
	}
	if a.HasPorts() {
		num("l4.sport", uint64(a.SrcPort), uint64(b.SrcPort), false)
		num("l4.dport", uint64(a.DstPort), uint64(b.DstPort), false)
	}
	num("ip.ttl", uint64(a.TTL), uint64(b.TTL), false)
	num("mark", uint64(a.Mark), uint64(b.Mark), true)
	num("ct.mark", uint64(a.CtMark), uint64(b.CtMark), true)
	num("ct.zone", uint64(a.CtZone), uint64(b.CtZone), false)
	return out
}
