package ovn

import "net/netip"

// Packet is what a match expression is evaluated against: headers plus the
// logical pipeline's metadata. Fields a packet does not have (L4 ports of an
// ICMP packet, ARP fields of an IP packet) are simply not consulted: the
// match's prerequisites fail first.
type Packet struct {
	InPort, OutPort string // logical port names

	EthSrc, EthDst MAC
	EthType        uint16 // 0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP
	VLANPresent    bool
	VLANID         uint16
	VLANPCP        uint8

	IPSrc, IPDst netip.Addr // IPv4 or IPv6, as EthType says
	IPProto      uint8
	IPTTL        uint8
	IPDSCP       uint8
	IPECN        uint8
	IPFrag       bool

	L4Src, L4Dst uint16 // TCP, UDP or SCTP ports
	TCPFlags     uint16
	ICMPType     uint8 // icmp4.* or icmp6.*, as IPProto says (1 or 58)
	ICMPCode     uint8

	ARPOp          uint16
	ARPSHA, ARPTHA MAC
	ARPSPA, ARPTPA netip.Addr

	NDTarget     netip.Addr
	NDSLL, NDTLL MAC

	CT      CTState
	CTMark  uint32
	CTLabel [2]uint64 // ct_label as 128 bits: [0] is the high half

	Reg   [16]uint32 // reg0..reg15 (xreg/xxreg are views onto these)
	Flags uint32     // flags.* bits, see FlagBits
}

// CTState holds the ct.* bits.
type CTState uint8

// The ct.* bits.
const (
	CTNew CTState = 1 << iota
	CTEst
	CTRel
	CTRpl
	CTInv
	CTTrk
	CTSNAT
	CTDNAT
)

// EtherTypes.
const (
	EthIPv4 uint16 = 0x0800
	EthIPv6 uint16 = 0x86dd
	EthARP  uint16 = 0x0806
)

// FlagBits names the flags.* bits a match may test, as northd names them.
var FlagBits = map[string]uint32{
	"loopback":            1 << 0,
	"force_snat_for_dnat": 1 << 1,
	"force_snat_for_lb":   1 << 2,
	"skip_snat_for_lb":    1 << 3,
	"use_snat_zone":       1 << 4,
	"allow_nd_ns":         1 << 5,
	"not_vxlan":           1 << 6,
	"from_ctrl":           1 << 7,
	"skip_lookup":         1 << 8,
	"localnet":            1 << 9,
}
