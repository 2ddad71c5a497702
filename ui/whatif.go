package ui

import (
	"slices"

	"github.com/hopscope/hopscope/trace"
)

// toggleWhatif switches off (or back on) the configuration object behind
// the step under the cursor and traces again; the first what-if keeps
// the traces as they were, to show beside the new ones.
func (a *App) toggleWhatif() {
	st := a.s.curStep()
	if st == nil {
		a.say("no step under the cursor: choose a hop, then a step with [ and ]")
		return
	}
	obj := a.s.curObject()
	if obj == nil {
		a.say("nothing here to switch off (a rule, flow, route or port): move with [ and ]")
		return
	}
	if a.s.base == nil {
		a.s.base = &baseline{fwd: a.s.fwd, reply: a.s.reply}
	}
	what, err := a.e.Toggle(obj)
	if err != nil {
		a.say("what-if: %v", err)
		return
	}
	if i := slices.IndexFunc(a.s.whatifs, func(w whatif) bool { return w.obj == obj }); i >= 0 {
		a.s.whatifs = slices.Delete(a.s.whatifs, i, i+1)
	} else {
		a.s.whatifs = append(a.s.whatifs, whatif{obj: obj, desc: trace.Describe(obj)})
	}
	if len(a.s.whatifs) == 0 {
		a.s.base = nil
	}
	a.retrace()
	a.jumpToDiff()
	a.say("%s", what)
}

// jumpToDiff puts the cursor on the first hop where the paths before and
// after the what-ifs part.
func (a *App) jumpToDiff() {
	if i := firstDiff(a.s.before(), a.s.cur()); i >= 0 {
		if t := a.s.cur(); i < len(t.Hops) {
			a.s.hop, a.s.step = i, 0
		}
	}
	a.render()
}

// resetWhatifs switches every what-if back on.
func (a *App) resetWhatifs() {
	if len(a.s.whatifs) == 0 {
		a.say("no what-ifs in force")
		return
	}
	for _, w := range slices.Backward(a.s.whatifs) {
		if trace.IsOff(w.obj) {
			if _, err := a.e.Toggle(w.obj); err != nil {
				a.say("undoing %s: %v", w.desc, err)
				return
			}
		}
	}
	n := len(a.s.whatifs)
	a.s.whatifs, a.s.base = nil, nil
	a.retrace()
	a.say("%d what-if(s) undone", n)
}
