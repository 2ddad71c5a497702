package trace

import (
	"fmt"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/openflow"
)

// ofIn runs bridge in.Bridge's OpenFlow pipeline on a frame p that entered
// on port in as st, records one step per flow, and sends each output copy on.
func (r *run) ofIn(c *cur, in *model.OVSPort, p Packet, tun tunMeta, st openflow.State) {
	b := in.Bridge
	x := xlate(b, r.learned(b), st, r.e.texts)
	for _, s := range x.steps {
		c.tr.add(s)
	}
	if x.end != nil {
		r.finish(c, x.endDisp, *x.end, p)
		return
	}
	if len(x.outs) == 0 {
		r.finish(c, Dropped, Step{Kind: OVSFlow, Action: DroppedAction, Why: fmt.Sprintf("%s: %s", b.Name, x.why)}, p)
		return
	}
	for _, o := range x.outs {
		cc := c
		if len(x.outs) > 1 {
			cc = c.fork("output to " + outName(o))
		}
		q, qt := packetOf(p, &o.st)
		qt.src, qt.dst = tun.src, tun.dst
		switch o.kind {
		case outController:
			r.finish(cc, Unsupported, Step{Kind: OVSFlow, Action: UnsupportedAction,
				Why: fmt.Sprintf("%s sends the packet to its OpenFlow controller, whose answer the model cannot know", b.Name)}, q)
		case outNormal:
			iv, ok := ovsIngressVLAN(in, q.VLAN)
			if !ok {
				r.finish(cc, Dropped, Step{Kind: BridgeFDB, Action: DroppedAction,
					Why: fmt.Sprintf("NORMAL: port %s does not admit a frame tagged %d (tag %d, trunks %v)", in.Name, q.VLAN, in.Tag, in.Trunks)}, q)
				continue
			}
			r.normal(cc, in, q, iv, qt)
		default:
			r.portOut(cc, o.port, p, q, qt)
		}
	}
}

func outName(o ofOut) string {
	switch o.kind {
	case outNormal:
		return "NORMAL"
	case outController:
		return "CONTROLLER"
	}
	return o.port.Name
}

// learned holds the flows learn actions added during this run, per bridge.
func (r *run) learned(b *model.OVSBridge) *openflow.Flows {
	if r.learnt == nil {
		r.learnt = map[*model.OVSBridge]*openflow.Flows{}
	}
	f := r.learnt[b]
	if f == nil {
		f = openflow.NewFlows(nil)
		r.learnt[b] = f
	}
	return f
}

// BridgeOutput is one copy of a packet an OpenFlow pipeline outputs.
type BridgeOutput struct {
	Port  string // the port's name, or NORMAL, or CONTROLLER
	State openflow.State
}

// Pipeline runs one bridge's OpenFlow pipeline on its own, as
// ofproto/trace does for one bridge; it keeps the flows' printed texts
// between runs, as an Engine does.
type Pipeline struct {
	b     *model.OVSBridge
	texts flowTexts
}

// NewPipeline is bridge b's pipeline.
func NewPipeline(b *model.OVSBridge) *Pipeline { return &Pipeline{b: b, texts: flowTexts{}} }

// Run runs the pipeline once for a packet in state st (in_port set): the
// copies it outputs, the steps, the step that ended it early (nil when it
// ran to the end; no outputs then means dropped), and the fields at the end.
func (pl *Pipeline) Run(st openflow.State) ([]BridgeOutput, []Step, *Step, openflow.State) {
	x := xlate(pl.b, openflow.NewFlows(nil), st, pl.texts)
	var outs []BridgeOutput
	for _, o := range x.outs {
		outs = append(outs, BridgeOutput{Port: outName(o), State: o.st})
	}
	return outs, x.steps, x.end, x.final
}
