package trace

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/openflow"
)

// The OpenFlow pipeline of one bridge, as ovs-vswitchd translates a packet:
//
//	in_port -> table 0 -> highest-priority match -> actions
//	            resubmit/goto_table: look up another table, then go on
//	            output/NORMAL/LOCAL: a copy leaves with the headers as they are then
//	            learn: a flow added for the rest of the trace
//	no match, or no output: dropped
//
// xlate runs it without touching the trace, so the packet walk and the L2
// walk (where MACs live, who answers ARP) share one interpreter.

// maxResubmits bounds resubmit depth and total table lookups, as OVS does.
const (
	maxResubmitDepth = 64
	maxLookups       = 4096
)

// outKind is where an output action sends a packet.
type outKind int

const (
	outPort       outKind = iota // a bridge port (patch, system, internal, tunnel)
	outNormal                    // the NORMAL action: the learning switch decides
	outController                // to the OpenFlow controller
)

// ofOut is one copy of the packet the pipeline outputs.
type ofOut struct {
	kind outKind
	port *model.OVSPort
	st   openflow.State
}

// xlation is what a pipeline did with a packet.
type xlation struct {
	steps []Step
	outs  []ofOut
	// end is set when the pipeline itself ended the trace (UNSUPPORTED, a
	// TTL reaching zero, a resubmit loop); otherwise no outputs means drop.
	end     *Step
	endDisp Disposition
	why     string // why nothing was output
	final   openflow.State
}

// xlator is one translation in progress.
type xlator struct {
	b       *model.OVSBridge
	learned *openflow.Flows // flows learn added during this run, consulted with the bridge's
	st      openflow.State
	x       xlation
	lookups int
	texts   flowTexts // nil: the L2 walk, which records no steps
	stop    bool
	recirc  []recirc
	// cur is the step of the flow whose actions are running (-1: none),
	// mark the state when they last started or resumed: each flow's step
	// shows its own changes, not those of the tables it resubmits to.
	cur  int
	mark openflow.State
}

// flowTexts caches each flow's printed match and actions: a trace through
// 20 tables would otherwise print 20 flows per packet. An Engine keeps one.
type flowTexts map[*openflow.Flow][2]string

// xlate runs bridge b's pipeline for a packet in state st, from table 0,
// recording steps with texts; with nil texts it records none.
func xlate(b *model.OVSBridge, learned *openflow.Flows, st openflow.State, texts flowTexts) xlation {
	t := &xlator{b: b, learned: learned, st: st, texts: texts, cur: -1}
	t.table(0, 0)
	for len(t.recirc) > 0 && !t.stop {
		rc := t.recirc[0]
		t.recirc = t.recirc[1:]
		t.st = rc.st
		t.step(Step{Kind: Conntrack, Action: Forwarded,
			Why: fmt.Sprintf("%s: %s: tracked as a new connection in zone %d (as ofproto/trace assumes), recirculated to table %d", b.Name, rc.raw, rc.st.Get(openflow.CtZone), rc.table)})
		t.table(rc.table, 1)
	}
	t.x.final = t.st
	if t.x.end == nil && len(t.x.outs) == 0 && t.x.why == "" {
		t.x.why = "the pipeline output the packet nowhere: dropped"
	}
	return t.x
}

// table looks up table n and runs the matching flow's actions.
func (t *xlator) table(n uint8, depth int) {
	if t.stop {
		return
	}
	t.lookups++
	if depth > maxResubmitDepth || t.lookups > maxLookups {
		t.fail(Loop, Step{Kind: OVSFlow, Action: DroppedAction,
			Why: fmt.Sprintf("%s: more than %d nested resubmits or %d lookups: OVS drops the packet", t.b.Name, maxResubmitDepth, maxLookups)})
		return
	}
	res := t.b.Flows.Lookup(n, &t.st)
	if t.learned != nil {
		if l := t.learned.Lookup(n, &t.st); l.Flow != nil && (res.Flow == nil || l.Flow.Priority > res.Flow.Priority) {
			res = l
		}
	}
	if res.Unknown != nil && (res.Flow == nil || res.Unknown.Priority >= res.Flow.Priority) {
		f := res.Unknown
		t.fail(Unsupported, Step{Kind: OVSFlow, Action: UnsupportedAction, Source: t.src(f), Object: t.object(f),
			Why:    fmt.Sprintf("%s table %d: flow %q may match, but the model does not evaluate %s", t.b.Name, n, f.String(), strings.Join(f.Unknown, ", ")),
			Detail: t.detail(f)})
		return
	}
	if res.Flow == nil {
		t.step(Step{Kind: OVSFlow, Action: DroppedAction,
			Why:    fmt.Sprintf("%s table %d: no flow matches: the packet is dropped (the table-miss default)", t.b.Name, n),
			Detail: &FlowDetail{Bridge: t.b.Name, Table: int(n), Priority: -1}})
		return
	}
	f := res.Flow
	if t.texts == nil {
		t.actions(f, f.Actions, n, depth)
		return
	}
	parent := t.cur
	t.credit()
	why := fmt.Sprintf("%s table %d, priority %d: %s", t.b.Name, n, f.Priority, t.match(f))
	if res.Tie {
		why += " (another flow of the same priority matches too: OVS's choice between them is undefined)"
	}
	if len(res.Clauses) > 0 {
		why += fmt.Sprintf(" (conjunction: %d clauses matched)", len(res.Clauses))
	}
	t.cur = len(t.x.steps)
	t.step(Step{Kind: OVSFlow, Action: Forwarded, Why: why + " -> " + t.acts(f), Source: t.src(f), Object: t.object(f), Detail: t.detail(f)})
	t.actions(f, f.Actions, n, depth)
	t.credit()
	t.cur = parent
}

// credit adds the changes made since t.mark to the step of the flow that
// made them.
func (t *xlator) credit() {
	if t.cur >= 0 {
		t.x.steps[t.cur].Diff = mergeDiff(t.x.steps[t.cur].Diff, stateDiff(t.mark, t.st))
	}
	t.mark = t.st
}

// mergeDiff adds later changes to earlier ones: a field changed twice
// keeps its first old value, and one changed back drops out.
func mergeDiff(d, later []FieldDiff) []FieldDiff {
next:
	for _, l := range later {
		for i := range d {
			if d[i].Field == l.Field {
				d[i].New = l.New
				if d[i].New == d[i].Old {
					d = append(d[:i], d[i+1:]...)
				}
				continue next
			}
		}
		d = append(d, l)
	}
	return d
}

// actions runs one action list; n is the table it came from.
func (t *xlator) actions(f *openflow.Flow, acts []openflow.Action, n uint8, depth int) {
	for _, a := range acts {
		if t.stop {
			return
		}
		switch a.Kind {
		case openflow.Output:
			t.output(a.Port, false)
		case openflow.OutputInPort:
			t.output(uint32(t.st.Get(openflow.InPort)), true)
		case openflow.OutputField:
			t.output(uint32(a.Src.Get(&t.st)), false)
		case openflow.Normal:
			t.x.outs = append(t.x.outs, ofOut{kind: outNormal, st: t.st})
		case openflow.Local:
			t.output(openflow.PortLocal, false)
		case openflow.Flood, openflow.All:
			in := uint32(t.st.Get(openflow.InPort))
			for _, q := range t.b.Ports {
				if !q.Down && (uint32(q.OFPort) != in || a.Kind == openflow.All) {
					t.x.outs = append(t.x.outs, ofOut{kind: outPort, port: q, st: t.st})
				}
			}
		case openflow.Drop:
			return
		case openflow.Resubmit:
			saved := t.st.Get(openflow.InPort)
			if a.Port != openflow.PortInPort && (a.PortName != "" || a.Port != 0) {
				t.st.Set(openflow.InPort, uint64(a.Port))
			}
			tbl := n
			if a.Table >= 0 {
				tbl = uint8(a.Table)
			}
			t.table(tbl, depth+1)
			t.st.Set(openflow.InPort, saved)
		case openflow.GotoTable:
			t.table(uint8(a.Table), depth+1)
			return
		case openflow.ModVlanVID:
			t.st.Set(openflow.VlanTCI, 0x1000|(a.Value&0xfff)|(t.st.Get(openflow.VlanTCI)&0xe000))
		case openflow.PushVlan:
			if t.st.Get(openflow.VlanTCI)&0x1000 != 0 {
				t.fail(Unsupported, Step{Kind: OVSFlow, Action: UnsupportedAction, Source: t.src(f), Object: t.object(f),
					Why: fmt.Sprintf("%s table %d: %s on a frame that is already tagged: a second VLAN tag (QinQ) is not modelled", t.b.Name, n, a.Raw)})
				return
			}
			t.st.Set(openflow.VlanTCI, 0x1000)
		case openflow.StripVlan, openflow.PopVlan:
			t.st.Set(openflow.VlanTCI, 0)
		case openflow.DecTTL:
			ttl := t.st.Get(openflow.NwTTL)
			if ttl <= 1 {
				// OVS stops this flow's action list only; a resubmitting
				// caller goes on with its own actions.
				t.step(Step{Kind: OVSFlow, Action: DroppedAction, Source: t.src(f), Object: t.object(f),
					Why: fmt.Sprintf("%s table %d: dec_ttl with TTL %d: the rest of this flow's actions are skipped (a controller asking for invalid_ttl would be told)", t.b.Name, n, ttl)})
				return
			}
			t.st.Set(openflow.NwTTL, ttl-1)
		case openflow.ModDlSrc, openflow.ModDlDst, openflow.ModNwSrc, openflow.ModNwDst, openflow.ModNwTos,
			openflow.ModTpSrc, openflow.ModTpDst, openflow.ModVlanPCP, openflow.SetTunnel, openflow.SetField:
			mask := a.Mask
			if mask == 0 {
				mask = ^uint64(0)
			}
			t.st.Set(a.Field, t.st.Get(a.Field)&^mask|a.Value&mask)
		case openflow.Load:
			a.Dst.Set(&t.st, a.Value)
		case openflow.Move:
			a.Dst.Set(&t.st, a.Src.Get(&t.st))
		case openflow.CT:
			if !t.ct(f, a) {
				return
			}
		case openflow.CTClear:
			t.st.Set(openflow.CtState, 0)
		case openflow.Learn:
			if t.learned != nil {
				t.learned.Add(a.Learn.Apply(&t.st))
			}
		case openflow.Note, openflow.Conjunction:
		case openflow.Controller:
			t.x.outs = append(t.x.outs, ofOut{kind: outController, st: t.st})
		default:
			t.fail(Unsupported, Step{Kind: OVSFlow, Action: UnsupportedAction, Source: t.src(f), Object: t.object(f),
				Why: fmt.Sprintf("%s table %d: the model does not interpret the action %q", t.b.Name, n, a.Raw)})
			return
		}
	}
}

// ct runs a ct() action the way ofproto/trace does by default: the
// packet is tracked as a new connection (ct_state=trk|new) in the zone; with
// table= a copy is recirculated into that table once the current actions
// are done. NAT and ALGs are beyond the model. It reports whether the
// current action list goes on.
func (t *xlator) ct(f *openflow.Flow, a openflow.Action) bool {
	ct := a.CT
	if ct.NAT != nil || ct.Alg != "" {
		t.fail(Unsupported, Step{Kind: OVSFlow, Action: UnsupportedAction, Source: t.src(f), Object: t.object(f),
			Why: fmt.Sprintf("%s: %q: connection tracking with NAT or an ALG is not modelled in OpenFlow pipelines", t.b.Name, a.Raw)})
		return false
	}
	if ct.Table < 0 {
		return true // commit only: the packet goes on unchanged
	}
	zone := uint64(ct.Zone)
	if ct.ZoneField != nil {
		zone = ct.ZoneField.Get(&t.st)
	}
	st := t.st
	st.Set(openflow.CtState, uint64(openflow.CtTrk|openflow.CtNew))
	st.Set(openflow.CtZone, zone)
	t.recirc = append(t.recirc, recirc{table: uint8(ct.Table), st: st, raw: a.Raw})
	return true
}

// recirc is a copy of the packet a ct(table=N) sends back into the pipeline.
type recirc struct {
	table uint8
	st    openflow.State
	raw   string
}

// output sends a copy out of OpenFlow port n; to the input port only
// when asked explicitly (output:in_port), as OVS does.
func (t *xlator) output(n uint32, inPort bool) {
	if n == openflow.PortInPort {
		n, inPort = uint32(t.st.Get(openflow.InPort)), true
	}
	var q *model.OVSPort
	if n == openflow.PortLocal {
		q = t.b.Port(t.b.Name)
	} else {
		q = t.b.PortByOF(int(n))
	}
	if q == nil {
		t.step(Step{Kind: OVSFlow, Action: DroppedAction, Why: fmt.Sprintf("%s: output to port %d, which the bridge does not have: nothing sent", t.b.Name, n)})
		return
	}
	if uint32(q.OFPort) == uint32(t.st.Get(openflow.InPort)) && !inPort {
		t.step(Step{Kind: OVSFlow, Action: DroppedAction, Why: fmt.Sprintf("%s: output:%d is the input port: OVS skips it (output:in_port would send it back)", t.b.Name, n)})
		return
	}
	if q.Down {
		t.x.why = portDown(q) + ": nothing sent"
		t.step(Step{Kind: OVSFlow, Action: DroppedAction, Why: fmt.Sprintf("%s: output:%d: %s", t.b.Name, n, t.x.why), Object: q})
		return
	}
	t.x.outs = append(t.x.outs, ofOut{kind: outPort, port: q, st: t.st})
}

func (t *xlator) step(s Step) {
	if t.texts != nil {
		t.x.steps = append(t.x.steps, s)
	}
}

func (t *xlator) fail(d Disposition, s Step) {
	t.stop = true
	t.x.end, t.x.endDisp = &s, d
}

func (t *xlator) src(f *openflow.Flow) *SourceRef {
	s := t.b.FlowSource
	if f.Line > 0 && s.Line > 0 {
		s.Line += f.Line - 1
	}
	text := f.Text
	if text == "" && t.texts != nil {
		text = t.match(f) + " actions=" + t.acts(f)
	}
	return srcRef(text, s)
}

// text is a flow's printed match and actions, cached.
func (t *xlator) text(f *openflow.Flow) [2]string {
	if v, ok := t.texts[f]; ok {
		return v
	}
	v := flowText(f)
	t.texts[f] = v
	return v
}

// flowText is a flow's printed match ("any packet" when empty) and actions.
func flowText(f *openflow.Flow) [2]string {
	m := f.MatchString()
	if m == "" {
		m = "any packet"
	}
	var b strings.Builder
	for i, a := range f.Actions {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(a.String())
	}
	acts := b.String()
	if acts == "" {
		acts = "drop"
	}
	return [2]string{m, acts}
}

// object is f as a Step.Object: nil for a flow a learn action added
// during this run, which the next run would add again.
func (t *xlator) object(f *openflow.Flow) any {
	if t.learned != nil && slices.Contains(t.learned.All(), f) {
		return nil
	}
	return f
}

func (t *xlator) match(f *openflow.Flow) string { return t.text(f)[0] }
func (t *xlator) acts(f *openflow.Flow) string  { return t.text(f)[1] }

// detail is the step detail naming flow f.
func (t *xlator) detail(f *openflow.Flow) *FlowDetail {
	d := &FlowDetail{Bridge: t.b.Name, Table: int(f.Table), Priority: int(f.Priority), Match: t.match(f), Actions: t.acts(f)}
	if f.Cookie != 0 {
		d.Cookie = fmt.Sprintf("%#x", f.Cookie)
	}
	return d
}

// stateOf is the OpenFlow view of a packet entering bridge port in.
func stateOf(in *model.OVSPort, p Packet, tun tunMeta) openflow.State {
	var s openflow.State
	s.Set(openflow.InPort, uint64(in.OFPort))
	s.Set(openflow.DlSrc, macBits(p.SrcMAC))
	s.Set(openflow.DlDst, macBits(p.DstMAC))
	if p.VLAN != 0 {
		s.Set(openflow.VlanTCI, 0x1000|uint64(p.VLAN&0xfff))
	}
	s.Set(openflow.PktMark, uint64(p.Mark))
	s.Set(openflow.TunID, tun.id)
	if tun.src.IsValid() {
		s.Set(openflow.TunSrc, addrBits(tun.src))
		s.Set(openflow.TunDst, addrBits(tun.dst))
	}
	if p.arp {
		s.Set(openflow.DlType, 0x0806)
		s.Set(openflow.ArpOp, 1)
		s.Set(openflow.ArpSpa, addrBits(p.Src))
		s.Set(openflow.ArpTpa, addrBits(p.Dst))
		s.Set(openflow.ArpSha, macBits(p.SrcMAC))
		return s
	}
	s.Set(openflow.DlType, 0x0800)
	s.Set(openflow.NwSrc, addrBits(p.Src))
	s.Set(openflow.NwDst, addrBits(p.Dst))
	s.Set(openflow.NwProto, uint64(p.Proto))
	s.Set(openflow.NwTTL, uint64(p.TTL))
	switch {
	case p.HasPorts():
		s.Set(openflow.TpSrc, uint64(p.SrcPort))
		s.Set(openflow.TpDst, uint64(p.DstPort))
	case p.Proto == ProtoICMP:
		s.Set(openflow.IcmpType, uint64(p.ICMPType))
		s.Set(openflow.IcmpCode, uint64(p.ICMPCode))
	}
	return s
}

// packetOf reads the headers a pipeline left in s back into p.
func packetOf(p Packet, s *openflow.State) (Packet, tunMeta) {
	q := p
	q.SrcMAC, q.DstMAC = bitsMAC(s.Get(openflow.DlSrc)), bitsMAC(s.Get(openflow.DlDst))
	q.VLAN = 0
	if tci := s.Get(openflow.VlanTCI); tci&0x1000 != 0 {
		q.VLAN = uint16(tci & 0xfff)
	}
	q.Mark = uint32(s.Get(openflow.PktMark))
	if !p.arp {
		q.Src, q.Dst = bitsAddr(s.Get(openflow.NwSrc)), bitsAddr(s.Get(openflow.NwDst))
		q.TTL = uint8(s.Get(openflow.NwTTL))
		if q.HasPorts() {
			q.SrcPort, q.DstPort = uint16(s.Get(openflow.TpSrc)), uint16(s.Get(openflow.TpDst))
		}
	}
	tun := tunMeta{id: s.Get(openflow.TunID)}
	if v := s.Get(openflow.TunDst); v != 0 {
		tun.dst = bitsAddr(v)
	}
	return q, tun
}

// stateDiff lists what a flow changed, in OpenFlow's field names.
func stateDiff(a, b openflow.State) []FieldDiff {
	var out []FieldDiff
	for _, f := range diffFields {
		if x, y := a.Get(f), b.Get(f); x != y {
			out = append(out, FieldDiff{Field: f.String(), Old: openflow.FormatValue(f, x), New: openflow.FormatValue(f, y)})
		}
	}
	return out
}

var diffFields = func() []openflow.Field {
	fs := []openflow.Field{openflow.InPort, openflow.DlSrc, openflow.DlDst, openflow.VlanTCI, openflow.NwSrc, openflow.NwDst,
		openflow.NwTTL, openflow.TpSrc, openflow.TpDst, openflow.TunID, openflow.TunDst, openflow.Metadata, openflow.PktMark, openflow.CtState, openflow.CtZone}
	for r := openflow.Reg0; r <= openflow.Reg15; r++ {
		fs = append(fs, r)
	}
	return fs
}()

func macBits(m model.MAC) uint64 {
	var v uint64
	for _, b := range m {
		v = v<<8 | uint64(b)
	}
	return v
}

func bitsMAC(v uint64) model.MAC {
	var m model.MAC
	for i := 5; i >= 0; i-- {
		m[i] = byte(v)
		v >>= 8
	}
	return m
}

func addrBits(a netip.Addr) uint64 {
	if !a.Is4() {
		return 0
	}
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

func bitsAddr(v uint64) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
