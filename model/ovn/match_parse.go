package ovn

import (
	"fmt"
	"regexp"
	"strings"
)

// maxParenDepth bounds nesting, as OVN's MAX_PAREN_DEPTH does.
const maxParenDepth = 100

// parser reads a match with OVN's grammar (lib/expr.c):
//
//	expr    = not { "&&" not } | not { "||" not }    (never both unparenthesized)
//	not     = "!" primary                             (primary must be atomic)
//	        | primary
//	primary = "(" expr ")" | field | field relop constants
//	        | constants relop field [relop constants] | "0" | "1"
//	        | "is_chassis_resident(" string ")"
type parser struct {
	src   string
	toks  []token
	i     int
	tab   symtab
	sets  Sets
	not   bool // inside an odd number of `!': nominal checks depend on it
	depth int
}

// parseMatch parses src. It does not apply prerequisites; annotate does.
func parseMatch(src string, sets Sets, tab symtab) (*ast, *MatchError) {
	p := &parser{src: src, toks: lex(src), tab: tab, sets: sets}
	if p.tok().kind == tkEnd {
		return nil, errorAt(src, 0, "empty match: use \"1\" to match every packet")
	}
	a, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.tok().kind != tkEnd {
		return nil, p.expected("end of input")
	}
	return a, nil
}

func (p *parser) tok() *token { return &p.toks[p.i] }

func (p *parser) peek() *token { return &p.toks[min(p.i+1, len(p.toks)-1)] }

func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
}

func (p *parser) errAt(t *token, format string, args ...any) *MatchError {
	if t.kind == tkError {
		return errorAt(p.src, t.pos, "%s", t.text)
	}
	return errorAt(p.src, t.pos, format, args...)
}

// expected reports that the current token is not what the grammar wants.
func (p *parser) expected(what string) *MatchError {
	return p.errAt(p.tok(), "expected %s, found %s", what, p.describe(p.tok()))
}

func (p *parser) describe(t *token) string {
	if t.kind == tkEnd {
		return "end of input"
	}
	return fmt.Sprintf("%q", p.src[t.pos:t.end])
}

func (p *parser) parseExpr() (*ast, *MatchError) {
	a, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	op := p.tok().kind
	if op != tkAnd && op != tkOr {
		return a, nil
	}
	kids := []*ast{a}
	for p.tok().kind == op {
		p.next()
		b, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		kids = append(kids, b)
	}
	if k := p.tok().kind; k == tkAnd || k == tkOr {
		return nil, p.errAt(p.tok(), "&& and || must be parenthesized when used together")
	}
	if op == tkAnd {
		return &ast{kind: aAnd, kids: kids}, nil
	}
	return &ast{kind: aOr, kids: kids}, nil
}

func (p *parser) parseNot() (*ast, *MatchError) {
	if p.tok().kind != tkNot {
		a, _, err := p.parsePrimary()
		return a, err
	}
	bang := p.tok()
	p.next()
	p.not = !p.not
	a, atomic, err := p.parsePrimary()
	p.not = !p.not
	if err != nil {
		return nil, err
	}
	if !atomic {
		return nil, p.errAt(bang, "\"!\" needs parentheses around a comparison: write \"!(...)\"")
	}
	return a.negate(), nil
}

// parsePrimary also says whether the result is atomic, that is, whether
// `!' may precede it without parentheses.
func (p *parser) parsePrimary() (a *ast, atomic bool, err *MatchError) {
	t := p.tok()
	switch t.kind {
	case tkLParen:
		if p.depth >= maxParenDepth {
			return nil, false, p.errAt(t, "parentheses nested too deeply")
		}
		p.next()
		p.depth++
		a, err = p.parseExpr()
		p.depth--
		if err != nil {
			return nil, false, err
		}
		if p.tok().kind != tkRParen {
			return nil, false, p.expected("\")\"")
		}
		p.next()
		return a, true, nil
	case tkID:
		if p.peek().kind == tkLParen {
			a, err = p.parseFunction()
			return a, true, err
		}
		return p.parseFieldFirst()
	case tkTemplate:
		return nil, false, unsupportedAt(p.src, t.pos, "chassis template variable ^%s is not modeled", t.text)
	}
	return p.parseConstantFirst()
}

// parseFunction reads is_chassis_resident("lport"), OVN's only function.
func (p *parser) parseFunction() (*ast, *MatchError) {
	name := p.tok()
	if name.text != "is_chassis_resident" {
		return nil, p.errAt(name, "unknown function %q (OVN has only is_chassis_resident)", name.text)
	}
	p.next()
	p.next()
	if p.tok().kind != tkString {
		return nil, p.expected("a quoted port name")
	}
	p.next()
	if p.tok().kind != tkRParen {
		return nil, p.expected("\")\"")
	}
	p.next()
	return &ast{kind: aUnmodeled, pos: name.pos,
		msg: "is_chassis_resident() depends on where ports are bound, which is not modeled"}, nil
}

// field is a parsed field reference: bits ofs..ofs+n-1 of sym.
type field struct {
	sym    *symbol
	ofs, n int
	tok    *token
	end    int // byte offset just past the reference
}

func (p *parser) parseFieldFirst() (*ast, bool, *MatchError) {
	f, err := p.parseField()
	if err != nil {
		return nil, false, err
	}
	t := p.tok()
	r, ok := relopOf(t.kind)
	if !ok {
		if f.sym.width == 0 || startsConstant(t) || p.src[t.pos:t.end] == "=" {
			return nil, false, p.expected(relopsFor(f.sym) + " after field " + f.sym.name)
		}
		if f.n > 1 && !p.not {
			return nil, false, p.errAt(f.tok, "%s is %d bits wide: compare it explicitly, e.g. \"%s != 0\"",
				f.sym.name, f.n, p.src[f.tok.pos:f.end])
		}
		// A bare field means "!= 0": "ct.est" is "ct.est != 0".
		zero := constSet{ints: []intConst{{format: fmtHex, tok: f.tok}}, typed: true, tok: f.tok}
		a, err := p.makeCmp(f, rNe, zero, f.tok)
		return a, true, err
	}
	p.next()
	cs, err := p.parseConstSet(&f)
	if err != nil {
		return nil, false, err
	}
	a, err := p.makeCmp(f, r, cs, t)
	return a, false, err
}

// parseConstantFirst reads "1", "0", "80 == tcp.dst" and "1 < tcp.dst < 5".
func (p *parser) parseConstantFirst() (*ast, bool, *MatchError) {
	cs, err := p.parseConstSet(nil)
	if err != nil {
		return nil, false, err
	}
	t1 := p.tok()
	r1, ok := relopOf(t1.kind)
	if !ok {
		if c := cs.ints; len(c) == 1 && !cs.curly && !cs.isStr && c[0].format == fmtDecimal &&
			!c[0].masked && c[0].val.less(u64(2)) {
			return boolAST(c[0].val.lo == 1), true, nil
		}
		return nil, false, p.expected("a relational operator")
	}
	p.next()
	f, err := p.parseField()
	if err != nil {
		return nil, false, err
	}
	t2 := p.tok()
	r2, ok := relopOf(t2.kind)
	if !ok {
		a, err := p.makeCmp(f, r1.turn(), cs, t1)
		return a, false, err
	}
	p.next()
	cs2, err := p.parseConstSet(&f)
	if err != nil {
		return nil, false, err
	}
	below := func(r relop) bool { return r == rLt || r == rLe }
	above := func(r relop) bool { return r == rGt || r == rGe }
	if !(below(r1) && below(r2) || above(r1) && above(r2)) {
		return nil, false, p.errAt(t2, "a range must read \"x < field < y\" or \"x > field > y\" (each may also be <= or >=)")
	}
	a1, err := p.makeCmp(f, r1.turn(), cs, t1)
	if err != nil {
		return nil, false, err
	}
	a2, err := p.makeCmp(f, r2, cs2, t2)
	if err != nil {
		return nil, false, err
	}
	return andAST(a1, a2), false, nil
}

func relopOf(k tokKind) (relop, bool) {
	switch k {
	case tkEq:
		return rEq, true
	case tkNe:
		return rNe, true
	case tkLt:
		return rLt, true
	case tkLe:
		return rLe, true
	case tkGt:
		return rGt, true
	case tkGe:
		return rGe, true
	}
	return 0, false
}

func relopsFor(s *symbol) string {
	if s.level == levelOrdinal {
		return `"==", "!=", "<", "<=", ">" or ">="`
	}
	return `"==" or "!="`
}

func startsConstant(t *token) bool {
	switch t.kind {
	case tkInt, tkString, tkAddrSet, tkPortGroup, tkLCurly, tkTemplate:
		return true
	}
	return false
}

// parseField reads a symbol with an optional bit selection [lo] or [lo..hi].
func (p *parser) parseField() (field, *MatchError) {
	t := p.tok()
	if t.kind != tkID {
		return field{}, p.expected("a field name")
	}
	s := p.tab[t.text]
	if s == nil {
		return field{}, p.errAt(t, "%s", unknownField(t.text))
	}
	p.next()
	f := field{sym: s, n: s.width, tok: t, end: t.end}
	open := p.tok()
	if open.kind != tkLSquare {
		return f, nil
	}
	if s.width == 0 {
		return field{}, p.errAt(open, "cannot select bits of string field %s", s.name)
	}
	p.next()
	lo, err := p.bitNumber()
	if err != nil {
		return field{}, err
	}
	hi := lo
	if p.tok().kind == tkEllipsis {
		p.next()
		if hi, err = p.bitNumber(); err != nil {
			return field{}, err
		}
	}
	if p.tok().kind != tkRSquare {
		return field{}, p.expected("\"]\"")
	}
	f.end = p.tok().end
	p.next()
	switch {
	case lo > hi:
		return field{}, p.errAt(open, "invalid bit range %d..%d", lo, hi)
	case hi >= s.width:
		return field{}, p.errAt(open, "cannot select bits %d..%d of %d-bit field %s", lo, hi, s.width, s.name)
	case s.level == levelNominal && (lo != 0 || hi != s.width-1):
		return field{}, p.errAt(open, "cannot select bits of nominal field %s", s.name)
	}
	f.ofs, f.n = lo, hi-lo+1
	return f, nil
}

func (p *parser) bitNumber() (int, *MatchError) {
	t := p.tok()
	if t.kind != tkInt || t.masked || t.format != fmtDecimal || t.val.hi != 0 || t.val.lo > 1<<20 {
		return 0, p.expected("a bit number")
	}
	p.next()
	return int(t.val.lo), nil
}

var registerName = regexp.MustCompile(`^x{0,2}reg[0-9]+$`)

func unknownField(name string) string {
	switch {
	case registerName.MatchString(name):
		return fmt.Sprintf("unknown field %q (OVN's logical registers are reg0..reg9, xreg0..xreg4, xxreg0..xxreg1)", name)
	case strings.HasPrefix(name, "flags."):
		return fmt.Sprintf("unknown flag %q", name)
	}
	return fmt.Sprintf("unknown field %q", name)
}
