// Package ui is hopscope's terminal UI: the topology, a packet to build,
// its journey hop by hop, the decision behind every step, and what-ifs.
package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// App is one TUI session on one scenario.
type App struct {
	app  *tview.Application
	sc   *scenarios.Scenario
	name string // what was opened, for the title
	e    *trace.Engine

	pages  *tview.Pages
	tree   *tview.TreeView
	filter *tview.InputField
	form   *tview.Flex // the packet pane
	pf     packetForm
	hops   *tview.Table
	detail *tview.TextView
	status *tview.TextView
	panes  []tview.Primitive // focus order for Tab

	s         session
	rendering bool // the hop list is being refilled: ignore its selection events
}

// New builds the UI on sc; name says what was opened ("example
// dvr-floating-ip", "snap.yaml", "live"). It opens with the scenario's
// first check in the packet form, traced, so there is a journey to look at.
func New(sc *scenarios.Scenario, name string) *App {
	useTerminalColours()
	a := &App{app: tview.NewApplication(), sc: sc, name: name, e: trace.New(sc.Topology)}
	a.layout()
	a.app.SetInputCapture(a.keys)
	a.app.EnableMouse(true)
	if len(sc.Checks) > 0 {
		a.loadCheck(0)
	} else {
		a.render()
	}
	return a
}

// Run shows the UI on the terminal until the user quits.
func (a *App) Run() error { return a.app.Run() }

// SetScreen draws on screen instead of the terminal (tests use a
// simulation screen).
func (a *App) SetScreen(screen tcell.Screen) { a.app.SetScreen(screen) }

// useTerminalColours keeps the terminal's own foreground and background,
// so the UI reads on light and dark terminals alike; only outcomes and
// highlights are coloured.
func useTerminalColours() {
	tview.Styles.PrimitiveBackgroundColor = tcell.ColorDefault
	tview.Styles.ContrastBackgroundColor = tcell.ColorDefault
	tview.Styles.MoreContrastBackgroundColor = tcell.ColorDefault
	tview.Styles.PrimaryTextColor = tcell.ColorDefault
	tview.Styles.SecondaryTextColor = tcell.ColorDefault
	tview.Styles.TertiaryTextColor = tcell.ColorDefault
	tview.Styles.TitleColor = tcell.ColorDefault
	tview.Styles.GraphicsColor = tcell.ColorDefault
	tview.Styles.BorderColor = tcell.ColorDefault
	tview.Styles.InverseTextColor = tcell.ColorDefault
	tview.Styles.ContrastSecondaryTextColor = tcell.ColorDefault
}

// layout builds the panes: the topology on the left; the packet, the hops
// and the selected hop's detail on the right; the status line below.
func (a *App) layout() {
	a.buildTree()
	a.buildForm()
	a.buildHops()
	a.buildDetail()
	a.status = tview.NewTextView().SetDynamicColors(true).SetWrap(false)

	left := tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(a.tree, 0, 1, true).
		AddItem(a.filter, 1, 0, false)
	right := tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(a.form, 4, 0, false).
		AddItem(a.hops, 0, 2, false).
		AddItem(a.detail, 0, 3, false)
	body := tview.NewFlex().
		AddItem(left, 0, 1, true).
		AddItem(right, 0, 3, false)
	main := tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(body, 0, 1, true).
		AddItem(a.status, 2, 0, false)
	a.pages = tview.NewPages().AddPage("main", main, true, true)
	a.panes = append(append([]tview.Primitive{a.tree}, a.pf.inputs()...), a.hops, a.detail)
	a.app.SetRoot(a.pages, true).SetFocus(a.hops)
}

// focusNext moves the focus to the next pane (d = 1) or the previous (-1).
func (a *App) focusNext(d int) {
	cur := 0
	for i, p := range a.panes {
		if p.HasFocus() {
			cur = i
		}
	}
	a.app.SetFocus(a.panes[(cur+d+len(a.panes))%len(a.panes)])
}
