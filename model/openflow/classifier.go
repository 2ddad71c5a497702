package openflow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Flows are a bridge's tables, indexed for lookup. Lookups may run
// concurrently; Add and ResolvePorts may not run alongside anything else. A packet enters table 0;
// actions move it on:
//
//	in_port --> table 0 --goto_table:N / resubmit(,N)--> table N --> ... --> output:P
//	               ^                                        |
//	               +---- ct(table=M): after conntrack, -----+
//	                     the packet continues in table M
//
// Each table is a tuple-space-search classifier, as in OVS: flows are grouped
// into subtables by their mask set (which fields, with which masks); a
// subtable hashes the masked values to the flows that have them, sorted by
// priority. Lookup visits subtables in descending order of their highest
// priority and stops when none left can beat the best match found.
type Flows struct {
	all    []*Flow
	tables [256]*table
}

// Result is what Lookup found in one table.
type Result struct {
	Flow *Flow // the flow that applies; nil when none does (a table miss)
	// Unknown is a flow of at least Flow's priority whose known terms match
	// but which has Unknown terms: it might apply instead, and the tracer says
	// UNSUPPORTED and names it.
	Unknown *Flow
	// Tie reports another flow of Flow's priority that matches too: OVS's
	// choice is then undefined; Flow is the first in input order.
	Tie bool
	// Clauses are the conjunction clauses that made Flow's conj_id match,
	// in input order; nil unless Flow matches on conj_id.
	Clauses []*Flow
}

type table struct {
	subtables []*subtable // by descending maxPri
	byMask    map[string]*subtable
}

type subtable struct {
	fields []Field  // ascending
	masks  []uint64 // one per field
	maxPri int
	// buckets hashes the masked values to the groups that have them (more
	// than one only on a hash collision), by descending head priority.
	buckets map[uint64][]*group
}

// group is the flows with one identical match, by descending priority then
// input order. As in OVS, a lookup sees only its head: a clause at the head
// hides the flows below it until its conjunctions fail (see conj.go).
type group struct {
	vals    []uint64 // masked values, in subtable field order
	unknown []string // the flows' Unknown terms, part of the match
	entries []*entry
}

// entryKind is how the classifier treats a flow.
type entryKind uint8

const (
	entryHard    entryKind = iota // an ordinary flow
	entryClause                   // a conjunction clause: counts only through its conjunctions
	entryUnknown                  // has terms the model does not evaluate: might match
)

type entry struct {
	flow *Flow
	pri  int
	seq  int // position in All
	kind entryKind
}

// NewFlows indexes flows, keeping them all (even ones with the same match).
func NewFlows(flows []*Flow) *Flows {
	fl := &Flows{}
	for _, f := range flows {
		fl.all = append(fl.all, f)
		fl.index(f, len(fl.all)-1, false)
	}
	for _, t := range fl.tables {
		if t != nil {
			t.sort()
		}
	}
	return fl
}

// All returns the flows in input order (learned flows last).
func (fl *Flows) All() []*Flow { return fl.all }

// Add installs a flow, as learn does: it replaces a flow with the same table,
// priority and match, or else is added after the others.
func (fl *Flows) Add(f *Flow) {
	if old := fl.index(f, len(fl.all), true); old >= 0 {
		fl.all[old] = f
		return
	}
	fl.all = append(fl.all, f)
	if t := fl.tables[f.Table]; t != nil {
		t.sort()
	}
}

// ResolvePorts gives port numbers to ports written by name (--names output)
// in matches and actions. A name not in ofport is an error naming the flow's
// line; the other names are still resolved.
func (fl *Flows) ResolvePorts(ofport map[string]uint32) error {
	var errs []error
	var names []string
	for n := range ofport {
		names = append(names, n)
	}
	slices.Sort(names)
	resolve := func(f *Flow, name string) uint32 {
		p, ok := ofport[name]
		if !ok {
			errs = append(errs, &ParseError{Line: f.Line, Col: strings.Index(f.Text, name) + 1,
				Msg: fmt.Sprintf("unknown port %q: want one of the bridge's ports (%s)", name, strings.Join(names, ", "))})
		}
		return p
	}
	var fix func(f *Flow, acts []Action)
	fix = func(f *Flow, acts []Action) {
		for i := range acts {
			a := &acts[i]
			if a.PortName != "" {
				p := resolve(f, a.PortName)
				if a.Kind == SetField {
					a.Value = uint64(p) // set_field:"tap1"->in_port
				} else {
					a.Port = p
				}
			}
			if a.CT != nil {
				fix(f, a.CT.Exec)
			}
			fix(f, a.Nested)
		}
	}
	for _, f := range fl.all {
		for i := range f.Match {
			if m := &f.Match[i]; m.PortName != "" {
				m.Value = uint64(resolve(f, m.PortName)) & m.Mask
			}
		}
		fix(f, f.Actions)
	}
	fl.reindex()
	return errors.Join(errs...)
}

// reindex rebuilds every table's index after matches changed in place.
func (fl *Flows) reindex() {
	fl.tables = [256]*table{}
	for i, f := range fl.all {
		fl.index(f, i, false)
	}
	for _, t := range fl.tables {
		if t != nil {
			t.sort()
		}
	}
}

// flowKey is a flow's match merged per field, sorted by field.
type flowKey struct {
	fields []Field
	masks  []uint64
	vals   []uint64
}

// key merges the flow's terms; ok is false when two terms on one field
// contradict each other, so that the flow can never match.
func (f *Flow) key() (k flowKey, unknown, ok bool) {
	for i := range f.Match {
		m := f.Match[i]
		if m.unresolved() {
			unknown = true
			continue
		}
		if m.Mask == 0 {
			continue
		}
		j, found := slices.BinarySearch(k.fields, m.Field)
		if found {
			both := k.masks[j] & m.Mask
			if k.vals[j]&both != m.Value&both {
				return k, unknown, false
			}
			k.masks[j] |= m.Mask
			k.vals[j] |= m.Value & m.Mask
			continue
		}
		k.fields = slices.Insert(k.fields, j, m.Field)
		k.masks = slices.Insert(k.masks, j, m.Mask)
		k.vals = slices.Insert(k.vals, j, m.Value&m.Mask)
	}
	return k, unknown || len(f.Unknown) > 0, true
}

// signature names a mask set.
func (k flowKey) signature() string {
	b := make([]byte, 0, 10*len(k.fields))
	for i, f := range k.fields {
		b = binary.LittleEndian.AppendUint16(b, uint16(f))
		b = binary.LittleEndian.AppendUint64(b, k.masks[i])
	}
	return string(b)
}

// index adds f at position seq. With replace, a flow with the same
// priority and match is replaced instead, and its position returned;
// otherwise the result is -1.
func (fl *Flows) index(f *Flow, seq int, replace bool) int {
	k, unknown, ok := f.key()
	if !ok {
		return -1 // contradictory terms: it never matches
	}
	t := fl.tables[f.Table]
	if t == nil {
		t = &table{byMask: map[string]*subtable{}}
		fl.tables[f.Table] = t
	}
	sig := k.signature()
	st := t.byMask[sig]
	if st == nil {
		st = &subtable{fields: k.fields, masks: k.masks, maxPri: -1, buckets: map[uint64][]*group{}}
		t.byMask[sig] = st
		t.subtables = append(t.subtables, st)
	}
	e := &entry{flow: f, pri: int(f.Priority), seq: seq}
	switch {
	case unknown:
		e.kind = entryUnknown
	case f.isClause():
		e.kind = entryClause
	}
	h := hashVals(k.vals)
	bucket := st.buckets[h]
	var g *group
	for _, c := range bucket {
		if slices.Equal(c.vals, k.vals) && slices.Equal(c.unknown, f.Unknown) {
			g = c
			break
		}
	}
	if g == nil {
		g = &group{vals: k.vals, unknown: f.Unknown}
		bucket = append(bucket, g)
	}
	if replace {
		for _, old := range g.entries {
			if old.pri == e.pri {
				old.flow, old.kind = f, e.kind
				return old.seq
			}
		}
	}
	i, _ := slices.BinarySearchFunc(g.entries, e, func(a, b *entry) int {
		if a.pri != b.pri {
			return b.pri - a.pri
		}
		return a.seq - b.seq
	})
	g.entries = slices.Insert(g.entries, i, e)
	slices.SortStableFunc(bucket, func(a, b *group) int { return b.entries[0].pri - a.entries[0].pri })
	st.buckets[h] = bucket
	st.maxPri = max(st.maxPri, e.pri)
	return -1
}

func (t *table) sort() {
	slices.SortStableFunc(t.subtables, func(a, b *subtable) int { return b.maxPri - a.maxPri })
}

// hashVals mixes masked values into a bucket key.
func hashVals(vals []uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, v := range vals {
		h ^= v
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	return h
}

// maxKeyFields bounds the stack buffer a lookup uses per subtable.
const maxKeyFields = 32

// scan is one pass over a table, as OVS's classifier makes it: the best
// ordinary flow, whether another ties with it, the best flow of unknown
// outcome, and (withClauses) the clauses at the head of their group that
// could beat the ordinary flow. Only a group's head (its first flow not
// switched off) counts.
type scan struct {
	hard, unknown *entry
	tie           bool
	clauses       []clauseRef
}

// clauseRef is a clause at position i of its group.
type clauseRef struct {
	g *group
	i int
}

func (r clauseRef) entry() *entry { return r.g.entries[r.i] }

// live is the position of the group's first flow from i on that is not
// Disabled, or -1: a switched-off flow is skipped as if deleted, so the
// one below it becomes the head.
func (g *group) live(i int) int {
	for ; i < len(g.entries); i++ {
		if !g.entries[i].flow.Disabled {
			return i
		}
	}
	return -1
}

func (t *table) scan(s *State, withClauses bool) scan {
	var r scan
	var buf [maxKeyFields]uint64
	for _, st := range t.subtables {
		if r.hard != nil && st.maxPri < r.hard.pri {
			break
		}
		vals := buf[:0]
		if len(st.fields) > maxKeyFields {
			vals = make([]uint64, 0, len(st.fields))
		}
		h := uint64(0x9e3779b97f4a7c15)
		for i, f := range st.fields {
			v := s.Get(f) & st.masks[i]
			vals = append(vals, v)
			h ^= v
			h *= 0xbf58476d1ce4e5b9
			h ^= h >> 31
		}
		for _, g := range st.buckets[h] {
			if r.hard != nil && g.entries[0].pri < r.hard.pri {
				break
			}
			if !slices.Equal(g.vals, vals) {
				continue // a hash collision
			}
			i := g.live(0)
			if i < 0 {
				continue
			}
			head := g.entries[i]
			if r.hard != nil && head.pri < r.hard.pri {
				continue
			}
			switch head.kind {
			case entryHard:
				r.considerHard(head)
				// Duplicates of the head (same match and priority) tie with it.
				for _, e := range g.entries[i+1:] {
					if e.pri != head.pri {
						break
					}
					if !e.flow.Disabled {
						r.considerHard(e)
					}
				}
			case entryClause:
				if withClauses {
					r.clauses = append(r.clauses, clauseRef{g, i})
				}
			case entryUnknown:
				r.considerUnknown(head)
			}
		}
	}
	return r
}

func (r *scan) considerHard(e *entry) {
	switch {
	case r.hard == nil || e.pri > r.hard.pri:
		r.hard, r.tie = e, false
	case e.pri == r.hard.pri && e != r.hard:
		r.tie = true
		if e.seq < r.hard.seq {
			r.hard = e
		}
	}
}

func (r *scan) considerUnknown(e *entry) {
	if r.unknown == nil || e.pri > r.unknown.pri || e.pri == r.unknown.pri && e.seq < r.unknown.seq {
		r.unknown = e
	}
}

// Lookup is OVS's classifier: the highest-priority flow of the table whose
// match holds for s, with conjunctive matches resolved (see conj.go). Among
// equal priorities OVS's choice is undefined; Lookup picks the first in
// input order and reports Tie. s is left as it was (conj_id is set only
// while the conjunction's flow is looked up, as in OVS). Disabled flows,
// clauses and conjunction flows alike, are skipped as if deleted.
func (fl *Flows) Lookup(table uint8, s *State) Result {
	t := fl.tables[table]
	if t == nil {
		return Result{}
	}
	r := t.scan(s, true)
	if len(r.clauses) > 0 {
		if res, ok := t.conjunction(s, &r); ok {
			return res
		}
	}
	res := Result{Tie: r.tie}
	pri := -1
	if r.hard != nil {
		res.Flow, pri = r.hard.flow, r.hard.pri
	}
	res.Unknown = unknownAbove(r.unknown, pri)
	return res
}

// String names the outcome compactly: "line 12: table=0, priority=1, ...",
// with the tie, the unknown flow and the clauses when there are any.
func (r Result) String() string {
	if r.Flow == nil && r.Unknown == nil {
		return "no match"
	}
	var b strings.Builder
	if r.Flow == nil {
		b.WriteString("no match")
	} else {
		fmt.Fprintf(&b, "line %d: %s", r.Flow.Line, r.Flow)
	}
	if r.Tie {
		b.WriteString(" (tie)")
	}
	for _, c := range r.Clauses {
		fmt.Fprintf(&b, "; clause line %d", c.Line)
	}
	if r.Unknown != nil {
		fmt.Fprintf(&b, "; might match instead: line %d: %s", r.Unknown.Line, r.Unknown)
	}
	return b.String()
}

// unknownAbove is e's flow when its priority is at least pri.
func unknownAbove(e *entry, pri int) *Flow {
	if e == nil || e.pri < pri {
		return nil
	}
	return e.flow
}
