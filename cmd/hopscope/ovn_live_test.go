package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	ovnimport "github.com/hopscope/hopscope/importers/ovn"
	"github.com/hopscope/hopscope/oracle/ovnrun"
	"github.com/hopscope/hopscope/scenarios"
)

// A live NB and SB, with nothing else: hopscope reads them over their
// sockets and traces the DB VM's packet through the logical network to the
// NAT gateway's port on the other chassis, over a Geneve hop whose VNI is
// the tunnel key northd gave the switch.
func TestTraceLiveOVN(t *testing.T) {
	c := ovnrun.Start(t)
	sc, err := scenarios.LoadExample("ovn-vpc")
	if err != nil {
		t.Fatal(err)
	}
	db := sc.Topology.OVN
	if err := ovnimport.Write(context.Background(), c.NB, db); err != nil {
		t.Fatal(err)
	}
	for _, ch := range db.Chassis {
		if _, err := c.SBCtl("chassis-add", ch.Name, "geneve", ch.Encaps[0].IP.String()); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			if p.Chassis != "" {
				if _, err := c.SBCtl("lsp-bind", p.Name, p.Chassis); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	key, err := c.SBCtl("--bare", "--columns=tunnel_key", "find", "Datapath_Binding", "external_ids:name=neutron-3b1f6d2e-0c41-4a8e-9d51-7e2f0a6c1b01")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := hopscope("trace", "--ovn-nb", c.NB, "--ovn-sb", c.SB, "--from", "6b1e0c55-0003-4a3e-9c55-0a0004000088",
		"--to", "8.8.8.8", "--proto", "tcp", "--dport", "443", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, errOut, out)
	}
	var rep struct {
		Traces []struct {
			Disposition string
			Hops        []struct {
				Node  struct{ Kind, Host, Name string }
				Steps []struct {
					Kind   string
					Detail map[string]any
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	tr := rep.Traces[0]
	if tr.Disposition != "DELIVERED" {
		t.Fatalf("disposition %s", tr.Disposition)
	}
	var path []string
	vni := ""
	for _, h := range tr.Hops {
		path = append(path, h.Node.Host+":"+h.Node.Name)
		for _, s := range h.Steps {
			if s.Kind == "Encap" {
				vni = strings.TrimSuffix(strings.TrimSpace(key), "\n")
				if got := s.Detail["key"]; got != jsonNumber(vni) {
					t.Errorf("Geneve VNI %v, want the switch's tunnel key %s", got, vni)
				}
			}
		}
	}
	if vni == "" {
		t.Errorf("no Geneve hop in %v", path)
	}
	last := path[len(path)-1]
	if last != "hv1:neutron-3b1f6d2e-0c41-4a8e-9d51-7e2f0a6c1b01" {
		t.Errorf("ended at %s, want vpc-public's egress on hv1; path %v", last, path)
	}
}

func jsonNumber(s string) any {
	var v any
	json.Unmarshal([]byte(s), &v)
	return v
}
