package scenarios

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hopscope/hopscope/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// summary prints the parts of a topology a test wants to pin down, one fact
// a line, so a diff says exactly what changed.
func summary(t *model.Topology) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, s := range t.Segments {
		add("segment %s %v gw %s %s upstream %v", s.Name, s.Prefixes, s.Gateway, s.GatewayMAC, s.Upstream)
	}
	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			add("ns %s %s forward=%v brnf=%v @%s", ns.Ref(), ns.Kind, ns.IPForward, ns.BridgeNFCallIptables, ns.Source)
			for _, i := range ns.Interfaces {
				s := fmt.Sprintf("  if %s %s", i.Name, i.Kind)
				if !i.MAC.IsZero() {
					s += " mac " + i.MAC.String()
				}
				if i.MTU != 0 {
					s += fmt.Sprintf(" mtu %d", i.MTU)
				}
				for _, a := range i.Addrs {
					s += " " + a.String()
				}
				if i.Peer != nil {
					s += " peer " + i.Peer.Ref()
				}
				if i.Master != nil {
					s += " master " + i.Master.Name
				}
				if i.Segment != nil {
					s += " segment " + i.Segment.Name
				}
				if i.OVSPort != nil {
					s += " ovs " + i.OVSPort.Ref()
				}
				if i.ProxyARP {
					s += " proxy-arp"
				}
				if i.Bridge != nil {
					for _, f := range i.Bridge.FDB {
						s += fmt.Sprintf(" fdb %s->%s", f.MAC, f.Port)
					}
				}
				add("%s", s)
			}
			for _, r := range ns.Routes {
				if !r.Implied {
					add("  route %s @%s", r, r.Source)
				}
			}
			for _, r := range ns.Rules {
				add("  rule %s @%s", strings.ReplaceAll(r.String(), "\t", " "), r.Source)
			}
			for _, n := range ns.Neighbors {
				add("  neigh %s @%s", n, n.Source)
			}
			if ns.Netfilter != nil {
				add("  netfilter")
			}
		}
		if h.OVS != nil {
			for _, b := range h.OVS.Bridges {
				add("ovs %s fail-mode %s", b.Ref(), b.FailMode)
				for _, p := range b.Ports {
					s := "  port " + p.String()
					if p.OFPort != 0 {
						s += fmt.Sprintf(" ofport %d", p.OFPort)
					}
					if p.Peer != nil {
						s += " peer " + p.Peer.Ref()
					}
					if p.Iface != nil {
						s += " netdev " + p.Iface.Ref()
					}
					if len(p.ExternalIDs) > 0 {
						s += " iface-id " + p.ExternalIDs["iface-id"]
					}
					if p.Options["remote_ip"] != "" {
						s += " remote_ip " + p.Options["remote_ip"]
					}
					add("%s", s)
				}
			}
		}
	}
	for _, e := range t.Endpoints {
		s := "endpoint " + e.String()
		if e.NS != nil {
			s += " ns " + e.NS.Ref()
		}
		if e.Iface != nil {
			s += " iface " + e.Iface.Name
		}
		if e.Segment != nil {
			s += " segment " + e.Segment.Name
		}
		add("%s @%s", s, e.Source)
	}
	return out
}

// TestLoadFileDVR loads the complete DVR scenario and compares the model
// it builds with testdata/dvr.summary (refresh with -update).
func TestLoadFileDVR(t *testing.T) {
	sc, err := LoadFile("testdata/dvr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(summary(sc.Topology), "\n") + "\n"
	golden := filepath.Join("testdata", "dvr.summary")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); d != "" {
		t.Errorf("model (-want +got):\n%s", d)
	}
	if sc.Topology.Name != "dvr-floating-ip" {
		t.Errorf("name %q", sc.Topology.Name)
	}
	if d := cmp.Diff([]string{"testdata/dvr.yaml"}, sc.Files); d != "" {
		t.Errorf("files:\n%s", d)
	}
	wantChecks := []Check{
		{
			Name: "VM reaches the internet with its floating IP", From: "test", To: "internet", Proto: "icmp",
			Expect: Expect{Disposition: "EXITED", Via: []string{"qbr8aa5e3b4-6c", "qrouter-d3218b9c-73bb-4788-87e4-5828625fe586"},
				Src: ip("192.168.10.106"), Dst: ip("8.8.8.8")},
			Source: model.Source{File: "testdata/dvr.yaml", Line: 155, What: "checks[0]"},
		},
		{
			Name: "ssh without the allow-all tcp rule is denied", From: "8.8.8.8", To: "test", Proto: "tcp", SPort: 40000, DPort: 22, Reply: true,
			Disable: []RuleRef{{NS: "compute02:root", Table: "filter",
				Rule:   "-A neutron-openvswi-i8aa5e3b4-6 -p tcp -m tcp -m multiport --dports 1:65535 -j RETURN",
				Source: model.Source{File: "testdata/dvr.yaml", Line: 171, What: "checks[1].disable[0]"}}},
			Expect: Expect{Disposition: "DENIED", DecidedBy: "neutron-openvswi-i8aa5e3b4-6"},
			Source: model.Source{File: "testdata/dvr.yaml", Line: 163, What: "checks[1]"},
		},
	}
	if d := cmp.Diff(wantChecks, sc.Checks, cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})); d != "" {
		t.Errorf("checks (-want +got):\n%s", d)
	}
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }
