package model

import (
	"slices"
	"testing"
)

func TestExplain(t *testing.T) {
	topo := &Topology{Explanations: []Explanation{
		{Node: "qrouter-*", Text: "router"},
		{Node: "fip-*", Step: "Neighbor", Text: "proxy ARP"},
		{Node: "compute0:br-tun", Text: "tunnel bridge"},
		{Step: "Encap", Text: "vxlan"},
		{Node: "*:br-int", Text: "integration bridge"},
		{Node: "provider", Text: "segment"},
		{Node: "qrouter-[", Text: "bad glob: matches nothing"},
	}}
	tests := []struct {
		name, host, node string
		steps            []string
		want             []string
	}{
		{"name glob", "net", "qrouter-dc76", []string{"EnterPort", "Route"}, []string{"router"}},
		{"host:name glob", "compute0", "br-tun", []string{"EnterPort", "OVSFlow"}, []string{"tunnel bridge"}},
		{"host:name on another host", "network", "br-tun", []string{"EnterPort"}, nil},
		{"any host", "network", "br-int", nil, []string{"integration bridge"}},
		{"step present", "c2", "fip-eddc", []string{"EnterPort", "Route", "Neighbor", "ExitPort"}, []string{"proxy ARP"}},
		{"step absent", "c2", "fip-eddc", []string{"EnterPort", "Route", "ExitPort"}, nil},
		{"step only, in file order", "compute0", "br-tun", []string{"Encap"}, []string{"tunnel bridge", "vxlan"}},
		{"segment: no host", "", "provider", []string{"Route"}, []string{"segment"}},
		{"segment name is not host:name", "", ":provider", nil, nil},
		{"nothing matches", "h", "eth0", []string{"Deliver"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range topo.Explain(tt.host, tt.node, tt.steps) {
				got = append(got, e.Text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Explain(%q, %q, %q) = %q, want %q", tt.host, tt.node, tt.steps, got, tt.want)
			}
		})
	}
}

func TestExplanationValidate(t *testing.T) {
	tests := []struct {
		name string
		e    Explanation
		want string // "" = valid
	}{
		{"node only", Explanation{Node: "qbr*", Text: "t"}, ""},
		{"step only", Explanation{Step: "Decap", Text: "t"}, ""},
		{"both", Explanation{Node: "compute0:br-[it]*", Step: "OVSFlow", Text: "t"}, ""},
		{"neither", Explanation{Text: "t"}, "want node, step or both: with neither, the note would show at every hop"},
		{"no text", Explanation{Node: "x", Text: " \n"}, "text: empty: want one to four plain sentences"},
		{"bad glob", Explanation{Node: "qrouter-[", Text: "t"}, `node: bad glob "qrouter-[": syntax error in pattern; want a pattern like qrouter-* or compute0:br-*`},
		{"bad glob after a star", Explanation{Node: "*[", Text: "t"}, `node: bad glob "*[": syntax error in pattern; want a pattern like qrouter-* or compute0:br-*`},
		{"unknown step", Explanation{Step: "Neighbour", Text: "t"}, `step: unknown step kind "Neighbour": want one of EnterPort, ExitPort, Netfilter, Conntrack, Route, Neighbor, BridgeFDB, OVSFlow, OVNStage, Transform, Encap, Decap, Deliver`},
		{"step is case-sensitive", Explanation{Step: "encap", Text: "t"}, `step: unknown step kind "encap": want one of EnterPort, ExitPort, Netfilter, Conntrack, Route, Neighbor, BridgeFDB, OVSFlow, OVNStage, Transform, Encap, Decap, Deliver`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.e.Validate(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExplanationString(t *testing.T) {
	for _, tt := range []struct {
		e    Explanation
		want string
	}{
		{Explanation{Node: "fip-*", Step: "Neighbor", Text: "proxy ARP"}, "fip-* [Neighbor]: proxy ARP"},
		{Explanation{Step: "Encap", Text: "vxlan"}, "* [Encap]: vxlan"},
		{Explanation{Node: "qbr*", Text: "hybrid"}, "qbr*: hybrid"},
	} {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
