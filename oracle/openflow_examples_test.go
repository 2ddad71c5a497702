package oracle

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/openflow"
	"github.com/hopscope/hopscope/oracle/ofproto"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
	"github.com/hopscope/hopscope/trace"
)

// TestOpenFlowExamples loads every example bridge's flows into a real
// ovs-vswitchd and puts to ofproto/trace each packet hopscope sends into
// that bridge, on every check, every endpoint pair and their replies. Each
// bridge is judged alone: its patch ports are plain ports there, so
// ofproto/trace stops where the bridge outputs. Where hopscope's pipeline
// reaches NORMAL, the real bridge is told where hopscope found the
// destination MAC (fdb/add), or floods as hopscope did when it found none.
func TestOpenFlowExamples(t *testing.T) {
	if why := ofproto.Missing(); why != "" {
		t.Skip("the OpenFlow oracle runs a real ovs-vswitchd: " + why)
	}
	var total, agreed, disagreed, skipped int
	for _, name := range scenarios.Examples() {
		sc, err := scenarios.LoadExample(name)
		if err != nil {
			t.Fatal(err)
		}
		cases, order := bridgeCases(t, sc)
		for _, b := range order {
			a, d, s := compareBridge(t, name, b, cases[b])
			t.Logf("%s %s: %d packets, %d agreed, %d disagreed, %d not comparable", name, b.Ref(), len(cases[b]), a, d, s)
			total, agreed, disagreed, skipped = total+len(cases[b]), agreed+a, disagreed+d, skipped+s
		}
	}
	t.Logf("OpenFlow agreement on the examples' bridges: %d packets, %d agreed, %d disagreed, %d not comparable", total, agreed, disagreed, skipped)
	if agreed == 0 {
		t.Error("no packet of any example was compared")
	}
}

// bridgeCase is one packet entering one bridge, with what hopscope's
// traces did with it there.
type bridgeCase struct {
	packet string            // the pipeline's input, in ofproto/trace syntax
	trace  string            // the first trace it came from, for messages
	fdb    *trace.FDBDetail  // NORMAL's lookup, when the pipeline reached it
	exits  map[string]uint16 // port -> VLAN on the wire, where the traces left
}

// bridgeCases traces every check, endpoint pair and reply of a scenario
// and gathers, per bridge with flows, the packets that entered it.
func bridgeCases(t *testing.T, sc *scenarios.Scenario) (map[*model.OVSBridge][]*bridgeCase, []*model.OVSBridge) {
	e := trace.New(sc.Topology)
	var reqs []trace.Request
	for _, ch := range sc.Checks {
		if len(ch.Disable) > 0 {
			continue // a what-if changes the topology; its packets are another bridge's
		}
		req, err := check.Request(ch)
		if err != nil {
			t.Fatalf("%s: check %q: %v", sc.Topology.Name, ch.Name, err)
		}
		reqs = append(reqs, req)
	}
	for _, c := range Cases(sc) {
		if c.Check == "" {
			reqs = append(reqs, c.Request())
		}
	}
	out := map[*model.OVSBridge][]*bridgeCase{}
	var order []*model.OVSBridge
	seen := map[string]*bridgeCase{}
	collect := func(req trace.Request, tr *trace.Trace) {
		for _, h := range tr.Hops {
			d, ok := h.Steps[0].Detail.(*trace.PortDetail)
			if !ok || d.OpenFlow == "" || h.Node.Kind != trace.NodeOVSBridge {
				continue
			}
			b := sc.Topology.Host(h.Node.Host).OVS.Bridge(h.Node.Name)
			key := b.Ref() + " " + d.OpenFlow
			c := seen[key]
			if c == nil {
				c = &bridgeCase{packet: d.OpenFlow, trace: fmt.Sprintf("%s %s -> %s", trace.ProtoName(req.Proto), req.From, req.To), exits: map[string]uint16{}}
				seen[key] = c
				if out[b] == nil {
					order = append(order, b)
				}
				out[b] = append(out[b], c)
			}
			for _, s := range h.Steps {
				if f, ok := s.Detail.(*trace.FDBDetail); ok && s.Kind == trace.BridgeFDB {
					c.fdb = f
				}
			}
			if last := h.Steps[len(h.Steps)-1]; last.Kind == trace.ExitPort {
				if p, ok := last.Detail.(*trace.PortDetail); ok {
					c.exits[p.Port] = p.VLAN
				}
			}
		}
	}
	for _, req := range reqs {
		trs, err := e.Trace(req)
		if err != nil {
			t.Fatalf("%s: %v", sc.Topology.Name, err)
		}
		for _, tr := range trs {
			collect(req, tr)
		}
		replies, _ := e.Reply(trs) // an error says nothing got through to reply to
		for _, tr := range replies {
			collect(req, tr)
		}
	}
	slices.SortFunc(order, func(a, b *model.OVSBridge) int { return cmp.Compare(a.Ref(), b.Ref()) })
	return out, order
}

// compareBridge builds bridge b in a switch of its own, loads its flows and
// compares every case.
func compareBridge(t *testing.T, example string, b *model.OVSBridge, cases []*bridgeCase) (agreed, disagreed, skipped int) {
	sw, err := ofproto.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sw.Close()
	var ports []ofproto.Port
	trunks := false
	for _, p := range b.Ports {
		if p.OFPort == int(openflow.PortLocal) || p.Name == b.Name {
			continue // the bridge's own port, which add-br makes
		}
		// Patch ports and system ports are outputs like any other when
		// the bridge is judged alone; tunnel ports encapsulate, and
		// ofproto/trace names the port the encapsulated packet used.
		rp := ofproto.Port{Name: p.Name, OFPort: p.OFPort, Type: "internal", Tag: int(p.Tag)}
		if trace.IsTunnel(p) {
			rp.Type, rp.Options = p.Type.String(), p.Options
		}
		trunks = trunks || len(p.Trunks) > 0 || p.VLANMode != ""
		ports = append(ports, rp)
	}
	if err := sw.AddBridge(b.Name, "secure", ports); err != nil {
		t.Fatalf("%s %s: %v", example, b.Ref(), err)
	}
	if err := sw.ReplaceFlows(b.Name, b.FlowText); err != nil {
		t.Fatalf("%s %s: loading its flows: %v", example, b.Ref(), err)
	}
	pl := trace.NewPipeline(b)
	for _, c := range cases {
		in, err := openflow.ParsePacket(c.packet)
		if err != nil {
			t.Fatalf("%s %s: %v", example, b.Ref(), err)
		}
		outs, _, end, _ := pl.Run(in)
		if end != nil && end.Action == trace.UnsupportedAction {
			skipped++
			continue
		}
		normal := slices.ContainsFunc(outs, func(o trace.BridgeOutput) bool { return o.Port == "NORMAL" })
		if normal && (trunks || c.fdb == nil || len(c.exits) == 0) {
			skipped++ // NORMAL with trunk settings the harness does not make, or that the traces did not follow
			continue
		}
		taught := normal && c.fdb.How != "flood"
		if taught {
			if len(c.exits) != 1 {
				t.Fatalf("%s %s: %s: NORMAL found %s but the traces left by %d ports", example, b.Ref(), c.packet, c.fdb.MAC, len(c.exits))
			}
			for port := range c.exits {
				if err := sw.AddFDB(b.Name, port, int(c.fdb.VLAN), c.fdb.MAC); err != nil {
					t.Fatal(err)
				}
			}
		}
		want, err := sw.Trace(b.Name, c.packet)
		if err != nil {
			t.Fatalf("%s %s: %v", example, b.Ref(), err)
		}
		if taught {
			if err := sw.FlushFDB(b.Name); err != nil {
				t.Fatal(err)
			}
		}
		if len(want.Other) > 0 {
			skipped++
			continue
		}
		if d := compareOutputs(want, bridgeOutputs(b, in, outs, c.exits), normal); d != "" {
			disagreed++
			t.Errorf("%s %s, packet %s (from the trace %s): %s\nofproto/trace:\n%s", example, b.Ref(), c.packet, c.trace, d, want.Raw)
			continue
		}
		agreed++
	}
	return agreed, disagreed, skipped
}

// bridgeOutputs are hopscope's outputs as the comparison sees them: a
// NORMAL output becomes the ports the traces left by, each with its VLAN
// on the wire; a tunnel output carries the key it encapsulates with.
func bridgeOutputs(b *model.OVSBridge, in openflow.State, outs []trace.BridgeOutput, exits map[string]uint16) []bridgeOut {
	var got []bridgeOut
	for _, o := range outs {
		if o.Port != "NORMAL" {
			bo := bridgeOut{port: o.Port, set: changed(in, o.State)}
			if p := b.Port(o.Port); p != nil && trace.IsTunnel(p) {
				if bo.set == nil {
					bo.set = map[string]string{}
				}
				bo.set["tun_id"] = fmt.Sprintf("%#x", trace.OutKey(p, o.State.Get(openflow.TunID)))
			}
			got = append(got, bo)
			continue
		}
		for port, vlan := range exits {
			st := o.State
			st.Set(openflow.VlanTCI, 0)
			if vlan != 0 {
				st.Set(openflow.VlanTCI, 0x1000|uint64(vlan))
			}
			got = append(got, bridgeOut{port: port, set: changed(in, st)})
		}
	}
	return got
}
