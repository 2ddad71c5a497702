package ovn

// ast is a parsed match. The parser pushes `!' down to the comparisons, as
// OVN does, so there is no NOT node: negation flips relational operators,
// swaps && and ||, and swaps true and false.
//
//	parse        "!(tcp.dst == 22)"     -> tcp.dst != 22
//	annotate     add prerequisites       -> tcp.dst != 22 && ip.proto == 6 && (ip4 || ip6)
//	             expand predicates, subfields into base fields
//	build        evaluation tree (match_eval.go)
type ast struct {
	kind astKind
	kids []*ast // aAnd, aOr
	cmp  *cmp   // aCmp
	pos  int    // aUnmodeled: byte offset in the source
	msg  string // aUnmodeled: what is not modeled
}

type astKind uint8

const (
	aFalse astKind = iota
	aTrue
	aAnd
	aOr
	aCmp
	aUnmodeled // valid OVN that Eval cannot decide, e.g. is_chassis_resident()
)

// relop is a relational operator.
type relop uint8

const (
	rEq relop = iota
	rNe
	rLt
	rLe
	rGt
	rGe
)

func (r relop) String() string { return [...]string{"==", "!=", "<", "<=", ">", ">="}[r] }

// invert returns the operator of the negated comparison.
func (r relop) invert() relop { return [...]relop{rNe, rEq, rGe, rGt, rLe, rLt}[r] }

// turn returns the operator for swapped operands (1 < x is x > 1).
func (r relop) turn() relop { return [...]relop{rEq, rNe, rGt, rGe, rLt, rLe}[r] }

// cmp compares bits ofs..ofs+n-1 of sym with constants. With == it holds
// when one constant matches, with != when none does; other operators carry
// exactly one constant.
type cmp struct {
	sym    *symbol
	ofs, n int
	op     relop
	vals   []constant // integer symbols
	strs   []string   // string symbols
	pos    int        // byte offset of the field in the source
	ref    string     // "@pg" or "$as" when the constants are exactly that set's
}

// constant is an integer constant, already cut to the cmp's n bits: the
// comparison tests the bits of mask.
type constant struct{ val, mask u128 }

func boolAST(b bool) *ast {
	if b {
		return &ast{kind: aTrue}
	}
	return &ast{kind: aFalse}
}

func andAST(kids ...*ast) *ast { return &ast{kind: aAnd, kids: kids} }

// negate returns !a without changing a (expansions are shared).
func (a *ast) negate() *ast {
	switch a.kind {
	case aFalse, aTrue:
		return boolAST(a.kind == aFalse)
	case aAnd, aOr:
		n := &ast{kind: aAnd + aOr - a.kind, kids: make([]*ast, len(a.kids))}
		for i, k := range a.kids {
			n.kids[i] = k.negate()
		}
		return n
	case aCmp:
		c := *a.cmp
		c.op = c.op.invert()
		return &ast{kind: aCmp, cmp: &c}
	}
	return a
}

// level is the level of measurement of a predicate expanding to a, as OVN
// computes it: nominal if any comparison is on a nominal symbol.
func (a *ast) level() level {
	switch a.kind {
	case aCmp:
		if a.cmp.sym.level == levelNominal {
			return levelNominal
		}
		return levelBoolean
	case aAnd, aOr:
		lv := levelOrdinal
		for _, k := range a.kids {
			lv = min(lv, k.level())
		}
		return lv
	}
	return levelBoolean
}
