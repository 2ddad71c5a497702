package openflow

import (
	"errors"
	"strings"
)

// parseActions reads a comma-separated action list found at offset off.
func (p *flowParser) parseActions(s string, off int) ([]Action, *ParseError) {
	toks, err := p.splitList(s, off)
	if err != nil {
		return nil, err
	}
	acts := make([]Action, 0, len(toks))
	for _, t := range toks {
		a, err := p.parseAction(t)
		if err != nil {
			return nil, err
		}
		acts = append(acts, a)
	}
	return acts, nil
}

// checkActions enforces what ovs-ofctl refuses: drop with other actions,
// conjunction with anything but conjunctions.
func (p *flowParser) checkActions(off int) *ParseError {
	acts := p.flow.Actions
	conj := 0
	for _, a := range acts {
		switch a.Kind {
		case Drop:
			if len(acts) > 1 {
				return p.errAt(off, "want drop alone: it cannot be combined with other actions")
			}
		case Conjunction:
			conj++
		}
	}
	if conj > 0 && conj < len(acts) {
		return p.errAt(off, "want only conjunction actions in a flow that has one")
	}
	return nil
}

// splitAction splits "name:arg", "name(arg)" and bare "name"; suffix is what
// follows a closing parenthesis ("->dst" of check_pkt_larger).
func splitAction(s string) (name, arg string, paren bool, suffix string) {
	i := strings.IndexAny(s, ":(")
	if i < 0 {
		return s, "", false, ""
	}
	if s[i] == ':' {
		return s[:i], s[i+1:], false, ""
	}
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[:i], s[i+1 : j], true, s[j+1:]
			}
		}
	}
	return s[:i], s[i+1:], true, ""
}

// actionBuilder carries one action's text while it is parsed.
type actionBuilder struct {
	p *flowParser
	t token
}

func (b actionBuilder) err(format string, args ...any) *ParseError {
	return b.p.errAt(b.t.off, b.t.s+": "+format, args...)
}

// unsupported keeps an action the model does not interpret.
func (b actionBuilder) unsupported() (Action, *ParseError) {
	return Action{Kind: Unsupported, Raw: b.t.s}, nil
}

func (p *flowParser) parseAction(t token) (Action, *ParseError) {
	b := actionBuilder{p, t}
	name, arg, paren, suffix := splitAction(t.s)
	if suffix != "" {
		return b.unsupported() // check_pkt_larger(1500)->reg0[0] and the like
	}
	a := Action{Raw: t.s}
	if !paren && arg == "" && !strings.Contains(t.s, ":") {
		if port, ok := reservedPorts[strings.ToUpper(name)]; ok {
			return b.portAction(a, port, "")
		}
		if v, ok := parseUint(name); ok {
			return b.outputNumber(a, v)
		}
	}
	switch name {
	case "output":
		if paren {
			return b.unsupported() // output(port=...,max_len=...) truncates
		}
		return b.output(a, arg)
	case "controller", "CONTROLLER":
		a.Kind, a.Port = Controller, PortController
		return a, nil
	case "drop":
		a.Kind = Drop
		return b.noArg(a, arg, paren)
	case "resubmit":
		return b.resubmit(a, arg, paren)
	case "goto_table":
		v, ok := parseDec(arg)
		if !ok || v > 254 {
			return a, b.err("want goto_table:N with a table 0-254")
		}
		a.Kind, a.Table = GotoTable, v
		return a, nil
	case "strip_vlan":
		a.Kind = StripVlan
		return b.noArg(a, arg, paren)
	case "pop_vlan":
		a.Kind = PopVlan
		return b.noArg(a, arg, paren)
	case "ct_clear":
		a.Kind = CTClear
		return b.noArg(a, arg, paren)
	case "dec_ttl":
		a.Kind = DecTTL
		return a, nil
	case "push_vlan":
		v, ok := parseUint(arg)
		if !ok || v != 0x8100 && v != 0x88a8 {
			return a, b.err("want push_vlan:0x8100 or push_vlan:0x88a8")
		}
		a.Kind, a.Value = PushVlan, v
		return a, nil
	case "mod_vlan_vid", "mod_vlan_pcp", "mod_dl_src", "mod_dl_dst", "mod_nw_src", "mod_nw_dst",
		"mod_nw_tos", "mod_nw_ecn", "mod_nw_ttl", "mod_tp_src", "mod_tp_dst", "set_tunnel", "set_tunnel64":
		return b.modField(a, name, arg)
	case "set_field", "load", "move", "write_metadata":
		return b.setField(a, name, arg)
	case "ct":
		return b.ct(a, arg)
	case "conjunction":
		return b.conjunction(a, arg, paren)
	case "learn":
		return b.learn(a, arg, paren)
	case "note":
		a.Kind = Note
		return a, nil
	case "push", "pop":
		sf, err := b.subfield(arg)
		if err != nil || sf.Field == 0 {
			if err == nil {
				return b.unsupported()
			}
			return a, err
		}
		if name == "push" {
			a.Kind, a.Src = Push, sf
		} else {
			a.Kind, a.Dst = Pop, sf
		}
		return a, nil
	case "clone":
		if !paren {
			return a, b.err("want clone(ACTIONS)")
		}
		acts, err := b.p.parseActions(arg, t.off+len("clone("))
		if err != nil {
			return a, err
		}
		a.Kind, a.Nested = Clone, acts
		return a, nil
	case "group", "meter":
		v, ok := parseUint(arg)
		if !ok || v > 0xffffffff {
			return a, b.err("want %s:N with a 32-bit id", name)
		}
		a.Kind, a.Value = Group, v
		if name == "meter" {
			a.Kind = Meter
		}
		return a, nil
	}
	if strings.HasPrefix(strings.ToLower(t.s), "controller:") {
		a.Kind, a.Port = Controller, PortController // CONTROLLER:65535 (max_len)
		return a, nil
	}
	return b.unsupported()
}

func (b actionBuilder) noArg(a Action, arg string, paren bool) (Action, *ParseError) {
	if arg != "" || paren {
		return a, b.err("want %s without an argument", b.t.s[:strings.IndexAny(b.t.s, ":(")])
	}
	return a, nil
}

// portAction makes the action that outputs to a reserved port.
func (b actionBuilder) portAction(a Action, port uint32, name string) (Action, *ParseError) {
	a.Port, a.PortName = port, name
	switch port {
	case PortInPort:
		a.Kind = OutputInPort
	case PortNormal:
		a.Kind = Normal
	case PortFlood:
		a.Kind = Flood
	case PortAll:
		a.Kind = All
	case PortLocal:
		a.Kind = Local
	case PortController:
		a.Kind = Controller
	case PortTable, PortNone:
		return b.unsupported()
	default:
		a.Kind = Output
	}
	return a, nil
}

func (b actionBuilder) outputNumber(a Action, v uint64) (Action, *ParseError) {
	port, ok := normalizePort(v)
	if !ok {
		return a, b.err("want a port number up to 0xfeff or a reserved port")
	}
	return b.portAction(a, uint32(port), "")
}

// output reads output:PORT and output:SUBFIELD.
func (b actionBuilder) output(a Action, arg string) (Action, *ParseError) {
	if strings.Contains(arg, "[") {
		sf, err := ParseSubfield(arg)
		switch {
		case errors.Is(err, errUnknownField):
			return b.unsupported()
		case err != nil:
			return a, b.err("%v", err)
		}
		a.Kind, a.Src = OutputField, sf
		return a, nil
	}
	port, name, ok := parsePort(arg)
	if !ok {
		return a, b.err("want output:PORT with a port number, reserved port or name")
	}
	if name != "" {
		a.Kind, a.PortName = Output, name
		return a, nil
	}
	return b.outputNumber(a, uint64(port))
}

// resubmit reads resubmit:PORT and resubmit([PORT][,TABLE]).
func (b actionBuilder) resubmit(a Action, arg string, paren bool) (Action, *ParseError) {
	a.Kind, a.Port, a.Table = Resubmit, PortInPort, -1
	portText, tableText := arg, ""
	if paren {
		parts := strings.Split(arg, ",")
		if len(parts) > 3 || parts[0] == "" && (len(parts) < 2 || parts[1] == "") {
			return a, b.err("want resubmit(PORT,TABLE) with a port, a table or both")
		}
		if len(parts) == 3 {
			if parts[2] != "ct" {
				return a, b.err("want resubmit(PORT,TABLE) or resubmit(PORT,TABLE,ct)")
			}
			return b.unsupported() // looks up with the conntrack tuple
		}
		portText = parts[0]
		if len(parts) == 2 {
			tableText = parts[1]
		}
	}
	if portText != "" {
		port, name, ok := parsePort(portText)
		if !ok {
			return a, b.err("want a port number, reserved port or name to resubmit with")
		}
		if name == "" {
			v, ok := normalizePort(uint64(port))
			if !ok {
				return a, b.err("want a port number up to 0xfeff or a reserved port")
			}
			port = uint32(v)
		}
		a.Port, a.PortName = port, name
	}
	if tableText != "" {
		v, ok := parseDec(tableText)
		if !ok || v > 254 {
			return a, b.err("want a table 0-254 to resubmit to")
		}
		a.Table = v
	}
	return a, nil
}

// modFields are the mod_* actions: their kind and the field they write.
var modFields = map[string]struct {
	kind  ActionKind
	field Field
}{
	"mod_vlan_vid": {ModVlanVID, DlVlan}, "mod_vlan_pcp": {ModVlanPCP, VlanPCP},
	"mod_dl_src": {ModDlSrc, DlSrc}, "mod_dl_dst": {ModDlDst, DlDst},
	"mod_nw_src": {ModNwSrc, NwSrc}, "mod_nw_dst": {ModNwDst, NwDst},
	"mod_nw_tos": {ModNwTos, NwTos}, "mod_nw_ecn": {SetField, NwECN}, "mod_nw_ttl": {SetField, NwTTL},
	"mod_tp_src": {ModTpSrc, TpSrc}, "mod_tp_dst": {ModTpDst, TpDst},
	"set_tunnel": {SetTunnel, TunID}, "set_tunnel64": {SetTunnel, TunID},
}

func (b actionBuilder) modField(a Action, name, arg string) (Action, *ParseError) {
	mf := modFields[name]
	v, m, _, want := parseValue(mf.field, arg, false)
	if want != "" {
		return a, b.err("%s", want)
	}
	if mf.field == NwTos && v&3 != 0 {
		return a, b.err("want a TOS value with the 2 ECN bits clear, like 16")
	}
	a.Kind, a.Field, a.Value, a.Mask = mf.kind, mf.field, v, m
	return a, nil
}

// setField reads set_field:V[/M]->F, load:V->DST, move:SRC->DST and
// write_metadata:V[/M].
func (b actionBuilder) setField(a Action, name, arg string) (Action, *ParseError) {
	if name == "write_metadata" {
		v, m, _, want := parseValue(Metadata, arg, true)
		if want != "" {
			return a, b.err("%s", want)
		}
		a.Kind, a.Field, a.Value, a.Mask = SetField, Metadata, v, m
		return a, nil
	}
	src, dst, ok := strings.Cut(arg, "->")
	if !ok || src == "" || dst == "" {
		return a, b.err("want %s:SRC->DST", name)
	}
	switch name {
	case "set_field":
		f, known := LookupField(dst)
		if !known {
			return b.unsupported()
		}
		if f >= XXReg0 && f <= XXReg3 {
			return b.setXXReg(a, f, src)
		}
		v, m, pname, want := parseValue(f, src, true)
		if want != "" {
			return a, b.err("%s", want)
		}
		a.Kind, a.Field, a.Value, a.Mask, a.PortName = SetField, f, v, m, pname
		return a, nil
	case "load":
		d, err := b.subfield(dst)
		if err != nil || d.Field == 0 {
			return a, err
		}
		hi, lo, ok := parseUint128(src)
		if !ok {
			return a, b.err("want load:VALUE->DST with a number like 0x1")
		}
		if hi != 0 && d.Bits <= 64 || lo&^widthMask(d.Bits) != 0 && d.Bits < 64 {
			return a, b.err("want a value that fits in %d bits", d.Bits)
		}
		if hi != 0 {
			return b.unsupported() // wider than 64 bits
		}
		a.Kind, a.Dst, a.Value = Load, d, lo
		return a, nil
	}
	s, err := b.subfield(src)
	if err != nil || s.Field == 0 {
		return a, err
	}
	d, err := b.subfield(dst)
	if err != nil || d.Field == 0 {
		return a, err
	}
	if s.Bits != d.Bits {
		return a, b.err("want source and destination of the same width (%d and %d bits)", s.Bits, d.Bits)
	}
	a.Kind, a.Src, a.Dst = Move, s, d
	return a, nil
}

// subfield parses a subfield; one of an unknown field comes back zero with
// no error, and the caller keeps the action Unsupported.
func (b actionBuilder) subfield(s string) (Subfield, *ParseError) {
	sf, err := ParseSubfield(s)
	switch {
	case errors.Is(err, errUnknownField):
		return Subfield{}, nil
	case err != nil:
		return Subfield{}, b.err("%v", err)
	}
	return sf, nil
}

// setXXReg maps a 128-bit set_field on xxregN to the xreg half it touches;
// one touching both halves stays Unsupported.
func (b actionBuilder) setXXReg(a Action, f Field, src string) (Action, *ParseError) {
	vs, ms, masked := strings.Cut(src, "/")
	vhi, vlo, ok1 := parseUint128(vs)
	mhi, mlo, ok2 := ^uint64(0), ^uint64(0), true
	if masked {
		mhi, mlo, ok2 = parseUint128(ms)
	}
	if !ok1 || !ok2 {
		return a, b.err("want a 128-bit number like 0x1 or 0x1/0x1")
	}
	x := XReg0 + 2*(f-XXReg0) // the high half
	switch {
	case mlo == 0 && vlo == 0:
		a.Field, a.Value, a.Mask = x, vhi&mhi, mhi
	case mhi == 0 && vhi == 0:
		a.Field, a.Value, a.Mask = x+1, vlo&mlo, mlo
	default:
		return b.unsupported()
	}
	a.Kind = SetField
	return a, nil
}

// conjunction reads conjunction(ID,K/N).
func (b actionBuilder) conjunction(a Action, arg string, paren bool) (Action, *ParseError) {
	id, kn, ok := strings.Cut(arg, ",")
	k, n, ok2 := strings.Cut(strings.TrimSpace(kn), "/")
	idv, ok3 := parseUint(strings.TrimSpace(id))
	kv, ok4 := parseDec(k)
	nv, ok5 := parseDec(n)
	if !paren || !ok || !ok2 || !ok3 || !ok4 || !ok5 || idv > 0xffffffff || kv < 1 || kv > nv || nv > 64 {
		return a, b.err("want conjunction(ID,K/N) with 1 <= K <= N <= 64")
	}
	a.Kind, a.Conj = Conjunction, Conj{ID: uint32(idv), Clause: uint8(kv), NClauses: uint8(nv)}
	return a, nil
}
