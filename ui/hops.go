package ui

import (
	"fmt"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/trace"
)

func (a *App) buildHops() {
	a.hops = tview.NewTable().SetSelectable(true, false).SetFixed(1, 0)
	a.hops.SetBorder(true)
	a.hops.SetSelectedStyle(tcell.StyleDefault.Reverse(true))
	a.hops.SetSelectionChangedFunc(func(row, _ int) {
		if a.rendering || row < 1 {
			return
		}
		a.s.hop, a.s.step = row-1, 0
		a.s.clamp()
		a.renderDetail()
		a.renderStatus()
	})
	a.hops.SetSelectedFunc(func(int, int) { a.app.SetFocus(a.detail) })
}

// renderHops fills the hop list: one row per hop with its device and
// outcome; with what-ifs in force, the path before them beside the path
// now, the first hop where they part marked.
func (a *App) renderHops() {
	a.rendering = true
	defer func() { a.rendering = false }()
	t := a.hops
	t.Clear()
	dir := "forward"
	if a.s.showReply {
		dir = "reply"
	}
	paths := a.s.shown()
	title := fmt.Sprintf(" Hops, %s", dir)
	if len(paths) > 1 {
		title += fmt.Sprintf(", path %d of %d", a.s.path+1, len(paths))
	}
	t.SetTitle(title + "  n p d x b r ").SetTitleAlign(tview.AlignLeft)
	cur := a.s.cur()
	if cur == nil {
		t.SetCell(0, 0, tview.NewTableCell(tview.Escape(a.noTraceText())).SetSelectable(false))
		return
	}
	before := a.s.before()
	if before == nil {
		header(t, "#", "outcome", "device")
		for i, h := range cur.Hops {
			t.SetCell(i+1, 0, tview.NewTableCell(fmt.Sprintf("%2d", i+1)))
			t.SetCell(i+1, 1, outcomeCell(cur, i))
			t.SetCell(i+1, 2, tview.NewTableCell(nodeText(h.Node)).SetExpansion(1))
		}
	} else {
		diff := firstDiff(before, cur)
		header(t, "#", "before what-ifs", "now", "device")
		n := max(len(before.Hops), len(cur.Hops))
		for i := 0; i < n; i++ {
			mark := fmt.Sprintf("%2d", i+1)
			if i == diff {
				mark = "≠" + mark[1:]
			}
			t.SetCell(i+1, 0, tview.NewTableCell(mark))
			t.SetCell(i+1, 1, outcomeCell(before, i))
			t.SetCell(i+1, 2, outcomeCell(cur, i))
			t.SetCell(i+1, 3, tview.NewTableCell(bothNodes(before, cur, i)).SetExpansion(1))
			if i == diff {
				for c := 0; c < 4; c++ {
					t.GetCell(i+1, c).SetAttributes(tcell.AttrBold | tcell.AttrUnderline)
				}
			}
		}
	}
	t.Select(a.s.hop+1, 0)
}

// outcomeCell is hop i's outcome on path tr, blank past its end.
func outcomeCell(tr *trace.Trace, i int) *tview.TableCell {
	if i >= len(tr.Hops) {
		return tview.NewTableCell("")
	}
	o := hopOutcome(tr, i)
	return tview.NewTableCell(o.word).SetTextColor(o.color)
}

// bothNodes names hop i's device on the paths before and now: once when
// they agree.
func bothNodes(before, now *trace.Trace, i int) string {
	switch {
	case i >= len(now.Hops):
		return nodeText(before.Hops[i].Node)
	case i >= len(before.Hops) || before.Hops[i].Node == now.Hops[i].Node:
		return nodeText(now.Hops[i].Node)
	}
	return "before " + nodeText(before.Hops[i].Node) + ", now " + nodeText(now.Hops[i].Node)
}

func header(t *tview.Table, cols ...string) {
	for i, c := range cols {
		t.SetCell(0, i, tview.NewTableCell(c).SetAttributes(tcell.AttrBold).SetSelectable(false))
	}
}

func nodeText(n trace.NodeRef) string {
	role := n.Kind.String()
	if n.Role != "" && n.Kind == trace.NodeNamespace {
		role = n.Role
	}
	return tview.Escape(fmt.Sprintf("%s [%s]", n, role))
}

// noTraceText says why there is no journey to show.
func (a *App) noTraceText() string {
	switch {
	case a.s.err != "":
		return "cannot trace: " + a.s.err
	case a.s.showReply && a.s.replyErr != "":
		return "no reply: " + a.s.replyErr
	}
	return "no packet traced yet: fill in the packet above (e) and press Enter, or pick a check (c)"
}
