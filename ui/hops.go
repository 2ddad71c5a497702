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
		for i := range cur.Hops {
			t.SetCell(i+1, 0, tview.NewTableCell(fmt.Sprintf("%2d", i+1)))
			hopCells(t, i+1, 1, cur, i)
		}
	} else {
		diff := firstDiff(before, cur)
		header(t, "#", "before what-ifs", "", "now", "")
		n := max(len(before.Hops), len(cur.Hops))
		for i := 0; i < n; i++ {
			mark := fmt.Sprintf("%2d", i+1)
			if i == diff {
				mark = "≠" + mark[1:]
			}
			t.SetCell(i+1, 0, tview.NewTableCell(mark))
			hopCells(t, i+1, 1, before, i)
			hopCells(t, i+1, 3, cur, i)
			if i == diff {
				for c := 0; c < 5; c++ {
					t.GetCell(i+1, c).SetAttributes(tcell.AttrBold | tcell.AttrUnderline)
				}
			}
		}
	}
	t.Select(a.s.hop+1, 0)
}

func header(t *tview.Table, cols ...string) {
	for i, c := range cols {
		t.SetCell(0, i, tview.NewTableCell(c).SetAttributes(tcell.AttrBold).SetSelectable(false))
	}
}

// hopCells writes hop i of tr (or blanks past its end) at row, col: the
// outcome first, so a long device name never hides it.
func hopCells(t *tview.Table, row, col int, tr *trace.Trace, i int) {
	if i >= len(tr.Hops) {
		t.SetCell(row, col, tview.NewTableCell(""))
		t.SetCell(row, col+1, tview.NewTableCell("").SetExpansion(1))
		return
	}
	o := hopOutcome(tr, i)
	t.SetCell(row, col, tview.NewTableCell(o.word).SetTextColor(o.color))
	t.SetCell(row, col+1, tview.NewTableCell(nodeText(tr.Hops[i].Node)).SetExpansion(1).SetMaxWidth(40))
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
