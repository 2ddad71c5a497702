package openflow

import (
	"errors"
	"strings"
)

// learn reads learn(table=...,priority=...,timeouts,cookie=...,SPECS...).
func (b actionBuilder) learn(a Action, arg string, paren bool) (Action, *ParseError) {
	if !paren {
		return a, b.err("want learn(...)")
	}
	l := &LearnAction{Table: 1, Priority: DefaultPriority, Raw: b.t.s}
	args, err := b.p.splitList(arg, b.t.off+len("learn("))
	if err != nil {
		return a, err
	}
	for _, t := range args {
		key, val, hasVal := strings.Cut(t.s, "=")
		n, isNum := parseDec(val)
		switch {
		case key == "table" && hasVal:
			if !isNum || n > 254 {
				return a, b.err("want learn table=N with a table 0-254")
			}
			l.Table = uint8(n)
		case key == "priority" && hasVal:
			if !isNum || n > 65535 {
				return a, b.err("want learn priority=N with N 0-65535")
			}
			l.Priority = uint16(n)
		case (key == "idle_timeout" || key == "hard_timeout" || key == "fin_idle_timeout" || key == "fin_hard_timeout") && hasVal:
			if !isNum || n > 65535 {
				return a, b.err("want %s=N with N 0-65535 seconds", key)
			}
			switch key {
			case "idle_timeout":
				l.IdleTimeout = n
			case "hard_timeout":
				l.HardTimeout = n
			}
		case key == "cookie" && hasVal:
			v, ok := parseUint(val)
			if !ok {
				return a, b.err("want learn cookie=N with a 64-bit number")
			}
			l.Cookie = v
		case !hasVal && (key == "send_flow_rem" || key == "delete_learned"):
		case key == "limit" || key == "result_dst":
			return b.unsupported() // learning may be refused; not modelled
		default:
			spec, unsupported, err := b.learnSpec(t.s)
			if err != nil {
				return a, err
			}
			if unsupported {
				return b.unsupported()
			}
			l.Specs = append(l.Specs, spec)
		}
	}
	a.Kind, a.Learn = Learn, l
	return a, nil
}

// learnSpec reads one spec: DST, DST=SRC, DST=VALUE, load:SRC->DST,
// load:VALUE->DST or output:SRC. A field the model does not know makes the
// whole learn Unsupported.
func (b actionBuilder) learnSpec(s string) (LearnSpec, bool, *ParseError) {
	sub := func(text string) (Subfield, bool, *ParseError) {
		sf, err := ParseSubfield(text)
		switch {
		case errors.Is(err, errUnknownField):
			return sf, true, nil
		case err != nil:
			return sf, false, b.err("%v", err)
		}
		return sf, false, nil
	}
	switch {
	case strings.HasPrefix(s, "output:"):
		src, unk, err := sub(s[len("output:"):])
		return LearnSpec{Kind: LearnOutput, Src: &src}, unk, err
	case strings.HasPrefix(s, "load:"):
		srcText, dstText, ok := strings.Cut(s[len("load:"):], "->")
		if !ok {
			return LearnSpec{}, false, b.err("want load:SRC->DST in learn")
		}
		dst, unk, err := sub(dstText)
		if unk || err != nil {
			return LearnSpec{}, unk, err
		}
		if v, ok := parseUint(srcText); ok {
			if dst.Bits < 64 && v&^widthMask(dst.Bits) != 0 {
				return LearnSpec{}, false, b.err("want a value that fits in %d bits", dst.Bits)
			}
			return LearnSpec{Kind: LearnLoad, Dst: dst, Value: v}, false, nil
		}
		src, unk, err := sub(srcText)
		if unk || err != nil {
			return LearnSpec{}, unk, err
		}
		if src.Bits != dst.Bits {
			return LearnSpec{}, false, b.err("want learn load source and destination of the same width")
		}
		return LearnSpec{Kind: LearnLoad, Dst: dst, Src: &src}, false, nil
	}
	dstText, srcText, hasSrc := strings.Cut(s, "=")
	dst, unk, err := sub(dstText)
	if unk || err != nil {
		return LearnSpec{}, unk, err
	}
	if !hasSrc {
		src := dst
		return LearnSpec{Kind: LearnMatchField, Dst: dst, Src: &src}, false, nil
	}
	if v, ok := learnValue(dst, srcText); ok {
		return LearnSpec{Kind: LearnMatchValue, Dst: dst, Value: v}, false, nil
	}
	src, unk, err := sub(srcText)
	if unk || err != nil {
		return LearnSpec{}, unk, err
	}
	if src.Bits != dst.Bits {
		return LearnSpec{}, false, b.err("want learn match source and destination of the same width")
	}
	return LearnSpec{Kind: LearnMatchField, Dst: dst, Src: &src}, false, nil
}

// learnValue reads a constant for dst: in the field's own syntax when dst is
// the whole field (eth_type=0x800, nw_dst=10.0.0.1), a number otherwise.
func learnValue(dst Subfield, s string) (uint64, bool) {
	if dst.Ofs == 0 && dst.Bits == dst.Field.Bits() && dst.Bits <= 64 {
		v, m, name, want := parseValue(dst.Field, s, false)
		return v, want == "" && name == "" && m == dst.Field.fullMask()
	}
	v, ok := parseUint(s)
	return v, ok && (dst.Bits >= 64 || v&^widthMask(dst.Bits) == 0)
}
