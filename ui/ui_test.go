package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// harness drives an App on a simulated 80x24 screen: keys go through the
// same capture and focus chain the event loop uses, and every key is
// followed by a draw.
type harness struct {
	t   testing.TB
	a   *App
	scr tcell.SimulationScreen
}

func open(t testing.TB, sc *scenarios.Scenario, w, h int) *harness {
	t.Helper()
	scr := tcell.NewSimulationScreen("UTF-8")
	a := New(sc, "test")
	a.SetScreen(scr)
	scr.SetSize(w, h)
	x := &harness{t: t, a: a, scr: scr}
	x.a.app.ForceDraw()
	return x
}

func openExample(t testing.TB, name string) *harness {
	t.Helper()
	sc, err := scenarios.LoadExample(name)
	if err != nil {
		t.Fatal(err)
	}
	return open(t, sc, 80, 24)
}

// press sends keys: runes as typed, or a tcell.Key.
func (x *harness) press(keys ...any) {
	for _, k := range keys {
		var evs []*tcell.EventKey
		switch k := k.(type) {
		case string:
			for _, r := range k {
				evs = append(evs, tcell.NewEventKey(tcell.KeyRune, r, tcell.ModNone))
			}
		case tcell.Key:
			evs = append(evs, tcell.NewEventKey(k, 0, tcell.ModNone))
		}
		for _, ev := range evs {
			if ev = x.a.keys(ev); ev != nil {
				if h := x.a.pages.InputHandler(); h != nil {
					h(ev, func(p tview.Primitive) { x.a.app.SetFocus(p) })
				}
			}
			x.a.app.ForceDraw()
		}
	}
}

// screen is the simulated screen's text, one line per row.
func (x *harness) screen() string {
	cells, w, h := x.scr.GetContents()
	var b strings.Builder
	for row := 0; row < h; row++ {
		for col := 0; col < w; col++ {
			c := cells[row*w+col]
			if len(c.Runes) == 0 {
				b.WriteByte(' ')
				continue
			}
			b.WriteString(string(c.Runes))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func (x *harness) see(want ...string) {
	x.t.Helper()
	s := x.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			x.t.Fatalf("the screen does not show %q:\n%s", w, s)
		}
	}
}

// status is the two status lines, joined.
func (x *harness) status() string {
	lines := strings.Split(strings.TrimRight(x.screen(), "\n"), "\n")
	return strings.Join(lines[len(lines)-2:], " ")
}

// TestExamplesOpen opens every example, walks its first check's journey
// hop by hop and step by step, and looks at its reply.
func TestExamplesOpen(t *testing.T) {
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			x := openExample(t, name)
			x.see("Topology", "Packet", "Hops", "Detail", "? help")
			tr := x.a.s.cur()
			if tr == nil {
				t.Fatalf("the first check was not traced: %s\n%s", x.a.s.err, x.screen())
			}
			if !strings.Contains(x.status(), tr.Disposition.String()) {
				t.Errorf("status %q does not say %s", x.status(), tr.Disposition)
			}
			for i := range tr.Hops {
				if x.a.s.hop != i {
					t.Fatalf("after %d n presses the cursor is on hop %d", i, x.a.s.hop)
				}
				name := tr.Hops[i].Node.Name
				x.see(name[:min(len(name), 20)])
				x.press("n")
			}
			x.press("]", "]", "[")

			// A what-if on the first thing on the path that can be
			// switched off: the list then compares, and W restores it.
			x.press("p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p")
			for i := 0; i < 100 && x.a.s.curObject() == nil; i++ {
				x.press("]")
			}
			if x.a.s.curObject() == nil {
				t.Fatalf("nothing on the path can be switched off:\n%s", x.screen())
			}
			x.press("w")
			x.see("before what-ifs", "1 what-if(s)")
			x.press("W")
			if strings.Contains(x.screen(), "before what-ifs") || x.a.s.cur().Disposition != tr.Disposition {
				t.Fatalf("W did not restore the journey:\n%s", x.screen())
			}
			if x.a.s.replyErr == "" {
				x.press("r")
				x.see("Hops, reply")
				if got := x.a.s.cur(); got == nil || !strings.Contains(x.status(), got.Disposition.String()) {
					t.Errorf("reply: status %q", x.status())
				}
			}
		})
	}
}

// TestDVRStory is the new user: the default example opens on VM
// → internet; the reply comes back; SSH from the internet reaches the VM;
// the security-group rule that lets it in is found and switched off; the
// trace turns DENIED at the fallback chain; undoing it restores it.
func TestDVRStory(t *testing.T) {
	x := openExample(t, scenarios.DefaultExample)
	x.see("EXITED")
	x.press("r")
	x.see("Hops, reply", "DELIVERED")

	x.press("c")
	x.see("Checks", "SSH from the internet")
	ssh := -1
	for i, ch := range x.a.sc.Checks {
		if strings.HasPrefix(ch.Name, "SSH from the internet") {
			ssh = i
		}
	}
	for i := 0; i < ssh; i++ {
		x.press(tcell.KeyDown)
	}
	x.press(tcell.KeyEnter)
	x.see("DELIVERED")

	// Walk step by step to the rule of the VM's ingress security-group
	// chain that let the SSH packet through.
	found := false
	for i := 0; i < 300 && !found; i++ {
		if strings.Contains(x.status(), "rule neutron-openvswi-i8aa5e3b4-6 #") {
			found = true
			break
		}
		x.press("]")
	}
	if !found {
		t.Fatalf("no security-group rule on the path:\n%s", x.screen())
	}
	x.press("w")
	x.see("before what-ifs", "now", "≠", "DENIED")
	if !strings.Contains(x.status(), "before DELIVERED, now DENIED") {
		t.Errorf("status %q", x.status())
	}
	x.press("d")
	if st := x.a.s.curStep(); st == nil || !strings.Contains(st.Why, "sg-fallback") {
		t.Errorf("the denying step is not the fallback chain: %+v", st)
	}
	x.see("sg-fallback")
	x.press("W")
	x.see("DELIVERED")
	if len(x.a.s.whatifs) != 0 || strings.Contains(x.screen(), "before what-ifs") {
		t.Errorf("W left what-ifs:\n%s", x.screen())
	}
}

func TestHelpListsEveryKey(t *testing.T) {
	x := open(t, mustExample(t), 100, 45)
	x.press("?")
	for _, b := range bindings() {
		x.see(b.what[:min(len(b.what), 30)])
	}
	x.press(tcell.KeyEscape)
	if x.a.pages.HasPage("modal") {
		t.Error("Esc did not close the help")
	}
}

func TestTypedPacketAndFilter(t *testing.T) {
	x := openExample(t, "neutron-ovs-compute-network")
	x.press("e")
	x.a.pf.from.SetText("")
	x.a.pf.to.SetText("")
	x.press("vm1", tcell.KeyTab, "10.0.0.1", tcell.KeyTab, tcell.KeyBackspace, tcell.KeyBackspace, tcell.KeyBackspace, tcell.KeyBackspace, "icmp", tcell.KeyEnter)
	if x.a.s.req.From != "vm1" || x.a.s.req.To != "10.0.0.1" {
		t.Fatalf("request %+v", x.a.s.req)
	}
	x.press("x")
	x.see("vxlan")
	if st := x.a.s.curStep(); st == nil || st.Action != trace.Encapsulated && st.Action != trace.Transformed {
		t.Errorf("x did not land on a rewrite: %+v", st)
	}

	x.press("/", "qdhcp")
	x.see("qdhcp")
	if strings.Contains(x.screen(), "host compute0") {
		t.Errorf("the filter kept compute0, which has no qdhcp:\n%s", x.screen())
	}
	x.press(tcell.KeyEscape)

	x.press("e")
	x.a.pf.port.SetText("22")
	x.press(tcell.KeyEnter)
	if !strings.Contains(x.status(), "Port needs Proto tcp or udp") {
		t.Errorf("a bad packet was not refused: %q", x.status())
	}
}

func mustExample(t *testing.T) *scenarios.Scenario {
	sc, err := scenarios.LoadExample(scenarios.DefaultExample)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// BenchmarkTraceAndRender: tracing on the largest generated topology (a
// host with over 100,000 iptables rules) and redrawing the hop list,
// detail and status (target: under 100 ms).
func BenchmarkTraceAndRender(b *testing.B) {
	sc, n, err := scenarios.GenerateNeutronHost(3500)
	if err != nil {
		b.Fatal(err)
	}
	x := open(b, sc, 120, 40)
	x.a.s.req = trace.Request{From: "compute:router", To: "vm", Proto: trace.ProtoTCP, DstPort: 22}
	x.a.retrace()
	if t := x.a.s.cur(); t == nil || t.Disposition != trace.Delivered {
		b.Fatalf("setup: %s", x.a.s.err)
	}
	b.ReportMetric(float64(n), "rules")
	b.ResetTimer()
	for b.Loop() {
		x.a.retrace()
		x.a.app.ForceDraw()
	}
}

// TestResize draws at several sizes, the smallest the issue names
// included, and keeps the panes' titles and the status.
func TestResize(t *testing.T) {
	x := openExample(t, "neutron-ovs-compute-network")
	for _, sz := range [][2]int{{80, 24}, {200, 60}, {60, 20}, {80, 24}} {
		x.scr.SetSize(sz[0], sz[1])
		x.a.app.ForceDraw()
		x.see("Topology", "Hops", "Detail", "? help")
	}
}

// TestSave writes the journey in each format and refuses a name it cannot
// tell the format of, leaving nothing behind.
func TestSave(t *testing.T) {
	x := openExample(t, scenarios.DefaultExample)
	dir := t.TempDir()
	for _, c := range []struct{ file, starts string }{
		{"j.json", "{\n  \"request\""},
		{"j.txt", "packet: "},
		{"j.pcap", "\xd4\xc3\xb2\xa1"}, // pcap magic, little-endian
	} {
		path := filepath.Join(dir, c.file)
		x.a.save(path)
		x.a.app.ForceDraw()
		data, err := os.ReadFile(path)
		if err != nil || !strings.HasPrefix(string(data), c.starts) {
			t.Errorf("%s: %v, starts %q", c.file, err, data[:min(len(data), 16)])
		}
		if !strings.Contains(x.status(), "saved 2 path(s)") {
			t.Errorf("%s: status %q", c.file, x.status())
		}
	}
	x.a.save(filepath.Join(dir, "j.xml"))
	x.a.app.ForceDraw()
	if !strings.Contains(x.status(), "end the name with .json, .txt or .pcap") {
		t.Errorf("status %q", x.status())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 3 {
		t.Errorf("files left: %v", left)
	}
}
