package trace_test

import (
	"strings"
	"testing"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// neutronHost is scenarios.GenerateNeutronHost's engine and rule count.
func neutronHost(b testing.TB, ports int) (*trace.Engine, int) {
	b.Helper()
	sc, n, err := scenarios.GenerateNeutronHost(ports)
	if err != nil {
		b.Fatal(err)
	}
	return trace.New(sc.Topology), n
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
