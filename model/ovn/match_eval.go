package ovn

import (
	"fmt"
	"slices"
	"strings"
)

// node is the evaluation tree built from an annotated match: && and ||
// flattened, constants folded, repeated prerequisites dropped, and the
// cheap tests of a conjunction first.
type node struct {
	op    evalOp
	field fieldID
	ofs   int  // ordered tests: first bit
	mask  u128 // opEq, opNe: bits tested, in place; ordered: n low bits
	val   u128
	set   *valueSet  // opIn, opNotIn
	strs  *stringSet // opStrIn, opStrNotIn
	kids  []*node    // opAnd, opOr
	key   string     // identity, to drop duplicates
	cost  int        // rough evaluation cost, to order kids
}

// evalOp is what a node tests.
type evalOp uint8

const (
	opFalse evalOp = iota
	opTrue
	opAnd
	opOr
	opEq    // field & mask == val
	opNe    // field & mask != val
	opLt    // field[ofs..] < val, on the selected bits
	opLe    // <=
	opGt    // >
	opGe    // >=
	opIn    // selected bits in set
	opNotIn // selected bits not in set
	opStrIn
	opStrNotIn
)

func (n *node) eval(p *Packet) bool {
	switch n.op {
	case opTrue:
		return true
	case opAnd:
		for _, k := range n.kids {
			if !k.eval(p) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range n.kids {
			if k.eval(p) {
				return true
			}
		}
		return false
	case opEq:
		return load(p, n.field).and(n.mask) == n.val
	case opNe:
		return load(p, n.field).and(n.mask) != n.val
	case opLt:
		return load(p, n.field).shr(n.ofs).and(n.mask).less(n.val)
	case opLe:
		return !n.val.less(load(p, n.field).shr(n.ofs).and(n.mask))
	case opGt:
		return n.val.less(load(p, n.field).shr(n.ofs).and(n.mask))
	case opGe:
		return !load(p, n.field).shr(n.ofs).and(n.mask).less(n.val)
	case opIn:
		return n.set.contains(load(p, n.field))
	case opNotIn:
		return !n.set.contains(load(p, n.field))
	case opStrIn:
		return n.strs.contains(loadString(p, n.field))
	case opStrNotIn:
		return !n.strs.contains(loadString(p, n.field))
	}
	return false
}

// build turns an annotated match into its evaluation tree.
func build(a *ast, sc *setCache) *node {
	switch a.kind {
	case aTrue:
		return &node{op: opTrue, key: "1"}
	case aAnd, aOr:
		return buildAndOr(a, sc)
	case aCmp:
		return buildCmp(a.cmp, sc)
	}
	return &node{op: opFalse, key: "0"}
}

func buildCmp(c *cmp, sc *setCache) *node {
	n := &node{field: c.sym.field, cost: 1}
	switch {
	case c.sym.width == 0:
		n.op, n.strs, n.cost = opStrIn, sc.strings(c), 2
		if c.op == rNe {
			n.op = opStrNotIn
		}
		n.key = fmt.Sprintf("%p", n)
	case (c.op == rEq || c.op == rNe) && len(c.vals) > 1:
		n.op, n.set, n.cost = opIn, sc.values(c), 3
		if c.op == rNe {
			n.op = opNotIn
		}
		n.key = fmt.Sprintf("%p", n)
	case c.op == rEq || c.op == rNe:
		n.op, n.mask, n.val = opEq, c.vals[0].mask.shl(c.ofs), c.vals[0].val.shl(c.ofs)
		if c.op == rNe {
			n.op = opNe
		}
		n.key = fmt.Sprintf("%d %d %x %x", n.op, n.field, n.mask, n.val)
	default:
		n.op = [...]evalOp{rLt: opLt, rLe: opLe, rGt: opGt, rGe: opGe}[c.op]
		n.ofs, n.mask, n.val = c.ofs, ones(c.n), c.vals[0].val
		n.key = fmt.Sprintf("%d %d %d %x %x", n.op, n.field, n.ofs, n.mask, n.val)
	}
	return n
}

// buildAndOr flattens nested && (or ||), folds constants, drops repeats
// (ip4 && ip4.src == X repeats eth.type == 0x800) and absorbed terms
// (A && (A || B) is A: ip4 && tcp makes tcp's "ip4 || ip6" redundant),
// and puts cheap tests first.
func buildAndOr(a *ast, sc *setCache) *node {
	op, unit, zero := opAnd, opTrue, opFalse
	if a.kind == aOr {
		op, unit, zero = opOr, opFalse, opTrue
	}
	var kids []*node
	seen := map[string]bool{}
	var add func(*node) bool
	add = func(k *node) bool {
		switch {
		case k.op == zero:
			return false
		case k.op == unit || seen[k.key]:
		case k.op == op:
			for _, kk := range k.kids {
				if !add(kk) {
					return false
				}
			}
		default:
			seen[k.key] = true
			kids = append(kids, k)
		}
		return true
	}
	for _, k := range a.kids {
		if !add(build(k, sc)) {
			return &node{op: zero, key: fmt.Sprint(int(zero))}
		}
	}
	// Absorption: drop a || (&&) kid that contains a sibling.
	kids = slices.DeleteFunc(kids, func(k *node) bool {
		return k.op != op && (k.op == opAnd || k.op == opOr) &&
			slices.ContainsFunc(k.kids, func(kk *node) bool { return seen[kk.key] })
	})
	switch len(kids) {
	case 0:
		return &node{op: unit, key: fmt.Sprint(int(unit))}
	case 1:
		return kids[0]
	}
	slices.SortStableFunc(kids, func(x, y *node) int { return x.cost - y.cost })
	n := &node{op: op, kids: kids}
	keys := make([]string, len(kids))
	for i, k := range kids {
		keys[i] = k.key
		n.cost += k.cost
	}
	slices.Sort(keys)
	n.key = fmt.Sprintf("%d(%s)", op, strings.Join(keys, ","))
	return n
}
