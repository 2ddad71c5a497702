// Package importers reads a live machine into one model: namespaces and
// iptables (netns, iptables) and Open vSwitch (ovsdb).
package importers

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/hopscope/hopscope/importers/netns"
	"github.com/hopscope/hopscope/importers/ovsdb"
	"github.com/hopscope/hopscope/model"
)

// Options say what to read.
type Options struct {
	HostName string                                            // "" = os.Hostname()
	OVSDB    string                                            // "unix:PATH" or "tcp:IP:PORT"; "" = the default socket, if any
	NoOVS    bool                                              // do not read Open vSwitch
	Place    func(netnsName string) (host, ns string, ok bool) // see netns.Options
}

// Live snapshots this machine. Problems are the parts that could not be
// read (a namespace that vanished, say); the snapshot goes on without them.
func Live(ctx context.Context, o Options) (*model.Topology, []string, error) {
	if o.HostName == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, nil, err
		}
		o.HostName = h
	}
	hosts, problems, err := netns.Import(ctx, netns.Options{HostName: o.HostName, Place: o.Place})
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	for _, p := range problems {
		notes = append(notes, fmt.Sprintf("namespace %q: %v", p.NS, p.Err))
	}
	var ovs *model.OVS
	if !o.NoOVS {
		if ovs, err = ovsdb.Import(ctx, o.OVSDB); err != nil {
			return nil, nil, err
		}
		if ovs != nil {
			notes = append(notes, ovsdb.ReadFlows(ctx, ovs, ovsdb.RunDir(o.OVSDB))...)
		}
	}
	if ovs != nil {
		for _, h := range hosts {
			if h.Name == o.HostName {
				h.OVS = ovs
				notes = append(notes, placeOVS(h, ovs)...)
			}
		}
	}
	t := &model.Topology{Name: o.HostName, Description: "live snapshot of " + o.HostName, Hosts: hosts}
	for _, h := range hosts {
		h.Topo = t
	}
	for _, h := range hosts {
		for _, ns := range h.Namespaces {
			notes = append(notes, unseenPeers(t, ns)...)
			uplinks(t, ns)
		}
	}
	if err := t.Resolve(); err != nil {
		return nil, notes, fmt.Errorf("the snapshot does not hold together: %w", err)
	}
	return t, notes, nil
}

// unseenPeers cuts the wires to namespaces the import did not read (a
// container's, which `ip netns` does not list): the device then shows as
// wired to nothing, and the snapshot says why.
func unseenPeers(t *model.Topology, ns *model.Namespace) []string {
	var notes []string
	for _, i := range ns.Interfaces {
		if i.PeerRef == "" {
			continue
		}
		host, rest, _ := strings.Cut(i.PeerRef, ":")
		nsName, _, _ := strings.Cut(rest, ":")
		if h := t.Host(host); h == nil || h.Namespace(nsName) == nil {
			notes = append(notes, fmt.Sprintf("%s: its peer %s is in a namespace `ip netns` does not list: left unwired", i.Ref(), i.PeerRef))
			i.PeerRef = ""
		}
	}
	return notes
}

// uplinks turns every physical NIC with no peer into the uplink to an
// external segment: its subnets, and the gateway the main table's default
// route names on it (with everything beyond it upstream).
func uplinks(t *model.Topology, ns *model.Namespace) {
	for _, i := range ns.Interfaces {
		if i.Kind != model.IfPhysical || i.PeerRef != "" || i.SegmentName != "" {
			continue
		}
		seg := &model.Segment{Name: ns.Host.Name + "-" + i.Name, Source: model.Source{What: "uplink of " + i.Ref()}}
		for _, a := range i.Addrs {
			if a.Addr().Is4() {
				seg.Prefixes = append(seg.Prefixes, a.Masked())
			}
		}
		for _, r := range ns.Routes {
			if r.Table == model.TableMain && r.Dst.Bits() == 0 && r.Dst.Addr().Is4() && len(r.Nexthops) == 1 &&
				r.Nexthops[0].Dev == i.Name && r.Nexthops[0].Gateway.IsValid() {
				seg.Gateway = r.Nexthops[0].Gateway
				seg.Upstream = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
			}
		}
		for _, n := range ns.Neighbors {
			if n.IP == seg.Gateway && n.Dev == i.Name {
				seg.GatewayMAC = n.MAC
			}
		}
		i.SegmentName = seg.Name
		t.Segments = append(t.Segments, seg)
	}
}
