package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestViewJSONRoundTrip(t *testing.T) {
	v := testTopology(t).View()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var back TopologyView
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, back); diff != "" {
		t.Errorf("view changed through JSON (-before +after):\n%s", diff)
	}

	text := string(data)
	for _, want := range []string{
		`"name": "graph-demo"`,
		`"kind": "veth"`,               // enums by name
		`"peer": "h1:ctr:eth0"`,        // references as strings
		`"ovs_port": "h1:br-int:qr-1"`, // lower_snake_case keys
		`"bridge_nf_call_iptables": true`,
		`"iface": "h1:qrouter-1:qr-1"`, // internal port's netdev in a netns
		`"peer": "h1:br-ex:patch-int"`, // patch peer
		`"text": "default via 192.168.0.1 dev eth0"`,
		`"text": "100:\tfrom 10.0.1.0/24 lookup 10"`,
		`"state": "FAILED"`,
		`"policy": "DROP"`,
		`"segment": "provider"`,
		`"mac": "fa:16:3e:00:00:03"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	for _, bad := range []string{`"NS"`, `"Peer"`, `"IPForward"`, `"0001-01-01`, `"invalid IP"`} {
		if strings.Contains(text, bad) {
			t.Errorf("JSON contains %s", bad)
		}
	}
}

func TestViewFields(t *testing.T) {
	v := testTopology(t).View()
	root := v.Hosts[0].Namespaces[0]
	var route10 RouteView
	for _, r := range root.Routes {
		if r.Table == 10 {
			route10 = r
		}
	}
	want := RouteView{Text: "default via 203.0.113.1 dev br0 table 10", Table: 10, Type: "unicast",
		Dst: "0.0.0.0/0", Gateway: "203.0.113.1", Dev: "br0"}
	if diff := cmp.Diff(want, route10); diff != "" {
		t.Errorf("table 10 route (-want +got):\n%s", diff)
	}
	br0 := root.Interfaces[3]
	if diff := cmp.Diff([]string{"veth0", "tap0"}, br0.BridgePorts); diff != "" {
		t.Errorf("br0 ports (-want +got):\n%s", diff)
	}
	if got := v.Endpoints[3]; got.Segment != "provider" || got.Kind != "external" || got.NS != "" {
		t.Errorf("external endpoint view = %+v", got)
	}
	if got := v.Segments[1].Ifaces; len(got) != 1 || got[0] != "h1:root:eth1" {
		t.Errorf("provider segment NICs = %q", got)
	}
}
