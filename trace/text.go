package trace

import (
	"fmt"
	"io"
	"strings"
)

var stepLabels = map[StepKind]string{
	EnterPort: "enter", ExitPort: "exit", Netfilter: "iptables", Conntrack: "conntrack", Route: "route",
	Neighbor: "neighbour", BridgeFDB: "fdb", OVSFlow: "openflow", OVNStage: "ovn", Transform: "rewrite",
	Encap: "encap", Decap: "decap", Deliver: "end",
}

// WriteText tells each trace as a story: one block per hop, one line per
// step with the rule that decided it, and what changed.
func WriteText(w io.Writer, traces []*Trace) error {
	var b strings.Builder
	for i, t := range traces {
		if len(traces) > 1 {
			fmt.Fprintf(&b, "── path %d of %d", i+1, len(traces))
			if len(t.Branch) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(t.Branch, "; "))
			}
			b.WriteString("\n")
		}
		writeTrace(&b, t)
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTrace(b *strings.Builder, t *Trace) {
	fmt.Fprintf(b, "packet: %s", t.Packet)
	if !t.Packet.SrcMAC.IsZero() || !t.Packet.DstMAC.IsZero() {
		fmt.Fprintf(b, "  (%s > %s)", t.Packet.SrcMAC, t.Packet.DstMAC)
	}
	b.WriteString("\n")
	for i, h := range t.Hops {
		role := h.Node.Kind.String()
		if h.Node.Role != "" && h.Node.Kind == NodeNamespace {
			role = h.Node.Role
		}
		fmt.Fprintf(b, "\n%2d  %s  [%s]\n", i+1, h.Node, role)
		for _, s := range h.Steps {
			writeStep(b, s)
		}
	}
	fmt.Fprintf(b, "\n=> %s: %s\n", t.Disposition, t.Why)
	fmt.Fprintf(b, "   final: %s\n", t.Final)
}

func writeStep(b *strings.Builder, s Step) {
	fmt.Fprintf(b, "      %-10s %s\n", stepLabels[s.Kind], s.Why)
	if d, ok := s.Detail.(*NetfilterDetail); ok && len(d.Hits) > 1 {
		for _, h := range d.Hits {
			fmt.Fprintf(b, "                   %s #%d: %s   [%s]\n", h.Chain, h.Num, h.Rule, h.Effect)
		}
	}
	if d, ok := s.Detail.(*RouteDetail); ok && len(d.Rules) > 1 {
		fmt.Fprintf(b, "                   ip rules matched: %s\n", strings.Join(trimAll(d.Rules), " | "))
	}
	if d, ok := s.Detail.(*NeighborDetail); ok && d.Evidence != "" {
		fmt.Fprintf(b, "                   neighbour cache: %s\n", d.Evidence)
	}
	if d, ok := s.Detail.(*PortDetail); ok && d.OpenFlow != "" {
		fmt.Fprintf(b, "                   as OpenFlow sees it: %s\n", d.OpenFlow)
	}
	if s.Source != nil && s.Source.Location != "" {
		fmt.Fprintf(b, "                   at %s\n", s.Source.Location)
	}
	for _, d := range s.Diff {
		fmt.Fprintf(b, "                   %s: %s -> %s\n", d.Field, d.Old, d.New)
	}
}

func trimAll(rules []string) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = trimPrio(r)
	}
	return out
}
