package ui

import (
	"slices"

	"github.com/hopscope/hopscope/trace"
)

// session is what the UI shows, apart from any widget: the request, its
// traces, the cursor and the what-ifs in force.
type session struct {
	req        trace.Request
	fwd, reply []*trace.Trace
	replyErr   string // why there is no reply trace
	err        string // why the request could not be traced (bad input)
	showReply  bool

	path, hop, step int // the cursor: which path, hop and item (see items)

	whatifs []whatif
	base    *baseline // the traces before the first what-if, to compare with
	msg     string    // what the last action did, for the status line
}

// whatif is one configuration object switched off.
type whatif struct {
	obj  any
	desc string
}

type baseline struct{ fwd, reply []*trace.Trace }

// shown are the paths in view: the forward ones or the reply's.
func (s *session) shown() []*trace.Trace {
	if s.showReply {
		return s.reply
	}
	return s.fwd
}

// cur is the path under the cursor, or nil.
func (s *session) cur() *trace.Trace {
	sh := s.shown()
	if s.path < 0 || s.path >= len(sh) {
		return nil
	}
	return sh[s.path]
}

// before is the path under the cursor as it was before the what-ifs, or
// nil when none are in force.
func (s *session) before() *trace.Trace {
	if s.base == nil {
		return nil
	}
	sh := s.base.fwd
	if s.showReply {
		sh = s.base.reply
	}
	if len(sh) == 0 {
		return nil
	}
	return sh[min(s.path, len(sh)-1)]
}

// item is what the cursor can rest on inside a hop: a step, or one of
// the rules an iptables step walked through (hit >= 0), each of which a
// what-if can switch off.
type item struct{ step, hit int }

// items lists hop h's items in the order the detail pane shows them.
func items(h trace.Hop) []item {
	var out []item
	for i, st := range h.Steps {
		out = append(out, item{i, -1})
		if d, ok := st.Detail.(*trace.NetfilterDetail); ok && len(d.Hits) > 1 {
			for j := range d.Hits {
				out = append(out, item{i, j})
			}
		}
	}
	return out
}

// curItem is the item under the cursor; ok is false when there is none.
func (s *session) curItem() (trace.Hop, item, bool) {
	t := s.cur()
	if t == nil || s.hop >= len(t.Hops) {
		return trace.Hop{}, item{}, false
	}
	h := t.Hops[s.hop]
	its := items(h)
	if s.step < 0 || s.step >= len(its) {
		return h, item{}, false
	}
	return h, its[s.step], true
}

// curStep is the step under the cursor (the step a rule under the cursor
// belongs to), or nil.
func (s *session) curStep() *trace.Step {
	h, it, ok := s.curItem()
	if !ok {
		return nil
	}
	return &h.Steps[it.step]
}

// curObject is the configuration object under the cursor: a step's, or
// an iptables rule the step walked through; nil when there is none.
func (s *session) curObject() any {
	h, it, ok := s.curItem()
	if !ok {
		return nil
	}
	st := h.Steps[it.step]
	if it.hit >= 0 {
		return st.Detail.(*trace.NetfilterDetail).Hits[it.hit].Object
	}
	return st.Object
}

// clamp keeps the cursor on an existing path, hop and item.
func (s *session) clamp() {
	sh := s.shown()
	s.path = max(0, min(s.path, len(sh)-1))
	t := s.cur()
	if t == nil {
		s.hop, s.step = 0, 0
		return
	}
	s.hop = max(0, min(s.hop, len(t.Hops)-1))
	s.step = max(0, min(s.step, len(items(t.Hops[s.hop]))-1))
}

// moveStep moves the cursor by d items, across hops at either end.
func (s *session) moveStep(d int) {
	t := s.cur()
	if t == nil {
		return
	}
	s.step += d
	for s.step < 0 && s.hop > 0 {
		s.hop--
		s.step += len(items(t.Hops[s.hop]))
	}
	for s.hop < len(t.Hops)-1 && s.step >= len(items(t.Hops[s.hop])) {
		s.step -= len(items(t.Hops[s.hop]))
		s.hop++
	}
	s.clamp()
}

// jump puts the cursor on the first step, from the start of the path,
// that has one of the actions; it says whether there was one.
func (s *session) jump(actions ...trace.StepAction) bool {
	t := s.cur()
	if t == nil {
		return false
	}
	for i, h := range t.Hops {
		for j, it := range items(h) {
			if it.hit < 0 && slices.Contains(actions, h.Steps[it.step].Action) {
				s.hop, s.step = i, j
				return true
			}
		}
	}
	return false
}

// firstDiff is the first hop where the path before the what-ifs and the
// path now differ (device or outcome), or -1 when they are the same.
func firstDiff(before, after *trace.Trace) int {
	if before == nil || after == nil {
		return -1
	}
	n := max(len(before.Hops), len(after.Hops))
	for i := 0; i < n; i++ {
		if i >= len(before.Hops) || i >= len(after.Hops) {
			return i
		}
		b, a := before.Hops[i], after.Hops[i]
		if b.Node != a.Node || hopOutcome(before, i).word != hopOutcome(after, i).word {
			return i
		}
	}
	if before.Disposition != after.Disposition {
		return n - 1
	}
	return -1
}
