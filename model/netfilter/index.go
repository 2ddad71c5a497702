package netfilter

import "net/netip"

// A chain's index files each rule under one exact value it requires of the
// packet (a physdev port, an interface, a /32 address), so a walk looks at
// the rules filed under the packet's values plus the unfiled ones, in rule
// order, instead of every rule. Neutron's per-port dispatch chains have
// thousands of rules that differ only in such a value.

// indexKind is which packet field a rule is filed under.
type indexKind uint8

const (
	kindPhysIn indexKind = iota
	kindPhysOut
	kindIn
	kindOut
	kindSrc
	kindDst
	numKinds
)

type indexKey struct {
	kind indexKind
	name string
	addr netip.Addr
}

type chainIndex struct {
	kinds []indexKind // kinds some rule is filed under
	byKey map[indexKey][]int32
	rest  []int32 // rules filed under nothing, in order
}

// minIndexed is the chain length below which a scan is as fast.
const minIndexed = 16

// ruleKeys lists the exact values rule r requires, one per kind at most.
// It stops at the first match that might be Unsupported: a rule skipped for
// a later key must not hide an earlier Unsupported from the walk.
func ruleKeys(r *Rule) (keys [numKinds]indexKey, have uint8) {
	set := func(k indexKind, key indexKey) {
		if have&(1<<k) == 0 {
			key.kind = k
			keys[k], have = key, have|1<<k
		}
	}
	for _, m := range r.Matches {
		switch m := m.(type) {
		case *Physdev:
			if !m.Invert && (m.Opt == PhysdevIn || m.Opt == PhysdevOut) && exactName(m.Name) {
				set(kindPhysIn+indexKind(m.Opt), indexKey{name: m.Name})
			}
		case *Iface:
			if !m.Invert && exactName(m.Name) {
				k := kindIn
				if m.Out {
					k = kindOut
				}
				set(k, indexKey{name: m.Name})
			}
		case *Addr:
			if !m.Invert && m.Prefix.Bits() == 32 {
				set(kindSrc+indexKind(m.Dir), indexKey{addr: m.Prefix.Addr()})
			}
		case *Unsupported, *SetMatch:
			return keys, have
		}
	}
	return keys, have
}

func exactName(s string) bool { return s != "" && s[len(s)-1] != '+' }

// buildIndex files each rule under the kind most rules of the chain carry,
// among the kinds it carries; nil when indexing would not pay.
func buildIndex(c *Chain) *chainIndex {
	if len(c.Rules) < minIndexed {
		return nil
	}
	var count [numKinds]int
	for _, r := range c.Rules {
		_, have := ruleKeys(r)
		for k := range numKinds {
			if have&(1<<k) != 0 {
				count[k]++
			}
		}
	}
	idx := &chainIndex{byKey: map[indexKey][]int32{}}
	var used [numKinds]bool
	for i, r := range c.Rules {
		keys, have := ruleKeys(r)
		best := -1
		for k := range int(numKinds) {
			if have&(1<<k) != 0 && (best < 0 || count[k] > count[best]) {
				best = k
			}
		}
		if best < 0 {
			idx.rest = append(idx.rest, int32(i))
			continue
		}
		idx.byKey[keys[best]] = append(idx.byKey[keys[best]], int32(i))
		used[best] = true
	}
	if len(idx.rest) == len(c.Rules) {
		return nil
	}
	for k, u := range used {
		if u {
			idx.kinds = append(idx.kinds, indexKind(k))
		}
	}
	return idx
}

// packetKey is the packet's value for kind; ok is false when it has none,
// and then no rule filed under that kind can match.
func packetKey(k indexKind, p *Packet) (indexKey, bool) {
	switch k {
	case kindPhysIn:
		return indexKey{kind: k, name: p.PhysIn}, p.PhysIn != ""
	case kindPhysOut:
		return indexKey{kind: k, name: p.PhysOut}, p.PhysOut != ""
	case kindIn:
		return indexKey{kind: k, name: p.In}, p.In != ""
	case kindOut:
		return indexKey{kind: k, name: p.Out}, p.Out != ""
	case kindSrc:
		return indexKey{kind: k, addr: p.Src}, p.Src.IsValid()
	}
	return indexKey{kind: k, addr: p.Dst}, p.Dst.IsValid()
}

// cursor yields the positions of a chain's candidate rules in order: every
// rule when the chain has no index, else a merge of the packet's lists.
type cursor struct {
	n       int // rules in the chain, for the scan
	pos     int
	indexed bool
	lists   [numKinds + 1][]int32
	nlists  int
}

func (c *cursor) reset(ch *Chain, p *Packet, useIndex bool) {
	*c = cursor{n: len(ch.Rules)}
	idx := ch.index
	if !useIndex || idx == nil {
		return
	}
	c.indexed = true
	c.lists[0] = idx.rest
	c.nlists = 1
	for _, k := range idx.kinds {
		if key, ok := packetKey(k, p); ok {
			if l := idx.byKey[key]; len(l) > 0 {
				c.lists[c.nlists] = l
				c.nlists++
			}
		}
	}
}

// next returns the next candidate position, or -1 at the end.
func (c *cursor) next() int {
	if !c.indexed {
		if c.pos >= c.n {
			return -1
		}
		c.pos++
		return c.pos - 1
	}
	best := -1
	for k := 0; k < c.nlists; k++ {
		if len(c.lists[k]) > 0 && (best < 0 || c.lists[k][0] < c.lists[best][0]) {
			best = k
		}
	}
	if best < 0 {
		return -1
	}
	v := c.lists[best][0]
	c.lists[best] = c.lists[best][1:]
	return int(v)
}
