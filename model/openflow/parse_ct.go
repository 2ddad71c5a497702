package openflow

import (
	"errors"
	"net/netip"
	"strings"
)

// ct reads ct(commit,force,zone=...,table=...,nat(...),exec(...),alg=...).
func (b actionBuilder) ct(a Action, arg string) (Action, *ParseError) {
	ct := &CTAction{Table: -1}
	args, err := b.p.splitList(arg, b.t.off+len("ct("))
	if err != nil {
		return a, err
	}
	for _, t := range args {
		key, val, hasVal := strings.Cut(t.s, "=")
		switch {
		case t.s == "commit":
			ct.Commit = true
		case t.s == "force":
			ct.Force = true
		case key == "zone" && hasVal:
			if v, ok := parseUint(val); ok {
				if v > 0xffff {
					return a, b.err("want a zone 0-65535")
				}
				ct.Zone = uint16(v)
				continue
			}
			sf, err := ParseSubfield(val)
			switch {
			case errors.Is(err, errUnknownField):
				return b.unsupported()
			case err != nil || sf.Bits != 16:
				return a, b.err("want zone=N or a 16-bit zone=SUBFIELD like NXM_NX_REG13[0..15]")
			}
			ct.ZoneField = &sf
		case key == "table" && hasVal:
			v, ok := parseDec(val)
			if !ok || v > 254 {
				return a, b.err("want ct table=N with a table 0-254")
			}
			ct.Table = v
		case key == "alg" && (val == "ftp" || val == "tftp"):
			ct.Alg = val
		case t.s == "nat" || strings.HasPrefix(t.s, "nat("):
			nat, unsupported, err := b.nat(t)
			if err != nil {
				return a, err
			}
			if unsupported {
				return b.unsupported()
			}
			ct.NAT = nat
		case strings.HasPrefix(t.s, "exec(") && strings.HasSuffix(t.s, ")"):
			acts, err := b.p.parseActions(t.s[len("exec("):len(t.s)-1], t.off+len("exec("))
			if err != nil {
				return a, err
			}
			ct.Exec = acts
		default:
			return b.unsupported()
		}
	}
	a.Kind, a.CT = CT, ct
	return a, nil
}

// nat reads nat, nat(src), nat(dst=ADDR[-ADDR][:PORT[-PORT]],random|persistent|hash).
func (b actionBuilder) nat(t token) (*NAT, bool, *ParseError) {
	n := &NAT{}
	if t.s == "nat" {
		return n, false, nil
	}
	if !strings.HasSuffix(t.s, ")") {
		return nil, false, b.err("want nat(src=ADDR[-ADDR][:PORT[-PORT]]) or nat(dst=...)")
	}
	args, err := b.p.splitList(t.s[len("nat("):len(t.s)-1], t.off+len("nat("))
	if err != nil {
		return nil, false, err
	}
	for i, a := range args {
		key, val, hasVal := strings.Cut(a.s, "=")
		switch {
		case i == 0 && (key == "src" || key == "dst"):
			n.Src, n.Dst = key == "src", key == "dst"
			if hasVal && !n.parseRange(val) {
				return nil, false, b.err("want nat(%s=ADDR[-ADDR][:PORT[-PORT]]), IPv6 addresses in brackets", key)
			}
		case !hasVal && (a.s == "random" || a.s == "persistent" || a.s == "hash"):
			n.Flags = append(n.Flags, a.s)
		default:
			return nil, true, nil
		}
	}
	return n, false, nil
}

// parseRange reads ADDR[-ADDR][:PORT[-PORT]]; IPv6 addresses are bracketed.
func (n *NAT) parseRange(s string) bool {
	var lo, hi, ports string
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		lo, s = s[1:end], s[end+1:]
		if strings.HasPrefix(s, "-[") {
			end = strings.IndexByte(s, ']')
			if end < 0 {
				return false
			}
			hi, s = s[2:end], s[end+1:]
		}
		if s != "" {
			if s[0] != ':' {
				return false
			}
			ports = s[1:]
		}
	} else {
		var addrs string
		addrs, ports, _ = strings.Cut(s, ":")
		lo, hi, _ = strings.Cut(addrs, "-")
	}
	var err error
	if n.AddrMin, err = netip.ParseAddr(lo); err != nil || n.AddrMin.Zone() != "" {
		return false
	}
	n.AddrMax = n.AddrMin
	if hi != "" {
		if n.AddrMax, err = netip.ParseAddr(hi); err != nil || n.AddrMax.Zone() != "" ||
			n.AddrMax.Is4() != n.AddrMin.Is4() || n.AddrMax.Less(n.AddrMin) {
			return false
		}
	}
	if ports == "" {
		return !strings.HasSuffix(s, ":")
	}
	p1, p2, isRange := strings.Cut(ports, "-")
	v1, ok1 := parseDec(p1)
	v2, ok2 := v1, true
	if isRange {
		v2, ok2 = parseDec(p2)
	}
	if !ok1 || !ok2 || v1 > 65535 || v2 > 65535 || v2 < v1 {
		return false
	}
	n.PortMin, n.PortMax = uint16(v1), uint16(v2)
	return true
}
