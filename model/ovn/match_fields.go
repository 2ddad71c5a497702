package ovn

// fieldID names where a base field's value comes from in a Packet.
type fieldID uint8

const (
	fNone fieldID = iota // a field Packet does not carry
	fInPort
	fOutPort
	fEthSrc
	fEthDst
	fEthType
	fVLANTCI
	fIPProto
	fIPDSCP
	fIPECN
	fIPTTL
	fIPFrag
	fIP4Src
	fIP4Dst
	fIP6Src
	fIP6Dst
	fL4Src
	fL4Dst
	fTCPFlags
	fICMPType
	fICMPCode
	fARPOp
	fARPSPA
	fARPTPA
	fARPSHA
	fARPTHA
	fNDTarget
	fNDSLL
	fNDTLL
	fCTState
	fCTMark
	fCTLabel
	fXXReg0
	fXXReg1
	fXReg4
	fFlags
)

// knownBits are the bits of f that Packet models, and why the others are
// not: ip.frag's bit 1 (later fragment) is not, since Packet.IPFrag only
// says "is a fragment".
func knownBits(f fieldID) (u128, string) {
	if f == fIPFrag {
		return u64(1), "ip.frag[1] (a later fragment, as in ip.later_frag and ip.first_frag) is not modeled: " +
			"the packet only says whether it is a fragment"
	}
	return ones(128), ""
}

// load reads integer field f of p.
func load(p *Packet, f fieldID) u128 {
	switch f {
	case fEthSrc:
		return macValue(p.EthSrc)
	case fEthDst:
		return macValue(p.EthDst)
	case fEthType:
		return u64(uint64(p.EthType))
	case fVLANTCI:
		tci := uint64(p.VLANPCP&7)<<13 | uint64(p.VLANID&0xfff)
		if p.VLANPresent {
			tci |= 1 << 12
		}
		return u64(tci)
	case fIPProto:
		return u64(uint64(p.IPProto))
	case fIPDSCP:
		return u64(uint64(p.IPDSCP & 0x3f))
	case fIPECN:
		return u64(uint64(p.IPECN & 3))
	case fIPTTL:
		return u64(uint64(p.IPTTL))
	case fIPFrag:
		if p.IPFrag {
			return u64(1)
		}
		return u128{}
	case fIP4Src:
		return ip4Value(p.IPSrc)
	case fIP4Dst:
		return ip4Value(p.IPDst)
	case fIP6Src:
		return ip6Value(p.IPSrc)
	case fIP6Dst:
		return ip6Value(p.IPDst)
	case fL4Src:
		return u64(uint64(p.L4Src))
	case fL4Dst:
		return u64(uint64(p.L4Dst))
	case fTCPFlags:
		return u64(uint64(p.TCPFlags & 0xfff))
	case fICMPType:
		return u64(uint64(p.ICMPType))
	case fICMPCode:
		return u64(uint64(p.ICMPCode))
	}
	return loadMore(p, f)
}

func loadMore(p *Packet, f fieldID) u128 {
	switch f {
	case fARPOp:
		return u64(uint64(p.ARPOp))
	case fARPSPA:
		return ip4Value(p.ARPSPA)
	case fARPTPA:
		return ip4Value(p.ARPTPA)
	case fARPSHA:
		return macValue(p.ARPSHA)
	case fARPTHA:
		return macValue(p.ARPTHA)
	case fNDTarget:
		return ip6Value(p.NDTarget)
	case fNDSLL:
		return macValue(p.NDSLL)
	case fNDTLL:
		return macValue(p.NDTLL)
	case fCTState:
		return u64(uint64(p.CT))
	case fCTMark:
		return u64(uint64(p.CTMark))
	case fCTLabel:
		return u128{p.CTLabel[0], p.CTLabel[1]}
	case fXXReg0:
		return u128{uint64(p.Reg[0])<<32 | uint64(p.Reg[1]), uint64(p.Reg[2])<<32 | uint64(p.Reg[3])}
	case fXXReg1:
		return u128{uint64(p.Reg[4])<<32 | uint64(p.Reg[5]), uint64(p.Reg[6])<<32 | uint64(p.Reg[7])}
	case fXReg4:
		return u64(uint64(p.Reg[8])<<32 | uint64(p.Reg[9]))
	case fFlags:
		return u64(uint64(p.Flags))
	}
	return u128{}
}

// loadString reads string field f of p.
func loadString(p *Packet, f fieldID) string {
	if f == fInPort {
		return p.InPort
	}
	return p.OutPort
}
