package openflow

import "strings"

// Ethertypes the shorthands and prerequisites name.
const (
	ethIP   = 0x0800
	ethARP  = 0x0806
	ethRARP = 0x8035
	ethIPv6 = 0x86dd
)

// shorthand is a protocol keyword: its dl_type and nw_proto (-1: none).
type shorthand struct {
	dl    uint16
	proto int
}

var shorthands = map[string]shorthand{
	"ip": {ethIP, -1}, "ipv6": {ethIPv6, -1}, "arp": {ethARP, -1}, "rarp": {ethRARP, -1},
	"mpls": {0x8847, -1}, "mplsm": {0x8848, -1},
	"icmp": {ethIP, 1}, "tcp": {ethIP, 6}, "udp": {ethIP, 17}, "sctp": {ethIP, 132},
	"icmp6": {ethIPv6, 58}, "tcp6": {ethIPv6, 6}, "udp6": {ethIPv6, 17}, "sctp6": {ethIPv6, 132},
}

// matchCtx is what the whole match says about the protocol; prerequisites
// are checked against it, whatever the order of the terms, as ovs-ofctl does.
type matchCtx struct {
	dl       uint16
	proto    uint8
	hasProto bool
}

func (c matchCtx) ip() bool  { return c.dl == ethIP || c.dl == ethIPv6 }
func (c matchCtx) arp() bool { return c.dl == ethARP || c.dl == ethRARP }
func (c matchCtx) l4(proto uint8) bool {
	return c.ip() && c.hasProto && c.proto == proto
}
func (c matchCtx) icmp() bool {
	return c.dl == ethIP && c.l4(1) || c.dl == ethIPv6 && c.l4(58)
}

// context computes the final dl_type and nw_proto the terms set.
func (p *flowParser) context() matchCtx {
	var c matchCtx
	for _, t := range p.terms {
		key, val, hasVal := strings.Cut(t.s, "=")
		if !hasVal {
			if sh, ok := shorthands[key]; ok {
				c.dl = sh.dl
				if sh.proto >= 0 {
					c.proto, c.hasProto = uint8(sh.proto), true
				}
			}
			continue
		}
		switch f, _ := LookupField(key); f {
		case DlType:
			if v, ok := parseUint(val); ok {
				c.dl = uint16(v)
			}
		case NwProto:
			if v, ok := parseUint(val); ok {
				c.proto, c.hasProto = uint8(v), true
			}
		}
	}
	return c
}

// buildMatch turns the collected terms into the flow's Match and Unknown.
func (p *flowParser) buildMatch() *ParseError {
	ctx := p.context()
	p.flow.Match = make([]Match, 0, len(p.terms)+1)
	for _, t := range p.terms {
		key, val, hasVal := strings.Cut(t.s, "=")
		f, known := LookupField(key)
		if !hasVal {
			if sh, ok := shorthands[key]; ok {
				p.flow.replaceTerm(Match{Field: DlType, Value: uint64(sh.dl), Mask: 0xffff})
				if sh.proto >= 0 {
					if err := p.setProto(t, uint64(sh.proto), ctx); err != nil {
						return err
					}
				}
				continue
			}
			if known {
				return p.errAt(t.off, "%s: want %s=VALUE", t.s, key)
			}
		}
		if !known || f >= XXReg0 && f <= XXReg3 {
			// 128-bit values do not fit a Match; dump-flows prints regN anyway.
			p.flow.Unknown = append(p.flow.Unknown, t.s)
			continue
		}
		target, want := resolveField(key, f, ctx)
		if want != "" {
			return p.errAt(t.off, "%s: %s", t.s, want)
		}
		if err := p.applyTerm(t, target, val); err != nil {
			return err
		}
	}
	return nil
}

// setProto applies nw_proto (or a shorthand's protocol): on ARP it is
// arp_op, as OVS stores them in one place.
func (p *flowParser) setProto(t token, v uint64, ctx matchCtx) *ParseError {
	switch {
	case ctx.ip():
		p.flow.replaceTerm(Match{Field: NwProto, Value: v, Mask: 0xff})
	case ctx.arp():
		p.flow.replaceTerm(Match{Field: ArpOp, Value: v, Mask: 0xffff})
	default:
		return p.errAt(t.off, "%s: want dl_type ip or ipv6 for an IP protocol", t.s)
	}
	return nil
}

// resolveField checks the term's prerequisites against the match and picks
// the field it really sets: nw_src on ARP is arp_spa, tp_src on ICMP is
// icmp_type, as in OVS, where they share storage.
func resolveField(key string, f Field, c matchCtx) (Field, string) {
	lk := strings.ToLower(key)
	switch f {
	case NwSrc, NwDst:
		switch {
		case c.dl == ethIP:
			return f, ""
		case c.arp():
			return ArpSpa + (f - NwSrc), ""
		}
		return 0, "want ip (or arp) in the match, the prerequisite of " + key
	case NwProto:
		switch {
		case c.ip():
			return f, ""
		case c.arp():
			return ArpOp, ""
		}
		return 0, "want ip or ipv6 in the match, the prerequisite of " + key
	case NwTos, IPDSCP, NwECN, NwTTL:
		if c.ip() {
			return f, ""
		}
		return 0, "want ip or ipv6 in the match, the prerequisite of " + key
	case TpSrc, TpDst:
		name, proto := "", uint8(0)
		switch {
		case strings.Contains(lk, "sctp"):
			name, proto = "sctp", 132
		case strings.Contains(lk, "tcp"):
			name, proto = "tcp", 6
		case strings.Contains(lk, "udp"):
			name, proto = "udp", 17
		}
		switch {
		case name != "" && c.l4(proto):
			return f, ""
		case name != "":
			return 0, "want " + name + " in the match, the prerequisite of " + key
		case c.l4(6) || c.l4(17) || c.l4(132):
			return f, ""
		case c.icmp():
			return IcmpType + (f - TpSrc), ""
		}
		return 0, "want tcp, udp or sctp in the match, the prerequisite of " + key
	case IcmpType, IcmpCode:
		v4, v6 := c.dl == ethIP && c.l4(1), c.dl == ethIPv6 && c.l4(58)
		switch {
		case strings.Contains(lk, "v6"):
			v4 = false
		case strings.Contains(lk, "v4") || strings.HasPrefix(key, "NXM_OF_"):
			v6 = false
		}
		if v4 || v6 {
			return f, ""
		}
		return 0, "want icmp (or icmp6) in the match, the prerequisite of " + key
	case TCPFlags:
		if c.l4(6) {
			return f, ""
		}
		return 0, "want tcp in the match, the prerequisite of " + key
	case ArpOp, ArpSpa, ArpTpa, ArpSha, ArpTha:
		if c.arp() {
			return f, ""
		}
		return 0, "want arp (or rarp) in the match, the prerequisite of " + key
	}
	return f, ""
}

// applyTerm parses the value of a term on field f and narrows the match.
func (p *flowParser) applyTerm(t token, f Field, val string) *ParseError {
	fl := p.flow
	switch f {
	case DlVlan, VlanPCP:
		v, ok := parseUint(val)
		switch {
		case f == DlVlan && v == 0xffff:
			// OFP10_VLAN_NONE: no tag at all.
			fl.replaceTerm(Match{Field: VlanTCI, Value: 0, Mask: 0xffff})
		case ok && f == DlVlan && v <= 0xfff:
			fl.setRegion(VlanTCI, 0x1fff, 0x1000|v, 0x1fff)
		case ok && f == VlanPCP && v <= 7:
			fl.setRegion(VlanTCI, 0xf000, 0x1000|v<<13, 0xf000)
		default:
			if f == DlVlan {
				return p.errAt(t.off, "%s: want a VLAN id 0-4095, or 0xffff for no tag", t.s)
			}
			return p.errAt(t.off, "%s: want a VLAN priority 0-7", t.s)
		}
		return nil
	}
	v, m, name, want := parseValue(f, val, true)
	if want != "" {
		return p.errAt(t.off, "%s: %s", t.s, want)
	}
	switch f {
	case VlanVID:
		fl.setRegion(VlanTCI, 0x1fff, v, m)
	case IPDSCP:
		fl.replaceTerm(Match{Field: NwTos, Value: v << 2, Mask: 0xff})
	case NwTos:
		fl.replaceTerm(Match{Field: NwTos, Value: v & 0xfc, Mask: 0xff})
	case InPort:
		port, ok := normalizePort(v)
		if !ok {
			return p.errAt(t.off, "%s: want a port number up to 0xfeff, a reserved port or a name", t.s)
		}
		fl.replaceTerm(Match{Field: InPort, Value: port, Mask: m, PortName: name})
	default:
		if m == 0 {
			fl.dropTerm(f) // a zero mask matches everything
			return nil
		}
		fl.replaceTerm(Match{Field: f, Value: v, Mask: m})
	}
	return nil
}

// normalizePort maps OF1.1+ reserved ports (0xffffff00 and up) to the OF1.0
// numbers OVS uses, and refuses numbers between.
func normalizePort(v uint64) (uint64, bool) {
	switch {
	case v <= 0xffff:
		return v, true
	case v >= 0xffffff00 && v <= 0xffffffff:
		return v - 0xffff0000, true
	}
	return 0, false
}

// setRegion sets the bits of region of fd's term to v under m, leaving its
// other bits: dl_vlan and dl_vlan_pcp each set part of vlan_tci.
func (f *Flow) setRegion(fd Field, region, v, m uint64) {
	m &= region
	t := f.term(fd)
	if t == nil {
		if m != 0 {
			f.Match = append(f.Match, Match{Field: fd, Value: v & m, Mask: m})
		}
		return
	}
	t.Mask = t.Mask&^region | m
	t.Value = t.Value&^region | v&m
	if t.Mask == 0 {
		f.dropTerm(fd)
	}
}
