package ofproto

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestMain fails the run when a Switch of this process outlived its
// tests: a namespace or a daemon still named after it.
func TestMain(m *testing.M) {
	code := m.Run()
	if Missing() == "" {
		if left := leftovers(namePrefix); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "left behind after the tests:\n  %s\n", strings.Join(left, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// requireSwitch skips unless this machine can run a Switch.
func requireSwitch(t testing.TB) {
	t.Helper()
	if why := Missing(); why != "" {
		t.Skip("the ofproto oracle runs ovs-vswitchd: " + why)
	}
}

// startSwitch starts a Switch that Close removes when the test ends, and
// checks then that nothing of it remains.
func startSwitch(t testing.TB) *Switch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		for _, what := range []string{s.Netns, s.Dir} {
			if left := leftovers(what); len(left) > 0 {
				t.Errorf("after Close: %s", strings.Join(left, "; "))
			}
		}
	})
	return s
}

// leftovers lists namespaces, processes and directories whose names
// contain what.
func leftovers(what string) []string {
	var left []string
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.Contains(f[0], what) {
			left = append(left, "namespace "+f[0])
		}
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), what) {
			left = append(left, fmt.Sprintf("process %s: %s", filepath.Base(filepath.Dir(p)),
				strings.ReplaceAll(strings.TrimSpace(string(b)), "\x00", " ")))
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "*"+filepath.Base(what)+"*"))
	for _, d := range dirs {
		left = append(left, "directory "+d)
	}
	return left
}

// basicPorts: four internal ports, a geneve tunnel whose key comes from
// the flow, and a veth.
var basicPorts = []Port{
	{Name: "p1", OFPort: 1}, {Name: "p2", OFPort: 2}, {Name: "p3", OFPort: 3}, {Name: "p4", OFPort: 4},
	{Name: "t1", OFPort: 10, Type: "geneve", Options: map[string]string{"remote_ip": "192.0.2.9", "key": "flow"}},
	{Name: "s1", Type: "system"},
}

// basicFlows, as dump-flows prints them (statistics and a header line
// included: ReplaceFlows strips them).
const basicFlows = `OFPST_FLOW reply (OF1.5) (xid=0x2):
 cookie=0x0, duration=1.5s, table=0, n_packets=3, n_bytes=180, idle_age=1, priority=100,ip,in_port=p1,nw_dst=10.0.0.2 actions=output:p2
 cookie=0x0, duration=1.5s, table=0, n_packets=0, n_bytes=0, priority=90,arp,in_port=p1 actions=drop
 cookie=0x5, duration=1.5s, table=0, n_packets=0, n_bytes=0, priority=80,in_port=p1 actions=resubmit(,1)
 table=1, priority=10,ip actions=mod_vlan_vid:5,output:p3
 table=1, priority=5 actions=output:p4
 table=0, priority=70,ip,in_port=p2 actions=set_field:10.9.9.9->nw_src,output:p1
 table=0, priority=65,in_port=p2 actions=output:s1
 table=0, priority=60,ip,in_port=p3 actions=conjunction(7,1/2)
 table=0, priority=60,tcp,tp_dst=22 actions=conjunction(7,2/2)
 table=0, priority=60,conj_id=7,ip actions=mod_dl_dst:00:00:00:00:00:99,output:p4
 table=0, priority=50,in_port=p3 actions=output:p1
 table=0, priority=40,ip,in_port=p4 actions=set_tunnel:0x64,output:t1
 table=0, priority=30,in_port=p4 actions=controller
 table=0, priority=0 actions=drop
`

func TestTraceBasics(t *testing.T) {
	requireSwitch(t)
	s := startSwitch(t)
	if err := s.AddBridge("br0", "secure", basicPorts); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceFlows("br0", basicFlows); err != nil {
		t.Fatal(err)
	}
	const eth = "dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02"
	const ip = eth + ",dl_type=0x0800,nw_src=10.0.0.1,nw_ttl=64"
	// The datapath rewrites no IPv4 header whose protocol is 0, so the
	// packets carry a protocol.
	const icmp = ip + ",nw_proto=1,icmp_type=8,icmp_code=0"
	tests := []struct {
		name    string
		flow    string
		outputs []Output
		final   map[string]string // changes from the input; "" deletes
		tables  []string          // "bridge table"
	}{
		{name: "output", flow: "in_port=1," + icmp + ",nw_dst=10.0.0.2",
			outputs: []Output{{Port: "p2"}}, tables: []string{"br0 0"}},
		{name: "drop", flow: "in_port=1," + eth + ",dl_type=0x0806",
			tables: []string{"br0 0"}},
		{name: "resubmit", flow: "in_port=1," + eth + ",dl_type=0x86dd",
			outputs: []Output{{Port: "p4"}}, tables: []string{"br0 0", "br0 1"}},
		{name: "mod_vlan_vid pushes", flow: "in_port=1," + icmp + ",nw_dst=10.0.0.3",
			outputs: []Output{{Port: "p3", Set: map[string]string{"vlan": "5"}}},
			final:   map[string]string{"vlan_tci": "", "dl_vlan": "5", "dl_vlan_pcp": "0", "vlan_tci1": "0x0000"},
			tables:  []string{"br0 0", "br0 1"}},
		// OpenFlow 1.1+ has no "rewrite the tag if there is one": a
		// mod_vlan_vid whose match does not ensure a tag loads as
		// push_vlan + set_field, so a tagged packet gets a second tag.
		{name: "mod_vlan_vid pushes onto a tag", flow: "in_port=1,dl_vlan=7," + icmp + ",nw_dst=10.0.0.3",
			outputs: []Output{{Port: "p3", Set: map[string]string{"vlan": "5", "vlan1": "7"}}},
			final:   map[string]string{"dl_vlan": "5", "vlan_tci1": "", "dl_vlan1": "7", "dl_vlan_pcp1": "0"},
			tables:  []string{"br0 0", "br0 1"}},
		{name: "set_field nw_src", flow: "in_port=2," + icmp + ",nw_dst=10.0.0.3",
			outputs: []Output{{Port: "p1", Set: map[string]string{"nw_src": "10.9.9.9"}}},
			final:   map[string]string{"nw_src": "10.9.9.9"}, tables: []string{"br0 0"}},
		{name: "system port", flow: "in_port=2," + eth + ",dl_type=0x0806",
			outputs: []Output{{Port: "s1"}}, tables: []string{"br0 0"}},
		{name: "conjunction", flow: "in_port=3," + ip + ",nw_dst=10.0.0.3,nw_proto=6,tcp_dst=22",
			outputs: []Output{{Port: "p4", Set: map[string]string{"dl_dst": "00:00:00:00:00:99"}}},
			final:   map[string]string{"dl_dst": "00:00:00:00:00:99"}, tables: []string{"br0 0"}},
		{name: "conjunction half met", flow: "in_port=3," + ip + ",nw_dst=10.0.0.3,nw_proto=6,tcp_dst=80",
			outputs: []Output{{Port: "p1"}}, tables: []string{"br0 0"}},
		{name: "tunnel", flow: "in_port=4," + icmp + ",nw_dst=10.0.0.3",
			outputs: []Output{{Port: "t1", Set: map[string]string{
				"tun_id": "0x64", "tun_src": UnderlayIP, "tun_dst": "192.0.2.9"}}},
			final:  map[string]string{"tun_id": "0x64"},
			tables: []string{"br0 0", UnderlayBridge + " 0"}},
		{name: "controller", flow: "in_port=4," + eth + ",dl_type=0x0806",
			outputs: []Output{{Port: "CONTROLLER", Reason: "action"}}, tables: []string{"br0 0"}},
		{name: "output to in_port is skipped", flow: "in_port=3," + eth + ",dl_type=0x0806",
			outputs: []Output{{Port: "p1"}}, tables: []string{"br0 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Trace("br0", tt.flow)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := r.Drop, len(tt.outputs) == 0; got != want {
				t.Errorf("Drop = %v, want %v", got, want)
			}
			if diff := cmp.Diff(tt.outputs, r.Outputs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Outputs (-want +got):\n%s", diff)
			}
			want := maps.Clone(r.Input)
			for k, v := range tt.final {
				if v == "" {
					delete(want, k)
				} else {
					want[k] = v
				}
			}
			if diff := cmp.Diff(want, r.Final); diff != "" {
				t.Errorf("Final (-want +got):\n%s", diff)
			}
			var tables []string
			for _, st := range r.Tables {
				tables = append(tables, fmt.Sprintf("%s %d", st.Bridge, st.Table))
			}
			if diff := cmp.Diff(tt.tables, tables); diff != "" {
				t.Errorf("Tables (-want +got):\n%s", diff)
			}
			if t.Failed() {
				t.Logf("trace:\n%s", r.Raw)
			}
		})
	}
}

// TestRandomCasesLoad proves the generator emits tables OVS accepts and
// packets it can trace.
func TestRandomCasesLoad(t *testing.T) {
	requireSwitch(t)
	n := 50
	if v := os.Getenv("HOPSCOPE_OFPROTO_CASES"); v != "" {
		fmt.Sscan(v, &n)
	}
	var dropped, output, flows, hits, controller int
	// One Switch per port count: a bridge's ports cannot shrink in place.
	switches := map[int]*Switch{}
	for i, c := range RandomCases(1, n) {
		s := switches[len(c.Ports)]
		if s == nil {
			s = startSwitch(t)
			if err := s.AddBridge(c.Bridge, "secure", c.Ports); err != nil {
				t.Fatal(err)
			}
			switches[len(c.Ports)] = s
		}
		if err := s.ReplaceFlows(c.Bridge, c.Flows); err != nil {
			t.Fatalf("case %d (%v): %v\nflows:\n%s", i, c, err, c.Flows)
		}
		flows += strings.Count(c.Flows, "\n")
		r, err := s.Trace(c.Bridge, c.Packet)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if len(r.Other) > 0 {
			t.Errorf("case %d (%v): datapath actions outside the model: %q", i, c, r.Other)
		}
		if r.Drop {
			dropped++
		} else {
			output++
		}
		if len(r.Tables) > 0 && !r.Tables[0].Miss() && !strings.Contains(r.Tables[0].Flow, "priority 0") {
			hits++
		}
		for _, o := range r.Outputs {
			if o.Port == "CONTROLLER" {
				controller++
				break
			}
		}
	}
	t.Logf("%d cases, %d flows: %d dropped, %d output (%d to the controller); %d packets hit a table-0 flow other than the catch-all",
		n, flows, dropped, output, controller, hits)
}

// TestStartFailsClean cuts Start short at several points: whatever it
// made by then is gone when it returns its error.
func TestStartFailsClean(t *testing.T) {
	requireSwitch(t)
	for _, d := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		s, err := Start(ctx)
		cancel()
		if err == nil {
			// Start won the race: a Switch that works must close cleanly too.
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		}
		t.Logf("cut after %v: %v", d, err)
		if left := leftovers(namePrefix); len(left) > 0 {
			t.Fatalf("Start cut after %v (error %v) left: %s", d, err, strings.Join(left, "; "))
		}
	}
}
