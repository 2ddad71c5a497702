package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/trace"
)

// binding is one key outside the text fields; the help screen lists them
// in this order.
type binding struct {
	key  rune
	what string
	do   func(a *App)
}

// bindings is a function, not a table, because the help it lists is one
// of its actions.
func bindings() []binding {
	return []binding{
		{'?', "this help (F1 works in text fields too)", (*App).showHelp},
		{'c', "pick one of the scenario's checks: a ready-made packet", (*App).showChecks},
		{'e', "edit the packet: From, To, Proto, Port; Enter traces it", func(a *App) { a.app.SetFocus(a.pf.from) }},
		{'/', "filter the topology", func(a *App) { a.app.SetFocus(a.filter) }},
		{'f', "the topology node under the cursor becomes the packet's From", func(a *App) { a.pickEndpoint(false) }},
		{'t', "... or its To", func(a *App) { a.pickEndpoint(true) }},
		{'n', "next hop", func(a *App) { a.moveHop(1) }},
		{'p', "previous hop", func(a *App) { a.moveHop(-1) }},
		{']', "next step (the detail pane highlights it)", func(a *App) { a.s.moveStep(1); a.render() }},
		{'[', "previous step", func(a *App) { a.s.moveStep(-1); a.render() }},
		{'d', "jump to the first step that denied or dropped the packet", (*App).jumpDrop},
		{'x', "jump to the first step that rewrote it (NAT, encapsulation)", (*App).jumpRewrite},
		{'b', "next path, when the packet flooded or took equal-cost routes", (*App).nextPath},
		{'r', "show the reply (the answer traced back), or the forward path again", (*App).flipReply},
		{'w', "what-if: switch off the rule, flow, route or port of the step under the cursor, and trace again", (*App).toggleWhatif},
		{'W', "undo every what-if", (*App).resetWhatifs},
		{'s', "save the journey: .json, .txt, or .pcap (the packet at every hop)", (*App).showSave},
		{'q', "quit", func(a *App) { a.app.Stop() }},
	}
}

// keys handles the keys that act anywhere; text fields keep theirs.
func (a *App) keys(ev *tcell.EventKey) *tcell.EventKey {
	if a.pages.HasPage("modal") {
		return ev // a dialog has the keyboard
	}
	switch ev.Key() {
	case tcell.KeyF1:
		a.showHelp()
		return nil
	case tcell.KeyTab:
		a.focusNext(1)
		return nil
	case tcell.KeyBacktab:
		a.focusNext(-1)
		return nil
	}
	if _, typing := a.app.GetFocus().(*tview.InputField); typing {
		if ev.Key() == tcell.KeyEscape {
			a.app.SetFocus(a.hops)
			return nil
		}
		return ev
	}
	a.s.msg = "" // a message answers one key
	if ev.Key() == tcell.KeyRune {
		for _, b := range bindings() {
			if b.key == ev.Rune() {
				b.do(a)
				return nil
			}
		}
	}
	if a.detail.HasFocus() {
		switch ev.Key() {
		case tcell.KeyDown:
			a.s.moveStep(1)
			a.render()
			return nil
		case tcell.KeyUp:
			a.s.moveStep(-1)
			a.render()
			return nil
		}
	}
	return ev
}

func (a *App) moveHop(d int) {
	a.s.hop += d
	a.s.step = 0
	a.s.clamp()
	a.render()
}

func (a *App) jumpDrop() {
	if !a.s.jump(trace.DeniedAction, trace.DroppedAction, trace.NoRouteAction, trace.Failed, trace.UnsupportedAction) {
		a.say("nothing on this path denied or dropped the packet")
		return
	}
	a.render()
}

func (a *App) jumpRewrite() {
	if !a.s.jump(trace.Transformed, trace.Encapsulated, trace.Decapsulated) {
		a.say("nothing on this path rewrote the packet")
		return
	}
	a.render()
}

func (a *App) nextPath() {
	n := len(a.s.shown())
	if n < 2 {
		a.say("this packet took one path only")
		return
	}
	a.s.path = (a.s.path + 1) % n
	a.s.hop, a.s.step = 0, 0
	if t := a.s.cur(); t != nil && len(t.Branch) > 0 {
		a.s.msg = tview.Escape("path: " + t.Branch[len(t.Branch)-1])
	}
	a.render()
}

func (a *App) flipReply() {
	if !a.s.showReply && a.s.replyErr != "" {
		a.say("no reply: %s", a.s.replyErr)
		return
	}
	a.s.showReply = !a.s.showReply
	a.s.path, a.s.hop, a.s.step = 0, 0, 0
	a.s.msg = ""
	a.render()
}
