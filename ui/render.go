package ui

import (
	"fmt"
	"strings"

	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/trace"
)

// retrace traces the request again, with the what-ifs in force, and its
// reply; the cursor stays where it was when it still can.
func (a *App) retrace() {
	s := &a.s
	s.err, s.replyErr = "", ""
	s.fwd, s.reply = nil, nil
	fwd, err := a.e.Trace(s.req)
	if err != nil {
		s.err = err.Error()
		a.render()
		return
	}
	s.fwd = fwd
	if s.reply, err = a.e.Reply(fwd); err != nil {
		s.replyErr = err.Error()
	}
	s.clamp()
	a.render()
}

// render redraws every pane from the session.
func (a *App) render() {
	a.renderHops()
	a.renderDetail()
	a.renderStatus()
}

// renderStatus writes the status lines: how the path in view ended, where
// the cursor is and the what-ifs; then the keys to start from and the
// message of the last action.
func (a *App) renderStatus() {
	s := &a.s
	var line string
	if t := s.cur(); t != nil {
		o := dispositionOutcome(t.Disposition)
		line = fmt.Sprintf("[%s::b]%s[-::-] hop %d/%d", o.color.Name(), t.Disposition, s.hop+1, len(t.Hops))
		if what := s.itemText(); what != "" {
			line += " · " + tview.Escape(what)
		}
		if b := s.before(); b != nil && b.Disposition != t.Disposition {
			line = fmt.Sprintf("before %s, now %s", b.Disposition, line)
		}
	}
	if n := len(s.whatifs); n > 0 {
		line += fmt.Sprintf(" · [purple]%d what-if(s)[-]", n)
	}
	a.status.SetText(line + "\n? help · q quit │ " + s.msg)
}

// say puts a message on the status line.
func (a *App) say(format string, args ...any) {
	a.s.msg = tview.Escape(fmt.Sprintf(format, args...))
	a.renderStatus()
}

// itemText names the item under the cursor in a few words: "iptables
// Permitted", or for a rule an iptables step walked through, "chain #n".
func (s *session) itemText() string {
	h, it, ok := s.curItem()
	if !ok {
		return ""
	}
	st := h.Steps[it.step]
	if it.hit >= 0 {
		hit := st.Detail.(*trace.NetfilterDetail).Hits[it.hit]
		return fmt.Sprintf("rule %s #%d", hit.Chain, hit.Num)
	}
	return strings.TrimSpace(trace.StepLabel(st.Kind)) + " " + st.Action.String()
}
