package ovn

import (
	"slices"
)

// smallSet is the size up to which sets are scanned rather than indexed.
const smallSet = 8

// valueSet answers "do bits ofs..ofs+n-1 of a field equal one of these
// masked constants" without a scan: prefixes (a mask of high bits, as in
// 10.0.0.0/8 or a plain address) become merged sorted intervals searched in
// O(log n); other masks are grouped by mask into hash sets.
type valueSet struct {
	ofs    int
	nmask  u128
	list   []constant // small sets
	spans  []span     // sorted, disjoint
	byMask []maskGroup
}

type span struct{ lo, hi u128 }

type maskGroup struct {
	mask u128
	vals map[u128]struct{}
}

func newValueSet(ofs, n int, vals []constant) *valueSet {
	s := &valueSet{ofs: ofs, nmask: ones(n)}
	if len(vals) <= smallSet {
		s.list = vals
		return s
	}
	groups := map[u128]map[u128]struct{}{}
	s.spans = make([]span, 0, len(vals))
	for _, v := range vals {
		free := s.nmask.andNot(v.mask) // the bits the constant leaves open
		if free.trailingOnes() == free.bitLen() {
			s.spans = append(s.spans, span{v.val, v.val.or(free)})
			continue
		}
		if groups[v.mask] == nil {
			groups[v.mask] = map[u128]struct{}{}
		}
		groups[v.mask][v.val] = struct{}{}
	}
	s.spans = mergeSpans(s.spans)
	for m, g := range groups {
		s.byMask = append(s.byMask, maskGroup{m, g})
	}
	slices.SortFunc(s.byMask, func(a, b maskGroup) int { return cmpU128(a.mask, b.mask) })
	return s
}

func cmpU128(a, b u128) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

func mergeSpans(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return cmpU128(a.lo, b.lo) })
	out := spans[:0]
	for _, sp := range spans {
		if n := len(out); n > 0 && !out[n-1].hi.less(sp.lo) {
			if out[n-1].hi.less(sp.hi) {
				out[n-1].hi = sp.hi
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// contains reports whether field value x (the whole field) is in the set.
func (s *valueSet) contains(x u128) bool {
	y := x.shr(s.ofs).and(s.nmask)
	for _, c := range s.list {
		if y.and(c.mask) == c.val {
			return true
		}
	}
	// The last span starting at or below y is the only candidate.
	lo, hi := 0, len(s.spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if y.less(s.spans[m].lo) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	if lo > 0 && !s.spans[lo-1].hi.less(y) {
		return true
	}
	for _, g := range s.byMask {
		if _, ok := g.vals[y.and(g.mask)]; ok {
			return true
		}
	}
	return false
}

// stringSet holds port names: a slice when small, a hash set otherwise.
type stringSet struct {
	list []string
	m    map[string]struct{}
}

func newStringSet(strs []string) *stringSet {
	if len(strs) <= smallSet {
		return &stringSet{list: strs}
	}
	m := make(map[string]struct{}, len(strs))
	for _, s := range strs {
		m[s] = struct{}{}
	}
	return &stringSet{m: m}
}

func (s *stringSet) contains(x string) bool {
	if s.m != nil {
		_, ok := s.m[x]
		return ok
	}
	return slices.Contains(s.list, x)
}

// setCache shares the sets built for one port group or address set among
// the matches that name it: a big group referenced by many ACLs is then
// indexed once. A nil cache builds every set afresh.
type setCache struct {
	strs map[string]*stringSet
	vals map[valueKey]*valueSet
}

type valueKey struct {
	ref    string
	ofs, n int
}

func (sc *setCache) strings(c *cmp) *stringSet {
	if sc == nil || c.ref == "" {
		return newStringSet(c.strs)
	}
	if s := sc.strs[c.ref]; s != nil {
		return s
	}
	if sc.strs == nil {
		sc.strs = map[string]*stringSet{}
	}
	s := newStringSet(c.strs)
	sc.strs[c.ref] = s
	return s
}

func (sc *setCache) values(c *cmp) *valueSet {
	if sc == nil || c.ref == "" {
		return newValueSet(c.ofs, c.n, c.vals)
	}
	k := valueKey{c.ref, c.ofs, c.n}
	if s := sc.vals[k]; s != nil {
		return s
	}
	if sc.vals == nil {
		sc.vals = map[valueKey]*valueSet{}
	}
	s := newValueSet(c.ofs, c.n, c.vals)
	sc.vals[k] = s
	return s
}
