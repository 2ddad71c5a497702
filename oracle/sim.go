package oracle

import (
	"fmt"

	"github.com/hopscope/hopscope/lab"
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/trace"
)

// Simulate traces c (and its reply) and says what the lab should see.
func Simulate(e *trace.Engine, p *lab.Plan, c Case) Verdict {
	traces, err := e.Trace(c.Request())
	if err != nil {
		return Verdict{Skip: "trace: " + err.Error()}
	}
	var got *trace.Trace
	for _, t := range traces {
		if t.Disposition == trace.Unsupported {
			return Verdict{Skip: t.Why}
		}
		if why := crossesTunnel(t); why != "" {
			return Verdict{Skip: why}
		}
		if got == nil && t.Disposition.Success() {
			got = t
		}
	}
	if got == nil {
		last := traces[len(traces)-1]
		return Verdict{Note: last.Disposition.String() + ": " + last.Why}
	}
	ns, skip := receiver(e, p, got)
	if skip != "" {
		return Verdict{Skip: skip}
	}
	v := Verdict{Delivered: true, NS: ns, Src: got.Final.Src, Dst: got.Final.Dst, Note: got.Disposition.String()}
	if c.Proto != "icmp" {
		v.DPort = got.Final.DstPort
	}
	replies, err := e.Reply(traces)
	if err == nil {
		for _, t := range replies {
			if t.Disposition == trace.Unsupported {
				return Verdict{Skip: "reply: " + t.Why}
			}
			v.Replied = v.Replied || t.Disposition.Success()
		}
	}
	if c.Proto == "tcp" && !v.Replied {
		// A socket only sees a TCP connection once the handshake completes.
		v.Delivered, v.Note = false, "the SYN arrives but the SYN-ACK does not get back"
	}
	return v
}

// receiver is the lab namespace standing for where a path ended. A path
// that left through a segment's gateway towards an address inside the
// topology cannot be compared: what the upstream network does with it is
// outside the model (the lab's gateway has no route back in).
func receiver(e *trace.Engine, p *lab.Plan, t *trace.Trace) (string, string) {
	ns, seg := t.End()
	if ns != nil {
		return p.NetnsOf(ns), ""
	}
	dst := t.Final.Dst
	if src := t.Final.Src; seg.Beyond(src) && !seg.OnSegment(src) && len(e.Topo.AddrOwners(src)) == 0 {
		return "", fmt.Sprintf("the packet left through segment %s with source %s, an address beyond its gateway: what the upstream network does with it is outside the model", seg.Name, src)
	}
	if ep := e.Topo.EndpointAt(dst); ep != nil && ep.Kind == model.EPExternal && seg.OnSegment(ep.Addr) {
		if n := p.EndpointNetns(ep); n != "" {
			return n, ""
		}
	}
	if len(e.Topo.AddrOwners(dst)) > 0 {
		return "", fmt.Sprintf("the packet left through segment %s towards %s, an address inside the topology: the upstream network is outside the model", seg.Name, dst)
	}
	return p.SegmentNetns(seg), ""
}

// crossesTunnel says why a path through an OVS tunnel port cannot be
// probed: the lab does not realise tunnels (see lab.Plan's notes).
func crossesTunnel(t *trace.Trace) string {
	for _, h := range t.Hops {
		if h.Node.Kind == trace.NodeTunnel {
			return "the path crosses tunnel port " + h.Node.String() + ", which the lab cannot carry between its hosts"
		}
	}
	return ""
}
