package ovn

// annotate applies prerequisites and expands predicates and subfields of a
// parsed match (src is its text, for errors), as OVN's expr_annotate does:
//
//   - a comparison on a field becomes "cmp && prerequisite", after any `!'
//     was pushed into it: "!(tcp.dst == 22)" is "tcp.dst != 22 && tcp";
//   - a predicate becomes its expansion, itself annotated, negated when the
//     comparison tests it for false: "!ip4.mcast" negates prerequisites too;
//   - a subfield becomes bits of its base field.
func (t *matchTable) annotate(a *ast, src string) (*ast, *MatchError) {
	return t.annotateIn(a, src, nil)
}

// annotateIn is annotate; active is nil for a user match and, while the
// table is being built, the expansions being annotated.
func (t *matchTable) annotateIn(a *ast, src string, active map[string]bool) (*ast, *MatchError) {
	switch a.kind {
	case aAnd, aOr:
		n := &ast{kind: a.kind, kids: make([]*ast, len(a.kids))}
		for i, k := range a.kids {
			var err *MatchError
			if n.kids[i], err = t.annotateIn(k, src, active); err != nil {
				return nil, err
			}
		}
		return n, nil
	case aCmp:
		return t.annotateCmp(a.cmp, src, active)
	case aUnmodeled:
		return nil, unsupportedAt(src, a.pos, "%s", a.msg)
	}
	return a, nil
}

func (t *matchTable) annotateCmp(c *cmp, src string, active map[string]bool) (*ast, *MatchError) {
	s := c.sym
	if s.unmodeled != "" {
		return nil, unsupportedAt(src, c.pos, "%s", s.unmodeled)
	}
	var a *ast
	switch {
	case s.predicate != "":
		e, err := t.use(s.predicate, c, src, active)
		if err != nil {
			return nil, err
		}
		a = &ast{kind: aOr}
		if c.op == rNe {
			a.kind = aAnd
		}
		for _, v := range c.vals {
			if positive := (v.val.lo&1 == 1) != (c.op == rNe); positive {
				a.kids = append(a.kids, e)
			} else {
				a.kids = append(a.kids, e.negate())
			}
		}
	case s.parent != nil:
		b := *c
		b.sym, b.ofs = s.parent, c.ofs+s.parentOfs
		a = &ast{kind: aCmp, cmp: &b}
	default:
		a = &ast{kind: aCmp, cmp: c}
	}
	if a.kind == aCmp && a.cmp.sym.width > 0 {
		if known, why := knownBits(a.cmp.sym.field); !a.cmp.tested().andNot(known).isZero() {
			return nil, unsupportedAt(src, c.pos, "%s", why)
		}
	}
	if s.prereq != "" {
		pre, err := t.use(s.prereq, c, src, active)
		if err != nil {
			return nil, err
		}
		a = andAST(a, pre)
	}
	return a, nil
}

// tested is the bits of the base field that c looks at.
func (c *cmp) tested() u128 {
	if c.op != rEq && c.op != rNe {
		return ones(c.n).shl(c.ofs)
	}
	var m u128
	for _, v := range c.vals {
		m = m.or(v.mask.shl(c.ofs))
	}
	return m
}

// use returns the annotated expansion exp on behalf of c: its errors (an
// unmodeled field inside a predicate) point at c.
func (t *matchTable) use(exp string, c *cmp, src string, active map[string]bool) (*ast, *MatchError) {
	var a *ast
	var err *MatchError
	if active != nil {
		a, err = t.expand(exp, active)
	} else if x, ok := t.expansion[exp]; ok {
		a, err = x.a, x.err
	} else {
		err = errorAt(exp, 0, "internal error: %q was not expanded", exp)
	}
	if err != nil {
		e := errorAt(src, c.pos, "%s", err.Msg)
		e.Unsupported = err.Unsupported
		return nil, e
	}
	return a, nil
}
