package ofproto

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "record testdata/*.trace and dpif-show.txt again from a real ovs-vswitchd")

// fixtureFlows load into the fixture switch: nested resubmits, goto_table,
// a patch port into br1, a tunnel output followed by a port output
// (a clone in the datapath), dec_ttl, a second VLAN tag.
const fixtureFlows = `table=0, priority=200,udp,in_port=p1 actions=set_field:0x5->reg0,resubmit(,1),output:p2
table=1, priority=10,udp,reg0=5 actions=mod_tp_dst:99,resubmit(,2),goto_table:3
table=2, priority=10 actions=mod_dl_dst:00:00:00:00:00:bb,resubmit(,4),output:pa
table=3, priority=10,udp actions=move:NXM_NX_REG0[0..15]->NXM_OF_UDP_SRC[],output:p1,dec_ttl,output:p3
table=4, priority=10 actions=output:p1
table=0, priority=100,ip,in_port=p4 actions=set_tunnel:0x64,output:t1,mod_dl_src:00:00:00:00:00:cc,output:p2
table=0, priority=90,ip,in_port=p3 actions=dec_ttl,output:p2
table=0, priority=80,in_port=p2,vlan_tci=0x1000/0x1000 actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:p1
`

// fixtureTraces are the packets recorded, by fixture name.
var fixtureTraces = map[string]string{
	"nested":      "in_port=1,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_type=0x0800,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_proto=17,udp_src=1,udp_dst=2,nw_ttl=9",
	"tunnel":      "in_port=4,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_type=0x0800,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_proto=1,icmp_type=8,nw_ttl=9",
	"invalid-ttl": "in_port=3,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_type=0x0800,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_proto=1,icmp_type=8,nw_ttl=1",
	"qinq":        "in_port=2,dl_vlan=7,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_type=0x0800,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_proto=1,icmp_type=8,nw_ttl=9",
}

// ovnSSH goes from lp1 to lp2 on ssh through OVN's br-int.
const ovnSSH = "in_port=1,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_type=0x0800,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_proto=6,tcp_src=40000,tcp_dst=22,nw_ttl=64"

// record rewrites the fixtures from a real switch.
func record(t *testing.T) {
	requireSwitch(t)
	s := startSwitch(t)
	if err := s.AddBridge("br0", "secure", append(basicPorts[:4:4],
		Port{Name: "t1", OFPort: 10, Type: "geneve", Options: map[string]string{"remote_ip": "192.0.2.9", "key": "flow"}},
		Port{Name: "pa", OFPort: 20, Type: "patch", Options: map[string]string{"peer": "pb"}})); err != nil {
		t.Fatal(err)
	}
	if err := s.AddBridge("br1", "secure", []Port{
		{Name: "pb", OFPort: 1, Type: "patch", Options: map[string]string{"peer": "pa"}}, {Name: "q1", OFPort: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceFlows("br0", fixtureFlows); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceFlows("br1", "priority=1,ip,in_port=pb actions=mod_nw_dst:1.2.3.4,output:q1"); err != nil {
		t.Fatal(err)
	}
	// OVN's br-int, for a trace through conntrack (two recirculations)
	// and tables past 9.
	dump, err := os.ReadFile(ovnDump)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddBridge("br-int", "secure", []Port{{Name: "lp1", OFPort: 1}, {Name: "lp2", OFPort: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceFlows("br-int", string(dump)); err != nil {
		t.Fatal(err)
	}
	out, err := s.appctl("ofproto/trace", "br-int", ovnSSH)
	if err != nil {
		t.Fatal(err)
	}
	write(t, "ovn-ssh.trace", out)
	show, err := s.appctl("dpif/show")
	if err != nil {
		t.Fatal(err)
	}
	write(t, "dpif-show.txt", show)
	for name, flow := range fixtureTraces {
		out, err := s.appctl("ofproto/trace", "br0", flow)
		if err != nil {
			t.Fatal(err)
		}
		write(t, name+".trace", out)
	}
}

func write(t *testing.T, name, text string) {
	if err := os.WriteFile(filepath.Join("testdata", name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFixture(t testing.TB, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestParseTraceFixtures parses real ofproto/trace output (refresh with
// -update, as root).
func TestParseTraceFixtures(t *testing.T) {
	if *update {
		record(t)
	}
	ports := parseDPIFShow(readFixture(t, "dpif-show.txt"))
	tests := []struct {
		name    string
		outputs []Output
		other   []string
		final   map[string]string // fields of Final checked
		tables  []string          // nil: only count them
		nTables int
		notes   int
	}{
		{
			name: "nested",
			// Table 2 outputs through the patch port into br1 (q1) with
			// its own nw_dst; table 3 outputs to p1 (skipped: the input
			// port), decrements the TTL and outputs to p3; table 0 then
			// outputs to p2. The datapath carries each output's headers.
			outputs: []Output{
				{Port: "q1", Set: map[string]string{"dl_dst": "00:00:00:00:00:bb", "nw_dst": "1.2.3.4", "tp_dst": "99"}},
				{Port: "p3", Set: map[string]string{"dl_dst": "00:00:00:00:00:bb", "tp_src": "5", "tp_dst": "99", "nw_ttl": "8"}},
				{Port: "p2", Set: map[string]string{"dl_dst": "00:00:00:00:00:bb", "tp_src": "5", "tp_dst": "99", "nw_ttl": "8"}},
			},
			final: map[string]string{"reg0": "0x5", "tp_src": "5", "tp_dst": "99", "nw_ttl": "8", "dl_dst": "00:00:00:00:00:bb"},
			tables: []string{
				"br0 0. udp,in_port=1, priority 200: set_field:0x5->reg0; resubmit(,1); output:2",
				"br0 1. udp,reg0=0x5, priority 10: set_field:99->udp_dst; resubmit(,2); goto_table:3",
				"br0 2. priority 10: set_field:00:00:00:00:00:bb->eth_dst; resubmit(,4); output:20",
				"br0 4. priority 10: output:1; >> skipping output to input port",
				"br1 0. ip,in_port=1, priority 1: set_field:1.2.3.4->ip_dst; output:2",
				"br0 3. udp, priority 10: move:NXM_NX_REG0[0..15]->NXM_OF_UDP_SRC[]; -> NXM_OF_UDP_SRC[] is now 5; output:1; >> skipping output to input port; dec_ttl; output:3",
			},
		},
		{
			name: "tunnel",
			// The encapsulated copy leaves through the underlay's wire;
			// the original goes on to p2 with the new source MAC.
			outputs: []Output{
				{Port: "t1", Set: map[string]string{"tun_id": "0x64", "tun_src": UnderlayIP, "tun_dst": "192.0.2.9"}},
				{Port: "p2", Set: map[string]string{"dl_src": "00:00:00:00:00:cc"}},
			},
			final: map[string]string{"tun_id": "0x64", "dl_src": "00:00:00:00:00:cc"},
			tables: []string{
				"br0 0. ip,in_port=4, priority 100: set_field:0x64->tun_id; output:10; -> output to native tunnel; -> tunneling to 192.0.2.1 via hs-underlay; -> tunneling from 02:68:73:00:00:fe 192.0.2.254 to 02:68:73:00:00:01 192.0.2.1; set_field:00:00:00:00:00:cc->eth_src; output:2",
				"hs-underlay 0. in_port=LOCAL, priority 32768: output:1",
			},
		},
		{
			name:    "invalid-ttl",
			outputs: []Output{{Port: "CONTROLLER", Reason: "invalid_ttl"}},
			final:   map[string]string{"nw_ttl": "1"},
			tables:  []string{"br0 0. ip,in_port=3, priority 90: dec_ttl; >> IPv4 decrement TTL exception"},
		},
		{
			name:    "ovn-ssh",
			outputs: []Output{{Port: "lp2"}},
			other: []string{"ct(zone=8)", "recirc(0x1)", "ct(commit,zone=8,mark=0/0x1,nat(src))",
				"ct(zone=9)", "recirc(0x2)", "ct(commit,zone=9,mark=0/0x1,nat(src))"},
			final:   map[string]string{"recirc_id": "0x2", "reg15": "0x2", "tp_dst": "22"},
			nTables: 45,
			// Per recirculation: "recirc(0x1) - resume conntrack ...",
			// "thaw", "Resuming from table 15".
			notes: 6,
		},
		{
			name:    "qinq",
			outputs: []Output{{Port: "p1", Set: map[string]string{"vlan": "100", "vlan1": "7"}}},
			final:   map[string]string{"dl_vlan": "100", "dl_vlan1": "7"},
			tables:  []string{"br0 0. in_port=2,vlan_tci=0x1000/0x1000, priority 80: push_vlan:0x8100; set_field:4196->vlan_vid; output:1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseTrace(readFixture(t, tt.name+".trace"), ports)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.outputs, r.Outputs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Outputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.other, r.Other, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Other (-want +got):\n%s", diff)
			}
			if r.Drop != (len(tt.outputs) == 0) {
				t.Errorf("Drop = %v", r.Drop)
			}
			for k, v := range tt.final {
				if r.Final[k] != v {
					t.Errorf("Final[%s] = %q, want %q", k, r.Final[k], v)
				}
			}
			var tables []string
			for _, st := range r.Tables {
				tables = append(tables, st.String())
			}
			if tt.tables == nil {
				if len(tables) != tt.nTables {
					t.Errorf("%d Tables, want %d", len(tables), tt.nTables)
				}
			} else if diff := cmp.Diff(tt.tables, tables); diff != "" {
				t.Errorf("Tables (-want +got):\n%s", diff)
			}
			if len(r.Notes) != tt.notes {
				t.Errorf("Notes: %q, want %d", r.Notes, tt.notes)
			}
			if t.Failed() {
				t.Logf("trace:\n%s", r.Raw)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	got := ParseFields("tcp,in_port=1,dl_vlan=5,dl_vlan_pcp=0,vlan_tci1=0x0000,nw_src=10.9.9.9,tp_dst=22")
	want := map[string]string{"dl_type": "0x0800", "nw_proto": "6", "in_port": "1", "dl_vlan": "5",
		"dl_vlan_pcp": "0", "vlan_tci1": "0x0000", "nw_src": "10.9.9.9", "tp_dst": "22"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseTraceErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"empty", "", `no "Flow:" line`},
		{"no datapath", "Flow: ip,in_port=1\n\nbridge(\"br0\")\n", `no "Datapath actions:" line`},
		{"bad push_vlan", "Flow: ip,in_port=1\nDatapath actions: push_vlan(pcp=0),1", "push_vlan(pcp=0): no vid"},
		{"bad set", "Flow: ip,in_port=1\nDatapath actions: set(foo),1", "set(foo): want set(HEADER(...))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTrace(tt.text, &dpPorts{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestDatapathActions covers datapath actions the fixtures do not: the
// set(tunnel()) form of a kernel-style tunnel output, masked sets,
// actions outside the model.
func TestDatapathActions(t *testing.T) {
	ports := &dpPorts{byDP: map[int][]dpPort{
		1: {{name: "p1"}}, 2: {{name: "ta", remote: "192.0.2.9"}, {name: "tb", remote: "192.0.2.10"}},
	}}
	input := map[string]string{"dl_type": "0x0800", "nw_src": "10.0.0.1", "dl_src": "00:00:00:00:00:01"}
	tests := []struct {
		name, actions string
		outputs       []Output
		other         []string
	}{
		{"drop", "drop", nil, nil},
		{"set tunnel picks the port by remote",
			"set(tunnel(tun_id=0x64,dst=192.0.2.10,ttl=64,tp_dst=6081,flags(df|key))),2",
			[]Output{{Port: "tb", Set: map[string]string{"tun_id": "0x64", "tun_dst": "192.0.2.10", "tun_ttl": "64", "tun_tp_dst": "6081", "tun_flags": "df|key"}}}, nil},
		{"a set back to the input value is no change",
			"set(ipv4(src=10.9.9.9)),1,set(ipv4(src=10.0.0.1)),1",
			[]Output{{Port: "p1", Set: map[string]string{"nw_src": "10.9.9.9"}}, {Port: "p1"}}, nil},
		{"clone keeps its changes to itself",
			"clone(set(eth(src=00:00:00:00:00:aa)),1),1",
			[]Output{{Port: "p1", Set: map[string]string{"dl_src": "00:00:00:00:00:aa"}}, {Port: "p1"}}, nil},
		{"pop_vlan on an untagged packet",
			"push_vlan(vid=5,pcp=3),1,pop_vlan,1",
			[]Output{{Port: "p1", Set: map[string]string{"vlan": "5", "vlan_pcp": "3"}}, {Port: "p1"}}, nil},
		{"unknown port and other actions",
			"ct(zone=5),recirc(0x1),9",
			[]Output{{Port: "dp:9"}}, []string{"ct(zone=5)", "recirc(0x1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDatapathState(input, ports)
			if err := d.run(tt.actions); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.outputs, d.outputs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.other, d.other, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("other (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFlowsForAdd(t *testing.T) {
	dump := `OFPST_FLOW reply (OF1.5) (xid=0x2):
 cookie=0x5, duration=1.5s, table=0, n_packets=3, n_bytes=180, idle_age=1, hard_age=2, idle_timeout=60, priority=100,ip,in_port=p1 actions=output:p2
 table=1, priority=0 actions=drop
NXST_FLOW reply (xid=0x4):
 reset_counts actions=note:6e5f7061636b6574733d31
`
	want := `cookie=0x5,table=0,idle_timeout=60,priority=100,ip,in_port=p1 actions=output:p2
table=1,priority=0 actions=drop
reset_counts actions=note:6e5f7061636b6574733d31
`
	if diff := cmp.Diff(want, FlowsForAdd(dump)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzParseTrace(f *testing.F) {
	traces, _ := filepath.Glob(filepath.Join("testdata", "*.trace"))
	for _, name := range traces {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("Flow: ip\nDatapath actions: clone(tnl_push(tnl_port(2),header(ipv4(src=1.1.1.1,dst=2.2.2.2)),out_port(3)),1),userspace(controller(reason=9))")
	ports := &dpPorts{byDP: map[int][]dpPort{1: {{name: "p1"}}}}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseTrace(text, ports)
		if err != nil {
			return
		}
		if r.Drop != (len(r.Outputs) == 0) || r.Final == nil || r.Input == nil {
			t.Fatalf("inconsistent result %+v", r)
		}
	})
}
