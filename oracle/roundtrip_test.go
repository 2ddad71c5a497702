package oracle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/importers"
	"github.com/hopscope/hopscope/importers/ovsdb"
	"github.com/hopscope/hopscope/lab"
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/scenarios"
)

// TestRoundTrip builds every example as a lab, imports the lab back with
// the live importers, and compares the two models up to what the lab says
// it substituted (a tap realised as a veth, say) and to ordering; then
// traces every check on both and compares the stories.
func TestRoundTrip(t *testing.T) {
	requireLab(t)
	ctx := context.Background()
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadExample(name)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Topology.OVN != nil {
				t.Skip(lab.ErrOVN)
			}
			p, err := lab.NewPlan(sc.Topology, lab.Options{Prefix: fmt.Sprintf("hsrt%d", os.Getpid()%100000)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { lab.Down(ctx, p.Prefix) })
			if err := lab.Up(ctx, p); err != nil {
				t.Fatal(err)
			}
			got, notes, err := importers.Live(ctx, importers.Options{Place: p.Place, NoOVS: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range notes {
				t.Log("import:", n)
			}
			for _, d := range diffLinux(sc.Topology, got) {
				t.Error(d)
			}
			for _, o := range p.OVS {
				ovs, err := ovsdb.Import(ctx, "unix:"+filepath.Join(o.Dir, "db.sock"))
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range ovsdb.ReadFlows(ctx, ovs, o.Dir) {
					t.Log("import:", n)
				}
				for _, d := range diffOVS(sc.Topology.Host(o.Host).OVS, ovs) {
					t.Errorf("host %s: %s", o.Host, d)
				}
			}
			if len(p.OVS) > 1 {
				t.Logf("trace --live: not compared: %d hosts run OVS and one live import reads one vswitchd", len(p.OVS))
				return
			}
			n, diffs, err := liveStories(ctx, sc, p)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("trace --live: %d cases traced on the scenario and on its lab, %d stories differ", n, len(diffs))
			for _, d := range diffs {
				t.Error("trace --live: " + d)
			}
		})
	}
}

// realisedKind is the kind a model device comes back as from a lab.
func realisedKind(i *model.Interface) model.IfKind {
	switch i.Kind {
	case model.IfTap, model.IfNIC, model.IfOVSInternal, model.IfDummy:
		return model.IfVeth
	case model.IfPhysical:
		return model.IfVeth // its wire to the segment or the peer host is a veth
	}
	return i.Kind
}

// movedToOVS reports whether the lab moved i into its host's OVS namespace.
func movedToOVS(i *model.Interface) bool {
	return i.OVSPort != nil && i.OVSPort.Type == model.OVSSystem && i.Kind != model.IfOVSInternal
}

func diffLinux(want, got *model.Topology) []string {
	var out []string
	for _, h := range want.Hosts {
		gh := got.Host(h.Name)
		if gh == nil {
			return append(out, "host "+h.Name+" was not imported")
		}
		for _, ns := range h.Namespaces {
			gns := gh.Namespace(ns.Name)
			if gns == nil {
				out = append(out, "namespace "+ns.Ref()+" was not imported")
				continue
			}
			out = append(out, diffNamespace(ns, gns)...)
		}
	}
	return out
}

func diffNamespace(w, g *model.Namespace) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, w.Ref()+": "+fmt.Sprintf(format, args...)) }
	if w.IPForward != g.IPForward {
		bad("ip_forward %v, imported %v", w.IPForward, g.IPForward)
	}
	if w.BridgeNFCallIptables != g.BridgeNFCallIptables {
		bad("bridge-nf-call-iptables %v, imported %v", w.BridgeNFCallIptables, g.BridgeNFCallIptables)
	}
	for _, i := range w.Interfaces {
		if movedToOVS(i) || i.Kind == model.IfOther {
			continue
		}
		gi := g.Interface(i.Name)
		if gi == nil {
			bad("interface %s was not imported", i.Name)
			continue
		}
		if k := realisedKind(i); gi.Kind != k {
			bad("%s is a %s, imported a %s", i.Name, k, gi.Kind)
		}
		if !i.MAC.IsZero() && i.MAC != gi.MAC {
			bad("%s mac %s, imported %s", i.Name, i.MAC, gi.MAC)
		}
		if a, b := addrs(i), addrs(gi); a != b {
			bad("%s addresses [%s], imported [%s]", i.Name, a, b)
		}
		if i.MasterName != gi.MasterName {
			bad("%s master %q, imported %q", i.Name, i.MasterName, gi.MasterName)
		}
		if i.Peer != nil && !movedToOVS(i.Peer) && i.Peer.Kind != model.IfOVSInternal && gi.PeerRef != i.Peer.Ref() {
			bad("%s peer %s, imported %q", i.Name, i.Peer.Ref(), gi.PeerRef)
		}
		if i.ProxyARP != gi.ProxyARP || i.RPFilter != gi.RPFilter {
			bad("%s proxy_arp %v rp_filter %d, imported %v %d", i.Name, i.ProxyARP, i.RPFilter, gi.ProxyARP, gi.RPFilter)
		}
	}
	if a, b := lines(w.Routes, func(r *model.Route) bool { return !r.Implied }), lines(g.Routes, func(r *model.Route) bool { return !r.Implied }); a != b {
		bad("routes\n%s\nimported\n%s", a, b)
	}
	if a, b := lines(w.Rules, nil), lines(g.Rules, nil); a != b {
		bad("rules\n%s\nimported\n%s", a, b)
	}
	perm := func(n *model.Neighbor) bool { return n.State == model.NeighPermanent }
	if a, b := lines(w.Neighbors, perm), lines(g.Neighbors, perm); a != b {
		bad("permanent neighbours\n%s\nimported\n%s", a, b)
	}
	if a, b := ruleset(w), ruleset(g); a != b {
		bad("iptables\n%s\nimported\n%s", a, b)
	}
	return out
}

func addrs(i *model.Interface) string {
	var s []string
	for _, a := range i.Addrs {
		if !a.Addr().IsLinkLocalUnicast() {
			s = append(s, a.String())
		}
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

// lines prints objects one per line, sorted, with tabs as spaces.
func lines[T fmt.Stringer](list []T, keep func(T) bool) string {
	var s []string
	for _, x := range list {
		if keep == nil || keep(x) {
			s = append(s, strings.ReplaceAll(x.String(), "\t", " "))
		}
	}
	slices.Sort(s)
	return strings.Join(s, "\n")
}

// ruleset prints a namespace's iptables rules table by table, tables in
// name order (iptables-save has its own order), leaving out comments,
// counters and tables with no rules (it lists every table the kernel loaded).
func ruleset(ns *model.Namespace) string {
	if ns.Netfilter == nil {
		return ""
	}
	tables := map[string][]string{}
	table := ""
	for _, l := range strings.Split(ns.Netfilter.String(), "\n") {
		switch {
		case strings.HasPrefix(l, "*"):
			table = l
		case strings.HasPrefix(l, "-A "):
			tables[table] = append(tables[table], l)
		}
	}
	var names []string
	for n := range tables {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + "\n" + strings.Join(tables[n], "\n") + "\n")
	}
	return b.String()
}

func diffOVS(w, g *model.OVS) []string {
	var out []string
	if g == nil {
		return []string{"no OVS imported"}
	}
	for _, b := range w.Bridges {
		gb := g.Bridge(b.Name)
		if gb == nil {
			out = append(out, "bridge "+b.Name+" was not imported")
			continue
		}
		if b.Flows != nil && (gb.Flows == nil || len(gb.Flows.All()) != len(b.Flows.All())) {
			n := 0
			if gb.Flows != nil {
				n = len(gb.Flows.All())
			}
			out = append(out, fmt.Sprintf("%s: %d flows, imported %d", b.Name, len(b.Flows.All()), n))
		}
		for _, p := range b.Ports {
			if p.Type != model.OVSSystem && p.Type != model.OVSPatch && p.Type != model.OVSInternalPort {
				continue // tunnels: not realised yet, the lab says so
			}
			gp := gb.Port(p.Name)
			if p.Type == model.OVSInternalPort && p.Name == b.Name {
				gp = gb.Port("l-" + p.Name[:min(len(p.Name), 13)]) // the lab's stand-in for the local port
			}
			if gp == nil {
				if p.Name != b.Name {
					out = append(out, fmt.Sprintf("%s: port %s was not imported", b.Name, p.Name))
				}
				continue
			}
			if gp.Tag != p.Tag || !slices.Equal(gp.Trunks, p.Trunks) || gp.PeerName != p.PeerName {
				out = append(out, fmt.Sprintf("%s: port %s tag %d trunks %v peer %q, imported tag %d trunks %v peer %q",
					b.Name, p.Name, p.Tag, p.Trunks, p.PeerName, gp.Tag, gp.Trunks, gp.PeerName))
			}
		}
	}
	return out
}
