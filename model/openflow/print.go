package openflow

import (
	"net/netip"
	"strconv"
	"strings"
)

// String prints the flow as "table=T, priority=P[, cookie=0x..], MATCH
// actions=ACTIONS", which ParseFlow reads back to an equal Flow (but for Line
// and Text). Matches use ovs-ofctl's spelling (shorthands such as tcp,
// dl_vlan); actions print as written.
func (f *Flow) String() string {
	var b strings.Builder
	b.WriteString("table=")
	b.WriteString(strconv.Itoa(int(f.Table)))
	b.WriteString(", priority=")
	b.WriteString(strconv.Itoa(int(f.Priority)))
	if f.Cookie != 0 {
		b.WriteString(", cookie=0x")
		b.WriteString(strconv.FormatUint(f.Cookie, 16))
	}
	if m := f.MatchString(); m != "" {
		b.WriteString(", ")
		b.WriteString(m)
	}
	b.WriteString(" actions=")
	for i := range f.Actions {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Actions[i].String())
	}
	return b.String()
}

// MatchString prints the match terms, then the Unknown ones, comma-separated.
func (f *Flow) MatchString() string {
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
	}
	for i := 0; i < len(f.Match); i++ {
		m := f.Match[i]
		if m.Field == DlType && m.Mask == 0xffff {
			if i+1 < len(f.Match) {
				if next := f.Match[i+1]; next.Field == NwProto && next.Mask == 0xff {
					if name := shorthandName(m.Value, int(next.Value)); name != "" {
						sep()
						b.WriteString(name)
						i++
						continue
					}
				}
			}
			if name := shorthandName(m.Value, -1); name != "" {
				sep()
				b.WriteString(name)
				continue
			}
		}
		sep()
		m.appendTo(&b)
	}
	for _, u := range f.Unknown {
		sep()
		b.WriteString(u)
	}
	return b.String()
}

// shorthandNames maps a dl_type and nw_proto (-1: none) to its keyword.
var shorthandNames = func() map[shorthand]string {
	m := map[shorthand]string{}
	for name, sh := range shorthands {
		m[sh] = name
	}
	return m
}()

// shorthandName is the keyword for a dl_type and nw_proto (-1: none), or "".
func shorthandName(dl uint64, proto int) string {
	if dl > 0xffff {
		return ""
	}
	return shorthandNames[shorthand{uint16(dl), proto}]
}

// String prints the term as dump-flows does: "nw_src=10.0.0.0/8",
// "dl_vlan=5", "ct_state=+trk+est-new".
func (m Match) String() string {
	var b strings.Builder
	m.appendTo(&b)
	return b.String()
}

func (m Match) appendTo(b *strings.Builder) {
	if m.Field == VlanTCI {
		appendVlanTCI(b, m.Value&m.Mask, m.Mask)
		return
	}
	b.WriteString(m.Field.String())
	b.WriteByte('=')
	b.WriteString(formatValue(m.Field, m.Value&m.Mask, m.Mask, m.PortName))
}

// appendVlanTCI prints vlan_tci as dl_vlan/dl_vlan_pcp when they say it
// exactly, like OVS's match_format.
func appendVlanTCI(b *strings.Builder, v, m uint64) {
	vid, pcp := m&0x0fff, m&0xe000
	if m&0x1000 != 0 && v&0x1000 != 0 && (vid == 0 || vid == 0xfff) && (pcp == 0 || pcp == 0xe000) && vid|pcp != 0 {
		if vid != 0 {
			b.WriteString("dl_vlan=")
			b.WriteString(strconv.FormatUint(v&0xfff, 10))
		}
		if pcp != 0 {
			if vid != 0 {
				b.WriteByte(',')
			}
			b.WriteString("dl_vlan_pcp=")
			b.WriteString(strconv.FormatUint(v>>13, 10))
		}
		return
	}
	b.WriteString("vlan_tci=")
	b.WriteString(hex4(v))
	if m != 0xffff {
		b.WriteByte('/')
		b.WriteString(hex4(m))
	}
}

func hex(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func hex4(v uint64) string {
	s := strconv.FormatUint(v, 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return "0x" + s
}

// formatValue writes a value (and its mask when not exact) of field f.
func formatValue(f Field, v, m uint64, portName string) string {
	full := f.fullMask()
	exact := m == full
	switch fieldInfos[f].format {
	case fmtPort:
		if portName != "" {
			return quotePort(portName)
		}
		return formatPort(uint32(v))
	case fmtMAC:
		if exact {
			return formatMAC(v)
		}
		return formatMAC(v) + "/" + formatMAC(m)
	case fmtIPv4:
		if exact {
			return formatIPv4(v)
		}
		if n := prefixLen(m); n >= 0 {
			return formatIPv4(v) + "/" + strconv.Itoa(n)
		}
		return formatIPv4(v) + "/" + formatIPv4(m)
	case fmtCtState, fmtTCPFlags:
		names := ctFlags
		if fieldInfos[f].format == fmtTCPFlags {
			names = tcpFlags
		}
		if exact {
			if v == 0 {
				return "0"
			}
			if s, ok := formatFlags(v, v, names); ok {
				return strings.ReplaceAll(s[1:], "+", "|")
			}
			return hex(v)
		}
		if s, ok := formatFlags(v, m, names); ok {
			return s
		}
	case fmtHex4:
		if exact {
			return hex4(v)
		}
		return hex4(v) + "/" + hex4(m)
	case fmtDec:
		if exact {
			return strconv.FormatUint(v, 10)
		}
	}
	if exact {
		return hex(v)
	}
	return hex(v) + "/" + hex(m)
}

func formatPort(p uint32) string {
	if name, ok := reservedPortNames[p]; ok {
		return name
	}
	return strconv.FormatUint(uint64(p), 10)
}

func formatMAC(v uint64) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 17)
	for i := 0; i < 6; i++ {
		octet := byte(v >> uint(40-8*i))
		b[3*i], b[3*i+1] = digits[octet>>4], digits[octet&15]
		if i < 5 {
			b[3*i+2] = ':'
		}
	}
	return string(b)
}

func formatIPv4(v uint64) string {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// prefixLen is the length of a CIDR mask, or -1 for another mask.
func prefixLen(m uint64) int {
	for n := 0; n <= 32; n++ {
		if m == 0xffffffff&^widthMask(32-n) {
			return n
		}
	}
	return -1
}

// String is the action as written (Raw), or for an action built in code
// (Raw empty) its canonical ovs-ofctl form.
func (a Action) String() string {
	if a.Raw != "" {
		return a.Raw
	}
	return a.format()
}

// format writes the action in ovs-ofctl syntax from its fields.
func (a Action) format() string {
	port := func() string {
		if a.PortName != "" {
			return quotePort(a.PortName)
		}
		return formatPort(a.Port)
	}
	switch a.Kind {
	case Output:
		return "output:" + port()
	case OutputInPort, Normal, Local, Flood, All:
		return formatPort(a.Port)
	case OutputField:
		return "output:" + a.Src.String()
	case Drop:
		return "drop"
	case Resubmit:
		p := ""
		if a.Port != PortInPort || a.PortName != "" {
			p = port()
		}
		if a.Table < 0 {
			return "resubmit:" + port()
		}
		return "resubmit(" + p + "," + strconv.Itoa(a.Table) + ")"
	case GotoTable:
		return "goto_table:" + strconv.Itoa(a.Table)
	case ModVlanVID, ModVlanPCP, ModDlSrc, ModDlDst, ModNwSrc, ModNwDst, ModNwTos, ModTpSrc, ModTpDst:
		for name, mf := range modFields {
			if mf.kind == a.Kind {
				return name + ":" + formatValue(a.Field, a.Value, a.Field.fullMask(), "")
			}
		}
	case StripVlan:
		return "strip_vlan"
	case PopVlan:
		return "pop_vlan"
	case PushVlan:
		return "push_vlan:" + hex4(a.Value)
	case DecTTL:
		return "dec_ttl"
	case SetField:
		return "set_field:" + formatValue(a.Field, a.Value&a.Mask, a.Mask, a.PortName) + "->" + a.Field.String()
	case Load:
		v := "0"
		if a.Value != 0 {
			v = hex(a.Value)
		}
		return "load:" + v + "->" + a.Dst.String()
	case Move:
		return "move:" + a.Src.String() + "->" + a.Dst.String()
	case SetTunnel:
		if a.Value > 0xffffffff {
			return "set_tunnel64:" + hex(a.Value)
		}
		return "set_tunnel:" + hex(a.Value)
	case CT:
		if a.CT != nil {
			return a.CT.String()
		}
	case CTClear:
		return "ct_clear"
	case Conjunction:
		return a.Conj.String()
	case Learn:
		if a.Learn != nil {
			return a.Learn.String()
		}
	case Note:
		return "note:"
	case Controller:
		return "controller"
	case Group:
		return "group:" + strconv.FormatUint(a.Value, 10)
	case Meter:
		return "meter:" + strconv.FormatUint(a.Value, 10)
	case Push:
		return "push:" + a.Src.String()
	case Pop:
		return "pop:" + a.Dst.String()
	case Clone:
		var nested []string
		for _, n := range a.Nested {
			nested = append(nested, n.String())
		}
		return "clone(" + strings.Join(nested, ",") + ")"
	}
	return a.Kind.String()
}

// String prints ct(...) in ovs-ofctl syntax.
func (ct *CTAction) String() string {
	var parts []string
	if ct.Commit {
		parts = append(parts, "commit")
	}
	if ct.Force {
		parts = append(parts, "force")
	}
	if ct.Table >= 0 {
		parts = append(parts, "table="+strconv.Itoa(ct.Table))
	}
	switch {
	case ct.ZoneField != nil:
		parts = append(parts, "zone="+ct.ZoneField.String())
	case ct.Zone != 0:
		parts = append(parts, "zone="+strconv.Itoa(int(ct.Zone)))
	}
	if ct.NAT != nil {
		parts = append(parts, ct.NAT.String())
	}
	if len(ct.Exec) > 0 {
		var ex []string
		for _, a := range ct.Exec {
			ex = append(ex, a.String())
		}
		parts = append(parts, "exec("+strings.Join(ex, ",")+")")
	}
	if ct.Alg != "" {
		parts = append(parts, "alg="+ct.Alg)
	}
	return "ct(" + strings.Join(parts, ",") + ")"
}

// String prints nat(...) in ovs-ofctl syntax.
func (n *NAT) String() string {
	var parts []string
	dir := ""
	switch {
	case n.Src:
		dir = "src"
	case n.Dst:
		dir = "dst"
	}
	if dir != "" && n.AddrMin.IsValid() {
		addr := func(a netip.Addr) string {
			if a.Is6() {
				return "[" + a.String() + "]"
			}
			return a.String()
		}
		r := addr(n.AddrMin)
		if n.AddrMax.IsValid() && n.AddrMax != n.AddrMin {
			r += "-" + addr(n.AddrMax)
		}
		if n.PortMin != 0 || n.PortMax != 0 {
			r += ":" + strconv.Itoa(int(n.PortMin))
			if n.PortMax != n.PortMin {
				r += "-" + strconv.Itoa(int(n.PortMax))
			}
		}
		dir += "=" + r
	}
	if dir != "" {
		parts = append(parts, dir)
	}
	parts = append(parts, n.Flags...)
	if len(parts) == 0 {
		return "nat"
	}
	return "nat(" + strings.Join(parts, ",") + ")"
}

// String is the learn action as written, or rebuilt from its fields.
func (l *LearnAction) String() string {
	if l.Raw != "" {
		return l.Raw
	}
	parts := []string{"table=" + strconv.Itoa(int(l.Table))}
	if l.Priority != DefaultPriority {
		parts = append(parts, "priority="+strconv.Itoa(int(l.Priority)))
	}
	if l.IdleTimeout != 0 {
		parts = append(parts, "idle_timeout="+strconv.Itoa(l.IdleTimeout))
	}
	if l.HardTimeout != 0 {
		parts = append(parts, "hard_timeout="+strconv.Itoa(l.HardTimeout))
	}
	if l.Cookie != 0 {
		parts = append(parts, "cookie="+hex(l.Cookie))
	}
	for _, sp := range l.Specs {
		parts = append(parts, sp.String())
	}
	return "learn(" + strings.Join(parts, ",") + ")"
}

// String prints one learn spec in ovs-ofctl syntax.
func (sp LearnSpec) String() string {
	src := hex(sp.Value)
	if sp.Src != nil {
		src = sp.Src.String()
	}
	switch sp.Kind {
	case LearnMatchField:
		if sp.Src != nil && *sp.Src == sp.Dst {
			return sp.Dst.String()
		}
		return sp.Dst.String() + "=" + src
	case LearnMatchValue:
		return sp.Dst.String() + "=" + src
	case LearnLoad:
		return "load:" + src + "->" + sp.Dst.String()
	case LearnOutput:
		return "output:" + src
	}
	return ""
}
