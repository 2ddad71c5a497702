package openflow

import (
	"strconv"
	"strings"
)

// State is a packet's fields as OVS sees them while it walks the tables:
// headers plus metadata. Get and Set address it by Field; values are
// right-aligned in a uint64 (a MAC in the low 48 bits, an IPv4 address in the
// low 32). Fields that do not apply to the packet (TpSrc of an ARP packet) are
// whatever was last stored; flows guard them with prerequisites.
type State struct {
	InPort         uint32
	DlSrc, DlDst   uint64 // MACs in the low 48 bits
	DlType         uint16
	VlanTCI        uint16 // 0 when untagged; tagged frames have the CFI bit 0x1000 set
	NwSrc, NwDst   uint32
	NwProto        uint8
	Tos            uint8 // the whole IP TOS byte: DSCP in the high 6 bits, ECN in the low 2
	NwTTL          uint8
	TpSrc, TpDst   uint16 // valid iff NwProto is TCP, UDP or SCTP
	IcmpType       uint8  // valid iff NwProto is ICMP (or ICMPv6 with DlType 0x86dd)
	IcmpCode       uint8
	TCPFlags       uint16
	ArpOp          uint16
	ArpSpa, ArpTpa uint32
	ArpSha, ArpTha uint64
	TunID          uint64
	TunSrc, TunDst uint32
	Metadata       uint64
	Regs           [16]uint32
	CtState        uint32
	CtZone         uint16
	CtMark         uint32
	PktMark        uint32
	ConjID         uint32
}

// Conntrack state bits of CtState, as ovs-fields(7) numbers them.
const (
	CtNew  uint32 = 0x01
	CtEst  uint32 = 0x02
	CtRel  uint32 = 0x04
	CtRpl  uint32 = 0x08
	CtInv  uint32 = 0x10
	CtTrk  uint32 = 0x20
	CtSNAT uint32 = 0x40
	CtDNAT uint32 = 0x80
)

// Get returns field f; for an xxreg, its low 64 bits (use a Subfield for the
// rest). An unknown Field reads as 0.
func (s *State) Get(f Field) uint64 {
	switch f {
	case InPort:
		return uint64(s.InPort)
	case DlSrc:
		return s.DlSrc
	case DlDst:
		return s.DlDst
	case DlType:
		return uint64(s.DlType)
	case VlanTCI:
		return uint64(s.VlanTCI)
	case VlanVID:
		return uint64(s.VlanTCI & 0x1fff)
	case DlVlan:
		return uint64(s.VlanTCI & 0xfff)
	case VlanPCP:
		return uint64(s.VlanTCI >> 13)
	case NwSrc:
		return uint64(s.NwSrc)
	case NwDst:
		return uint64(s.NwDst)
	case NwProto:
		return uint64(s.NwProto)
	case NwTos:
		return uint64(s.Tos & 0xfc)
	case IPDSCP:
		return uint64(s.Tos >> 2)
	case NwECN:
		return uint64(s.Tos & 3)
	case NwTTL:
		return uint64(s.NwTTL)
	case TpSrc:
		return uint64(s.TpSrc)
	case TpDst:
		return uint64(s.TpDst)
	case IcmpType:
		return uint64(s.IcmpType)
	case IcmpCode:
		return uint64(s.IcmpCode)
	case TCPFlags:
		return uint64(s.TCPFlags)
	case ArpOp:
		return uint64(s.ArpOp)
	case ArpSpa:
		return uint64(s.ArpSpa)
	case ArpTpa:
		return uint64(s.ArpTpa)
	case ArpSha:
		return s.ArpSha
	case ArpTha:
		return s.ArpTha
	case TunID:
		return s.TunID
	case TunSrc:
		return uint64(s.TunSrc)
	case TunDst:
		return uint64(s.TunDst)
	case Metadata:
		return s.Metadata
	case CtState:
		return uint64(s.CtState)
	case CtZone:
		return uint64(s.CtZone)
	case CtMark:
		return uint64(s.CtMark)
	case PktMark:
		return uint64(s.PktMark)
	case ConjID:
		return uint64(s.ConjID)
	}
	switch {
	case f >= Reg0 && f <= Reg15:
		return uint64(s.Regs[f-Reg0])
	case f >= XReg0 && f <= XReg7:
		i := 2 * (f - XReg0)
		return uint64(s.Regs[i])<<32 | uint64(s.Regs[i+1])
	case f >= XXReg0 && f <= XXReg3:
		i := 4 * (f - XXReg0)
		return uint64(s.Regs[i+2])<<32 | uint64(s.Regs[i+3])
	}
	return 0
}

// Set stores v, masked to f.Bits(), in field f. Setting a view changes only
// its bits of the underlying field (VlanPCP keeps the VID); setting an xxreg
// stores v in its low 64 bits and clears the high 64.
func (s *State) Set(f Field, v uint64) {
	v &= f.fullMask()
	switch f {
	case InPort:
		s.InPort = uint32(v)
	case DlSrc:
		s.DlSrc = v
	case DlDst:
		s.DlDst = v
	case DlType:
		s.DlType = uint16(v)
	case VlanTCI:
		s.VlanTCI = uint16(v)
	case VlanVID:
		s.VlanTCI = s.VlanTCI&^0x1fff | uint16(v)
	case DlVlan:
		s.VlanTCI = s.VlanTCI&^0xfff | uint16(v)
	case VlanPCP:
		s.VlanTCI = s.VlanTCI&0x1fff | uint16(v)<<13
	case NwSrc:
		s.NwSrc = uint32(v)
	case NwDst:
		s.NwDst = uint32(v)
	case NwProto:
		s.NwProto = uint8(v)
	case NwTos:
		s.Tos = s.Tos&3 | uint8(v)&0xfc
	case IPDSCP:
		s.Tos = s.Tos&3 | uint8(v)<<2
	case NwECN:
		s.Tos = s.Tos&0xfc | uint8(v)
	case NwTTL:
		s.NwTTL = uint8(v)
	case TpSrc:
		s.TpSrc = uint16(v)
	case TpDst:
		s.TpDst = uint16(v)
	case IcmpType:
		s.IcmpType = uint8(v)
	case IcmpCode:
		s.IcmpCode = uint8(v)
	case TCPFlags:
		s.TCPFlags = uint16(v)
	case ArpOp:
		s.ArpOp = uint16(v)
	case ArpSpa:
		s.ArpSpa = uint32(v)
	case ArpTpa:
		s.ArpTpa = uint32(v)
	case ArpSha:
		s.ArpSha = v
	case ArpTha:
		s.ArpTha = v
	case TunID:
		s.TunID = v
	case TunSrc:
		s.TunSrc = uint32(v)
	case TunDst:
		s.TunDst = uint32(v)
	case Metadata:
		s.Metadata = v
	case CtState:
		s.CtState = uint32(v)
	case CtZone:
		s.CtZone = uint16(v)
	case CtMark:
		s.CtMark = uint32(v)
	case PktMark:
		s.PktMark = uint32(v)
	case ConjID:
		s.ConjID = uint32(v)
	default:
		switch {
		case f >= Reg0 && f <= Reg15:
			s.Regs[f-Reg0] = uint32(v)
		case f >= XReg0 && f <= XReg7:
			i := 2 * (f - XReg0)
			s.Regs[i], s.Regs[i+1] = uint32(v>>32), uint32(v)
		case f >= XXReg0 && f <= XXReg3:
			i := 4 * (f - XXReg0)
			s.Regs[i], s.Regs[i+1] = 0, 0
			s.Regs[i+2], s.Regs[i+3] = uint32(v>>32), uint32(v)
		}
	}
}

// get128 reads f as a 128-bit value; only xxregs use the high half.
func (s *State) get128(f Field) (hi, lo uint64) {
	if f >= XXReg0 && f <= XXReg3 {
		i := 4 * (f - XXReg0)
		return uint64(s.Regs[i])<<32 | uint64(s.Regs[i+1]), s.Get(f)
	}
	return 0, s.Get(f)
}

// set128 stores a 128-bit value into f.
func (s *State) set128(f Field, hi, lo uint64) {
	s.Set(f, lo)
	if f >= XXReg0 && f <= XXReg3 {
		i := 4 * (f - XXReg0)
		s.Regs[i], s.Regs[i+1] = uint32(hi>>32), uint32(hi)
	}
}

// l4Names are the port fields' prefixes by IP protocol.
var l4Names = map[uint64]string{6: "tcp", 17: "udp", 132: "sctp"}

// String lists the fields that are not zero, as match terms:
// "in_port=1,dl_type=0x0800,nw_src=10.0.0.1,reg5=0x5". Views (dl_vlan,
// xreg, ...) are left out; their storage is listed.
func (s *State) String() string {
	var b strings.Builder
	for f := Field(1); f < numFields; f++ {
		switch f {
		case VlanVID, DlVlan, VlanPCP, IPDSCP, NwECN:
			continue
		case NwTos:
			if s.Tos == 0 {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString("tos=" + hex(uint64(s.Tos)))
			continue
		}
		if f >= XReg0 && f <= XXReg3 {
			continue
		}
		v := s.Get(f)
		if v == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if f == VlanTCI {
			b.WriteString("vlan_tci=" + hex4(v))
			continue
		}
		if (f == TpSrc || f == TpDst) && l4Names[s.Get(NwProto)] != "" {
			// ofproto/trace reads tp_src as tcp_src: a UDP packet's
			// ports need their own names.
			b.WriteString(l4Names[s.Get(NwProto)] + map[Field]string{TpSrc: "_src=", TpDst: "_dst="}[f] + strconv.FormatUint(v, 10))
			continue
		}
		Match{Field: f, Value: v, Mask: f.fullMask()}.appendTo(&b)
	}
	return b.String()
}
