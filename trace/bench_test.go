package trace_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// neutronHost is a compute node whose root namespace holds the generated
// Neutron hybrid-firewall ruleset for `ports` ports; the VM behind the last
// port is reachable from a router namespace across its qbr bridge, so a
// trace crosses br_netfilter's raw and filter walks of the whole ruleset.
func neutronHost(b testing.TB, ports int) (*trace.Engine, int) {
	b.Helper()
	rules := netfilter.GenerateNeutronHost(ports)
	k := ports - 1
	tap := netfilter.PortTap(k)
	id := strings.TrimPrefix(tap, "tap")
	var y strings.Builder
	fmt.Fprintf(&y, `name: bench
hosts:
  compute:
    namespaces:
      root:
        sysctls: {net.ipv4.ip_forward: 1, net.bridge.bridge-nf-call-iptables: 1}
        interfaces:
          - {name: qbr%[1]s, kind: bridge}
          - {name: %[2]s, kind: tap, master: qbr%[1]s}
          - {name: qvb%[1]s, kind: veth, master: qbr%[1]s, peer: router:qr0}
        iptables: |
`, id, tap)
	for _, line := range strings.Split(strings.TrimRight(rules, "\n"), "\n") {
		y.WriteString("          " + line + "\n")
	}
	fmt.Fprintf(&y, `        ipsets: |
          create NIPv4%[1]s hash:net family inet hashsize 1024 maxelem 65536
          add NIPv4%[1]s 10.0.0.200
`, id[:10])
	fmt.Fprintf(&y, `      router:
        sysctls: {net.ipv4.ip_forward: 1}
        interfaces:
          - {name: qr0, kind: veth, addresses: [10.0.0.1/8]}
endpoints:
  vm:
    kind: vm
    host: compute
    interface: {name: eth0, addresses: [%s/8], link: %s}
`, netfilter.PortAddr(k), tap)
	sc, err := scenarios.Load("bench.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	return trace.New(sc.Topology), strings.Count(rules, "\n-A ")
}

// BenchmarkTrace100kRules: one trace through a host with over 100,000
// iptables rules across per-port user chains (target: <= 0.1 ms).
func BenchmarkTrace100kRules(b *testing.B) {
	e, n := neutronHost(b, 3500)
	if n < 100_000 {
		b.Fatalf("only %d rules", n)
	}
	req := trace.Request{From: "compute:router", To: "vm", Proto: trace.ProtoTCP, DstPort: 22}
	got, err := e.Trace(req)
	if err != nil || len(got) != 1 || got[0].Disposition != trace.Delivered {
		b.Fatalf("setup trace: %v %+v", err, got)
	}
	b.ReportMetric(float64(n), "rules")
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Trace(req); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNeutronHostTraceVerdicts(t *testing.T) {
	e, _ := neutronHost(t, 50)
	for _, tc := range []struct {
		dport uint16
		want  trace.Disposition
	}{{22, trace.Delivered}, {8080, trace.Denied}} {
		got, err := e.Trace(trace.Request{From: "compute:router", To: "vm", Proto: trace.ProtoTCP, DstPort: tc.dport})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Disposition != tc.want {
			var b strings.Builder
			trace.WriteText(&b, got)
			t.Errorf("dport %d: %s, want %s\n%s", tc.dport, got[0].Disposition, tc.want, b.String())
		}
	}
}
