package openflow

import (
	"fmt"
	"strconv"
)

// Field identifies a header or metadata field as OVS names it (ovs-fields(7)).
// Some fields are views over another's bits, as in OVS: DlVlan, VlanVID and
// VlanPCP over VlanTCI; NwTos, IPDSCP and NwECN over the IP TOS byte; XRegN
// and XXRegN over the 32-bit registers.
type Field uint16

// The fields the model evaluates. Matches on any other field are kept as a
// flow's Unknown terms.
const (
	InPort   Field = iota + 1 // in_port: 32-bit as in OF1.1+; reserved ports keep their OF1.0 numbers (LOCAL 0xfffe)
	DlSrc                     // dl_src: Ethernet source
	DlDst                     // dl_dst: Ethernet destination
	DlType                    // dl_type: Ethertype (of the innermost VLAN's payload)
	VlanTCI                   // vlan_tci: 802.1Q TCI; the CFI bit 0x1000 is set iff there is a tag
	VlanVID                   // vlan_vid: OXM view of VlanTCI's low 13 bits (VID plus the present bit 0x1000)
	DlVlan                    // dl_vlan: view of VlanTCI's 12-bit VID
	VlanPCP                   // dl_vlan_pcp: view of VlanTCI's 3 priority bits
	NwSrc                     // nw_src: IPv4 source
	NwDst                     // nw_dst: IPv4 destination
	NwProto                   // nw_proto: IP protocol
	NwTos                     // nw_tos: the TOS byte's DSCP bits, in place (low 2 bits zero)
	IPDSCP                    // ip_dscp: the 6 DSCP bits, shifted down
	NwECN                     // nw_ecn: the TOS byte's 2 ECN bits
	NwTTL                     // nw_ttl: IP TTL
	TpSrc                     // tp_src: TCP/UDP/SCTP source port
	TpDst                     // tp_dst: TCP/UDP/SCTP destination port
	IcmpType                  // icmp_type: ICMP or ICMPv6 type
	IcmpCode                  // icmp_code: ICMP or ICMPv6 code
	TCPFlags                  // tcp_flags: FIN 0x1, SYN 0x2, RST 0x4, PSH 0x8, ACK 0x10, ...
	ArpOp                     // arp_op: 1 request, 2 reply
	ArpSpa                    // arp_spa: ARP sender IPv4 address
	ArpTpa                    // arp_tpa: ARP target IPv4 address
	ArpSha                    // arp_sha: ARP sender hardware address
	ArpTha                    // arp_tha: ARP target hardware address
	TunID                     // tun_id: tunnel key (VNI) of a packet received on, or sent to, a tunnel
	TunSrc                    // tun_src: outer IPv4 source of the tunnel
	TunDst                    // tun_dst: outer IPv4 destination of the tunnel
	Metadata                  // metadata: 64 bits of pipeline scratch (OVN: the logical datapath)
	Reg0                      // reg0..reg15: 32-bit scratch registers, zero when a packet enters
	Reg1
	Reg2
	Reg3
	Reg4
	Reg5
	Reg6
	Reg7
	Reg8
	Reg9
	Reg10
	Reg11
	Reg12
	Reg13
	Reg14
	Reg15
	XReg0 // xreg0..xreg7: 64-bit views; xregN is reg(2N) in the high 32 bits, reg(2N+1) in the low
	XReg1
	XReg2
	XReg3
	XReg4
	XReg5
	XReg6
	XReg7
	XXReg0 // xxreg0..xxreg3: 128-bit views; xxregN is reg(4N) (most significant) to reg(4N+3)
	XXReg1
	XXReg2
	XXReg3
	CtState // ct_state: connection tracking flags (CtNew, CtEst, ...)
	CtZone  // ct_zone: conntrack zone of the last ct action
	CtMark  // ct_mark: 32-bit mark stored in the connection
	PktMark // pkt_mark: the skb mark
	ConjID  // conj_id: set while OVS looks up the flow a conjunctive match selected
	numFields
)

// valueFormat is how a field's values are written in dump-flows text.
type valueFormat uint8

const (
	fmtDec      valueFormat = iota // 22; masked values in hex
	fmtHex                         // 0x5
	fmtHex4                        // 0x0800 (dl_type, vlan_tci)
	fmtPort                        // 5, LOCAL, or a port name
	fmtMAC                         // fa:16:3e:00:00:01
	fmtIPv4                        // 10.0.0.1, 10.0.0.0/8
	fmtCtState                     // +trk+est-new
	fmtTCPFlags                    // +syn-ack
)

type fieldInfo struct {
	name     string // canonical ovs-ofctl name
	nxm      string // the NXM/OXM name used in subfields (load, move); "" if none
	bits     int
	format   valueFormat
	maskable bool // OVS accepts value/mask in a match
	aliases  []string
}

var fieldInfos = func() [numFields]fieldInfo {
	t := [numFields]fieldInfo{
		InPort:   {"in_port", "NXM_OF_IN_PORT", 32, fmtPort, false, []string{"in_port_oxm", "OXM_OF_IN_PORT"}},
		DlSrc:    {"dl_src", "NXM_OF_ETH_SRC", 48, fmtMAC, true, []string{"eth_src", "OXM_OF_ETH_SRC"}},
		DlDst:    {"dl_dst", "NXM_OF_ETH_DST", 48, fmtMAC, true, []string{"eth_dst", "OXM_OF_ETH_DST"}},
		DlType:   {"dl_type", "NXM_OF_ETH_TYPE", 16, fmtHex4, false, []string{"eth_type", "OXM_OF_ETH_TYPE"}},
		VlanTCI:  {"vlan_tci", "NXM_OF_VLAN_TCI", 16, fmtHex4, true, nil},
		VlanVID:  {"vlan_vid", "OXM_OF_VLAN_VID", 13, fmtDec, true, nil},
		DlVlan:   {"dl_vlan", "", 12, fmtDec, false, nil},
		VlanPCP:  {"dl_vlan_pcp", "OXM_OF_VLAN_PCP", 3, fmtDec, false, []string{"vlan_pcp"}},
		NwSrc:    {"nw_src", "NXM_OF_IP_SRC", 32, fmtIPv4, true, []string{"ip_src", "OXM_OF_IPV4_SRC"}},
		NwDst:    {"nw_dst", "NXM_OF_IP_DST", 32, fmtIPv4, true, []string{"ip_dst", "OXM_OF_IPV4_DST"}},
		NwProto:  {"nw_proto", "NXM_OF_IP_PROTO", 8, fmtDec, false, []string{"ip_proto", "OXM_OF_IP_PROTO"}},
		NwTos:    {"nw_tos", "NXM_OF_IP_TOS", 8, fmtDec, false, nil},
		IPDSCP:   {"ip_dscp", "OXM_OF_IP_DSCP", 6, fmtDec, false, nil},
		NwECN:    {"nw_ecn", "NXM_NX_IP_ECN", 2, fmtDec, false, []string{"ip_ecn", "OXM_OF_IP_ECN"}},
		NwTTL:    {"nw_ttl", "NXM_NX_IP_TTL", 8, fmtDec, false, nil},
		TpSrc:    {"tp_src", "NXM_OF_TCP_SRC", 16, fmtDec, true, []string{"tcp_src", "udp_src", "sctp_src", "NXM_OF_UDP_SRC", "OXM_OF_TCP_SRC", "OXM_OF_UDP_SRC", "OXM_OF_SCTP_SRC"}},
		TpDst:    {"tp_dst", "NXM_OF_TCP_DST", 16, fmtDec, true, []string{"tcp_dst", "udp_dst", "sctp_dst", "NXM_OF_UDP_DST", "OXM_OF_TCP_DST", "OXM_OF_UDP_DST", "OXM_OF_SCTP_DST"}},
		IcmpType: {"icmp_type", "NXM_OF_ICMP_TYPE", 8, fmtDec, false, []string{"icmpv4_type", "icmpv6_type", "OXM_OF_ICMPV4_TYPE", "NXM_NX_ICMPV6_TYPE", "OXM_OF_ICMPV6_TYPE"}},
		IcmpCode: {"icmp_code", "NXM_OF_ICMP_CODE", 8, fmtDec, false, []string{"icmpv4_code", "icmpv6_code", "OXM_OF_ICMPV4_CODE", "NXM_NX_ICMPV6_CODE", "OXM_OF_ICMPV6_CODE"}},
		TCPFlags: {"tcp_flags", "NXM_NX_TCP_FLAGS", 16, fmtTCPFlags, true, []string{"OXM_OF_TCP_FLAGS", "ONFOXM_ET_TCP_FLAGS"}},
		ArpOp:    {"arp_op", "NXM_OF_ARP_OP", 16, fmtDec, false, []string{"OXM_OF_ARP_OP"}},
		ArpSpa:   {"arp_spa", "NXM_OF_ARP_SPA", 32, fmtIPv4, true, []string{"OXM_OF_ARP_SPA"}},
		ArpTpa:   {"arp_tpa", "NXM_OF_ARP_TPA", 32, fmtIPv4, true, []string{"OXM_OF_ARP_TPA"}},
		ArpSha:   {"arp_sha", "NXM_NX_ARP_SHA", 48, fmtMAC, true, []string{"OXM_OF_ARP_SHA"}},
		ArpTha:   {"arp_tha", "NXM_NX_ARP_THA", 48, fmtMAC, true, []string{"OXM_OF_ARP_THA"}},
		TunID:    {"tun_id", "NXM_NX_TUN_ID", 64, fmtHex, true, []string{"tunnel_id", "OXM_OF_TUNNEL_ID"}},
		TunSrc:   {"tun_src", "NXM_NX_TUN_IPV4_SRC", 32, fmtIPv4, true, nil},
		TunDst:   {"tun_dst", "NXM_NX_TUN_IPV4_DST", 32, fmtIPv4, true, nil},
		Metadata: {"metadata", "OXM_OF_METADATA", 64, fmtHex, true, nil},
		CtState:  {"ct_state", "NXM_NX_CT_STATE", 32, fmtCtState, true, nil},
		CtZone:   {"ct_zone", "NXM_NX_CT_ZONE", 16, fmtDec, false, nil},
		CtMark:   {"ct_mark", "NXM_NX_CT_MARK", 32, fmtHex, true, nil},
		PktMark:  {"pkt_mark", "NXM_NX_PKT_MARK", 32, fmtHex, true, nil},
		ConjID:   {"conj_id", "", 32, fmtDec, false, nil},
	}
	for i := range 16 {
		n := strconv.Itoa(i)
		t[Reg0+Field(i)] = fieldInfo{"reg" + n, "NXM_NX_REG" + n, 32, fmtHex, true, nil}
	}
	for i := range 8 {
		n := strconv.Itoa(i)
		t[XReg0+Field(i)] = fieldInfo{"xreg" + n, "OXM_OF_PKT_REG" + n, 64, fmtHex, true, nil}
	}
	for i := range 4 {
		n := strconv.Itoa(i)
		t[XXReg0+Field(i)] = fieldInfo{"xxreg" + n, "NXM_NX_XXREG" + n, 128, fmtHex, true, nil}
	}
	return t
}()

// fieldByName holds every name LookupField accepts.
var fieldByName = func() map[string]Field {
	m := map[string]Field{}
	for f := Field(1); f < numFields; f++ {
		fi := &fieldInfos[f]
		m[fi.name] = f
		if fi.nxm != "" {
			m[fi.nxm] = f
		}
		for _, a := range fi.aliases {
			m[a] = f
		}
	}
	return m
}()

// String is the canonical ovs-ofctl name: "in_port", "dl_src", "reg3", ...
func (f Field) String() string {
	if f == 0 || f >= numFields {
		return "Field(" + strconv.Itoa(int(f)) + ")"
	}
	return fieldInfos[f].name
}

// MarshalText writes the field's name, so that JSON shows "reg5", not 34.
func (f Field) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads any name LookupField accepts.
func (f *Field) UnmarshalText(b []byte) error {
	v, ok := LookupField(string(b))
	if !ok {
		return fmt.Errorf("unknown OpenFlow field %q", b)
	}
	*f = v
	return nil
}

// Bits is the field's width: in_port 32, dl_src 48, vlan_tci 16, tun_id 64,
// xxregN 128 (State.Get sees its low 64 bits).
func (f Field) Bits() int {
	if f == 0 || f >= numFields {
		return 0
	}
	return fieldInfos[f].bits
}

// nxmName is the name load and move use for the field in their subfields.
func (f Field) nxmName() string {
	if fi := &fieldInfos[f]; fi.nxm != "" {
		return fi.nxm
	}
	return f.String()
}

// LookupField accepts ovs-ofctl names and their aliases (dl_src or eth_src,
// tp_src or tcp_src or udp_src, tun_id or tunnel_id) and the NXM/OXM names
// (NXM_OF_ETH_SRC, NXM_NX_REG0, OXM_OF_METADATA, OXM_OF_PKT_REG4, ...).
func LookupField(name string) (Field, bool) {
	f, ok := fieldByName[name]
	return f, ok
}

// widthMask is all ones in the low n bits (n <= 64).
func widthMask(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<uint(n) - 1
}

// fullMask is the mask of an exact match on f: all ones in f.Bits(), capped
// at 64 bits.
func (f Field) fullMask() uint64 { return widthMask(f.Bits()) }
