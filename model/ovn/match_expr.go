package ovn

import (
	"fmt"
	"sync"
	"unicode/utf8"
)

// Sets resolves the names a match refers to.
type Sets interface {
	// PortGroup returns the logical port names of @name.
	PortGroup(name string) (ports []string, ok bool)
	// AddressSet returns the addresses of $name: "10.0.0.1", "10.0.0.0/24",
	// "fe80::1", a MAC. The caller resolves $pg_ip4 and $pg_ip6.
	AddressSet(name string) (addrs []string, ok bool)
}

// Expr is a compiled match: OVN's expression language (ovn-sb(5),
// Logical_Flow match), with prerequisites applied and @port_group and
// $address_set references bound.
type Expr struct {
	src  string
	root *node
}

// Compile parses a match and binds its @port_group and $address_set
// references. sets may be nil; then any reference is an error. The error is
// a *MatchError; its Unsupported is set when the match is valid OVN but uses
// something Eval does not model.
//
// Address set entries that are not addresses are skipped, as OVN skips them.
func Compile(match string, sets Sets) (*Expr, error) {
	tab, err := loadMatchTable()
	if err != nil {
		return nil, &MatchError{Match: match, Col: 1, Msg: "internal error: " + err.Error()}
	}
	a, merr := parseMatch(match, sets, tab.syms)
	if merr == nil {
		a, merr = tab.annotate(a, match)
	}
	if merr != nil {
		return nil, merr
	}
	var sc *setCache
	if c, ok := sets.(interface{ cache() *setCache }); ok {
		sc = c.cache()
	}
	return &Expr{src: match, root: build(a, sc)}, nil
}

// Eval reports whether p matches. It does not allocate.
func (e *Expr) Eval(p *Packet) bool { return e.root.eval(p) }

// String returns the match as given to Compile.
func (e *Expr) String() string { return e.src }

// MatchError is a match that does not compile.
type MatchError struct {
	Match string // the whole expression
	Col   int    // 1-based column (in runes) of the offending token
	Msg   string // what was wrong and what was expected
	// Unsupported is set when the expression is valid OVN but uses
	// something this evaluator does not model; Msg says what.
	Unsupported bool
}

func (e *MatchError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

// errorAt builds a MatchError at byte offset pos of src.
func errorAt(src string, pos int, format string, args ...any) *MatchError {
	pos = min(max(pos, 0), len(src))
	return &MatchError{Match: src, Col: utf8.RuneCountInString(src[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func unsupportedAt(src string, pos int, format string, args ...any) *MatchError {
	e := errorAt(src, pos, format, args...)
	e.Unsupported = true
	return e
}

// matchTable is the symbol table with the prerequisites and predicate
// expansions already parsed and annotated; built once.
type matchTable struct {
	syms      symtab
	expansion map[string]expansion // by OVN source text
}

type expansion struct {
	a   *ast
	err *MatchError // e.g. the expansion uses an unmodeled field
}

var (
	matchTableOnce sync.Once
	matchTableVal  *matchTable
	matchTableErr  error
)

func loadMatchTable() (*matchTable, error) {
	matchTableOnce.Do(func() { matchTableVal, matchTableErr = newMatchTable() })
	return matchTableVal, matchTableErr
}

func newMatchTable() (*matchTable, error) {
	syms, err := newSymtab()
	if err != nil {
		return nil, err
	}
	t := &matchTable{syms: syms, expansion: map[string]expansion{}}
	for _, s := range syms {
		for _, src := range []string{s.prereq, s.predicate} {
			if src == "" {
				continue
			}
			if _, err := t.expand(src, map[string]bool{}); err != nil && !err.Unsupported {
				return nil, fmt.Errorf("%s: %q: %w", s.name, src, err)
			}
		}
	}
	return t, nil
}

// expand parses and annotates a prerequisite or predicate, memoized.
// active guards against a definition that refers to itself.
func (t *matchTable) expand(src string, active map[string]bool) (*ast, *MatchError) {
	if x, ok := t.expansion[src]; ok {
		return x.a, x.err
	}
	if active[src] {
		return nil, errorAt(src, 0, "recursive expansion of %q", src)
	}
	active[src] = true
	defer delete(active, src)
	a, err := parseMatch(src, nil, t.syms)
	if err == nil {
		a, err = t.annotateIn(a, src, active)
	}
	t.expansion[src] = expansion{a, err}
	return a, err
}
