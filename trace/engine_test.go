package trace_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

func engine(t *testing.T, file string) *trace.Engine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Load(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return trace.New(sc.Topology)
}

type stageCase struct {
	name     string
	req      trace.Request
	want     []trace.Disposition // one per path, in order
	why      string              // must appear in the first path's ending sentence
	finalDst string
}

func runCases(t *testing.T, e *trace.Engine, cases []stageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Trace(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var disp []trace.Disposition
			for _, tr := range got {
				disp = append(disp, tr.Disposition)
				if err := tr.Validate(); err != nil {
					t.Errorf("invalid trace: %v", err)
				}
			}
			if !equalDisp(disp, tc.want) {
				var b strings.Builder
				trace.WriteText(&b, got)
				t.Fatalf("dispositions %v, want %v\n%s", disp, tc.want, b.String())
			}
			if !strings.Contains(got[0].Why, tc.why) {
				t.Errorf("why = %q, want it to mention %q", got[0].Why, tc.why)
			}
			if tc.finalDst != "" && got[0].Final.Dst != netip.MustParseAddr(tc.finalDst) {
				t.Errorf("final dst %s, want %s", got[0].Final.Dst, tc.finalDst)
			}
		})
	}
}

func equalDisp(a, b []trace.Disposition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func d(ds ...trace.Disposition) []trace.Disposition { return ds }

func TestRoutingStages(t *testing.T) {
	e := engine(t, "routing.yaml")
	runCases(t, e, []stageCase{
		{name: "forwarded and delivered", req: trace.Request{From: "h:a", To: "10.0.2.2"},
			want: d(trace.Delivered), why: "local address of h:b"},
		{name: "blackhole route", req: trace.Request{From: "h:a", To: "10.9.1.1"},
			want: d(trace.NullRouted), why: "blackhole route"},
		{name: "unreachable route", req: trace.Request{From: "h:a", To: "10.8.1.1"},
			want: d(trace.NullRouted), why: "unreachable route"},
		{name: "blackhole rule by source", req: trace.Request{From: "h:a", To: "10.0.2.2", SrcIP: netip.MustParseAddr("10.0.1.3")},
			want: d(trace.NullRouted), why: `ip rule "200: from 10.0.1.3 blackhole"`},
		{name: "next hop nobody owns", req: trace.Request{From: "h:a", To: "10.7.0.1"},
			want: d(trace.NeighborUnreachable), why: "ARP for 10.0.2.99 on r1b gets no answer"},
		{name: "routing loop between r1 and b", req: trace.Request{From: "h:a", To: "10.5.0.1"},
			want: d(trace.Loop), why: "forwarding loop"},
		{name: "TTL runs out at the first router", req: trace.Request{From: "h:a", To: "10.0.2.2", TTL: 1},
			want: d(trace.TTLExceeded), why: "TTL 1"},
		{name: "ECMP forks one path per next hop", req: trace.Request{From: "h:a", To: "10.6.0.1"},
			want: d(trace.NeighborUnreachable, trace.NeighborUnreachable), why: "ARP for 10.6.0.1 on b0"},
		{name: "rp_filter drops a spoofed source", req: trace.Request{From: "h:a", To: "10.0.2.2", SrcIP: netip.MustParseAddr("10.0.2.50")},
			want: d(trace.Dropped), why: "rp_filter=1 on r1a"},
		{name: "unknown destination is no route from a stub namespace", req: trace.Request{From: "h:b", To: "h:a:a0"},
			want: d(trace.Delivered), why: "local address of h:a"},
	})
}

func TestL2Stages(t *testing.T) {
	e := engine(t, "l2.yaml")
	runCases(t, e, []stageCase{
		{name: "same VLAN on a vlan-filtering bridge", req: trace.Request{From: "h:n1", To: "10.0.0.3"},
			want: d(trace.Delivered), why: "local address of h:n3"},
		{name: "other VLAN on a vlan-filtering bridge gets no ARP answer", req: trace.Request{From: "h:n1", To: "10.0.0.2"},
			want: d(trace.NeighborUnreachable), why: "ARP for 10.0.0.2 on eth0 gets no answer"},
		{name: "same tag on an OVS bridge", req: trace.Request{From: "h:m1", To: "10.1.0.3"},
			want: d(trace.Delivered), why: "local address of h:m3"},
		{name: "across a patch pair onto a trunk", req: trace.Request{From: "h:m1", To: "10.1.0.4"},
			want: d(trace.Delivered), why: "local address of h:m4"},
		{name: "a static neighbour in another VLAN floods and nobody takes it", req: trace.Request{From: "h:m1", To: "10.1.0.2"},
			want: d(trace.Dropped, trace.Dropped), why: "not eth0's MAC"},
		{name: "static FDB entry", req: trace.Request{From: "h2:k1", To: "10.2.0.2"},
			want: d(trace.Delivered), why: "local address of h2:k2"},
	})
	// ob2's learned FDB (fdb/show) puts m2's MAC behind q4: NORMAL goes
	// there instead of flooding.
	got, _ := e.Trace(trace.Request{From: "h:m1", To: "10.1.0.2"})
	var learned bool
	for _, tr := range got {
		for _, h := range tr.Hops {
			for _, s := range h.Steps {
				learned = learned || strings.Contains(s.Why, "is behind port q4 (the bridge's learned FDB says so)")
			}
		}
	}
	if !learned {
		t.Error("ob2 does not forward by its fdb/show rows")
	}
	got, _ = e.Trace(trace.Request{From: "h2:k1", To: "10.2.0.2"})
	fdb := got[0].Hops[1].Steps[1]
	if fdb.Kind != trace.BridgeFDB || fdb.Source == nil || !strings.HasPrefix(fdb.Source.Location, "l2.yaml:") {
		t.Errorf("the static FDB step does not cite its entry: %+v", fdb)
	}
}

func TestValidateMessages(t *testing.T) {
	cases := []struct {
		name string
		tr   trace.Trace
		want string
	}{
		{"no hops", trace.Trace{}, "trace has no hops"},
		{"empty hop", trace.Trace{Hops: []trace.Hop{{Node: trace.NodeRef{Name: "x"}}}}, "hop 0 (x) has no steps"},
		{"second hop without EnterPort", trace.Trace{Hops: []trace.Hop{
			{Node: trace.NodeRef{Name: "a"}, Steps: []trace.Step{{Kind: trace.ExitPort}}},
			{Node: trace.NodeRef{Name: "b"}, Steps: []trace.Step{{Kind: trace.Route}}}}}, "hop 1 (b) starts with Route, not EnterPort"},
		{"first hop without ExitPort", trace.Trace{Hops: []trace.Hop{
			{Node: trace.NodeRef{Name: "a"}, Steps: []trace.Step{{Kind: trace.Route}}},
			{Node: trace.NodeRef{Name: "b"}, Steps: []trace.Step{{Kind: trace.EnterPort}}}}}, "hop 0 (a) ends with Route, not ExitPort"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tr.Validate()
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

// An address only one namespace's loopback holds is sent from there.
func TestFromLoopbackAddress(t *testing.T) {
	e := engine(t, "routing.yaml")
	traces, err := e.Trace(trace.Request{From: "10.99.0.2", To: "10.0.1.2"})
	if err != nil {
		t.Fatal(err)
	}
	tr := traces[0]
	if got := tr.Hops[0].Node.String(); got != "h:b" || tr.Disposition != trace.Delivered || tr.Final.Src.String() != "10.99.0.2" {
		t.Errorf("from 10.99.0.2: first hop %s, %s (%s), source %s; want h:b, DELIVERED, 10.99.0.2", got, tr.Disposition, tr.Why, tr.Final.Src)
	}
	if _, err := e.Trace(trace.Request{From: "127.0.0.1", To: "10.0.1.2"}); err == nil {
		t.Error("from 127.0.0.1, which no packet leaves a namespace with: no error")
	}
}

// A frame injected at an OVS bridge port takes the MAC and address of the
// device behind it, and ARP finds the destination's MAC.
func TestInjectAtBridgePort(t *testing.T) {
	e := engine(t, "l2.yaml")
	runCases(t, e, []stageCase{
		{name: "from the port m1 sits behind", req: trace.Request{From: "h:ob:q1", To: "10.1.0.3"},
			want: d(trace.Delivered), why: "local address of h:m3"},
		{name: "tagged on the trunk of ob2, into VLAN 1", req: trace.Request{From: "h:ob2:to-ob", To: "10.1.0.4", VLAN: 1,
			SrcIP: netip.MustParseAddr("10.1.0.9"), SrcMAC: model.MAC{2, 0, 0, 0, 0x20, 9}},
			want: d(trace.Delivered), why: "local address of h:m4"},
	})
	for _, c := range []struct {
		req  trace.Request
		want string
	}{
		{trace.Request{From: "h:ob2:to-ob", To: "10.1.0.4"}, "port to-ob has no device with a MAC behind it: give --src-mac"},
		{trace.Request{From: "h:ob:q1", To: "10.9.9.9"}, "no device in ob's L2 domain answers ARP for 10.9.9.9: give --dst-mac"},
		{trace.Request{From: "h:m1", To: "10.1.0.3", VLAN: 5}, "--vlan: only a frame injected at an OVS bridge port"},
	} {
		if _, err := e.Trace(c.req); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Trace(%s -> %s) error %v, want %q", c.req.From, c.req.To, err, c.want)
		}
	}
}

func TestBadEndpoints(t *testing.T) {
	e := engine(t, "routing.yaml")
	for _, tc := range []struct{ from, to, want string }{
		{"nosuch", "10.0.2.2", `--from: "nosuch" is no endpoint, host:ns:iface or IP address`},
		{"h:a", "h:zz:eth0", `--to: "h:zz:eth0": host h has no namespace "zz"`},
		{"192.0.2.1", "10.0.2.2", "--from: 192.0.2.1 is owned by no interface or logical port and lies on or beyond no segment"},
	} {
		_, err := e.Trace(trace.Request{From: tc.from, To: tc.to})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Trace(%s -> %s) error = %v, want %q", tc.from, tc.to, err, tc.want)
		}
	}
}
