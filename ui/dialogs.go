package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/scenarios/check"
)

// modal shows p centred over the main page until closed.
func (a *App) modal(p tview.Primitive, width, height int) {
	grid := tview.NewGrid().SetColumns(0, width, 0).SetRows(0, height, 0).AddItem(p, 1, 1, 1, 1, 0, 0, true)
	a.pages.AddPage("modal", grid, true, true)
	a.app.SetFocus(p)
}

func (a *App) closeModal() {
	a.pages.RemovePage("modal")
	a.app.SetFocus(a.hops)
}

// showHelp lists the panes and every key.
func (a *App) showHelp() {
	var b strings.Builder
	b.WriteString("[::b]hopscope[::-] traces one packet through " + tview.Escape(a.name) + " and shows every hop.\n\n")
	b.WriteString("[::b]Panes[::-] (Tab / Shift-Tab move between them; the mouse works too)\n")
	b.WriteString("  Topology  hosts, namespaces and their interfaces, OVS bridges and ports, segments\n")
	b.WriteString("  Packet    where it starts and where it goes: an endpoint, host:ns:iface,\n")
	b.WriteString("            host:bridge:port or an IP address; Proto icmp|tcp|udp; Port and Sport\n")
	b.WriteString("            for tcp/udp (a new connection: SYN; its reply SYN+ACK)\n")
	b.WriteString("  Hops      one line per device crossed, coloured by what happened there:\n")
	b.WriteString("            [green]forwarded[-], [darkcyan]transformed[-] (NAT, tunnel), [red]DENIED[-] (a filter), [red]dropped[-]\n")
	b.WriteString("  Detail    the selected hop's steps: what decided each (rule, flow, route)\n")
	b.WriteString("            and where it is written, the fields it changed (before → after),\n")
	b.WriteString("            notes on this kind of hop, the packet as Wireshark decodes it\n")
	b.WriteString("  Status    how the path ended, the what-ifs in force, the last message\n\n")
	b.WriteString("[::b]Keys[::-] (outside text fields; Esc leaves a text field)\n")
	for _, k := range bindings() {
		fmt.Fprintf(&b, "  %s  %s\n", tview.Escape(string(k.key)), tview.Escape(k.what))
	}
	b.WriteString("  ↑/↓ in Hops choose a hop, in Detail a step; Enter on a hop opens its detail\n\n")
	b.WriteString("A what-if changes only hopscope's model, never the network it was read from.\n")
	b.WriteString("\nEsc, q or ? closes this help.")
	tv := tview.NewTextView().SetDynamicColors(true).SetWordWrap(true).SetText(b.String())
	tv.SetBorder(true).SetTitle(" Help ")
	tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyEscape || ev.Rune() == 'q' || ev.Rune() == '?' {
			a.closeModal()
			return nil
		}
		return ev
	})
	a.modal(tv, 84, 40)
}

// showChecks offers the scenario's checks as ready-made packets.
func (a *App) showChecks() {
	if len(a.sc.Checks) == 0 {
		a.say("this scenario has no checks: type a packet instead (e)")
		return
	}
	l := tview.NewList().ShowSecondaryText(true)
	for i, ch := range a.sc.Checks {
		req, _ := check.Request(ch)
		l.AddItem(tview.Escape(ch.Name), tview.Escape(fmt.Sprintf("  %s → %s %s, expect %s", req.From, req.To, protoText(req.Proto, req.DstPort), ch.Expect.Disposition)), shortcut(i), func() {
			a.closeModal()
			a.loadCheck(i)
		})
	}
	l.SetBorder(true).SetTitle(" Checks · Enter traces one · Esc closes ")
	l.SetDoneFunc(a.closeModal)
	a.modal(l, 84, min(2*len(a.sc.Checks)+2, 30))
}

// loadCheck puts check i in the packet form and traces it.
func (a *App) loadCheck(i int) {
	ch := a.sc.Checks[i]
	req, err := check.Request(ch)
	if err != nil {
		a.say("check %q: %v", ch.Name, err)
		return
	}
	a.pf.fill(req)
	a.s.req, a.s.showReply, a.s.path, a.s.hop, a.s.step = req, false, 0, 0, 0
	a.retrace()
	a.say("check: %s", ch.Name)
}

// showSave asks where to save the journey.
func (a *App) showSave() {
	if a.s.cur() == nil {
		a.say("nothing traced to save")
		return
	}
	in := tview.NewInputField().SetLabel("Save as ").SetText("hopscope-trace.json").SetFieldWidth(0)
	in.SetFieldStyle(tcell.StyleDefault.Underline(true))
	in.SetBorder(true).SetTitle(" Save: .json, .txt or .pcap · Enter saves · Esc cancels ")
	in.SetDoneFunc(func(k tcell.Key) {
		a.closeModal()
		if k == tcell.KeyEnter {
			a.save(in.GetText())
		}
	})
	a.modal(in, 70, 3)
}

// shortcut is check i's key in the list: 1-9, then a-z.
func shortcut(i int) rune {
	switch {
	case i < 9:
		return rune('1' + i)
	case i < 9+26:
		return rune('a' + i - 9)
	}
	return 0
}
