package oracle

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hopscope/hopscope/importers"
	"github.com/hopscope/hopscope/lab"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// labNet is the model host the live import puts the lab's segment and
// external namespaces on: they stand for the network outside the hosts.
const labNet = "lab-net"

// placeAll maps every namespace of lab p onto the model: host namespaces
// back to their names, each OVS namespace onto its host (where the live
// importer finds the vswitchd's devices), segments and external endpoints
// onto labNet.
func placeAll(p *lab.Plan) func(string) (string, string, bool) {
	return func(name string) (string, string, bool) {
		for _, n := range p.Netns {
			if n.Name != name {
				continue
			}
			switch n.Role {
			case "namespace":
				return n.Host, n.NS, true
			case "ovs":
				return n.Host, n.Name, true
			default:
				return labNet, n.Name, true
			}
		}
		return "", "", false
	}
}

// liveStories traces every case of sc (its checks and endpoint pairs) on the scenario and on the live
// import of its lab (with its vswitchd, if any) and returns how
// each pair of stories differs, and how many pairs it compared.
func liveStories(ctx context.Context, sc *scenarios.Scenario, p *lab.Plan) (int, []string, error) {
	o := importers.Options{Place: placeAll(p), NoOVS: true}
	for _, op := range p.OVS { // at most one: the caller checks
		o.HostName, o.OVSDB, o.NoOVS = op.Host, "unix:"+filepath.Join(op.Dir, "db.sock"), false
	}
	live, _, err := importers.Live(ctx, o)
	if err != nil {
		return 0, nil, err
	}
	want, got := trace.New(sc.Topology), trace.New(live)
	var out []string
	n := 0
	for _, c := range Cases(sc) {
		n++
		req := c.Request()
		req.From = c.From.Addr.String()
		wt, err := want.Trace(req)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: scenario trace: %v", c, err))
			continue
		}
		gt, err := got.Trace(req)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: live trace: %v", c, err))
			continue
		}
		if wt[0].Disposition == trace.Exited {
			if _, skip := receiver(want, p, wt[0]); skip != "" {
				n-- // the lab has no upstream network: the kernel oracle says the same
				continue
			}
		}
		if d := storyDiff(wt[0], gt[0]); d != "" {
			out = append(out, c.String()+": "+d)
		}
	}
	return n, out, nil
}

// storyDiff compares a scenario's trace with the live one up to what the
// lab stands in for: a segment becomes a namespace with a bridge (so a
// packet that leaves through it is delivered there instead), and a VM is a
// namespace. The devices crossed, the final headers and the outcome must
// agree.
func storyDiff(want, got *trace.Trace) string {
	w, g := story(want, false), story(got, true)
	if w != g {
		return fmt.Sprintf("hops differ:\n  scenario: %s\n  live:     %s", w, g)
	}
	if want.Final.Src != got.Final.Src || want.Final.Dst != got.Final.Dst {
		return fmt.Sprintf("final %s > %s, live %s > %s", want.Final.Src, want.Final.Dst, got.Final.Src, got.Final.Dst)
	}
	wd, gd := want.Disposition, got.Disposition
	if wd == trace.Exited {
		wd = trace.Delivered // the lab's segment namespace receives what leaves
	}
	if wd != gd {
		return fmt.Sprintf("%s (%s), live %s (%s)", want.Disposition, want.Why, got.Disposition, got.Why)
	}
	return ""
}

// story lists the devices a trace crossed, with every stretch of the
// network outside the hosts as one "network".
func story(t *trace.Trace, live bool) string {
	var s []string
	for _, h := range t.Hops {
		name := h.Node.String()
		if h.Node.Kind == trace.NodeSegment || (live && h.Node.Host == labNet) {
			name = "network"
		}
		if len(s) == 0 || s[len(s)-1] != name || name != "network" {
			s = append(s, name)
		}
	}
	return strings.Join(s, " > ")
}
