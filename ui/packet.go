package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/trace"
)

// packetForm is the packet pane: where the packet starts, where it goes,
// protocol and destination port, in the CLI's syntax.
type packetForm struct {
	from, to, proto, port, sport *tview.InputField
}

func (a *App) buildForm() {
	f := &a.pf
	field := func(label string, width int) *tview.InputField {
		in := tview.NewInputField().SetLabel(label).SetFieldWidth(width)
		in.SetFieldStyle(tcell.StyleDefault.Underline(true))
		in.SetDoneFunc(func(k tcell.Key) {
			if k == tcell.KeyEnter {
				a.traceForm()
			}
		})
		return in
	}
	f.from, f.to = field("From ", 0), field("To ", 0)
	f.proto, f.port, f.sport = field("Proto ", 6), field("Port ", 6), field("Sport ", 6)
	f.proto.SetAutocompleteFunc(func(s string) []string {
		var out []string
		for _, p := range []string{"icmp", "tcp", "udp"} {
			if strings.HasPrefix(p, s) && s != p {
				out = append(out, p)
			}
		}
		return out
	})
	row1 := tview.NewFlex().AddItem(f.from, 0, 1, true).AddItem(tview.NewBox(), 1, 0, false).AddItem(f.to, 0, 1, false)
	row2 := tview.NewFlex().AddItem(f.proto, 13, 0, false).AddItem(f.port, 12, 0, false).AddItem(f.sport, 13, 0, false).
		AddItem(tview.NewTextView().SetText("Enter: trace · c: checks"), 0, 1, false)
	box := tview.NewFlex().SetDirection(tview.FlexRow).AddItem(row1, 1, 0, true).AddItem(row2, 1, 0, false)
	box.SetBorder(true).SetTitle(" Packet  e: edit · endpoint, host:ns:iface, host:bridge:port or IP ").SetTitleAlign(tview.AlignLeft)
	a.form = box
}

// fill shows a request in the form.
func (f *packetForm) fill(req trace.Request) {
	f.from.SetText(req.From)
	f.to.SetText(req.To)
	f.proto.SetText(trace.ProtoName(req.Proto))
	f.port.SetText(portText(req.DstPort))
	f.sport.SetText(portText(req.SrcPort))
}

func portText(p uint16) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(int(p))
}

// request reads the form as the CLI reads its flags.
func (f *packetForm) request() (trace.Request, error) {
	from, to := strings.TrimSpace(f.from.GetText()), strings.TrimSpace(f.to.GetText())
	if from == "" || to == "" {
		return trace.Request{}, fmt.Errorf("From and To are both needed")
	}
	proto, err := trace.ParseProto(strings.TrimSpace(f.proto.GetText()))
	if err != nil {
		return trace.Request{}, fmt.Errorf("Proto: %w", err)
	}
	req := trace.Request{From: from, To: to, Proto: proto}
	for _, p := range []struct {
		name string
		in   *tview.InputField
		dst  *uint16
	}{{"Port", f.port, &req.DstPort}, {"Sport", f.sport, &req.SrcPort}} {
		s := strings.TrimSpace(p.in.GetText())
		if s == "" {
			continue
		}
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil || n == 0 {
			return req, fmt.Errorf("%s %q: want a number 1-65535", p.name, s)
		}
		if proto != trace.ProtoTCP && proto != trace.ProtoUDP {
			return req, fmt.Errorf("%s needs Proto tcp or udp", p.name)
		}
		*p.dst = uint16(n)
	}
	return req, nil
}

// inputs are the form's fields in Tab order.
func (f *packetForm) inputs() []tview.Primitive {
	return []tview.Primitive{f.from, f.to, f.proto, f.port, f.sport}
}

// traceForm traces what the form says.
func (a *App) traceForm() {
	req, err := a.pf.request()
	if err != nil {
		a.s.msg = "[red]" + tview.Escape(err.Error()) + "[-]"
		a.renderStatus()
		return
	}
	a.s.req, a.s.showReply, a.s.path, a.s.hop, a.s.step = req, false, 0, 0, 0
	a.retrace()
	a.app.SetFocus(a.hops)
}
