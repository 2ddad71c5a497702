package ovn

import "slices"

// intConst is an integer constant as written (before cutting to a field).
type intConst struct {
	val, mask u128
	masked    bool
	format    numFormat
	tok       *token // where it was written ($name for address set entries)
}

// width is the narrowest field the constant fits, as OVN measures it.
func (c intConst) width() int {
	switch {
	case c.masked:
		return c.mask.bitLen()
	case c.format == fmtIPv4:
		return 32
	case c.format == fmtIPv6:
		return 128
	case c.format == fmtMAC:
		return 48
	}
	return c.val.bitLen()
}

// constSet is one constant or a {}-set of them, @port_group and
// $address_set expanded.
type constSet struct {
	ints  []intConst
	strs  []string
	typed bool // the first constant fixed isStr
	isStr bool
	curly bool
	tok   *token // the first token
	// ref is the set reference ("@pg", "$as") the constants all came from,
	// when they did; mixed says they did not.
	ref   string
	mixed bool
}

// note records where the next constants come from: ref, or "" for a
// literal.
func (cs *constSet) note(ref string) {
	if ref == "" || cs.ref != "" || len(cs.ints)+len(cs.strs) > 0 {
		cs.mixed = true
	}
	cs.ref = ref
}

// parseConstSet reads a constant or a set. f, when known, names the field
// in error hints.
func (p *parser) parseConstSet(f *field) (constSet, *MatchError) {
	cs := constSet{tok: p.tok()}
	if p.tok().kind != tkLCurly {
		return cs, p.parseConstant(&cs, f)
	}
	cs.curly = true
	p.next()
	for {
		if err := p.parseConstant(&cs, f); err != nil {
			return cs, err
		}
		if p.tok().kind == tkComma {
			p.next()
		}
		if p.tok().kind == tkRCurly {
			p.next()
			return cs, nil
		}
	}
}

func (p *parser) parseConstant(cs *constSet, f *field) *MatchError {
	t := p.tok()
	setType := func(isStr bool) *MatchError {
		if cs.typed && cs.isStr != isStr {
			if cs.isStr {
				return p.expected("a string, like the set's other members")
			}
			return p.expected("an integer, like the set's other members")
		}
		cs.typed, cs.isStr = true, isStr
		return nil
	}
	switch t.kind {
	case tkString:
		if err := setType(true); err != nil {
			return err
		}
		cs.note("")
		cs.strs = append(cs.strs, t.text)
	case tkInt:
		if err := setType(false); err != nil {
			return err
		}
		if p.peek().kind == tkEllipsis {
			return p.rangeError(t, f)
		}
		cs.note("")
		cs.ints = append(cs.ints, intConst{t.val, t.mask, t.masked, t.format, t})
	case tkAddrSet:
		if err := setType(false); err != nil {
			return err
		}
		addrs, ok := lookupSet(p.sets, t.text, false)
		if !ok {
			return p.errAt(t, "address set %q does not exist", t.text)
		}
		cs.note("$" + t.text)
		cs.ints = slices.Grow(cs.ints, len(addrs))
		for _, s := range addrs {
			// Like OVN, take each entry's first token and skip entries
			// that are not numbers or addresses.
			if a := lexOne(s, 0); a.kind == tkInt {
				cs.ints = append(cs.ints, intConst{a.val, a.mask, a.masked, a.format, t})
			}
		}
	case tkPortGroup:
		if err := setType(true); err != nil {
			return err
		}
		ports, ok := lookupSet(p.sets, t.text, true)
		if !ok {
			return p.errAt(t, "port group %q does not exist", t.text)
		}
		cs.note("@" + t.text)
		if cs.strs == nil {
			cs.strs = slices.Clip(ports) // shared: a later append copies
		} else {
			cs.strs = append(cs.strs, ports...)
		}
	case tkTemplate:
		return unsupportedAt(p.src, t.pos, "chassis template variable ^%s is not modeled", t.text)
	default:
		return p.expected("a constant")
	}
	p.next()
	return nil
}

func lookupSet(sets Sets, name string, portGroup bool) ([]string, bool) {
	switch {
	case sets == nil:
		return nil, false
	case portGroup:
		return sets.PortGroup(name)
	}
	return sets.AddressSet(name)
}

// rangeError explains that OVN has no a..b constants.
func (p *parser) rangeError(lo *token, f *field) *MatchError {
	hi := p.toks[min(p.i+2, len(p.toks)-1)]
	if hi.kind != tkInt {
		return p.errAt(p.peek(), "ranges are not OVN syntax: write \"a <= field <= b\"")
	}
	name := "field"
	if f != nil {
		name = p.src[f.tok.pos:f.tok.end]
		if f.n != f.sym.width {
			name = f.sym.name + "[...]"
		}
	}
	l, h := p.src[lo.pos:lo.end], p.src[hi.pos:hi.end]
	return p.errAt(lo, "ranges such as %s..%s are not OVN syntax: write \"%s <= %s <= %s\"", l, h, l, name, h)
}

// makeCmp checks and builds field r cs as OVN's make_cmp does. op is the
// operator's token (the field's for a bare field), where errors point.
func (p *parser) makeCmp(f field, r relop, cs constSet, op *token) (*ast, *MatchError) {
	s := f.sym
	if s.width == 0 && !cs.isStr {
		return nil, p.errAt(cs.tok, "string field %s cannot be compared with an integer", s.name)
	}
	if s.width > 0 && cs.isStr {
		return nil, p.errAt(cs.tok, "integer field %s cannot be compared with a string", s.name)
	}
	for _, c := range cs.ints {
		if w := c.width(); w > s.width {
			return nil, p.errAt(c.tok, "%d-bit constant does not fit %d-bit field %s", w, s.width, s.name)
		}
	}
	if r != rEq && r != rNe {
		if err := p.checkOrdered(s, cs, op); err != nil {
			return nil, err
		}
	}
	if err := p.checkNominal(s, r, cs, op); err != nil {
		return nil, err
	}
	if len(cs.ints)+len(cs.strs) == 0 {
		// OVN: an empty set never equals, always differs.
		return boolAST(r == rNe), nil
	}
	c := cmp{sym: s, ofs: f.ofs, n: f.n, op: r, strs: cs.strs, pos: f.tok.pos}
	if !cs.mixed {
		c.ref = cs.ref
	}
	c.vals = make([]constant, 0, len(cs.ints))
	for _, v := range cs.ints {
		k := constant{val: v.val.and(ones(f.n)), mask: ones(f.n)}
		if v.masked {
			k.mask = v.mask.and(ones(f.n))
		}
		c.vals = append(c.vals, k)
	}
	if r == rEq || r == rNe || len(c.vals) == 1 {
		return &ast{kind: aCmp, cmp: &c}, nil
	}
	// An ordered comparison with an address set of several entries must
	// hold for each, as in OVN.
	all := &ast{kind: aAnd}
	for _, v := range c.vals {
		one := c
		one.vals = []constant{v}
		all.kids = append(all.kids, &ast{kind: aCmp, cmp: &one})
	}
	return all, nil
}

func (p *parser) checkOrdered(s *symbol, cs constSet, op *token) *MatchError {
	switch {
	case cs.curly:
		return p.errAt(op, "only \"==\" and \"!=\" may be used with a set of values")
	case s.level == levelNominal:
		return p.errAt(op, "only \"==\" and \"!=\" may be used with nominal field %s", s.name)
	case s.level == levelBoolean:
		return p.errAt(op, "only \"==\" and \"!=\" may be used with Boolean field %s", s.name)
	case len(cs.ints) == 0:
		return p.errAt(op, "only \"==\" and \"!=\" may compare a field with an empty set")
	case cs.ints[0].masked:
		return p.errAt(cs.ints[0].tok, "only \"==\" and \"!=\" may be used with a masked constant: "+
			"select bits instead, e.g. \"eth.src[0..15] > 0x1111\"")
	}
	for _, c := range cs.ints[1:] {
		if c.masked {
			return unsupportedAt(p.src, c.tok.pos, "an ordered comparison with masked address set entries is not modeled")
		}
	}
	return nil
}

// checkNominal enforces that nominal symbols are only tested positively,
// counting enclosing `!'.
func (p *parser) checkNominal(s *symbol, r relop, cs constSet, op *token) *MatchError {
	if s.level != levelNominal {
		return nil
	}
	if s.predicate != "" {
		for _, c := range cs.ints {
			if positive := (c.val.lo&1 == 1) != (r == rNe) != p.not; !positive {
				return p.errAt(op, "predicate %[1]s may only be tested positively (\"%[1]s\" or \"%[1]s == 1\", "+
					"not \"!%[1]s\" or \"%[1]s == 0\")", s.name)
			}
		}
		return nil
	}
	want := rEq
	if p.not {
		want = rNe
	}
	if r != want {
		return p.errAt(op, "nominal field %s may only be tested for equality: \"==\", with no \"!\" around it", s.name)
	}
	return nil
}
