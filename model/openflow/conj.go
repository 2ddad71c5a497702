package openflow

import "slices"

// conjunction resolves conjunctive matches as OVS's classifier does
// (classifier_lookup__; ovs-fields(7) conj_id, ovs-ofctl(8) conjunction).
// The clauses above the best ordinary match are taken one priority level at
// a time, highest first. At a level, conjunction ID is complete when every
// clause 1..n of it has a matching flow at that level; the table is then
// looked up again with conj_id=ID, clauses ignored, and what that finds is
// the result. When no conjunction at a level yields a flow, each of its
// clauses gives way to the next flow of its group (same match, lower
// priority), which may be an ordinary flow that now wins. Clauses at
// different priorities never combine.
func (t *table) conjunction(s *State, r *scan) (Result, bool) {
	hardPri := -1
	if r.hard != nil {
		hardPri = r.hard.pri
	}
	soft := r.clauses
	for {
		soft = slices.DeleteFunc(soft, func(c clauseRef) bool { return c.entry().pri <= hardPri })
		if len(soft) == 0 {
			return Result{}, false
		}
		level := -1
		for _, c := range soft {
			level = max(level, c.entry().pri)
		}
		var at []clauseRef
		for _, c := range soft {
			if c.entry().pri == level {
				at = append(at, c)
			}
		}
		slices.SortFunc(at, func(a, b clauseRef) int { return a.entry().seq - b.entry().seq })
		if res, ok := t.completeAt(s, r, at, level); ok {
			return res, true
		}
		// Nothing at this level: its clauses give way to the flows below them.
		var next []clauseRef
		for _, c := range soft {
			if c.entry().pri != level {
				next = append(next, c)
				continue
			}
			i := c.g.live(c.i + 1)
			if i < 0 {
				continue
			}
			c.i = i
			switch e := c.entry(); e.kind {
			case entryClause:
				next = append(next, c)
			case entryHard:
				if e.pri > hardPri || e.pri == hardPri && e.seq < r.hard.seq {
					r.hard, r.tie, hardPri = e, false, e.pri
				}
			}
		}
		soft = next
	}
}

// completeAt feeds the clauses of one level, in input order, to their
// conjunctions; when one completes, the table is looked up with its conj_id.
func (t *table) completeAt(s *State, r *scan, at []clauseRef, level int) (Result, bool) {
	type progress struct {
		id   uint32
		n    uint8
		seen uint64
	}
	var stack [16]progress
	got := stack[:0]
	for _, c := range at {
		for _, a := range c.entry().flow.Actions {
			cj := a.Conj
			if int(cj.NClauses) > len(at) {
				continue // cannot complete with this few clauses
			}
			i := 0
			for i < len(got) && got[i].id != cj.ID {
				i++
			}
			if i == len(got) {
				got = append(got, progress{id: cj.ID, n: cj.NClauses})
			}
			p := &got[i]
			if cj.NClauses != p.n {
				continue // inconsistent clause counts: OVS refuses such flows
			}
			p.seen |= 1 << (cj.Clause - 1)
			if p.seen != widthMask(int(p.n)) {
				continue
			}
			if res, ok := t.conjFlow(s, r, at, level, cj.ID); ok {
				return res, true
			}
			break // as OVS: this clause's later conjunctions are not counted
		}
	}
	return Result{}, false
}

// conjFlow looks the table up again with conj_id=id.
func (t *table) conjFlow(s *State, r *scan, at []clauseRef, level int, id uint32) (Result, bool) {
	saved := s.ConjID
	s.ConjID = id
	inner := t.scan(s, false)
	s.ConjID = saved
	if inner.hard == nil {
		return Result{}, false
	}
	res := Result{Flow: inner.hard.flow, Tie: inner.tie}
	if inner.hard.flow.term(ConjID) != nil {
		for _, c := range at {
			for _, a := range c.entry().flow.Actions {
				if a.Conj.ID == id {
					res.Clauses = append(res.Clauses, c.entry().flow)
					break
				}
			}
		}
	}
	res.Unknown = unknownAbove(r.unknown, level)
	if u := unknownAbove(inner.unknown, inner.hard.pri); u != nil && (res.Unknown == nil || u.Priority > res.Unknown.Priority) {
		res.Unknown = u
	}
	return res, true
}
