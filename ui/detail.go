package ui

import (
	"fmt"
	"strings"

	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/trace"
	"github.com/hopscope/hopscope/trace/frame"
)

func (a *App) buildDetail() {
	a.detail = tview.NewTextView().SetDynamicColors(true).SetRegions(true).SetWordWrap(true)
	a.detail.SetBorder(true).SetTitle(" Detail  [ ] step · w what-if · W undo ").SetTitleAlign(tview.AlignLeft)
}

// renderDetail shows the hop under the cursor: every step with what
// decided it and what it changed, the scenario's notes on this kind of
// hop, and the packet as Wireshark would decode it here.
func (a *App) renderDetail() {
	d := a.detail
	d.Clear()
	t := a.s.cur()
	if t == nil {
		d.SetText(tview.Escape(a.noTraceText()))
		return
	}
	h := t.Hops[a.s.hop]
	var b strings.Builder
	fmt.Fprintf(&b, "[::b]hop %d of %d: %s[::-]\n", a.s.hop+1, len(t.Hops), nodeText(h.Node))
	k := 0
	for _, st := range h.Steps {
		k = writeDetailStep(&b, k, st)
	}
	if a.s.hop == len(t.Hops)-1 {
		o := dispositionOutcome(t.Disposition)
		fmt.Fprintf(&b, "\n[%s::b]=> %s[-::-]: %s\n", o.color.Name(), t.Disposition, tview.Escape(t.Why))
	}
	a.writeNotes(&b, h)
	writeLayers(&b, "the packet as it arrived here", h.Packet)
	if a.s.hop+1 < len(t.Hops) && hasStep(h, trace.Encap, trace.Decap) {
		writeLayers(&b, "the packet as it leaves", t.Hops[a.s.hop+1].Packet)
	}
	d.SetText(b.String())
	d.Highlight(fmt.Sprintf("s%d", a.s.step)).ScrollToHighlight()
}

// writeDetailStep writes one step as region k, and the rules an iptables
// step walked through as the regions after it, for the cursor to
// highlight; it returns the next region's number.
func writeDetailStep(b *strings.Builder, k int, st trace.Step) int {
	label := stepLabel(st.Kind)
	if c := stepColor(st.Action); c != "" {
		label = "[" + c + "]" + label + "[-]"
	}
	fmt.Fprintf(b, "[\"s%d\"]%s %s%s[\"\"]\n", k, label, tview.Escape(st.Why), offMark(st.Object))
	k++
	if d, ok := st.Detail.(*trace.NetfilterDetail); ok && len(d.Hits) > 1 {
		for _, h := range d.Hits {
			fmt.Fprintf(b, "[\"s%d\"]    %s #%d: %s  [%s][\"\"]%s\n", k, tview.Escape(h.Chain), h.Num,
				tview.Escape(h.Rule), tview.Escape(h.Effect), offMark(h.Object))
			k++
		}
	}
	if st.Source != nil && st.Source.Text != "" && !strings.Contains(st.Why, st.Source.Text) && st.Kind != trace.Netfilter {
		fmt.Fprintf(b, "    decided by: %s\n", tview.Escape(st.Source.Text))
	}
	if st.Source != nil && st.Source.Location != "" {
		fmt.Fprintf(b, "    at %s\n", tview.Escape(st.Source.Location))
	}
	for _, line := range detailLines(st) {
		fmt.Fprintf(b, "    %s\n", tview.Escape(line))
	}
	for _, f := range st.Diff {
		fmt.Fprintf(b, "    [darkcyan]%s: %s → %s[-]\n", tview.Escape(f.Field), tview.Escape(f.Old), tview.Escape(f.New))
	}
	return k
}

// offMark flags a configuration object a what-if switched off.
func offMark(o any) string {
	if o == nil || !trace.IsOff(o) {
		return ""
	}
	return " [purple](switched off: a what-if)[-]"
}

// detailLines are the parts of a step's detail the sentence leaves out.
func detailLines(st trace.Step) []string {
	var out []string
	switch d := st.Detail.(type) {
	case *trace.RouteDetail:
		if len(d.Rules) > 1 {
			out = append(out, "ip rules matched: "+strings.Join(d.Rules, " | "))
		}
	case *trace.NeighborDetail:
		if d.Evidence != "" {
			out = append(out, "neighbour cache: "+d.Evidence)
		}
	case *trace.PortDetail:
		if d.OpenFlow != "" {
			out = append(out, "as OpenFlow sees it: "+d.OpenFlow)
		}
	}
	return out
}

// writeNotes adds the scenario's teaching notes that match this hop.
func (a *App) writeNotes(b *strings.Builder, h trace.Hop) {
	var kinds []string
	for _, st := range h.Steps {
		kinds = append(kinds, st.Kind.String())
	}
	notes := a.sc.Topology.Explain(h.Node.Host, h.Node.Name, kinds)
	if len(notes) == 0 {
		return
	}
	b.WriteString("\n[::b]about this hop[::-]\n")
	for _, n := range notes {
		fmt.Fprintf(b, "  %s\n", tview.Escape(n.Text))
	}
}

// writeLayers decodes a packet the way Wireshark shows it: one line per
// layer, outermost first.
func writeLayers(b *strings.Builder, title string, p trace.Packet) {
	ls, err := frame.Layers(p)
	fmt.Fprintf(b, "\n[::b]%s[::-]\n", title)
	if err != nil {
		fmt.Fprintf(b, "  (%s)\n", tview.Escape(err.Error()))
		return
	}
	for _, l := range ls {
		fmt.Fprintf(b, "  %s: %s\n", tview.Escape(l.Name), tview.Escape(strings.Join(l.Fields, ", ")))
	}
}

func hasStep(h trace.Hop, kinds ...trace.StepKind) bool {
	for _, st := range h.Steps {
		for _, k := range kinds {
			if st.Kind == k {
				return true
			}
		}
	}
	return false
}

// stepLabel is a step kind's short name, padded for alignment.
func stepLabel(k trace.StepKind) string { return fmt.Sprintf("%-9s", trace.StepLabel(k)) }
